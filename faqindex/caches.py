"""Caches that long-lived objects keep (a process's analyzer, an open index): bounded."""

from __future__ import annotations

from typing import TypeVar

_Cache = TypeVar("_Cache", bound=dict)


def bounded(cache: _Cache, limit: int) -> _Cache:
    """`cache`, emptied first when it holds `limit` entries (a bound, not an eviction order:
    the entries that come back are found again at once)."""
    if len(cache) >= limit:
        cache.clear()
    return cache
