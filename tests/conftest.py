"""Shared fixtures: an isolated environment for every test, and the shipped article's index built once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# On CI (CI=true) the property tests replay a fixed set of examples, so a submission is never
# failed by a case no developer has seen; elsewhere each run explores new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from corpus import ARTICLES
from indexer import build_index

SEED = ARTICLES / "iron-deposits-in-the-brain-ms.txt"


from faqindex import sentence

INSTALLED_MODEL = sentence.installed_directory()  # the user's, found before any test moves the cache


@pytest.fixture(scope="session", autouse=True)
def models_dir(tmp_path_factory) -> Path:
    """Where the sentence model is found: the user's installed one (`faqsearch model install`),
    else a folder of the session's; and the static model for the fixtures of a whole module
    or session too (`isolated_env`)."""
    found = INSTALLED_MODEL.parent if INSTALLED_MODEL.exists() else tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FAQSEARCH_MODELS", str(found))
        patch.setenv("FAQSEARCH_STATIC", "1")
        yield found


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch, models_dir):
    """No test reads or writes the user's cache, or follows the caller's FAQSEARCH_* settings.

    Tests rank with the shipped static model even where the sentence extra is installed
    ($FAQSEARCH_STATIC): those of the sentence model ask for it (`sentence_model`)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("FAQSEARCH_MODELS", str(models_dir))
    monkeypatch.setenv("FAQSEARCH_STATIC", "1")
    monkeypatch.delenv("FAQSEARCH_INDEX", raising=False)
    monkeypatch.delenv("FAQSEARCH_CORPUS", raising=False)
    monkeypatch.delenv("FAQSEARCH_MODEL", raising=False)
    monkeypatch.delenv("FAQSEARCH_SEMANTIC", raising=False)
    monkeypatch.delenv("FAQSEARCH_WORDS_ONLY", raising=False)
    monkeypatch.delenv("FAQSEARCH_SYNONYMS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def sentence_model(monkeypatch):
    """The sentence model, used by default as a user's install would (skips without it)."""
    if not sentence.is_installed():
        pytest.skip("the sentence model is not installed (faqsearch model install)")
    monkeypatch.delenv("FAQSEARCH_STATIC")
    return sentence.choose()


@pytest.fixture(scope="session")
def article_index(tmp_path_factory) -> Path:
    """The index of the shipped article (read-only: tests that change an index build their own)."""
    index_dir = tmp_path_factory.mktemp("article-index")
    build_index(ARTICLES, index_dir)
    return index_dir


@pytest.fixture
def write_corpus(tmp_path):
    """Write small corpus files for a test: write_corpus({"a.txt": "..."}) -> the corpus directory."""

    def write(files: dict[str, str | bytes]) -> Path:
        root = tmp_path / "corpus"
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return write
