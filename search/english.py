"""English words, to tell a typo from a real word that the index happens not to hold.

Typo correction looks only at the index's vocabulary, so without this a patient's ordinary
words were "corrected" into the article's: "having" into "healing", "lots" into "loss",
"feet" into "feel". A spell checker leaves a dictionary word alone; so does faqsearch. The
list is SCOWL's size-50 American and British words (Debian's wamerican and wbritish,
lower-case entries only: "brian" stays a typo of "brain"); its copyright is in
data/english-words.COPYRIGHT. It is read only when a query holds a word the index lacks.
"""

from __future__ import annotations

import functools
from pathlib import Path

WORDS = Path(__file__).parent / "data" / "english-words.txt.gz"


@functools.cache
def _words() -> bytes:
    """The list as one text, a word a line, with a newline at each end."""
    import gzip  # here, not above: most searches never read the list

    # Searched as text, not loaded into a set: reading it costs a cold search several times
    # less than building the set would (benchmarks/HISTORY.md).
    return b"\n" + gzip.decompress(WORDS.read_bytes()).strip() + b"\n"


def is_word(word: str) -> bool:
    """Is `word` (any case) a common English word?"""
    lowered = word.lower()
    if not lowered.isascii() or not lowered.isalpha():
        return False
    return b"\n" + lowered.encode("ascii") + b"\n" in _words()


FORM_ENDINGS = frozenset(
    ("", "s", "es", "d", "ed", "ing", "r", "er", "st", "est", "n", "en", "ly", "ness", "ment", "ity", "al", "ic", "ise", "ize")
)


def related(word: str, other: str) -> bool:
    """Are the two another form of one word ("smaller" and "small", "worse" and "worsen")?

    The stemmer does not join every form, and a correction between two such forms finds
    what was meant; one between unrelated words does not.
    """
    a, b = word.lower(), other.lower()
    short, long = sorted((a, b), key=len)
    # One is the other with an ending English adds to a word's forms ("ever" and "every"
    # are two words: "y" is not among them).
    return long.startswith(short) and long[len(short) :] in FORM_ENDINGS
