"""A sentence-transformers model run with numpy: BERT (all-MiniLM-L6-v2) and MPNet
(all-mpnet-base-v2) encoders with mean pooling, read from a model directory
(`config.json`, `model.safetensors`, `tokenizer.json`), checked before use.

Both sides use it: a build embeds the documents (`faqindex.sentence`), a search its query
(`search.semantic`). Needs tokenizers (the `sentence` extra).
"""

from __future__ import annotations

import hashlib
import json
import math
import mmap
import stat
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import SemanticUnavailable, out_of_memory

MAX_TOKENS = 256  # when the model does not say (sentence_bert_config.json)
MAX_CONFIG_BYTES = 1 << 20  # a model's JSON settings are a few hundred bytes
HEAD_WIDTHS = (16, 128)  # the width of one attention head in published BERT models (MiniLM 32, BERT 64)
MAX_TOKENIZER_BYTES = 64 << 20  # all-mpnet-base-v2's tokenizer.json is 0.7 MB; large vocabularies reach tens

INSTALL = "a sentence model needs the sentence extra: pip install '.[sentence]' (from a clone) or 'faqsearch[sentence]'"


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
        except (SemanticUnavailable, MemoryError):
            raise  # running out of memory is no fault of the model's: the command line says so
        except Exception as exc:  # noqa: BLE001 - a damaged or foreign file: tokenizers raises plain Exception
            if out_of_memory(exc):  # a map or read the system refused
                raise MemoryError from None
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
        # copying the whole of a large model would cost every cold search more than all the rest
        # (benchmarks/HISTORY.md, "A larger model").
        self.weights = {}
        for name, tensor in weights.items():
            matrix = tensor.T if name.startswith("encoder.layer.") and tensor.ndim == 2 else tensor
            aligned = tensor.ctypes.data % 16 == 0
            self.weights[name] = matrix if aligned or "word_embeddings" in name else np.ascontiguousarray(matrix)
        tokenizer = directory / "tokenizer.json"
        _read_small(tokenizer, MAX_TOKENIZER_BYTES, read=False)
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.attention_names = _ATTENTION[self.architecture]
        self.layers = sum(1 for name in self.weights if name.endswith(self.attention_names[0] + ".weight"))
        if not self.layers or "embeddings.word_embeddings.weight" not in self.weights:
            raise SemanticUnavailable(f"{directory}: model.safetensors holds no {self.architecture} model")
        vocabulary = self.weights["embeddings.word_embeddings.weight"].shape[0]
        self.pad_id = _setting(directory, config, "pad_token_id", 0, int, lambda v: 0 <= v < vocabulary)
        self.heads = _heads(directory, config, self.weights, self.attention_names, self.layers)
        # No text may be longer than the model has positions for, whatever its config says.
        positions = self.weights["embeddings.position_embeddings.weight"].shape[0]
        usable = positions - (self.pad_id + 1 if self.architecture == "mpnet" else 0)
        if usable < 2:
            raise SemanticUnavailable(f"{directory}: the model has no room for a text ({positions} positions)")
        self.tokenizer.enable_truncation(min(_max_tokens(directory), usable))
        self.tokenizer.enable_padding(pad_id=self.pad_id)
        self.epsilon = _setting(directory, config, "layer_norm_eps", 1e-12, float, lambda v: math.isfinite(v) and 0 < v < 1)
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
    bias = weights.get("encoder.relative_attention_bias.weight")
    if bias is not None and bias.shape[-1] != heads:
        # MPNet keeps one position bias per head: the weights say how many heads there are.
        raise SemanticUnavailable(f"{directory}: num_attention_heads {heads} is not the model's {bias.shape[-1]} heads")
    if bias is None and not HEAD_WIDTHS[0] <= hidden // heads <= HEAD_WIDTHS[1]:
        # BERT's weights do not say how many heads share them; a head width no published
        # BERT has (1 head of 384) is refused. A plausible wrong count cannot be told.
        raise SemanticUnavailable(
            f"{directory}: num_attention_heads {heads} gives heads {hidden // heads} wide; BERT's are {HEAD_WIDTHS[0]} to {HEAD_WIDTHS[1]}"
        )
    for layer in range(layers):
        for part in names[:4]:
            matrix = weights.get(f"encoder.layer.{layer}.{part}.weight")
            if matrix is None or matrix.shape != (hidden, hidden):
                raise SemanticUnavailable(f"{directory}: layer {layer}'s {part} weights do not fit a model {hidden} wide")
    return heads


def _setting(directory: Path, config: dict[str, Any], name: str, default: Any, kind: type, valid: Any) -> Any:
    """A number of the model's config.json, checked: a pad token past the vocabulary failed
    deep in numpy, a negative epsilon gave every score as NaN."""
    value = config.get(name, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise SemanticUnavailable(f"{directory}: config.json's {name} {value!r} is not a number the model can use")
    value = kind(value)
    if not valid(value):
        raise SemanticUnavailable(f"{directory}: config.json's {name} {value!r} does not fit the model")
    return value


def _read_small(path: Path, limit: int, *, read: bool = True) -> bytes:
    """A model file's bytes, refusing one larger than `limit` before reading it (a damaged or
    sparse file of gigabytes would be read whole into memory), and anything but a regular
    file (a FIFO would block the reading forever)."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise SemanticUnavailable(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > limit:
        raise SemanticUnavailable(f"{path}: {size:,} bytes, larger than a model's {path.name} ever is ({limit:,} at most)")
    return path.read_bytes() if read else b""


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
