"""Highlighted fragments of answers.

Fragments come back as HTML-safe text: the document text is escaped and the matched words
(stemmed forms included, since Whoosh re-analyses the stored text) are wrapped in <mark>.
The terminal renderer turns the same markup into colour, so there is one highlighter.
"""

from __future__ import annotations

import functools
import html
import re
from collections import deque
from collections.abc import Iterator

from whoosh.analysis import Token
from whoosh.highlight import (
    DEFAULT_CHARLIMIT,
    ContextFragmenter,
    Formatter,
    Fragment,
    get_text,
    mkfrag,
    top_fragments,
)
from whoosh.searching import Hit as WhooshHit

from faqindex.analysis import text_analyzer
from faqindex.schema import CONTENT_FIELD
from faqindex.whoosh_internals import per_results

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
_MARKS = re.compile(f"({re.escape(MARK_OPEN)}|{re.escape(MARK_CLOSE)})")
FRAGMENT_CHARS = 240
CONTEXT_CHARS = 80
FRAGMENTS = 3
# Fragments are looked for in the answer's opening this long: analyzing a whole answer of
# megabytes (a page saved as one answer) would cost seconds, and no reader scrolls that far.
HIGHLIGHT_CHARS = 50_000
# Searches match the answer through the `content` field (question and answer as one text),
# so that is where the matched words are looked up; the text marked is the answer's.
MATCH_FIELD = CONTENT_FIELD
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_ANALYZER = text_analyzer()


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
    """The best fragments of the answer with matches marked, or its opening when nothing in it matched.

    What Whoosh's `Hit.highlights` does, with two costs taken out: the query's words are
    looked up once per search, not once per hit, and an answer's words are analyzed once,
    not at every search that shows it. Only the first HIGHLIGHT_CHARS characters are read.
    """
    if not answer:
        return []
    answer = answer[:HIGHLIGHT_CHARS]
    results = hit.results
    highlighter = results.highlighter
    found = fragments(answer, _words_of(answer), _query_words(results))
    best = top_fragments(found, top, highlighter.scorer, highlighter.order) if found else []
    marked = [f for f in highlighter.formatter.format(best) if f] if best else []
    return marked or [opening(answer)]


def _query_words(results) -> frozenset[str]:
    field = results.searcher.schema[MATCH_FIELD]
    return per_results(
        results, "words", lambda: frozenset(field.from_bytes(text) for _, text in results.query_terms(expand=True, fieldname=MATCH_FIELD))
    )


@functools.lru_cache(maxsize=1024)  # the same answers come back search after search
def _words_of(text: str) -> tuple[tuple[str, int, int, int], ...]:
    """(word, position, start, end) of each word of a text, as the index analyzes it."""
    return tuple((t.text, t.pos, t.startchar, t.endchar) for t in _ANALYZER(text, positions=True, chars=True, mode="index", removestops=False))


def fragments(
    text: str, words: tuple[tuple[str, int, int, int], ...], matched: frozenset[str],
    maxchars: int = FRAGMENT_CHARS, surround: int = CONTEXT_CHARS, charlimit: int = DEFAULT_CHARLIMIT,
) -> list[Fragment]:
    """The fragments Whoosh's ContextFragmenter makes of `text` once Whoosh's highlighter
    has merged touching matched words (`Highlighter._merge_matched_tokens`), computed on
    the words as tuples: Whoosh's way makes and copies a Token object for every word of
    every answer shown, a quarter of a search on the article. Fragments hold a token for
    each matched word only, as Whoosh's do."""
    found: list[Fragment] = []
    first: int | None = None
    firsts: deque[int] = deque()
    countdown = -1
    tks: list[Token] = []
    endchar = 0
    currentlen = 0
    for word, startchar, endchar, is_matched in _merged(words, matched):
        tlength = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        if countdown < 0 and not is_matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif is_matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tks.append(Token(text=word, startchar=startchar, endchar=endchar, matched=True, boost=1.0))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                found.append(mkfrag(text, tks, startchar=first, endchar=endchar))
                tks, firsts, first, currentlen = [], deque(), None, 0
    if tks:
        found.append(mkfrag(text, tks, startchar=first, endchar=endchar))
    return found


def _merged(words: tuple[tuple[str, int, int, int], ...], matched: frozenset[str]) -> Iterator[tuple[str, int, int, bool]]:
    """(text, start, end, matched) of each word, touching matched words merged into one as
    Whoosh's highlighter merges them (a matched word that does not touch the run before it
    ends that run and stands alone)."""
    run: list | None = None  # [text, start, end] of matched words being merged
    for word, _, startchar, endchar in words:
        if word not in matched:
            if run is not None:
                yield run[0], run[1], run[2], True
                run = None
            yield word, startchar, endchar, False
        elif run is None:
            run = [word, startchar, endchar]
        elif startchar <= run[2]:
            if endchar > run[2]:
                run[0] += word[run[2] - endchar :]
                run[2] = endchar
        else:
            yield run[0], run[1], run[2], True
            run = None
            yield word, startchar, endchar, True
    if run is not None:
        yield run[0], run[1], run[2], True


def marked_parts(fragment: str) -> Iterator[tuple[str, bool]]:
    """The text of a highlight (unescaped) in runs, each with whether it was marked: what
    the terminal and the web page each show their own way."""
    inside = False
    for part in _MARKS.split(fragment):
        if part in (MARK_OPEN, MARK_CLOSE):
            inside = part == MARK_OPEN
        elif part:
            yield html.unescape(part), inside


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
