"""The weight of meaning beside the words, for the shipped static model (`search.meaning`).

Each hit of the best 100 is re-scored as score / best score + weight x cosine(query,
document). This measures several weights on the training splits (the article's
development queries, SciFact's training queries), through `RankingSettings`:

    python -m benchmarks.static_meaning --weights 0,0.5,1,2 [--collections article,scifact] [--model DIR]

`--model DIR` measures another static model (a directory of vectors.npy and pieces.txt, as
`benchmarks/tokenlearn.py` writes) in place of the shipped one, for this process only.

A weight of 0 is the words alone. The shipped vectors were made by `benchmarks/distill.py`
from all-mpnet-base-v2; figures: benchmarks/HISTORY.md, "Meaning without a model".
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default="0,0.5,1,2", help="weights of meaning to try (0: words alone)")
    parser.add_argument("--collections", default="article,scifact")
    parser.add_argument("--model", type=Path, help="a static model directory to measure instead of the shipped one")
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    args = parser.parse_args()
    from search.ranking import DEFAULT_RANKING

    if args.model:
        _use_model(args.model)

    from . import relevance

    wanted = args.collections.split(",")
    found = {name: c for name, c in relevance.collections(args.data, training=True).items() if name in wanted}
    print(f"{'weight':<8}" + "".join(f"{name + ' nDCG@10':>18}{'P@1':>8}" for name in found))
    with tempfile.TemporaryDirectory(prefix="faqsearch-static-") as tmp:
        for weight in (float(w) for w in args.weights.split(",")):
            ranking = dataclasses.replace(DEFAULT_RANKING, meaning_weight=weight)
            results = relevance.measure(found, ranking, Path(tmp), meaning=weight > 0)
            print(f"{weight:<8g}" + "".join(f"{results[n]['nDCG@10']:>18.4f}{results[n]['P@1']:>8.4f}" for n in found), flush=True)
    return 0


def _use_model(directory: Path) -> None:
    """Make `directory` the static model that builds and searches of this process use."""
    import functools

    from faqindex import embedding
    from search import meaning

    @functools.cache
    def model(in_memory: bool = False) -> embedding.StaticModel:
        return embedding.StaticModel(directory, in_memory=in_memory)

    embedding.shipped_model = meaning.shipped_model = model


if __name__ == "__main__":
    sys.exit(main())
