"""Speed: the figures of benchmarks/RESULTS.md, each beside a reference measured in the same run.

    python -m benchmarks.run              # article + 10,000 generated documents (a few minutes)
    python -m benchmarks.run --large      # also 200,000 generated documents (much longer)

Measured (medians of repeated runs; machines are shared and noisy, so ratios matter more):
- cold CLI: `faqsearch search ferritin` on a built index, against the import floor
  `python -c "import whoosh.index, whoosh.qparser, whoosh.highlight, click, numpy"` (numpy: ranking by meaning);
- warm API: `Searcher.search` latency p50/p95 with highlighting and the default ranking: on
  the article, its judged queries (benchmarks/article/queries.jsonl, what readers type), five
  passes after a first one (whose figures are shown too: each query new to the open index); on
  the generated corpora, a fixed, seeded mix of 1 to 4 words of mixed frequency, and the
  judged whole questions (the generated text shares the article's vocabulary);
- build: documents per second, index size and peak memory, in a fresh process each (SciFact's
  abstracts too, when `--data` holds them: real long texts);
- staleness check: has a corpus of 1,000 files changed since the index was built?
- update: the index brought up to date after one of those 1,000 files was edited, against
  a full rebuild, and whether both give the same top 10 for the query mix;
- SQLite FTS5 (standard library; porter tokenizer, bm25 with the same field weights,
  snippet()) on the same documents and queries, as the side-by-side reference.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate, vocabulary
from corpus import ARTICLES

REPEATS = 7
REPO = Path(__file__).resolve().parent.parent


def median_seconds_pair(*commands: tuple[list[str], dict | None], repeats: int = 3 * REPEATS) -> list[float]:
    """Median wall time of each command, run in turn (so a busy moment costs both alike)."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for samples, (command, env) in zip(times, commands):
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
            samples.append(time.perf_counter() - started)
    return [statistics.median(samples) for samples in times]


def installed_cli(workdir: Path) -> tuple[list[str], str]:
    """faqsearch as a user installs it (`pip install .` into a new virtual environment):
    its command line, and that environment's Python for the import floor.

    Not the development environment: its editable install adds an import hook, and its
    test and lint tools add startup work, which would be measured as faqsearch's. Falls
    back to the `faqsearch` on PATH and this Python when the environment cannot be made
    (no package index, say).
    """
    venv = workdir / "venv"
    python = venv / "bin" / "python"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, check=False)
    if made.returncode == 0:
        made = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(REPO)], capture_output=True, check=False)
    if made.returncode == 0:
        return [str(venv / "bin" / "faqsearch")], str(python)
    print("note: could not install faqsearch into a new environment; timing the faqsearch on PATH", file=sys.stderr)
    faqsearch = shutil.which("faqsearch")
    return ([faqsearch] if faqsearch else [sys.executable, "-m", "search"]), sys.executable


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


JUDGED = Path(__file__).resolve().parent / "article" / "queries.jsonl"


def judged_queries(categories: tuple[str, ...] | None = None) -> list[str]:
    """The text of the article's judged queries (of some categories only, when given): what
    its readers type, the article's latency mix."""
    rows = [json.loads(line) for line in JUDGED.read_text(encoding="utf-8").splitlines()]
    return [row["text"] for row in rows if categories is None or row["category"] in categories]


def whole_questions() -> list[str]:
    """The judged whole questions in a patient's words (answerable or not): the natural
    questions mix for the generated corpora, which share the article's vocabulary."""
    return judged_queries(("question", "unanswerable"))


def query_mix(count: int = 200, seed: int = 11) -> list[str]:
    """1 to 4 words each, drawn from the whole frequency range of the vocabulary."""
    rng = random.Random(seed)
    words = vocabulary()
    return [" ".join(rng.choice(words[: rng.choice([20, 200, len(words)])]) for _ in range(rng.randint(1, 4))) for _ in range(count)]


def build_in_fresh_process(corpus: Path, index_dir: Path) -> dict:
    """Build in a child process; return its seconds, documents and peak memory (MiB).

    The peak is the largest memory (proportional set size) of the build process and the
    indexing processes it starts together, sampled every 200 ms.
    """
    code = (
        "import json, sys, time\n"
        "from indexer import build_index\n"
        "t = time.perf_counter(); stats = build_index(sys.argv[1], sys.argv[2])\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'documents': stats.documents}))\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(corpus), str(index_dir)], stdout=subprocess.PIPE, text=True)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(child.pid))
        time.sleep(0.2)  # reading a process's memory map costs CPU the build would use
    out, _ = child.communicate()
    if child.returncode:
        raise SystemExit(f"the build of {corpus} failed (exit {child.returncode})")
    result = json.loads(out)
    result["peak_mib"] = peak / 2**20
    result["size_mib"] = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 2**20
    return result


def _tree_rss(root: int) -> int:
    """Memory of process `root` and all its descendants, in bytes (Linux /proc).

    Proportional set size: a page shared by forked processes counts once in all, not once
    per process as resident sizes would.
    """
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", "rb") as f:
                    pending.extend(int(child) for child in f.read().split())
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total


def warm_latency(index_dir: Path, queries: list[str], *, semantic: bool = False) -> tuple[float, float]:
    """p50 and p95 milliseconds of a search (highlights on), after 20 to warm caches: each
    query once, most of them meeting the open index's caches for the first time."""
    return repeated_latency(index_dir, queries, rounds=0, semantic=semantic)[1]


def repeated_latency(
    index_dir: Path, queries: list[str], *, rounds: int, semantic: bool = False
) -> tuple[tuple[float, float], tuple[float, float]]:
    """p50/p95 milliseconds of a search (highlights on) over `rounds` passes of `queries`
    after a first pass, and p50/p95 of that first pass (after 20 searches to open the
    index's files: each query's words met for the first time by the open index)."""
    from search import Searcher

    with Searcher(index_dir, auto_build=False, semantic=semantic) as searcher:
        for query in queries[:20]:
            searcher.search(query)  # warm caches
        passes: list[list[float]] = []
        for _ in range(1 + rounds):
            samples = []
            for query in queries:
                started = time.perf_counter()
                searcher.search(query, limit=10)
                samples.append((time.perf_counter() - started) * 1000)
            passes.append(samples)
    repeated = [sample for samples in passes[1:] for sample in samples]
    return (percentiles(repeated) if repeated else (0.0, 0.0)), percentiles(passes[0])


_FTS5_BUILDS: dict[Path, tuple[float, int]] = {}  # database → (build seconds, documents), built once a run


def fts5(corpus: Path, queries: list[str], workdir: Path) -> dict:
    """The same documents in SQLite FTS5: build time, and query latency with snippets (the
    database of a corpus is built once a run and reused for its other query mixes)."""
    db_path = workdir / f"fts5-{corpus.name}.db"
    if db_path not in _FTS5_BUILDS:
        from faqindex.scan import scan
        from indexer.sources import read_file

        documents = [doc for entry in scan(corpus) for doc in read_file(entry).documents]
        db_path.unlink(missing_ok=True)
        started = time.perf_counter()
        db = sqlite3.connect(db_path)
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(question, answer, tokenize='porter')")
        db.executemany("INSERT INTO docs VALUES (?, ?)", [("\n".join(d.questions), d.answer) for d in documents])
        db.commit()
        db.close()
        _FTS5_BUILDS[db_path] = (time.perf_counter() - started, len(documents))
    build, count = _FTS5_BUILDS[db_path]
    db = sqlite3.connect(db_path)
    samples = []
    sql = (
        "SELECT rowid, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs WHERE docs MATCH ? "
        "ORDER BY bm25(docs, 0.5, 1.0) LIMIT 10"
    )
    for query in queries:
        match = " OR ".join(f'"{w}"' for w in query.replace('"', " ").split())
        started = time.perf_counter()
        db.execute(sql, (match,)).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    db.close()
    latency = percentiles(samples) if samples else (0.0, 0.0)
    return {"build_seconds": build, "documents": count, "latency": latency, "size_mib": db_path.stat().st_size / 2**20}


def plain_whoosh(corpus: Path, queries: list[str], workdir: Path) -> tuple[float, float]:
    """The same documents and queries in Whoosh with its defaults (StemmingAnalyzer, a
    QueryParser over question and answer, BM25F, top 10 with highlights): p50/p95 ms.

    What the mandated library takes by itself for a search, before anything faqsearch adds.
    """
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup

    from faqindex.scan import scan
    from indexer.sources import read_file

    schema = Schema(id=ID(stored=True), question=TEXT(StemmingAnalyzer(), stored=True), answer=TEXT(StemmingAnalyzer(), stored=True))
    folder = workdir / f"whoosh-{corpus.name}"
    folder.mkdir()
    ix = index.create_in(str(folder), schema)
    with ix.writer(limitmb=256) as writer:
        for entry in scan(corpus):
            for doc in read_file(entry).documents:
                writer.add_document(id=doc.id, question="\n".join(doc.questions), answer=doc.answer)
    parser = MultifieldParser(["question", "answer"], schema, group=OrGroup)
    samples = []
    with ix.searcher() as searcher:
        for n, query in enumerate(queries[:20] + queries):
            started = time.perf_counter()
            for hit in searcher.search(parser.parse(query), limit=10):
                hit.highlights("answer")
            if n >= 20:  # the first 20 warm the caches
                samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def matching_floor(index_dir: Path, queries: list[str]) -> tuple[float, float]:
    """p50/p95 ms of only listing the documents each query matches, unscored (no ranking,
    no highlights): the least any search that looks at every match costs in Whoosh."""
    from search import Searcher

    samples = []
    with Searcher(index_dir, auto_build=False) as searcher, searcher.reading() as whoosh_searcher:
        for query in queries:
            prepared = searcher.prepare(query)
            started = time.perf_counter()
            for _ in whoosh_searcher.docs_for_query(prepared.query):
                pass
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def thousand_files(workdir: Path, queries: list[str]) -> list[tuple[str, str, str, str]]:
    """1,000 files of 10 questions: the staleness check, and updating the index after one edit."""
    from indexer import build_index
    from search import Searcher

    corpus = workdir / "files-1000"
    generate(10_000, corpus, per_file=10)
    index_dir = workdir / "index-1000"
    build_in_fresh_process(corpus, index_dir)
    # In a new process, as a command-line search makes the check (this one holds the large
    # indexes' objects by now, and the collector's passes over them would be measured too).
    code = (
        "import json, statistics, sys, time\n"
        "from pathlib import Path\n"
        "from faqindex import store\n"
        "from faqindex.scan import scan\n"
        "index_dir, corpus, checks, walks = Path(sys.argv[1]), Path(sys.argv[2]), [], []\n"
        f"for _ in range({3 * REPEATS}):\n"
        "    t = time.perf_counter(); assert not store.is_stale(index_dir, corpus); checks.append(time.perf_counter() - t)\n"
        "    t = time.perf_counter(); scan(corpus); walks.append(time.perf_counter() - t)\n"
        "print(json.dumps([statistics.median(checks) * 1000, statistics.median(walks) * 1000]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(index_dir), str(corpus)], capture_output=True, text=True, check=True)
    check, walk = json.loads(out.stdout)
    edited = corpus / "article-00500.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nWhat changed here?\n\nAn edited answer.\n", encoding="utf-8")
    started = time.perf_counter()
    build_index(corpus, index_dir)
    update = time.perf_counter() - started
    full = build_in_fresh_process(corpus, workdir / "index-1000-full")
    with Searcher(index_dir, auto_build=False) as a, Searcher(workdir / "index-1000-full", auto_build=False) as b:
        same = sum(
            [(h.id, h.score) for h in a.search(q, highlight=False)] == [(h.id, h.score) for h in b.search(q, highlight=False)]
            for q in queries
        )
    return [
        ("staleness check (1,000 files)", f"{check:.1f} ms", f"the corpus walk alone {walk:.1f} ms", f"{check / walk:.1f}x"),
        (
            "update after editing 1 of 1,000 files",
            f"{update:.2f} s",
            f"full rebuild {full['seconds']:.1f} s",
            f"{update / full['seconds']:.3f}x",
        ),
        ("  same top 10 (ids and scores) as the full rebuild", f"{same} of {len(queries)} queries", "", ""),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help="also measure 200,000 generated documents")
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data", help="where SciFact is (its build is timed when it is there)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sizes = [10_000] + ([200_000] if args.large else [])
    queries = query_mix()
    rows: list[tuple[str, str, str, str]] = _Rows()
    with tempfile.TemporaryDirectory(prefix="faqsearch-bench-") as tmp:
        work = Path(tmp)
        article_index = work / "article-index"
        built = build_in_fresh_process(ARTICLES, article_index)
        cli, python = installed_cli(work)
        cold, floor = median_seconds_pair(
            ([*cli, "search", "--index", str(article_index), "--corpus", str(ARTICLES), "ferritin"], None),
            ([python, "-c", "import whoosh.index, whoosh.qparser, whoosh.highlight, click, numpy"], None),
        )
        rows.append(("cold CLI search (article)", f"{cold * 1000:.0f} ms", f"import floor {floor * 1000:.0f} ms", f"{cold / floor:.2f}x"))
        judged = judged_queries()
        (p50, p95), (first50, first95) = repeated_latency(article_index, judged, rounds=5)
        reference = fts5(ARTICLES, judged, work)
        rows.append(
            (
                f"warm search p50/p95 (article, its {len(judged)} judged queries)",
                f"{p50:.2f} / {p95:.2f} ms",
                f"FTS5 {reference['latency'][0]:.2f} / {reference['latency'][1]:.2f} ms",
                f"{p50 / reference['latency'][0]:.1f}x",
            )
        )
        rows.append(("  each query the first time (the first pass)", f"{first50:.2f} / {first95:.2f} ms", "", ""))
        plain = plain_whoosh(ARTICLES, judged, work)
        rows.append(("  reference: plain Whoosh, same queries", "", f"{plain[0]:.2f} / {plain[1]:.2f} ms", f"{p50 / plain[0]:.1f}x"))
        rows.append(
            (
                "build (article)",
                f"{built['documents'] / built['seconds']:.0f} docs/s, {built['size_mib']:.1f} MiB, peak {built['peak_mib']:.0f} MiB",
                f"FTS5 {reference['build_seconds'] * 1000:.0f} ms",
                "",
            )
        )
        scifact = args.data / "scifact"
        if scifact.is_dir():
            built = build_in_fresh_process(scifact, work / "scifact-index")
            reference = fts5(scifact, [], work)
            rows.append(
                (
                    f"build (SciFact, {built['documents']:,} documents of real abstracts)",
                    f"{built['seconds']:.1f} s, {built['documents'] / built['seconds']:.0f} docs/s, "
                    f"{built['size_mib']:.0f} MiB, peak {built['peak_mib']:.0f} MiB",
                    f"FTS5 {reference['build_seconds']:.1f} s",
                    f"{built['seconds'] / reference['build_seconds']:.0f}x",
                )
            )
        for size in sizes:
            corpus = work / f"corpus-{size}"
            generate(size, corpus)
            index_dir = work / f"index-{size}"
            built = build_in_fresh_process(corpus, index_dir)
            reference = fts5(corpus, queries, work)
            rows.append(
                (
                    f"build ({size:,} docs)",
                    f"{built['seconds']:.1f} s, {built['documents'] / built['seconds']:.0f} docs/s, "
                    f"{built['size_mib']:.0f} MiB, peak {built['peak_mib']:.0f} MiB",
                    f"FTS5 {reference['build_seconds']:.1f} s, {reference['size_mib']:.0f} MiB",
                    f"{built['seconds'] / reference['build_seconds']:.0f}x",
                )
            )
            p50, p95 = warm_latency(index_dir, queries)
            rows.append(
                (
                    f"warm search p50/p95 ({size:,} docs, 1 to 4 words)",
                    f"{p50:.1f} / {p95:.1f} ms",
                    f"FTS5 {reference['latency'][0]:.1f} / {reference['latency'][1]:.1f} ms",
                    f"{p50 / reference['latency'][0]:.1f}x",
                )
            )
            questions = whole_questions()
            p50q, p95q = warm_latency(index_dir, questions)
            natural = fts5(corpus, questions, work)
            rows.append(
                (
                    f"warm search p50/p95 ({size:,} docs, {len(questions)} whole questions)",
                    f"{p50q:.1f} / {p95q:.1f} ms",
                    f"FTS5 {natural['latency'][0]:.1f} / {natural['latency'][1]:.1f} ms",
                    f"{p50q / natural['latency'][0]:.1f}x",
                )
            )
            floor50, floor95 = matching_floor(index_dir, queries)
            rows.append(("  reference: listing the matches, unscored", "", f"{floor50:.1f} / {floor95:.1f} ms", f"{p50 / floor50:.1f}x"))
        rows.extend(thousand_files(work, queries))
    print(f"\n(measured in {(time.perf_counter() - started) / 60:.1f} minutes)")
    widths = [max(len(r[i]) for r in [*rows, ("what", "faqsearch", "reference", "ratio")]) for i in range(4)]
    for row in [("what", "faqsearch", "reference", "ratio"), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


class _Rows(list):
    """The table's rows, each also printed as soon as it is measured (a long run keeps its figures)."""

    started = time.perf_counter()

    def append(self, row: tuple[str, str, str, str]) -> None:
        elapsed = time.perf_counter() - self.started
        print(" | ".join(cell for cell in row if cell) + f"  [{elapsed:.0f} s]", flush=True)
        super().append(row)

    def extend(self, rows) -> None:
        for row in rows:
            self.append(row)


if __name__ == "__main__":
    sys.exit(main())
