"""faqsearch status, docs, show, search --jsonl, and faqsearch alone."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from search import cli

ARTICLE = """Sample

What is ferritin?

Ferritin is a protein that stores iron in cells.

What does a ferritin test measure?

A ferritin blood test measures how much iron the body stores.

Can MS cause fatigue?

Fatigue is the commonest symptom of multiple sclerosis (MS).
"""


@pytest.fixture
def where(write_corpus, tmp_path):
    return ["--index", str(tmp_path / "ix"), "--corpus", str(write_corpus({"a.txt": ARTICLE}))]


def run(*args):
    return CliRunner().invoke(cli.main, list(args))


def test_faqsearch_alone_shows_what_it_can_do_without_an_error():
    result = run()
    assert result.exit_code == 0
    for command in ("search", "index", "status", "docs", "show"):
        assert f"\n  {command} " in result.output


def test_status_shows_the_index_without_building_one(where, tmp_path):
    missing = run("status", "--index", str(tmp_path / "ix"))
    assert missing.exit_code == 1 and missing.stderr.count("\n") == 1 and "faqsearch index" in missing.stderr
    assert not (tmp_path / "ix").exists()
    run("index", *where)
    shown = run("status", "--index", str(tmp_path / "ix"))
    assert shown.exit_code == 0 and "3 documents from 1 file" in shown.output and "up to date" in shown.output
    data = json.loads(run("status", "--json", "--index", str(tmp_path / "ix")).output)
    assert data["documents"] == 3 and data["stale"] is False and data["acronyms"] == {"MS": ["multiple sclerosis"]}


def test_docs_lists_documents_for_people_and_machines(where):
    listed = run("docs", *where)
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 3
    assert "a.txt:1  What is ferritin?" in listed.output.splitlines()[0]
    lines = run("docs", "--jsonl", *where).output.splitlines()
    assert [json.loads(line)["question"] for line in lines] == [
        "What is ferritin?",
        "What does a ferritin test measure?",
        "Can MS cause fatigue?",
    ]
    assert json.loads(run("docs", "--json", *where).output)[2]["answer"].startswith("Fatigue")
    assert len(run("docs", "-n", "2", *where).output.splitlines()) == 2
    none = run("docs", "--source", "b.txt", *where)
    assert none.exit_code == 1 and none.stdout == "" and "No documents from b.txt." in none.stderr
    assert run("docs", "--json", "--jsonl", *where).exit_code == 2


def test_show_prints_one_document_whole_with_related_questions(where):
    first = json.loads(run("docs", "--jsonl", *where).output.splitlines()[0])
    shown = run("show", first["id"], *where)
    assert shown.exit_code == 0
    assert shown.output.splitlines()[0] == "What is ferritin?"
    assert "Ferritin is a protein that stores iron in cells." in shown.output
    assert "See also:" in shown.output and "What does a ferritin test measure?" in shown.output
    data = json.loads(run("show", first["id"], "--json", *where).output)
    assert data["id"] == first["id"] and data["related"][0]["question"] == "What does a ferritin test measure?"
    unknown = run("show", "nope", *where)
    assert unknown.exit_code == 1 and unknown.stderr.count("\n") == 1 and "'nope'" in unknown.stderr


def test_search_jsonl_writes_one_hit_a_line(where):
    result = run("search", "--jsonl", "ferritin", *where)
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 0 and [h["rank"] for h in hits] == [1, 2]
    assert result.stderr == ""  # no build summary among machine output
    nothing = run("search", "--jsonl", "--exact", "zzzzqx", *where)
    assert nothing.exit_code == 1 and nothing.stdout == ""
    assert run("search", "--json", "--jsonl", "iron", *where).exit_code == 2


def test_the_shell_completes_commands():
    env = {"_FAQSEARCH_COMPLETE": "bash_complete", "COMP_WORDS": "faqsearch st", "COMP_CWORD": "1"}
    result = CliRunner().invoke(cli.main, [], env=env, prog_name="faqsearch")
    assert result.output.splitlines() == ["plain,status"]  # click's bash protocol: type,value
