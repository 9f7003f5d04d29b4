"""Ranking quality measures, as trec_eval (and so ir-measures and BEIR) computes them.

`ranking` is the list of document ids a search returned, best first; `judged` maps a
document id to its relevance grade (0 or absent: not relevant). Gains are linear in the
grade, as in trec_eval's ndcg_cut.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the top `k`."""
    gains = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    if not ideal:
        return 0.0
    actual = sum(max(judged.get(doc, 0), 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    return actual / ideal


def reciprocal_rank(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """1 / the rank of the first relevant document in the top `k`, else 0."""
    for i, doc in enumerate(ranking[:k]):
        if judged.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def precision(ranking: Sequence[str], judged: Mapping[str, int], k: int = 1) -> float:
    """Share of the top `k` positions holding a relevant document (a short list counts as misses)."""
    return sum(1 for doc in ranking[:k] if judged.get(doc, 0) > 0) / k


def recall(ranking: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """Share of the relevant documents found in the top `k`."""
    relevant = {doc for doc, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


MEASURES = {
    "nDCG@10": lambda r, j: ndcg(r, j, 10),
    "MRR@10": lambda r, j: reciprocal_rank(r, j, 10),
    "P@1": lambda r, j: precision(r, j, 1),
    "R@100": lambda r, j: recall(r, j, 100),
}
"""The measures `faqsearch eval` reports, by the names ir-measures gives them (RR@10 is MRR@10)."""
