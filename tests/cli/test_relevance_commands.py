"""`faqsearch eval`, `faqsearch acronyms`, and the search options for typos, synonyms and explanations."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from search import cli

FAQ = """Questions

What is ferritin?

Ferritin is a blood protein that contains iron. Multiple sclerosis (MS) patients may have high levels.

What is a lumbar puncture?

A needle takes spinal fluid from the lower back.
"""


@pytest.fixture
def corpus(write_corpus):
    return write_corpus({"faq.txt": FAQ})


def invoke(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def test_typo_is_corrected_and_said_and_exact_turns_it_off(corpus, tmp_path):
    index = str(tmp_path / "ix")
    result = invoke("search", "--index", index, "--corpus", str(corpus), "feritin")
    assert result.exit_code == 0
    assert "Showing results for “ferritin”; search instead for “feritin”" in result.stderr
    assert "1. What is ferritin?" in result.stdout
    as_json = json.loads(invoke("search", "--index", index, "--corpus", str(corpus), "--json", "feritin").stdout)
    assert as_json["corrected_query"] == "ferritin" and as_json["corrections"] == [["feritin", "ferritin"]]
    exact = invoke("search", "--index", index, "--corpus", str(corpus), "--exact", "feritin")
    assert exact.exit_code == 1 and "Showing results" not in exact.stderr


def test_synonyms_option_and_a_bad_synonyms_file(corpus, tmp_path):
    synonyms = tmp_path / "syn.txt"
    synonyms.write_text("spinal tap, lumbar puncture\n", encoding="utf-8")
    args = ["search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus)]
    result = invoke(*args, "--synonyms", str(synonyms), "--json", "spinal tap")
    assert json.loads(result.stdout)["hits"][0]["question"] == "What is a lumbar puncture?"
    synonyms.write_text("only-one-word\n", encoding="utf-8")
    bad = invoke(*args, "--synonyms", str(synonyms), "spinal tap")
    assert bad.exit_code == 2
    assert bad.stderr.count("\n") == 1 and "line 1" in bad.stderr and "Traceback" not in bad.output


def test_explain_shows_score_parts_and_expansions(corpus, tmp_path):
    result = invoke("search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "--explain", "MS ferritin")
    assert result.exit_code == 0
    assert "also searched: MS → multiple sclerosis" in result.stdout
    assert "content: ferritin" in result.stdout and "question: ferritin" in result.stdout


def test_acronyms_command_lists_what_the_corpus_defines(corpus, tmp_path):
    result = invoke("acronyms", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"MS": ["multiple sclerosis"]}
    plain = invoke("acronyms", "--index", str(tmp_path / "ix"), "--corpus", str(corpus))
    assert plain.stdout.split() == ["MS", "multiple", "sclerosis"]


def test_eval_measures_a_small_collection(write_corpus, tmp_path):
    root = write_corpus(
        {
            "corpus.jsonl": '{"_id": "d1", "title": "Ferritin", "text": "iron storage protein"}\n'
            '{"_id": "d2", "title": "Puncture", "text": "spinal fluid sample"}\n',
            "queries.jsonl": '{"_id": "q1", "text": "ferritin iron", "category": "keyword"}\n'
            '{"_id": "q2", "text": "spinal fluid"}\n{"_id": "q3", "text": "unjudged"}\n',
            "qrels/test.tsv": "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\n",
        }
    )
    result = invoke("eval", "--corpus", str(root), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["queries"] == 2
    assert data["measures"] == {"nDCG@10": 1.0, "MRR@10": 1.0, "P@1": 1.0, "R@100": 1.0}
    assert data["by_category"]["keyword"]["queries"] == 1
    table = invoke("eval", "--corpus", str(root))
    assert "nDCG@10" in table.stdout and "keyword" in table.stdout


def test_eval_without_judgments_is_a_usage_error(write_corpus):
    root = write_corpus({"corpus.jsonl": '{"_id": "d1", "text": "x"}\n', "queries.jsonl": '{"_id": "q1", "text": "x"}\n'})
    result = invoke("eval", "--corpus", str(root))
    assert result.exit_code == 2 and "cannot read judgments" in result.stderr


@pytest.mark.parametrize("which", ["--queries", "--qrels"])
def test_eval_refuses_a_fifo_in_one_line(write_corpus, tmp_path, which):
    import os

    root = write_corpus(
        {
            "corpus.jsonl": '{"_id": "d1", "title": "", "text": "ferritin stores iron"}\n',
            "queries.jsonl": '{"_id": "q1", "text": "ferritin"}\n',
            "qrels/test.tsv": "query-id\tcorpus-id\tscore\nq1\td1\t1\n",
        }
    )
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # no writer: reading it would wait forever
    result = CliRunner().invoke(cli.main, ["eval", "--corpus", str(root), which, str(fifo)])
    assert result.exit_code == 2 and "not a regular file" in result.stderr and result.stderr.count("\n") == 1
