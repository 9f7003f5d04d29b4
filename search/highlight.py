"""Highlighted fragments of answers.

Fragments come back as HTML-safe text: the document text is escaped and the matched words
(stemmed forms included, since Whoosh re-analyses the stored text) are wrapped in <mark>.
The terminal renderer turns the same markup into colour, so there is one highlighter.
"""

from __future__ import annotations

import html
import re

from whoosh.highlight import ContextFragmenter, Formatter, Fragment, get_text
from whoosh.searching import Hit as WhooshHit

from .schema import CONTENT_FIELD

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
FRAGMENT_CHARS = 240
CONTEXT_CHARS = 80
FRAGMENTS = 3
# Searches match the answer through the `content` field (question and answer as one text),
# so that is where the matched words are looked up; the text marked is the answer's.
MATCH_FIELD = CONTENT_FIELD
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


class MarkFormatter(Formatter):
    """Formats each fragment as escaped text with <mark> around matches; returns a list, not a string."""

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return MARK_OPEN + self._text(get_text(text, token, replace)) + MARK_CLOSE

    def format(self, fragments: list[Fragment], replace: bool = False) -> list[str]:  # type: ignore[override]
        return [self._with_ellipses(f, self.format_fragment(f, replace=replace).strip()) for f in fragments]

    @staticmethod
    def _with_ellipses(fragment: Fragment, formatted: str) -> str:
        """Mark fragments cut out of the middle of a paragraph, so readers know text is missing."""
        text = fragment.text
        if fragment.startchar > 0 and text[fragment.startchar - 1] != "\n":
            formatted = "…" + formatted
        rest = text[fragment.endchar :].split("\n", 1)[0]
        if rest.strip() and not rest.strip(" .,;:!?)\"'’”"):
            formatted += html.escape(rest.rstrip(), quote=False)  # only the closing punctuation was left out
        elif rest.strip() and not formatted.endswith((".", "?", "!")):
            formatted += "…"
        return formatted


def configure(results) -> None:
    """Set the fragmenter and formatter of a Whoosh Results object."""
    results.fragmenter = ContextFragmenter(maxchars=FRAGMENT_CHARS, surround=CONTEXT_CHARS)
    results.formatter = MarkFormatter()


def answer_highlights(hit: WhooshHit, answer: str, top: int = FRAGMENTS) -> list[str]:
    """The best fragments of the answer with matches marked, or its opening when nothing in it matched."""
    fragments = [f for f in hit.highlights(MATCH_FIELD, text=answer, top=top) if f] if answer else []
    return fragments or ([opening(answer)] if answer else [])


def opening(text: str, limit: int = FRAGMENT_CHARS) -> str:
    """The start of a text, cut at a sentence or word boundary, HTML-escaped."""
    if len(text) <= limit:
        return html.escape(text, quote=False)
    cut = text[:limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(cut)]
    if ends and ends[-1] > limit // 2:
        cut = cut[: ends[-1]]
    else:
        cut = cut.rsplit(" ", 1)[0] + " …"
    return html.escape(cut, quote=False)
