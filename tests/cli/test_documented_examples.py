"""The terminal examples of README.md and docs/ run as written and print what they show.

Every `$ faqsearch ...` line of a console block in those files is run through the CLI, from
the repository's root, and its output compared with the lines below it, scores and timings
aside (decimal numbers are compared as "#", the index's path is not compared, and the
clone's place, build times and generation names are placeholders). Blocks
that need what a test cannot have (the larger model, the user's own folders) are skipped
with the reason; installation lines are not run.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus import ARTICLES
from indexer import build_index
from search import cli

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_DECIMAL = re.compile(r"\d+\.\d+")
_NOT_RUN = ("pip ", "hf ", "export ", "faqsearch model install")  # installation and set-up: shown, not tested


def _examples() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """("page:line", [(command, expected output lines)]) of each console block."""
    return [(f"{page.relative_to(ROOT)}:{line}", commands) for page in PAGES for line, commands in _blocks(page)]


def _blocks(page: Path) -> list[tuple[int, list[tuple[str, list[str]]]]]:
    blocks = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```console":
            start, body = i + 2, []
            i += 1
            while lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            commands: list[tuple[str, list[str]]] = []
            for line in body:
                if line.startswith("$ "):
                    commands.append((line[2:], []))
                elif commands:
                    commands[-1][1].append(line)
            blocks.append((start, commands))
        i += 1
    return blocks


# What differs from machine to machine: where the clone is (the pages show /home/me/faqsearch),
# when an index was built, and its generation's name.
_PLACES = [
    (re.compile(re.escape(str(ROOT)) + "|/home/me/faqsearch"), "<clone>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"), "<time>"),
    (re.compile(r"gen-\d+"), "gen-#"),
]


def _comparable(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if line.startswith("Index: "):
            continue
        for pattern, placeholder in _PLACES:
            line = pattern.sub(placeholder, line)
        out.append(_DECIMAL.sub("#", line.rstrip()))
    return out


def _skip_reason(commands: list[tuple[str, list[str]]]) -> str | None:
    text = " ".join(command for command, _ in commands)
    if "FAQSEARCH_MODEL" in text or "~/" in text or "--model" in text:
        return "needs a model or a folder of the user's own"
    if _with_sentence_model(commands):
        from faqindex import sentence

        if not sentence.is_installed():
            return "the sentence model is not installed (faqsearch model install)"
    return None


def _with_sentence_model(commands: list[tuple[str, list[str]]]) -> bool:
    """A block that installs the sentence extra shows what it ranks; the others show the
    default install's output (the shipped static model)."""
    return any("faqsearch model install" in command for command, _ in commands)


EXAMPLES = _examples()


@pytest.mark.parametrize("where, commands", EXAMPLES, ids=[where for where, _ in EXAMPLES])
def test_documented_example(where, commands, tmp_path_factory, monkeypatch):
    reason = _skip_reason(commands)
    if reason:
        pytest.skip(reason)
    monkeypatch.chdir(ROOT)
    shared = tmp_path_factory.getbasetemp() / "readme-index"
    if _with_sentence_model(commands):
        monkeypatch.delenv("FAQSEARCH_STATIC")
        shared = shared.with_name("readme-index-sentence")
    if not shared.exists():
        build_index(ARTICLES, shared)
    for command, expected in commands:
        if command.startswith(_NOT_RUN):
            continue
        words = shlex.split(command.split("  #", 1)[0])
        assert words[0] == "faqsearch", command
        # A build example starts from no index; a search example from the article's.
        index = tmp_path_factory.mktemp("fresh") / "ix" if words[1] == "index" else shared
        monkeypatch.setenv("FAQSEARCH_INDEX", str(index))
        result = CliRunner().invoke(cli.main, words[1:], env={"COLUMNS": "80", **dict(os.environ)})
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert _comparable(result.output.splitlines()) == _comparable(expected), f"{where}: {command}"


_OPTIONS = re.compile(r"Options of `faqsearch (\w+)`:\n\n```\n(.*?)```", re.DOTALL)


@pytest.mark.parametrize(
    "page,command,block",
    [(page.name, m[1], m[2]) for page in PAGES for m in _OPTIONS.finditer(page.read_text(encoding="utf-8"))],
)
def test_documented_options_are_what_help_prints(page, command, block):
    # As an 80-column terminal shows it: click leaves two columns free there.
    result = CliRunner().invoke(cli.main, [command, "--help"], terminal_width=78)
    printed = result.output.split("Options:\n", 1)[1]
    assert [line[2:].rstrip() for line in printed.splitlines()] == block.rstrip("\n").splitlines(), page


def _python_examples() -> list[tuple[str, str, list[str] | None]]:
    """("page:line", code, the output block right after it or None) of each python block."""
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.strip() != "```python":
                continue
            end = lines.index("```", i + 1)
            output = None
            after = end + 1
            while after < len(lines) and not lines[after].strip():
                after += 1
            if after < len(lines) and lines[after].strip() == "```":
                output = lines[after + 1 : lines.index("```", after + 1)]
            found.append((f"{page.relative_to(ROOT)}:{i + 1}", "\n".join(lines[i + 1 : end]), output))
    return found


@pytest.mark.parametrize("where,code,output", _python_examples(), ids=[w for w, _, _ in _python_examples()])
def test_python_examples_run_as_written(where, code, output, tmp_path):
    import subprocess
    import sys

    code = code.replace("/tmp/my-index", str(tmp_path / "my-index"))  # a fresh index of the test's own
    env = {**os.environ, "FAQSEARCH_INDEX": str(tmp_path / "default-index")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{where}: {done.stderr[-2000:]}"
    if output is not None:
        assert _comparable(done.stdout.splitlines()) == _comparable(output), where
