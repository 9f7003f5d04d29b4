"""Questions the article does not answer: how many are flagged as a weak match, and how many
answerable queries are flagged wrongly.

The article's judged set holds 32 questions it does not answer (category "unanswerable",
16 in each split). A search flags its results as a weak match (`Results.weak`) when even
the best hit holds too little of the query (`search.fit`). This prints, per split, the
share of unanswerable questions flagged and of answerable queries flagged, and with
`--sweep` the same for other thresholds (choose on the development split only).

    python -m benchmarks.unanswerable [--sweep] [--semantic]
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


def fits(semantic: bool) -> list[tuple[str, bool, float]]:
    """(split, answerable?, fit of the best hit) for every query of the article's judged set."""
    from indexer import build_index
    from search import Searcher

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        build_index(ARTICLES, Path(tmp) / "ix")
        with Searcher(Path(tmp) / "ix", auto_build=False, semantic=semantic) as searcher:
            for line in QUERIES.read_text(encoding="utf-8").splitlines():
                query = json.loads(line)
                results = searcher.results(query["text"], limit=1, highlight=False)
                value = 0.0 if not results.hits else 1.0 if results.fit is None else results.fit
                rows.append((query["split"], query["category"] != "unanswerable", value))
    return rows


def rates(rows: list[tuple[str, bool, float]], split: str, threshold: float) -> tuple[int, int, int, int]:
    """(unanswerable flagged, unanswerable, answerable flagged, answerable)."""
    un = [f for s, ok, f in rows if s == split and not ok]
    an = [f for s, ok, f in rows if s == split and ok]
    return sum(f < threshold for f in un), len(un), sum(f < threshold for f in an), len(an)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sweep", action="store_true", help="also other thresholds, on the development split")
    parser.add_argument("--semantic", action="store_true", help="rank by meaning too")
    args = parser.parse_args()
    from search.fit import WEAK_FIT

    rows = fits(args.semantic)
    print(f"threshold {WEAK_FIT} (search.fit.WEAK_FIT)")
    for split in ("dev", "test"):
        flagged, un, wrong, an = rates(rows, split, WEAK_FIT)
        print(f"  {split:<5} unanswerable flagged {flagged}/{un} = {flagged / un:.0%}   answerable flagged {wrong}/{an} = {wrong / an:.1%}")
    if args.sweep:
        print("development split:")
        for step in range(5, 100, 5):
            flagged, un, wrong, an = rates(rows, "dev", step / 100)
            print(f"  {step / 100:.2f}  unanswerable flagged {flagged / un:5.0%}   answerable flagged {wrong / an:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
