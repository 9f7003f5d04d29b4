"""Fragments made from the answer's words as tuples are the ones Whoosh's highlighter makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import Token
from whoosh.highlight import ContextFragmenter, Highlighter

from search import Searcher
from search.highlight import CONTEXT_CHARS, FRAGMENT_CHARS, _words_of, fragments

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
    return ContextFragmenter(maxchars=maxchars, surround=surround).fragment_tokens(text, merged)


def _shape(found) -> list[tuple[int, int, list[tuple[str, int, int]]]]:
    return [(f.startchar, f.endchar, [(t.text, t.startchar, t.endchar) for t in f.matches]) for f in found]


@pytest.fixture(scope="module")
def searcher(article_index):
    with Searcher(article_index, auto_build=False) as s:
        yield s


def test_every_judged_querys_hits_get_whooshs_fragments(searcher):
    lines = (ROOT / "benchmarks" / "article" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    compared = 0
    for line in lines:
        query = json.loads(line)["text"]
        words = {leaf.text for leaf in searcher.prepare(query).query.leaves() if getattr(leaf, "text", None)}
        for hit in searcher.search(query, highlight=False):
            text = hit.answer
            matched = frozenset(words)
            assert _shape(fragments(text, _words_of(text), matched)) == _shape(_whoosh_fragments(text, matched)), query
            compared += 1
    assert compared > 1000


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(["iron", "brain", "MS", "pins-and-needles", "the", "a", "of", "ferritin.", "\n", "Gehrig’s"]), max_size=120).map(" ".join),
    matched=st.frozensets(st.sampled_from(["iron", "brain", "ms", "pin", "needl", "ferritin", "gehrig"])),
    maxchars=st.integers(10, 300),
    surround=st.integers(0, 100),
)
def test_any_text_gets_whooshs_fragments(text, matched, maxchars, surround):
    ours = fragments(text, _words_of(text), matched, maxchars=maxchars, surround=surround)
    assert _shape(ours) == _shape(_whoosh_fragments(text, matched, maxchars, surround))
