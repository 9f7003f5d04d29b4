"""Nothing lost: a killed build, an old index, hostile files, and the same article twice."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faqindex import store
from indexer import build_index, sources
from indexer.sources import MAX_FILE_BYTES
from search import IndexCorruptError, QueryError, Searcher

QA = "What is ferritin?\n\nA protein that stores iron.\n\nWhat is MS?\n\nA disease of the nervous system.\n"


def _ranking(index_dir, query="ferritin OR disease OR iron"):
    with Searcher(index_dir, auto_build=False) as s:
        return [(h.id, h.score) for h in s.search(query)]


def test_kill_9_during_a_build_leaves_the_previous_index_searchable(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    before = _ranking(index_dir)
    generation = store.current_generation(index_dir)
    # Enough files that the build is still running when it is killed.
    for n in range(400):
        (root / f"more-{n:03d}.txt").write_text(f"Question number {n}?\n\n" + "Some answer text. " * 200)
    build = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--corpus", str(root), "--index", str(index_dir), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not list(index_dir.glob("building-*")) and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.01)
    time.sleep(0.2)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert build.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert store.current_generation(index_dir) == generation
    assert _ranking(index_dir) == before
    # The next build cleans up what the killed one left.
    (root / "more-000.txt").unlink()
    build_index(root, index_dir)
    assert not list(index_dir.glob("building-*"))


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_during_a_parallel_build_leaves_no_worker_and_no_lock(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    for n in range(600):
        (root / f"more-{n:03d}.txt").write_text(
            "\n\n".join(f"Question {n} {k}?\n\nSome answer text {k}. " + "More words here. " * 40 for k in range(5))
        )
    code = "import indexer.build as b, sys; b.writer_processes = lambda size: 2; b.build_index(sys.argv[1], sys.argv[2], full=True)"
    build = subprocess.Popen([sys.executable, "-c", code, str(root), str(index_dir)])
    deadline = time.monotonic() + 30
    while len(workers := _children(build.pid)) < 2 and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.01)
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert len(workers) == 2 and build.returncode == -signal.SIGKILL, "the build ended before it could be killed"
    deadline = time.monotonic() + 5
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(w) for w in workers), "indexing processes outlived the build"
    assert build_index(root, index_dir, lock_timeout=5).documents == 3002  # the lock went with them


def test_an_index_from_an_older_schema_is_detected_and_rebuilt(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    manifest_path = store.current_generation(index_dir) / store.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["schema_version"] = 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="another faqsearch version"):
        Searcher(index_dir, auto_build=False)
    with Searcher(index_dir) as s:  # knows its corpus: rebuilds
        assert s.built is not None and s.search("ferritin")


# Whoosh leaves the damaged file open when it fails to read it; that is its leak, not ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_truncated_index_files_are_detected(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    for path in store.current_generation(index_dir).glob("*.seg"):
        path.write_bytes(path.read_bytes()[:10])
    for path in store.current_generation(index_dir).glob("*.toc"):
        path.write_bytes(b"")
    with pytest.raises(IndexCorruptError, match="damaged"):
        Searcher(index_dir, auto_build=False).search("ferritin")


def test_symlink_loop_and_huge_file_are_reported_and_the_rest_indexed(write_corpus, tmp_path):
    root = write_corpus({"good.txt": QA})
    os.symlink(root / "loop-b", root / "loop-a")
    os.symlink(root / "loop-a", root / "loop-b")
    with open(root / "huge.txt", "wb") as handle:  # sparse: 50 MB without writing them
        handle.truncate(50 * 1024 * 1024)
    assert (root / "huge.txt").stat().st_size > MAX_FILE_BYTES
    stats = build_index(root, tmp_path / "ix")
    reasons = {f.name: f.skipped for f in stats.skipped_files}
    assert reasons["huge.txt"].startswith("too large")
    assert reasons["loop-a"].startswith("cannot read") and reasons["loop-b"].startswith("cannot read")
    assert stats.documents == 2


def test_unreadable_file_is_reported(write_corpus, tmp_path, monkeypatch):
    root = write_corpus({"good.txt": QA, "secret.txt": QA})
    (root / "secret.txt").chmod(0)
    if os.geteuid() == 0:  # root reads any file: make this one fail as it would for a user
        real = sources.read_bytes
        monkeypatch.setattr(
            sources,
            "read_bytes",
            lambda location, limit: (
                (_ for _ in ()).throw(PermissionError(13, "Permission denied"))
                if location.endswith("secret.txt")
                else real(location, limit)
            ),
        )
    stats = build_index(root, tmp_path / "ix")
    assert {f.name: f.skipped for f in stats.skipped_files}["secret.txt"] == "cannot read: Permission denied"
    assert stats.documents == 2


def test_nothing_touches_the_network(write_corpus, tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    root = write_corpus(
        {
            "a.html": "<html><head><link rel=stylesheet href='http://example.com/x.css'></head>"
            "<body><h2>What is ferritin?</h2><p>A protein <img src='http://example.com/i.png'>.</p></body></html>"
        }
    )
    with Searcher(tmp_path / "ix", corpus=root) as s:
        assert s.search("ferritin")[0].question == "What is ferritin?"


def test_a_search_over_its_time_budget_is_stopped_with_a_query_error(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    with Searcher(tmp_path / "ix", corpus=root, time_budget=0.0) as s, pytest.raises(QueryError, match="took longer than"):
        s.search("ferritin")


def test_the_same_article_twice_is_shown_once(write_corpus, tmp_path):
    root = write_corpus({"copy-1.txt": QA, "copy-2.txt": QA})
    with Searcher(tmp_path / "ix", corpus=root) as s:
        results = s.results("ferritin")
    assert [h.question for h in results.hits] == ["What is ferritin?"]
    assert results.hits[0].duplicates == ["copy-2.txt"]
    assert results.total == 1


def test_the_summary_says_when_two_files_hold_the_same_questions(write_corpus, tmp_path):
    root = write_corpus({"copy-1.txt": QA, "copy-2.txt": QA})
    stats = build_index(root, tmp_path / "ix")
    assert stats.documents == 4
    notes = {f.name: f.notes for f in stats.files}
    assert notes["copy-1.txt"] == [] and notes["copy-2.txt"] == ["2 questions with the same answer as in copy-1.txt"]


def test_a_damaged_index_the_corpus_check_cannot_see_is_rebuilt_on_search(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    for path in store.current_generation(index_dir).glob("*.toc"):
        path.write_bytes(b"")  # the corpus is unchanged: only opening the index tells
    with Searcher(index_dir) as s:
        assert s.built is not None and [h.question for h in s.search("ferritin")] == ["What is ferritin?"]
    gc.collect()  # a damaged table of contents is closed, not left to the collector (which would warn)


def test_damaged_deletion_statistics_are_reported_and_rebuilt(write_corpus, tmp_path, monkeypatch):
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)
    root = write_corpus({f"{name}.txt": QA.replace("ferritin", f"ferritin {name}") for name in "abcde"})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    (root / "b.txt").write_text(QA.replace("ferritin", "hepcidin"), encoding="utf-8")
    build_index(root, index_dir)
    removed = store.current_generation(index_dir) / "statistics.json"
    assert json.loads(removed.read_text())["deleted_documents"] == 2
    removed.write_text("{broken")
    with pytest.raises(IndexCorruptError, match="damaged"):
        Searcher(index_dir, auto_build=False)
    with Searcher(index_dir) as s:
        assert s.built is not None and [h.source for h in s.search("hepcidin")] == ["b.txt"]


def test_the_index_keeps_no_document_text_in_its_schema(write_corpus, tmp_path):
    # The schema is pickled into the index's table of contents; the spelling field must not
    # carry the last document it indexed (nor the build's word list) along.
    secret = "Zanzibarquux"
    root = write_corpus({"a.txt": f"What is ferritin?\n\nA protein, says {secret}.\n"})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    (toc,) = store.current_generation(index_dir).glob("*.toc")
    assert secret.lower().encode() not in toc.read_bytes().lower()


def test_a_truncated_segment_is_rebuilt_by_the_next_build_with_a_note(write_corpus, tmp_path):
    from click.testing import CliRunner

    from faqindex import store
    from search import cli

    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    index = tmp_path / "ix"
    build_index(root, index)
    for segment in store.current_generation(index).glob("*.seg"):
        with segment.open("r+b") as f:
            f.truncate(100)
    result = CliRunner().invoke(cli.main, ["index", "--index", str(index), "--corpus", str(root)])
    assert result.exit_code == 0, result.output
    assert "Note: the previous index was damaged" in result.stdout
    stats = build_index(root, index)  # and the rebuilt index reads as any other
    assert stats.documents == 1 and not stats.notes


def test_a_build_whose_indexing_processes_die_ends_in_one_line_and_keeps_the_index(write_corpus, tmp_path):
    # As on a full disk: Whoosh's parallel writer waited forever for processes that had died.
    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    index = tmp_path / "ix"
    build_index(root, index)
    big = "".join(f'{{"id": "d{i}", "question": "What is thing {i}?", "answer": "Thing {i} is tied."}}\n' for i in range(20_000))
    (root / "big.jsonl").write_text(big, encoding="utf-8")
    script = (
        "import os, sys\nfrom whoosh import multiproc\nfrom indexer import build, build_index\n"
        "from faqindex.errors import FaqsearchError\n"
        "build.PARALLEL_BYTES = 1\nbuild._cores = lambda: 2\n"
        "multiproc.SubWriterTask.run = lambda self: os._exit(1)  # every indexing process dies at once\n"
        f"try:\n    build_index({str(root)!r}, {str(index)!r}, lock_timeout=5)\n"
        "except FaqsearchError as exc:\n    print('ERROR', exc)\n    sys.exit(2)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2 and "an indexing process ended" in done.stdout, done.stdout + done.stderr
    with Searcher(index, auto_build=False) as searcher:  # the previous index, still searchable
        assert searcher.document_count == 1
    assert build_index(root, index).documents == 20_001  # and the lock was released
