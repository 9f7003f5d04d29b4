"""A fix for a Whoosh writing cost, applied when the indexer is imported.

While a segment is flushed, Whoosh looks up each posting's field length, and for a field
without lengths (IDs, numbers, spelling words) it asks the file system whether the length
column exists, once per posting: a `stat` call for every posting (a fifth of a build's time
at 5,000 documents). A segment's files do not change while it is read, so the answer is kept.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3PerDocReader

_has_column = W3PerDocReader.has_column


def _cached_has_column(self: W3PerDocReader, fieldname: str) -> bool:
    cache = self.__dict__.setdefault("_faqsearch_columns", {})
    if fieldname not in cache:
        cache[fieldname] = _has_column(self, fieldname)
    return cache[fieldname]


W3PerDocReader.has_column = _cached_has_column  # type: ignore[method-assign]
