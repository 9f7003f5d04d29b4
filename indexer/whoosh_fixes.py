"""Fixes for Whoosh's writer, applied when the indexer is imported.

1. A writing cost. While a segment is flushed, Whoosh looks up each posting's field length,
   and for a field without lengths (IDs, numbers, spelling words) it asks the file system
   whether the length column exists, once per posting: a `stat` call for every posting (a
   fifth of a build's time at 5,000 documents). A segment's files do not change while it is
   read, so the answer is kept.

2. Lost spelling words. Whoosh files every word of a field's separate spelling list
   (`spell_content`) under document 0 of its segment. Merging a segment whose document 0
   was deleted (an update that re-read the first file) drops them all, so typo correction
   and fuzzy terms knew only the re-read file's words. They are carried over to the merged
   segment's first live document instead.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

_has_column = W3PerDocReader.has_column
_add_postings_to_pool = SegmentWriter.add_postings_to_pool
_ONE = pack_uint(1)  # a spelling word's posting value: a frequency of 1 (Whoosh's Frequency format)


def _cached_has_column(self: W3PerDocReader, fieldname: str) -> bool:
    cache = self.__dict__.setdefault("_faqsearch_columns", {})
    if fieldname not in cache:
        cache[fieldname] = _has_column(self, fieldname)
    return cache[fieldname]


def _add_postings_keeping_spelling(self: SegmentWriter, reader, startdoc: int, docmap: dict[int, int] | None) -> None:
    _add_postings_to_pool(self, reader, startdoc, docmap)
    if docmap is None or 0 in docmap or not docmap:
        # No deletions, document 0 alive (its postings were copied), or every document
        # deleted (no live document uses the words).
        return
    first_live = min(docmap.values())
    for name, field in self.schema.items():
        if not field.separate_spelling():
            continue
        spelling = field.spelling_fieldname(name)
        if spelling not in self.schema:
            continue
        for word in reader.lexicon(spelling):
            self.pool.add((spelling, word, first_live, 1, _ONE))


W3PerDocReader.has_column = _cached_has_column  # type: ignore[method-assign]
SegmentWriter.add_postings_to_pool = _add_postings_keeping_spelling  # type: ignore[method-assign]
