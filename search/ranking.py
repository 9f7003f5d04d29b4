"""How matches are scored: BM25F parameters and the weights of fields and expansions.

The defaults were chosen on training data only (SciFact's training queries and the article's
development queries); `benchmarks/RESULTS.md` records the runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh.scoring import BM25F

from .schema import FIELD_BOOSTS


@dataclass(frozen=True)
class RankingSettings:
    """Everything that decides the order of hits; frozen so one instance can be shared.

    k1, b            BM25 term-frequency saturation and length normalisation
    field_b          per-field b (short questions need less length normalisation)
    field_boosts     how much a match in each field counts
    coordination     bonus for matching more of the query's words (Whoosh OrGroup factor)
    expansion_weight weight of synonyms and acronym expansions relative to the words typed
    """

    k1: float = 1.2
    b: float = 0.75
    field_b: dict[str, float] = field(default_factory=dict)
    field_boosts: dict[str, float] = field(default_factory=lambda: dict(FIELD_BOOSTS))
    coordination: float = 0.9
    expansion_weight: float = 0.7

    def weighting(self) -> BM25F:
        """The Whoosh scoring object for these settings."""
        return BM25F(B=self.b, K1=self.k1, **{f"{name}_B": b for name, b in self.field_b.items()})


DEFAULT_RANKING = RankingSettings()
