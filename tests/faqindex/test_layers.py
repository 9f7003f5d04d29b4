"""The layers: `faqindex` is the contract both sides import; neither side imports the other."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(code: str) -> set[str]:
    """The top-level packages of every module loaded by `code`, in a fresh interpreter."""
    script = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_the_search_side_never_imports_the_indexer():
    loaded = _loaded_after("import search, search.cli, search.searcher, search.render")
    assert "indexer" not in loaded and "bs4" not in loaded


def test_the_indexer_imports_the_contract_and_not_the_search_side():
    loaded = _loaded_after("import indexer, indexer.__main__")
    assert "faqindex" in loaded and "search" not in loaded


def test_the_contract_imports_neither_side():
    for path in (ROOT / "faqindex").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not [n for n in names if n.split(".")[0] in ("search", "indexer")], path.name


def test_a_search_leaves_the_builds_processes_unloaded(write_corpus, tmp_path):
    # What only a build uses (its indexing and embedding processes) costs every cold search
    # that imports it.
    from indexer import build_index

    build_index(write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"}), tmp_path / "ix")
    script = (
        "import sys\nfrom search import Searcher\n"
        f"with Searcher({str(tmp_path / 'ix')!r}, auto_build=False) as s:\n    assert s.search('iron')\n"
        "print(' '.join(m for m in sys.modules if m.startswith(('multiprocessing', 'concurrent.futures.process'))))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == []
