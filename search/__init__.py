"""faqsearch: search question-and-answer articles.

    import search
    for hit in search.search("ferritin"):
        print(hit.rank, hit.question, hit.highlights)

`Searcher` is the long-lived form; `Hit` and `Results` are plain dataclasses. The library
never prints; every error a user can cause is a `FaqsearchError`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from faqindex.errors import (
    CorpusError,
    FaqsearchError,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IndexWriteError,
    QueryError,
)

if TYPE_CHECKING:
    from .results import Hit, Results
    from .searcher import Searcher

__version__ = "0.1.0"

_default: Searcher | None = None
_default_lock = threading.Lock()


def search(query: str, limit: int = 10) -> list[Hit]:
    """Search the default index (built from the default corpus on first use).

    The Searcher behind it is kept for later calls (and shared by threads).
    """
    global _default
    with _default_lock:
        if _default is None:
            from .searcher import Searcher

            _default = Searcher()
    return _default.search(query, limit)


def __getattr__(name: str) -> Any:
    # Searcher and its results load numpy and Whoosh: only when asked for, so that the
    # command line (search.launch) can report a failure while they load.
    if name in ("Hit", "Results"):
        from . import results

        return getattr(results, name)
    if name == "Searcher":
        from .searcher import Searcher

        return Searcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CorpusError",
    "FaqsearchError",
    "Hit",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMissingError",
    "IndexWriteError",
    "QueryError",
    "Results",
    "Searcher",
    "search",
]
