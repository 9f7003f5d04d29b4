"""Questions the article does not answer: how many are flagged as a weak match, and how many
answerable queries are flagged wrongly.

The article's judged set holds 32 questions it does not answer (category "unanswerable",
16 in each split). A search flags its results as a weak match (`Results.weak`) when even
the best hit holds too little of the query (`search.fit`): by its words' fit alone when
ranking by the words, by its fit and its closeness in meaning by default. This prints, per
split, the share of unanswerable questions flagged and of answerable queries flagged, and
with `--sweep` the same for other thresholds (choose on the development split only).

    python -m benchmarks.unanswerable [--sweep] [--words-only | --static | --semantic]

As installed, the sentence model judges where the `sentence` extra is (its closeness is the
cosine in its own space), else the shipped static model.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from corpus import ARTICLES

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "benchmarks" / "article" / "queries.jsonl"
Row = tuple[str, bool, bool, float, float | None]
"""(split, answerable?, flagged?, fit of the best hit, its closeness in meaning or None)"""


def judged(meaning: bool, semantic: bool | None) -> list[Row]:
    """One row for every query of the article's judged set."""
    from indexer import build_index
    from search import Searcher

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        build_index(ARTICLES, Path(tmp) / "ix", model=None if semantic is None else semantic)
        with Searcher(Path(tmp) / "ix", auto_build=False, meaning=meaning, semantic=semantic) as searcher:
            for line in QUERIES.read_text(encoding="utf-8").splitlines():
                query = json.loads(line)
                results = searcher.results(query["text"], limit=1, highlight=False)
                value = 0.0 if not results.hits else 1.0 if results.fit is None else results.fit
                closeness = results.closeness if meaning else None
                rows.append((query["split"], query["category"] != "unanswerable", results.weak, value, closeness))
    return rows


def rates(rows: list[Row], split: str, flagged=lambda row: row[2]) -> tuple[int, int, int, int]:
    """(unanswerable flagged, unanswerable, answerable flagged, answerable)."""
    un = [row for row in rows if row[0] == split and not row[1]]
    an = [row for row in rows if row[0] == split and row[1]]
    return sum(map(flagged, un)), len(un), sum(map(flagged, an)), len(an)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sweep", action="store_true", help="also other thresholds, on the development split")
    parser.add_argument("--words-only", action="store_true", help="rank by the words alone")
    parser.add_argument("--semantic", action="store_true", help="rank by meaning with a sentence model, or fail")
    parser.add_argument("--static", action="store_true", help="rank by meaning with the shipped static model")
    args = parser.parse_args()
    from search import fit

    rows = judged(not args.words_only, True if args.semantic else False if args.static else None)
    for split in ("dev", "test"):
        flagged, un, wrong, an = rates(rows, split)
        print(f"{split:<5} unanswerable flagged {flagged}/{un} = {flagged / un:.0%}   answerable flagged {wrong}/{an} = {wrong / an:.1%}")
    if args.sweep and rows and rows[0][4] is None:
        print("development split, threshold of the words' fit:")
        for step in range(5, 100, 5):
            flagged, un, wrong, an = rates(rows, "dev", lambda row, below=step / 100: row[3] < below)
            print(f"  {step / 100:.2f}  unanswerable flagged {flagged / un:5.0%}   answerable flagged {wrong / an:6.1%}")
    elif args.sweep:
        print("development split, unanswerable / answerable flagged, by the words' fit (rows) and closeness (columns):")
        closeness = [c / 100 for c in range(25, 82, 3)]
        print("        " + "".join(f"{c:>12.2f}" for c in closeness))
        for step in range(5, 101, 5):
            cells = []
            for c in closeness:
                flagged, un, wrong, an = rates(rows, "dev", lambda row, f=step / 100, c=c: fit.weak_with(row[3], row[4], f, c))
                cells.append(f"{flagged / un:>6.0%}/{wrong / an:<5.1%}")
            print(f"  {step / 100:.2f}  " + "".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
