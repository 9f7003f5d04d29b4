"""Looking inside an index from the library: its documents, one document whole, its status."""

from __future__ import annotations

import time

import pytest

from indexer import build_index
from search import IndexMissingError, Searcher
from search.status import index_status

FIRST = """First article

What is ferritin?

Ferritin is a protein that stores iron in cells.

What does a ferritin test measure?

A ferritin blood test measures how much iron the body stores.

Can MS cause fatigue?

Fatigue is the commonest symptom of multiple sclerosis (MS).
"""

SECOND = """Second article

Is iron good for the brain?

The brain needs iron, but too much iron in the brain may harm nerve cells.
"""


@pytest.fixture
def corpus(write_corpus):
    return write_corpus({"first.txt": FIRST, "second.txt": SECOND})


def test_documents_are_listed_by_source_and_position(corpus, tmp_path):
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        listed = [(d.source, d.position, d.question) for d in searcher.documents()]
        assert listed == [
            ("first.txt", 1, "What is ferritin?"),
            ("first.txt", 2, "What does a ferritin test measure?"),
            ("first.txt", 3, "Can MS cause fatigue?"),
            ("second.txt", 1, "Is iron good for the brain?"),
        ]
        assert [d.question for d in searcher.documents("second.txt")] == ["Is iron good for the brain?"]
        assert searcher.documents("none.txt") == []


def test_a_document_is_shown_whole_with_the_closest_other_questions(corpus, tmp_path):
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        ferritin = next(d for d in searcher.documents() if d.question == "What is ferritin?")
        shown = searcher.document(ferritin.id)
        assert shown is not None
        assert shown.answer == "Ferritin is a protein that stores iron in cells."
        assert shown.source == "first.txt" and shown.title == "First article"
        related = [r.question for r in shown.related]
        assert ferritin.question not in related and len(related) == 3
        assert related[0] == "What does a ferritin test measure?"  # shares "ferritin" and its meaning
        assert searcher.document(ferritin.id, related=0).related == []
        assert searcher.document("no-such-id") is None


def test_the_status_says_what_the_index_holds_and_whether_it_is_stale(corpus, tmp_path):
    with pytest.raises(IndexMissingError):
        index_status(tmp_path / "ix")
    build_index(corpus, tmp_path / "ix")
    status = index_status(tmp_path / "ix")
    assert (status.documents, status.files, status.stale, status.corpus_exists) == (4, 2, False, True)
    assert status.corpus == str(corpus.resolve())
    assert status.acronyms == {"MS": ["multiple sclerosis"]}
    assert status.synonym_rules > 0 and status.size_bytes > 0 and status.built_at.endswith("+00:00")
    time.sleep(0.01)
    (corpus / "second.txt").write_text(SECOND + "\nIs iron stored?\n\nYes, as ferritin.\n", encoding="utf-8")
    assert index_status(tmp_path / "ix").stale is True


def test_related_questions_are_computed_at_index_time_and_kept_with_the_generation(corpus, tmp_path, monkeypatch):
    from faqindex import related, store

    build_index(corpus, tmp_path / "ix")
    assert (store.current_generation(tmp_path / "ix") / related.FILE).is_file()
    with Searcher(tmp_path / "ix", auto_build=False) as searcher:
        monkeypatch.setattr(searcher, "_search", lambda *a: pytest.fail("searched instead of reading the index"))
        ferritin = next(d for d in searcher.documents() if d.question == "What is ferritin?")
        shown = searcher.document(ferritin.id)
        assert shown is not None and shown.related[0].question == "What does a ferritin test measure?"
    # An update writes them anew: a new question joins the related ones of an unchanged file.
    (corpus / "second.txt").write_text(SECOND + "\nHow is ferritin measured in blood?\n\nWith a ferritin test.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "ix")
    with Searcher(tmp_path / "ix", auto_build=False) as searcher:
        shown = searcher.document(ferritin.id)
        assert shown is not None and "How is ferritin measured in blood?" in [r.question for r in shown.related]


def test_a_large_corpus_gets_its_related_questions_when_shown(corpus, tmp_path, monkeypatch):
    from faqindex import related, store

    monkeypatch.setattr(related, "AT_INDEX_TIME", 2)  # "large": more documents than that
    build_index(corpus, tmp_path / "ix")
    assert not (store.current_generation(tmp_path / "ix") / related.FILE).exists()
    with Searcher(tmp_path / "ix", auto_build=False) as searcher:
        ferritin = next(d for d in searcher.documents() if d.question == "What is ferritin?")
        shown = searcher.document(ferritin.id)
        assert shown is not None and shown.related[0].question == "What does a ferritin test measure?"


@pytest.mark.parametrize(
    "damaged",
    [
        '{"per_document":5,"related":{"0":[[99999,1.0]]}}',
        '{"per_document":5,"related":{"0":[[-1,1.0]]}}',
        '{"per_document":5,"related":{"0":[[0,1.0]]}}',
        '{"per_document":5,"related":{"0":[[1,"x"]]}}',
        "-1",
        "1e308",
        '{"per_document":true,"related":{}}',
        '{"per_document":5,"related":{"0":[[1,NaN]]}}',
        '{"per_document":5,"related":[]}',
    ],
)
def test_a_damaged_related_file_never_breaks_a_document(write_corpus, tmp_path, damaged):
    from faqindex import related, store

    index = tmp_path / "ix"
    build_index(write_corpus({"first.txt": FIRST}), index)
    (store.current_generation(index) / related.FILE).write_text(damaged, encoding="utf-8")
    related.read.cache_clear()
    with Searcher(index, auto_build=False) as searcher:
        for doc in searcher.documents():
            shown = searcher.document(doc.id)
            ids = {d.id for d in searcher.documents()}
            assert shown is not None and all(r.id in ids and r.id != doc.id for r in shown.related)
