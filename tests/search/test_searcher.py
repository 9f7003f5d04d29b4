"""The Python API on the shipped article and on small corpora written for the tests."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

import search
from faqindex import store
from search import Hit, IndexMissingError, QueryError, Searcher


@pytest.fixture(scope="module")
def searcher(article_index):
    with Searcher(article_index, auto_build=False) as s:
        yield s


def questions(hits):
    return [h.question for h in hits]


def test_ferritin_questions_come_first(searcher):
    hits = searcher.search("ferritin")
    assert hits[0].question == "Does MS cause high ferritin levels?"
    assert hits[0].alternates == ["Can MS cause high ferritin levels?"]
    assert {"Can low ferritin cause neurological symptoms?", "How does low ferritin affect the brain?"} <= set(questions(hits[:3]))


def test_the_second_phrasing_is_searchable(searcher):
    assert searcher.search('"can ms cause high ferritin"')[0].question == "Does MS cause high ferritin levels?"


def test_stemming_finds_other_forms_and_highlights_them(searcher):
    hits = searcher.search("diagnosing")
    assert hits[0].question == "Is it important to diagnose MS early?"
    assert "<mark>diagnosis</mark>" in " ".join(hits[0].highlights)


def test_more_matching_words_rank_higher_but_partial_matches_still_come_back(searcher):
    results = searcher.results("ferritin hemoglobin anemia")
    top = questions(results.hits)
    assert results.total >= 5
    assert "Can MS cause high hemoglobin?" in top and "Is anemia common in MS patients?" in top


def test_a_whole_question_finds_its_answer(searcher):
    assert searcher.search("is there a blood test that can detect multiple sclerosis")[0].question == "What blood tests would indicate MS?"
    assert searcher.search("what causes iron deposits in the brain?")[0].question == "What causes iron deposits in the brain?"


def test_boolean_phrase_field_prefix_and_fuzzy_syntax(searcher):
    both = searcher.search("iron AND ferritin")
    assert both and all("iron" in (h.question + h.answer).lower() and "ferritin" in (h.question + h.answer).lower() for h in both)
    without = searcher.search("iron NOT deficiency")
    assert without and all("deficien" not in (h.question + h.answer).lower() for h in without)
    assert all("deficien" not in (h.question + h.answer).lower() for h in searcher.search("iron -deficiency"))
    assert searcher.search('"spinal tap"')[0].question == "How do you rule out MS?"
    assert all("iron" in h.question.lower() for h in searcher.search("question:iron"))
    assert searcher.search("hemoglob*")[0].question == "Can MS cause high hemoglobin?"
    assert searcher.search("hemoglobni~2")[0].question == "Can MS cause high hemoglobin?"


def test_highlights_are_fragments_of_the_answer_with_marks(searcher):
    hit = searcher.search("spasticity")[0]
    assert hit.question == "How does MS affect your legs?"
    assert any("<mark>spasticity</mark>" in f for f in hit.highlights)
    assert all(len(f) < 400 for f in hit.highlights)


def test_a_question_only_match_shows_the_opening_of_the_answer(searcher):
    hit = searcher.search("question:hemoglobin")[0]
    assert hit.highlights and "<mark>" not in hit.highlights[0]
    assert hit.answer.startswith(hit.highlights[0].rstrip(" …")[:40])


def test_results_count_everything_and_respect_the_limit(searcher):
    results = searcher.results("ms", limit=3)
    assert len(results.hits) == 3 and results.total > 3
    assert [h.rank for h in results.hits] == [1, 2, 3]
    assert results.hits[0].score >= results.hits[1].score >= results.hits[2].score


def test_no_hits_and_stop_words_only(searcher):
    assert searcher.search("xylophone") == []
    assert searcher.results("the of and").total == 0


@pytest.mark.parametrize("bad", ["", "   ", "*", "NOT iron", "x" * 5000])
def test_unsearchable_queries_raise_query_error(searcher, bad):
    with pytest.raises(QueryError):
        searcher.search(bad)


def test_hit_is_a_dataclass_with_the_json_fields(searcher):
    hit = searcher.search("ferritin")[0]
    assert isinstance(hit, Hit) and dataclasses.is_dataclass(hit)
    data = hit.to_dict()
    assert {"rank", "score", "id", "question", "answer", "source", "highlights"} <= set(data)
    assert data["source"] == "iron-deposits-in-the-brain-ms.txt"


def test_html_in_documents_comes_back_escaped(write_corpus, tmp_path):
    root = write_corpus({"x.txt": "Is this safe?\n\nThe page said <script>alert('x')</script> safely.\n"})
    hit = Searcher(tmp_path / "ix", corpus=root).search("script")[0]
    assert "<script>" not in " ".join(hit.highlights)
    assert "&lt;<mark>script</mark>&gt;" in " ".join(hit.highlights)
    assert "<script>" in hit.answer  # the plain answer is the text itself


def test_index_is_built_on_first_use_and_rebuilt_when_the_corpus_changes(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein.\n"})
    index_dir = tmp_path / "ix"
    first = Searcher(index_dir, corpus=root)
    assert first.built is not None and first.built.documents == 1
    assert Searcher(index_dir, corpus=root).built is None  # fresh: not rebuilt
    (root / "b.txt").write_text("What is hemoglobin?\n\nAnother protein.\n")
    again = Searcher(index_dir)  # remembers the corpus it was built from
    assert again.built is not None
    assert again.search("hemoglobin")[0].question == "What is hemoglobin?"
    # the long-lived searcher switches to the new index by itself
    assert first.search("hemoglobin")[0].question == "What is hemoglobin?"


def test_an_edit_with_the_same_size_is_noticed(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein.\n"})
    Searcher(tmp_path / "ix", corpus=root)
    path = root / "a.txt"
    path.write_text("What is ferritin?\n\nA proteiN.\n")
    later = time.time() + 5
    os.utime(path, (later, later))
    assert store.is_stale(tmp_path / "ix", root)


def test_without_auto_build_a_missing_index_is_an_error(tmp_path):
    with pytest.raises(IndexMissingError, match="no index"):
        Searcher(tmp_path / "none", auto_build=False)


def test_damaged_index_is_rebuilt_from_its_corpus(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein.\n"})
    index_dir = tmp_path / "ix"
    Searcher(index_dir, corpus=root)
    (store.current_generation(index_dir) / store.MANIFEST).write_text("{not json")
    s = Searcher(index_dir)
    assert s.built is not None and s.built.corpus == root.resolve()
    assert [h.source for h in s.search("ferritin")] == ["a.txt"]


def test_the_staleness_check_compares_sizes_and_times_then_contents(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein.\n", "b.txt": "What is MS?\n\nA disease.\n"})
    index_dir = tmp_path / "ix"
    Searcher(index_dir, corpus=root)
    assert not store.is_stale(index_dir, root)
    later = time.time() + 5
    os.utime(root / "a.txt", (later, later))  # touched, not changed: the contents decide
    assert not store.is_stale(index_dir, root)
    (root / "c.txt").write_text("What is iron?\n\nA metal.\n")
    assert store.is_stale(index_dir, root)
    (root / "c.txt").unlink()
    (root / "b.txt").unlink()
    assert store.is_stale(index_dir, root)
    assert store.is_stale(index_dir, tmp_path)  # another corpus
    assert store.is_stale(tmp_path / "nothing-here", root)


def test_module_level_search_uses_the_default_index(monkeypatch, tmp_path):
    monkeypatch.setenv("FAQSEARCH_INDEX", str(tmp_path / "default-ix"))
    monkeypatch.setattr(search, "_default", None)
    hits = search.search("ferritin", limit=2)
    assert len(hits) == 2 and hits[0].question == "Does MS cause high ferritin levels?"


def test_page_metadata_comes_back_with_each_hit(write_corpus, tmp_path):
    root = write_corpus({"page.html": (
        '<html><head><title>Iron FAQ</title><link rel="canonical" href="https://example.org/iron">'
        '<meta name="description" content="Answers about iron and the brain."></head>'
        "<body><h2>Is iron stored in the brain?</h2><p>Yes, as ferritin.</p></body></html>"
    )})
    with Searcher(tmp_path / "ix", corpus=root) as s:
        hit = s.search("ferritin")[0]
    assert (hit.title, hit.url, hit.description) == ("Iron FAQ", "https://example.org/iron", "Answers about iron and the brain.")
    assert hit.to_dict()["url"] == "https://example.org/iron"


def test_the_count_tells_answers_that_fit_from_those_that_only_mention_a_common_word(write_corpus, tmp_path):
    # "ms" is in every answer, as in the article: all three match, one fits.
    corpus = write_corpus({"a.txt": (
        "What is ferritin?\n\nFerritin stores iron; in MS it is measured in the blood.\n\n"
        "Can MS cause fatigue?\n\nFatigue is common in MS.\n\n"
        "Is MS painful?\n\nPain is common in MS too.\n"
    )})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        results = searcher.results("ms ferritin")
        assert results.total == 3 and results.fitting == 1
        assert results.count_text() == "1 answer fits “ms ferritin” well, of 3 that mention its words"
        assert results.to_dict()["fitting"] == 1
        alone = searcher.results("ferritin")
        assert alone.total == alone.fitting == 1 and alone.count_text() == "1 answer for “ferritin”"
        weak = searcher.results("is ms contagious")
        assert weak.weak and weak.fitting == 0 and weak.count_text() == f"{weak.total} answers mention “is ms contagious”"
