"""Write an index: read every corpus file, write a new generation, then swap it in atomically.

The live index is never modified in place. A build writes into `building-*`, renames it to
`gen-*` when complete, and only then replaces the `CURRENT` pointer, so a search (or a
`kill -9` at any moment) always leaves the complete old or the complete new index.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL

from faqindex import config, embedding, sentence, store
from faqindex.building import EMBEDDING, BuildStats, Progress
from faqindex.errors import FaqsearchError, IndexBusyError, IndexWriteError
from faqindex.scan import scan
from faqindex.schema import (
    make_schema,
    question_key,
)
from faqindex.statistics import Statistics
from faqindex.whoosh_internals import ClosingStorage, apply_writing_fixes, watch_workers

from . import directory
from .acronyms import mine
from .related import write_related
from .sources import FileResult, read_file
from .workers import lock_held

PARALLEL_BYTES = 1 << 20  # corpora from this size on are indexed by several processes
MAX_PROCESSES = 4
WRITER_MB = 128  # Whoosh's in-memory posting pools, in all: more is faster, up to a point
WORKER_BATCH = 100  # documents handed to an indexing process at a time
WHOOSH_FILES = ("MAIN", "_MAIN")  # what Whoosh names the files of an index called MAIN
FULL_MERGE_LIMIT = 2_000  # documents up to which an update merges the index whole



def build_index(
    corpus: str | os.PathLike[str] | None = None,
    index_dir: str | os.PathLike[str] | None = None,
    *,
    progress: Progress | None = None,
    lock_timeout: float = 60.0,
    full: bool = False,
    model: sentence.ModelChoice | str | os.PathLike[str] | bool | None = None,
) -> BuildStats:
    """Bring the index of `corpus` (a directory or one file) in `index_dir` up to date.

    Only files added, changed or removed since the last build are read again (the manifest
    keeps each file's size, modification time and content hash); `full=True`, a schema
    change or another corpus rebuild everything. Defaults: `$FAQSEARCH_CORPUS`, else the
    corpus the index was last built from (as a search reads it), else the shipped article;
    and the user's cache directory (or `$FAQSEARCH_INDEX`). The
    previous index stays searchable until the new one is complete.

    Each document's meaning is written with the index: the shipped static model's vectors,
    and the sentence model's when one is chosen (`model`: as `faqindex.sentence.choose`
    takes it; None: the installed or configured one). Only texts the previous generation
    did not hold are embedded; `progress` follows that too, with the name "answers embedded".

    Raises CorpusError for a missing corpus, IndexBusyError when another build holds the lock
    longer than `lock_timeout` seconds, IndexWriteError when the index cannot be written, and
    FaqsearchError when the index directory is not one faqsearch may write into.
    """
    started = time.perf_counter()
    target = Path(index_dir).expanduser() if index_dir is not None else config.default_index_dir()
    corpus_path = Path(corpus).expanduser() if corpus is not None else _default_corpus(target)
    entries = scan(corpus_path)
    corpus_root = corpus_path.resolve()
    meaning = _Meaning(sentence.choose(model), progress)
    directory.claim(target, corpus_path)
    apply_writing_fixes()
    with _build_lock(target, lock_timeout):
        directory.remove_leftovers(target)
        previous = None if full else _previous(target, corpus_root)
        building = target / f"{store.BUILDING_PREFIX}{os.getpid()}-{time.time_ns()}"
        try:
            directory.new_building(building)
            damaged = ""
            if previous is not None:
                try:
                    written = _update_generation(previous, building, entries, progress, meaning)
                except (OSError, FaqsearchError):
                    raise
                except Exception as exc:  # noqa: BLE001 - Whoosh reports a damaged segment with many types
                    # The previous generation cannot be read (a truncated segment, say): the
                    # whole corpus is read again instead, and the build says so.
                    damaged = f"the previous index was damaged ({type(exc).__name__}): rebuilt from the corpus"
                    directory.remove_folder(building)
                    directory.new_building(building)
                    previous = None
            if previous is None:
                written = _write_generation(building, entries, corpus_root, progress, meaning)
            store.write_signature(building, corpus_root, entries)
            generation = target / f"{store.GENERATION_PREFIX}{time.time_ns()}"
            building.rename(generation)
            _swap_pointer(target, generation.name)
        except BaseException as exc:
            directory.remove_folder(building)
            if isinstance(exc, OSError):
                raise IndexWriteError(f"cannot write index in {target}: {exc.strerror or exc}") from None
            raise
        directory.remove_leftovers(target)
    return BuildStats(
        corpus=corpus_root,
        index_dir=target,
        files=written.files,
        documents=written.manifest.documents,
        seconds=time.perf_counter() - started,
        acronyms=written.manifest.acronyms,
        unchanged=written.unchanged,
        removed=written.removed,
        model=meaning.choice.name if meaning.choice else "",
        embedded=meaning.embedded,
        notes=[damaged] if damaged else [],
    )


def _default_corpus(index_dir: Path) -> Path:
    """The corpus a build reads when not told: one rule with a search's (`Searcher`)."""
    indexed = store.indexed_corpus(index_dir)
    return config.corpus_from_environment() or (indexed[0] if indexed is not None else config.default_corpus())


@dataclass
class _Meaning:
    """The sentence model a build embeds with (None: the static model only), and how many
    texts it embedded."""

    choice: sentence.ModelChoice | None
    progress: Progress | None = None
    embedded: int = 0

    def write(self, building: Path, reader, previous: Path | None) -> None:
        if self.choice is None:
            return
        from faqindex.encoder import Encoder  # numpy and tokenizers: only with a sentence model

        progress = self.progress
        self.embedded = sentence.write_vectors(
            building, reader, Encoder(self.choice.directory), previous,
            None if progress is None else lambda done, total: progress(done, total, EMBEDDING),
        )


@dataclass
class _Written:
    """What writing a generation did: its manifest, each file read, and for an update the
    files kept unread and those removed."""

    manifest: store.Manifest
    files: list[FileResult]
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def writer_processes(corpus_bytes: int) -> int:
    """How many processes index a corpus of this size: one for small corpora (starting
    processes costs more than they save), else one per core, at most MAX_PROCESSES."""
    return 1 if corpus_bytes < PARALLEL_BYTES else _cores()


def _cores() -> int:
    """The cores this process may run on, at most MAX_PROCESSES."""
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, MAX_PROCESSES))


def _previous(index_dir: Path, corpus: Path) -> tuple[Path, store.Manifest] | None:
    """The live generation and its manifest, when an update of it can stand for a full build."""
    try:
        generation = store.current_generation(index_dir)
        if generation is None:
            return None
        manifest = store.read_manifest(generation)
    except FaqsearchError:  # damaged or another schema version: rebuild it all
        return None
    return (generation, manifest) if Path(manifest.corpus) == corpus else None


def _write_generation(building: Path, entries, corpus: Path, progress: Progress | None, meaning: _Meaning) -> _Written:
    manifest = store.Manifest(corpus=str(corpus))
    ix = whoosh_index.create_in(str(building), make_schema())
    writer = _writer(ix, entries)
    batch = _Batch(writer, manifest)
    try:
        for done, entry in enumerate(entries, start=1):
            batch.add(entry)
            if progress:
                progress(done, len(entries), entry.name)
        writer.commit(optimize=True)
    except BaseException:
        writer.cancel()
        raise
    return _Written(_finish(building, manifest, None, meaning), batch.files)


def _writer(ix, entries):
    """A Whoosh writer for indexing `entries`: several processes when there is much to read."""
    procs = writer_processes(sum(entry.size for entry in entries if not entry.skip))
    # Each process writes its own segment (merging them would cost what the processes saved).
    parallel = {"procs": procs, "multisegment": True, "batchsize": WORKER_BATCH} if procs > 1 else {}
    return watch_workers(ix.writer(limitmb=WRITER_MB // procs, **parallel))  # the processes share the budget


def _update_generation(
    previous: tuple[Path, store.Manifest], building: Path, entries, progress: Progress | None, meaning: _Meaning
) -> _Written:
    """A new generation made from the previous one: its files linked, changed sources replaced."""
    old_generation, old = previous
    current = {entry.name for entry in entries if not entry.skip}
    stale = [entry for entry in entries if not entry.skip and store.file_changed(entry, old.files.get(entry.name))]
    stale_names = {entry.name for entry in stale}
    removed = sorted(set(old.files) - current)
    manifest = store.Manifest(corpus=old.corpus)
    for name, record in old.files.items():
        if name in current and name not in stale_names:
            manifest.files[name] = record
            manifest.documents += record.documents
    unchanged = len(manifest.files)
    for path in old_generation.iterdir():
        # Whoosh's files only: faqsearch's own (manifest, signature, statistics, caches) are
        # written anew, and writing through a link would change the live generation's copy.
        if path.name.startswith(WHOOSH_FILES):
            _link_or_copy(path, building / path.name)
    storage = ClosingStorage(str(building))
    try:
        ix = storage.open_index()
        writer = _writer(ix, stale)
    except BaseException:
        storage.close_opened()  # a damaged segment's files, left open by Whoosh
        raise
    batch = _Batch(writer, manifest)
    try:
        for name in [*removed, *(entry.name for entry in stale)]:
            writer.delete_by_term("source", name)
        for done, entry in enumerate(stale, start=1):
            batch.add(entry)
            if progress:
                progress(done, len(stale), entry.name)
        # A small index is merged whole (cheap, and no deleted documents are left); a large
        # one as `_merge_policy` decides. Either ranks as a full build (faqindex.statistics).
        if manifest.documents <= FULL_MERGE_LIMIT:
            writer.commit(optimize=True)
        else:
            writer.commit(mergetype=_merge_policy)
    except BaseException:
        writer.cancel()
        storage.close_opened()  # a damaged segment's files, left open by Whoosh
        raise
    return _Written(_finish(building, manifest, old_generation, meaning), batch.files, unchanged, removed)


def _merge_policy(writer, segments):
    """Whoosh's policy (merge the small segments), and rewrite any segment mostly deleted,
    so that replaced documents do not pile up in the big segments of a full build."""
    kept = []
    for segment in segments:
        if segment.deleted_count() * 2 >= segment.doc_count_all():
            with SegmentReader(writer.storage, writer.schema, segment) as reader:
                writer.add_reader(reader)
        else:
            kept.append(segment)
    return MERGE_SMALL(writer, kept)


class _Batch:
    """Adds files' documents to one Whoosh writer, noting questions already seen in another file."""

    def __init__(self, writer, manifest: store.Manifest) -> None:
        self.writer, self.manifest = writer, manifest
        self.files: list[FileResult] = []  # each file read, in order
        # A digest of each question and answer (normalised) -> the file it was first seen in:
        # the texts themselves would hold the whole corpus in memory.
        self._first_seen: dict[bytes, str] = {}

    def add(self, entry) -> None:
        result = read_file(entry)
        self.files.append(result)
        seen_ids: set[str] = set()
        elsewhere: dict[str, int] = {}
        for doc in result.documents:
            doc.id = _unique(doc.id, seen_ids)
            self.writer.add_document(**doc.stored().to_fields())
            key = hashlib.blake2b(question_key(f"{doc.question}\n{doc.answer}").encode(), digest_size=16).digest()
            first = self._first_seen.setdefault(key, entry.name)
            if first != entry.name:
                elsewhere[first] = elsewhere.get(first, 0) + 1
        for other, count in elsewhere.items():
            # Both are indexed (searches show such answers once); the summary says so.
            result.notes.append(f"{count} question{'s' if count != 1 else ''} with the same answer as in {other}")
        if not entry.skip:
            acronyms = mine(text for doc in result.documents for text in (*doc.questions, doc.answer))
            self.manifest.files[entry.name] = store.FileRecord(
                entry.size, entry.mtime_ns, result.sha256, len(result.documents), acronyms, entry.ctime_ns
            )
        self.manifest.documents += len(result.documents)
        result.release()


def _finish(building: Path, manifest: store.Manifest, previous: Path | None, meaning: _Meaning) -> store.Manifest:
    """Gather the acronyms of every file, write the documents' meaning (the static model's
    and the sentence model's, reusing the `previous` generation's vectors of unchanged
    texts) and the manifest beside the index."""
    merged: dict[str, set[str]] = {}
    for record in manifest.files.values():
        for acronym, forms in record.acronyms.items():
            merged.setdefault(acronym, set()).update(forms)
    manifest.acronyms = {acronym: sorted(forms) for acronym, forms in sorted(merged.items())}
    # Whoosh's parallel writer drops a worker's documents without a word if the worker dies
    # (it waits one second for each result): check before this generation can go live.
    # Read, not mapped: a pass over every stored document would otherwise keep the whole
    # segment files resident in this process.
    ix = FileStorage(str(building), supports_mmap=False).open_index()
    try:
        with ix.reader() as reader:
            statistics = Statistics.of(reader)
            vectors = embedding.write_vectors(building, reader, previous, processes=_cores())
            write_related(building, ix, reader, vectors)
            meaning.write(building, reader, previous)
    finally:
        ix.close()
    if statistics.documents != manifest.documents:
        raise FaqsearchError(
            f"the index holds {statistics.documents} documents instead of {manifest.documents}; the previous index is kept"
        )
    statistics.write(building)
    store.write_atomically(building / store.MANIFEST, manifest.to_json())
    return manifest


def _link_or_copy(source: Path, target: Path) -> None:
    """Whoosh never rewrites a segment file, so the new generation may share them by hard link."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _unique(doc_id: str, seen: set[str]) -> str:
    candidate, n = doc_id, 1
    while candidate in seen:
        n += 1
        candidate = f"{doc_id}-{n}"
    seen.add(candidate)
    return candidate


@contextmanager
def _build_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """One builder at a time. The kernel drops the lock when its holder dies, even by SIGKILL
    (and its indexing processes with it: `workers`)."""
    try:
        handle = open(index_dir / store.LOCK, "a+")  # noqa: SIM115 - opened apart: its failure is told from the lock's
    except OSError as exc:
        raise IndexWriteError(f"cannot write index directory {index_dir}: {exc.strerror or exc}") from None
    with handle:
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
            with lock_held(handle.fileno()):
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap_pointer(index_dir: Path, generation: str) -> None:
    store.write_atomically(index_dir / store.POINTER, generation + "\n")


__all__ = ["BuildStats", "build_index"]
