"""Property-based: whatever is typed, a search answers or says in one line why it cannot."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import Searcher
from search.errors import QueryError

syntax = st.sampled_from(['"', "(", ")", "*", "?", "~", ":", "-", "+", "^", "AND", "OR", "NOT", "[", "]", "{", "}", "\\", "/", "'", "’"])
queries = st.lists(st.one_of(st.text(max_size=12), syntax, st.sampled_from(["iron", "MS", "ferritin", "question:", "answer:"])), max_size=12).map(" ".join)


@pytest.fixture(scope="module")
def searcher(article_index):
    with Searcher(article_index, auto_build=False) as s:
        yield s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(queries, st.text(max_size=200)))
def test_any_query_answers_or_raises_query_error(searcher, text):
    try:
        results = searcher.results(text, limit=3)
    except QueryError as exc:
        assert "\n" not in str(exc)
        return
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert hit.question
