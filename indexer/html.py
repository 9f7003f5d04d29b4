"""HTML reader: BeautifulSoup strips a page to the blocks of its article.

Page furniture (scripts, navigation, headers and footers, asides, forms, comment threads,
share bars, related-post widgets) is removed before any text is read, so it can never
become a document. Questions published as schema.org FAQPage data are taken from there
directly: the publisher already said what is a question and what is its answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)
from bs4.exceptions import ParserRejectedMarkup

from faqindex.schema import question_key

from .blocks import Block, BlockKind, Page, UnreadablePage

# Never content.
_DROP_TAGS = [
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "form", "button", "input", "select", "textarea", "label", "nav", "header", "footer", "aside",
    "menu", "dialog", "head",
]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "menu", "alert"}
# Class or id words of page furniture, matched against whole words of the attribute
# ("comment-list" but not "commentary"). Text furniture (comments, newsletter boxes, cookie
# banners) is always dropped. Link furniture (navigation, related stories, share bars) is
# dropped when it is mostly links or short: "js-code-nav-container" around a README and
# "no-share post" around a story are neither. Weak words are also used by the article's
# own wrappers ("with-sidebar-right", "sc-ad-container article-content", "toc-title"), so
# they count only when nothing says "article".
def _words_pattern(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|[\s_-])(?:{words})(?:$|[\s_-])", re.IGNORECASE)


_TEXT_FURNITURE = _words_pattern(
    r"footer|masthead|newsletter|subscribe|subscription|signup|cookie|consent|gdpr|advert|"
    r"advertisement|sponsor(?:ed)?|promo|comments?|respond|reply|author-?box|about-author|author-bio|"
    r"skip-link|screen-reader-text|sr-only|visually-hidden|modal|popup|disqus|outbrain|taboola|"
    r"buy-?box|cta|disclosure|signature|user-info|flash-error"
)
_LINK_FURNITURE = _words_pattern(
    r"nav|navbar|navigation|menu|breadcrumbs?|pagination|share|sharing|social|related|recommended|popular|trending"
)
# ("hidden-xs" and the like are Bootstrap's responsive classes: shown on other screens.)
_WEAK_FURNITURE = _words_pattern(r"sidebar|widget|header|banner|ads?|bio|toc|table-of-contents|hidden(?!-(?:xs|sm|md|lg|xl))")
_LINK_DENSITY = 0.3
_LINK_LIST_DENSITY = 0.8
_MARKED_SHARE = 0.5  # an <article> holding less of the page's text is a part, not the article
_SHORT_TEXT = 300
_ARTICLE_NAMES = re.compile(r"article|content|post|entry|story|body|main|text|prose", re.IGNORECASE)
# A wrapper holding this share of the page's text is the article, whatever it is called.
_ARTICLE_SHARE = 0.3
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Blocks whose text is read whole.
_LEAVES: dict[str, BlockKind] = {
    "p": "paragraph",
    "dt": "term",
    "summary": "term",
    "pre": "paragraph",
    "caption": "paragraph",
    "figcaption": "paragraph",
}
# Blocks that may hold other blocks: loose text inside them takes their kind.
_CONTAINERS: dict[str, BlockKind] = {
    "li": "item",
    "dd": "paragraph",
    "td": "paragraph",
    "th": "paragraph",
    "blockquote": "paragraph",
    "div": "paragraph",
    "section": "paragraph",
    "article": "paragraph",
    "main": "paragraph",
    "ul": "paragraph",
    "ol": "paragraph",
    "dl": "paragraph",
    "details": "paragraph",
    "table": "paragraph",
    "tbody": "paragraph",
    "thead": "paragraph",
    "tr": "paragraph",
    "figure": "paragraph",
    "body": "paragraph",
    "center": "paragraph",
    "address": "paragraph",
    "fieldset": "paragraph",
    "hr": "paragraph",
}
_BLOCK_TAGS = [*_HEADINGS, *_LEAVES, *_CONTAINERS]
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_WS = re.compile(r"\s+")
_STRAY_MARKED_SECTION = re.compile(r"<!\[(?!CDATA\[)")
_WEB_ADDRESS = re.compile(r"https?://[^\s\x00-\x1f\x7f]+\Z", re.IGNORECASE)


MAX_DEPTH = 10_000
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")
# Elements that never hold others (html.parser opens no level for them).
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"])


def read_html(markup: str) -> Page:
    """Strip an HTML page to its title and the blocks of its main content.

    Raises UnreadablePage for markup nested deeper than MAX_DEPTH elements.
    """
    _check_depth(markup)
    try:
        soup = BeautifulSoup(markup, "html.parser")
    except ParserRejectedMarkup:
        # html.parser gives up on a stray "<![" that opens no CDATA section; a browser shows
        # it as text, and so do we.
        soup = BeautifulSoup(_STRAY_MARKED_SECTION.sub("&lt;![", markup), "html.parser")
    title = _title(soup)
    structured = list(_json_ld_nodes(soup))  # read before the scripts holding it are dropped
    faq = _faq_from_json_ld(structured)
    article_body = _article_body_from_json_ld(structured)
    description = _meta(soup, ({"name": "description"}, {"property": "og:description"}))
    url = _canonical_url(soup)  # in <head>, which goes with the furniture
    _drop_furniture(soup)
    root = _main_content(soup)
    blocks = list(_blocks(root)) if root is not None else []
    if len(article_body) > sum(len(b.text) for b in blocks):
        # The publisher's own copy of the article is fuller than what the page shows
        # (text rendered by scripts, or lost with the furniture).
        blocks = [Block("paragraph", _clean(part)) for part in article_body.split("\n") if part.strip()]
    blocks = _with_faq(blocks, faq)
    if not blocks and description:
        blocks = [Block("paragraph", description)]  # a page drawn by scripts: its summary is all there is
    return Page(blocks, title, description, url)


def _check_depth(markup: str) -> None:
    """Refuse markup nested deeper than any page is, before the parser holds every level of it
    in memory (a few megabytes of nested tables took gigabytes)."""
    if markup.count("<") <= MAX_DEPTH:
        return
    depth = 0
    for match in _TAG.finditer(markup):
        if match[1]:
            depth = max(depth - 1, 0)
        elif not match[3] and match[2].lower() not in _VOID:
            depth += 1
            if depth > MAX_DEPTH:
                raise UnreadablePage(f"HTML nested more than {MAX_DEPTH:,} elements deep")


def _canonical_url(soup: BeautifulSoup) -> str:
    """The page's canonical address, if it is a web address: shown to readers and linked to,
    a "javascript:" or "data:" one would run or show whatever the page put there."""
    link = soup.find("link", rel="canonical")
    found = str(link["href"]).strip() if isinstance(link, Tag) and link.get("href") else _meta(soup, ({"property": "og:url"},))
    return found if _WEB_ADDRESS.match(found) else ""


def _with_faq(blocks: list[Block], faq: list[Block]) -> list[Block]:
    """The page's blocks, then each FAQPage question (with its answer) the page does not show itself."""
    shown = {question_key(b.text) for b in blocks if b.kind in ("heading", "term", "question") or b.emphasis}
    extra: list[Block] = []
    keep = False
    for block in faq:
        if block.kind == "question":
            keep = question_key(block.text) not in shown
        if keep:
            extra.append(block)
    return blocks + extra


def _meta(soup: BeautifulSoup, candidates: tuple[dict[str, str], ...]) -> str:
    for attrs in candidates:
        meta = soup.find("meta", attrs=attrs)
        if isinstance(meta, Tag) and meta.get("content"):
            return _clean(str(meta["content"]))
    return ""


def _title(soup: BeautifulSoup) -> str:
    title = _meta(soup, ({"property": "og:title"}, {"name": "twitter:title"}))
    if title:
        return title
    if soup.title and soup.title.string:
        return _clean(soup.title.string)
    h1 = soup.find("h1")
    return _clean(h1.get_text()) if h1 else ""


def _json_ld_nodes(soup: BeautifulSoup) -> Iterator[dict]:
    """Every object in the page's JSON-LD scripts (malformed ones are skipped)."""
    for script in soup.find_all("script", attrs={"type": re.compile("ld\\+json", re.I)}):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        yield from _json_nodes(data)


def _faq_from_json_ld(nodes: list[dict]) -> list[Block]:
    blocks: list[Block] = []
    for node in nodes:
        if _has_type(node, "Question"):
            answer = node.get("acceptedAnswer") or node.get("suggestedAnswer")
            if isinstance(answer, list):
                answer = answer[0] if answer else None
            question = _clean(str(node.get("name") or ""))
            text = answer.get("text") if isinstance(answer, dict) else None
            if question and text:
                blocks.append(Block("question", question))
                answer_page = read_html(str(text)) if "<" in str(text) else None
                if answer_page and answer_page.blocks:
                    blocks.extend(answer_page.blocks)
                else:
                    blocks.append(Block("paragraph", _clean(str(text))))
    return blocks


def _article_body_from_json_ld(nodes: list[dict]) -> str:
    """The longest schema.org articleBody in the page's JSON-LD, or ""."""
    best = ""
    for node in nodes:
        body = node.get("articleBody")
        if isinstance(body, str) and len(body) > len(best):
            best = body
    if "<" in best:
        best = BeautifulSoup(best, "html.parser").get_text("\n")
    return best.strip()


def _json_nodes(data: object) -> Iterator[dict]:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _has_type(node: dict, name: str) -> bool:
    kind = node.get("@type")
    return kind == name or (isinstance(kind, list) and name in kind)


def _drop_furniture(soup: BeautifulSoup) -> None:
    for comment in soup.find_all(string=lambda s: isinstance(s, _SKIPPED_STRINGS)):
        comment.extract()
    # A removed element leaves a break, as it stood between blocks: "0<nav>1</nav>0" is
    # "0" and "0", not "00".
    for tag in soup.find_all(_DROP_TAGS):
        tag.replace_with("\n")
    sizes = _Sizes(soup)
    page_chars = sizes.text(soup)
    doomed = []
    # Top down, not into what is already doomed: each tag is looked at once, and only the
    # outermost of nested furniture is removed (removing a tag costs its depth).
    pending = [soup]
    while pending:
        tag = pending.pop()
        if tag is not soup and _is_furniture(tag, sizes, page_chars):
            doomed.append(tag)
            continue
        pending.extend(child for child in reversed(tag.contents) if isinstance(child, Tag))
    for tag in doomed:
        tag.replace_with("\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")


def _is_furniture(tag: Tag, sizes: _Sizes, page_chars: int) -> bool:
    if tag.get("role") in _DROP_ROLES or tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if _is_furniture_name(tag, sizes, page_chars):
        return True
    # A list of nothing but links inside the story is "read more" furniture, not content.
    return tag.name in ("ul", "ol") and sizes.links(tag) >= _LINK_LIST_DENSITY * max(sizes.text(tag), 1)


class _Sizes:
    """How much text, and how much link text, each element of a page holds.

    Counted for all elements in one pass from the leaves up: asking each element for its
    text instead costs the size of its subtree, which for furniture nested thousands of
    levels deep made a page take minutes.
    """

    def __init__(self, root: Tag) -> None:
        self._text: dict[int, int] = {}
        self._links: dict[int, int] = {}
        stack: list[tuple[Tag, bool]] = [(root, False)]
        while stack:
            tag, children_done = stack.pop()
            if not children_done:
                stack.append((tag, True))
                stack.extend((child, False) for child in tag.contents if isinstance(child, Tag))
                continue
            text = links = 0
            for child in tag.contents:
                if isinstance(child, Tag):
                    text += self._text[id(child)]
                    links += self._text[id(child)] if child.name == "a" else self._links[id(child)]
                elif isinstance(child, NavigableString) and not isinstance(child, _SKIPPED_STRINGS):
                    text += len(child)
            self._text[id(tag)], self._links[id(tag)] = text, links

    def text(self, tag: Tag) -> int:
        """Characters of text inside `tag`."""
        return self._text[id(tag)]

    def links(self, tag: Tag) -> int:
        """Characters of link text inside `tag`."""
        return self._links[id(tag)]


def _is_furniture_name(tag: Tag, sizes: _Sizes, page_chars: int) -> bool:
    if tag.name in ("body", "html", "main", "article"):
        return False
    names = " ".join(tag.get("class") or []) + " " + str(tag.get("id") or "")
    if not names.strip():
        return False
    if _TEXT_FURNITURE.search(names):
        return True
    if _LINK_FURNITURE.search(names):
        chars = sizes.text(tag)
        return chars < _SHORT_TEXT or sizes.links(tag) >= _LINK_DENSITY * chars
    if not _WEAK_FURNITURE.search(names) or _ARTICLE_NAMES.search(names):
        return False
    return sizes.text(tag) < _ARTICLE_SHARE * page_chars


def _main_content(soup: BeautifulSoup) -> Tag | None:
    """The element holding the article: the page's own mark (articleBody, <article>) when it
    holds most of the text left, else <main>, else the body.

    A page may mark only a part as an <article> (an FAQ box, a teaser) with the story
    around it; the furniture is gone by now, so the larger container is the safer choice.
    """
    page = next((c for c in (soup.find("main"), soup.find(attrs={"role": "main"}), soup.body, soup) if isinstance(c, Tag)), None)
    if page is None:
        return None
    total = _text_length(page)
    marked = [soup.find(attrs={"itemprop": "articleBody"}), *sorted(soup.find_all("article"), key=_text_length, reverse=True)[:1]]
    for candidate in marked:
        if isinstance(candidate, Tag) and _text_length(candidate) > max(200, _MARKED_SHARE * total):
            return candidate
    return page


def _text_length(tag: Tag) -> int:
    return len(tag.get_text())


def _blocks(root: Tag) -> Iterator[Block]:
    """Walk the tree without recursion (pages can nest thousands of levels deep)."""
    inline: list[str] = []
    # Each frame: the children still to visit, the kind that loose text inside takes, and
    # whether it is a block (whose end ends the running text) or inline (whose end does not:
    # "<li><b>Quickly</b> move files</li>" is one item).
    stack: list[tuple[Iterator, BlockKind, bool]] = [(iter(root.children), "paragraph", True)]
    while stack:
        children, kind, block = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            if block:
                yield from _flush(inline, kind)
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, _SKIPPED_STRINGS):
                inline.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if (name in _LEAVES or name in _HEADINGS) and node.find(_BLOCK_TAGS) is not None:
            # An unclosed <p> or <h2> swallows the blocks after it (html.parser nests them):
            # read it as a container, or its paragraphs would run together ("a</p><p>b" → "ab").
            yield from _flush(inline, kind)
            stack.append((iter(node.children), _LEAVES.get(name, "paragraph"), True))
        elif name in _HEADINGS or name in _LEAVES:
            yield from _flush(inline, kind)
            yield from _leaf(node)
        elif name in _CONTAINERS:
            yield from _flush(inline, kind)
            stack.append((iter(node.children), _CONTAINERS[name], True))
        else:  # inline element: its text joins the running text
            stack.append((iter(node.children), kind, False))


def _leaf(node: Tag) -> Iterator[Block]:
    name = node.name
    if name == "pre":
        text = node.get_text().strip("\n")
        if text.strip():
            yield Block("paragraph", text)
        return
    text = _clean(node.get_text())
    if not text:
        return
    if name in _HEADINGS:
        yield Block("heading", text, level=_HEADINGS[name])
    elif name == "p":
        yield Block("paragraph", text, emphasis=_all_bold(node, text))
    else:
        yield Block(_LEAVES[name], text)


def _flush(inline: list[str], kind: BlockKind) -> Iterator[Block]:
    if not inline:
        return
    text = _clean("".join(inline))
    inline.clear()
    if text:
        yield Block(kind, text, marker="•" if kind == "item" else "")


def _all_bold(node: Tag, text: str) -> bool:
    """True when every word of the paragraph is inside <strong> or <b>."""
    for string in node.find_all(string=True):
        if not string.strip():
            continue
        bold = False
        for parent in string.parents:
            if parent is node:
                break
            if parent.name in ("strong", "b"):
                bold = True
                break
        if not bold:
            return False
    return bool(text)


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()
