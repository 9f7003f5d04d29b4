"""Which side of a search needs the sentence model: the query, the documents, or both?

The shipped static model was trained so that the mean of a sentence's word pieces points
where all-mpnet-base-v2's embedding of it points, in that model's PCA space
(`benchmarks/tokenlearn.py`). So the two can be mixed: a query embedded by the sentence
model (projected into the same space) can be compared with documents embedded by the
static model, and the other way round. This ranks the article's development split by the
cosine alone (no words) for each of the four pairings, and prints nDCG@10 and P@1 for the
whole questions and for all queries:

    python -m benchmarks.meaning_halves --model DIR --teacher WORK/teacher.npy

`DIR` is the sentence model's directory (as `FAQSEARCH_MODEL`), `WORK/teacher.npy` the
teacher embeddings `benchmarks/tokenlearn.py` saved, from which the PCA is recomputed.
If a query-side (or document-side) model alone came near the sentence model on both sides,
a small query encoder (or index-time document encoder) would be worth building.
Figures: benchmarks/HISTORY.md, "Which side needs the sentence model".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "benchmarks" / "article"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="the sentence model's directory (all-mpnet-base-v2)")
    parser.add_argument("--teacher", type=Path, required=True, help="the teacher embeddings of benchmarks/tokenlearn.py")
    parser.add_argument("--split", default="dev", help="the article's split (default: dev, the training split)")
    args = parser.parse_args(argv)

    from faqindex.embedding import StaticModel, document_text
    from faqindex.encoder import Encoder
    from search import Searcher
    from search.evaluate import load_collection
    from search.metrics import ndcg, precision

    collection = load_collection(ROOT / "corpus" / "articles", ARTICLE / "queries.jsonl", ARTICLE / "qrels", args.split)
    with (
        tempfile.TemporaryDirectory() as work,
        Searcher(Path(work) / "index", corpus=ROOT / "corpus" / "articles") as searcher,
        searcher.reading() as whoosh_searcher,
    ):
        documents = [fields for _, fields in whoosh_searcher.reader().iter_docs()]
    ids = [fields["id"] for fields in documents]
    texts = [document_text(fields) for fields in documents]

    teacher = np.load(args.teacher).astype(np.float32)
    teacher = teacher[np.abs(teacher).sum(1) > 0]  # rows not yet embedded are zeros
    centre = teacher.mean(0)
    _, _, components = np.linalg.svd(teacher - centre, full_matrices=False)
    static = StaticModel()
    projection = components[: static.dimensions].T
    encoder = Encoder(args.model)

    def unit(rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.float32)
        return rows / (np.linalg.norm(rows, axis=1, keepdims=True) + 1e-9)

    encoders: dict[str, Callable[[list[str]], np.ndarray]] = {
        "static": lambda batch: unit(static.encode(batch)),
        "sentence model": lambda batch: unit((np.asarray(encoder.encode(batch)) - centre) @ projection),
    }
    document_rows = {name: encode(texts) for name, encode in encoders.items()}
    groups = {"whole questions": [q for q in collection.queries if q.category == "question"], "all": collection.queries}
    print(f"article {args.split}: cosine alone, nDCG@10 / P@1")
    print(f"{'query':<16}{'documents':<16}" + "".join(f"{name + f' ({len(qs)})':<22}" for name, qs in groups.items()))
    for query_side, encode in encoders.items():
        query_rows = {name: encode([q.text for q in qs]) for name, qs in groups.items()}
        for document_side, rows in document_rows.items():
            cells = []
            for name, queries in groups.items():
                rankings = [[ids[j] for j in np.argsort(-row, kind="stable")] for row in query_rows[name] @ rows.T]
                gain = np.mean([ndcg(r, q.judged) for r, q in zip(rankings, queries)])
                first = np.mean([precision(r, q.judged) for r, q in zip(rankings, queries)])
                cells.append(f"{gain:.3f} / {first:.3f}")
            print(f"{query_side:<16}{document_side:<16}" + "".join(f"{cell:<22}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
