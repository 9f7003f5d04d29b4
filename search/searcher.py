"""The public search API: `Searcher`, the long-lived object that keeps an index open.

It owns the index's lifecycle (building a missing or stale index, following a rebuild by
another process, closing) and its thread safety; each search is a `QueryPipeline`
(`pipeline.py`), and what it returns is in `results.py`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index

from faqindex import building, config, related, sentence, store
from faqindex.building import Builder
from faqindex.errors import (
    FaqsearchError,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IndexWriteError,
)
from faqindex.statistics import Statistics
from faqindex.stored import StoredDocument
from faqindex.whoosh_internals import apply_reading_fixes, cache_stored_fields

from . import documents
from . import highlight as highlights
from .budget import Budget
from .documents import Document, Related
from .impacts import Impacts
from .pipeline import Asked, OpenIndex, QueryPipeline
from .query import PreparedQuery, QueryBuilder, is_empty
from .ranking import DEFAULT_RANKING, RankingSettings
from .results import Hit, Results
from .synonyms import acronym_rules, read_synonyms
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from faqindex.building import BuildStats

    from .meaning import MeaningRanker

__all__ = ["Hit", "Results", "Searcher"]

PathLike = str | os.PathLike[str]
STORED_CACHE = 2048  # documents whose stored fields an open index keeps
TIME_BUDGET = 5.0  # seconds a search may take before it is stopped
RELATED = 3  # questions `document` relates to each one
BUILD_WAIT = 60.0  # seconds a first build waits for another process's build of the same index


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
        semantic: bool | PathLike | sentence.ModelChoice | None = None,
        build: Builder | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        self.index_dir: Path = Path(index_dir).expanduser() if index_dir is not None else config.default_index_dir()
        self._synonyms, self._ranks_by_meaning = synonyms, meaning
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
        self._index: OpenIndex | None = None
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
            if self._index is not None:
                self._index.searcher.close()
                self._index = None

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
        apply_reading_fixes()
        try:
            ix = whoosh_index.open_dir(str(generation))
            searcher = ix.searcher(weighting=self.ranking.weighting(statistics))
            cache_stored_fields(searcher, STORED_CACHE)
        except Exception as exc:  # noqa: BLE001 - Whoosh reports damage with many exception types
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
        builder = QueryBuilder(self._synonym_rules + acronym_rules(manifest.acronyms), self.ranking, generation)
        self._index = OpenIndex(searcher, generation, builder, Vocabulary(searcher, statistics), Impacts(searcher))
        self._stamp, self._count = stamp, searcher.doc_count()

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

    def _current(self) -> OpenIndex:
        """The open index, switched first if another process swapped it.

        Take it once per search: a second call may switch again and close the first.
        """
        if self._index is None or store.pointer_stamp(self.index_dir) != self._stamp:
            self._open()
        assert self._index is not None
        return self._index

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """Whoosh's searcher of the index as it is now, for reading it directly (benchmarks,
        tools); this Searcher's searches wait until the block ends, and a rebuild by another
        process is followed only after it."""
        with self._lock:
            yield self._current().searcher

    # -- searching -------------------------------------------------------------------------

    def prepare(self, query: str, *, exact: bool = False) -> PreparedQuery:
        """The Whoosh query that `results` would run, with its corrections and expansions."""
        with self._lock:
            return QueryPipeline(self._current(), self._meaning, self.ranking).prepare(query, exact)

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
            results = self._search(query, Asked(limit, highlight, exact, explain))
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def _search(self, query: str, asked: Asked) -> Results:
        """The search itself (the caller holds the lock): one QueryPipeline over the open index."""
        index = self._current()
        return QueryPipeline(index, self._meaning, self.ranking, Budget(self.time_budget)).run(query, asked)

    def embed_documents(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Add the sentence model's vectors to the open index, where it lacks them (an index
        built before the model was installed); `faqsearch index` does the same.

        Returns how many documents were embedded: 0 when every one has its vector, and with
        the static model or the words alone, whose vectors every build writes.
        `progress(done, total)` is called as it goes.
        """
        from .semantic import SentenceMeaning

        with self._lock:
            index = self._current()
            if not isinstance(self._meaning, SentenceMeaning):
                return 0
            missing = self._meaning.notice
            embedded = self._meaning.embed(index.generation, index.searcher.reader(), progress)
            if missing in self.notices and self._meaning.notice is None:
                self.notices.remove(missing)
            return embedded

    def search(self, query: str, limit: int = 10, *, highlight: bool = True, exact: bool = False) -> list[Hit]:
        """The top `limit` hits for `query`, best first. Raises QueryError for an unparsable query."""
        return self.results(query, limit, highlight=highlight, exact=exact).hits

    def documents(self, source: str | None = None) -> list[Document]:
        """Every document of the index (of one `source` file, when given), by source and
        position, without their related questions."""
        with self._lock:
            return list(documents.in_order(self._current().searcher.reader(), source))

    def document(self, doc_id: str, related: int = RELATED, *, query: str = "", exact: bool = False) -> Document | None:
        """The document with this id, whole, with its `related` closest other questions
        (by words and meaning: computed at index time for corpora of up to
        `faqindex.related.AT_INDEX_TIME` documents, else as a search for its question ranks
        them); None when the index holds no such id. With the `query` it was found by (and
        `exact` as that search had it), `marked_answer` marks the query's words in the
        answer; a query that cannot be searched marks nothing."""
        count = related
        with self._lock:
            index = self._current()
            searcher = index.searcher
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                return None
            document = documents.from_fields(searcher.stored_fields(docnum))
            if count > 0:
                document.related = self._related_to(index, document, docnum, count)
            if query.strip():
                document.marked_answer = highlights.marked_whole(document.answer, self._query_words(index, query, exact))
            return document

    def _query_words(self, index: OpenIndex, query: str, exact: bool) -> frozenset[str]:
        """The words `query` marks in an answer, as its search's highlights mark them."""
        try:
            prepared = QueryPipeline(index, self._meaning, self.ranking, Budget(self.time_budget)).prepare(query, exact)
        except FaqsearchError:
            return frozenset()
        return frozenset() if is_empty(prepared.query) else highlights.query_words(index.searcher, prepared.query)

    def _related_to(self, index: OpenIndex, document: Document, docnum: int, count: int) -> list[Related]:
        """The related questions the index holds for this document, or, when it holds none
        (a large corpus) or fewer than asked for, those a search for its question ranks first
        (by words, and meaning when on), then the documents nearest in meaning."""
        searcher = index.searcher
        held = related.read(index.generation, searcher.doc_count_all())
        if held and count <= held[0]:
            found = []
            for other, score in held[1].get(docnum, [])[:count]:
                stored = StoredDocument.from_fields(searcher.stored_fields(other))
                found.append(Related(stored.id, stored.question, score))
            return found
        try:
            hits = self._search(document.question, Asked(count + 1, highlight=False)).hits
        except FaqsearchError:  # a question that reads as a query no search can run
            hits = []
        found = [Related(hit.id, hit.question, hit.score) for hit in hits if hit.id != document.id and hit.answer != document.answer]
        if len(found) < count and self._meaning is not None:
            seen = {document.id, *(r.id for r in found)}
            for other, similarity in self._meaning.nearest(docnum, count + len(seen)):
                stored = StoredDocument.from_fields(searcher.stored_fields(other))
                if stored.id not in seen and stored.answer != document.answer and len(found) < count:
                    found.append(Related(stored.id, stored.question, round(similarity, 4)))
        return found[:count]

    @property
    def document_count(self) -> int:
        """How many documents the index holds (never waiting for a search: while one runs,
        the count it last saw)."""
        if self._lock.acquire(blocking=False):
            try:
                self._count = self._current().searcher.doc_count()
            finally:
                self._lock.release()
        return self._count

    def replica(self) -> Searcher:
        """Another Searcher of the same index with the same settings (it builds nothing):
        searches of one Searcher take turns, so a server keeps several."""
        return Searcher(
            self.index_dir,
            auto_build=False,
            synonyms=self._synonyms,
            ranking=self.ranking,
            time_budget=self.time_budget,
            meaning=self._ranks_by_meaning,
            semantic=self._model or False,
            build=self._build_index,
        )
