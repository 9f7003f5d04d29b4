"""Property-based: whatever is typed, a search answers or says in one line why it cannot."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faqindex.errors import QueryError
from search import Searcher

syntax = st.sampled_from(['"', "(", ")", "*", "?", "~", ":", "-", "+", "^", "AND", "OR", "NOT", "[", "]", "{", "}", "\\", "/", "'", "’"])
queries = st.lists(
    st.one_of(st.text(max_size=12), syntax, st.sampled_from(["iron", "MS", "ferritin", "question:", "answer:"])), max_size=12
).map(" ".join)


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


plain_words = st.lists(
    st.one_of(
        st.text(alphabet=st.sampled_from("abcMSé1_'’.,-"), min_size=1, max_size=10),
        st.sampled_from(["AND", "OR", "NOT", "pins-and-needles", "e.g.", "Gehrig’s", "MRIs", "the", "-", "iron"]),
    ),
    min_size=1,
    max_size=6,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(text=plain_words)
def test_plain_words_are_read_as_the_parser_reads_them(text):
    from search.query import QueryBuilder, normalise

    builder = QueryBuilder()
    text = normalise(text)
    direct = builder._plain(text) if text else None
    if direct is not None:
        parsed = builder.parser.parse(text)
        assert direct == parsed
        leaves = [q for q in (direct, parsed) for q in ([q] if q.is_leaf() else q.leaves())]
        half = len(leaves) // 2
        assert [vars(q) for q in leaves[:half]] == [vars(q) for q in leaves[half:]]  # spans too
