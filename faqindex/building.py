"""Who builds an index: the indexer, found when a build is needed, not imported by the reading side.

A search that finds its index missing or stale builds it first (`search.Searcher`), and
`faqsearch index` builds on request; both are given a `Builder`. The default one is the
`faqsearch.builders` entry point the package declares (`indexer:build_index`), loaded only
when called, so the reading side never imports the indexer (nor Beautiful Soup).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Builder = Callable[..., Any]
"""build(corpus, index_dir, *, full=False, lock_timeout=60.0, progress=None, model=None) -> BuildStats"""

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


def build(*args: Any, **kwargs: Any) -> Any:
    """Build with the default builder: what `Searcher` and `faqsearch index` use unless given another."""
    return default_builder()(*args, **kwargs)
