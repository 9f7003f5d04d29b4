"""Documents' text as the index keeps it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from indexer.document import clean_text


def test_text_is_normalised_and_its_spacing_made_single():
    assert clean_text("  Cafe\u0301 \x1b[31mred\x1b[0m\tand\x07bell\r\n  indented  line \u200b") == "Café red and bell\n  indented line"
    assert clean_text("  plain   words \n\n  code  block \n\tx\x0by\u00a0\u00a0z") == "plain words\n\n  code block\n\tx y z"
    assert clean_text("") == ""


@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2003ab.é\x1b[m"))
def test_spacing_is_one_space_whatever_whitespace_it_was(text):
    cleaned = clean_text(text)
    for line in cleaned.split("\n"):
        body = line.lstrip(" \t")
        assert not re.search(r"[^\S\n]{2,}|[^\S\n ]", body.rstrip())  # single plain spaces only
