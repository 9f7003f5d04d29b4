"""What ranking by meaning costs: the default search (words and the shipped static model)
beside the words alone, each pair measured in the same run.

    python -m benchmarks.meaning_cost

- cold CLI search: `faqsearch search ferritin` on a built index, in an environment made by
  `pip install .` as a user's, against the import floor of what it must import
  (`import whoosh.index, whoosh.qparser, whoosh.highlight, click, numpy`), and
  `--words-only` in the same rounds;
- warm search p50/p95 on the article's judged queries (all of benchmarks/article/queries.jsonl),
  with highlights, default against `meaning=False`, and the p50 of the first pass (the
  open index meeting each query's words for the first time: its caches of typo
  suggestions and concept rarities empty);
- `faqsearch index` of the article into a new index directory (a full build, meaning
  included), wall time of the command.

Medians; the machine is shared and noisy, so the ratios matter more than the times.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import ARTICLES

from .run import (
    REPEATS,
    build_in_fresh_process,
    installed_cli,
    judged_queries,
    median_seconds_pair,
    percentiles,
)


def warm(index_dir: Path, queries: list[str], meaning: bool, rounds: int = 5) -> tuple[float, float, float]:
    """p50 and p95 milliseconds of a search with highlights, over `rounds` passes of
    `queries` after one pass to warm caches, and the p50 of that first pass (each query's
    words and concepts met for the first time by the open index)."""
    from search import Searcher

    with Searcher(index_dir, auto_build=False, meaning=meaning) as searcher:
        searcher.search("warm up")  # opening the index's files: not a query's cost
        first = []
        for query in queries:
            started = time.perf_counter()
            searcher.search(query)
            first.append((time.perf_counter() - started) * 1000)
        samples = []
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                searcher.search(query, limit=10)
                samples.append((time.perf_counter() - started) * 1000)
    return (*percentiles(samples), percentiles(first)[0])


def main() -> int:
    queries = judged_queries()
    with tempfile.TemporaryDirectory(prefix="faqsearch-meaning-") as tmp:
        work = Path(tmp)
        index_dir = work / "index"
        cli, python = installed_cli(work)
        builds = []
        for i in range(REPEATS):
            started = time.perf_counter()
            subprocess.run([*cli, "index", "--quiet", "--corpus", str(ARTICLES), "--index", str(work / f"build-{i}")], check=True)
            builds.append(time.perf_counter() - started)
        build_in_fresh_process(ARTICLES, index_dir)
        search = [*cli, "search", "--index", str(index_dir), "--corpus", str(ARTICLES), "ferritin"]
        cold, words, floor = median_seconds_pair(
            (search, None),
            ([*search, "--words-only"], None),
            ([python, "-c", "import whoosh.index, whoosh.qparser, whoosh.highlight, click, numpy"], None),
        )
        print(f"cold CLI search: {cold * 1000:.0f} ms, words only {words * 1000:.0f} ms, "
              f"import floor {floor * 1000:.0f} ms: {cold / floor:.2f}x the floor (words only {words / floor:.2f}x)")
        results: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
        for _ in range(3):  # alternated, so that a busy moment costs both alike
            for meaning in (True, False):
                results[meaning].append(warm(index_dir, queries, meaning))
        for meaning, label in ((True, "default (words and meaning)"), (False, "words only")):
            p50 = sorted(r[0] for r in results[meaning])[1]
            p95 = sorted(r[1] for r in results[meaning])[1]
            first = sorted(r[2] for r in results[meaning])[1]
            print(f"warm search, {len(queries)} judged queries, {label}: p50 {p50:.2f} ms, p95 {p95:.2f} ms "
                  f"(each query the first time: p50 {first:.2f} ms)")
        builds.sort()
        print(f"faqsearch index of the article (fresh process, full build): median {builds[len(builds) // 2]:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
