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


def test_a_second_run_updates_only_what_changed_and_full_reads_everything(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA, "b.txt": QA.replace("ferritin", "hemoglobin")})
    args = ["index", "--corpus", str(root), "--index", str(tmp_path / "ix")]
    CliRunner().invoke(cli.main, args)
    (root / "b.txt").write_text(QA.replace("ferritin", "transferrin"), encoding="utf-8")
    update = CliRunner().invoke(cli.main, args)
    assert update.exit_code == 0
    assert update.output.splitlines()[0].startswith("Updated the index in ")
    assert "read 1 changed file, kept 1 unchanged, removed 0; 2 documents in all" in update.output
    (root / "a.txt").unlink()
    data = json.loads(CliRunner().invoke(cli.main, [*args, "--json"]).output)
    assert (data["unchanged_files"], data["removed_files"], data["documents"]) == (1, ["a.txt"], 1)
    full = CliRunner().invoke(cli.main, [*args, "--full"])
    assert full.output.startswith("Indexed 1 file into 1 document")


def test_index_without_corpus_keeps_the_corpus_last_indexed(write_corpus, tmp_path):
    # As a search does: never a silent switch to the shipped article.
    root = write_corpus({"mine.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    index = tmp_path / "ix"
    assert CliRunner().invoke(cli.main, ["index", "--index", str(index), "--corpus", str(root)]).exit_code == 0
    again = CliRunner().invoke(cli.main, ["index", "--json", "--index", str(index)])
    assert again.exit_code == 0, again.output
    built = json.loads(again.stdout)
    assert built["corpus"] == str(root.resolve()) and built["documents"] == 1
