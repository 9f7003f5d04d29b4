"""Exceptions raised by the search library.

Every error a user can cause derives from `FaqsearchError`, so callers (and the CLI) can
report it in one line instead of a traceback.
"""

from __future__ import annotations

import errno


class FaqsearchError(Exception):
    """Base class of all faqsearch errors."""


class QueryError(FaqsearchError, ValueError):
    """The query text cannot be turned into a search."""


class IndexMissingError(FaqsearchError):
    """No index exists where one was expected, and none could be built."""


class IndexCorruptError(FaqsearchError):
    """The index exists but cannot be read (damaged, truncated or another schema version)."""


class CorpusError(FaqsearchError):
    """The corpus path does not exist or cannot be read."""


class IndexBusyError(FaqsearchError):
    """Another process holds the index build lock for longer than we are willing to wait."""


class IndexWriteError(FaqsearchError):
    """The index directory cannot be written (its permissions, a read-only or full disk)."""


class SemanticUnavailable(FaqsearchError):
    """A sentence model was asked for and none can be used: none is installed, tokenizers
    (the `sentence` extra) is missing, or the model's files are missing, damaged or not a
    model faqsearch runs."""


def out_of_memory(exc: BaseException) -> bool:
    """Whether `exc` is the system refusing memory (ENOMEM from a map or a read), which is
    reported as running out of memory, not as damage to the file being read."""
    return isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM)
