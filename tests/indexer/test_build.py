"""Building an index: stats, generations swapped atomically, one builder at a time."""

from __future__ import annotations

import fcntl
import os

import pytest

from faqindex import store
from faqindex.statistics import Statistics
from indexer import build_index
from search import CorpusError, FaqsearchError, IndexBusyError, Searcher

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
    build_index(root, index_dir)
    killed = index_dir / "building-123-456"
    killed.mkdir()
    (killed / ".faqsearch-generation").touch()  # what every build writes first
    (killed / "junk").write_text("half an index")
    (index_dir / "building-124-457").mkdir()  # killed before it could mark the folder
    (index_dir / ".CURRENT.999.tmp").write_text("gen-1")
    build_index(root, index_dir)
    assert not list(index_dir.glob("building-*")) and not list(index_dir.glob(".*.tmp"))


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


def _article(n: int, extra: str = "") -> str:
    return (
        f"Article {n}\n\nWhat is ferritin in case {n}?\n\nFerritin stores iron; case {n} {extra}.\n\n"
        f"Can MS lesions heal in case {n}?\n\nLesions in multiple sclerosis (MS) may shrink, case {n}.\n"
    )


# Plain words, and the searches that read the index's word list: typos, fuzzy terms, prefixes.
QUERIES = ("ferritin", "iron case 3", "ms lesions", "multiple sclerosis", "case 12", "shrink",
           "feritin", "lesoins heal", "sclerosus~2", "ferr*", "shri*")


def _rankings(index_dir, queries=QUERIES):
    with Searcher(index_dir, auto_build=False) as s:
        found = {}
        for q in queries:
            results = s.results(q, limit=50, highlight=False)
            found[q] = (results.corrected_query, [(h.id, h.score) for h in results.hits])
        return found


def test_an_update_reads_only_changed_files_and_equals_a_full_build(write_corpus, tmp_path):
    root = write_corpus({f"a{n:02d}.txt": _article(n) for n in range(30)})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    (root / "a03.txt").write_text(_article(3, "and now also hemoglobin"), encoding="utf-8")
    (root / "a07.txt").unlink()
    (root / "new.txt").write_text(_article(99), encoding="utf-8")
    stats = build_index(root, index_dir)
    assert sorted(f.name for f in stats.files) == ["a03.txt", "new.txt"]
    assert stats.unchanged == 28 and stats.removed == ["a07.txt"]
    assert stats.documents == 60 and stats.acronyms == {"MS": ["multiple sclerosis"]}
    full = build_index(root, tmp_path / "full", full=True)
    assert full.unchanged == 0 and len(full.files) == 30
    assert _rankings(index_dir) == _rankings(tmp_path / "full")
    with Searcher(index_dir, auto_build=False) as s:
        assert [h.source for h in s.search("hemoglobin")] == ["a03.txt"]
        assert all(h.source != "a07.txt" for h in s.search("case 7"))


def test_an_update_of_the_first_file_keeps_the_word_list_of_the_others(write_corpus, tmp_path):
    # Whoosh files every spelling word under a segment's first document: replacing that
    # document lost the whole list, and typo correction and fuzzy terms with it.
    root = write_corpus({"a.txt": "What is a zebra?\n\nA striped animal.\n", **{f"b{n}.txt": _article(n) for n in range(3)}})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    (root / "a.txt").write_text("What is a zebra?\n\nA striped horse.\n", encoding="utf-8")
    assert build_index(root, index_dir).unchanged == 3
    full = tmp_path / "full"
    build_index(root, full, full=True)
    assert _rankings(index_dir) == _rankings(full)
    with Searcher(index_dir, auto_build=False) as s:
        assert s.results("feritin").corrected_query == "ferritin"
        assert s.search("sclerosus~2") and s.search("shri*")
        assert s.results("animl").corrected_query is None  # the replaced document's words are gone


def test_full_rebuild_when_asked_or_when_the_corpus_is_another(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    assert build_index(root, index_dir).unchanged == 1
    assert build_index(root, index_dir, full=True).unchanged == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text(QA, encoding="utf-8")
    assert build_index(other, index_dir).unchanged == 0


def test_several_processes_index_what_one_does(write_corpus, tmp_path, monkeypatch):
    root = write_corpus({f"a{n:02d}.txt": _article(n) for n in range(30)})
    build_index(root, tmp_path / "one")
    monkeypatch.setattr("indexer.build.writer_processes", lambda corpus_bytes: 2)
    monkeypatch.setattr("indexer.build.WORKER_BATCH", 10)
    stats = build_index(root, tmp_path / "two", full=True)
    assert stats.documents == 60
    assert len(list(store.current_generation(tmp_path / "two").glob("*.seg"))) == 2  # one segment per process
    assert _rankings(tmp_path / "two") == _rankings(tmp_path / "one")


def test_processes_follow_the_corpus_size():
    from indexer.build import MAX_PROCESSES, PARALLEL_BYTES, writer_processes

    assert writer_processes(PARALLEL_BYTES - 1) == 1
    assert 1 <= writer_processes(PARALLEL_BYTES) <= MAX_PROCESSES


def test_an_index_missing_documents_never_goes_live(write_corpus, tmp_path, monkeypatch):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    before = store.current_generation(index_dir)
    (root / "b.txt").write_text(QA.replace("ferritin", "transferrin"), encoding="utf-8")
    # As if a writer process died and its documents were lost: the manifest counts more than the index holds.
    from indexer import build

    real_finish = build._finish

    def losing(building, manifest, previous, meaning):
        manifest.documents += 1
        return real_finish(building, manifest, previous, meaning)

    monkeypatch.setattr(build, "_finish", losing)
    with pytest.raises(FaqsearchError, match="holds 4 documents instead of 5; the previous index is kept"):
        build_index(root, index_dir)
    assert store.current_generation(index_dir) == before
    assert not list(index_dir.glob("building-*"))


def test_an_update_that_keeps_deleted_documents_still_ranks_as_a_full_build(write_corpus, tmp_path, monkeypatch):
    # Large indexes are not merged whole on update: the replaced documents stay in Whoosh's
    # segments, marked deleted, and their share of the statistics is left out of the scores.
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)
    articles = {f"a{n:02d}.txt": _article(n) for n in range(30)}
    articles["a05.txt"] = _article(5, "with hyperferritinemia, hyperferritinemia again")
    root = write_corpus(articles)
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    (root / "a03.txt").write_text(_article(3, "and now also hemoglobin"), encoding="utf-8")
    (root / "a05.txt").write_text(_article(5), encoding="utf-8")
    (root / "a07.txt").unlink()
    build_index(root, index_dir)
    generation = store.current_generation(index_dir)
    statistics = Statistics.read(generation)
    assert statistics.deleted_documents == 6  # a03, a05 and a07: two questions each
    assert statistics.deleted_with("content", "hyperferritinemia") == 1
    assert statistics.documents == 58
    build_index(root, tmp_path / "full", full=True)
    assert _rankings(index_dir) == _rankings(tmp_path / "full")
    with Searcher(index_dir, auto_build=False) as s:
        # The word is gone with the old a05.txt: not a correction, not a match.
        assert s.results("hyperferritinemia").hits == []
        assert s.results("hyperferritinemla").corrected_query is None
        assert [h.source for h in s.search("hemoglobin")] == ["a03.txt"]


def test_an_update_merges_a_segment_once_most_of_it_is_deleted(write_corpus, tmp_path, monkeypatch):
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)
    root = write_corpus({f"a{n:02d}.txt": _article(n) for n in range(4)})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    for n in range(3):
        (root / f"a{n:02d}.txt").write_text(_article(n, "edited"), encoding="utf-8")
    build_index(root, index_dir)
    assert Statistics.read(store.current_generation(index_dir)).deleted_documents == 0


def test_a_build_does_not_hold_on_to_the_documents(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA, "b.txt": QA.replace("ferritin", "transferrin")})
    stats = build_index(root, tmp_path / "ix")
    assert [(f.name, f.documents, f.document_count, f.summary) for f in stats.files] == [
        ("a.txt", [], 2, "2 documents"),
        ("b.txt", [], 2, "2 documents; 1 question with the same answer as in a.txt"),
    ]


def test_an_update_never_writes_into_the_live_generation(write_corpus, tmp_path, monkeypatch):
    # A new generation links the old one's Whoosh files; its own files (signature, deletion
    # statistics, caches) must be new files, or writing them would change the live index.
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)
    root = write_corpus({f"a{n:02d}.txt": _article(n) for n in range(6)})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    Searcher(index_dir, auto_build=False).search("ferritin")  # leaves a thesaurus cache beside it
    (root / "a01.txt").write_text(_article(1, "edited"), encoding="utf-8")
    build_index(root, index_dir)
    first = store.current_generation(index_dir)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    assert Statistics.read(first).deleted_documents == 2
    for n in range(6):  # most of the big segment replaced: it is merged, nothing stays deleted
        (root / f"a{n:02d}.txt").write_text(_article(n, "again"), encoding="utf-8")
    build_index(root, index_dir)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    second = store.current_generation(index_dir)
    assert Statistics.read(second).deleted_documents == 0
    assert _rankings(index_dir) == _rankings_after_full_build(root, tmp_path / "full")


def _rankings_after_full_build(root, index_dir):
    build_index(root, index_dir, full=True)
    return _rankings(index_dir)


def test_an_update_with_several_processes_ranks_as_a_full_build(write_corpus, tmp_path, monkeypatch):
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)
    root = write_corpus({f"a{n:02d}.txt": _article(n) for n in range(30)})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    monkeypatch.setattr("indexer.build.writer_processes", lambda corpus_bytes: 2)
    monkeypatch.setattr("indexer.build.WORKER_BATCH", 4)
    for n in range(3, 13):
        (root / f"a{n:02d}.txt").write_text(_article(n, "and now also hemoglobin"), encoding="utf-8")
    (root / "a20.txt").unlink()
    stats = build_index(root, index_dir)
    assert len(stats.files) == 10 and stats.removed == ["a20.txt"] and stats.documents == 58
    assert Statistics.read(store.current_generation(index_dir)).deleted_documents == 22
    assert _rankings(index_dir) == _rankings_after_full_build(root, tmp_path / "full")
    with Searcher(index_dir, auto_build=False) as s:
        assert len(s.search("hemoglobin", limit=20)) == 10  # one question of each edited file


def test_an_update_of_long_answers_ranks_as_the_build_before_it(tmp_path):
    # Merging segments, Whoosh sums the stored (rounded) lengths of long fields instead of
    # the exact ones, so the average length moved and every score with it; the index's own
    # statistics keep it where a full build has it.
    from corpus import ARTICLES

    index_dir = tmp_path / "ix"
    build_index(ARTICLES, index_dir)
    queries = ("white spots on MRI", "iron", "MS ferritin", "is there a blood test for multiple sclerosis")
    before = _rankings(index_dir, queries)
    assert build_index(ARTICLES, index_dir).unchanged == 1  # an update: the index is merged again
    assert _rankings(index_dir, queries) == before


def test_a_dead_embedding_process_fails_the_build_and_keeps_the_previous_index(write_corpus, tmp_path, monkeypatch):
    from faqindex import embedding

    root = write_corpus({f"a{n}.txt": QA.replace("ferritin", f"ferritin{n}") for n in range(3)})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    before = store.current_generation(index_dir)
    (root / "a9.txt").write_text(QA.replace("ferritin", "transferrin"), encoding="utf-8")
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)  # the update adds a segment: two to embed
    monkeypatch.setattr(embedding, "PARALLEL_DOCUMENTS", 0)
    monkeypatch.setattr(embedding, "_embed_in_process", _killed)
    with pytest.raises(FaqsearchError, match="writing the documents' meaning ended before it finished"):
        build_index(root, index_dir)
    assert store.current_generation(index_dir) == before
    assert not list(index_dir.glob("building-*"))


def _killed(share):
    os._exit(9)  # as an embedding process the kernel killed for memory would end
