"""Each word's and phrase's scores over the whole index, kept per open index, so that a query
made of them is ranked as a weighted sum of arrays instead of by Whoosh's tree of matchers.

A plain query (words, their other forms, synonyms and acronyms, spread over the fields) is
an `Or` of `Or`s over `Term`s and `Phrase`s, each with a boost. Whoosh answers it by walking
a binary tree of union matchers document by document, in Python: on the article that walk,
and the proximity spans found the same way, were most of a search. Its score for a document
is the sum, over the leaves the document matches, of the leaf's score times the boosts on
the way down. So each leaf's matches and scores are read once, through Whoosh's own
matcher and weighting (the scores are Whoosh's to the last bit), and kept as two arrays;
a search adds them up. Whoosh remains the index of record and the scorer; what is kept
depends on the open index alone (never on a query's results), and at most `KEPT`
postings (and `KEPT_LEAVES` leaves) are kept, the least recently used dropped first.

Queries with any other shape (AND, NOT, wildcards, fuzzy terms, a minimum to match) are
left to Whoosh's matchers (`flat` returns None for them).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.query import NullQuery, Or, Phrase, Query, Term
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

from faqindex.whoosh_internals import length_bytes, posting_blocks

from .budget import UNLIMITED, Budget
from .matching import score_at

KEPT = 4_000_000  # postings an open index keeps scored (12 bytes each)
KEPT_LEAVES = 65_536  # and leaves, however few postings each has (a word no document holds has none)
# A leaf asked about a few documents (proximity, fit) is read whole only up to this many
# estimated matches; past it, Whoosh's matcher is asked about just those documents.
READ_WHOLE = 10_000
FEW = 256  # matches of one leaf looked up in a dictionary rather than by array operations
CHECK_EVERY = 4096  # postings read between two looks at the search's deadline

_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)

Leaf = tuple  # a leaf query's identity without its boost: (kind, field, text or words, slop)


@dataclass(frozen=True)
class Weighted:
    """One leaf of a flat query and the product of the boosts above and on it."""

    leaf: Query
    weight: float


def flat(query: Query, weight: float = 1.0) -> list[Weighted] | None:
    """The leaves (terms and phrases) of a query made only of ORs of them, each with its
    weight; None for any other query (Whoosh's matchers score it)."""
    if query is NullQuery:
        return []
    if type(query) is Term or type(query) is Phrase:
        return [Weighted(query, weight * query.boost)]
    if type(query) is Or and not query.minmatch and not query.scale:
        leaves: list[Weighted] = []
        for sub in query.subqueries:
            found = flat(sub, weight * query.boost)
            if found is None:
                return None
            leaves.extend(found)
        return leaves
    return None


def leaf_key(leaf: Query) -> Leaf:
    """A term's or phrase's identity without its boost: what decides the documents it matches."""
    if type(leaf) is Phrase:
        return ("phrase", leaf.fieldname, tuple(leaf.words), leaf.slop)
    return ("term", leaf.fieldname, leaf.text)


@dataclass
class Top:
    """The best documents of a flat query: (score, docnum) best first (ties by docnum, as
    Whoosh orders them), and how many documents matched in all."""

    best: list[tuple[float, int]]
    total: int


class Impacts:
    """The scored postings of the leaves queries have used, for one open Whoosh searcher."""

    def __init__(self, searcher: Any, kept: int = KEPT) -> None:
        self.searcher = searcher
        self.kept = kept
        self._documents = searcher.doc_count_all()
        self._field_lengths: dict[tuple[int, str], np.ndarray] = {}
        self._leaves: OrderedDict[Leaf, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._size = 0

    def of(self, leaf: Query, budget: Budget = UNLIMITED) -> tuple[np.ndarray, np.ndarray]:
        """The document numbers (ascending) a leaf matches and its unboosted score in each."""
        key = leaf_key(leaf)
        found = self._leaves.get(key)
        if found is not None:
            self._leaves.move_to_end(key)
            return found
        found = self._read(leaf.with_boost(1.0), budget)
        self._leaves[key] = found
        self._size += len(found[0])
        while (self._size > self.kept or len(self._leaves) > KEPT_LEAVES) and len(self._leaves) > 1:
            _, (dropped, _) = self._leaves.popitem(last=False)
            self._size -= len(dropped)
        return found

    def _read(self, leaf: Query, budget: Budget) -> tuple[np.ndarray, np.ndarray]:
        docnums: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        context = self.searcher.context()
        for sub, offset in self.searcher.leaf_searchers():
            read = self._read_term(sub, leaf, context.weighting, budget) if type(leaf) is Term else None
            ids, values = read if read is not None else self._read_matches(sub, leaf, context, budget)
            docnums.append(ids + offset)
            scores.append(values)
            budget.check()
        if not docnums:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        return np.concatenate(docnums).astype(np.int32), np.concatenate(scores)

    def _read_matches(self, sub: Any, leaf: Query, context: Any, budget: Budget) -> tuple[np.ndarray, np.ndarray]:
        """A leaf's matches in one segment and their scores, one Whoosh matcher step at a time."""
        docnums: list[int] = []
        scores: list[float] = []
        matcher = leaf.matcher(sub, context)
        while matcher.is_active():
            docnums.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
            if not len(docnums) % CHECK_EVERY:
                budget.check()
        return np.array(docnums, dtype=np.int64), np.array(scores, dtype=np.float64)

    def _read_term(self, sub: Any, term: Term, weighting: Any, budget: Budget = UNLIMITED) -> tuple[np.ndarray, np.ndarray] | None:
        """A word's postings in one segment, scored as arrays by the formula of Whoosh's BM25F
        scorer (`whoosh.scoring.bm25`, the same operations in the same order, so the same
        floating-point results), with the values its scorer holds; None when the word's
        postings or its field are not of the kind read this way."""
        reader = sub.reader()
        if term.fieldname not in sub.schema or not sub.schema[term.fieldname].scorable:
            return None
        text = sub.schema[term.fieldname].to_bytes(term.text)
        if (term.fieldname, text) not in reader:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        scorer = weighting.scorer(sub, term.fieldname, text)
        if not isinstance(scorer, BM25FScorer) or type(scorer)._score is not BM25FScorer._score:
            return None  # another formula: Whoosh's matcher scores it
        postings = reader.postings(term.fieldname, text)
        if reader.has_deletions():
            postings = postings.child  # inside Whoosh's filter of deleted documents (applied below)
        blocks = posting_blocks(postings)
        if blocks is None:
            return None
        ids_read, weights_read = [], []
        for ids, weights in blocks:
            ids_read.append(np.asarray(ids, dtype=np.int64))
            weights_read.append(np.asarray(weights, dtype=np.float64))
            if not len(ids_read) % (CHECK_EVERY // 128):  # blocks hold up to 128 postings
                budget.check()
        if not ids_read:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ids = np.concatenate(ids_read)
        tf = np.concatenate(weights_read)
        if reader.has_deletions():
            live = ~np.isin(ids, np.fromiter(reader.deleted_docs_set, dtype=np.int64))
            ids, tf = ids[live], tf[live]
        fl = self._lengths(reader, term.fieldname)[ids]
        idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
        return ids, idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))

    def _lengths(self, reader: Any, fieldname: str) -> np.ndarray:
        """Each document's length of a field in one segment, as Whoosh's scorer reads it."""
        key = (id(reader), fieldname)
        if key not in self._field_lengths:
            stored = length_bytes(reader, fieldname)
            if stored is None:  # Whoosh's scorer reads a length of 1 then
                self._field_lengths[key] = np.ones(reader.doc_count_all())
            else:
                self._field_lengths[key] = _BYTE_LENGTHS[np.frombuffer(stored, dtype=np.uint8)]
        return self._field_lengths[key]

    def scores_at(self, query: Query, docnums: list[int]) -> list[float | None]:
        """The score `query` gives each of `docnums` (ascending), None where it does not match:
        from the kept scores when the query is plain and its leaves are cheap to have, else
        from Whoosh's matcher asked about those documents alone."""
        leaves = flat(query)
        if leaves is not None and self._cheap(leaves):
            if len(leaves) == 1:  # one leaf (a proximity pair): its few matches looked up one by one
                ids, scores = self.of(leaves[0].leaf)
                if len(ids) <= FEW:
                    weight, found = leaves[0].weight, dict(zip(ids.tolist(), scores.tolist()))
                    return [found[docnum] * weight if docnum in found else None for docnum in docnums]
            return self._summed_at(leaves, docnums)
        matcher = query.matcher(self.searcher, self.searcher.context())
        return [score_at(matcher, docnum) for docnum in docnums]

    def matches(self, query: Query, docnum: int) -> bool:
        """Whether `query` matches document `docnum`: `scores_at(query, [docnum])[0] is not
        None`, without scoring (a plain query's leaves are looked at until one matches)."""
        leaves = flat(query)
        if leaves is None or not self._cheap(leaves):
            return self.scores_at(query, [docnum])[0] is not None
        for item in leaves:
            ids = self.of(item.leaf)[0]
            at = int(ids.searchsorted(docnum))
            if at < len(ids) and ids[at] == docnum:
                return True
        return False

    def _cheap(self, leaves: list[Weighted]) -> bool:
        """Whether every leaf is kept already or small enough to read whole."""
        reader = self.searcher.reader()
        return all(leaf_key(item.leaf) in self._leaves or item.leaf.estimate_size(reader) <= READ_WHOLE for item in leaves)

    def _summed_at(self, leaves: list[Weighted], docnums: list[int]) -> list[float | None]:
        """Each document's score for these leaves together, None where none matches it."""
        wanted = np.asarray(docnums, dtype=np.int32)
        total = np.zeros(len(wanted))
        matched = np.zeros(len(wanted), dtype=bool)
        for item in leaves:
            ids, scores = self.of(item.leaf)
            if not len(ids):
                continue
            at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
            here = ids[at] == wanted
            total[here] += scores[at[here]] * item.weight
            matched |= here
        return [float(score) if hit else None for score, hit in zip(total.tolist(), matched.tolist())]

    def top(self, leaves: list[Weighted], depth: int, budget: Budget = UNLIMITED) -> Top:
        """The `depth` best documents and every document tied with the last of them."""
        read: list[np.ndarray] = []
        weighted: list[np.ndarray] = []
        for item in leaves:
            budget.check()
            ids, scores = self.of(item.leaf, budget)
            read.append(ids)
            weighted.append(scores * item.weight)
        if not read:
            return Top([], 0)
        # Summed in one pass, leaf after leaf for each document (the order of adding one
        # leaf's array at a time, so the same sums to the last bit), instead of three
        # array operations per leaf: a question has dozens of leaves.
        every = np.concatenate(read)
        total = np.bincount(every, weights=np.concatenate(weighted), minlength=self._documents)
        matched = np.zeros(self._documents, dtype=bool)
        matched[every] = True
        found = np.flatnonzero(matched)
        scores = total[found]
        if len(found) > depth:
            # The depth-th best score; everything scoring at least that is kept (the ties too).
            bar = np.partition(scores, len(found) - depth)[len(found) - depth]
            keep = scores >= bar
            found, scores = found[keep], scores[keep]
        order = np.lexsort((found, -scores))
        return Top(list(zip(scores[order].tolist(), found[order].tolist())), int(matched.sum()))
