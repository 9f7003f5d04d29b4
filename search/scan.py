"""Which files make up a corpus.

Both sides need this answer: the indexer reads these files, and search compares them with
the index manifest to tell whether the index is stale. It lives on the reading side so that
a search never imports the indexer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError

# Extensions the indexer can read, by reader.
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


@dataclass(frozen=True)
class CorpusFile:
    """One file found under a corpus path.

    `name` is the path relative to the corpus root (POSIX separators), which is what the
    index stores as a document's source. `skip` is the reason the file is not indexed, or
    None when it is.
    """

    name: str
    path: Path
    size: int
    mtime_ns: int
    skip: str | None = None


def corpus_root(corpus: Path) -> Path:
    """The directory that source names are relative to (the file's folder for a single file)."""
    corpus = Path(corpus)
    return corpus.parent if corpus.is_file() else corpus


def scan(corpus: Path) -> list[CorpusFile]:
    """List the files of `corpus` (a directory, walked recursively, or a single file), sorted by name.

    Hidden files and folders are ignored. Symbolic links are followed only when they point
    inside the corpus; links leading outside it, and broken links, are listed as skipped.

    Raises CorpusError when `corpus` does not exist or is not a file or directory.
    """
    corpus = Path(corpus)
    try:
        if corpus.is_file():
            return [_entry(corpus, corpus.name, corpus.resolve().parent)]
        if not corpus.is_dir():
            raise CorpusError(f"corpus not found: {corpus}")
        root = corpus.resolve()
    except OSError as exc:
        raise CorpusError(f"cannot read corpus {corpus}: {exc.strerror or exc}") from None
    found: list[CorpusFile] = []
    # followlinks=False: a symlinked directory could loop or lead outside the corpus.
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for fname in files:
            if fname.startswith("."):
                continue
            path = Path(folder, fname)
            found.append(_entry(path, path.relative_to(root).as_posix(), root))
    found.sort(key=lambda f: f.name)
    return found


def _entry(path: Path, name: str, root: Path) -> CorpusFile:
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                return CorpusFile(name, path, 0, 0, "symbolic link pointing outside the corpus (not followed)")
        st = path.stat()
    except (OSError, RuntimeError) as exc:
        # RuntimeError: resolve() of a symlink loop on older Pythons.
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return CorpusFile(name, path, 0, 0, f"cannot read: {reason}")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return CorpusFile(name, path, st.st_size, st.st_mtime_ns, f"unsupported file type {path.suffix or '(none)'}")
    return CorpusFile(name, path, st.st_size, st.st_mtime_ns)
