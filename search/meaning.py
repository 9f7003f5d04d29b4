"""Ranking by meaning in every search: the interface of a meaning ranker, the one way
both re-score hits, and the ranker of the static model shipped with faqsearch.

The best hits of the words are re-scored as score / best score + weight x the cosine of
the query and the document (`rescore`). Two rankers implement `MeaningRanker`: the
shipped static model (`StaticMeaning`, here: weight `RankingSettings.meaning_weight`,
chosen on the article's development split and SciFact's training queries:
benchmarks/HISTORY.md, "Meaning without a model") and a sentence model
(`search.semantic.SentenceMeaning`). Both read the documents' vectors from the index
generation, written when it was built; a search embeds only its query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from faqindex.caches import bounded
from faqindex.embedding import (
    StaticModel,
    document_text,
    read_vectors,
    shipped_closeness_model,
    shipped_model,
)
from faqindex.stored import StoredDocument

from .fit import weak

DEPTH = 100  # hits re-scored
IN_MEMORY = 10_000  # documents whose vectors are held as float32 (10 MB); more stay mapped
CLOSENESS_ROWS = 4096  # best hits whose closeness rows an open index keeps


Ranked = list[tuple[Any, float]]
"""Whoosh hits with their scores, best first."""


class MeaningRanker(Protocol):
    """What a search asks of ranking by meaning, for the open index generation."""

    depth: int  # best hits of the words re-scored

    @property
    def ranked_by(self) -> str:
        """The model that ranks now, as `status`, `--explain` and the JSON name it."""

    def follow(self, generation: Path, reader: Any) -> None:
        """Use the vectors of `generation`, just opened (`reader` reads it)."""

    def rerank(self, query: str, ranked: Ranked) -> tuple[Ranked, dict[int, float], float]:
        """`ranked` re-scored (`rescore`), with each one's meaning part by document number
        and the best word score the word scores were divided by."""

    def nearest(self, docnum: int, count: int) -> list[tuple[int, float]]:
        """The `count` documents closest in meaning to document `docnum`, with cosines."""

    def closeness(self, query: str, docnum: int, fields: dict[str, Any]) -> float | None:
        """How close in meaning a document (its number and stored fields) is to the query,
        as weak matches are judged; None when meaning has no weight."""

    def weak(self, fit_value: float, closeness: float | None) -> bool:
        """Whether the best hit, of this fit of the words and closeness, is a weak match."""


def rescore(ranked: Ranked, similarity: Sequence[float], weight: float) -> tuple[Ranked, dict[int, float], float]:
    """Hits re-scored as score / best score + weight x similarity (of each hit to the query),
    best first, ties in their order; with each one's meaning part by document number and the
    best score the word scores were divided by."""
    best = ranked[0][1] or 1.0
    parts = {hit.docnum: weight * float(sim) for (hit, _), sim in zip(ranked, similarity)}
    rescored = sorted(((hit, score / best + parts[hit.docnum]) for hit, score in ranked), key=lambda pair: -round(pair[1], 9))
    return rescored, parts, best


class StaticMeaning:
    """Ranking by meaning with the shipped static model, for one open index generation."""

    depth = DEPTH
    ranked_by = "static"

    def __init__(self, weight: float, model: StaticModel | None = None) -> None:
        self.weight = weight
        self.model = model or shipped_model()
        self._vectors: Any = None
        self._closeness_rows: dict[str, Any] = {}  # by document id: best hits come back

    def follow(self, generation: Path, reader: Any) -> None:
        """Use the vectors of `generation`, just opened. Raises IndexCorruptError."""
        self._vectors = read_vectors(generation, reader.doc_count_all(), self.model.dimensions)
        self._closeness_rows = {}
        if len(self._vectors) <= IN_MEMORY:  # widened once, not at every search
            self._vectors = np.asarray(self._vectors, dtype=np.float32)

    def similarity(self, query: str, docnums: Iterable[int]) -> list[float]:
        """The cosine of the query and each document."""
        asked = self.model.encode([query])[0]
        rows = np.asarray(self._vectors[list(docnums)], dtype=np.float32)
        return (rows @ asked).tolist()

    def nearest(self, docnum: int, count: int) -> list[tuple[int, float]]:
        """The `count` documents closest in meaning to document `docnum` (itself left out),
        with their cosines, closest first."""
        return nearest_rows(self._vectors, docnum, count)

    def closeness(self, query: str, docnum: int, fields: dict[str, Any]) -> float | None:
        """How close in meaning a document (its stored fields) is to the query, as weak
        matches are judged: the cosine in the distilled table (`CLOSENESS_TABLE`), which
        tells questions the corpus does not answer apart better than the table that ranks.
        None when meaning has no weight."""
        if not self.weight:
            return None
        table = shipped_closeness_model()
        key = StoredDocument.from_fields(fields).id
        if key not in self._closeness_rows:
            # The pieces are the ranking table's own (one directory, one vocabulary), so
            # the words' splits it keeps serve both.
            bounded(self._closeness_rows, CLOSENESS_ROWS)[key] = table.mean_of(self.model.pieces(document_text(fields)))
        return float(table.mean_of(self.model.pieces(query)) @ self._closeness_rows[key])

    def weak(self, fit_value: float, closeness: float | None) -> bool:
        """Whether the best hit, of this words' fit and closeness in meaning, is a weak match."""
        return weak(fit_value, closeness)

    def rerank(self, query: str, ranked: Ranked) -> tuple[Ranked, dict[int, float], float]:
        """`ranked` re-scored by the cosine of the query and each document (`rescore`)."""
        return rescore(ranked, self.similarity(query, (hit.docnum for hit, _ in ranked)), self.weight)


def nearest_rows(vectors: Any, docnum: int, count: int) -> list[tuple[int, float]]:
    """The `count` rows of `vectors` (one per document number) closest to row `docnum`
    (itself left out), with their cosines, closest first."""
    asked = np.asarray(vectors[docnum], dtype=np.float32)
    chunk = 1 << 16  # rows converted at a time: a large index's vectors stay mapped, not copied
    similarity = np.concatenate(
        [np.asarray(vectors[start : start + chunk], dtype=np.float32) @ asked for start in range(0, len(vectors), chunk)]
    )
    similarity[docnum] = -np.inf
    found = np.argsort(-similarity, kind="stable")[:count]
    return [(int(i), float(similarity[i])) for i in found if np.isfinite(similarity[i]) and similarity[i] > 0]
