"""The index directory a build may write into, and what a build may delete there.

faqsearch deletes only what it provably wrote. A directory becomes an index directory when
faqsearch finds it missing or empty and writes its marker file (`MARKER`) into it; a
non-empty directory without the marker is refused, so pointing `--index` at a folder of
one's own never costs a file. Inside a marked directory, a build removes only:

- `building-<pid>-<time>` and `gen-<time>` folders holding the generation marker that every
  build writes first (or, for a build killed before that, nothing at all);
- `.CURRENT.<pid>.tmp` and `.<marker>.<pid>.tmp`, the half-written files of `write_atomically`.

Anything else, whatever its name, is left alone. An index written before markers existed
(its `CURRENT` names a generation with a manifest) is adopted.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

from faqindex import store
from faqindex.errors import FaqsearchError, IndexWriteError

MARKER = ".faqsearch-index"  # in the index directory: it is faqsearch's
GENERATION_MARKER = ".faqsearch-generation"  # in each building-*/gen-* folder faqsearch made
_MARKER_TEXT = "This directory is a faqsearch index. faqsearch deletes only what it wrote here.\n"
_BUILDING = re.compile(rf"{re.escape(store.BUILDING_PREFIX)}\d+-\d+")
_GENERATION = re.compile(rf"{re.escape(store.GENERATION_PREFIX)}\d+")
_TEMPORARY = re.compile(rf"\.({re.escape(store.POINTER)}|{re.escape(MARKER)})\.\d+\.tmp")


class IndexDirectoryError(FaqsearchError):
    """The index directory is not one faqsearch may write into."""


def claim(index_dir: Path, corpus: Path) -> None:
    """Make `index_dir` an index directory, or check that it is one.

    Raises IndexDirectoryError when it holds files that are not faqsearch's, or when the
    index and the corpus overlap (a build would index its own files, or clean up the
    user's), and IndexWriteError when it cannot be created or written.
    """
    _check_apart(index_dir, corpus)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexWriteError(f"cannot create index directory {index_dir}: {exc.strerror or exc}") from None
    try:
        if (index_dir / MARKER).is_file():
            return
        if any(index_dir.iterdir()) and not _written_before_markers(index_dir):
            raise IndexDirectoryError(
                f"{index_dir} is not empty and is not a faqsearch index: give a new or empty directory"
            )
        store.write_atomically(index_dir / MARKER, _MARKER_TEXT)
    except OSError as exc:
        raise IndexWriteError(f"cannot write index directory {index_dir}: {exc.strerror or exc}") from None


def _check_apart(index_dir: Path, corpus: Path) -> None:
    index, source = index_dir.resolve(), corpus.resolve()
    if source.is_dir() and index.is_relative_to(source):
        raise IndexDirectoryError(f"the index directory {index_dir} is inside the corpus {corpus}: put it elsewhere")
    if source.is_relative_to(index):
        raise IndexDirectoryError(f"the corpus {corpus} is inside the index directory {index_dir}: put it elsewhere")


def _written_before_markers(index_dir: Path) -> bool:
    """An index directory of an earlier faqsearch: its pointer names a generation with a manifest."""
    try:
        generation = store.current_generation(index_dir)
    except FaqsearchError:
        return False
    return generation is not None and _earlier_generation(generation)


def new_building(building: Path) -> None:
    """Create the folder of a build in progress, marked as faqsearch's before anything else."""
    building.mkdir()
    (building / GENERATION_MARKER).touch()


def remove_leftovers(index_dir: Path) -> None:
    """Delete killed builds and generations older than the previous one (called under the lock).

    The generation before the current one is kept: a long-lived searcher may still be
    reading it.
    """
    try:
        current = store.current_generation(index_dir)
    except FaqsearchError:
        current = None
    try:
        entries = list(os.scandir(index_dir))
    except OSError:
        return
    generations = sorted(
        (Path(e.path) for e in entries if _GENERATION.fullmatch(e.name) and Path(e.path) != current),
        key=lambda p: int(p.name[len(store.GENERATION_PREFIX) :]),
    )
    builds = [Path(e.path) for e in entries if _BUILDING.fullmatch(e.name)]
    for path in builds + generations[:-1]:
        remove_folder(path)
    for entry in entries:
        if _TEMPORARY.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)


def remove_folder(path: Path) -> None:
    """Remove a build's or generation's folder if it is provably one: marked, written by an
    earlier faqsearch, or empty (killed before marking)."""
    if path.is_symlink() or not path.is_dir():
        return
    if (path / GENERATION_MARKER).is_file() or _earlier_generation(path):
        shutil.rmtree(path, ignore_errors=True)
        return
    with contextlib.suppress(OSError):
        path.rmdir()  # only when empty


def _earlier_generation(path: Path) -> bool:
    """A generation of an earlier faqsearch: a Whoosh index with faqsearch's manifest."""
    return path.name.startswith(store.GENERATION_PREFIX) and (path / store.MANIFEST).is_file()
