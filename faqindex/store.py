"""The index directory: where it is, which generation is current, and its manifest.

Layout of an index directory:

    .faqsearch-index  the mark of a directory faqsearch made (indexer/directory.py)
    CURRENT           name of the live generation (replaced atomically by a rebuild)
    build.lock        held by the one process that is building
    gen-<stamp>/      a complete Whoosh index plus manifest.json, corpus.tsv, statistics.json,
                      the documents' meaning (meaning-vectors.npy, meaning-keys.npy: embedding.py)
                      and, for small corpora, their related questions (related.json: related.py)
    building-<...>/   a build in progress (or the leftovers of a killed one)

A rebuild writes a whole new generation and then swaps CURRENT, so a reader always sees
either the complete old index or the complete new one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import CorpusError, FaqsearchError, IndexCorruptError, IndexMissingError
from .scan import CorpusFile, read_bytes, scan
from .schema import SCHEMA_VERSION

POINTER = "CURRENT"
MANIFEST = "manifest.json"
SIGNATURE = "corpus.tsv"  # the corpus as the build saw it: path, then each file's size and time
LOCK = "build.lock"
GENERATION_PREFIX = "gen-"
BUILDING_PREFIX = "building-"


def write_atomically(path: Path, content: str | bytes) -> None:
    """Replace `path` with `content` all at once, durably: readers see the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(slots=True)
class FileRecord:
    """What the index knows of one source file: enough to tell cheaply whether it changed."""

    size: int
    mtime_ns: int
    sha256: str
    documents: int = 0
    acronyms: dict[str, list[str]] = field(default_factory=dict)  # defined in this file
    ctime_ns: int = 0  # the inode's change time (0: an index written before it was kept)


@dataclass
class Manifest:
    """Metadata stored beside each index generation."""

    corpus: str
    files: dict[str, FileRecord] = field(default_factory=dict)
    documents: int = 0
    schema_version: int = SCHEMA_VERSION
    acronyms: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> str:
        # Compact: a search reads it before every start, one record per corpus file.
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        files = {name: FileRecord(**rec) for name, rec in data.pop("files", {}).items()}
        return cls(files=files, **data)


def current_generation(index_dir: Path) -> Path | None:
    """The directory of the live index generation, or None when no index was ever built here.

    Raises IndexCorruptError when the pointer names a generation that is not there.
    """
    pointer = Path(index_dir) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"index pointer {pointer} is unreadable: {exc}") from None
    if not name.startswith(GENERATION_PREFIX) or "/" in name or not (Path(index_dir) / name).is_dir():
        raise IndexCorruptError(f"index in {index_dir} is damaged: its current generation {name!r} is missing")
    return Path(index_dir) / name


def pointer_stamp(index_dir: Path) -> tuple[int, int] | None:
    """A cheap fingerprint of the pointer file, to notice that another process swapped the index."""
    try:
        st = (Path(index_dir) / POINTER).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def read_manifest(generation: Path) -> Manifest:
    """Read and check the manifest of one generation.

    Raises IndexCorruptError when it is missing, unreadable or of another schema version.
    """
    path = Path(generation) / MANIFEST
    try:
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"index in {generation.parent} is damaged: {MANIFEST} is missing") from None
    except (OSError, ValueError, TypeError) as exc:
        raise IndexCorruptError(f"index in {generation.parent} is damaged: bad {MANIFEST} ({exc})") from None
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexCorruptError(
            f"index in {generation.parent} was written by another faqsearch version "
            f"(schema {manifest.schema_version}, need {SCHEMA_VERSION})"
        )
    return manifest


def load_manifest(index_dir: Path) -> Manifest:
    """The manifest of the live generation of `index_dir`.

    Raises IndexMissingError when no index exists there, IndexCorruptError when it is damaged.
    """
    generation = current_generation(index_dir)
    if generation is None:
        raise IndexMissingError(f"no index in {index_dir}")
    return read_manifest(generation)


def changed_files(manifest: Manifest, entries: list[CorpusFile]) -> list[str]:
    """Names of corpus files (as `scan` lists them now) added, removed or modified since the index was built."""
    current = {f.name: f for f in entries if f.skip is None}
    removed = set(manifest.files) - set(current)
    return sorted(removed | {name for name, entry in current.items() if file_changed(entry, manifest.files.get(name))})


def corpus_signature(corpus: Path, entries: list[CorpusFile]) -> str:
    """The schema version, the corpus path, and each file's name, size, time and skip reason.

    Equal signatures mean an unchanged corpus: a search compares the one saved with the
    index (`SIGNATURE`) with a fresh one, without reading the manifest.
    """
    lines = [f"{SCHEMA_VERSION}\t{corpus}"]
    for entry in entries:
        name = entry.name
        if "\t" in name or "\n" in name:
            name = repr(name)
        lines.append(f"{name}\t{entry.size}\t{entry.mtime_ns}\t{entry.ctime_ns}\t{entry.skip or ''}")
    return "\n".join(lines)


def write_signature(generation: Path, corpus: Path, entries: list[CorpusFile]) -> None:
    """Save the corpus's signature (as scanned before the build) with a new generation."""
    (Path(generation) / SIGNATURE).write_text(corpus_signature(corpus, entries), encoding="utf-8")


def indexed_corpus(index_dir: Path) -> tuple[Path, str] | None:
    """The corpus the live index was built from and its signature then; None when there is no
    index, or it is damaged or of another version."""
    try:
        generation = current_generation(index_dir)
        if generation is None:
            return None
        signature = (generation / SIGNATURE).read_text(encoding="utf-8")
    except (FaqsearchError, OSError, UnicodeError):
        return None
    version, _, rest = signature.partition("\t")
    if version != str(SCHEMA_VERSION):
        return None
    return Path(rest.split("\n", 1)[0]), signature


def file_changed(entry: CorpusFile, record: FileRecord | None) -> bool:
    """Is this file new, or different from what the index recorded of it?

    Costs nothing but the stat already made; the file is hashed only when its size is
    unchanged but its modification or change time differs (a touched or rewritten-in-place
    file; an edit whose modification time was set back still changes the change time, which
    no user can set: Git's rule).
    """
    if record is None or record.size != entry.size:
        return True
    times_differ = record.mtime_ns != entry.mtime_ns or (record.ctime_ns and record.ctime_ns != entry.ctime_ns)
    return bool(times_differ) and file_sha256(entry) != record.sha256


def file_sha256(entry: CorpusFile) -> str:
    """SHA-256 of a corpus file's bytes ("" when it cannot be read)."""
    import hashlib

    try:
        return hashlib.sha256(read_bytes(entry.location, entry.size)).hexdigest()
    except OSError:
        return ""


def is_stale(index_dir: Path, corpus: Path, indexed: tuple[Path, str] | None = None) -> bool:
    """True when the index at `index_dir` is missing, damaged, or older than `corpus`.

    `indexed` is what `indexed_corpus` returned, for a caller that has it already. The files'
    sizes and times are compared first (one directory walk, no manifest); only when they
    differ are the manifest and, for a file whose time alone changed, its contents read.
    """
    indexed = indexed or indexed_corpus(Path(index_dir))
    if indexed is None:
        return True
    try:
        root = Path(corpus).resolve()
        if indexed[0] != root:
            return True
        entries = scan(root)
    except (CorpusError, OSError):
        return True
    if corpus_signature(root, entries) == indexed[1]:
        return False
    try:
        return bool(changed_files(load_manifest(Path(index_dir)), entries))
    except FaqsearchError:
        return True
