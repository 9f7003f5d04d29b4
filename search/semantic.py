"""Ranking by meaning with a sentence model: the query read in context.

A lexical engine cannot see that "will MS leave me in a wheelchair" asks "Can MS disable
you?", and a mean of word vectors cannot read a whole question either. When a sentence
model is installed (`faqsearch model install`: all-mpnet-base-v2) or named (`--model`,
`$FAQSEARCH_MODEL`), every search re-scores its best hits by the cosine of the query and
each question with its answer in the model's space (`search.meaning.rescore`, with the
model's weight, `WEIGHTS`). Which model: `faqindex.sentence.choose`.

The documents' vectors are written into the index generation when it is built
(`faqindex.sentence.write_vectors`); a search embeds only its query, and keeps the vectors
of its recent queries. An index built without this model's vectors is ranked with the
shipped static model meanwhile, and `notice` says so, until `faqsearch index` adds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faqindex import sentence
from faqindex.caches import bounded
from faqindex.encoder import Encoder

from .fit import weak_with
from .meaning import DEPTH, Ranked, StaticMeaning, nearest_rows, rescore

# How much meaning counts beside the words, by the model's architecture; each chosen on the
# training splits (benchmarks/HISTORY.md, "Paraphrase resources and ranking by meaning" and
# "A larger model"): all-MiniLM-L6-v2 on the article's development split and SciFact's
# training queries, all-mpnet-base-v2 on the article's development split, where its best
# weights run from 8 to 20.
WEIGHTS = {"bert": 3.0, "mpnet": 8.0}
# A best hit is a weak match when it holds less than this share of the query's words and
# is less close than this to the query in the model's space (benchmarks/unanswerable.py
# --sweep, on the development split: benchmarks/RESULTS.md).
WEAK_FIT = {"bert": 0.0, "mpnet": 0.25}
WEAK_CLOSENESS = {"bert": 0.0, "mpnet": 0.64}
QUERY_VECTORS = 1024  # recent queries whose vectors a long-lived Searcher keeps


class SentenceMeaning:
    """Ranking by meaning with a sentence model, for one open index generation (a
    `search.meaning.MeaningRanker`)."""

    depth = DEPTH

    def __init__(self, choice: sentence.ModelChoice, weight: float | None, fallback: StaticMeaning | None) -> None:
        """`weight`: of meaning beside the words (None: the model's, WEIGHTS); `fallback`
        ranks an index that holds no vectors of this model. Raises SemanticUnavailable when
        the model cannot be read."""
        self.encoder = Encoder(choice.directory)
        self.name = choice.name
        self.weight = WEIGHTS.get(self.encoder.architecture, 3.0) if weight is None else weight
        self.remember = QUERY_VECTORS  # 0: every query embedded afresh (as a benchmark needs)
        self._fallback = fallback
        self._vectors: Any = None
        self._queries: dict[str, Any] = {}
        self._last: tuple[str, Any] = ("", None)  # one search asks for its query's vector twice (rank, weak match)
        self.notice: str | None = None

    @property
    def ranked_by(self) -> str:
        """This model's name; the fallback's while the index lacks this model's vectors."""
        if self._vectors is not None:
            return self.name
        return self._fallback.ranked_by if self._fallback is not None else "words"

    def follow(self, generation: Path, reader: Any) -> None:
        """Use this model's vectors of `generation`; without them, the fallback's."""
        self._vectors = sentence.read_vectors(generation, self.encoder.identity, reader.doc_count_all())
        self.notice = None
        if self._vectors is None:
            self.notice = (
                f"the index holds no vectors of {self.name}: `faqsearch index` adds them "
                f"(until then, meaning is ranked {'with the shipped static model' if self._fallback else 'not at all'})"
            )
            if self._fallback is not None:
                self._fallback.follow(generation, reader)

    def query_vector(self, query: str) -> Any:
        """The query's unit vector in the model's space (the model runs once per query text)."""
        if self._last[0] == query and self._last[1] is not None:
            return self._last[1]
        found = self._queries.get(query)
        if found is None:
            found = self.encoder.encode([query])[0]
            if self.remember:
                bounded(self._queries, self.remember)[query] = found
        self._last = (query, found)
        return found

    def rerank(self, query: str, ranked: Ranked) -> tuple[Ranked, dict[int, float], float]:
        """`ranked` re-scored by the cosine of the query and each document (`rescore`)."""
        if self._vectors is None:
            if self._fallback is None:
                return ranked, {}, 1.0
            return self._fallback.rerank(query, ranked)
        rows = self._vectors[[hit.docnum for hit, _ in ranked]]
        return rescore(ranked, (rows @ self.query_vector(query)).tolist(), self.weight)

    def nearest(self, docnum: int, count: int) -> list[tuple[int, float]]:
        """The `count` documents closest in meaning to document `docnum`, with cosines."""
        if self._vectors is None:
            return self._fallback.nearest(docnum, count) if self._fallback is not None else []
        return nearest_rows(self._vectors, docnum, count)

    def closeness(self, query: str, docnum: int, fields: dict[str, Any]) -> float | None:
        """The cosine of the query and the document in the model's space."""
        if self._vectors is None:
            return self._fallback.closeness(query, docnum, fields) if self._fallback is not None else None
        return float(self._vectors[docnum] @ self.query_vector(query))

    def weak(self, fit_value: float, closeness: float | None) -> bool:
        """Whether the best hit is a weak match: it lacks part of the query's words and is
        not close to it in meaning either (thresholds by architecture, WEAK_FIT and
        WEAK_CLOSENESS)."""
        if self._vectors is None:
            return self._fallback.weak(fit_value, closeness) if self._fallback is not None else False
        if closeness is None:
            return False
        architecture = self.encoder.architecture
        return weak_with(fit_value, closeness, WEAK_FIT.get(architecture, 0.0), WEAK_CLOSENESS.get(architecture, 0.0))

    def embed(self, generation: Path, reader: Any, progress: Any = None) -> int:
        """Add this model's vectors to `generation` (those it holds already are kept), and
        use them; returns how many documents were embedded."""
        embedded = sentence.write_vectors(generation, reader, self.encoder, generation, progress)
        self.follow(generation, reader)
        return embedded
