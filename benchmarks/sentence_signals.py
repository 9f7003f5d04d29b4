"""The sentence model's similarity as one signal or two, on the article's development split.

faqsearch re-scores the best 100 hits of the words as score / best score + w x cos(query,
question and answer), one vector per document. FAQ retrieval work (Sakata et al., SIGIR 2019)
treats the query-to-question and query-to-answer similarities as separate signals. This
embeds each question and each answer apart and compares, by nDCG@10 and P@1 (whole
questions apart):

    words / best + w x cos(q, document)                      (what faqsearch does)
    words / best + a x cos(q, question) + b x cos(q, answer)  (two signals)
    words / best + w x max(cos(q, question), cos(q, answer))

    python -m benchmarks.sentence_signals [--split dev]

Needs the sentence extra. Choose on the development split only.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

from corpus import ARTICLES
from faqindex import sentence
from faqindex.encoder import Encoder
from faqindex.errors import SemanticUnavailable
from indexer import build_index
from search import Searcher
from search.evaluate import load_collection
from search.metrics import ndcg, precision

from .relevance import ARTICLE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    try:
        choice = sentence.choose(True)
    except SemanticUnavailable as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    encoder = Encoder(choice.directory)
    collection = load_collection(ARTICLES, ARTICLE / "queries.jsonl", ARTICLE / "qrels", args.split)
    with tempfile.TemporaryDirectory() as tmp:
        build_index(ARTICLES, Path(tmp) / "ix", model=False)
        with Searcher(Path(tmp) / "ix", auto_build=False, meaning=False) as searcher:
            documents = {doc.id: doc for doc in searcher.documents()}
            words = {q.id: [(h.id, h.score) for h in searcher.search(q.text, limit=100, highlight=False)] for q in collection.queries}
    ids = list(documents)
    questions = dict(zip(ids, encoder.encode([documents[i].question for i in ids])))
    answers = dict(zip(ids, encoder.encode([documents[i].answer for i in ids])))
    whole = dict(zip(ids, encoder.encode([f"{documents[i].question}\n{documents[i].answer}" for i in ids])))
    asked = dict(zip((q.id for q in collection.queries), encoder.encode([q.text for q in collection.queries])))

    def measure(score) -> tuple[float, float, float]:
        n, p, pq, count = [], [], [], 0
        for q in collection.queries:
            hits = words[q.id]
            if not hits:
                ranking: list[str] = []
            else:
                best = hits[0][1] or 1.0
                ranking = [doc for doc, _ in sorted(hits, key=lambda pair: -(pair[1] / best + score(asked[q.id], pair[0])))]
            n.append(ndcg(ranking, q.judged))
            p.append(precision(ranking, q.judged))
            if q.category == "question":
                pq.append(precision(ranking, q.judged))
                count += 1
        return float(np.mean(n)), float(np.mean(p)), float(np.mean(pq)) if pq else 0.0

    print(f"{len(collection.queries)} queries ({args.split}); nDCG@10 / P@1 / whole questions P@1")
    for w in (4, 8, 12):
        print(f"  {w} x cos(q, document)          " + " / ".join(f"{x:.4f}" for x in measure(lambda v, d, w=w: w * float(v @ whole[d]))))
    for w in (4, 8, 12):
        print(
            f"  {w} x max(question, answer)     "
            + " / ".join(f"{x:.4f}" for x in measure(lambda v, d, w=w: w * max(float(v @ questions[d]), float(v @ answers[d]))))
        )
    for a, b in itertools.product((0, 2, 4, 6, 8), (0, 2, 4, 6, 8)):
        if a or b:
            figures = measure(lambda v, d, a=a, b=b: a * float(v @ questions[d]) + b * float(v @ answers[d]))
            print(f"  {a} x question + {b} x answer      " + " / ".join(f"{x:.4f}" for x in figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
