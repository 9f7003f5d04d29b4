"""Where faqsearch finds things when the caller does not say: the environment, else defaults.

Every `FAQSEARCH_*` variable that names a place is read here (the command line's options
also take them, through click).
"""

from __future__ import annotations

import os
from pathlib import Path

INDEX = "FAQSEARCH_INDEX"
CORPUS = "FAQSEARCH_CORPUS"
SYNONYMS = "FAQSEARCH_SYNONYMS"


def default_index_dir() -> Path:
    """`$FAQSEARCH_INDEX`, else `$XDG_CACHE_HOME/faqsearch`, else `~/.cache/faqsearch`."""
    env = os.environ.get(INDEX)
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "faqsearch"


def corpus_from_environment() -> Path | None:
    """`$FAQSEARCH_CORPUS`, when set."""
    env = os.environ.get(CORPUS)
    return Path(env).expanduser() if env else None


def default_corpus() -> Path:
    """`$FAQSEARCH_CORPUS`, else the article shipped with faqsearch."""
    return corpus_from_environment() or _shipped("ARTICLES")


def default_synonyms() -> Path:
    """`$FAQSEARCH_SYNONYMS`, else the synonyms file shipped with faqsearch."""
    env = os.environ.get(SYNONYMS)
    return Path(env).expanduser() if env else _shipped("SYNONYMS")


def _shipped(name: str) -> Path:
    import corpus

    return getattr(corpus, name)
