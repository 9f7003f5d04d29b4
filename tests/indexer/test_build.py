"""Building an index: stats, generations swapped atomically, one builder at a time."""

from __future__ import annotations

import fcntl

import pytest

from indexer import build_index
from search import CorpusError, IndexBusyError, Searcher, store

QA = "What is ferritin?\n\nA protein that stores iron.\n\nWhat is MS?\n\nA disease of the nervous system.\n"


def test_build_reports_files_documents_and_skips(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA, "b.txt": "", "c.doc": "x"})
    stats = build_index(root, tmp_path / "ix")
    assert stats.documents == 2
    assert [f.name for f in stats.indexed_files] == ["a.txt"]
    assert {f.name: f.skipped for f in stats.skipped_files} == {"b.txt": "empty file", "c.doc": "unsupported file type .doc"}
    manifest = store.load_manifest(tmp_path / "ix")
    assert set(manifest.files) == {"a.txt", "b.txt"} and manifest.documents == 2


def test_rebuild_swaps_generations_and_keeps_ids(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    first = store.current_generation(index_dir)
    ids = [h.id for h in Searcher(index_dir, auto_build=False).search("ferritin OR disease")]
    build_index(root, index_dir)
    second = store.current_generation(index_dir)
    assert second != first and first.exists()  # the previous generation stays for open searchers
    assert [h.id for h in Searcher(index_dir, auto_build=False).search("ferritin OR disease")] == ids
    build_index(root, index_dir)
    assert not first.exists()  # but no older ones
    assert len(list(index_dir.glob("gen-*"))) == 2


def test_leftovers_of_a_killed_build_are_removed(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    (index_dir / "building-123-456").mkdir(parents=True)
    (index_dir / "building-123-456" / "junk").write_text("half an index")
    build_index(root, index_dir)
    assert not list(index_dir.glob("building-*"))


def test_a_second_build_waits_then_gives_up_with_a_clear_error(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    before = store.current_generation(index_dir)
    with open(index_dir / store.LOCK, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(IndexBusyError, match="another faqsearch build is running"):
            build_index(root, index_dir, lock_timeout=0.2)
    assert store.current_generation(index_dir) == before


def test_missing_corpus_is_an_error_and_leaves_the_index_alone(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    before = store.current_generation(index_dir)
    with pytest.raises(CorpusError, match="corpus not found"):
        build_index(tmp_path / "nope", index_dir)
    assert store.current_generation(index_dir) == before
    assert len(Searcher(index_dir, auto_build=False).search("ferritin")) == 1


def test_progress_is_reported_per_file(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA, "b.txt": QA})
    calls = []
    build_index(root, tmp_path / "ix", progress=lambda done, total, name: calls.append((done, total, name)))
    assert calls == [(1, 2, "a.txt"), (2, 2, "b.txt")]
