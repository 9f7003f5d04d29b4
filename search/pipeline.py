"""One search, stage by stage: prepare → collect → rank → fill → count.

A `QueryPipeline` is made for each query from what its `Searcher` holds open (`OpenIndex`)
and runs once; each stage hands the next what it made, so the query flows one way, and
none of them reaches back into the `Searcher`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh.collectors import TimeLimit
from whoosh.query import Or, Query, Term
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results as WhooshResults

from faqindex.schema import QUESTION_KEY_FIELD, question_key
from faqindex.stored import answer_of, place_of, source_of
from faqindex.whoosh_internals import holds_term

from . import documents
from . import highlight as highlights
from .budget import UNLIMITED, Budget
from .collapse import NearDuplicates
from .collect import Deadline, TopWithTies
from .fit import fit, weak
from .impacts import Impacts, flat
from .query import PreparedQuery, QueryBuilder, binary_unions, is_empty
from .ranking import RankingSettings
from .results import Hit, Results
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from .meaning import MeaningRanker

DUPLICATE_LOOKAHEAD = 5
RERANK_DEPTH = 30  # hits whose scores the proximity of query words may still change
EXACT_COUNT_LIMIT = 20_000  # above this many documents a count of all matches is estimated


@dataclass(frozen=True)
class OpenIndex:
    """One generation of the index as a `Searcher` opened it: everything a search reads."""

    searcher: Any  # Whoosh's searcher of the generation
    generation: Path
    builder: QueryBuilder
    vocabulary: Vocabulary
    impacts: Impacts


@dataclass(frozen=True)
class Asked:
    """What the caller asked of a search besides its text."""

    limit: int = 10
    highlight: bool = True
    exact: bool = False
    explain: bool = False


@dataclass
class Ranking:
    """The ranked candidates, and what ranking by meaning did to them: each one's meaning part
    by document number, and the best word score the word scores were divided by."""

    hits: list[tuple[WhooshHit, float]]
    meaning: dict[int, float] = field(default_factory=dict)
    word_scale: float = 1.0


class QueryPipeline:
    """One query's search over `index`, ranked by `ranking` and `meaning` (None: the words
    alone), within `budget`."""

    def __init__(self, index: OpenIndex, meaning: MeaningRanker | None, ranking: RankingSettings, budget: Budget = UNLIMITED) -> None:
        self.index, self.meaning, self.ranking, self.budget = index, meaning, ranking, budget

    def run(self, query: str, asked: Asked) -> Results:
        """The answers to `query`, as `Searcher.results` returns them (without `took_ms`)."""
        prepared = self.prepare(query, asked.exact)
        corrected = prepared.searched if prepared.corrections else None
        results = Results(query, 0, [], corrected, prepared.corrections, prepared.expansions, missing=prepared.missing)
        results.ranked_by = self.meaning.ranked_by if self.meaning is not None else "words"
        if is_empty(prepared.query):
            return results
        # A few more than asked for, so that folding duplicates still fills the page, and
        # enough for the proximity of query words to reorder the best of them.
        depth = max(asked.limit + DUPLICATE_LOOKAHEAD, RERANK_DEPTH if prepared.proximity else 0)
        if self.meaning is not None:
            depth = max(depth, self.meaning.depth)
        found, candidates, matched = self.collect(prepared.query, depth)
        ranking = self.rank(prepared, candidates, depth)
        folded = self.fill(results, prepared, ranking, asked)
        self.budget.check()
        results.total, results.total_exact = _total(self.index.searcher, prepared.query, found, matched, folded)
        return results

    def prepare(self, query: str, exact: bool) -> PreparedQuery:
        """The Whoosh query for the text, with its corrections (unless `exact`) and expansions."""
        return self.index.builder.build(query, self.index.vocabulary, correct=not exact, budget=self.budget)

    def collect(self, query: Query, depth: int) -> tuple[Any, list[WhooshHit], int | None]:
        """Whoosh's results for the best `depth` documents and all tied with the last of them,
        those hits, and how many documents match (None when not every match was collected)."""
        searcher = self.index.searcher
        leaves = flat(query)
        if leaves is not None:  # a plain query: the sum of its leaves' kept scores
            top = self.index.impacts.top(leaves, depth, self.budget)
            found = WhooshResults(searcher, query, top.best)
            return found, found[: found.scored_length()], top.total
        collector = TopWithTies(limit=depth)
        timed = Deadline(collector, self.budget)
        try:
            searcher.search_with_collector(query, timed)
        except TimeLimit:
            raise self.budget.timeout() from None
        found = timed.results()
        # Not list(found): list() asks len() for a size hint, and Whoosh's len() counts every
        # match by running the query again.
        return found, found[: found.scored_length()], found.scored_length() if collector.complete() else None

    def rank(self, prepared: PreparedQuery, candidates: list[WhooshHit], depth: int) -> Ranking:
        """The candidates best first: raised by the proximity of the query's words, re-scored
        by meaning (when on), and the document whose question was typed first."""
        # Ties at the cut were collected only to be ordered the same however the index was
        # built; past `depth` they are dropped, or thousands of tied hits would be folded.
        ranking = Ranking(_reranked(self.index.impacts, candidates, prepared.proximity, self.budget)[:depth])
        if self.meaning is not None and ranking.hits:
            self.budget.check()
            ranking.hits, ranking.meaning, ranking.word_scale = self.meaning.rerank(prepared.searched, ranking.hits)
        ranking.hits = _asked_first(self.index.searcher, ranking.hits, prepared.text)
        return ranking

    def fill(self, results: Results, prepared: PreparedQuery, ranking: Ranking, asked: Asked) -> int:
        """Add the top `asked.limit` hits to `results`, each near-duplicate answer folded into
        the first like it; count those that fit well and judge the best one. Returns how
        many were folded."""
        folder = NearDuplicates()
        folded = fitting = 0
        # Hits are in order of score: those that fit well come first, and are counted past the limit.
        well = ranking.hits[0][1] * self.ranking.fitting_share if ranking.hits and ranking.hits[0][1] > 0 else float("inf")
        for hit, score in ranking.hits:
            self.budget.check()
            answer = answer_of(hit.fields())
            first = folder.first_like(answer)
            if first is not None:
                results.hits[first].duplicates.append(source_of(hit.fields()))
                folded += 1
                continue
            if len(results.hits) == asked.limit:
                if score < well:
                    break
                fitting += 1
                continue
            fitting += score >= well
            entry = _hit(len(results.hits) + 1, hit, score, asked.highlight)
            if asked.explain:
                entry.explanation = self.explain(prepared, ranking, hit)
            folder.add(answer)
            if not results.hits and prepared.clauses:
                self.judge(results, prepared, hit)
            results.hits.append(entry)
        results.fitting = 0 if results.weak else fitting
        return folded

    def judge(self, results: Results, prepared: PreparedQuery, best: WhooshHit) -> None:
        """How well the best hit fits the query (`Results.fit`, `.closeness`, `.weak`)."""
        results.fit = fit(self.index.impacts, self.index.vocabulary, prepared.clauses, best.docnum)
        # Ranking by meaning may have found the answer in other words: it judges then.
        if self.meaning is None:
            results.weak = weak(results.fit)
        else:
            results.closeness = self.meaning.closeness(prepared.searched, best.docnum, best.fields())
            results.weak = self.meaning.weak(results.fit, results.closeness)

    def explain(self, prepared: PreparedQuery, ranking: Ranking, hit: WhooshHit) -> list[Any]:
        """The parts of a hit's score (`Hit.explanation`)."""
        from .explain import explanation  # only for --explain: not loaded by every search

        query = binary_unions(Or([prepared.query, *prepared.proximity]))
        return explanation(self.index.searcher, query, hit.docnum, ranking.word_scale, ranking.meaning.get(hit.docnum))


def _total(searcher: Any, query: Query, found: Any, matched: int | None, folded: int) -> tuple[int, bool]:
    """How many documents match (less those folded into another hit), and whether exactly."""
    if matched is not None:  # every match was seen: the count is free
        return matched - folded, True
    if searcher.doc_count() <= EXACT_COUNT_LIMIT:
        return len(found) - folded, True  # runs the query again, unscored
    # Not `found.estimated_length()`: behind the time-limit wrapper it counts exactly,
    # running the whole query again (half the time of a search at 200,000 documents).
    estimate = query.estimate_size(searcher.reader())
    return max(min(estimate, searcher.doc_count()), found.scored_length()), False


def _reranked(impacts: Impacts, hits: list[WhooshHit], pairs: list[Query], budget: Budget = UNLIMITED) -> list[tuple[WhooshHit, float]]:
    """(hit, score) best first, each score raised by the proximity pairs matching that document."""
    scores = {hit.docnum: float(hit.score) for hit in hits}
    if pairs and hits:
        docnums = sorted(scores)
        for pair in pairs:
            budget.check()
            for docnum, score in zip(docnums, impacts.scores_at(pair, docnums)):
                if score is not None:
                    scores[docnum] += score  # the pair's weight is its boost
    # Ties go by source and position, not by the internal document number, so the order is
    # the same however the index was built (whole, or updated file by file). Only ties need
    # a document's stored fields read.
    ranked = sorted(((round(scores[hit.docnum], 9), hit) for hit in hits), key=itemgetter(0), reverse=True)
    ordered: list[tuple[WhooshHit, float]] = []
    for _, group in groupby(ranked, key=itemgetter(0)):
        tied = [(hit, scores[hit.docnum]) for _, hit in group]
        if len(tied) > 1:
            budget.check()
            tied.sort(key=lambda pair: _tie_order(pair[0], budget))
        ordered.extend(tied)
    return ordered


def _asked_first(searcher, ranked: list[tuple[WhooshHit, float]], query: str) -> list[tuple[WhooshHit, float]]:
    """The documents whose question is the query itself (case and punctuation aside) first,
    scoring as much as the best hit: the reader asked exactly that."""
    key = question_key(query)
    if not key or not ranked:
        return ranked
    if not holds_term(searcher.reader(), QUESTION_KEY_FIELD, searcher.schema[QUESTION_KEY_FIELD].to_bytes(key)):
        return ranked
    asked = set(searcher.docs_for_query(Term(QUESTION_KEY_FIELD, key)))
    if not asked:
        return ranked
    best = ranked[0][1]
    first = [(hit, max(score, best)) for hit, score in ranked if hit.docnum in asked]
    return first + [pair for pair in ranked if pair[0].docnum not in asked]


def _tie_order(hit: WhooshHit, budget: Budget) -> tuple[str, int]:
    """Where a document stands among documents of equal score: its source, then its position.
    (Thousands of ties each read a document's stored fields: the budget is checked as they are.)"""
    if not hit.docnum % 64:
        budget.check()
    return place_of(hit.fields())


def _hit(rank: int, hit, score: float, highlight: bool) -> Hit:
    found = documents.from_fields(hit.fields())
    return Hit(
        rank=rank,
        score=round(score, 4),
        id=found.id,
        question=found.question,
        answer=found.answer,
        source=found.source,
        highlights=highlights.answer_highlights(hit, found.answer) if highlight else [],
        title=found.title,
        section=found.section,
        position=found.position,
        alternates=found.alternates,
        url=found.url,
        description=found.description,
    )
