"""A bounded load test of `faqsearch serve`, on 127.0.0.1 only.

32 clients search for 30 s (the article's judged queries, each client on its own
keep-alive connection) while the index is rebuilt twice by another process. It prints the
requests done, p50/p99 latency, errors (any answer but 200, or no answer) and wrong
answers: a first hit that is not the first hit of any of the three versions of the index
the server could have been reading (each computed beforehand in its own index).

    python -m benchmarks.load [--clients 32] [--seconds 30] [--pathological]

With --pathological, one more client sends only a query built to be slow (a fuzzy term of
200 letters, two edits away: 50 s before the budget held in every phase), and another asks
/healthz every 100 ms; their answers and /healthz's worst time are reported apart.

Needs the serve extra (pip install '.[serve]').
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from corpus import ARTICLES

from .run import judged_queries, percentiles

HOST = "127.0.0.1"  # never anything else: this is a load test of the local machine
EXTRA = "extra.txt"


def version(n: int) -> str:
    """The text of the extra corpus file in version `n` (each rebuild adds one question)."""
    questions = "".join(f"\nIs placeholder {i} a real question?\n\nNo, placeholder {i} only changes the index.\n" for i in range(n + 1))
    return f"Extra\n{questions}"


def expected_answers(corpus: Path, work: Path, queries: list[str], versions: int) -> dict[str, set[str]]:
    """For each query, the first hit's id in each version of the corpus."""
    from indexer import build_index
    from search import Searcher

    answers: dict[str, set[str]] = {q: set() for q in queries}
    for n in range(versions):
        (corpus / EXTRA).write_text(version(n), encoding="utf-8")
        build_index(corpus, work / f"expected-{n}")
        with Searcher(work / f"expected-{n}", auto_build=False) as searcher:
            for query in queries:
                hits = searcher.search(query, limit=1, highlight=False)
                answers[query].add(hits[0].id if hits else "")
    return answers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


class Client(threading.Thread):
    """Searches until `stop`, noting each request's latency and outcome."""

    def __init__(self, port: int, queries: list[str], answers: dict[str, set[str]], stop: threading.Event, seed: int) -> None:
        super().__init__(daemon=True)
        self.port, self.queries, self.answers, self.stop = port, queries, answers, stop
        self.random = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.wrong: list[str] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        while not self.stop.is_set():
            query = self.random.choice(self.queries)
            started = time.perf_counter()
            try:
                connection.request("GET", f"/api/search?{urllib.parse.urlencode({'q': query, 'limit': 10})}")
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
                continue
            self.latencies.append(time.perf_counter() - started)
            if response.status != 200:
                self.errors.append(f"HTTP {response.status}: {body[:200]!r}")
                continue
            hits = json.loads(body)["hits"]
            if (hits[0]["id"] if hits else "") not in self.answers[query]:
                self.wrong.append(query)
        connection.close()


PATHOLOGICAL = "q" * 200 + "~2"


class Prober(threading.Thread):
    """Sends one request again and again until `stop`, noting each one's time and status."""

    def __init__(self, port: int, target: str, stop: threading.Event, pause: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.port, self.target, self.stop, self.pause = port, target, stop, pause
        self.times: list[float] = []
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
            started = time.perf_counter()
            try:
                connection.request("GET", self.target)
                response = connection.getresponse()
                response.read()
                self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            except (OSError, http.client.HTTPException):
                self.statuses[0] = self.statuses.get(0, 0) + 1
            self.times.append(time.perf_counter() - started)
            connection.close()
            self.stop.wait(self.pause)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pathological", action="store_true", help="one client sends a slow query; /healthz is timed")
    args = parser.parse_args()
    queries = judged_queries()
    with tempfile.TemporaryDirectory(prefix="faqsearch-load-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        for path in ARTICLES.iterdir():
            if path.is_file():
                shutil.copy(path, corpus / path.name)
        answers = expected_answers(corpus, work, queries, versions=3)
        (corpus / EXTRA).write_text(version(0), encoding="utf-8")
        index = work / "index"
        faqsearch = [sys.executable, "-m", "search"]
        subprocess.run([*faqsearch, "index", "--quiet", "--corpus", str(corpus), "--index", str(index)], check=True)
        port = free_port()
        server = subprocess.Popen(
            [*faqsearch, "serve", "--host", HOST, "--port", str(port), "--index", str(index), "--corpus", str(corpus)],
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port)
            stop = threading.Event()
            clients = [Client(port, queries, answers, stop, seed) for seed in range(args.clients)]
            probers = []
            if args.pathological:
                probers = [
                    Prober(port, f"/api/search?{urllib.parse.urlencode({'q': PATHOLOGICAL})}", stop),
                    Prober(port, "/healthz", stop, pause=0.1),
                ]
            started = time.perf_counter()
            for client in [*clients, *probers]:
                client.start()
            rebuilds = []
            for n in (1, 2):  # at a third and two thirds of the run
                time.sleep(max(0.0, started + args.seconds * n / 3 - time.perf_counter()))
                (corpus / EXTRA).write_text(version(n), encoding="utf-8")
                began = time.perf_counter()
                subprocess.run([*faqsearch, "index", "--quiet", "--corpus", str(corpus), "--index", str(index)], check=True)
                rebuilds.append(time.perf_counter() - began)
            time.sleep(max(0.0, started + args.seconds - time.perf_counter()))
            stop.set()
            for client in [*clients, *probers]:
                client.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies = [t * 1000 for c in clients for t in c.latencies]
    errors = [e for c in clients for e in c.errors]
    wrong = [w for c in clients for w in c.wrong]
    ordered = sorted(latencies)
    p50 = percentiles(latencies)[0] if latencies else float("nan")
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    print(f"{args.clients} clients for {elapsed:.1f} s on {HOST}, {len(queries)} judged queries, "
          f"2 rebuilds by another process ({', '.join(f'{r:.2f} s' for r in rebuilds)})")
    print(f"requests: {len(latencies) + len(errors)} ({len(latencies) / elapsed:.0f}/s)")
    print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"wrong answers: {len(wrong)}" + (f" (first: {wrong[0]!r})" if wrong else ""))
    if probers:
        slow, health = probers
        print(f"the slow query: {len(slow.times)} requests, statuses {slow.statuses}, worst {max(slow.times) * 1000:.0f} ms")
        print(f"/healthz: {len(health.times)} requests, statuses {health.statuses}, worst {max(health.times) * 1000:.1f} ms")
    return 1 if errors or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
