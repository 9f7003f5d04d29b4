"""`python -m indexer [--corpus PATH] [--index DIR]`: rebuild the index."""

from search.cli import index_command

if __name__ == "__main__":
    index_command(prog_name="python -m indexer")
