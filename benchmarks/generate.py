"""A seeded generator of large question-and-answer corpora for the speed benchmarks.

Words are drawn Zipf-like (the i-th most common word with probability ~ 1/i) from a real
vocabulary: the words of the shipped article, most common first. Documents are spread over
article files of `per_file` questions each, in the plain-text layout the indexer reads.

    python -m benchmarks.generate 10000 /tmp/corpus-10k
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from itertools import accumulate
from pathlib import Path

from corpus import ARTICLES


def vocabulary() -> list[str]:
    """The article's words, most frequent first."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt")))
    counts = Counter(w.lower() for w in re.findall(r"[A-Za-z][a-z]{2,}", text))
    return [w for w, _ in counts.most_common()]


def generate(documents: int, root: Path, *, per_file: int = 50, seed: int = 7) -> list[Path]:
    """Write `documents` question documents under `root`; returns the files written."""
    rng = random.Random(seed)
    words = vocabulary()
    weights = list(accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    root.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, documents, per_file):
        lines = [f"Generated article {start // per_file}", ""]
        for n in range(start, min(start + per_file, documents)):
            question = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(4, 9)))
            answer = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(25, 70)))
            lines += [f"{question.capitalize()} {n}?", "", answer.capitalize() + ".", ""]
        path = root / f"article-{start // per_file:05d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a generated corpus.")
    parser.add_argument("documents", type=int)
    parser.add_argument("root", type=Path)
    parser.add_argument("--per-file", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = generate(args.documents, args.root, per_file=args.per_file, seed=args.seed)
    print(f"{args.documents} documents in {len(files)} files under {args.root}")


if __name__ == "__main__":
    main()
