"""Near-duplicate answers: which later answers fold into an earlier one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search.collapse import SIMILARITY, NearDuplicates, shingles

WORDS = " ".join(f"word{n}" for n in range(40))


def test_an_answer_saved_twice_with_a_word_changed_folds_into_the_first():
    shown = NearDuplicates()
    shown.add("Something else entirely.")
    shown.add(WORDS)
    assert shown.first_like(WORDS.replace("word39", "changed")) == 1
    assert shown.first_like(WORDS[: len(WORDS) // 2]) is None  # half of it is another answer


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab c", max_size=30), min_size=1, max_size=6), st.text(alphabet="ab c", max_size=30))
def test_the_first_like_is_the_first_whose_trigrams_overlap_enough(shown_texts, answer):
    shown = NearDuplicates()
    for text in shown_texts:
        shown.add(text)

    def jaccard(a: frozenset, b: frozenset) -> float:
        return len(a & b) / len(a | b) if a and b else 0.0

    expected = next((i for i, t in enumerate(shown_texts) if jaccard(shingles(answer), shingles(t)) >= SIMILARITY), None)
    assert shown.first_like(answer) == expected
