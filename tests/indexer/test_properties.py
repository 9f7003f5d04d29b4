"""Property-based tests: any text or HTML goes through the readers and segmenter without harm."""

from __future__ import annotations

import re
import unicodedata

from bs4 import BeautifulSoup
from bs4.exceptions import ParserRejectedMarkup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.html import read_html
from indexer.segment import segment
from indexer.text import read_text

_WORD = re.compile(r"\w+")

# Any characters but ESC: an escape sequence swallows the letters after it ("\x1bA0" is
# "cursor up" and "0"), which test_sources.py checks on its own.
chars = st.characters(blacklist_characters="\x1b")
# Text shaped like articles: questions, headings, bullets, blank lines, odd characters.
lines = st.one_of(
    st.text(chars, max_size=80),
    st.builds(lambda s: s + "?", st.text(chars, min_size=1, max_size=60)),
    st.builds(lambda s: "• " + s, st.text(chars, max_size=60)),
    st.just(""),
)
articles = st.lists(lines, max_size=30).map("\n".join)
tags = st.sampled_from(["p", "h2", "h3", "div", "li", "dt", "dd", "summary", "details", "b", "nav", "script", "pre"])


@st.composite
def html_pages(draw):
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(tags)
        text = draw(st.one_of(st.text(chars, max_size=40), st.builds(lambda s: s + "?", st.text(chars, max_size=40))))
        parts.append(f"<{tag}>{text}</{tag}>" if draw(st.booleans()) else f"<{tag}>{text}")
    return "<html><body>" + "".join(parts) + "</body></html>"


def _words(text: str) -> set[str]:
    # Documents are NFC-normalised, so the source is compared in the same form.
    return set(_WORD.findall(unicodedata.normalize("NFC", text).casefold()))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_any_text_segments_into_sane_documents(text):
    source_words = _words(text)
    for doc in segment(read_text(text), "a.txt").documents:
        assert doc.question.strip()
        assert _words(doc.answer) <= source_words | {"a", "txt"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_pages())
def test_any_html_segments_into_sane_documents(page):
    # Inline markup joins text as a browser shows it ("0<b>0</b>" reads "00"), so an answer
    # word must appear in the page's text run together, not necessarily as a word of it.
    try:
        rendered = BeautifulSoup(page, "html.parser").get_text()
    except ParserRejectedMarkup:  # a stray "<![": shown as text, as a browser shows it
        rendered = BeautifulSoup(page.replace("<![", "&lt;!["), "html.parser").get_text()
    flat = unicodedata.normalize("NFC", rendered + " " + page).casefold()
    for doc in segment(read_html(page), "a.html").documents:
        assert doc.question.strip()
        for word in _words(doc.answer) - {"a", "html"}:
            assert word in flat
