"""Highlighted fragments of answers.

Fragments come back as HTML-safe text: the document text is escaped and the matched words
(stemmed forms included, since Whoosh re-analyses the stored text) are wrapped in <mark>.
The terminal renderer turns the same markup into colour, so there is one highlighter.
"""

from __future__ import annotations

import functools
import html
import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import accumulate, chain, pairwise
from typing import Any, NamedTuple

from whoosh.highlight import DEFAULT_CHARLIMIT
from whoosh.query import Phrase, Query
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results as WhooshResults

from faqindex.analysis import text_analyzer
from faqindex.schema import CONTENT_FIELD
from faqindex.whoosh_internals import holds_term, per_results

from .impacts import flat

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


def answer_highlights(hit: WhooshHit, answer: str, top: int = FRAGMENTS) -> list[str]:
    """The best fragments of the answer with matches marked, or its opening when nothing in it matched.

    What Whoosh's `Hit.highlights` gives with its `ContextFragmenter`, `BasicFragmentScorer`
    and fragments in the order of the text, made from the answer's words analyzed once
    (not at every search that shows it) and the query's words looked up once per search
    (not once per hit), as plain tuples: Whoosh's way makes a Token object for every word
    of every answer shown, most of a search's highlighting. Only the first
    HIGHLIGHT_CHARS characters are read. `tests/search/test_highlight.py` compares the two.
    """
    if not answer:
        return []
    answer = answer[:HIGHLIGHT_CHARS]
    words = _words_of(answer)
    found = fragments(answer, words, _query_words(hit.results))
    marked = [text for text in (_formatted(answer, fragment, not words.markup_free) for fragment in _best(found, top)) if text]
    return marked or [opening(answer)]


class Fragment(NamedTuple):
    """A part of a text to show: where it starts and ends, and its matched words as (text,
    start, end), as Whoosh's `Fragment` holds them."""

    startchar: int
    endchar: int
    matches: list[tuple[str, int, int]]


def _best(found: list[Fragment], top: int) -> list[Fragment]:
    """The `top` fragments Whoosh's `top_fragments` picks with its `BasicFragmentScorer`
    (matches times 100 times the distinct words matched; ties go to the later fragment),
    in the order of the text."""
    scored = [(len(f.matches) * (len({m[0] for m in f.matches}) * 100 or 1), f.startchar, f) for f in found]
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return sorted((f for score, _, f in scored[:top] if score >= 1), key=lambda f: f.startchar)


def _formatted(text: str, fragment: Fragment, escape: bool = True) -> str:
    """A fragment as escaped text with <mark> around its matches (Whoosh's
    `Formatter.format_fragment`), with ellipses where text was left out. (`escape=False`:
    the text holds nothing HTML would read as markup.)"""
    as_html = _escaped if escape else str
    output = []
    index = fragment.startchar
    for _word, start, end in sorted(fragment.matches, key=lambda m: (m[1], m[1] - m[2])):
        if start < index:
            continue
        if start > index:
            output.append(as_html(text[index:start]))
        output.append(MARK_OPEN + as_html(text[start:end]) + MARK_CLOSE)
        index = end
    output.append(as_html(text[index : fragment.endchar]))
    return _with_ellipses(text, fragment, "".join(output).strip())


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)


def _markup_free(text: str) -> bool:
    """Whether `text` holds none of the characters HTML escaping changes (quotes aside)."""
    return "&" not in text and "<" not in text and ">" not in text


def _with_ellipses(text: str, fragment: Fragment, formatted: str) -> str:
    """Mark fragments cut out of the middle of a paragraph, so readers know text is missing."""
    if fragment.startchar > 0 and text[fragment.startchar - 1] != "\n":
        formatted = "…" + formatted
    line_end = text.find("\n", fragment.endchar)
    rest = text[fragment.endchar : line_end if line_end >= 0 else len(text)]
    if rest.strip() and not rest.strip(" .,;:!?)\"'’”"):
        formatted += html.escape(rest.rstrip(), quote=False)  # only the closing punctuation was left out
    elif rest.strip() and not formatted.endswith((".", "?", "!")):
        formatted += "…"
    return formatted


def _query_words(results) -> frozenset[str]:
    """The words of the searched query that mark an answer: its terms on MATCH_FIELD that the
    index holds (a stop word is kept in an answer's words for highlighting, never in the
    index, so a query word stemmed into one marks nothing).

    A plain query's are its leaves' words (`impacts.flat`); any other query's are what
    Whoosh expands it to in the index (wildcards, prefixes)."""

    def words() -> frozenset[str]:
        leaves = flat(results.q)
        field = results.searcher.schema[MATCH_FIELD]
        if leaves is None:
            return frozenset(field.from_bytes(text) for _, text in results.query_terms(expand=True, fieldname=MATCH_FIELD))
        reader = results.searcher.reader()
        found: set[str] = set()
        for item in leaves:
            if item.leaf.fieldname == MATCH_FIELD:
                found.update(item.leaf.words if isinstance(item.leaf, Phrase) else [item.leaf.text])
        return frozenset(word for word in found if holds_term(reader, MATCH_FIELD, field.to_bytes(word)))

    return per_results(results, "words", words)


class _Words(tuple):
    """An answer's words, and what finding its fragments needs without walking every word:
    each word's indexes, the words' starts and ends, the running total of their lengths,
    the running maximum of their ends (a compound's parts end before the whole word does),
    and the words that touch the next one (only touching matched words are merged)."""

    distinct: frozenset[str]
    where: dict[str, list[int]]
    starts: list[int]
    ends: list[int]
    lengths: list[int]  # lengths[i]: the lengths of the words before word i, together
    furthest: list[int]  # furthest[i]: the largest end of words 0 to i
    touching: frozenset[int]  # i where word i + 1 starts before word i ends
    markup_free: bool  # the text has nothing to escape for HTML


@functools.lru_cache(maxsize=1024)  # the same answers come back search after search
def _words_of(text: str) -> _Words:
    """(word, position, start, end) of each word of a text, as the index analyzes it."""
    tokens = _ANALYZER(text, positions=True, chars=True, mode="index", removestops=False)
    words = _Words((t.text, t.pos, t.startchar, t.endchar) for t in tokens)
    words.where = {}
    for i, word in enumerate(words):
        words.where.setdefault(word[0], []).append(i)
    words.distinct = frozenset(words.where)
    words.starts = [word[2] for word in words]
    words.ends = [word[3] for word in words]
    words.lengths = list(accumulate((word[3] - word[2] for word in words), initial=0))
    words.furthest = list(accumulate(words.ends, max))
    words.touching = frozenset(i for i, (earlier, later) in enumerate(pairwise(words)) if later[2] <= earlier[3])
    words.markup_free = _markup_free(text)
    return words


def fragments(
    text: str,
    words: _Words,
    matched: frozenset[str],
    maxchars: int = FRAGMENT_CHARS,
    surround: int = CONTEXT_CHARS,
    charlimit: int = DEFAULT_CHARLIMIT,
) -> list[Fragment]:
    """The fragments Whoosh's ContextFragmenter makes of `text` (its words: `_words_of`) once
    Whoosh's highlighter has merged touching matched words (`Highlighter._merge_matched_tokens`),
    computed on the words as tuples. Fragments hold their matched words only, as Whoosh's do."""
    if matched.isdisjoint(words.distinct):
        return []  # the fragmenter starts a fragment only at a match
    hits = sorted(chain.from_iterable(words.where[word] for word in matched & words.distinct))
    if words.touching and any(later == earlier + 1 and earlier in words.touching for earlier, later in pairwise(hits)):
        return _fragments_word_by_word(text, _merged(words, matched), maxchars, surround, charlimit)  # matches to merge
    return _fragments_match_to_match(text, words, hits, maxchars, surround, charlimit)


def _fragments_word_by_word(
    text: str, stream: Iterable[tuple[str, int, int, bool]], maxchars: int, surround: int, charlimit: int
) -> list[Fragment]:
    """ContextFragmenter's walk, word by word, over (text, start, end, matched): a fragment
    starts at a match, with up to `surround` characters of the words before it
    (`context_starts`), takes the words after it while `context_left` lasts, and holds at
    most `maxchars` characters (`length`). Whoosh's names: `tks` (here `matches`), `firsts`
    (`context_starts`), `countdown` (`context_left`), `currentlen` (`length`)."""
    found: list[Fragment] = []
    first: int | None = None
    context_starts: deque[int] = deque()
    context_left = -1
    matches: list[tuple[str, int, int]] = []
    endchar = 0
    length = 0
    for word, startchar, endchar, is_matched in stream:
        word_length = endchar - startchar
        if charlimit and endchar > charlimit:
            break
        if context_left < 0 and not is_matched:
            context_starts.append(startchar)
            while context_starts and endchar - context_starts[0] > surround:
                context_starts.popleft()
        elif length + word_length > maxchars:
            context_left = 0
        elif is_matched:
            context_left = surround
            if first is None:
                if context_starts:
                    first = context_starts[0]
                else:
                    first = startchar
                    context_left += surround
            matches.append((word, startchar, endchar))
        if context_left >= 0:
            length += word_length
            context_left -= word_length
            if context_left <= 0:
                found.append(_fragment(text, matches, first, endchar))
                matches, context_starts, first, length = [], deque(), None, 0
    if matches:
        found.append(_fragment(text, matches, first, endchar))
    return found


def _fragments_match_to_match(
    text: str, words: _Words, hits: list[int], maxchars: int, surround: int, charlimit: int
) -> list[Fragment]:
    """`_fragments_word_by_word`'s fragments when no two matched words are to be merged (`hits`: the
    matched words' indexes, ascending), leaping from match to match: between two matches
    the words only count down (the word where the count runs out is found by bisection on
    the running total of lengths) or, outside a fragment, only say where the next one may
    start (looked up when it starts).

    An answer has hundreds of words and a query matches a few of them: walking every word
    was the largest part of a search's highlighting."""
    starts, ends, lengths = words.starts, words.ends, words.lengths
    # The walk stops at the first word that ends past charlimit.
    count = bisect_right(words.furthest, charlimit) if charlimit else len(words)
    found: list[Fragment] = []
    first: int | None = None
    context_left = -1
    matches: list[tuple[str, int, int]] = []
    length = 0
    idle_from = 0  # where the words outside any fragment began (Whoosh's `firsts`, here `context_starts`, start there)
    i = 0
    for next_hit in [*hits, count]:
        next_hit = min(next_hit, count)
        while i < next_hit:  # words that match nothing
            if context_left < 0:  # outside a fragment: they only say where the next one may start
                i = next_hit
                break
            if context_left == 0:  # a fragment has just ended exactly: the next word ends another
                context_left = starts[i] - ends[i]
                found.append(_fragment(text, matches, first, ends[i]))
                matches, first, length, idle_from = [], None, 0, i + 1
                i += 1
                continue
            # The first word at which the fragment is full or its context_left runs out.
            limit = min(maxchars - length + 1, context_left)
            end = bisect_left(lengths, lengths[i] + limit, i + 1, next_hit + 1) - 1
            if end >= next_hit:
                length += lengths[next_hit] - lengths[i]
                context_left -= lengths[next_hit] - lengths[i]
                i = next_hit
                break
            before = lengths[end] - lengths[i]
            word_length = ends[end] - starts[end]
            context_left = -word_length if length + before + word_length > maxchars else context_left - before - word_length
            found.append(_fragment(text, matches, first, ends[end]))
            matches, first, length, idle_from = [], None, 0, end + 1
            i = end + 1
        if i >= count:
            break
        # The matched word i, as the walk takes it.
        startchar, endchar = starts[i], ends[i]
        word_length = endchar - startchar
        if length + word_length > maxchars:
            context_left = 0
        else:
            context_left = surround
            if first is None:
                earliest = _earliest_context(starts, ends, idle_from, i, surround)
                if earliest < i:
                    first = starts[earliest]
                else:
                    first = startchar
                    context_left += surround
            matches.append((words[i][0], startchar, endchar))
        length += word_length
        context_left -= word_length
        if context_left <= 0:
            found.append(_fragment(text, matches, first, endchar))
            matches, first, length, idle_from = [], None, 0, i + 1
        i += 1
    if matches:
        found.append(_fragment(text, matches, first, ends[count] if count < len(words) else ends[count - 1]))
    return found


def _earliest_context(starts: list[int], ends: list[int], since: int, match: int, surround: int) -> int:
    """Where Whoosh's `firsts` begins when word `match` starts a fragment: the first of the
    words since `since` that no later word before the match ends more than `surround`
    characters after the start of (`match` itself when there is none)."""
    earliest, furthest = match, -1
    while earliest > since:
        furthest = max(furthest, ends[earliest - 1])
        if furthest - starts[earliest - 1] > surround:
            break
        earliest -= 1
    return earliest


def _fragment(text: str, matches: list[tuple[str, int, int]], first: int | None, endchar: int) -> Fragment:
    """Whoosh's `mkfrag`: a fragment without a start begins at its first match (or at 0)."""
    if first is None:
        first = matches[0][1] if matches else 0
    return Fragment(max(0, first), min(len(text), endchar), matches)


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


def query_words(searcher: Any, query: Query) -> frozenset[str]:
    """The words that mark an answer for `query` on an open Whoosh `searcher` (as a
    search's fragments mark them), without searching."""
    return _query_words(WhooshResults(searcher, query, []))


def marked_whole(text: str, matched: frozenset[str]) -> str:
    """All of `text`, HTML-escaped, each of the `matched` words in it marked (touching ones
    as one), as an answer opened from a search shows; past its first HIGHLIGHT_CHARS
    characters, escaped only."""
    head = text[:HIGHLIGHT_CHARS]
    output, index = [], 0
    for _, start, end, hit in _merged(_words_of(head), matched):
        if hit and start >= index:
            output += [_escaped(head[index:start]), MARK_OPEN, _escaped(head[start:end]), MARK_CLOSE]
            index = end
    output.append(_escaped(text[index:]))
    return "".join(output)


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
    cut = cut[: ends[-1]] if ends and ends[-1] > limit // 2 else cut.rsplit(" ", 1)[0] + " …"
    return html.escape(cut, quote=False)
