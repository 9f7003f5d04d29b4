"""How matches are scored: BM25F parameters and the weights of fields and expansions.

The defaults were chosen on training data only (SciFact's training queries and the article's
development queries); `benchmarks/HISTORY.md` records the runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import log

from whoosh.scoring import BM25F, BM25FScorer

from faqindex.schema import CONTENT_FIELD, FIELD_BOOSTS
from faqindex.statistics import UNKNOWN, Statistics
from faqindex.whoosh_internals import field_b, init_bm25f_scorer


@dataclass(frozen=True)
class RankingSettings:
    """Everything that decides the order of hits; frozen so one instance can be shared.

    k1, b            BM25 term-frequency saturation and length normalisation
    field_b          per-field b (short questions need less length normalisation)
    field_boosts     how much a match in each field counts
    expansion_weight weight of synonyms and acronym expansions relative to the words typed
    proximity_weight weight of each pair of neighbouring query words found near each other
                     in the document (a sequential dependence model); 0 turns it off
    proximity_slop   how many words may stand between the two words of such a pair
    meaning_weight   weight of the cosine of query and document (the shipped static model,
                     `search.meaning`) beside the words' score divided by the best one
    sentence_weight  the same for a sentence model (`semantic=True`); None: the model's own
                     (`search.semantic.WEIGHTS`)
    fitting_share    a hit fits the query well (`Results.fitting`) when it scores at least
                     this share of the best hit (chosen on the judged development split:
                     `benchmarks/count.py`)
    """

    k1: float = 1.2
    b: float = 0.75
    field_b: dict[str, float] = field(default_factory=dict)
    field_boosts: dict[str, float] = field(default_factory=lambda: dict(FIELD_BOOSTS))
    expansion_weight: float = 0.7
    proximity_weight: float = 0.1
    proximity_slop: int = 2
    proximity_field: str = CONTENT_FIELD
    meaning_weight: float = 1.0
    sentence_weight: float | None = None
    fitting_share: float = 0.95

    def weighting(self, statistics: Statistics = UNKNOWN) -> BM25F:
        """The Whoosh scoring object for these settings, for an index with these statistics
        (`faqindex.statistics`; by default Whoosh's own counts)."""
        weighting = RobertsonBM25F(B=self.b, K1=self.k1, **{f"{name}_B": b for name, b in self.field_b.items()})
        weighting.statistics = statistics
        return weighting


class RobertsonBM25F(BM25F):
    """Whoosh's BM25F with the BM25 (Robertson/Lucene) idf instead of Whoosh's tf-idf one.

    Whoosh scores every term at least idf 1 (log(N / (df + 1)) + 1), so the common words of a
    long query ("patients", "increased") add up to outweigh its one rare word. BM25's idf
    goes to nearly zero for a word in most documents. Document frequencies leave out deleted
    documents, and average lengths come from the index's `Statistics`, so an updated index
    scores as a full build.
    """

    statistics: Statistics = UNKNOWN

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        word = text.decode("utf-8") if isinstance(text, bytes) else text
        n = parent.doc_frequency(fieldname, text) - self.statistics.deleted_with(fieldname, word)
        total = parent.doc_count()  # live documents: what a full rebuild would count
        return log(1 + (total - n + 0.5) / (n + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return _LiveScorer(searcher, fieldname, text, field_b(self, fieldname), self.K1, qf, self.statistics)


class _LiveScorer(BM25FScorer):
    """Whoosh's BM25F scorer, with the average field length from the index's statistics."""

    def __init__(self, searcher, fieldname, text, B, K1, qf, statistics: Statistics) -> None:
        parent = searcher.get_parent()
        average = statistics.average_length(fieldname) or parent.avg_field_length(fieldname) or 1
        init_bm25f_scorer(self, searcher, fieldname, text, idf=parent.idf(fieldname, text), avgfl=average, B=B, K1=K1, qf=qf)


DEFAULT_RANKING = RankingSettings()
