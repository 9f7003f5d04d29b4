"""Text analysis: how every full-text field, and every query, is cut into terms.

Words (hyphenated compounds whole and by part), possessives, acronym plurals, case, accents
and stop words (`WordFilter`), then stemming (`Stemmer`: Porter2 with two rules it lacks).
The index's schema (`schema.py`) pickles these filters, so a change here that alters the
terms must bump `schema.SCHEMA_VERSION`.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable

from whoosh.analysis import Filter, RegexTokenizer, Token
from whoosh.analysis.analyzers import Analyzer

from .caches import bounded

# Words too common to tell documents apart. Whoosh's list, plus the words people put around
# what they ask ("what does ... do", "is there ...", "how do I ..."): in a whole question
# they would otherwise outweigh the one content word that matters.
STOP_WORDS = frozenset(
    """a an and are as at be by can for from have if in is it may not of on or tbd that the this to
    us we when will with yet you your i me my am was were been being has had do does did doing
    done what which who whom whose why how where there here than then so such too very just
    should would could might must shall about into over also any some its it's our their they them
    these those he she his her him s t""".split()  # noqa: SIM905 - a word list reads best as prose
)

# What a word is: letters and digits, joined by hyphens, apostrophes or dots ("pins-and-needles",
# "Gehrig's", "e.g").
WORD_PATTERN = r"\w+(?:[-'’.]\w+)*"
_WORDS = re.compile(WORD_PATTERN)

# Words of three letters or fewer are left unstemmed: they are mostly acronyms ("MS", "ALS",
# "MRI"), which Porter would cut down to "m" and "al" (matching "et al.").
_SHORT = 3


def stemmer(name: str) -> Callable[[str], str]:
    """A stemming function: "porter2" (the default), "snowball" or "porter".

    Porter2 is the Snowball English algorithm; Whoosh has it twice. Its standalone `porter2`
    module agrees with the reference (C) Snowball where its `snowball` package does not
    ("realization" → "realiz", not "realize"), and loads without the fourteen other
    languages of that package (3 ms of every command-line search). Whoosh's original Porter
    leaves doubled consonants ("scanning" → "scann"), so "CT scan" would miss "CT
    scanning"; the algorithms were compared on the judged sets (benchmarks/HISTORY.md, "Porter or Snowball").
    """
    if name == "porter2":
        from whoosh.lang.porter2 import stem as porter2

        return porter2
    if name == "snowball":
        from whoosh.lang.snowball.english import EnglishStemmer

        return EnglishStemmer().stem
    if name == "porter":
        from whoosh.lang.porter import stem as porter

        return porter
    raise ValueError(f"unknown stemmer {name!r}")


STEMMERS = ("porter2", "snowball", "porter")
_stem = stemmer("porter2")


def stem(word: str) -> str:
    """Porter2 (Snowball English) stemming, plus two rules it lacks.

    Short words (acronyms, mostly) are kept as they are. Greek "-sis" nouns meet their verbs:
    the stemmer leaves "diagnosis" as "diagnosi" but "diagnose", "diagnosed" and "diagnosing"
    as "diagnos"; medical text is full of such pairs (diagnosis, paralysis, sclerosis).
    """
    if len(word) <= _SHORT:
        return word
    stemmed = _stem(word)
    if stemmed.endswith("si") and word.endswith("sis"):
        return stemmed[:-1]
    return stemmed


class WordFilter(Filter):
    """Compounds, possessives, case, accents and stop words, in one pass over the words.

    Hyphenated words are found by each part and by the whole: "pins-and-needles" is indexed
    as "pins", "and", "needles" and as "pinsandneedles" at the first one's position. A query
    for the hyphenated word becomes the phrase of its parts. Curly and straight apostrophes
    are the same: "Gehrig’s" and "Gehrig's" are both "Gehrig". The plural of an acronym is
    the acronym ("MRIs" is "MRI", "mRNAs" is "mRNA"), told by its capitals before lowercasing. Accents are
    folded (Behçet → behcet). Stop words are dropped and the positions after them renumbered
    (as Whoosh's StopFilter does), so phrases still match across them.

    One filter instead of Whoosh's chain of five: every word of the corpus goes through it,
    and each generator in a chain costs about as much as the work it does.
    """

    _POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)
    # Two capitals or more, the last one before the "s": "MRIs", "mRNAs", "PBMCs", "PhDs".
    _ACRONYM_PLURAL = re.compile(r"^((?=[A-Za-z]{2,8}['’]?s$)[A-Za-z]*[A-Z][A-Za-z]*[A-Z])['’]?s$")
    _APOSTROPHES = re.compile(r"['’]")

    def __init__(self, stoplist: frozenset[str] = frozenset()) -> None:
        self.stoplist = stoplist

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordFilter) and self.stoplist == other.stoplist

    def __call__(self, tokens):
        stoplist = self.stoplist
        shift = 0
        pos = None  # the position of the last word kept, for renumbering after stop words

        def kept(t):
            # Lowercase, fold accents, drop stop words and renumber, as Whoosh's filters would.
            nonlocal pos
            t.text = word = t.text.lower()
            if not word.isascii():  # Whoosh's accent map changes no lowercase ASCII letter
                t.text = word = word.translate(_accent_map())
            if not word or word in stoplist:
                # Kept, marked, when asked (highlighting: fragments may start at a stop word).
                t.stopped = True
                return not t.removestops
            if positions:
                if pos is None:
                    pos = t.pos
                else:
                    pos += 1
                    t.pos = pos
            t.stopped = False
            return True

        for t in tokens:
            positions, chars = t.positions, t.chars
            if positions:
                t.pos += shift
            text = t.text
            if text[-1] == "s" and not text.islower():  # cheap tests first: this runs for every word
                plural = self._ACRONYM_PLURAL.match(text)
                if plural:
                    t.text = text = plural.group(1)
            if "'" in text or "’" in text:
                text = self._APOSTROPHES.sub("", self._POSSESSIVE.sub("", text))
            if "-" not in text:
                if chars and text != t.text:
                    t.endchar = t.startchar + len(self._POSSESSIVE.sub("", t.text))
                t.text = text
                if kept(t):
                    yield t
                continue
            parts = [p for p in text.split("-") if p]
            if not parts:
                continue
            start, first = (t.startchar if chars else 0), (t.pos if positions else 0)
            if t.mode == "index" and len(parts) > 1:
                t.text = "".join(parts)
                if kept(t):
                    yield t
            offset = 0
            for i, part in enumerate(parts):
                t.text = part
                if positions:
                    t.pos = first + i
                if chars:
                    # Offsets into the original word, for exact highlighting of each part.
                    offset = text.index(part, offset)
                    t.startchar, t.endchar = start + offset, start + offset + len(part)
                    offset += len(part)
                if kept(t):
                    yield t
            shift += len(parts) - 1


@functools.cache
def _accent_map() -> dict[int, str]:
    # Loaded on first use: building Whoosh's table costs a millisecond of every start, and
    # most searches are plain ASCII.
    from whoosh.support.charset import accent_map

    return accent_map


class Stemmer(Filter):
    """`stem` every word, remembering the stems of words seen (a plain dict: Whoosh's
    StemFilter cache costs much of the stemming). Skipped for spelling words."""

    is_morph = True
    CACHE_LIMIT = 200_000  # distinct words; past it the cache starts over

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stemmer)

    def __getstate__(self) -> dict:
        return {}  # processes that index in parallel start with their own cache

    def __setstate__(self, state: dict) -> None:
        self._cache = {}

    def __call__(self, tokens):
        cache = self._cache
        for t in tokens:
            if t.stopped:  # a stop word kept for highlighting: as written
                yield t
                continue
            text = t.text
            stemmed = cache.get(text)
            if stemmed is None:
                stemmed = bounded(cache, self.CACHE_LIMIT)[text] = stem(text)
            t.text = stemmed
            yield t


def text_analyzer() -> Analyzer:
    """The analyzer of every full-text field.

    Words (hyphenated compounds whole), then compounds and possessives, lowercase, accents
    folded (Behçet → behcet), stop words dropped with positions renumbered (phrases still
    match across them), stemming (`stem`).
    """
    return RegexTokenizer(WORD_PATTERN) | WordFilter(STOP_WORDS) | Stemmer()


class Indexing:
    """The terms `text_analyzer` indexes a text as, with their positions, computed a word at
    a time from the words it has met before.

    A build runs every word of the corpus through the analyzer's chain of generators, which
    costs several times the work itself; but what a word as written is indexed as (its parts,
    case, accents, stop word or not, stem) never depends on its neighbours. Only positions
    do, and they are simple: the first word kept keeps the analyzer's position (it counts the
    stop words before it, and the extra parts of hyphenated words), and each word after it
    takes the next one. So each written word is analyzed once and remembered.
    `tests/faqindex/test_indexing.py` checks the result against the analyzer's.
    """

    CACHE_LIMIT = 200_000  # distinct written words; past it the memory starts over

    def __init__(self) -> None:
        self._analyzer: Analyzer | None = None
        # written word → (the words kept of it, their stems as UTF-8)
        self._known: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {}

    def terms(self, text: str) -> tuple[dict[bytes, list[int]], list[str]]:
        """Each term of `text` (UTF-8) → its positions, in the order first met, and the
        words kept before stemming, in order: what the analyzer in "index" mode gives."""
        written = _WORDS.findall(text)
        known = self._known
        words: list[str] = []
        terms: list[bytes] = []
        first = None  # the index of the first written word that keeps a word
        for n, word in enumerate(written):
            entry = known.get(word) or self._learn(word)
            if entry[1]:
                words += entry[0]
                terms += entry[1]
                if first is None:
                    first = n
        positions: defaultdict[bytes, list[int]] = defaultdict(list)
        if first is None:
            return positions, words
        if any("-" in word for word in written[: first + 1]):
            # Hyphenated words before it shift its position: the analyzer tells it.
            if self._analyzer is None:
                self._analyzer = text_analyzer()
            first = next(iter(self._analyzer(text, positions=True, mode="index"))).pos
        for position, term in enumerate(terms, first):
            positions[term].append(position)
        return positions, words

    def _learn(self, written: str) -> tuple[tuple[str, ...], tuple[bytes, ...]]:
        token = Token(positions=True, removestops=True, mode="index")
        token.text, token.pos, token.boost, token.stopped = written, 0, 1.0, False
        kept = tuple(t.text for t in _WORD_FILTER([token]))
        entry = bounded(self._known, self.CACHE_LIMIT)[written] = (kept, tuple(stem(word).encode("utf-8") for word in kept))
        return entry


_WORD_FILTER = WordFilter(STOP_WORDS)


@functools.cache
def indexing() -> Indexing:
    """The process's `Indexing`: every field analyzed by `text_analyzer` shares what it learnt."""
    return Indexing()
