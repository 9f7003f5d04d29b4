"""Regular English inflections of a word: the forms a reader expects one word to find.

The stemmer does not join every form of a word. Porter2 stems "breastfeeding" to
"breastfeed" but "breastfeed" to "breastfe", "experienced" to "experienc" but "experience"
to "experi", "hypothesised" to "hypothesis" but "hypothesis" to "hypothes": one of two
forms never finds the other. A search therefore also looks for the stems of a word's
regular inflections (plural, past, -ing) and of the word they inflect, where the index
holds them under another stem (`query.py`). The rules are English spelling's: -es after
a sibilant, -ies and -ied after a consonant and y, a final e dropped before -ing, a final
consonant doubled after a short vowel.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiou")
_SIBILANT = ("s", "x", "z", "ch", "sh")


def forms(word: str) -> set[str]:
    """The regular inflections of `word`, the words it may be an inflection of, and their
    inflections (itself not included)."""
    w = word.lower()
    if len(w) < 4 or not w.isascii() or not w.isalpha():
        return set()
    bases = _bases(w)
    found = set(bases) if _inflected(w) else _inflections(w) | bases
    for base in bases:  # and the base's other inflections: "breastfeeds" finds "breastfeeding"
        if len(base) >= 4:
            found |= _inflections(base)
    found.discard(w)
    return found


def _inflected(w: str) -> bool:
    """Does `w` end as an inflection does (then it is not inflected again)?"""
    return w.endswith("ing") or (w.endswith("ed") and not w.endswith("eed")) or (w.endswith("s") and not w.endswith(("ss", "us", "is")))


def _inflections(w: str) -> set[str]:
    if w.endswith("e"):
        return {w + "s", w + "d", w[:-1] + "ing"}
    if w.endswith(_SIBILANT):
        return {w + "es", w + "ed", w + "ing"}
    if w.endswith("y") and w[-2] not in _VOWELS:
        return {w[:-1] + "ies", w[:-1] + "ied", w + "ing"}
    found = {w + "s", w + "ed", w + "ing"}
    if _short_final_syllable(w):
        found |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    return found


def _bases(w: str) -> set[str]:
    found: set[str] = set()
    if w.endswith("ies"):
        found.add(w[:-3] + "y")
    elif w.endswith("es") and w[:-2].endswith(_SIBILANT):
        found.add(w[:-2])
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        found.add(w[:-1])
    for suffix in ("ed", "ing"):
        if not w.endswith(suffix) or len(w) - len(suffix) < 3 or w.endswith("eed"):
            continue
        stem = w[: -len(suffix)]
        if suffix == "ed" and stem.endswith("i"):
            found.add(stem[:-1] + "y")
            continue
        found |= {stem, stem + "e"}
        if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
            found.add(stem[:-1])  # "trapped", "fuelled"
    return found


def _short_final_syllable(w: str) -> bool:
    """Consonant, vowel, consonant at the end ("trap", "fuel" is not): doubled before -ed and -ing."""
    return (
        len(w) >= 3
        and w[-1] not in _VOWELS and w[-1] not in "wxy"
        and w[-2] in _VOWELS
        and w[-3] not in _VOWELS
    )
