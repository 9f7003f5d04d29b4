"""`python -m search ...`: the faqsearch command line."""

from .launch import run

if __name__ == "__main__":
    run(prog_name="python -m search")
