"""Every place faqsearch reaches into Whoosh's internals, in one module, each with why.

Whoosh is pinned (`whoosh-reloaded==2.7.5`, pyproject.toml); `tests/faqindex/
test_whoosh_internals.py` fails if a release moves any of these, and the behaviour each
one gives has its own test where it is used.

The patches are applied where faqsearch opens an index to search it (`apply_reading_fixes`,
by `search.Searcher`) or writes one (`apply_writing_fixes`, by `indexer.build_index`), not
when a package is imported: importing `search` or `indexer` leaves Whoosh as it is for the
rest of the process until then.

| internal | where | why |
| --- | --- | --- |
| `Searcher.stored_fields` wrapped in an LRU cache (`cache_stored_fields`), on faqsearch's own searcher object only | every search | the same answers come back search after search: their stored fields are read from the index once per open generation |
| `TOC.read` patched (`apply_reading_fixes`) | every search | Whoosh leaves the table of contents open when it is damaged; it is closed when reading fails |
| `MpWriter.jobqueue` wrapped (`watch_workers`) | large builds | Whoosh's parallel writer puts documents on a bounded queue for its processes and waits forever when they have died (a full disk): a put gives up once one of them has ended |
| `FileStorage.open_file` extended (`ClosingStorage`) | updates | Whoosh leaves a damaged segment's files open when reading it fails; an update that finds one closes them before it rebuilds the index whole |
| `W3PerDocReader.has_column` patched (`apply_writing_fixes`) | builds | Whoosh stats the file system once per posting while flushing a segment; the answer is kept per segment reader |
| `W3PerDocReader.doc_field_length` patched (`apply_writing_fixes`) | builds | Whoosh reads each posting's document length back from the file while flushing a segment, one small read per posting; the segment's lengths are read once per field |
| `PostingPool.add` patched (`apply_writing_fixes`) | builds | Whoosh asserts each posting's types (they are always bytes here) as it adds it; the same size estimate and spilling without them |
| `W3PostingsWriter.add_posting` patched (`apply_writing_fixes`) | builds | the same, for each posting written to a segment: Whoosh's type assertions left out |
| `SortingPool._write_run`, `._read_run` patched (`apply_writing_fixes`) | large builds | Whoosh pickles each posting on its own into the runs its posting pool spills to disk, and reads each back alone; they are pickled in chunks. A run left half read when a failed build's clean-up has removed its file closes without an error (Whoosh's printed "Exception ignored" tracebacks) |
| `SegmentWriter.add_postings_to_pool` patched (`apply_writing_fixes`) | updates | merging a segment whose document 0 was deleted drops every spelling word, filed under document 0; they are carried to the first live document |
| `TopCollector._collect` overridden | `search/collect.py` | keep every document tied with the N-th, so results do not depend on how the index was built |
| `TopCollector.items`, `.minscore` | `search/collect.py` | the heap the override fills, and the bar that lets Whoosh skip blocks |
| `Highlighter._merge_matched_tokens`, `ContextFragmenter.fragment_tokens`, `top_fragments` with `BasicFragmentScorer` and `Formatter.format_fragment` reproduced (`search/highlight.py`) | every search | highlights made from an answer's words analyzed once, as tuples, without a Token object per word; `tests/search/test_highlight.py` compares them with Whoosh's own |
| `W3LeafMatcher._read_ids`, `._read_weights`, `._next_block`, `._ids`, `._weights` (`posting_blocks`) | `search/impacts.py` | a word's postings read a block at a time, to be scored as arrays, instead of one posting per Python call |
| `SegmentReader._perdoc`, its length column's `_dbfile`, `_basepos`, `_count` (`length_bytes`) | `search/impacts.py` | every document's stored field length of a segment in one read, for those arrays |
| a cache kept on Whoosh's `Results` (`per_results`) | `search/highlight.py` | the query's words, looked up once per search instead of once per hit |
| a cache kept on a Whoosh reader (`holds_term`) | `search/highlight.py` | whether the index holds a query's word, looked up once per open index instead of in its hashed term file at every search |
| `BM25F._field_B` read (`field_b`) | `search/ranking.py` | the per-field b Whoosh parsed from `<field>_B` keywords |
| `BM25FScorer.__init__` skipped (`init_bm25f_scorer`) | `search/ranking.py` | Whoosh's takes the average field length from its own counts; faqsearch's statistics give the same value however the index was built |
"""

from __future__ import annotations

import contextlib
import errno
import functools
import pickle
import queue
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.externalsort import SortingPool
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from .caches import bounded

# -- reading: a damaged table of contents is closed ----------------------------------------

_read = TOC.read.__func__


class _Opened:
    """A storage that remembers the files it opened, so they can be closed."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage
        self.files: list[Any] = []

    def open_file(self, *args: Any, **kwargs: Any) -> Any:
        handle = self._storage.open_file(*args, **kwargs)
        self.files.append(handle)
        return handle

    def __iter__(self) -> Any:  # the file names, where Whoosh looks for the latest generation
        return iter(self._storage)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)


def _read_closing(cls: type, storage: Any, indexname: str, gen: int | None = None, schema: Any = None) -> Any:
    opened = _Opened(storage)
    try:
        return _read(cls, opened, indexname, gen, schema)
    except BaseException:
        for handle in opened.files:
            handle.close()
        raise





class _WatchedJobs:
    """Whoosh's job queue for its indexing processes, whose `put` gives up (OSError) once
    one of `tasks` has ended: nothing else would ever take the job."""

    def __init__(self, jobs: Any, tasks: list[Any]) -> None:
        self._jobs, self._tasks = jobs, tasks

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        while True:
            try:
                self._jobs.put(item, timeout=0.5)
                return
            except queue.Full:
                if any(task.exitcode is not None for task in self._tasks):
                    raise OSError(errno.EIO, "an indexing process ended before it finished (is the disk full?)") from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jobs, name)


def watch_workers(writer: Any) -> Any:
    """`writer`, its processes watched when it is Whoosh's parallel writer (`_WatchedJobs`)."""
    from whoosh.multiproc import MpWriter  # here: it loads multiprocessing, which a search never needs

    if isinstance(writer, MpWriter):
        writer.jobqueue = _WatchedJobs(writer.jobqueue, writer.tasks)
    return writer


class ClosingStorage(FileStorage):
    """A FileStorage that remembers the files it opened, so that they can be closed when
    Whoosh fails half-way through reading them (it leaves them open)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened: list[Any] = []

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        handle = super().open_file(name, *args, **kwargs)
        self.opened.append(handle)
        return handle

    def close_opened(self) -> None:
        """Close every file it opened (closing one already closed is nothing)."""
        for handle in self.opened:
            with contextlib.suppress(Exception):  # a damaged file's half-made reader: closing is all that is left
                handle.close()
        self.opened.clear()


def apply_reading_fixes() -> None:
    """Patch Whoosh's reading side (idempotent; `search.Searcher` calls it before it opens
    an index)."""
    TOC.read = classmethod(_read_closing)


def cache_stored_fields(searcher: Any, documents: int) -> None:
    """Keep the stored fields of the last `documents` documents read through this Whoosh
    searcher (its own attribute: other searchers are left as they are). An open generation
    never changes, so they never go stale."""
    searcher.stored_fields = functools.lru_cache(maxsize=documents)(searcher.stored_fields)


# -- writing: a cost removed, spelling words kept on merge ---------------------------------

_has_column = W3PerDocReader.has_column
_write_run = SortingPool._write_run
_pool_add = PostingPool.add
_add_posting = W3PostingsWriter.add_posting
_read_run = SortingPool._read_run
_doc_field_length = W3PerDocReader.doc_field_length
_add_postings_to_pool = SegmentWriter.add_postings_to_pool
_ONE = pack_uint(1)  # a spelling word's posting value: a frequency of 1 (Whoosh's Frequency format)


def _cached_has_column(self: W3PerDocReader, fieldname: str) -> bool:
    cache = self.__dict__.setdefault("_faqsearch_columns", {})
    if fieldname not in cache:
        cache[fieldname] = _has_column(self, fieldname)
    return cache[fieldname]


_LENGTHS = [None, *(byte_to_length(b) for b in range(1, 256))]  # as Whoosh decodes a length byte (0: None)


def _doc_field_length_read_once(self: W3PerDocReader, docnum: int, fieldname: str, default: int = 0) -> int | None:
    cache = self.__dict__.setdefault("_faqsearch_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        column = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return default
        lengths = cache[fieldname] = _column_bytes(column, self._doccount + 1)  # Whoosh allows docnum == count
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    return _LENGTHS[lengths[docnum]]


def _column_bytes(column: Any, size: int) -> bytes:
    """A one-byte-per-document column's bytes, at least `size` of them: 0 for the documents
    past its end, as Whoosh reads them."""
    stored = column._dbfile.get(column._basepos, column._count)
    return stored + bytes(max(0, size - len(stored)))


def _add_to_pool(self: PostingPool, item: tuple) -> None:
    # item: (fieldname, term bytes, docnum, weight, value bytes); Whoosh's estimate of its size
    self.fieldnames.add(item[0])
    self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


def _add_posting_unchecked(self: W3PostingsWriter, id_: int, weight: float, vbytes: bytes, length: int | None = None) -> None:
    if len(self._ids) >= self._blocklimit:
        self._write_block()
    self._ids.append(id_)
    self._weights.append(weight)
    if weight > self._maxweight:
        self._maxweight = weight
    if vbytes:
        self._values.append(vbytes)
    if length:
        if self._minlength is None or length < self._minlength:
            self._minlength = length
        if length > self._maxlength:
            self._maxlength = length


_RUN_CHUNK = 4096  # postings pickled together in a posting pool's run


def _write_run_in_chunks(self: SortingPool, f: Any, items: Any) -> None:
    items = iter(items)
    while chunk := list(islice(items, _RUN_CHUNK)):
        pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
    f.close()


def _read_run_in_chunks(self: SortingPool, path: str) -> Iterator[Any]:
    f = self._open_run(path)
    try:
        while True:
            try:
                chunk = pickle.load(f)
            except EOFError:
                return
            yield from chunk
    finally:
        f.close()
        # A failed build's temporary directory may have been removed before this run was closed.
        with contextlib.suppress(FileNotFoundError):
            self._remove_run(path)


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


def apply_writing_fixes() -> None:
    """Patch Whoosh's writing side (idempotent; `indexer.build_index` calls it before it
    writes an index)."""
    W3PerDocReader.has_column = _cached_has_column
    W3PerDocReader.doc_field_length = _doc_field_length_read_once
    PostingPool.add = _add_to_pool
    W3PostingsWriter.add_posting = _add_posting_unchecked
    SortingPool._write_run = _write_run_in_chunks
    SortingPool._read_run = _read_run_in_chunks
    SegmentWriter.add_postings_to_pool = _add_postings_keeping_spelling


# -- private calls the search side makes ----------------------------------------------------


def posting_blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]] | None:
    """The (document numbers, weights) of each block of a term's postings in one segment, in
    order, or None when `matcher` is not a block posting list (short lists are kept inline
    in the term's info). Deleted documents are included: Whoosh filters them above this."""
    if type(matcher) is not W3LeafMatcher:
        return None

    def blocks() -> Iterator[tuple[Sequence[int], Sequence[float]]]:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()

    return blocks()


def length_bytes(reader: Any, fieldname: str) -> bytes | None:
    """Each document's length of `fieldname` in one segment, one byte each as Whoosh stores
    it (`whoosh.util.numeric.byte_to_length` decodes it); None when the field keeps none."""
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    return _column_bytes(column, reader.doc_count_all())


def per_results(results: Any, name: str, compute: Callable[[], Any]) -> Any:
    """A value computed once per Whoosh `Results` (one search), kept on it."""
    key = f"_faqsearch_{name}"
    value = getattr(results, key, None)
    if value is None:
        value = compute()
        setattr(results, key, value)
    return value


HELD_TERMS = 4096  # terms whose presence one open reader remembers


def holds_term(reader: Any, fieldname: str, text: bytes) -> bool:
    """Whether `reader` holds the term, remembered on the reader (an open index never changes)."""
    held = reader.__dict__.setdefault("_faqsearch_held", {})
    key = (fieldname, text)
    found = held.get(key)
    if found is None:
        found = bounded(held, HELD_TERMS)[key] = key in reader
    return found


def field_b(weighting: Any, fieldname: str) -> float:
    """The b of one field of a Whoosh BM25F weighting (its `<field>_B`, else its B)."""
    return weighting._field_B.get(fieldname, weighting.B)


def init_bm25f_scorer(scorer: Any, searcher: Any, fieldname: str, text: Any, *, idf: float, avgfl: float, B: float, K1: float, qf: float) -> None:
    """What `BM25FScorer.__init__` sets, with the given idf and average field length."""
    scorer.idf, scorer.avgfl = idf, avgfl
    scorer.B, scorer.K1, scorer.qf = B, K1, qf
    scorer.setup(searcher, fieldname, text)
