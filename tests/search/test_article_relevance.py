"""The article's judged query set: ranking quality measured, not assumed.

The queries and graded judgments live in benchmarks/article/ (written before any tuning).
The thresholds guard against regressions: they sit a little below what the engine reaches
today (benchmarks/RESULTS.md: dev P@1 0.76, nDCG@10 0.75, lower since 33 whole questions in
a patient's words joined it; test P@1 0.88, nDCG@10 0.85). The project's target (P@1 0.9
and nDCG@10 0.93 on the test split) is reached with ranking by meaning and the larger
model, all-mpnet-base-v2: the last test checks it where that model is at hand
($FAQSEARCH_TEST_LARGE_MODEL names its directory; it is not installed by CI: 438 MB).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus import ARTICLES
from search import Searcher
from search.evaluate import evaluate, load_collection
from search.metrics import MEASURES

JUDGED = Path(__file__).resolve().parents[2] / "benchmarks" / "article"


@pytest.fixture(scope="module", params=["dev", "test"])
def evaluation(request, tmp_path_factory):
    collection = load_collection(ARTICLES, JUDGED / "queries.jsonl", JUDGED / "qrels", request.param)
    return evaluate(collection, tmp_path_factory.mktemp("index"))


LARGE_MODEL = os.environ.get("FAQSEARCH_TEST_LARGE_MODEL")


@pytest.mark.skipif(not LARGE_MODEL, reason="$FAQSEARCH_TEST_LARGE_MODEL is not set")
def test_the_larger_model_meets_the_target(tmp_path, monkeypatch):
    monkeypatch.setenv("FAQSEARCH_MODEL", str(LARGE_MODEL))
    collection = load_collection(ARTICLES, JUDGED / "queries.jsonl", JUDGED / "qrels", "test")
    evaluation = evaluate(collection, tmp_path / "index", searcher_factory=lambda ix, corpus: Searcher(ix, corpus=corpus, semantic=True))
    assert evaluation.measures["P@1"] >= 0.9
    assert evaluation.measures["nDCG@10"] >= 0.93


def test_every_judged_document_exists():
    from faqindex.scan import scan
    from indexer.sources import read_file

    ids = {doc.id for entry in scan(ARTICLES) for doc in read_file(entry).documents}
    for split in ("dev", "test"):
        for query in load_collection(ARTICLES, JUDGED / "queries.jsonl", JUDGED / "qrels", split).queries:
            assert set(query.judged) <= ids, query.id


FLOOR = {"dev": {"P@1": 0.72, "nDCG@10": 0.72}, "test": {"P@1": 0.85, "nDCG@10": 0.83}}


def test_the_right_answer_comes_first(evaluation):
    for measure, floor in FLOOR[evaluation.split].items():
        assert evaluation.measures[measure] >= floor, measure
    assert not evaluation.failed


def test_every_query_category_is_reported(evaluation):
    assert set(evaluation.by_category) == {"acronym", "british", "keyword", "keywords", "lay", "phrase", "question", "typo"}
    for row in evaluation.by_category.values():
        assert set(MEASURES) <= set(row)
