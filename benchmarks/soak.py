"""Soak: searches keep working, and keep giving the same answers, while the index is rebuilt.

Four processes search in a loop, and eight threads of a fifth process share one Searcher
(as a web server's workers do), while another process rebuilds the same corpus in a loop (a
full build and an update in turn); after the time is up, one more rebuild is killed with
SIGKILL and the searchers check again. Every search must succeed (errors: 0) and return the
ranking measured before the soak began (wrong answers: 0). Not part of the test suite: it
runs for a minute.

    python -m benchmarks.soak [--seconds 60] [--searchers 4] [--threads 8]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import ARTICLES

QUERIES = ["iron", "ferritin levels", "is there a blood test for ms", "spinal tap", "hemoglobni", "MRI lesions"]


def rankings(index_dir: Path) -> dict[str, list[str]]:
    from search import Searcher

    with Searcher(index_dir, auto_build=False) as searcher:
        return {q: [h.id for h in searcher.search(q, highlight=False)] for q in QUERIES}


def one_blas_thread() -> None:
    """Each searching process takes one BLAS thread, as `faqsearch serve` gives each search
    (threadpoolctl, the serve extra): five processes with one per core each would put ten
    busy threads on two cores while the sentence model embeds queries."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


def searcher_loop(index_dir: Path, expected: dict[str, list[str]], until: float, out: mp.Queue) -> None:
    from search import Searcher

    one_blas_thread()
    done = errors = wrong = 0
    with Searcher(index_dir, auto_build=False) as searcher:  # long-lived: must follow each swap
        while time.monotonic() < until:
            for query in QUERIES:
                try:
                    ids = [h.id for h in searcher.search(query)]
                except Exception as exc:  # noqa: BLE001 - anything at all counts as an error
                    errors += 1
                    print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
                    continue
                done += 1
                wrong += ids != expected[query]
    out.put((done, errors, wrong))


def threads_loop(index_dir: Path, expected: dict[str, list[str]], until: float, threads: int, out: mp.Queue) -> None:
    """`threads` threads searching through one shared Searcher."""
    import threading

    from search import Searcher

    one_blas_thread()
    counts = [[0, 0, 0] for _ in range(threads)]  # done, errors, wrong: one row per thread

    def run(row: list[int]) -> None:
        while time.monotonic() < until:
            for query in QUERIES:
                try:
                    ids = [h.id for h in shared.search(query)]
                except Exception as exc:  # noqa: BLE001 - anything at all counts as an error
                    row[1] += 1
                    print(f"error (thread): {type(exc).__name__}: {exc}", file=sys.stderr)
                    continue
                row[0] += 1
                row[2] += ids != expected[query]

    with Searcher(index_dir, auto_build=False) as shared:
        workers = [threading.Thread(target=run, args=(row,)) for row in counts]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    out.put(tuple(sum(row[i] for row in counts) for i in range(3)))


def rebuild(corpus: Path, index_dir: Path, *, full: bool = True) -> subprocess.Popen:
    extra = ["--full"] if full else []
    return subprocess.Popen(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus), "--index", str(index_dir), "-q", *extra],
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--searchers", type=int, default=4, help="searching processes, each with its own Searcher")
    parser.add_argument("--threads", type=int, default=8, help="threads of one more process, sharing one Searcher")
    args = parser.parse_args()
    from indexer import build_index

    with tempfile.TemporaryDirectory(prefix="faqsearch-soak-") as tmp:
        index_dir = Path(tmp) / "index"
        build_index(ARTICLES, index_dir)
        expected = rankings(index_dir)
        results: mp.Queue = mp.Queue()
        until = time.monotonic() + args.seconds
        workers = [
            mp.Process(target=searcher_loop, args=(index_dir, expected, until, results)) for _ in range(args.searchers)
        ]
        shared = mp.Process(target=threads_loop, args=(index_dir, expected, until, args.threads, results))
        for worker in workers:
            worker.start()
        shared.start()
        rebuilds = failed_rebuilds = 0
        while time.monotonic() < until:
            code = rebuild(ARTICLES, index_dir, full=rebuilds % 2 == 0).wait()  # full builds and updates in turn
            rebuilds += 1
            failed_rebuilds += code != 0
        killed = rebuild(ARTICLES, index_dir)
        time.sleep(0.05)
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        totals = [results.get() for _ in range(len(workers) + 1)]  # the order they finish in
        for worker in [*workers, shared]:
            worker.join()
        after_kill = rankings(index_dir) == expected
    done, errors, wrong = (sum(t[i] for t in totals) for i in range(3))
    print(
        f"{args.seconds:.0f} s, {args.searchers} searching processes and {args.threads} threads sharing one Searcher, "
        f"{rebuilds} rebuilds ({failed_rebuilds} failed), 1 killed with SIGKILL"
    )
    print(f"searches done: {done}  errors: {errors}  wrong answers: {wrong}")
    print(f"same answers after the killed rebuild: {'yes' if after_kill else 'NO'}")
    return 0 if not (errors or wrong or failed_rebuilds) and after_kill else 1


if __name__ == "__main__":
    sys.exit(main())
