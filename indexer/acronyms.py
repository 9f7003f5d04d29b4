"""Acronyms defined in the corpus itself: "multiple sclerosis (MS)", "MRI (magnetic resonance imaging)".

The definitions are found the way Schwartz and Hearst (2003) describe, kept strict: every
letter of the acronym must start a word of the long form, in order, with small words
("of", "and") allowed between. A loose match would pair "MRI" with "magnetic resonance
testing" and teach the search something false.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

_PARENTHESIS = re.compile(r"\(([^()]{1,80})\)")
_ACRONYM = re.compile(r"^[A-Za-z][A-Za-z0-9&-]{0,9}$")
_WORD = re.compile(r"[\w’'-]+")
_SMALL_WORDS = frozenset({"of", "and", "the", "in", "for", "on", "to", "with", "a", "an", "&"})


def mine(texts: Iterable[str]) -> dict[str, list[str]]:
    """Acronym → its long forms (as written, lowercased), from every definition in `texts`."""
    found: dict[str, set[str]] = defaultdict(set)
    for text in texts:
        for acronym, long_form in definitions(text):
            found[acronym].add(long_form)
    return {acronym: sorted(forms) for acronym, forms in sorted(found.items())}


def definitions(text: str) -> Iterable[tuple[str, str]]:
    """(acronym, long form) pairs in one text, in both orders: "long form (ACR)" and "ACR (long form)"."""
    for match in _PARENTHESIS.finditer(text):
        inside = match.group(1).strip()
        before = _WORD.findall(text[max(0, match.start() - 200) : match.start()])
        first = re.split(r"[\s,;]+", inside)[0]
        if _is_acronym(first):
            long_form = _long_form(first, before)
            if long_form:
                yield first, long_form
        elif before and _is_acronym(before[-1]):
            words = _WORD.findall(inside)
            long_form = _long_form(before[-1], words, anchored=True)
            if long_form:
                yield before[-1], long_form


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    capitals = sum(1 for c in letters if c.isupper())
    return bool(_ACRONYM.match(word)) and 2 <= len(letters) <= 8 and capitals >= max(2, len(letters) - 1)


def _long_form(acronym: str, words: list[str], *, anchored: bool = False) -> str | None:
    """The shortest run of words ending at the end of `words` (or starting at its start, when
    `anchored`) whose initials spell the acronym's letters."""
    letters = [c.lower() for c in acronym if c.isalpha()]
    limit = min(len(letters) + 5, len(letters) * 2)
    if anchored:
        words = words[: limit + 1]
        for end in range(len(letters), len(words) + 1):
            if _spells(letters, words[:end]):
                return " ".join(words[:end]).lower()
        return None
    for start in range(len(words) - 1, max(-1, len(words) - limit - 1), -1):
        if _spells(letters, words[start:]):
            return " ".join(words[start:]).lower()
    return None


def _spells(letters: list[str], words: list[str]) -> bool:
    """Do the initials of `words` (small words optional, hyphenated parts counted) spell `letters`?"""
    if not words or words[0].lower() in _SMALL_WORDS or words[-1].lower() in _SMALL_WORDS:
        return False
    initials: list[list[str]] = []  # per word, the initials it may contribute
    for word in words:
        parts = [p for p in word.split("-") if p]
        initials.append([p[0].lower() for p in parts])
    return _match(letters, initials, [w.lower() in _SMALL_WORDS for w in words])


def _match(letters: list[str], initials: list[list[str]], optional: list[bool]) -> bool:
    if not initials:
        return not letters
    word, rest, small = initials[0], initials[1:], optional[0]
    # A word contributes its first initial, or all its hyphenated parts' initials; a small word may contribute none.
    for take in {1, len(word)}:
        if letters[:take] == word[:take] and _match(letters[take:], rest, optional[1:]):
            return True
    return small and _match(letters, rest, optional[1:])
