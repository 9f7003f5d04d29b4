"""`faqsearch search` driven through click's CliRunner."""

from __future__ import annotations

import io
import json
import re

import click
import pytest
from click.testing import CliRunner

from search import cli, render


@pytest.fixture
def run(article_index):
    def invoke(*args: str, index: str | None = None):
        runner = CliRunner()
        return runner.invoke(cli.main, ["search", "--index", index or str(article_index), *args])

    return invoke


def test_hits_are_printed_with_question_score_fragments_and_source(run):
    result = run("ferritin")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "1 answer fits “ferritin” well, of 3 that mention its words"
    assert lines[2].startswith("1. Does MS cause high ferritin levels?  score ")
    assert "   also asked: Can MS cause high ferritin levels?" in lines
    assert any("serum *ferritin* levels" in line for line in lines)  # matches marked without colour
    assert any(line.startswith("   iron-deposits-in-the-brain-ms.txt, question 6  [") and line.endswith("]") for line in lines)
    assert "\x1b[" not in result.output  # not a terminal: no colour


def test_several_words_form_one_query(run):
    result = run("--limit", "1", "blood", "test")
    assert "1. What blood tests would indicate MS?" in result.output


def test_json_output_contract(run):
    result = run("--json", "ferritin")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {
        "query",
        "corrected_query",
        "total",
        "total_exact",
        "hits",
        "corrections",
        "expansions",
        "missing",
        "fit",
        "closeness",
        "weak_match",
        "ranked_by",
        "took_ms",
        "fitting",
    }
    assert data["query"] == "ferritin" and data["total"] == 3
    assert data["missing"] == [] and data["fit"] == 1.0 and data["weak_match"] is False and data["ranked_by"] == "static"
    assert isinstance(data["closeness"], float) and -1 <= data["closeness"] <= 1
    first = data["hits"][0]
    expected = {"rank": int, "score": float, "id": str, "question": str, "answer": str, "source": str, "highlights": list}
    for key, kind in expected.items():
        assert isinstance(first[key], kind), key
    assert first["question"] == "Does MS cause high ferritin levels?"
    assert any("<mark>ferritin</mark>" in h for h in first["highlights"])
    assert [h["rank"] for h in data["hits"]] == [1, 2, 3]


def test_no_hits_exits_1(run):
    result = run("xylophone")
    assert result.exit_code == 1
    assert "No answers for “xylophone”." in result.output
    json_result = run("--json", "xylophone")
    assert json_result.exit_code == 1
    found = json.loads(json_result.stdout)
    assert isinstance(found.pop("took_ms"), float)
    assert found == {
        "query": "xylophone",
        "corrected_query": None,
        "total": 0,
        "total_exact": True,
        "hits": [],
        "corrections": [],
        "expansions": [],
        "missing": ["xylophone"],
        "fit": None,
        "closeness": None,
        "weak_match": False,
        "ranked_by": "static",
        "fitting": 0,
    }


@pytest.mark.parametrize("args", [["*"], ["NOT", "iron"], ["--limit", "0", "iron"], ["--limit", "x", "iron"], []])
def test_usage_errors_exit_2_without_traceback(run, args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_query_errors_are_one_line(run):
    result = run("*")
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("faqsearch: error: ")


def test_missing_corpus_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(tmp_path / "nope"), "iron"])
    assert result.exit_code == 2
    assert result.output == f"faqsearch: error: corpus not found: {tmp_path / 'nope'}\n"


def test_first_search_builds_the_index_and_says_so(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(root), "iron"])
    assert result.exit_code == 0
    assert "Indexed 1 file into 1 document" in result.stderr
    assert "1. What is ferritin?" in result.stdout


def test_environment_variables_choose_index_and_corpus(write_corpus, tmp_path, monkeypatch):
    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    monkeypatch.setenv("FAQSEARCH_INDEX", str(tmp_path / "env-ix"))
    monkeypatch.setenv("FAQSEARCH_CORPUS", str(root))
    result = CliRunner().invoke(cli.main, ["search", "--json", "protein"])
    assert json.loads(result.stdout)["hits"][0]["question"] == "What is ferritin?"
    assert (tmp_path / "env-ix" / "CURRENT").exists()


def test_help_everywhere():
    runner = CliRunner()
    for args in (["--help"], ["search", "--help"], ["index", "--help"]):
        result = runner.invoke(cli.main, args)
        assert result.exit_code == 0 and "Usage:" in result.output


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.setattr("sys.stdout", _Tty())
    assert cli._use_color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli._use_color() is False
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.delenv("NO_COLOR")
    assert cli._use_color() is False
    monkeypatch.setenv("FORCE_COLOR", "1")  # a pager that shows colour
    assert cli._use_color() is True
    assert cli._use_color("never") is False and cli._use_color("always") is True


def test_color_option_and_force_color(run, monkeypatch):
    assert "\x1b[" in run("--color", "always", "ferritin").output
    assert "\x1b[" not in run("--color", "never", "ferritin").output
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run("ferritin").output
    assert "\x1b[" not in run("--json", "ferritin").output
    assert "*ferritin*" not in run("--json", "ferritin").output  # JSON keeps <mark>


def test_answers_wrap_to_the_width_under_their_indent():
    from search.results import Hit

    fragment = "A protein that stores <mark>iron</mark> in the cells of the body and releases it when needed. " * 3
    hit = Hit(1, 1.0, "x", "What is ferritin?", "", "a.txt", [fragment.strip()], position=1)
    lines = list(render.hit_lines(hit, color=True, width=40))
    body = [line for line in lines if "protein" in line or "body" in line or "needed" in line]
    assert len(body) > 3 and all(len(click.unstyle(line)) <= 40 for line in lines[1:-1])
    assert all(line.startswith("   ") and not line.startswith("    ") for line in body)
    assert list(render.hit_lines(hit, color=False, width=None))[1].startswith("   A protein")  # not a terminal: one line


def test_marked_fragments_become_bold_colour_and_unescaped():
    assert render.marked("a &lt;b&gt; <mark>iron</mark>", color=False) == "a <b> *iron*"
    coloured = render.marked("a <mark>iron</mark>", color=True)
    assert coloured.startswith("a \x1b[") and "iron" in coloured and coloured.endswith("\x1b[0m")


def test_terminal_output_cannot_carry_escape_sequences():
    assert render.safe("red \x1b[31mtext\x07\n\tok") == "red [31mtext\n\tok"


@pytest.mark.parametrize(
    "query",
    [
        '"iron',
        "(iron",
        "iron)",
        "*ron",
        "unknown_field:x",
        "iron\x00ferritin",
        "\x1b[31miron",
        "iron 🧲",
        "حديد iron",
        "the of and",
        "?",
        '"',
    ],
)
def test_hostile_queries_search_or_fail_in_one_line(run, query):
    result = run(query)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.count("\n") == 1
    assert "\x1b" not in result.stdout and "\x00" not in result.stdout


def test_a_very_long_query_is_refused_in_one_line(run):
    result = run("iron " * 2000)
    assert result.exit_code == 2
    assert "query too long" in result.stderr and result.stderr.count("\n") == 1


def test_hits_name_their_source_page_when_it_has_an_address(write_corpus, tmp_path):
    root = write_corpus(
        {
            "page.html": (
                '<html><head><link rel="canonical" href="https://example.org/iron"></head>'
                "<body><h2>Is iron stored in the brain?</h2><p>Yes, as ferritin.</p></body></html>"
            )
        }
    )
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(root), "ferritin"])
    assert re.search(r"page\.html, question 1  \[[0-9a-f]+\]  https://example\.org/iron", result.stdout)


def test_a_search_names_the_corpus_when_it_is_not_the_shipped_article(write_corpus, tmp_path):
    root = write_corpus({"z.txt": "What is a zebra?\n\nA striped animal.\n"})
    index = tmp_path / "ix"
    assert CliRunner().invoke(cli.main, ["index", "--corpus", str(root), "--index", str(index)]).exit_code == 0
    result = CliRunner().invoke(cli.main, ["search", "--index", str(index), "zebra"])  # the corpus last indexed
    assert result.exit_code == 0 and f"Searching {root.resolve()}" in result.stderr.splitlines()
    shipped = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "shipped"), "iron"])
    assert shipped.exit_code == 0 and "Searching" not in shipped.stderr
    help_text = CliRunner().invoke(cli.main, ["search", "--help"]).output
    assert "else the corpus last indexed, else the shipped" in " ".join(help_text.split())


def test_each_hit_shows_the_id_that_show_takes(run, article_index):
    result = run("--limit", "1", "ferritin")
    source = next(line for line in result.output.splitlines() if line.startswith("   iron-deposits"))
    doc_id = source.rsplit("[", 1)[1].rstrip("]")
    shown = CliRunner().invoke(cli.main, ["show", "--index", str(article_index), doc_id])
    assert shown.exit_code == 0 and shown.output.startswith("Does MS cause high ferritin levels?")


def test_a_query_from_standard_input(article_index):
    result = CliRunner().invoke(cli.main, ["search", "--index", str(article_index), "--limit", "1", "-"], input="  is iron\ngood for ms\n")
    assert result.exit_code == 0 and "“is iron good for ms”" in result.output
    empty = CliRunner().invoke(cli.main, ["search", "--index", str(article_index), "-"], input="\n")
    assert empty.exit_code == 2 and "empty" in empty.stderr
