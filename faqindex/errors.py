"""Exceptions raised by the search library.

Every error a user can cause derives from `FaqsearchError`, so callers (and the CLI) can
report it in one line instead of a traceback.
"""


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
