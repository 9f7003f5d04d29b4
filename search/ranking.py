"""How matches are scored: BM25F parameters and the weights of fields and expansions.

The defaults were chosen on training data only (SciFact's training queries and the article's
development queries); `benchmarks/RESULTS.md` records the runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import log

from whoosh.scoring import BM25F

from .schema import CONTENT_FIELD, FIELD_BOOSTS


@dataclass(frozen=True)
class RankingSettings:
    """Everything that decides the order of hits; frozen so one instance can be shared.

    k1, b            BM25 term-frequency saturation and length normalisation
    field_b          per-field b (short questions need less length normalisation)
    field_boosts     how much a match in each field counts
    coordination     bonus for matching more of the query's words (Whoosh OrGroup factor)
    expansion_weight weight of synonyms and acronym expansions relative to the words typed
    proximity_weight weight of each pair of neighbouring query words found near each other
                     in the document (a sequential dependence model); 0 turns it off
    proximity_slop   how many words may stand between the two words of such a pair
    """

    k1: float = 1.2
    b: float = 0.75
    field_b: dict[str, float] = field(default_factory=dict)
    field_boosts: dict[str, float] = field(default_factory=lambda: dict(FIELD_BOOSTS))
    coordination: float = 0.9
    expansion_weight: float = 0.7
    proximity_weight: float = 0.1
    proximity_slop: int = 2
    proximity_field: str = CONTENT_FIELD

    def weighting(self) -> BM25F:
        """The Whoosh scoring object for these settings."""
        return RobertsonBM25F(B=self.b, K1=self.k1, **{f"{name}_B": b for name, b in self.field_b.items()})


class RobertsonBM25F(BM25F):
    """Whoosh's BM25F with the BM25 (Robertson/Lucene) idf instead of Whoosh's tf-idf one.

    Whoosh scores every term at least idf 1 (log(N / (df + 1)) + 1), so the common words of a
    long query ("patients", "increased") add up to outweigh its one rare word. BM25's idf
    goes to nearly zero for a word in most documents.
    """

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        total = parent.doc_count_all()
        return log(1 + (total - n + 0.5) / (n + 0.5))


DEFAULT_RANKING = RankingSettings()
