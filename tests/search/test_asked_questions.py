"""A question typed as the article asks it finds its own answer first."""

from __future__ import annotations

from corpus import ARTICLES
from faqindex.scan import scan
from indexer.sources import read_file
from search import Searcher


def _asked() -> list[tuple[str, str]]:
    """(question as the article words it, its document's question) for every phrasing."""
    documents = [doc for entry in scan(ARTICLES) for doc in read_file(entry).documents]
    return [(phrasing, doc.question) for doc in documents for phrasing in doc.questions]


def test_each_of_the_articles_questions_finds_its_own_answer_first(article_index):
    asked = _asked()
    assert len(asked) == 48
    with Searcher(article_index, auto_build=False) as searcher:
        first = {typed: searcher.search(typed, limit=1, highlight=False)[0].question for typed, _ in asked}
    assert [(typed, first[typed]) for typed, own in asked if first[typed] != own] == []


def test_case_and_punctuation_do_not_matter(article_index):
    with Searcher(article_index, auto_build=False) as searcher:
        assert searcher.search("how is EARLY ms diagnosis", limit=1)[0].question == "How is early MS diagnosis?"
        results = searcher.results("How is early MS diagnosis?", limit=3)
        assert results.hits[0].score >= results.hits[1].score
