"""Highlights made from the answer's words as tuples are the ones Whoosh's highlighter makes."""

from __future__ import annotations

import html
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import Token
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    Formatter,
    Highlighter,
    get_text,
    top_fragments,
)

from search import Searcher, highlight
from search.highlight import (
    CONTEXT_CHARS,
    FRAGMENT_CHARS,
    MARK_CLOSE,
    MARK_OPEN,
    Fragment,
    _best,
    _formatted,
    _fragments_match_to_match,
    _fragments_word_by_word,
    _merged,
    _with_ellipses,
    _words_of,
    fragments,
)

ROOT = Path(__file__).resolve().parents[2]


def _whoosh_fragments(text: str, matched: frozenset[str], maxchars: int = FRAGMENT_CHARS, surround: int = CONTEXT_CHARS):
    """Whoosh's own way: a Token per word, merged by its highlighter, cut by its fragmenter."""

    def tokens():
        for word, pos, start, end in _words_of(text):
            token = Token(positions=True, chars=True, removestops=False, mode="index")
            token.text, token.pos, token.startchar, token.endchar = word, pos, start, end
            token.matched = word in matched
            yield token

    merged = Highlighter._merge_matched_tokens(tokens())
    return list(ContextFragmenter(maxchars=maxchars, surround=surround).fragment_tokens(text, merged))


class _WhooshMarks(Formatter):
    """<mark> around matches, through Whoosh's Formatter (what faqsearch used with Whoosh's
    highlighter), and the same ellipses."""

    def _text(self, text):
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return MARK_OPEN + self._text(get_text(text, token, replace)) + MARK_CLOSE


def _whoosh_highlights(text: str, matched: frozenset[str], top: int = 3) -> list[str]:
    best = top_fragments(_whoosh_fragments(text, matched), top, BasicFragmentScorer(), FIRST)
    # The ellipses are faqsearch's own, not Whoosh's: added at Whoosh's fragment's place.
    return [_with_ellipses(text, Fragment(f.startchar, f.endchar, []), _WhooshMarks().format_fragment(f).strip()) for f in best]


def _shape(found) -> list[tuple[int, int, list[tuple[str, int, int]]]]:
    return [(f.startchar, f.endchar, [(t.text, t.startchar, t.endchar) for t in f.matches]) for f in found]


def _our_shape(found) -> list[tuple[int, int, list[tuple[str, int, int]]]]:
    return [(f.startchar, f.endchar, list(f.matches)) for f in found]


def _ours(text: str, matched: frozenset[str], top: int = 3) -> list[str]:
    return [_formatted(text, f) for f in _best(fragments(text, _words_of(text), matched), top)]


@pytest.fixture(scope="module")
def searcher(article_index):
    with Searcher(article_index, auto_build=False) as s:
        yield s


def test_every_judged_querys_hits_get_whooshs_fragments_and_marks(searcher):
    lines = (ROOT / "benchmarks" / "article" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    compared = 0
    for line in lines:
        query = json.loads(line)["text"]
        matched = frozenset(leaf.text for leaf in searcher.prepare(query).query.leaves() if getattr(leaf, "text", None))
        for hit in searcher.search(query, highlight=False):
            text = hit.answer
            assert _our_shape(fragments(text, _words_of(text), matched)) == _shape(_whoosh_fragments(text, matched)), query
            assert _ours(text, matched) == _whoosh_highlights(text, matched), query
            compared += 1
    assert compared > 1000


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(["iron", "brain", "MS", "pins-and-needles", "the", "a", "of", "ferritin.", "\n", "Gehrig’s", "<b>"]), max_size=120
    ).map(" ".join),
    matched=st.frozensets(st.sampled_from(["iron", "brain", "ms", "pin", "needl", "ferritin", "gehrig"])),
    maxchars=st.integers(10, 300),
    surround=st.integers(0, 100),
    top=st.integers(1, 4),
)
def test_any_text_gets_whooshs_fragments_and_marks(text, matched, maxchars, surround, top):
    ours = fragments(text, _words_of(text), matched, maxchars=maxchars, surround=surround)
    assert _our_shape(ours) == _shape(_whoosh_fragments(text, matched, maxchars, surround))
    if maxchars == FRAGMENT_CHARS and surround == CONTEXT_CHARS:
        assert _ours(text, matched, top) == _whoosh_highlights(text, matched, top)
    whooshs = top_fragments(_whoosh_fragments(text, matched, maxchars, surround), top, BasicFragmentScorer(), FIRST)
    assert [f.startchar for f in _best(ours, top)] == [f.startchar for f in whooshs]


_LONG = "pneumonoultramicroscopicsilicovolcanoconiosis" * 4  # a word longer than a fragment


@settings(max_examples=500, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(["iron", "brain", "MS", "the", "of", "ferritin.", "\n", "cells", "MS-related", "pins-and-needles", _LONG]),
        max_size=150,
    ).map(" ".join),
    matched=st.frozensets(
        st.sampled_from(["iron", "brain", "ms", "ferritin", "cell", "msrelat", "relat", "pin", "needl", _LONG.lower()]), min_size=1
    ),
    maxchars=st.integers(1, 300),
    surround=st.integers(0, 100),
    charlimit=st.one_of(st.just(0), st.integers(1, 1000)),
)
def test_leaping_from_match_to_match_finds_the_fragments_of_the_walk_word_by_word(text, matched, maxchars, surround, charlimit):
    words = _words_of(text)
    walked = _fragments_word_by_word(text, _merged(words, matched), maxchars, surround, charlimit)
    assert fragments(text, words, matched, maxchars, surround, charlimit) == walked
    hits = sorted(i for i, word in enumerate(words) if word[0] in matched)
    if not any(b == a + 1 and words[b][2] <= words[a][3] for a, b in itertools.pairwise(hits)):  # nothing to merge
        assert _fragments_match_to_match(text, words, hits, maxchars, surround, charlimit) == walked


def test_a_plain_querys_words_mark_what_whooshs_expansion_of_it_marks(searcher, monkeypatch):
    lines = (ROOT / "benchmarks" / "article" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line)["text"] for line in lines]
    from_leaves = {q: [hit.highlights for hit in searcher.search(q)] for q in queries}
    monkeypatch.setattr(highlight, "flat", lambda query: None)  # Whoosh's query_terms(expand=True)
    for q in queries:
        assert [hit.highlights for hit in searcher.search(q)] == from_leaves[q], q
