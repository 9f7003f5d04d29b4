"""`faqsearch index` driven through click's CliRunner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from search import cli

QA = "What is ferritin?\n\nA protein that stores iron.\n"


def test_summary_lists_files_documents_and_skips(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA, "empty.txt": "", "b.pdf": "x"})
    result = CliRunner().invoke(cli.main, ["index", "--corpus", str(root), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("Indexed 1 file into 1 document in ") and lines[0].endswith("; skipped 2")
    assert "  a.txt: 1 document" in lines
    assert "  empty.txt: skipped: empty file" in lines
    assert "  b.pdf: skipped: unsupported file type .pdf" in lines
    assert lines[-1] == f"Index: {tmp_path / 'ix'}"


def test_json_summary(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    result = CliRunner().invoke(cli.main, ["index", "--json", "--corpus", str(root), "--index", str(tmp_path / "ix")])
    data = json.loads(result.output)
    assert data["documents"] == 1
    assert data["files"] == [{"name": "a.txt", "documents": 1, "skipped": None, "notes": []}]


def test_default_corpus_is_the_shipped_article(tmp_path):
    result = CliRunner().invoke(cli.main, ["index", "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "Indexed 1 file into 47 documents" in result.output


def test_nothing_to_index_exits_1(write_corpus, tmp_path):
    root = write_corpus({"empty.txt": ""})
    result = CliRunner().invoke(cli.main, ["index", "--corpus", str(root), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1


def test_bad_corpus_exits_2_with_one_line(tmp_path):
    result = CliRunner().invoke(cli.main, ["index", "--corpus", str(tmp_path / "missing"), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert result.output == f"faqsearch: error: corpus not found: {tmp_path / 'missing'}\n"


def test_unwritable_index_location_exits_2(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = CliRunner().invoke(cli.main, ["index", "--corpus", str(root), "--index", str(blocker / "ix")])
    assert result.exit_code == 2
    assert result.output.startswith("faqsearch: error: cannot create index directory")
