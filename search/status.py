"""What an index holds and where it stands: what `faqsearch status` shows."""

from __future__ import annotations

import datetime
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from faqindex import config, sentence, store
from faqindex.errors import IndexMissingError

from .synonyms import read_synonyms

MEANING_MODEL = "static word-piece vectors from all-mpnet-base-v2 (shipped)"


@dataclass
class IndexStatus:
    """The live generation of an index and its corpus.

    `stale` is True when the corpus changed since the build (None when the corpus is gone);
    `built_at` is the time the generation was written (UTC, ISO 8601); `synonyms` the file
    searches read and `synonym_rules` how many groups it holds. `meaning` says what ranks by
    meaning; `model` is the sentence model's name ("" without one) and `model_vectors`
    whether the index holds its vectors (searches rank with the static model until it does).
    """

    index_dir: str
    generation: str
    built_at: str
    corpus: str
    corpus_exists: bool
    stale: bool | None
    files: int
    documents: int
    size_bytes: int
    schema_version: int
    synonyms: str | None
    synonym_rules: int
    meaning: str = MEANING_MODEL
    model: str = ""
    model_vectors: bool = False
    acronyms: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def index_status(index_dir: str | os.PathLike[str] | None = None, synonyms: str | os.PathLike[str] | None = None) -> IndexStatus:
    """The status of the index in `index_dir` (default: `$FAQSEARCH_INDEX` or the cache),
    read without building or changing anything.

    Raises IndexMissingError when no index was built there, IndexCorruptError when it is
    damaged, and SynonymsError when the synonyms file cannot be read."""
    directory = Path(index_dir).expanduser() if index_dir is not None else config.default_index_dir()
    generation = store.current_generation(directory)
    if generation is None:
        raise IndexMissingError(f"no index in {directory}: run `faqsearch index` first")
    manifest = store.read_manifest(generation)
    corpus = Path(manifest.corpus)
    exists = corpus.exists()
    synonyms_file = Path(synonyms).expanduser() if synonyms is not None else config.default_synonyms()
    stamp = generation.name.removeprefix(store.GENERATION_PREFIX)
    built = datetime.datetime.fromtimestamp(int(stamp) / 1e9, tz=datetime.timezone.utc) if stamp.isdigit() else None
    return IndexStatus(
        index_dir=str(directory),
        generation=generation.name,
        built_at=built.isoformat(timespec="seconds") if built else "",
        corpus=str(corpus),
        corpus_exists=exists,
        stale=store.is_stale(directory, corpus) if exists else None,
        files=len(manifest.files),
        documents=manifest.documents,
        size_bytes=sum(path.stat().st_size for path in generation.iterdir() if path.is_file()),
        schema_version=manifest.schema_version,
        synonyms=str(synonyms_file),
        synonym_rules=len(read_synonyms(synonyms_file)),
        acronyms=manifest.acronyms,
        **_meaning(generation, manifest.documents),
    )


def _meaning(generation: Path, documents: int) -> dict[str, Any]:
    """What ranks by meaning in a default search of this generation."""
    choice = sentence.choose()
    if choice is None:
        return {}
    from faqindex.encoder import Encoder

    identity = Encoder(choice.directory).identity
    held = (generation / sentence.vectors_file(identity)).is_file()
    where = f"{choice.name} sentence model"
    if held:
        return {"meaning": f"{where}, vectors of {documents} documents", "model": choice.name, "model_vectors": True}
    return {
        "meaning": f"{MEANING_MODEL}: the index holds no vectors of the {where} yet (`faqsearch index` adds them)",
        "model": choice.name,
    }
