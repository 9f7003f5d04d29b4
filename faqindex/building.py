"""Who builds an index: the indexer, found when a build is needed, not imported by the reading side.

A search that finds its index missing or stale builds it first (`search.Searcher`), and
`faqsearch index` builds on request; both are given a `Builder`. The default one is the
`faqsearch.builders` entry point the package declares (`indexer:build_index`), loaded only
when called, so the reading side never imports the indexer (nor Beautiful Soup).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .sentence import ModelChoice

Progress = Callable[[int, int, str], None]
"""Called after each file as progress(done, total, file name), then as the sentence model
embeds as progress(done, total, EMBEDDING)."""


class BuiltFile(Protocol):
    """What a build says of one corpus file (the indexer's `FileResult`)."""

    name: str
    skipped: str | None  # the reason, when nothing was indexed
    notes: list[str]

    @property
    def document_count(self) -> int: ...

    @property
    def summary(self) -> str: ...


@dataclass
class BuildStats:
    """What a build did: per-file results, totals and timing."""

    corpus: Path
    index_dir: Path
    files: list[BuiltFile] = field(default_factory=list)
    documents: int = 0
    seconds: float = 0.0
    acronyms: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0  # files an update kept without reading them again
    removed: list[str] = field(default_factory=list)  # files an update dropped
    model: str = ""  # the sentence model whose vectors the index holds ("": none)
    embedded: int = 0  # answers that model embedded (the others' vectors were kept)
    notes: list[str] = field(default_factory=list)  # what a person should know of the build

    @property
    def indexed_files(self) -> list[BuiltFile]:
        """The files that gave documents."""
        return [f for f in self.files if not f.skipped]

    @property
    def skipped_files(self) -> list[BuiltFile]:
        """The files that gave none, with why (`skipped`)."""
        return [f for f in self.files if f.skipped]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what `faqsearch index --json` prints)."""
        return {
            "corpus": str(self.corpus),
            "index": str(self.index_dir),
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "acronyms": self.acronyms,
            "unchanged_files": self.unchanged,
            "removed_files": self.removed,
            "model": self.model or None,
            "embedded": self.embedded,
            "notes": self.notes,
            "files": [{"name": f.name, "documents": f.document_count, "skipped": f.skipped, "notes": f.notes} for f in self.files],
        }


class Builder(Protocol):
    """What builds an index: `indexer.build_index`, or a stand-in a caller passes."""

    def __call__(
        self,
        corpus: str | os.PathLike[str] | None = None,
        index_dir: str | os.PathLike[str] | None = None,
        *,
        progress: Progress | None = None,
        lock_timeout: float = 60.0,
        full: bool = False,
        model: ModelChoice | str | os.PathLike[str] | bool | None = None,
    ) -> BuildStats: ...


EMBEDDING = "answers embedded"
"""The name a build's progress(done, total, name) is called with while a sentence model
embeds the answers (after one call per file read)."""

GROUP = "faqsearch.builders"


def default_builder() -> Builder:
    """The installed indexer's `build_index` (the `default` of GROUP; from a source tree
    that was not installed, the `indexer` package beside this one)."""
    from importlib.metadata import entry_points  # here: most searches build nothing

    for point in entry_points(group=GROUP):
        if point.name == "default":
            return point.load()
    return importlib.import_module("indexer").build_index


def build(*args: Any, **kwargs: Any) -> BuildStats:
    """Build with the default builder: what `Searcher` and `faqsearch index` use unless given another."""
    return default_builder()(*args, **kwargs)
