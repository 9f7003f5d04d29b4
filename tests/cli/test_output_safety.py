"""What a corpus puts in file names reaches the terminal and JSON inert, each on its line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from search import cli

QA = "What is ferritin?\n\nA protein that stores iron.\n"
ODD = "odd\u202etxt.\x9b[31m.txt"  # a right-to-left override and a one-character CSI


def test_json_escapes_terminal_controls_from_file_names(write_corpus, tmp_path):
    root = write_corpus({ODD: QA})
    result = CliRunner().invoke(cli.main, ["search", "--json", "--corpus", str(root), "--index", str(tmp_path / "ix"), "ferritin"])
    assert result.exit_code == 0
    assert "\u202e" not in result.stdout and "\x9b" not in result.stdout
    assert "\\u202e" in result.stdout and "\\u009b" in result.stdout
    assert json.loads(result.stdout)["hits"][0]["source"] == ODD  # escaped, not changed


def test_the_terminal_never_shows_them(write_corpus, tmp_path):
    root = write_corpus({ODD: QA})
    result = CliRunner().invoke(cli.main, ["search", "--corpus", str(root), "--index", str(tmp_path / "ix"), "ferritin"])
    assert result.exit_code == 0
    assert "\u202e" not in result.output and "\x9b" not in result.output


def test_a_line_break_in_a_file_name_stays_on_its_line(write_corpus, tmp_path):
    root = write_corpus({"two\nlines.txt": QA, "empty.txt": ""})
    result = CliRunner().invoke(cli.main, ["index", "--corpus", str(root), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "  two\\nlines.txt: 1 document" in result.output.splitlines()
    found = CliRunner().invoke(cli.main, ["search", "--corpus", str(root), "--index", str(tmp_path / "ix"), "ferritin"])
    assert any(line.startswith("   two\\nlines.txt, question 1  [") for line in found.output.splitlines())


def test_a_double_negation_cancels_out(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    for query in ("NOT NOT iron", "protein NOT NOT iron"):
        result = CliRunner().invoke(cli.main, ["search", "--corpus", str(root), "--index", str(tmp_path / "ix"), query])
        assert result.exit_code == 0, result.output
        assert "What is ferritin?" in result.output
