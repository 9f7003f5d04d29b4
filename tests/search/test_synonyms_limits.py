"""A synonyms file is read in time and memory that grow with it, never its square; only a
regular file is read."""

from __future__ import annotations

import os

import pytest

from search import Searcher
from search.synonyms import MAX_GROUP, MAX_PAIRS, SynonymsError, read_synonyms


def test_a_huge_group_is_refused_in_one_line(tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text(", ".join(f"w{i}" for i in range(4000)) + "\n", encoding="utf-8")
    with pytest.raises(SynonymsError, match=f"more than {MAX_GROUP} phrases on one line"):
        read_synonyms(path)


def test_many_groups_past_the_pairs_limit_are_refused(tmp_path):
    per_line = MAX_GROUP
    lines = (MAX_PAIRS // (per_line * per_line)) + 2
    path = tmp_path / "syn.txt"
    path.write_text("\n".join(", ".join(f"w{n}x{i}" for i in range(per_line)) for n in range(lines)) + "\n", encoding="utf-8")
    with pytest.raises(SynonymsError, match="pairs of phrases in all"):
        read_synonyms(path)


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_only_a_regular_file_is_read(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "syn.fifo"
        os.mkfifo(path)  # no writer: reading would wait forever
    else:
        path = "/dev/zero"  # never ends
        if not os.path.exists(path):
            pytest.skip("no /dev/zero")
    with pytest.raises(SynonymsError, match="not a regular file"):
        read_synonyms(path)


def test_a_searcher_with_a_refused_synonyms_file_says_why(write_corpus, tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text(", ".join(f"w{i}" for i in range(MAX_GROUP + 1)) + "\n", encoding="utf-8")
    with pytest.raises(SynonymsError):
        Searcher(tmp_path / "ix", corpus=write_corpus({"a.txt": "What is iron?\n\nA metal.\n"}), synonyms=path)
