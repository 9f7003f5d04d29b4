"""Which files make up a corpus.

Both sides need this answer: the indexer reads these files, and search compares them with
the index manifest to tell whether the index is stale. It lives on the reading side so that
a search never imports the indexer.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from .errors import CorpusError

# Extensions the indexer can read, by reader.
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


class CorpusFile(NamedTuple):
    """One file found under a corpus path.

    `name` is the path relative to the corpus root (POSIX separators), which is what the
    index stores as a document's source. `skip` is the reason the file is not indexed, or
    None when it is. (A named tuple: a search makes one per corpus file before it starts.)
    """

    name: str
    location: str  # the file's path as a string: a Path for each file would double the cost
    size: int
    mtime_ns: int
    skip: str | None = None
    # Changed by any write, and no user can set it back (`touch -r` restores only mtime).
    ctime_ns: int = 0

    @property
    def path(self) -> Path:
        """The file's path."""
        return Path(self.location)


class NotRegularFile(OSError):
    """A FIFO, device or socket where a corpus file was expected."""


def kind_of(mode: int) -> str | None:
    """None for a regular file, else what it is ("a FIFO", "a character device", ...)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(location: str, limit: int) -> bytes:
    """The bytes of a regular file, at most `limit` + 1 of them.

    Opened without blocking and checked after opening: a FIFO (which would wait for a
    writer forever) or a device (which never ends) put in place of a file after the scan
    raises NotRegularFile instead of hanging the build that holds the lock.
    """
    fd = os.open(location, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = kind_of(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotRegularFile(f"{kind}, not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


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
            kind = kind_of(corpus.stat().st_mode) if corpus.exists() else None
            if kind is not None:  # a FIFO, a device, a socket: it exists, but holds no articles
                raise CorpusError(f"corpus {corpus} is {kind}, not a file or folder of articles")
            raise CorpusError(f"corpus not found: {corpus}")
        root = corpus.resolve()
    except OSError as exc:
        raise CorpusError(f"cannot read corpus {corpus}: {exc.strerror or exc}") from None
    found: list[CorpusFile] = []
    # os.scandir, not os.walk and Path.stat: a search checks the corpus before every start, and
    # the directory entries already carry what a plain file needs (much cheaper than a stat
    # per file on large corpora: benchmarks/RESULTS.md, staleness check).
    folders = [(str(root), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            if not prefix:
                raise CorpusError(f"cannot read corpus {corpus}: {exc.strerror or exc}") from None
            found.append(CorpusFile(prefix, folder, 0, 0, f"cannot read folder: {exc.strerror or exc}"))
            continue
        for item in entries:
            base = item.name
            if base[0] == ".":
                continue
            if not base.isascii() and not _utf8(base):
                # Names are stored in the index and printed; a name that is not text cannot be.
                found.append(CorpusFile(prefix + _shown(base), item.path, 0, 0, "the file name is not UTF-8: rename it to index it"))
            elif item.is_file(follow_symlinks=False):  # the common case first
                found.append(_plain_entry(item, prefix + base))
            elif item.is_symlink():
                if _is_dir(item):
                    # A linked folder could loop or lead outside the corpus: not walked, but
                    # listed, so that the build says what it left out.
                    found.append(CorpusFile(prefix + base, item.path, 0, 0, "symbolic link to a folder (not followed)"))
                    continue
                found.append(_entry(Path(item.path), prefix + base, root))
            elif item.is_dir(follow_symlinks=False):
                if base != "__pycache__":
                    folders.append((item.path, prefix + base + "/"))
            else:
                found.append(_plain_entry(item, prefix + base))
    found.sort()  # by name: names are unique, so no two entries compare further
    return found


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept by Python as surrogates
        return False
    return True


def _shown(name: str) -> str:
    """A file name that is not UTF-8, with its odd bytes written as \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_dir(item: os.DirEntry) -> bool:
    try:
        return item.is_dir()
    except OSError:
        return False


def _plain_entry(item: os.DirEntry, name: str) -> CorpusFile:
    try:
        st = item.stat(follow_symlinks=False)
    except OSError as exc:
        return CorpusFile(name, item.path, 0, 0, f"cannot read: {exc.strerror or exc}")
    dot = item.name.rfind(".")  # os.path.splitext costs as much as the stat
    return _described(name, item.path, st, item.name[dot:] if dot > 0 else "")


def _entry(path: Path, name: str, root: Path) -> CorpusFile:
    try:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                return CorpusFile(name, str(path), 0, 0, "symbolic link pointing outside the corpus (not followed)")
        st = path.stat()
    except (OSError, RuntimeError) as exc:
        # RuntimeError: resolve() of a symlink loop on older Pythons.
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return CorpusFile(name, str(path), 0, 0, f"cannot read: {reason}")
    return _described(name, str(path), st, path.suffix)


def _described(name: str, location: str, st: os.stat_result, suffix: str) -> CorpusFile:
    """A file as its stat shows it: skipped when it is not a regular file, or of a type no
    reader takes."""
    kind = kind_of(st.st_mode)
    if kind is not None:
        return CorpusFile(name, location, 0, st.st_mtime_ns, f"{kind}, not a regular file")
    if suffix.lower() not in SUPPORTED_SUFFIXES:
        return CorpusFile(name, location, st.st_size, st.st_mtime_ns, f"unsupported file type {suffix or '(none)'}")
    return CorpusFile(name, location, st.st_size, st.st_mtime_ns, ctime_ns=st.st_ctime_ns)
