"""A fix for Whoosh's reading side, applied when the searcher is imported.

Whoosh reads an index's table of contents (`_MAIN_<n>.toc`) without closing the file when
the table is damaged: the error reaches faqsearch (which rebuilds the index) and the open
file is left to the garbage collector, which warns about it whenever it runs. The file is
closed when reading fails. (The writing side's fixes are in `indexer/whoosh_fixes.py`.)
"""

from __future__ import annotations

from typing import Any

from whoosh.index import TOC

_read = TOC.read.__func__  # type: ignore[attr-defined]


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


TOC.read = classmethod(_read_closing)  # type: ignore[method-assign,assignment]
