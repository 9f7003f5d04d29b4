"""The ranking measures, on a small case computed by hand and against trec_eval (via ir-measures)."""

from __future__ import annotations

import math

import pytest

from search.metrics import MEASURES, ndcg, precision, recall, reciprocal_rank

# Two queries. q1: graded judgments, the best document at rank 2. q2: its only relevant
# document is missing from the ranking.
JUDGED = {"q1": {"a": 2, "b": 1, "c": 0, "z": 1}, "q2": {"y": 1}}
RUNS = {"q1": ["b", "a", "c", "d"], "q2": ["a", "b"]}


def test_ndcg_by_hand():
    # DCG = 1/log2(2) + 2/log2(3); ideal = 2/log2(2) + 1/log2(3) + 1/log2(4)
    dcg = 1 + 2 / math.log2(3)
    ideal = 2 + 1 / math.log2(3) + 1 / 2
    assert ndcg(RUNS["q1"], JUDGED["q1"]) == pytest.approx(dcg / ideal)
    assert ndcg(RUNS["q2"], JUDGED["q2"]) == 0.0


def test_rank_measures_by_hand():
    assert reciprocal_rank(RUNS["q1"], JUDGED["q1"]) == 1.0
    assert reciprocal_rank(["c", "d", "a"], JUDGED["q1"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c"] * 10 + ["a"], JUDGED["q1"]) == 0.0  # past the cut-off
    assert precision(["c", "a"], JUDGED["q1"], 1) == 0.0
    assert precision([], JUDGED["q1"], 1) == 0.0
    assert recall(RUNS["q1"], JUDGED["q1"]) == pytest.approx(2 / 3)


def test_measures_agree_with_trec_eval():
    ir_measures = pytest.importorskip("ir_measures")
    qrels = [ir_measures.Qrel(q, d, g) for q, docs in JUDGED.items() for d, g in docs.items()]
    # Distinct, decreasing scores so that trec_eval's tie-breaking cannot reorder the run.
    run = [ir_measures.ScoredDoc(q, d, 100.0 - i) for q, docs in RUNS.items() for i, d in enumerate(docs)]
    # Measure objects, not names: ir-measures parses a name with `ast.Num`, which warns on
    # Python 3.12 and later (and the suite treats warnings as errors).
    names = {"nDCG@10": ir_measures.nDCG @ 10, "MRR@10": ir_measures.RR @ 10, "P@1": ir_measures.P @ 1, "R@100": ir_measures.R @ 100}
    for ours, theirs in names.items():
        reference = {m.query_id: m.value for m in ir_measures.iter_calc([theirs], qrels, run)}
        for query, ranking in RUNS.items():
            assert MEASURES[ours](ranking, JUDGED[query]) == pytest.approx(reference[query]), (ours, query)
