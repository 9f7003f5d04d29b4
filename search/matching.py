"""Asking a Whoosh matcher about one document: the step explain and, for queries the kept
scores do not cover, fit and proximity share (`impacts.Impacts.scores_at`)."""

from __future__ import annotations

from typing import Any


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
