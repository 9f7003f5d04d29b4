"""Typo candidates from a small index's word list are the ones Whoosh's automata find."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import Searcher
from search.vocabulary import edit_distance


@pytest.fixture(scope="module")
def vocabulary(article_index):
    with Searcher(article_index, auto_build=False) as s:
        yield s._current().vocabulary


def _typos(word: str) -> list[str]:
    """The word with one letter dropped, doubled, changed or swapped with the next."""
    found = []
    for i in range(len(word)):
        found += [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:], word[:i] + "x" + word[i + 1 :]]
        if i + 1 < len(word):
            found.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return found


def test_every_typo_of_the_articles_words_gets_whooshs_candidates(vocabulary):
    spelling = vocabulary._spelling[0][1]
    words = [term.decode() for term in vocabulary.reader.lexicon(spelling)]
    checked = 0
    for word in words[::7]:
        for typo in _typos(word)[:6]:
            for distance in (1, 2):
                whooshs = set(vocabulary.reader.terms_within(spelling, typo, distance, prefix=1))
                assert set(vocabulary._near(spelling, typo, distance)) == whooshs, (typo, distance)
                checked += 1
    assert checked > 500


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdeé", max_size=8), st.text(alphabet="abcdeé", max_size=8), st.integers(0, 3))
def test_levenshtein_is_exact_up_to_its_bound(a, b, bound):
    # The full table, without the early stop.
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        previous = current
    exact = previous[-1]
    found = edit_distance(a, b, swaps=False, bound=bound)
    assert found == exact if exact <= bound else found > bound
