"""One Searcher shared by threads, as a web server shares it: no errors, no wrong answers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from corpus import ARTICLES
from indexer import build_index
from search import Searcher

QUERIES = ["iron", "ferritin levels", "is there a blood test for ms", "spinal tap", "hemoglobni", "MRI lesions", "tinglign~2", "hemo*"]
THREADS, SEARCHES = 8, 300


def _answers(searcher: Searcher, query: str) -> tuple:
    results = searcher.results(query, limit=5)
    return results.total, results.corrected_query, [(h.id, h.score, tuple(h.highlights)) for h in results.hits]


def _hammer(searcher: Searcher, expected: dict[str, tuple]) -> tuple[list[str], int]:
    errors: list[str] = []
    wrong = 0

    def run(worker: int) -> None:
        nonlocal wrong
        for n in range(SEARCHES):
            query = QUERIES[(worker + n) % len(QUERIES)]
            try:
                got = _answers(searcher, query)
            except Exception as exc:  # noqa: BLE001 - anything at all is a failure
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            if got != expected[query]:
                wrong += 1

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(run, range(THREADS)))
    return errors, wrong


def test_a_searcher_shared_by_threads_answers_as_one_thread_does(tmp_path):
    index_dir = tmp_path / "ix"
    build_index(ARTICLES, index_dir)
    with Searcher(index_dir, auto_build=False) as searcher:
        expected = {q: _answers(searcher, q) for q in QUERIES}
    with Searcher(index_dir, auto_build=False) as searcher:  # a fresh one: its caches fill under load
        assert _hammer(searcher, expected) == ([], 0)


def test_a_searcher_shared_by_threads_follows_rebuilds_without_errors(tmp_path):
    index_dir = tmp_path / "ix"
    build_index(ARTICLES, index_dir)
    with Searcher(index_dir, auto_build=False) as searcher:
        expected = {q: _answers(searcher, q) for q in QUERIES}
    done = threading.Event()
    rebuilds = 0

    def rebuild() -> None:
        nonlocal rebuilds
        while not done.is_set():
            build_index(ARTICLES, index_dir, full=rebuilds % 2 == 0)
            rebuilds += 1

    builder = threading.Thread(target=rebuild)
    with Searcher(index_dir, auto_build=False) as searcher:
        builder.start()
        try:
            outcome = _hammer(searcher, expected)
        finally:
            done.set()
            builder.join()
    assert outcome == ([], 0)
    assert rebuilds >= 2
