"""Files that are not plain files, names that are not text, folders that cannot be read:
each is listed with its reason, nothing hangs, and the rest of the corpus is indexed."""

from __future__ import annotations

import os
import stat
import threading

import pytest
from click.testing import CliRunner

from faqindex import scan
from indexer import build_index, sources
from search import Searcher, cli

QA = "What is ferritin?\n\nA protein that stores iron.\n"


def _build_within(seconds: float, *args, **kwargs):
    """build_index, failing the test instead of hanging when it does not end in time."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["stats"] = build_index(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the build did not end within {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["stats"]


def test_a_fifo_is_skipped_and_never_opened_for_reading(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    os.mkfifo(root / "q.txt")
    stats = _build_within(20, root, tmp_path / "ix")
    assert {f.name: f.skipped for f in stats.skipped_files} == {"q.txt": "a FIFO, not a regular file"}
    assert stats.documents == 1


def test_a_character_device_is_skipped(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    try:
        os.mknod(root / "zero.txt", 0o644 | stat.S_IFCHR, os.makedev(1, 5))
    except (PermissionError, OSError):
        pytest.skip("this machine does not let the tests make a device node")
    stats = _build_within(20, root, tmp_path / "ix")
    assert {f.name: f.skipped for f in stats.skipped_files} == {"zero.txt": "a character device, not a regular file"}


def test_a_fifo_put_in_place_of_a_file_after_the_scan_does_not_block(write_corpus):
    root = write_corpus({"a.txt": QA})
    entry = scan.scan(root)[0]
    (root / "a.txt").unlink()
    os.mkfifo(root / "a.txt")
    result = sources.read_file(entry)
    assert result.skipped == "a FIFO, not a regular file"


def test_a_file_name_that_is_not_utf8_is_listed_and_the_rest_indexed(write_corpus, tmp_path):
    root = write_corpus({"a.txt": QA})
    with open(os.fsencode(root) + b"/\xe9t\xe9.txt", "wb") as handle:
        handle.write(b"What is MS?\n\nA disease.\n")
    stats = build_index(root, tmp_path / "ix")
    assert {f.name: f.skipped for f in stats.skipped_files} == {"\\xe9t\\xe9.txt": "the file name is not UTF-8: rename it to index it"}
    with Searcher(tmp_path / "ix", corpus=root) as s:  # the staleness check reads it too
        assert s.search("ferritin") and s.built is None
    result = CliRunner().invoke(cli.main, ["search", "--corpus", str(root), "--index", str(tmp_path / "ix"), "--json", "ferritin"])
    assert result.exit_code == 0


def test_an_unreadable_folder_is_listed(write_corpus, tmp_path, monkeypatch):
    root = write_corpus({"a.txt": QA, "private/b.txt": QA})
    real = os.scandir

    def scandir(path):
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(scan.os, "scandir", scandir)  # root reads any folder: fail as for a user
    stats = build_index(root, tmp_path / "ix")
    assert {f.name: f.skipped for f in stats.skipped_files} == {"private/": "cannot read folder: Permission denied"}
    assert stats.documents == 1


def test_the_size_limit_is_said_as_documented(write_corpus, monkeypatch):
    root = write_corpus({"big.txt": QA})
    entry = scan.scan(root)[0]._replace(size=sources.MAX_FILE_BYTES + 1)
    assert sources.read_file(entry).skipped == "too large (20.0 MB; the limit is 20 MB)"
