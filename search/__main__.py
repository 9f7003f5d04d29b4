"""`python -m search ...`: the faqsearch command line."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="python -m search")
