"""Near-duplicate answers: the same article saved twice must not fill the top of a list twice.

Two answers are near-duplicates when their word trigrams overlap almost entirely (Jaccard
similarity); the lower-ranked one is folded into the first, which lists where else it was.
"""

from __future__ import annotations

import re

SIMILARITY = 0.8
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = 3) -> frozenset[tuple[str, ...]]:
    """The set of `size`-word runs of a text, casefolded."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def similarity(a: frozenset, b: frozenset) -> float:
    """Jaccard similarity of two shingle sets (1.0: the same text)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def first_of_each(answers: list[str]) -> list[int | None]:
    """For each answer, the index of an earlier near-identical answer, or None if it is the first."""
    kept: list[tuple[int, frozenset]] = []
    owners: list[int | None] = []
    for i, answer in enumerate(answers):
        own = shingles(answer)
        owner = next((j for j, other in kept if similarity(own, other) >= SIMILARITY), None)
        owners.append(owner)
        if owner is None:
            kept.append((i, own))
    return owners
