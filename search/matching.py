"""Asking a query about given documents: the step explain, fit and proximity share."""

from __future__ import annotations

from typing import Any

from whoosh.query import Query

from .impacts import Impacts, flat


def score_at(matcher: Any, docnum: int) -> float | None:
    """The score `matcher` gives document `docnum`, or None when it does not match it.

    The matcher moves forward to `docnum`, and matchers only move forward: ask about
    documents in increasing order."""
    if not matcher.is_active():
        return None
    matcher.skip_to(docnum)
    if matcher.is_active() and matcher.id() == docnum:
        return float(matcher.score())
    return None


def scores_at(searcher: Any, impacts: Impacts, query: Query, docnums: list[int]) -> list[float | None]:
    """The score `query` gives each of `docnums` (ascending), None where it does not match:
    from the leaves' kept scores when the query is plain and they are cheap to have, else
    from Whoosh's matcher."""
    leaves = flat(query)
    if leaves is not None and impacts.cheap(leaves):
        return impacts.scores_at(leaves, docnums)
    matcher = query.matcher(searcher, searcher.context())
    return [score_at(matcher, docnum) for docnum in docnums]
