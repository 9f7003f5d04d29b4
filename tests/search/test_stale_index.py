"""A search on a stale index never waits for a build, nor fails for want of one."""

from __future__ import annotations

import builtins
import fcntl
import os

import pytest
from click.testing import CliRunner

from faqindex import store
from indexer import build_index
from search import IndexWriteError, Searcher, cli

QA = "What is ferritin?\n\nA protein that stores iron.\n"


@pytest.fixture
def stale(write_corpus, tmp_path):
    """An index of a corpus that has changed since: (corpus, index directory)."""
    root = write_corpus({"a.txt": QA})
    index_dir = tmp_path / "ix"
    build_index(root, index_dir)
    (root / "b.txt").write_text("What is transferrin?\n\nA protein that carries iron.\n", encoding="utf-8")
    return root, index_dir


def test_a_search_during_a_build_answers_from_the_live_index_at_once(stale):
    root, index_dir = stale
    with open(index_dir / store.LOCK, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process is building
        with Searcher(index_dir, corpus=root) as searcher:
            assert [h.question for h in searcher.search("ferritin")] == ["What is ferritin?"]
            assert searcher.built is None
            assert searcher.notices == ["another faqsearch is updating the index: answers come from the index as it was"]
        result = CliRunner().invoke(cli.main, ["search", "--corpus", str(root), "--index", str(index_dir), "ferritin"])
    assert result.exit_code == 0
    assert "faqsearch: another faqsearch is updating the index" in result.stderr
    with Searcher(index_dir, corpus=root) as searcher:  # once it is free, the next search updates
        assert searcher.built is not None and searcher.search("transferrin")


def _read_only(monkeypatch, index_dir):
    """Make the index directory refuse writes, as a read-only directory does for a user
    (the tests may run as root, who writes anywhere)."""
    if os.geteuid() != 0:
        index_dir.chmod(0o555)
        return
    real = builtins.open

    def refusing(file, mode="r", *args, **kwargs):
        if str(file).startswith(str(index_dir)) and any(c in mode for c in "wax+"):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)


def test_a_read_only_index_is_searched_as_it_is_and_said_so(stale, monkeypatch):
    root, index_dir = stale
    _read_only(monkeypatch, index_dir)
    try:
        with Searcher(index_dir, corpus=root) as searcher:
            assert [h.question for h in searcher.search("ferritin")] == ["What is ferritin?"]
            assert searcher.notices[0].startswith("could not update the index (cannot write index directory")
        result = CliRunner().invoke(cli.main, ["search", "--corpus", str(root), "--index", str(index_dir), "ferritin"])
        assert result.exit_code == 0 and "could not update the index" in result.stderr
        with pytest.raises(IndexWriteError, match="Permission denied"):
            build_index(root, index_dir)
        result = CliRunner().invoke(cli.main, ["index", "--corpus", str(root), "--index", str(index_dir)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert result.output.startswith("faqsearch: error: cannot write index directory") and result.output.count("\n") == 1
    finally:
        index_dir.chmod(0o755)


def test_a_same_size_edit_with_its_time_set_back_is_seen(write_corpus, tmp_path):
    import os

    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    path = root / "a.txt"
    with Searcher(tmp_path / "ix", corpus=root) as searcher:
        assert searcher.search("iron")
    before = os.stat(path)
    path.write_text("What is ferritin?\n\nA protein that stores zinc.\n", encoding="utf-8")  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` does
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns and os.stat(path).st_size == before.st_size
    with Searcher(tmp_path / "ix", corpus=root) as searcher:
        assert searcher.search("zinc") and not searcher.search("iron", exact=True)
