"""The meaning of texts as vectors: the static model shipped with faqsearch, and the
documents' vectors each index generation holds.

Each word piece of the sentence model all-mpnet-base-v2 has one vector (`data/meaning/`,
distilled once by `benchmarks/distill.py`, then trained on sentences by
`benchmarks/tokenlearn.py`; its NOTICE says how). The meaning of a text is the mean of its
pieces' vectors, so a query is embedded in microseconds with numpy and no network runs. A
second, smaller table of the distilled vectors judges weak matches (`CLOSENESS_TABLE`).

Documents' vectors are computed at index time and written into the index generation
(`write_vectors`), one row per Whoosh document number: an update writes them anew with its
generation (reusing those of unchanged texts), so they are exact and crash-safe like the
rest of the index. The search side reads them (`read_vectors`) to rank by meaning
(`search/meaning.py`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np

from .caches import bounded
from .errors import FaqsearchError, IndexCorruptError, out_of_memory
from .stored import answer_of, questions_of

MODEL_DIR = Path(__file__).resolve().parent / "data" / "meaning"
MAX_PIECES = 512  # of a text: the opening of a long answer says what it is about
# The vectors as Model2Vec distils them (each piece run through the sentence model alone),
# 128 dimensions in int8: they tell a question the corpus does not answer from one it
# answers in other words better than the trained vectors that rank (benchmarks/HISTORY.md,
# "Static vectors trained on sentences").
CLOSENESS_TABLE = "closeness"
VECTORS_FILE = "meaning-vectors.npy"  # in each generation: one row per document number
KEYS_FILE = "meaning-keys.npy"  # a digest of the text each row was computed from
_WORD = re.compile(r"\w+|[^\w\s]")
_MAX_WORD = 100  # characters; a longer "word" is unknown, as in BERT's tokenizer
_ENCODE_BATCH = 256  # texts whose pieces' rows are gathered at once


def reachable(piece: str) -> bool:
    """Whether some text splits into `piece`: words are runs of word characters or one
    other character each (`_WORD`), so a piece that is neither ("[unused0]", "£10", "...",
    and the special tokens "[CLS]" or "<s>") never comes up, and a model need not ship its row."""
    return _WORD.fullmatch(piece.removeprefix("##")) is not None


class ModelDamaged(FaqsearchError):
    """A file of the static model shipped in the package cannot be read or does not fit."""

    def __init__(self, what: str, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        super().__init__(f"the package's model is damaged ({what}: {reason}): reinstall faqsearch")


class StaticModel:
    """Texts → unit vectors: the mean of their word pieces' vectors (BERT's uncased word
    pieces: lower-cased, punctuation apart, longest known piece first)."""

    def __init__(self, directory: Path | None = None, *, in_memory: bool = False, table: str = "vectors") -> None:
        """`in_memory`: the table read whole and widened to float32 once (for embedding many
        texts: a build); otherwise mapped, and a search touches only the rows it meets.
        `table`: which table of the directory (`<table>.npy`; int8 rows come with their
        scales in `<table>-scales.npy`). Raises ModelDamaged when its files cannot be read
        or do not fit together."""
        directory = directory or MODEL_DIR
        try:
            self._load(directory, in_memory, table)
        except (OSError, ValueError, EOFError, IndexError, UnicodeDecodeError) as exc:
            if out_of_memory(exc):
                raise MemoryError from None
            raise ModelDamaged(f"{directory.name}/{table}", exc) from None

    def _load(self, directory: Path, in_memory: bool, table: str) -> None:
        # A plain array over the mapped file: numpy's memmap class adds Python work to every row read.
        self.vectors = np.load(directory / f"{table}.npy", mmap_mode="r").view(np.ndarray)
        scales = directory / f"{table}-scales.npy"
        self.scales = np.load(scales) if scales.exists() else None
        if in_memory:
            self.vectors = self._rows(slice(None))
            self.scales = None
        # Mapped, a model is loaded by a search, which meets a few words: they are looked up
        # in the pieces sorted, which costs nothing to open. Building the dictionary of every
        # piece costs more than the rest of a cold search's embedding; a build, or a process
        # that has met SORTED_WORDS words, has it.
        self._directory = directory
        self._sorted = None if in_memory else _SortedPieces.of(directory)
        self.index: dict[str, int] = {} if self._sorted is not None else _piece_index(directory)
        pieces = len(self._sorted) if self._sorted is not None else len(self.index)
        if self.vectors.ndim != 2 or self.vectors.shape[0] != pieces or not pieces:
            raise ValueError(f"{pieces} pieces but a table of shape {self.vectors.shape}")
        if self.scales is not None and self.scales.shape != (pieces,):
            raise ValueError(f"{pieces} pieces but {self.scales.shape} scales")
        self._splits = _Splits(self._word_pieces)
        self.dimensions = int(self.vectors.shape[1])

    def _rows(self, ids: Any) -> Any:
        """The rows of `ids` as float32."""
        rows = np.asarray(self.vectors[ids], dtype=np.float32)
        return rows if self.scales is None else rows * self.scales[ids, None]

    def pieces(self, text: str) -> list[int]:
        """The ids of the word pieces of `text` that carry meaning (at most MAX_PIECES)."""
        words = _WORD.findall(unicodedata.normalize("NFC", text.lower()))
        return list(islice(chain.from_iterable(map(self._splits.__getitem__, words)), MAX_PIECES))

    def _found(self, pieces: Sequence[str]) -> dict[str, int]:
        """The rows of those of `pieces` that are word pieces of the model."""
        # Read once: another thread may switch to the dictionary meanwhile (it is set first).
        sorted_pieces = self._sorted
        if sorted_pieces is not None and len(self._splits) >= SORTED_WORDS:
            try:
                index = _piece_index(self._directory)
            except (OSError, UnicodeDecodeError) as exc:
                if out_of_memory(exc):
                    raise MemoryError from None
                raise ModelDamaged(self._directory.name, exc) from None
            if len(index) != len(self.vectors):
                raise ModelDamaged(self._directory.name, ValueError(f"{len(index)} pieces for {len(self.vectors)} rows"))
            self.index = index
            self._sorted = sorted_pieces = None
        if sorted_pieces is not None:
            return sorted_pieces.found(pieces)
        return {piece: self.index[piece] for piece in pieces if piece in self.index}

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > _MAX_WORD:
            return ()
        if self._sorted is None:
            lookup = self.index.get
        else:  # every piece the word could be split into, looked up at once
            lookup = self._found([word[:end] for end in range(1, len(word) + 1)] + [
                "##" + word[start:end] for start in range(1, len(word)) for end in range(start + 1, len(word) + 1)
            ]).get
        found, start = [], 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = lookup(word[start:end] if start == 0 else "##" + word[start:end])
                if piece is not None:
                    found.append(piece)
                    start = end
                    break
            else:
                return ()  # BERT makes the whole word unknown: it carries no meaning here
        return tuple(found)

    def encode(self, texts: Sequence[str]) -> Any:
        """One L2-normalised float32 row per text (zeros for a text with no known piece)."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(texts), _ENCODE_BATCH):
            split = [self.pieces(text) for text in texts[start : start + _ENCODE_BATCH]]
            # The rows of every piece of the batch gathered at once, then summed per text
            # (the direction of the mean). Slices beat np.add.reduceat here, by far.
            gathered = self._rows(np.fromiter(chain.from_iterable(split), dtype=np.intp, count=sum(map(len, split))))
            end = 0
            for row, ids in enumerate(split, start):
                if ids:
                    out[row] = gathered[end : end + len(ids)].sum(0)
                    end += len(ids)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=out, where=norms > 0)

    def mean_of(self, ids: list[int]) -> Any:
        """The L2-normalised mean of these pieces' rows (zeros for none): `encode` of a text
        already split (by any table of the same directory, whose pieces are the same)."""
        if ids:
            mean = self._rows(ids).mean(0)
            norm = float(np.linalg.norm(mean))
            if norm:
                return mean / norm
        return np.zeros(self.dimensions, dtype=np.float32)


class _Splits(dict):
    """Word → its piece ids, split on first sight: a build meets each word of the corpus
    many times. Started over past `LIMIT` words, so a long-lived process stays bounded."""

    LIMIT = 100_000

    def __init__(self, split: Any) -> None:
        super().__init__()
        self._split = split

    def __missing__(self, word: str) -> tuple[int, ...]:
        pieces = bounded(self, self.LIMIT)[word] = self._split(word)
        return pieces


@functools.cache
def shipped_model(in_memory: bool = False) -> StaticModel:
    """The model shipped in the package, loaded once per process (`in_memory`: see StaticModel)."""
    return StaticModel(in_memory=in_memory)


@functools.cache
def shipped_closeness_model() -> StaticModel:
    """The shipped model's table for judging weak matches (`CLOSENESS_TABLE`), loaded once."""
    return StaticModel(table=CLOSENESS_TABLE)


SORTED_WORDS = 512  # words a process splits by the sorted pieces before it builds the dictionary
SORTED_PIECES = "pieces-sorted.npy"  # pieces.txt's pieces as UTF-8, sorted (`write_sorted_pieces`)
SORTED_ROWS = "pieces-rows.npy"  # and the row of each


class _SortedPieces:
    """Word piece → row, by bisection in the pieces sorted (two arrays, mapped)."""

    def __init__(self, pieces: Any, rows: Any) -> None:
        self._pieces, self._rows = pieces, rows
        self._width = pieces.dtype.itemsize

    @classmethod
    def of(cls, directory: Path) -> _SortedPieces | None:
        """The sorted pieces of a model directory; None when it has none (`write_sorted_pieces`)."""
        if not (directory / SORTED_PIECES).exists():
            return None
        pieces = np.load(directory / SORTED_PIECES, mmap_mode="r").view(np.ndarray)
        rows = np.load(directory / SORTED_ROWS, mmap_mode="r").view(np.ndarray)
        if pieces.ndim != 1 or len(pieces) != len(rows) or not len(rows):
            raise ValueError(f"{len(pieces)} sorted pieces for {len(rows)} rows")
        return cls(pieces, rows)

    def __len__(self) -> int:
        return len(self._rows)

    def found(self, pieces: Sequence[str]) -> dict[str, int]:
        """The rows of those of `pieces` that are word pieces."""
        encoded = {piece: piece.encode("utf-8") for piece in pieces}
        # Longer than the longest piece: none (and numpy would cut it to the width).
        wanted = [(piece, raw) for piece, raw in encoded.items() if len(raw) <= self._width and not raw.endswith(b"\0")]
        if not wanted:
            return {}
        keys = np.array([raw for _, raw in wanted], dtype=self._pieces.dtype)
        at = np.minimum(np.searchsorted(self._pieces, keys), len(self._pieces) - 1)
        hit = (self._pieces[at] == keys).tolist()
        rows = self._rows[at].tolist()
        return {piece: row for (piece, _), row, yes in zip(wanted, rows, hit) if yes}


def write_sorted_pieces(directory: Path) -> None:
    """Write the sorted lookup of a model directory's pieces.txt (SORTED_PIECES, SORTED_ROWS)."""
    pieces = (directory / "pieces.txt").read_text(encoding="utf-8").splitlines()
    encoded = np.array([piece.encode("utf-8") for piece in pieces])
    order = np.argsort(encoded, kind="stable")
    np.save(directory / SORTED_PIECES, encoded[order])
    np.save(directory / SORTED_ROWS, order.astype(np.int16 if len(order) <= 1 << 15 else np.int32))


@functools.cache
def _piece_index(directory: Path) -> dict[str, int]:
    """Word piece → its row, for a model directory (read once: its tables share it)."""
    pieces = (directory / "pieces.txt").read_text(encoding="utf-8").splitlines()
    return dict(zip(pieces, range(len(pieces))))  # read at every cold start: the faster build


def document_text(fields: dict[str, Any]) -> str:
    """What is embedded of a document: its questions and its answer."""
    return f"{' '.join(questions_of(fields))} {answer_of(fields)}"


PARALLEL_DOCUMENTS = 20_000  # from this many documents on, several processes embed them


def write_vectors(
    generation: Path, reader: Any, previous: Path | None = None, model: StaticModel | None = None, *, processes: int = 1
) -> Any:
    """Write the meaning of every document of `reader` (the generation's Whoosh reader) into
    `generation`, one row per document number (deleted numbers: zeros), and return those
    rows. Rows of texts the `previous` generation already embedded are copied from it.

    With `processes` > 1, an index of PARALLEL_DOCUMENTS or more in several segments has
    its segments embedded by that many processes, each reading them on its own."""
    model = model or shipped_model(in_memory=True)
    known = known_rows(previous) if previous is not None else {}
    size = reader.doc_count_all()
    vectors = np.zeros((size, model.dimensions), dtype=np.float16)
    keys = np.zeros(size, dtype="S16")
    leaves = reader.leaf_readers()
    if processes > 1 and size >= PARALLEL_DOCUMENTS and len(leaves) > 1:
        import multiprocessing  # here: a search imports this module, and these cost its start
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        global _FORKED  # what the forked processes find in their copy of this module
        _FORKED = (generation, model, known)
        shares = [list(range(n, len(leaves), processes)) for n in range(min(processes, len(leaves)))]
        try:
            with ProcessPoolExecutor(len(shares), mp_context=multiprocessing.get_context("fork")) as pool:
                for part in pool.map(_embed_in_process, shares):
                    for offset, leaf_keys, leaf_vectors in part:
                        keys[offset : offset + len(leaf_keys)] = leaf_keys
                        vectors[offset : offset + len(leaf_vectors)] = leaf_vectors
        except BrokenProcessPool:
            raise FaqsearchError("a process writing the documents' meaning ended before it finished (out of memory?)") from None
        finally:
            _FORKED = None
    else:
        for leaf, offset in leaves:
            _embed_segment(leaf, model, known, keys[offset:], vectors[offset:])
    for name, array in ((VECTORS_FILE, vectors), (KEYS_FILE, keys)):
        with open(generation / name, "wb") as f:
            np.save(f, array)
    write_digest(generation / VECTORS_FILE)
    return vectors


DIGEST_SUFFIX = ".blake2b"  # beside a vectors file: the digest of its bytes when written
CHECKED_BYTES = 64 << 20  # vectors files up to this size are checked at every opening


def write_digest(path: Path) -> None:
    """Keep the digest of the file at `path` beside it."""
    path.with_name(path.name + DIGEST_SUFFIX).write_text(_file_digest(path), encoding="ascii")


def digest_holds(path: Path) -> bool:
    """Whether the file at `path` has the bytes it was written with (rows reordered or
    changed in place keep its size): True when it has no digest (an older index) or is
    larger than CHECKED_BYTES (hashing it would cost every cold search)."""
    kept = path.with_name(path.name + DIGEST_SUFFIX)
    try:
        if path.stat().st_size > CHECKED_BYTES or not kept.exists():
            return True
        return kept.read_text(encoding="ascii").strip() == _file_digest(path)
    except OSError:
        return False


def _file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_FORKED: tuple[Path, StaticModel, dict[bytes, Any]] | None = None


def _embed_in_process(leaf_numbers: list[int]) -> list[tuple[int, Any, Any]]:
    """In a forked process: (offset, keys, rows) of these segments of the generation."""
    from whoosh.filedb.filestore import FileStorage

    assert _FORKED is not None
    generation, model, known = _FORKED
    ix = FileStorage(str(generation), supports_mmap=False).open_index()  # not the parent's open files
    try:
        with ix.reader() as reader:
            leaves = reader.leaf_readers()
            out = []
            for n in leaf_numbers:
                leaf, offset = leaves[n]
                keys = np.zeros(leaf.doc_count_all(), dtype="S16")
                vectors = np.zeros((len(keys), model.dimensions), dtype=np.float16)
                _embed_segment(leaf, model, known, keys, vectors)
                out.append((offset, keys, vectors))
            return out
    finally:
        ix.close()


def _embed_segment(leaf: Any, model: StaticModel, known: dict[bytes, Any], keys: Any, vectors: Any) -> None:
    """Fill `keys` and `vectors` (indexed by the segment's own document numbers) for one segment."""
    waiting: dict[int, str] = {}  # document number → text, embedded a batch at a time

    def embed_waiting() -> None:
        vectors[list(waiting)] = model.encode(list(waiting.values()))
        waiting.clear()

    for docnum, fields in leaf.iter_docs():
        text = reuse_known(docnum, fields, known, keys, vectors)
        if text is not None:
            waiting[docnum] = text
            if len(waiting) >= _ENCODE_BATCH:
                embed_waiting()
    if waiting:
        embed_waiting()


def reuse_known(docnum: int, fields: dict[str, Any], known: dict[bytes, Any], keys: Any, vectors: Any) -> str | None:
    """Key document `docnum` by a digest of its text and copy its row from `known` (rows of
    texts a previous generation embedded); the text to embed when it is not there."""
    text = document_text(fields)
    key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    keys[docnum] = key
    if key in known:
        vectors[docnum] = known[key]
        return None
    return text


def known_rows(generation: Path, vectors_name: str = VECTORS_FILE, keys_name: str = KEYS_FILE) -> dict[bytes, Any]:
    """The rows of a generation's vectors file by the digest of their texts (none when it
    is damaged or changed since written: those texts are embedded again, not copied)."""
    if not digest_holds(generation / vectors_name):
        return {}
    try:
        vectors = np.load(generation / vectors_name)
        keys = np.load(generation / keys_name)
    except (OSError, ValueError):
        return {}
    if len(keys) != len(vectors):
        return {}
    return {bytes(key): row for key, row in zip(keys, vectors) if key}


def read_vectors(generation: Path, documents: int, dimensions: int) -> Any:
    """The meaning rows of a generation (mapped), checked against its `documents` numbers.

    Raises IndexCorruptError when they are missing or do not fit."""
    try:
        vectors = np.load(generation / VECTORS_FILE, mmap_mode="r")
    except (OSError, ValueError) as exc:
        if out_of_memory(exc):
            raise MemoryError from None
        raise IndexCorruptError(f"index in {generation.parent} is damaged: {VECTORS_FILE} ({exc})") from None
    if vectors.shape != (documents, dimensions):
        raise IndexCorruptError(
            f"index in {generation.parent} is damaged: {VECTORS_FILE} holds {vectors.shape}, not {documents} x {dimensions}"
        )
    if not digest_holds(generation / VECTORS_FILE):
        raise IndexCorruptError(f"index in {generation.parent} is damaged: {VECTORS_FILE} is not as it was written")
    return vectors
