"""Ranking by meaning without running a model, tried: static word-piece vectors (Model2Vec).

Each word piece of a sentence model gets one vector, distilled once by
`benchmarks/distill.py`; a text's vector is the mean of its pieces' vectors, so a query
embeds in microseconds with numpy alone. This measures such a model as faqsearch's
re-ranker (score / best + weight x cosine, as `--semantic` does) on the training splits:

    python -m benchmarks.distill /tmp/static.npz [--model DIR]      # 25 s for MiniLM, 5 min for MPNet
    python -m benchmarks.static_meaning /tmp/static.npz --weights 0,1,2,3 [--collections article,scifact]

Figures: benchmarks/HISTORY.md, "Meaning without a model". Not (yet) the default: it moved
the article's development split little (P@1 unchanged).
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_PIECES = 512  # of a text: the opening of a long answer says what it is about
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_MAX_WORD = 100  # characters; a longer "word" is [UNK], as in BERT


class StaticEncoder:
    """Texts → unit vectors: the mean of their word pieces' static vectors."""

    architecture = "static"

    def __init__(self, path: Path) -> None:
        import numpy as np

        self._np = np
        with np.load(path) as data:
            pieces = data["pieces"].tolist()
            self.vectors = data["vectors"].astype(np.float32)
        self.index = {piece: i for i, piece in enumerate(pieces)}
        self.unknown = self.index.get("[UNK]", 0)
        special = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>", "<pad>", "<unk>", "<mask>")
        self._special = {self.index[p] for p in special if p in self.index}
        self.identity = f"static-{len(pieces)}x{self.vectors.shape[1]}"

    def pieces(self, text: str) -> list[int]:
        """The word-piece ids of a text (BERT uncased: lower-cased, accents kept, punctuation apart)."""
        ids: list[int] = []
        for word in _WORD.findall(unicodedata.normalize("NFC", text.lower())):
            ids.extend(self._word_pieces(word))
            if len(ids) >= MAX_PIECES:
                return ids[:MAX_PIECES]
        return ids

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one encoder per process; words repeat
    def _word_pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > _MAX_WORD:
            return (self.unknown,)
        found, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.index:
                    found.append(self.index[piece])
                    break
                end -= 1
            else:
                return (self.unknown,)
            start = end
        return tuple(found)

    def encode(self, texts: Sequence[str], batch: int = 0) -> Any:
        """One L2-normalised row per text (a text with no known piece: zeros)."""
        np = self._np
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = [i for i in self.pieces(text) if i not in self._special]
            if ids:
                mean = self.vectors[ids].mean(0)
                norm = float(np.linalg.norm(mean))
                if norm:
                    out[row] = mean / norm
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path, help="a .npz written by benchmarks.distill")
    parser.add_argument("--weights", default="0,1,2,3", help="weights of meaning to try (0: words alone)")
    parser.add_argument("--collections", default="article,scifact")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    args = parser.parse_args()
    from search import semantic
    from search.ranking import DEFAULT_RANKING

    from . import relevance

    encoder = StaticEncoder(args.model)
    # An experiment only: the re-ranker runs this encoder in place of the sentence model.
    semantic.Encoder = lambda directory: encoder  # type: ignore[assignment,misc]
    semantic.model_directory = lambda: args.model.parent
    wanted = args.collections.split(",")
    found = {name: c for name, c in relevance.collections(args.data, training=True).items() if name in wanted}
    print(f"{'weight':<8}" + "".join(f"{name + ' nDCG@10':>18}{'P@1':>8}" for name in found))
    with tempfile.TemporaryDirectory(prefix="faqsearch-static-") as tmp:
        for weight in (float(w) for w in args.weights.split(",")):
            semantic.WEIGHTS["static"] = weight
            results = relevance.measure(found, DEFAULT_RANKING, Path(tmp), semantic=weight > 0)
            print(f"{weight:<8g}" + "".join(f"{results[n]['nDCG@10']:>18.4f}{results[n]['P@1']:>8.4f}" for n in found), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
