"""The public search API: `Searcher`, `Hit` and `Results`."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.collectors import TimeLimit
from whoosh.query import Or, Query, Term
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results as WhooshResults

from faqindex import building, config, related, sentence, store
from faqindex.building import Builder
from faqindex.errors import (
    FaqsearchError,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IndexWriteError,
)
from faqindex.schema import QUESTION_KEY_FIELD, question_key, stored_questions
from faqindex.statistics import Statistics
from faqindex.whoosh_internals import apply_reading_fixes, holds_term

from . import documents
from . import highlight as highlights
from .budget import UNLIMITED, Budget
from .collapse import NearDuplicates
from .collect import Deadline, TopWithTies
from .documents import Document, Related
from .fit import fit, weak
from .impacts import Impacts, flat
from .query import PreparedQuery, QueryBuilder, binary_unions, is_empty
from .ranking import DEFAULT_RANKING, RankingSettings
from .synonyms import acronym_rules, read_synonyms
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from indexer import BuildStats

    from .explain import ScorePart
    from .meaning import MeaningRanker

apply_reading_fixes()
PathLike = str | os.PathLike[str]
DUPLICATE_LOOKAHEAD = 5
STORED_CACHE = 2048  # documents whose stored fields an open index keeps
RERANK_DEPTH = 30  # hits whose scores the proximity of query words may still change
EXACT_COUNT_LIMIT = 20_000  # above this many documents a count of all matches is estimated
TIME_BUDGET = 5.0  # seconds a search may take before it is stopped
RELATED = 3  # questions `document` relates to each one
BUILD_WAIT = 60.0  # seconds a first build waits for another process's build of the same index


@dataclass
class Hit:
    """One answer found by a search.

    `highlights` are fragments of the answer, HTML-escaped, with matched words wrapped in
    `<mark>` and `</mark>`. `alternates` are other phrasings of the same question.
    `duplicates` are the sources of near-identical answers folded into this hit. `url` and
    `description` are the source page's canonical address and summary, when it gave them.
    `explanation` (only when asked for) lists the score of each matched part of the query.
    """

    rank: int
    score: float
    id: str
    question: str
    answer: str
    source: str
    highlights: list[str]
    title: str = ""
    section: str = ""
    position: int = 0
    alternates: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    url: str = ""
    description: str = ""
    explanation: list[ScorePart] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (`explanation` only when it was asked for)."""
        data = asdict(self)
        if self.explanation is None:
            del data["explanation"]
        return data


@dataclass
class Results:
    """The answers to one query: `total` counts every match, `hits` holds the top ones.

    `total_exact` is False when the index is so large that `total` is an estimate (an upper
    bound). When a word of the query was not in the index and was corrected, `corrected_query` is
    the text actually searched and `corrections` lists (typed, used) pairs. `expansions`
    lists the synonyms, acronyms and word forms the search also looked for, as (typed, also
    searched). `missing` lists the words typed that no document holds in any form (nor as a
    typo of one): the hits match the rest of the query only. `weak` is True when even the
    best hit holds too little of what the query asks: `fit` is the share it holds, its words
    weighed by rarity (`search.fit`; None for queries with syntax, which say what to match),
    and `closeness` how close the best hit is in meaning (a cosine; None with the words
    alone). `ranked_by` names what ranked by meaning: a sentence model's name, "static"
    (the shipped static model) or "words" (the words alone). `took_ms` is the time the
    search took, in milliseconds (as Elasticsearch's `took`). `fitting` counts the answers
    that fit the query well (scoring nearly as well as the best; none for a weak match):
    `total` also counts every answer that only mentions a word of it, as "ms" is in almost
    every answer of the article. `count_text()` says both for a person.
    """

    query: str
    total: int
    hits: list[Hit]
    corrected_query: str | None = None
    corrections: list[tuple[str, str]] = field(default_factory=list)
    expansions: list[tuple[str, str]] = field(default_factory=list)
    total_exact: bool = True
    missing: list[str] = field(default_factory=list)
    fit: float | None = None
    closeness: float | None = None
    weak: bool = False
    ranked_by: str = "words"
    took_ms: float = 0.0
    fitting: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: {"query", "corrected_query", "total", "hits": [...], ...}."""
        return {
            "query": self.query,
            "corrected_query": self.corrected_query,
            "total": self.total,
            "total_exact": self.total_exact,
            "hits": [h.to_dict() for h in self.hits],
            "corrections": [list(pair) for pair in self.corrections],
            "expansions": [list(pair) for pair in self.expansions],
            "missing": self.missing,
            "fit": None if self.fit is None else round(self.fit, 4),
            "closeness": None if self.closeness is None else round(self.closeness, 4),
            "weak_match": self.weak,
            "ranked_by": self.ranked_by,
            "took_ms": self.took_ms,
            "fitting": self.fitting,
        }

    def count_text(self) -> str:
        """How many answers were found, for a person: those that fit well apart from those
        that only mention the query's words, when they differ ("2 answers fit “iron
        deficiency” well, of 39 that mention its words")."""
        shown = self.corrected_query or self.query
        about = "" if self.total_exact else "about "
        if not self.fitting:
            return f"{about}{self.total} {_answers(self.total)} mention “{shown}”" if self.total else f"no answers for “{shown}”"
        if self.fitting >= self.total:
            return f"{about}{self.total} {_answers(self.total)} for “{shown}”"
        fit = "fits" if self.fitting == 1 else "fit"
        return f"{self.fitting} {_answers(self.fitting)} {fit} “{shown}” well, of {about}{self.total} that mention its words"


def _answers(count: int) -> str:
    return "answer" if count == 1 else "answers"


class Searcher:
    """Searches one index directory.

    Use it as a context manager, or keep one for many searches: it notices when another
    process rebuilds the index and switches to the new one.

        with Searcher() as s:
            for hit in s.search("iron deficiency"):
                print(hit.rank, hit.question)

    With `auto_build` (the default), a missing, damaged or stale index is (re)built from the
    corpus first: `corpus` if given, else the corpus the index was built from, else
    `$FAQSEARCH_CORPUS` or the shipped article. `built` then holds the build's statistics,
    and `corpus` the corpus searched. A stale index that cannot be updated now (another
    process is building it, or its directory cannot be written) is searched as it is,
    without waiting; `notices` then says so, in sentences for a person. `build` is what
    builds (default: the installed indexer's `build_index`, loaded only when a build is
    needed; see `faqindex.building`), and `progress` follows a build as the builder's does.

    `synonyms` is a synonyms file (default: `$FAQSEARCH_SYNONYMS`, else the shipped one;
    pass `False` for none); acronyms mined from the corpus are always used. `ranking`
    changes how hits are scored (see `RankingSettings`). A search running longer than
    `time_budget` seconds is stopped with a QueryError, so no pattern can hang a caller.
    Searches rank by meaning as well as by words: the best 100 hits are re-scored by the
    similarity of the query to each question and answer, and scores are then on that scale.
    The sentence model ranks when one is installed (`faqsearch model install`) or configured
    (`$FAQSEARCH_MODEL`), else the static model shipped in the package (`search.meaning`);
    `semantic=False` (or `$FAQSEARCH_STATIC`) always takes the static model, `semantic=True`
    a sentence model or SemanticUnavailable, `semantic=DIR` the sentence model in that
    directory (`faqindex.sentence.choose`). `meaning=False` ranks by the words alone. The
    documents' vectors are made when the index is built; an index without the sentence
    model's is ranked with the static model, and `notices` says so.

    A Searcher is safe to share between threads (a web server's workers, say): searches
    take turns on its open index, which Whoosh's readers need (they share file positions
    and caches), and which costs no throughput under the GIL since a search is Python work.
    A switch to a rebuilt index happens between two searches, never during one.
    """

    def __init__(
        self,
        index_dir: PathLike | None = None,
        *,
        corpus: PathLike | None = None,
        auto_build: bool = True,
        synonyms: PathLike | bool | None = None,
        ranking: RankingSettings = DEFAULT_RANKING,
        time_budget: float = TIME_BUDGET,
        meaning: bool = True,
        semantic: bool | PathLike | None = None,
        build: Builder | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        self.index_dir: Path = Path(index_dir).expanduser() if index_dir is not None else config.default_index_dir()
        self._settings = {"synonyms": synonyms, "ranking": ranking, "time_budget": time_budget, "meaning": meaning}
        self._count = 0
        self.built: BuildStats | None = None
        self._build_index = build or building.build
        self._progress = progress
        self.notices: list[str] = []
        self.corpus: Path | None = None  # the corpus searched, when this Searcher checked it
        self.ranking = ranking
        self.time_budget = time_budget
        self._synonym_rules = [] if synonyms is False else read_synonyms(
            config.default_synonyms() if synonyms in (None, True) else Path(synonyms)  # type: ignore[arg-type]
        )
        self._searcher = None
        self._builder: QueryBuilder | None = None
        self._vocabulary: Vocabulary | None = None
        self._impacts: Impacts | None = None
        self._stamp: tuple[int, int] | None = None
        self._meaning: MeaningRanker | None = None
        self._lock = threading.RLock()
        self._model = sentence.choose(semantic)  # a build embeds with it too
        if meaning:
            from .meaning import StaticMeaning

            static = StaticMeaning(ranking.meaning_weight)
            self._meaning = static
            if self._model is not None:
                from .semantic import SentenceMeaning  # the sentence model: only when there is one

                self._meaning = SentenceMeaning(self._model, ranking.sentence_weight, static)
        if not auto_build:
            self._open()
            return
        source = self._refresh_from_corpus(Path(corpus).expanduser() if corpus is not None else None)
        self.corpus = source.resolve()
        try:
            self._open()
        except IndexCorruptError:  # damage the corpus check cannot see (a segment, the manifest)
            self._build(source, full=True)
            self._open()

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def _refresh_from_corpus(self, corpus: Path | None) -> Path:
        """Build or update the index when it is missing, damaged or older than the corpus;
        returns the corpus it belongs to."""
        indexed = store.indexed_corpus(self.index_dir)
        if corpus is None and config.corpus_from_environment() is None and indexed is not None:
            if not indexed[0].exists():
                return indexed[0]  # the corpus is gone: keep searching what was indexed
            corpus = indexed[0]
        corpus = corpus or config.default_corpus()
        if not store.is_stale(self.index_dir, corpus, indexed):
            return corpus
        live = indexed is not None and indexed[0] == corpus.resolve()
        if not live:
            self._build(corpus)  # nothing of this corpus to answer from: wait for the lock
            return corpus
        # A search never waits for a build, nor fails for want of one: the index as it is
        # answers, and `notices` says it may be behind the corpus.
        try:
            self._build(corpus, lock_timeout=0)
        except IndexBusyError:
            self.notices.append("another faqsearch is updating the index: answers come from the index as it was")
        except IndexWriteError as exc:
            self.notices.append(f"could not update the index ({exc}): answers come from the index as it was")
        return corpus

    def _build(self, corpus: Path, full: bool = False, lock_timeout: float = BUILD_WAIT) -> None:
        self.built = self._build_index(
            corpus, self.index_dir, full=full, lock_timeout=lock_timeout, model=self._model, progress=self._progress
        )

    def _open(self) -> None:
        generation = store.current_generation(self.index_dir)
        if generation is None:
            raise IndexMissingError(f"no index in {self.index_dir}: run `faqsearch index` first")
        manifest = store.read_manifest(generation)
        stamp = store.pointer_stamp(self.index_dir)
        statistics = Statistics.read(generation)
        try:
            ix = whoosh_index.open_dir(str(generation))
            searcher = ix.searcher(weighting=self.ranking.weighting(statistics))
            # A document's stored fields, read once per open index: the same answers come
            # back search after search (and only read, never changed).
            searcher.stored_fields = functools.lru_cache(maxsize=STORED_CACHE)(searcher.stored_fields)
        except Exception as exc:  # Whoosh reports damage with many exception types
            raise IndexCorruptError(f"index in {self.index_dir} is damaged ({type(exc).__name__}: {exc})") from None
        if self._meaning is not None:
            try:
                self._meaning.follow(generation, searcher.reader())
            except IndexCorruptError:
                searcher.close()
                raise
            notice = getattr(self._meaning, "notice", None)
            if notice and notice not in self.notices:
                self.notices.append(notice)
        self.close()
        self._searcher, self._stamp, self._generation = searcher, stamp, generation
        self._count = searcher.doc_count()
        builder = QueryBuilder(self._synonym_rules + acronym_rules(manifest.acronyms), self.ranking, generation)
        self._builder, self._vocabulary = builder, Vocabulary(searcher, statistics)
        self._impacts = Impacts(searcher)

    @property
    def meaning(self) -> MeaningRanker | None:
        """The ranker by meaning (`search.meaning.MeaningRanker`), None with the words alone."""
        return self._meaning

    @property
    def ranked_by(self) -> str:
        """What ranks by meaning now: a sentence model's name, "static" or "words"."""
        with self._lock:
            self._current()
            return self._meaning.ranked_by if self._meaning is not None else "words"

    @property
    def acronyms(self) -> dict[str, list[str]]:
        """The acronyms mined from the corpus: acronym → its long forms."""
        generation = store.current_generation(self.index_dir)
        return store.read_manifest(generation).acronyms if generation else {}

    def _current(self):
        """The open Whoosh searcher, switched first if another process swapped the index.

        Take it once per search: a second call may switch again and close the first.
        """
        if store.pointer_stamp(self.index_dir) != self._stamp:
            self._open()
        return self._searcher

    # -- searching -------------------------------------------------------------------------

    def prepare(self, query: str, *, exact: bool = False) -> PreparedQuery:
        """The Whoosh query that `results` would run, with its corrections and expansions."""
        with self._lock:
            self._current()
            return self._prepare(query, exact)

    def _prepare(self, query: str, exact: bool, budget: Budget = UNLIMITED) -> PreparedQuery:
        assert self._builder is not None
        return self._builder.build(query, self._vocabulary, correct=not exact, budget=budget)

    def results(
        self,
        query: str,
        limit: int = 10,
        *,
        highlight: bool = True,
        exact: bool = False,
        explain: bool = False,
    ) -> Results:
        """Search and return the top `limit` hits with the total number of matches.

        Words that no document contains are corrected to the nearest word of the index
        unless `exact`. Near-identical answers are folded into the best-ranked one.
        `highlight=False` skips the fragments (faster; `Hit.highlights` is then empty);
        `explain=True` fills `Hit.explanation`. Raises QueryError when the query cannot be
        parsed (the message says why).
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        # A lone surrogate (a command line's byte that is no UTF-8) cannot be analyzed or
        # written: it becomes the replacement character.
        query = query.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if not query.isascii() else query
        started = time.perf_counter()
        with self._lock:
            results = self._results(query, limit, highlight, exact, explain)
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def _results(self, query: str, limit: int, highlight: bool, exact: bool, explain: bool) -> Results:
        """The pipeline: prepare → collect → rank (proximity, meaning, the question asked)
        → hits (folding near-duplicates) → total."""
        budget = Budget(self.time_budget)
        searcher = self._current()
        prepared = self._prepare(query, exact, budget)
        corrected = prepared.searched if prepared.corrections else None
        results = Results(query, 0, [], corrected, prepared.corrections, prepared.expansions, missing=prepared.missing)
        results.ranked_by = self._meaning.ranked_by if self._meaning is not None else "words"
        if is_empty(prepared.query):
            return results
        # A few more than asked for, so that folding duplicates still fills the page, and
        # enough for the proximity of query words to reorder the best of them.
        depth = max(limit + DUPLICATE_LOOKAHEAD, RERANK_DEPTH if prepared.proximity else 0)
        if self._meaning is not None:
            depth = max(depth, self._meaning.depth)
        found, candidates, matched = self._collect(searcher, prepared.query, depth, budget)
        ranking = self._rank(searcher, prepared, candidates, depth, budget)
        folded = self._fill(results, searcher, prepared, ranking, limit, highlight, explain, budget)
        budget.check()
        results.total, results.total_exact = _total(searcher, prepared.query, found, matched, folded)
        return results

    def _rank(self, searcher, prepared: PreparedQuery, candidates: list[WhooshHit], depth: int, budget: Budget) -> _Ranking:
        """The candidates best first: raised by the proximity of the query's words, re-scored
        by meaning (when on), and the document whose question was typed first."""
        # Ties at the cut were collected only to be ordered the same however the index was
        # built; past `depth` they are dropped, or thousands of tied hits would be folded.
        assert self._impacts is not None
        ranking = _Ranking(_reranked(self._impacts, candidates, prepared.proximity, budget)[:depth])
        if self._meaning is not None and ranking.hits:
            budget.check()
            ranking.hits, ranking.meaning, ranking.word_scale = self._meaning.rerank(prepared.searched, ranking.hits)
        ranking.hits = _asked_first(searcher, ranking.hits, prepared.text)
        return ranking

    def _fill(
        self, results: Results, searcher, prepared: PreparedQuery, ranking: _Ranking, limit: int,
        highlight: bool, explain: bool, budget: Budget,
    ) -> int:
        """Add the top `limit` hits to `results`, each near-duplicate answer folded into the
        first like it, and judge how well the best one fits; returns how many were folded."""
        folder = NearDuplicates()
        folded = fitting = 0
        # Hits are in order of score: those that fit well come first, and are counted past `limit`.
        well = ranking.hits[0][1] * self.ranking.fitting_share if ranking.hits and ranking.hits[0][1] > 0 else float("inf")
        for hit, score in ranking.hits:
            budget.check()
            first = folder.first_like(hit.get("answer", ""))
            if first is not None:
                results.hits[first].duplicates.append(hit.get("source", ""))
                folded += 1
                continue
            if len(results.hits) == limit:
                if score < well:
                    break
                fitting += 1
                continue
            fitting += score >= well
            entry = _hit(len(results.hits) + 1, hit, score, highlight)
            if explain:
                from .explain import (
                    explanation,  # only for --explain: not loaded by every search
                )

                query = binary_unions(Or([prepared.query, *prepared.proximity]))
                entry.explanation = explanation(searcher, query, hit.docnum, ranking.word_scale, ranking.meaning.get(hit.docnum))
            folder.add(hit.get("answer", ""))
            if not results.hits and prepared.clauses:
                assert self._vocabulary is not None
                assert self._impacts is not None
                results.fit = fit(self._impacts, self._vocabulary, prepared.clauses, hit.docnum)
                # Ranking by meaning may have found the answer in other words: it judges then.
                if self._meaning is None:
                    results.weak = weak(results.fit)
                else:
                    results.closeness = self._meaning.closeness(prepared.searched, hit.docnum, hit.fields())
                    results.weak = self._meaning.weak(results.fit, results.closeness)
            results.hits.append(entry)
        results.fitting = 0 if results.weak else fitting
        return folded

    def embed_documents(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Add the sentence model's vectors to the open index, where it lacks them (an index
        built before the model was installed); `faqsearch index` does the same.

        Returns how many documents were embedded: 0 when every one has its vector, and with
        the static model or the words alone, whose vectors every build writes.
        `progress(done, total)` is called as it goes.
        """
        from .semantic import SentenceMeaning

        with self._lock:
            searcher = self._current()
            if not isinstance(self._meaning, SentenceMeaning):
                return 0
            missing = self._meaning.notice
            embedded = self._meaning.embed(self._generation, searcher.reader(), progress)
            if missing in self.notices and self._meaning.notice is None:
                self.notices.remove(missing)
            return embedded

    def _collect(self, searcher, query: Query, depth: int, budget: Budget) -> tuple[Any, list[WhooshHit], int | None]:
        """Whoosh's results for the best `depth` documents and all tied with the last of them,
        those hits, and how many documents match (None when not every match was collected)."""
        leaves = flat(query)
        if leaves is not None:  # a plain query: the sum of its leaves' kept scores
            assert self._impacts is not None
            top = self._impacts.top(leaves, depth, budget)
            found = WhooshResults(searcher, query, top.best)
            return found, found[: found.scored_length()], top.total
        collector = TopWithTies(limit=depth)
        timed = Deadline(collector, budget)
        try:
            searcher.search_with_collector(query, timed)
        except TimeLimit:
            raise budget.timeout() from None
        found = timed.results()
        # Not list(found): list() asks len() for a size hint, and Whoosh's len() counts every
        # match by running the query again.
        return found, found[: found.scored_length()], found.scored_length() if collector.complete() else None

    def search(self, query: str, limit: int = 10, *, highlight: bool = True, exact: bool = False) -> list[Hit]:
        """The top `limit` hits for `query`, best first. Raises QueryError for an unparsable query."""
        return self.results(query, limit, highlight=highlight, exact=exact).hits

    def documents(self, source: str | None = None) -> list[Document]:
        """Every document of the index (of one `source` file, when given), by source and
        position, without their related questions."""
        with self._lock:
            return list(documents.in_order(self._current().reader(), source))

    def document(self, doc_id: str, related: int = RELATED, *, query: str = "", exact: bool = False) -> Document | None:
        """The document with this id, whole, with its `related` closest other questions
        (by words and meaning: computed at index time for corpora of up to
        `faqindex.related.AT_INDEX_TIME` documents, else as a search for its question ranks
        them); None when the index holds no such id. With the `query` it was found by (and
        `exact` as that search had it), `marked_answer` marks the query's words in the
        answer; a query that cannot be searched marks nothing."""
        count = related
        with self._lock:
            searcher = self._current()
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                return None
            document = documents.from_fields(searcher.stored_fields(docnum))
            if count > 0:
                document.related = self._related_to(document, docnum, count)
            if query.strip():
                document.marked_answer = highlights.marked_whole(document.answer, self._query_words(searcher, query, exact))
            return document

    def _query_words(self, searcher, query: str, exact: bool) -> frozenset[str]:
        """The words `query` marks in an answer, as its search's highlights mark them."""
        try:
            prepared = self._prepare(query, exact, Budget(self.time_budget))
        except FaqsearchError:
            return frozenset()
        return frozenset() if is_empty(prepared.query) else highlights.query_words(searcher, prepared.query)

    def _related_to(self, document: Document, docnum: int, count: int) -> list[Related]:
        """The related questions the index holds for this document, or, when it holds none
        (a large corpus) or fewer than asked for, those a search for its question ranks first
        (by words, and meaning when on), then the documents nearest in meaning."""
        held = related.read(self._generation, self._current().doc_count_all())
        if held and count <= held[0]:
            searcher = self._current()
            found = []
            for other, score in held[1].get(docnum, [])[:count]:
                fields = searcher.stored_fields(other)
                found.append(Related(fields["id"], stored_questions(fields)[0], score))
            return found
        try:
            hits = self._results(document.question, count + 1, False, False, False).hits
        except FaqsearchError:  # a question that reads as a query no search can run
            hits = []
        found = [Related(hit.id, hit.question, hit.score) for hit in hits if hit.id != document.id and hit.answer != document.answer]
        if len(found) < count and self._meaning is not None:
            searcher, seen = self._current(), {document.id, *(r.id for r in found)}
            for other, similarity in self._meaning.nearest(docnum, count + len(seen)):
                fields = searcher.stored_fields(other)
                if fields["id"] not in seen and fields.get("answer") != document.answer and len(found) < count:
                    found.append(Related(fields["id"], stored_questions(fields)[0], round(similarity, 4)))
        return found[:count]

    @property
    def document_count(self) -> int:
        """How many documents the index holds (never waiting for a search: while one runs,
        the count it last saw)."""
        if self._lock.acquire(blocking=False):
            try:
                self._count = self._current().doc_count()
            finally:
                self._lock.release()
        return self._count

    def replica(self) -> Searcher:
        """Another Searcher of the same index with the same settings (it builds nothing):
        searches of one Searcher take turns, so a server keeps several."""
        return Searcher(self.index_dir, auto_build=False, semantic=self._model or False, build=self._build_index, **self._settings)


@dataclass
class _Ranking:
    """The ranked candidates, and what ranking by meaning did to them: each one's meaning part
    by document number, and the best word score the word scores were divided by."""

    hits: list[tuple[WhooshHit, float]]
    meaning: dict[int, float] = field(default_factory=dict)
    word_scale: float = 1.0


def _total(searcher, query: Query, found, matched: int | None, folded: int) -> tuple[int, bool]:
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
        ordered = sorted(scores)
        for pair in pairs:
            budget.check()
            for docnum, score in zip(ordered, impacts.scores_at(pair, ordered)):
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
    return hit.get("source", ""), hit.get("position", 0)


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
