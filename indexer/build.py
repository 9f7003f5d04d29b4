"""Write an index: read every corpus file, write a new generation, then swap it in atomically.

The live index is never modified in place. A build writes into `building-*`, renames it to
`gen-*` when complete, and only then replaces the `CURRENT` pointer, so a search (or a
`kill -9` at any moment) always leaves the complete old or the complete new index.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from search import store
from search.errors import FaqsearchError, IndexBusyError
from search.scan import scan
from search.schema import QUESTION_SEPARATOR, make_schema

from .acronyms import mine
from .sources import FileResult, read_file

Progress = Callable[[int, int, str], None]
"""Called after each file as progress(done, total, file name)."""


@dataclass
class BuildStats:
    """What a build did: per-file results, totals and timing."""

    corpus: Path
    index_dir: Path
    files: list[FileResult] = field(default_factory=list)
    documents: int = 0
    seconds: float = 0.0
    acronyms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def indexed_files(self) -> list[FileResult]:
        return [f for f in self.files if not f.skipped]

    @property
    def skipped_files(self) -> list[FileResult]:
        return [f for f in self.files if f.skipped]


def build_index(
    corpus: str | os.PathLike[str] | None = None,
    index_dir: str | os.PathLike[str] | None = None,
    *,
    progress: Progress | None = None,
    lock_timeout: float = 60.0,
) -> BuildStats:
    """Build a fresh index of `corpus` (a directory or one file) into `index_dir`.

    Defaults: the shipped corpus (or `$FAQSEARCH_CORPUS`) and the user's cache directory (or
    `$FAQSEARCH_INDEX`). The previous index stays searchable until the new one is complete.

    Raises CorpusError for a missing corpus, IndexBusyError when another build holds the lock
    longer than `lock_timeout` seconds, and FaqsearchError when the index cannot be written.
    """
    started = time.perf_counter()
    corpus_path = Path(corpus).expanduser() if corpus is not None else store.default_corpus()
    target = Path(index_dir).expanduser() if index_dir is not None else store.default_index_dir()
    entries = scan(corpus_path)
    stats = BuildStats(corpus_path.resolve(), target)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FaqsearchError(f"cannot create index directory {target}: {exc.strerror or exc}") from None
    with _build_lock(target, lock_timeout):
        _remove_leftovers(target)
        building = target / f"{store.BUILDING_PREFIX}{os.getpid()}-{time.time_ns()}"
        try:
            building.mkdir()
            manifest = _write_generation(building, entries, stats, progress)
            generation = target / f"{store.GENERATION_PREFIX}{time.time_ns()}"
            building.rename(generation)
            _swap_pointer(target, generation.name)
        except OSError as exc:
            shutil.rmtree(building, ignore_errors=True)
            raise FaqsearchError(f"cannot write index in {target}: {exc.strerror or exc}") from None
        _remove_leftovers(target)
    stats.documents = manifest.documents
    stats.acronyms = manifest.acronyms
    stats.seconds = time.perf_counter() - started
    return stats


def _write_generation(building: Path, entries, stats: BuildStats, progress: Progress | None) -> store.Manifest:
    manifest = store.Manifest(corpus=str(stats.corpus))
    ix = whoosh_index.create_in(str(building), make_schema())
    writer = ix.writer(limitmb=128)
    seen_ids: set[str] = set()
    texts: list[str] = []
    try:
        for done, entry in enumerate(entries, start=1):
            result = read_file(entry)
            stats.files.append(result)
            for doc in result.documents:
                doc.id = _unique(doc.id, seen_ids)
                writer.add_document(
                    id=doc.id,
                    question=QUESTION_SEPARATOR.join(doc.questions),
                    answer=doc.answer,
                    content="\n".join((*doc.questions, doc.answer)),
                    title=doc.title,
                    section=doc.section,
                    source=doc.source,
                    position=doc.position,
                )
                texts.extend((*doc.questions, doc.answer))
            if not entry.skip:
                manifest.files[entry.name] = store.FileRecord(
                    entry.size, entry.mtime_ns, result.sha256, len(result.documents)
                )
            manifest.documents += len(result.documents)
            if progress:
                progress(done, len(entries), entry.name)
        writer.commit(optimize=True)
    except BaseException:
        writer.cancel()
        raise
    manifest.acronyms = mine(texts)
    _write_atomically(building / store.MANIFEST, manifest.to_json())
    return manifest


def _unique(doc_id: str, seen: set[str]) -> str:
    candidate, n = doc_id, 1
    while candidate in seen:
        n += 1
        candidate = f"{doc_id}-{n}"
    seen.add(candidate)
    return candidate


@contextmanager
def _build_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """One builder at a time. The kernel drops the lock when its holder dies, even by SIGKILL."""
    with open(index_dir / store.LOCK, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"another faqsearch build is running on {index_dir}; gave up after {timeout:.0f} s"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap_pointer(index_dir: Path, generation: str) -> None:
    _write_atomically(index_dir / store.POINTER, generation + "\n")


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _remove_leftovers(index_dir: Path) -> None:
    """Delete killed builds and generations older than the previous one (called under the lock).

    The generation before the current one is kept: a long-lived searcher may still be
    reading it.
    """
    try:
        current = store.current_generation(index_dir)
    except FaqsearchError:
        current = None
    generations = sorted(
        (p for p in index_dir.glob(f"{store.GENERATION_PREFIX}*") if p != current),
        key=lambda p: p.name,
    )
    doomed = list(index_dir.glob(f"{store.BUILDING_PREFIX}*")) + generations[:-1]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    for tmp in index_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


__all__ = ["BuildStats", "build_index"]
