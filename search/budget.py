"""The time one search may take, checked in every phase: parsing and expanding the query,
collecting, reordering, ranking by meaning, building and highlighting hits, counting.

A search that runs out of time stops with a QueryError at the next check, so no query and
no index, however large or odd, can hold a caller (or the threads waiting on a shared
Searcher) for long.
"""

from __future__ import annotations

from time import monotonic

from faqindex.errors import QueryError


class SearchTimeout(QueryError):
    """The search took longer than its time budget."""


class Budget:
    """A deadline: `check()` raises SearchTimeout once `seconds` have passed since it was made."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = monotonic() + seconds

    def expired(self) -> bool:
        """Has the time run out?"""
        return monotonic() > self.deadline

    def check(self) -> None:
        """Raise SearchTimeout when the time has run out."""
        if self.expired():
            raise self.timeout()

    def timeout(self) -> SearchTimeout:
        """The error a search over its budget ends with."""
        return SearchTimeout(f"the search took longer than {self.seconds:g} s: use more specific words")


UNLIMITED = Budget(float("inf"))
