"""The index directory: faqsearch writes into its own directories only, and deletes only what it wrote."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from faqindex import store
from indexer import build_index
from search import FaqsearchError, Searcher, cli

QA = "What is ferritin?\n\nA protein that stores iron.\n"


def test_a_folder_of_the_users_is_refused_and_left_as_it_was(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    mine = tmp_path / "d"
    (mine / "building-plans").mkdir(parents=True)
    (mine / "building-plans" / "a.txt").write_text("x")
    (mine / "gen-2023-taxes").mkdir()
    (mine / "gen-2023-taxes" / "r.txt").write_text("y")
    (mine / ".draft.tmp").write_text("z")
    (mine / "CURRENT").write_text("mine")
    before = sorted(p.relative_to(mine) for p in mine.rglob("*"))
    with pytest.raises(FaqsearchError, match="not empty and is not a faqsearch index"):
        build_index(root, mine)
    assert sorted(p.relative_to(mine) for p in mine.rglob("*")) == before
    assert (mine / "CURRENT").read_text() == "mine"
    result = CliRunner().invoke(cli.main, ["index", "--corpus", str(root), "--index", str(mine)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "Traceback" not in result.output


def test_an_empty_or_new_folder_becomes_an_index(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    (tmp_path / "empty").mkdir()
    for index_dir in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        build_index(root, index_dir)
        assert (index_dir / ".faqsearch-index").is_file()
        build_index(root, index_dir)  # and stays one


def test_what_a_user_puts_inside_an_index_is_never_removed(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    for name in ("building-plans", "gen-2023-taxes", "building-1-2", "gen-5"):
        (index_dir / name).mkdir()
        (index_dir / name / "mine.txt").write_text("keep me")
    (index_dir / ".draft.tmp").write_text("keep me")
    for _ in range(3):
        build_index(root, index_dir, full=True)
    for name in ("building-plans", "gen-2023-taxes", "building-1-2", "gen-5"):
        assert (index_dir / name / "mine.txt").read_text() == "keep me"
    assert (index_dir / ".draft.tmp").is_file()
    assert len([p for p in index_dir.glob("gen-*") if (p / ".faqsearch-generation").exists()]) == 2


def test_an_index_of_an_earlier_version_is_adopted(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    (index_dir / ".faqsearch-index").unlink()  # as written before markers existed
    old = store.current_generation(index_dir)
    (old / ".faqsearch-generation").unlink()
    build_index(root, index_dir, full=True)
    build_index(root, index_dir, full=True)
    assert (index_dir / ".faqsearch-index").is_file() and not old.exists()


@pytest.mark.parametrize("layout", ["index in corpus", "corpus in index", "same folder"])
def test_index_and_corpus_must_not_overlap(write_corpus, tmp_path, layout):
    root = write_corpus({"a.txt": QA, "building-regs/f.txt": "What is a fire door?\nA door.\n"})
    if layout == "index in corpus":
        index_dir, corpus = root / "ix", root
    elif layout == "corpus in index":
        index_dir, corpus = tmp_path, root
    else:
        index_dir, corpus = root, root
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(FaqsearchError, match="inside"):
        build_index(corpus, index_dir)
    result = CliRunner().invoke(cli.main, ["search", "--corpus", str(corpus), "--index", str(index_dir), "fire door"])
    assert result.exit_code == 2 and "inside" in result.output and "Traceback" not in result.output
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    with pytest.raises(FaqsearchError, match="inside"):
        Searcher(index_dir, corpus=corpus)
