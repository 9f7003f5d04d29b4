"""Near-duplicate answers: the same article saved twice must not fill the top of a list twice.

Two answers are near-duplicates when their word trigrams overlap almost entirely (Jaccard
similarity); the lower-ranked one is folded into the first, which lists where else it was.
"""

from __future__ import annotations

import functools
import re

SIMILARITY = 0.8
_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=512)  # the same answers come back search after search
def shingles(text: str, size: int = 3) -> frozenset[str]:
    """The set of `size`-word runs of a text, casefolded, each as its words joined by a space.

    Strings, not tuples: a string keeps its hash, a tuple computes it again at every
    comparison of two sets, and a search compares each answer shown with the others."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def similarity(a: frozenset, b: frozenset) -> float:
    """Jaccard similarity of two shingle sets (1.0: the same text)."""
    if not a or not b:
        return 0.0
    shared = len(a & b) if len(a) <= len(b) else len(b & a)
    return shared / (len(a) + len(b) - shared)


class NearDuplicates:
    """The answers shown so far, to fold near-identical later ones into them."""

    def __init__(self) -> None:
        self._shown: list[frozenset] = []

    def first_like(self, answer: str) -> int | None:
        """The position of a shown answer near-identical to `answer`, or None."""
        own = shingles(answer)
        size = len(own)
        for i, other in enumerate(self._shown):
            # Sets of very different sizes cannot be similar: |a & b| / |a | b| <= small / large.
            if min(size, len(other)) < SIMILARITY * max(size, len(other)):
                continue
            if similarity(own, other) >= SIMILARITY:
                return i
        return None

    def add(self, answer: str) -> None:
        """Remember an answer that is shown."""
        self._shown.append(shingles(answer))
