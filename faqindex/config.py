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
MODEL = "FAQSEARCH_MODEL"  # a sentence model's directory
STATIC = "FAQSEARCH_STATIC"  # set: rank by meaning with the shipped static model, not a sentence model
MODELS = "FAQSEARCH_MODELS"  # where `faqsearch model install` unpacks the sentence model


def default_index_dir() -> Path:
    """`$FAQSEARCH_INDEX`, else `$XDG_CACHE_HOME/faqsearch`, else `~/.cache/faqsearch`."""
    env = os.environ.get(INDEX)
    if env:
        return Path(env).expanduser()
    return _cache_home() / "faqsearch"


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"))


def model_cache_dir() -> Path:
    """`$FAQSEARCH_MODELS`, else `faqsearch-models` in the user's cache directory (beside the
    default index, not in it: an index directory holds only what a build writes)."""
    env = os.environ.get(MODELS)
    if env:
        return Path(env).expanduser()
    return _cache_home() / "faqsearch-models"


def static_meaning() -> bool:
    """Whether `$FAQSEARCH_STATIC` asks for the shipped static model even where a sentence
    model is installed (set to anything but "", "0" or "false")."""
    return os.environ.get(STATIC, "").strip().lower() not in ("", "0", "false", "no")


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
