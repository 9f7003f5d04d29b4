"""What the index knows about words: which it holds, how common they are, and the nearest one to a typo.

Typo correction uses the index's own vocabulary (Whoosh's spelling support). A query word
is corrected only when no document contains it: a rare real word is never
"corrected" into a common one. Candidates come from the unstemmed words of the question and
question-and-answer text (`spelling=True` on `content` in the schema) through Whoosh's automaton search
(`terms_within`), and are ranked here by true edit distance, a swapped pair of letters
counting as one edit, then by how many documents use the word (its stem: the word list
keeps no counts). Whoosh's own correctors rank by frequency alone. A word of the English
dictionary (`search.english`) is no typo: it is corrected only into another form of itself
("smaller" into "small"), never into a different word ("having" into "healing").
"""

from __future__ import annotations

from collections.abc import Iterable
from math import log

from whoosh.query import Or, Phrase, Query, Term
from whoosh.searching import Searcher as WhooshSearcher

from faqindex.analysis import stem
from faqindex.caches import bounded
from faqindex.schema import SPELLING_FIELDS
from faqindex.statistics import UNKNOWN, Statistics

from . import english
from .budget import UNLIMITED, Budget
from .impacts import leaf_key

MIN_LENGTH = 4  # shorter words are too often acronyms or meant as typed
SMALL_INDEX = 5_000  # documents up to which typos are looked up in the word list read whole
CACHED = 4096  # words' suggestions and counts, and concepts' rarities, an open index keeps


class Vocabulary:
    """Knows which words the index holds, how rare they are, and the nearest word to a typo."""

    def __init__(self, searcher: WhooshSearcher, statistics: Statistics = UNKNOWN, fields: tuple[str, ...] = SPELLING_FIELDS) -> None:
        """`statistics`: the index's (what its deleted documents still add to term counts)."""
        self.searcher = searcher
        reader = self.reader = searcher.reader()
        self.fields, self.statistics = fields, statistics
        self._spelling = [(f, reader.schema[f].spelling_fieldname(f)) for f in fields if f in reader.schema]
        # All four depend on the index alone, which never changes under an open Vocabulary, and
        # the same words and concepts ("MS") come back query after query.
        self._suggestions: dict[str, str | None] = {}
        self._rarities: dict[tuple[str, ...], float] = {}
        self._documents: dict[tuple[str, str], int] = {}
        self._held: dict[str, bool] = {}
        self._words: dict[str, dict[str, list[str]]] = {}  # a small index's word lists, by first letter

    def documents(self, fieldname: str, text: str) -> int:
        """How many live documents hold the (analyzed) term `text` in `fieldname`."""
        key = (fieldname, text)
        if key not in self._documents:
            count = self.reader.doc_frequency(fieldname, text) - self.statistics.deleted_with(fieldname, text)
            bounded(self._documents, CACHED)[key] = count
        return self._documents[key]

    def known(self, term: str) -> bool:
        """Does any document hold this (analyzed) term?"""
        return any(self.documents(f, term) > 0 for f in self.fields)

    def holds_word(self, word: str) -> bool:
        """Does the index's word list (unstemmed, lower-case) hold `word`?"""
        if word not in self._held:
            bounded(self._held, CACHED)[word] = any((spelling, word) in self.reader for _, spelling in self._spelling)
        return self._held[word]

    def idf(self, queries: list[Query]) -> float:
        """BM25 idf of the documents matching any of `queries`: the rarity of one concept
        however it is written ("MS" or "multiple sclerosis")."""
        key = tuple(map(_matching, queries))
        if key not in self._rarities:
            total = self.reader.doc_count()
            matching = len(set(Or(queries).docs(self.searcher))) if queries else 0
            bounded(self._rarities, CACHED)[key] = log(1 + (total - matching + 0.5) / (matching + 0.5))
        return self._rarities[key]

    def suggest(self, word: str) -> str | None:
        """The nearest word in the index: one edit away for short words, two for longer ones."""
        word = word.lower()
        if word not in self._suggestions:
            bounded(self._suggestions, CACHED)[word] = self._nearest(word)
        return self._suggestions[word]

    def _nearest(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or not word.isalpha():
            return None
        maxdist = 1 if len(word) < 6 else 2
        dictionary_word = english.is_word(word)
        best: tuple[int, int, str] | None = None
        for field, spelling in self._spelling:
            # Levenshtein counts a swap as two edits, so look one further and rank by the true distance.
            # Most misspellings keep the first letter; requiring it keeps the search fast.
            for candidate in self._near(spelling, word, min(maxdist + 1, 2)):
                distance = edit_distance(word, candidate)
                if distance > maxdist or candidate == word:
                    continue
                if dictionary_word and not english.related(word, candidate):
                    continue
                documents = self.documents(field, stem(candidate))  # the word list holds no counts
                if documents <= 0:  # only in deleted documents
                    continue
                key = (distance, -documents, candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best else None

    def _near(self, spelling: str, word: str, maxdist: int) -> Iterable[str]:
        """The words of a spelling word list within `maxdist` edits (Levenshtein) of `word` and
        beginning with its first letter: what Whoosh's `terms_within(..., prefix=1)` finds.

        Whoosh builds an automaton for every word looked up (milliseconds each); for a small
        index, comparing the word with the list's words of its first letter and about its
        length is several times faster, and the list is read once per open index.
        """
        if self.reader.doc_count_all() > SMALL_INDEX:
            return self.reader.terms_within(spelling, word, maxdist, prefix=1)
        if spelling not in self._words:
            by_letter: dict[str, list[str]] = {}
            for term in self.reader.lexicon(spelling):
                text = term.decode("utf-8")
                by_letter.setdefault(text[:1], []).append(text)
            self._words[spelling] = by_letter
        return [
            other
            for other in self._words[spelling].get(word[:1], ())
            if abs(len(other) - len(word)) <= maxdist and edit_distance(word, other, swaps=False, bound=maxdist) <= maxdist
        ]

    def within(self, word: str, maxdist: int, prefix: int = 0, budget: Budget = UNLIMITED) -> set[str]:
        """Words of the index within `maxdist` edits (a swap of neighbours is one) of `word`,
        sharing its first `prefix` letters (for "word~N" queries). The word list is read
        once, words of another length skipped unread and the time budget checked as it
        goes: Whoosh's `terms_within` builds an automaton that grows with the word (minutes
        for a long one) and never looks at the clock."""
        typed = word.lower()
        start = typed[:prefix].encode("utf-8")
        found: set[str] = set()
        for field, spelling in self._spelling:
            for n, term in enumerate(self.reader.expand_prefix(spelling, start)):
                if not n % 512:
                    budget.check()
                text = term.decode("utf-8")
                if abs(len(text) - len(typed)) > maxdist:
                    continue
                if edit_distance(typed, text, bound=maxdist) <= maxdist and self.documents(field, stem(text)) > 0:
                    found.add(text)
        return found


def _matching(query: Query) -> object:
    """What decides which documents `query` matches (its boost does not)."""
    return leaf_key(query) if type(query) in (Term, Phrase) else repr(query)


def edit_distance(a: str, b: str, *, swaps: bool = True, bound: int | None = None) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of neighbours is one
    edit), or Levenshtein's without `swaps`. With a `bound`, some number above it as soon as
    the distance must exceed it."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if swaps and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if bound is not None and min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1]
