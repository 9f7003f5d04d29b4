"""Train the static model's piece vectors on sentences, as Model2Vec's Tokenlearn does.

`benchmarks/distill.py` gives each word piece the vector the sentence model gives it alone.
A piece means something else among other words, so this step moves the vectors until the
mean of a sentence's pieces points where the sentence model's embedding of that sentence
points (cosine loss), starting from the distilled vectors:

1. **Sentences.** WordNet 3.0's definitions ("painful: causing physical or psychological
   pain") and usage examples, read from Debian's `wordnet-base` (`/usr/share/wordnet`;
   its licence allows use and redistribution with its notice, which the model's NOTICE
   carries). About 160,000 sentences, shuffled with a fixed seed.
2. **Teacher embeddings.** all-mpnet-base-v2 embeds each sentence, reduced by PCA to the
   model's dimensions (sentence-transformers with PyTorch when installed, about 80 minutes
   on 2 cores; otherwise faqsearch's own numpy encoder, slower). `--sentences N` embeds the
   first N only; the embeddings are saved as they come (`WORK/teacher.npy`), and a rerun
   resumes.
3. **Training.** The distilled vectors are mapped into the teacher's PCA space (least
   squares over the sentences), then trained with Adam; the last 2,000 sentences are held
   out and their mean cosine to the teacher is printed each epoch. The epochs and rate were
   chosen by that held-out cosine, never by judged queries.
4. **Pieces no text reaches** ("[unused0]", "£10": `faqindex.embedding.reachable`) are left
   out of every table; no text's vector changes.
5. **The closeness table.** The distilled vectors' first 128 dimensions in int8 (with a
   scale per row), which judge weak matches better than the trained ones
   (`faqindex.embedding.CLOSENESS_TABLE`).

    python -m benchmarks.distill distilled.npz --model DIR
    python -m benchmarks.tokenlearn OUT_DIR --start distilled.npz --model DIR --work WORK [--sentences N] [--epochs 3]

The shipped table: `--sentences 57344 --epochs 6 --rate 1e-3`.

Needs PyTorch for training (one-off, as distillation; never a dependency of faqsearch).
`python -m benchmarks.static_meaning --model OUT_DIR` then measures the result as a re-ranker.
Figures: benchmarks/HISTORY.md, "Static vectors trained on sentences".
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from faqindex.embedding import CLOSENESS_TABLE, StaticModel, reachable, write_sorted_pieces

WORDNET = Path("/usr/share/wordnet")
SEED = 13
HELD_OUT = 2000
CLOSENESS_DIMS = 128  # of the distilled vectors, kept for judging weak matches
BATCH = 256


def sentences(wordnet: Path = WORDNET) -> list[str]:
    """WordNet's definitions ("lemma, lemma: definition") and usage examples of three words
    or more, each once, shuffled with a fixed seed."""
    found: dict[str, None] = {}
    for part in ("noun", "verb", "adj", "adv"):
        for line in (wordnet / f"data.{part}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or "|" not in line:
                continue  # the licence at the top of each file
            head, gloss = line.split("|", 1)
            fields = head.split()
            count = int(fields[3], 16)
            words = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i].replace("_", " ")) for i in range(count)]
            parts = [p.strip() for p in gloss.strip().split(";")]
            definition = "; ".join(p for p in parts if not p.startswith('"')).strip()
            if definition:
                found[f"{', '.join(words[:3])}: {definition}"] = None
            for example in (p.strip('" ') for p in parts if p.startswith('"')):
                if len(example.split()) >= 3:
                    found[example] = None
    ordered = list(found)
    random.Random(SEED).shuffle(ordered)
    return ordered


def teacher_embeddings(texts: list[str], model: Path, work: Path) -> np.ndarray:
    """The sentence model's embedding of each text, saved to `work` as they come."""
    path = work / "teacher.npy"
    done = np.load(path) if path.exists() else np.zeros((0, 0), dtype=np.float16)
    if len(done) >= len(texts):
        return done[: len(texts)].astype(np.float32)
    try:
        from sentence_transformers import SentenceTransformer

        encode = SentenceTransformer(str(model), device="cpu").encode
    except ImportError:
        from faqindex.encoder import Encoder

        encode = Encoder(model).encode
    rows = [done] if len(done) else []
    started, chunk = time.perf_counter(), 8192
    for start in range(len(done), len(texts), chunk):
        rows.append(np.asarray(encode(texts[start : start + chunk]), dtype=np.float16))
        np.save(path, np.concatenate(rows))
        print(f"\r{min(start + chunk, len(texts))}/{len(texts)} sentences, {time.perf_counter() - started:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)
    return np.concatenate(rows).astype(np.float32)


def train(start: np.ndarray, pieces: list[list[int]], targets: np.ndarray, epochs: int, rate: float) -> np.ndarray:
    """Piece vectors, from the `start` ones, whose mean over each sentence's pieces has the
    largest cosine with its target; prints the held-out sentences' mean cosine."""
    import torch

    torch.manual_seed(SEED)
    centred = targets - targets.mean(0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    goal = centred @ components[: start.shape[1]].T
    keep = [i for i, ids in enumerate(pieces) if ids]
    held, used = keep[-HELD_OUT:], np.array(keep[:-HELD_OUT])

    def pooled(vectors: np.ndarray, rows: list[int] | np.ndarray) -> np.ndarray:
        return np.stack([vectors[pieces[i]].mean(0) for i in rows])

    def held_cosine(vectors: np.ndarray) -> float:
        mean, aim = pooled(vectors, held), goal[held]
        return float(((mean * aim).sum(1) / (np.linalg.norm(mean, axis=1) * np.linalg.norm(aim, axis=1) + 1e-9)).mean())

    mapping, *_ = np.linalg.lstsq(pooled(start, used), goal[used], rcond=None)
    vectors = torch.nn.Parameter(torch.tensor(start @ mapping, dtype=torch.float32))
    print(f"held-out cosine: distilled {held_cosine(vectors.detach().numpy()):.4f}", file=sys.stderr)
    optimiser = torch.optim.Adam([vectors], lr=rate)
    aims = torch.tensor(goal, dtype=torch.float32)
    for epoch in range(epochs):
        order = np.random.default_rng(SEED + epoch).permutation(used)
        for first in range(0, len(order), BATCH):
            rows = order[first : first + BATCH]
            flat = torch.tensor(np.concatenate([pieces[i] for i in rows]), dtype=torch.long)
            offsets = torch.tensor(np.cumsum([0] + [len(pieces[i]) for i in rows[:-1]]), dtype=torch.long)
            mean = torch.nn.functional.embedding_bag(flat, vectors, offsets, mode="mean")
            loss = (1 - torch.nn.functional.cosine_similarity(mean, aims[rows])).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        print(f"held-out cosine: epoch {epoch + 1} {held_cosine(vectors.detach().numpy()):.4f}", file=sys.stderr)
    return vectors.detach().numpy()


def quantized(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and the float32 scale of each (its largest magnitude / 127)."""
    scales = np.abs(vectors).max(1) / 127
    scales[scales == 0] = 1
    return np.round(vectors / scales[:, None]).astype(np.int8), scales.astype(np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="the model directory to write")
    parser.add_argument("--work", type=Path, required=True, help="where the teacher's embeddings are kept")
    parser.add_argument("--model", type=Path, required=True, help="the sentence model's directory (all-mpnet-base-v2)")
    parser.add_argument("--start", type=Path, required=True, help="the distilled model to start from (benchmarks.distill's OUT.npz)")
    parser.add_argument("--wordnet", type=Path, default=WORDNET)
    parser.add_argument("--sentences", type=int, default=None, help="embed only the first N")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=1e-3)
    args = parser.parse_args()
    texts = sentences(args.wordnet)[: args.sentences]
    args.work.mkdir(parents=True, exist_ok=True)
    targets = teacher_embeddings(texts, args.model, args.work)
    distilled = np.load(args.start)
    kept = [row for row, piece in enumerate(distilled["pieces"]) if reachable(str(piece))]
    pieces, distilled_vectors = distilled["pieces"][kept], distilled["vectors"][kept]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pieces.txt").write_text("".join(f"{piece}\n" for piece in pieces), encoding="utf-8")
    write_sorted_pieces(args.out)  # what a search looks pieces up in
    np.save(args.out / "vectors.npy", distilled_vectors)
    start = StaticModel(args.out, in_memory=True)  # its tokenizer splits the sentences as searches will
    vectors = train(np.asarray(start.vectors), [start.pieces(text) for text in texts], targets, args.epochs, args.rate)
    np.save(args.out / "vectors.npy", vectors.astype(np.float16))
    closeness, scales = quantized(np.asarray(distilled_vectors, dtype=np.float32)[:, :CLOSENESS_DIMS])
    np.save(args.out / f"{CLOSENESS_TABLE}.npy", closeness)
    np.save(args.out / f"{CLOSENESS_TABLE}-scales.npy", scales)
    print(f"{args.out}: {len(texts)} sentences, {vectors.shape[0]} pieces x {vectors.shape[1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
