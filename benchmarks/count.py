"""The count a search shows: how close it comes to the number of answers a reader wants.

A search's `total` counts every document holding a word of the query. On the article,
"ms" is in almost every answer, so a patient's question showed "39 answers" where one or
two answer it. This compares, on the article's judged set, the counts a search could show
against the number of answers judged relevant to each query (0 for the questions the
article does not answer):

- `total`: every match (what was shown);
- `the best hit only`: 1, or 0 for a weak match (the baseline any count must beat);
- `share α`: the hits scoring at least α times the best hit (after ranking by meaning),
  none when the search is a weak match (its "No answer fits this well");
- `Results.fitting`: what a search now shows, the share chosen on the development split.

Per split, for each: the mean absolute difference from the judged number, the share of
queries within one of it, and how many queries show 10 or more where at most 3 are
relevant (a misleading count). Choose α on the development split; report the test split.

    python -m benchmarks.count [--static | --words-only]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from corpus import ARTICLES

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "benchmarks" / "article"
SHARES = (0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)
DEPTH = 100  # hits scored: as many as ranking by meaning re-scores


def judged_counts() -> dict[str, int]:
    """query id → how many documents are judged relevant to it (any grade above 0)."""
    relevant: dict[str, int] = defaultdict(int)
    for name in ("dev", "test"):
        for line in (ARTICLE / "qrels" / f"{name}.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            query, _, grade = line.split("\t")
            relevant[query] += int(grade) > 0
    return relevant


def rows(meaning: bool, semantic: bool | None) -> list[tuple[str, int, int, bool, list[float], int]]:
    """(split, judged relevant, total, weak, hit scores best first, `Results.fitting`) for
    every judged query."""
    from search import Searcher

    relevant = judged_counts()
    found = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        Searcher(Path(tmp) / "ix", corpus=ARTICLES, meaning=meaning, semantic=semantic, time_budget=120) as searcher,
    ):
        for line in (ARTICLE / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            query = json.loads(line)
            results = searcher.results(query["text"], limit=DEPTH, highlight=False)
            scores = [hit.score for hit in results.hits]
            found.append((query["split"], relevant.get(query["_id"], 0), results.total, results.weak, scores, results.fitting))
    return found


def shown_share(share: float):
    def count(row) -> int:
        _, _, _, weak, scores, _ = row
        if weak or not scores or scores[0] <= 0:
            return 0
        return sum(score >= share * scores[0] for score in scores)

    return count


def summary(found, split: str, count) -> tuple[float, float, int, int]:
    """(mean absolute difference, share within one, misleading counts, queries)."""
    selected = [row for row in found if row[0] == split]
    counts = [(count(row), row[1]) for row in selected]
    differences = [abs(shown - judged) for shown, judged in counts]
    misleading = sum(shown >= 10 and judged <= 3 for shown, judged in counts)
    return sum(differences) / len(selected), sum(d <= 1 for d in differences) / len(selected), misleading, len(selected)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--static", action="store_true", help="rank by meaning with the shipped static model")
    kind.add_argument("--words-only", action="store_true", help="rank by the words alone")
    args = parser.parse_args()
    found = rows(meaning=not args.words_only, semantic=False if args.static else None)
    rules = [
        ("total", lambda row: row[2]),
        ("the best hit only (1, or 0 when weak)", lambda row: int(bool(row[4]) and not row[3])),
        *((f"share {s}", shown_share(s)) for s in SHARES),
        ("`Results.fitting` as shipped", lambda row: row[5]),
    ]
    print("| count shown | split | mean abs. difference | within 1 | misleading (≥ 10 shown, ≤ 3 relevant) |")
    print("| --- | --- | --- | --- | --- |")
    for split in ("dev", "test"):
        for name, count in rules:
            mean, within, misleading, queries = summary(found, split, count)
            print(f"| {name} | {split} | {mean:.2f} | {within:.0%} | {misleading} of {queries} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
