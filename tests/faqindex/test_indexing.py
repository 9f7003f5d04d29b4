"""Indexing a text a written word at a time gives exactly what the analyzer gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from corpus import ARTICLES
from faqindex.analysis import STOP_WORDS, text_analyzer
from faqindex.schema import IndexedText, SpelledText

# Whoosh's own field, indexing through the analyzer's chain of filters: the reference.
REFERENCE = TEXT(analyzer=text_analyzer(), phrase=True)

# Pieces that reach every branch of the word filter: stop words, hyphens (whole and by part,
# stop words among the parts, empty parts), possessives with both apostrophes, acronym
# plurals, accents, digits, dots inside words, and words that stem alike.
PIECES = [
    *sorted(STOP_WORDS)[:12],
    "pins-and-needles", "-", "--a", "x-", "the-the", "MRIs", "mRNAs", "PhDs", "MS", "Gehrig's", "Gehrig’s",
    "patients'", "Behçet", "ÉCOLE", "naïve", "e.g.", "3.5", "T2", "iron", "irons", "Iron", "diagnosis",
    "diagnosed", "sclerosis", "scanning", "’s", "'", "it's", "x", "breastfeeding", "co-Q10", "\n", ", ", ". ",
]


def _items(field, text: str) -> list[tuple]:
    return sorted(field.index(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=30).map(" ".join))
def test_terms_positions_and_weights_are_the_analyzers(text):
    assert _items(IndexedText(), text) == _items(REFERENCE, text)


def test_the_article_is_indexed_as_the_analyzer_indexes_it():
    field = IndexedText()
    for path in ARTICLES.glob("*.txt"):
        for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
            assert _items(field, paragraph) == _items(REFERENCE, paragraph)


def test_words_met_again_are_indexed_as_the_first_time():
    field = IndexedText()
    text = "What is the MS-related iron? The iron, and MS-related MRIs."
    assert _items(field, text) == _items(field, text) == _items(REFERENCE, text)


def test_the_spelling_words_are_the_words_before_stemming():
    field = SpelledText()
    text = "Is breastfeeding safe while scanning the MRIs of pins-and-needles?"
    list(field.index(text))
    unstemmed = {token.text for token in text_analyzer()(text, no_morph=True, mode="index")}
    assert set(field.spellable_words(text)) == unstemmed
    assert "breastfeeding" in unstemmed and "breastfe" not in unstemmed


def test_what_a_field_remembers_is_not_pickled_into_the_index():
    import pickle

    field = SpelledText()
    list(field.index("Ferritin stores iron; hemoglobin carries oxygen. " * 20))
    fresh = len(pickle.dumps(SpelledText()))
    assert len(pickle.dumps(field)) == fresh
