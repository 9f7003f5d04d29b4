"""Ranking by meaning in every search, with the static model shipped with faqsearch.

The best hits of the words are re-scored as score / best score + weight x the cosine of
the query and the document (`RankingSettings.meaning_weight`, chosen on the article's
development split and SciFact's training queries: benchmarks/HISTORY.md, "Meaning without
a model"), as the sentence models of `semantic.py` do. The model and the documents'
vectors, written at index time into each generation, are `faqindex.embedding`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from faqindex.caches import bounded
from faqindex.embedding import (
    StaticModel,
    document_text,
    read_vectors,
    shipped_closeness_model,
    shipped_model,
)

from .fit import weak

DEPTH = 100  # hits re-scored
IN_MEMORY = 10_000  # documents whose vectors are held as float32 (10 MB); more stay mapped
CLOSENESS_ROWS = 4096  # best hits whose closeness rows an open index keeps


class StaticMeaning:
    """Ranking by meaning with the shipped static model, for one open index generation."""

    depth = DEPTH

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
        asked = np.asarray(self._vectors[docnum], dtype=np.float32)
        chunk = 1 << 16  # rows converted at a time: a large index's vectors stay mapped, not copied
        similarity = np.concatenate(
            [np.asarray(self._vectors[start : start + chunk], dtype=np.float32) @ asked for start in range(0, len(self._vectors), chunk)]
        )
        similarity[docnum] = -np.inf
        found = np.argsort(-similarity, kind="stable")[:count]
        return [(int(i), float(similarity[i])) for i in found if np.isfinite(similarity[i]) and similarity[i] > 0]

    def closeness(self, query: str, fields: dict[str, Any]) -> float | None:
        """How close in meaning a document (its stored fields) is to the query, as weak
        matches are judged: the cosine in the distilled table (`CLOSENESS_TABLE`), which
        tells questions the corpus does not answer apart better than the table that ranks.
        None when meaning has no weight."""
        if not self.weight:
            return None
        table = shipped_closeness_model()
        key = fields.get("id", "")
        if key not in self._closeness_rows:
            # The pieces are the ranking table's own (one directory, one vocabulary), so
            # the words' splits it keeps serve both.
            bounded(self._closeness_rows, CLOSENESS_ROWS)[key] = table.mean_of(self.model.pieces(document_text(fields)))
        return float(table.mean_of(self.model.pieces(query)) @ self._closeness_rows[key])

    def weak(self, fit_value: float, closeness: float | None) -> bool:
        """Whether the best hit, of this words' fit and closeness in meaning, is a weak match."""
        return weak(fit_value, closeness)

    def rerank(self, query: str, ranked: list[tuple[Any, float]]) -> tuple[list[tuple[Any, float]], dict[int, float], float]:
        """Whoosh hits with their scores, best first, re-scored as score / best score +
        weight x the cosine of the query and the document.

        Returns the hits re-scored (best first; ties keep their order), each one's meaning
        part by document number, and the best score the word scores were divided by.
        """
        best = ranked[0][1] or 1.0
        similarity = self.similarity(query, (hit.docnum for hit, _ in ranked))
        parts = {hit.docnum: self.weight * sim for (hit, _), sim in zip(ranked, similarity)}
        rescored = sorted(((hit, score / best + parts[hit.docnum]) for hit, score in ranked), key=lambda pair: -round(pair[1], 9))
        return rescored, parts, best
