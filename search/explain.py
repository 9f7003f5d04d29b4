"""Why a hit ranks where it does: the score each part of the query contributed to it.

Each leaf of the final query (a word or phrase on one field, expansions included) is matched
against the one document on its own, so the parts show which words matched where and how
much each weighed. Whoosh combines them by adding up, with a small bonus for documents that
match more of the query's words, so the parts add up to about the hit's score.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.query import Query

from .matching import score_at


@dataclass
class ScorePart:
    """One matched part of the query: its field, its (analyzed) words and its score."""

    field: str
    terms: str
    score: float


def score_parts(searcher, query: Query, docnum: int) -> list[ScorePart]:
    """The parts of `query` that match document `docnum`, highest score first."""
    context = searcher.context()
    parts: list[ScorePart] = []
    seen: set[tuple[str, str]] = set()
    for leaf in query.leaves():
        fieldname = getattr(leaf, "fieldname", None)
        if fieldname is None:
            continue
        words = " ".join(getattr(leaf, "words", None) or [str(getattr(leaf, "text", leaf))])
        if (fieldname, words) in seen:
            continue
        try:
            matcher = leaf.matcher(searcher, context)
        except Exception:  # noqa: BLE001 - a leaf over a term the index lacks has nothing to explain
            continue
        score = score_at(matcher, docnum)
        if score is not None:
            seen.add((fieldname, words))
            parts.append(ScorePart(fieldname, words, round(score, 4)))
    return sorted(parts, key=lambda p: -p.score)


def explanation(searcher, query: Query, docnum: int, word_scale: float = 1.0, meaning: float | None = None) -> list[ScorePart]:
    """A hit's score parts on the scale of its final score: with ranking by meaning, the word
    parts divided as the ranking divided the word scores, and the meaning part beside them."""
    parts = score_parts(searcher, query, docnum)
    if meaning is None:
        return parts
    scaled = [ScorePart(p.field, p.terms, round(p.score / word_scale, 4)) for p in parts]
    scaled.append(ScorePart("meaning", "similarity to the query", round(meaning, 4)))
    return sorted(scaled, key=lambda part: -part.score)
