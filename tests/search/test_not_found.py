"""Saying what was not found: words no answer mentions, and a best hit that fits poorly."""

from __future__ import annotations

from search import Searcher


def test_words_no_answer_holds_are_named(article_index):
    with Searcher(article_index, auto_build=False) as searcher:
        fatal = searcher.results("is ms fatal")
        assert fatal.missing == ["fatal"] and fatal.hits  # the hits match "ms" only
        assert searcher.results("can diet help ms").missing == ["diet"]
        assert searcher.results("hemoglobni").missing == []  # a typo, corrected
        assert searcher.results("anaemia").missing == []  # a synonym the article holds
        assert searcher.results("ferritin levels").missing == []


def test_a_best_hit_holding_little_of_the_question_is_a_weak_match(article_index):
    with Searcher(article_index, auto_build=False) as searcher:
        weak = searcher.results("is there a cure for multiple sclerosis")
        assert weak.weak and weak.fit is not None and weak.fit < 0.2
        good = searcher.results("can ms lesions shrink")
        assert not good.weak and good.fit == 1.0
        assert searcher.results('"spinal tap"').fit is not None
        assert searcher.results("question:iron").fit is None  # syntax says what to match
