"""Word forms a reader expects: one form of a word finds the others, where the stemmer splits them."""

from __future__ import annotations

import pytest

from search import Searcher
from search.inflection import forms

ARTICLE = """Breastfeeding and MS

Can I keep breastfeeding with MS?

Breastfeeding is safe with most MS treatments.

What did the study find?

Patients who experienced relapses were hypothesised to have low vitamin D. The mRNA levels were measured.
"""


@pytest.mark.parametrize(
    "typed, found",
    [
        ("breastfeed", "Can I keep breastfeeding with MS?"),  # Porter2: breastfe / breastfeed
        ("breastfeeds", "Can I keep breastfeeding with MS?"),
        ("experience", "What did the study find?"),  # experi / experienc
        ("hypothesis", "What did the study find?"),  # hypothes / hypothesis
        ("mRNAs", "What did the study find?"),  # an acronym's plural
    ],
)
def test_a_form_of_a_word_finds_the_others(write_corpus, tmp_path, typed, found):
    root = write_corpus({"a.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=root) as searcher:
        results = searcher.results(typed)
    assert [hit.question for hit in results.hits] == [found]


def test_the_form_searched_is_said(write_corpus, tmp_path):
    root = write_corpus({"a.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=root) as searcher:
        assert ("breastfeed", "breastfeeding") in searcher.results("breastfeed").expansions
        assert searcher.results("breastfeeding").expansions == []  # a word the index holds is searched as it is


def test_regular_inflections_both_ways():
    assert {"breastfeeding", "breastfeeds"} <= forms("breastfeed")
    assert {"breastfeed", "breastfeeding"} <= forms("breastfeeds")
    assert {"study", "studying", "studied"} <= forms("studies")
    assert {"trap", "trapping"} <= forms("trapped")
    assert {"boxes"} <= forms("boxed") and "experiencing" in forms("experience")
    assert forms("ms") == set() and forms("x-ray") == set()
