"""The English dictionary that tells a typo from a word the index lacks."""

from __future__ import annotations

from search import english


def test_common_words_in_either_spelling_are_words():
    for word in ("having", "lots", "feet", "Once", "anaemia", "anemia", "colour", "color"):
        assert english.is_word(word), word


def test_typos_and_proper_names_are_not():
    for word in ("hemoglobni", "ferittin", "lesoins", "brian"):
        assert not english.is_word(word), word


def test_forms_of_one_word_are_related():
    assert english.related("smaller", "small")
    assert english.related("worse", "worsen")
    assert not english.related("having", "healing")
    assert not english.related("feet", "feel")
    assert not english.related("ever", "every")  # a prefix alone does not make one word
    assert not english.related("every", "ever")
    assert english.related("diagnose", "diagnosed") and english.related("treatments", "treatment")
