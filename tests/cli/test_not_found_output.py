"""The terminal and JSON say which words no answer mentions, and when no answer fits well."""

from __future__ import annotations

import json

from click.testing import CliRunner

from search import cli


def test_the_terminal_and_json_say_so(article_index):
    runner = CliRunner()
    result = runner.invoke(cli.main, ["search", "--limit", "1", "--index", str(article_index), "is ms fatal"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "No answer mentions: fatal"
    assert lines[2] == "No answer fits this well; the closest ones follow."
    data = json.loads(runner.invoke(cli.main, ["search", "--json", "--index", str(article_index), "is ms fatal"]).stdout)
    assert data["missing"] == ["fatal"] and data["weak_match"] is True
    explained = runner.invoke(cli.main, ["search", "--explain", "--limit", "1", "--index", str(article_index), "is ms fatal"])
    assert "No answer mentions: fatal" in explained.stdout
    closeness = data["closeness"]  # the same search: what the judgement saw is shown
    assert f"best hit: holds 5% of the query's words, closeness in meaning {closeness:.2f}" in explained.stdout
    nothing = runner.invoke(cli.main, ["search", "--index", str(article_index), "xylophone"])
    assert nothing.exit_code == 1 and "No answer mentions: xylophone" in nothing.stderr
