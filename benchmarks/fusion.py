"""Ways to combine the words' score with meaning, tried on the article's judged queries.

    python -m benchmarks.fusion [--split dev] [--weights 2 3 4 8]   # needs the semantic extra
    FAQSEARCH_MODEL=DIR python -m benchmarks.fusion                 # another model (docs/ranking-by-meaning.md)

Each query's best 100 hits by words are re-scored as faqsearch's `--semantic` does (score /
best score + weight x cosine to question and answer), and beside that four variants: the
documents found by meaning alone added to the hits ("+ by meaning"), the similarity to the
question alone added ("+ question x1"), the weight raised with the share of the query's
words that the index lacks ("adaptive a=2"), and meaning alone over every document. The
figures of benchmarks/HISTORY.md, "A larger model", come from here. The query is embedded
as typed (the engine embeds it after typo correction: the same text unless a typo was
corrected). The development split chooses; the test split is reported.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from faqindex.schema import QUESTION_SEPARATOR
from search import Searcher, semantic
from search.evaluate import Collection
from search.query import QueryBuilder
from search.vocabulary import Vocabulary

from .paraphrase import DEPTH, measured, run
from .relevance import collections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--weights", type=float, nargs="+", default=[2, 3, 4, 8])
    args = parser.parse_args(argv)
    try:
        encoder = semantic.Encoder(semantic.model_directory())
    except semantic.SemanticUnavailable as exc:
        parser.error(str(exc))
    collection = collections(Path("."), training=args.split == "dev")["article"]
    with tempfile.TemporaryDirectory(prefix="faqsearch-fusion-") as tmp:
        runs = gather(collection, Path(tmp), encoder)
    print(f"{'variant':<28}{'nDCG@10':>9}{'P@1':>9}{'questions nDCG@10':>19}{'P@1':>9}")
    rows = [("words alone", {"weight": 0.0})]
    for weight in args.weights:
        rows += [
            (f"x{weight:g}", {"weight": weight}),
            (f"x{weight:g} + by meaning", {"weight": weight, "add_meaning": True}),
            (f"x{weight:g} + question x1", {"weight": weight, "question": 1.0}),
            (f"x{weight:g} adaptive a=2", {"weight": weight, "adaptive": 2.0}),
        ]
    rows.append(("meaning alone", {"weight": 1.0, "add_meaning": True, "words": 0.0}))
    for label, options in rows:
        print(
            f"{label:<28}" + "".join(f"{v:>9.4f}" if i != 2 else f"{v:>19.4f}" for i, v in enumerate(measure(collection, runs, **options)))
        )
    return 0


def gather(collection: Collection, index: Path, encoder: semantic.Encoder) -> dict[str, Any]:
    """Each query's word hits and unknown-word share, and every vector needed."""
    analyze = QueryBuilder().analyze
    with Searcher(index, corpus=collection.corpus) as searcher:
        hits = run(searcher, collection.queries)
        with searcher.reading() as whoosh_searcher:
            vocabulary = Vocabulary(whoosh_searcher)
            unknown = {}
            for query in collection.queries:
                words = analyze(query.text)
                unknown[query.id] = sum(not vocabulary.known(w) for w in words) / len(words) if words else 0.0
            documents = {fields["id"]: fields for _, fields in whoosh_searcher.reader().iter_docs()}
    ids = list(documents)
    return {
        "ids": ids,
        "lexical": {qid: [(h.id, h.score) for h in found] for qid, found in hits.items()},
        "unknown": unknown,
        "both": encoder.encode([semantic.document_text(documents[i]) for i in ids]),
        "question": encoder.encode([documents[i].get("question", "").replace(QUESTION_SEPARATOR, " ") for i in ids]),
        "queries": dict(zip((q.id for q in collection.queries), encoder.encode([q.text for q in collection.queries]))),
    }


def measure(
    collection: Collection,
    runs: dict[str, Any],
    weight: float,
    add_meaning: bool = False,
    question: float = 0.0,
    adaptive: float = 0.0,
    words: float = 1.0,
) -> tuple[float, float, float, float]:
    """nDCG@10 and P@1 over all queries, then over the whole questions."""
    ids = runs["ids"]
    position = {doc: i for i, doc in enumerate(ids)}
    rankings: dict[str, list[str]] = {}
    for query in collection.queries:
        asked = runs["queries"][query.id]
        meaning = runs["both"] @ asked + question * (runs["question"] @ asked)
        candidates = dict(runs["lexical"][query.id])
        if add_meaning:
            for i in sorted(range(len(ids)), key=lambda i: -meaning[i])[:DEPTH]:
                candidates.setdefault(ids[i], 0.0)
        best = max(candidates.values(), default=1.0) or 1.0
        scale = weight * (1 + adaptive * runs["unknown"][query.id])
        rankings[query.id] = sorted(candidates, key=lambda doc: -(words * candidates[doc] / best + scale * float(meaning[position[doc]])))
    means = measured(collection, rankings)
    return means["nDCG@10"], means["P@1"], means["questions"], means["questions P@1"]


if __name__ == "__main__":
    sys.exit(main())
