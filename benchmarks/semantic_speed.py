"""What the sentence model costs in time, against the shipped static model in the same run.

    pip install '.[sentence]'
    python -m benchmarks.semantic_speed [--rounds 3]
    FAQSEARCH_MODEL=DIR python -m benchmarks.semantic_speed     # another sentence model

On the shipped article, each figure beside the same one with the static model (`--static`),
measured in the same run, the two alternating so that a busy moment costs both alike:

- a warm search with highlights of each of the article's judged queries, the query's vector
  computed afresh each time (the Searcher's cache of recent query vectors is turned off);
- a cold command-line search of a whole question (the index built, the model unpacked);
- indexing the article from nothing (the sentence model embeds every answer).

Where OPENBLAS_CORETYPE is set (it slows numpy's matrix products on some processors),
run it once as it is and once with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from faqindex import sentence
from faqindex.errors import SemanticUnavailable
from indexer import build_index
from search import Searcher

from .relevance import ARTICLE
from .run import median_seconds_pair

QUERY = "will ms leave me in a wheelchair"


def warm(index: Path, queries: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Milliseconds of each search (highlights on), static and sentence model alternating."""
    times: tuple[list[float], list[float]] = ([], [])
    with Searcher(index, auto_build=False, semantic=False) as static, Searcher(index, auto_build=False, semantic=True) as model:
        assert model.ranked_by not in ("static", "words"), "the index lacks the sentence model's vectors"
        model.meaning.remember = 0  # every query embedded afresh
        for searcher in (static, model):
            for query in queries[:20]:
                searcher.search(query)  # the index's files opened, numpy's code paths warm
        for _ in range(rounds):
            for query in queries:
                for samples, searcher in zip(times, (static, model)):
                    started = time.perf_counter()
                    searcher.search(query, limit=10)
                    samples.append((time.perf_counter() - started) * 1000)
    return times


def index_seconds(rounds: int) -> tuple[float, float]:
    """Median seconds to index the article from nothing: static model only, and with the sentence model."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for samples, model in zip(times, (False, True)):
            with tempfile.TemporaryDirectory(prefix="faqsearch-index-speed-") as tmp:
                started = time.perf_counter()
                build_index(None, Path(tmp) / "ix", model=model)
                samples.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the judged queries")
    args = parser.parse_args()
    try:
        choice = sentence.choose(True)
    except SemanticUnavailable as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    cli = shutil.which("faqsearch") or "faqsearch"
    queries = [json.loads(line)["text"] for line in (ARTICLE / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    blas = {key: os.environ[key] for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if key in os.environ}
    with tempfile.TemporaryDirectory(prefix="faqsearch-semantic-speed-") as tmp:
        index = Path(tmp) / "index"
        build_index(None, index, model=True)
        static_ms, model_ms = warm(index, queries, args.rounds)
        env = os.environ | {"FAQSEARCH_INDEX": str(index)}
        static_cold, model_cold = median_seconds_pair(
            ([cli, "search", "--static", QUERY], env), ([cli, "search", "--semantic", QUERY], env)
        )
    static_index, model_index = index_seconds(args.rounds)
    print(f"sentence model: {choice.name}; OpenBLAS settings: {blas or 'none'}")
    print(f"{'what':<52}{'static':>16}{choice.name:>22}{'ratio':>8}")

    def row(what: str, static: float, model: float, unit: str, digits: int) -> None:
        print(f"{what:<52}{static:>13.{digits}f} {unit:<2}{model:>19.{digits}f} {unit:<2}{model / static:>7.1f}x")

    for name, pick in (("p50", 0.5), ("p95", 0.95)):
        static_q, model_q = (sorted(samples)[int(pick * (len(samples) - 1))] for samples in (static_ms, model_ms))
        row(f"warm search {name} ({len(queries)} queries x {args.rounds}, fresh vectors)", static_q, model_q, "ms", 2)
    row("cold command-line whole-question search (median)", static_cold * 1000, model_cold * 1000, "ms", 0)
    row("indexing the article from nothing (median)", static_index, model_index, "s", 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
