"""`python -m indexer [--corpus PATH] [--index DIR] [--full] [-q]`: bring the index up to date.

The indexer's own entry point, for scripts that build without the search side; `faqsearch
index` does the same with progress, --json and a fuller summary.
"""

from __future__ import annotations

import argparse
import sys

from faqindex.errors import FaqsearchError

from .build import build_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer", description="Bring the index up to date with the corpus.")
    parser.add_argument("--corpus", help="corpus file or directory [default: $FAQSEARCH_CORPUS, else the shipped article]")
    parser.add_argument("--index", help="index directory [default: $FAQSEARCH_INDEX, else ~/.cache/faqsearch]")
    parser.add_argument("--full", action="store_true", help="read every file again")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    args = parser.parse_args(argv)
    try:
        stats = build_index(args.corpus, args.index, full=args.full)
    except FaqsearchError as exc:
        print(f"python -m indexer: error: {exc}", file=sys.stderr)
        return 2
    for skipped in stats.skipped_files:
        print(f"skipped {skipped.name!r}: {skipped.skipped}", file=sys.stderr)
    if not args.quiet:
        print(
            f"Indexed {stats.documents} documents from {len(stats.indexed_files)} file{'s' if len(stats.indexed_files) != 1 else ''} "
            f"into {stats.index_dir} in {stats.seconds:.2f} s"
        )
    return 0 if stats.documents else 1


if __name__ == "__main__":
    sys.exit(main())
