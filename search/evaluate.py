"""Measure ranking quality on a judged collection: corpus, queries and relevance judgments.

The layout is BEIR's, which the collections in the wild share:

    corpus.jsonl     {"_id", "title", "text"} per line (or any corpus faqsearch can index)
    queries.jsonl    {"_id", "text"} per line; optional "category" and "split"
    qrels/<split>.tsv    query-id <tab> corpus-id <tab> grade, after a header line

The corpus is indexed into a temporary directory (or `index_dir`), every judged query is
searched, and the measures of `metrics.MEASURES` are averaged over the queries, overall and
per query category.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean

from faqindex.errors import CorpusError, QueryError

from .metrics import MEASURES
from .searcher import Searcher
from .textfiles import read_lines

DEPTH = 100  # hits fetched per query: enough for R@100


@dataclass
class JudgedQuery:
    id: str
    text: str
    category: str = ""
    judged: dict[str, int] = field(default_factory=dict)


@dataclass
class Collection:
    """A corpus with queries and their judgments (only queries with a relevant document)."""

    corpus: Path
    queries: list[JudgedQuery]
    split: str


@dataclass
class Evaluation:
    """Averaged measures, overall and by category, with each query's own figures."""

    collection: str
    split: str
    queries: int
    measures: dict[str, float]
    by_category: dict[str, dict[str, float]]
    per_query: dict[str, dict[str, float]]
    failed: list[str]

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {
            "collection": self.collection,
            "split": self.split,
            "queries": self.queries,
            "measures": self.measures,
            "by_category": self.by_category,
            "failed_queries": self.failed,
        }


def load_collection(
    corpus: Path, queries: Path | None = None, qrels: Path | None = None, split: str = "test"
) -> Collection:
    """Read a judged collection. Defaults look beside the corpus: queries.jsonl and qrels/<split>.tsv.

    `qrels` may be a file or a directory holding <split>.tsv. Queries that carry a "split"
    field are kept only for that split. Raises CorpusError for missing or malformed files.
    """
    corpus = Path(corpus)
    home = corpus if corpus.is_dir() else corpus.parent
    if corpus.is_dir() and (corpus / "corpus.jsonl").is_file():
        corpus = corpus / "corpus.jsonl"
    queries = Path(queries) if queries else home / "queries.jsonl"
    qrels = Path(qrels) if qrels else home / "qrels"
    if qrels.is_dir():
        qrels = qrels / f"{split}.tsv"
    judgments = _read_qrels(qrels)
    found = []
    for record in _read_jsonl(queries):
        qid = str(record.get("_id", record.get("id", "")))
        if record.get("split", split) != split or qid not in judgments:
            continue
        judged = judgments[qid]
        if any(grade > 0 for grade in judged.values()):
            found.append(JudgedQuery(qid, str(record.get("text", "")), str(record.get("category", "")), judged))
    if not found:
        raise CorpusError(f"no judged queries: none of {queries} has a relevant document in {qrels}")
    return Collection(corpus, found, split)


def evaluate(
    collection: Collection,
    index_dir: Path | None = None,
    *,
    searcher_factory: Callable[[Path, Path], Searcher] | None = None,
) -> Evaluation:
    """Index the collection's corpus, run every query, and average the measures.

    `searcher_factory(index_dir, corpus)` lets experiments swap in other search settings.
    A query that cannot be parsed counts as one that found nothing, and is listed in `failed`.
    """
    make = searcher_factory or (lambda ix, corpus: Searcher(ix, corpus=corpus))
    with tempfile.TemporaryDirectory(prefix="faqsearch-eval-") as tmp, make(Path(index_dir or tmp), collection.corpus) as searcher:
        per_query, failed = {}, []
        for query in collection.queries:
            try:
                ranking = [hit.id for hit in searcher.search(query.text, limit=DEPTH, highlight=False)]
            except QueryError:
                ranking = []
                failed.append(query.id)
            per_query[query.id] = {name: fn(ranking, query.judged) for name, fn in MEASURES.items()}
    groups: dict[str, list[str]] = defaultdict(list)
    for query in collection.queries:
        if query.category:
            groups[query.category].append(query.id)
    return Evaluation(
        collection=str(collection.corpus),
        split=collection.split,
        queries=len(collection.queries),
        measures=_mean(per_query, list(per_query)),
        by_category={name: _mean(per_query, ids) | {"queries": len(ids)} for name, ids in sorted(groups.items())},
        per_query=per_query,
        failed=failed,
    )


def _mean(per_query: dict[str, dict[str, float]], ids: list[str]) -> dict[str, float]:
    return {name: round(fmean(per_query[q][name] for q in ids), 4) for name in MEASURES}


def _read_jsonl(path: Path) -> list[dict]:
    lines = read_lines(path, "queries", CorpusError)
    records = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                raise CorpusError(f"{path}, line {number}: not JSON") from None
    return records


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    lines = read_lines(path, "judgments", CorpusError)
    judgments: dict[str, dict[str, int]] = defaultdict(dict)
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts or (number == 1 and not parts[-1].lstrip("-").isdigit()):
            continue  # blank line, or the header
        if len(parts) == 4:  # TREC layout: query 0 doc grade
            parts = [parts[0], parts[2], parts[3]]
        try:
            qid, doc, grade = parts
            judgments[qid][doc] = int(grade)
        except ValueError:
            raise CorpusError(f"{path}, line {number}: expected query-id, corpus-id, grade") from None
    return judgments
