"""Relevance on the judged collections: the figures of benchmarks/RESULTS.md.

    python -m benchmarks.relevance                      # test splits, as installed (the sentence
                                                        # model where the extra is, else static)
    python -m benchmarks.relevance --static             # the shipped static model even so
    python -m benchmarks.relevance --tune               # grid search on training splits only
    python -m benchmarks.relevance --words-only         # the words alone, no ranking by meaning
    python -m benchmarks.relevance --semantic           # a sentence model, or fail
    python -m benchmarks.relevance --training --semantic --meaning-weight 8   # weigh meaning x8
    python -m benchmarks.relevance --only article medline                     # some collections
    python -m benchmarks.relevance --data PATH          # where the collections are

The article's own judged set ships in benchmarks/article/. The public collections (SciFact,
NFCorpus, MEDLINE) are read from --data (default: ../shared/data beside the repository) and
skipped when it is not there. Tuning uses only SciFact's training queries and the article's
development queries; test splits are reported, never tuned on.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from search import Searcher
from search.evaluate import Collection, evaluate, load_collection
from search.ranking import DEFAULT_RANKING, RankingSettings

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "benchmarks" / "article"


def collections(data: Path, training: bool) -> dict[str, Collection]:
    """The judged collections present: training splits when `training`, else test splits."""
    found = {}
    split = "dev" if training else "test"
    found["article"] = load_collection(ROOT / "corpus" / "articles", ARTICLE / "queries.jsonl", ARTICLE / "qrels", split)
    if (data / "scifact").is_dir():
        if training:
            found["scifact"] = load_collection(data / "scifact", data / "scifact" / "queries_train.jsonl", split="train")
        else:
            found["scifact"] = load_collection(data / "scifact")
    if not training:
        for name in ("nfcorpus", "medline"):
            if (data / name).is_dir():
                found[name] = load_collection(data / name)
    return found


def measure(
    found: dict[str, Collection], ranking: RankingSettings, work: Path, semantic: bool | None = None, meaning: bool = True
) -> dict[str, dict[str, float]]:
    """nDCG@10, MRR@10, P@1 and R@100 of every collection under one set of settings."""
    results = {}
    for name, collection in found.items():
        index = work / name  # built once, reused while the corpus is unchanged
        evaluation = evaluate(
            collection,
            index,
            searcher_factory=lambda ix, corpus: Searcher(ix, corpus=corpus, ranking=ranking, meaning=meaning, semantic=semantic),
        )
        results[name] = evaluation.measures | {"by_category": evaluation.by_category}
    return results


GRID = {
    "k1": [0.9, 1.2, 1.5],
    "b": [0.5, 0.75],
    "question_boost": [1.0, 1.5, 2.0],
    "expansion_weight": [0.3, 0.5, 0.7],
}


def tune(found: dict[str, Collection], work: Path) -> None:
    """Grid search on the training collections; prints each setting's nDCG@10 per collection."""
    names = list(GRID)
    print("\t".join(names + [f"{n} nDCG@10" for n in found] + ["article P@1"]))
    for values in itertools.product(*GRID.values()):
        params = dict(zip(names, values))
        ranking = replace(
            DEFAULT_RANKING,
            k1=params["k1"],
            b=params["b"],
            expansion_weight=params["expansion_weight"],
            field_boosts={"question": params["question_boost"], "answer": 1.0},
        )
        results = measure(found, ranking, work)
        row = [str(v) for v in values] + [f"{results[n]['nDCG@10']:.4f}" for n in found]
        print("\t".join([*row, f"{results['article']['P@1']:.4f}"]), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--tune", action="store_true", help="grid search on the training splits")
    parser.add_argument("--work", type=Path, help="keep the indexes here (default: a temporary directory)")
    parser.add_argument("--training", action="store_true", help="report the training splits instead of the test splits")
    parser.add_argument("--words-only", action="store_true", help="rank by the words alone")
    parser.add_argument("--semantic", action="store_true", help="rank by meaning with a sentence model (needs the sentence extra)")
    parser.add_argument("--static", action="store_true", help="rank by meaning with the shipped static model")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these collections (article, scifact, nfcorpus, medline)")
    parser.add_argument("--meaning-weight", type=float, help="with --semantic: the weight of meaning (default: the model's)")
    args = parser.parse_args(argv)
    if args.semantic:
        from faqindex import sentence
        from faqindex.errors import SemanticUnavailable

        try:
            sentence.choose(True)
        except SemanticUnavailable as exc:
            parser.error(str(exc))
    elif args.meaning_weight is not None:
        parser.error("--meaning-weight needs --semantic")
    semantic = True if args.semantic else False if args.static else None
    ranking = replace(DEFAULT_RANKING, sentence_weight=args.meaning_weight)
    with tempfile.TemporaryDirectory(prefix="faqsearch-relevance-") as tmp:
        work = args.work or Path(tmp)
        found = collections(args.data, training=args.tune or args.training)
        if args.only:
            found = {name: found[name] for name in args.only if name in found}
        if args.tune:
            tune(found, work)
            return 0
        results = measure(found, ranking, work, semantic=semantic, meaning=not args.words_only)
    print(f"{'collection':<12}{'nDCG@10':>9}{'MRR@10':>9}{'P@1':>9}{'R@100':>9}")
    for name, row in results.items():
        print(f"{name:<12}" + "".join(f"{row[m]:>9.4f}" for m in ("nDCG@10", "MRR@10", "P@1", "R@100")))
        for category, sub in row["by_category"].items():
            print(f"  {category:<10}" + "".join(f"{sub[m]:>9.4f}" for m in ("nDCG@10", "MRR@10", "P@1", "R@100")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
