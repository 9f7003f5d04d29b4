"""The search page and the document page of `faqsearch serve`, rendered on the server.

They work without JavaScript (the form submits with GET); `static/app.js` then searches as
the reader types. Every text from the index is escaped here; highlights keep only their
<mark> tags, rebuilt from escaped text.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote, urlencode

from .documents import Document
from .highlight import marked_parts
from .results import Hit, Results


@dataclass(frozen=True)
class Collection:
    """What the pages say of what is searched: its `name` (an article's title, or the
    corpus's), where the answers come from (`source`, with its address `url` when known),
    whether to say they are no medical advice, and a few `examples` of its questions."""

    name: str = "faqsearch"
    source: str = ""
    url: str = ""
    health: bool = False
    examples: tuple[str, ...] = ()


DEFAULT = Collection()


def search_page(query: str, results: Results | None, error: str | None = None, collection: Collection = DEFAULT) -> str:
    """The search page: the form, then the results of `query` (or an error) when there is
    one; before any query, example questions and what can be typed."""
    body = []
    if error:
        body.append(f'<p class="error">{escape(error)}</p>')
    if results is not None:
        body.extend(_results(results))
    elif not query and not error:
        body.extend(_empty_state(collection))
    title = f"{query} – {collection.name}" if query else collection.name
    return _layout(title, query, "\n".join(body), collection, heading=True)


def _empty_state(collection: Collection) -> list[str]:
    lines = ['<section class="start">']
    if collection.examples:
        lines.append("<h2>Questions people ask</h2><ul class=\"examples\">")
        lines += [f'<li><a href="{escape("/?" + urlencode({"q": q}))}">{escape(q)}</a></li>' for q in collection.examples]
        lines.append("</ul>")
    lines.append(
        '<p class="hint">Type a question in your own words, keywords, or a "quoted phrase"; '
        "acronyms such as MS and typos are understood.</p></section>"
    )
    return lines


def document_page(document: Document, collection: Collection = DEFAULT, query: str = "") -> str:
    """One document whole, with its related questions; with the `query` it was found by, a
    way back to those results, and the related questions keep it."""
    parts = []
    if query:
        back = escape("/?" + urlencode({"q": query}))
        parts.append(f'<p class="back"><a href="{back}">← results for “{escape(query)}”</a></p>')
    parts.append(f'<article class="document"><h1>{escape(document.question)}</h1>')
    parts += [f'<p class="also">also asked: {escape(other)}</p>' for other in document.alternates]
    if document.marked_answer is not None:
        parts += [f"<p>{marked(paragraph)}</p>" for paragraph in document.marked_answer.split("\n") if paragraph.strip()]
    else:
        parts += [f"<p>{escape(paragraph)}</p>" for paragraph in document.answer.split("\n") if paragraph.strip()]
    parts.append(f'<p class="source">From {_where(document, linked=False)}</p>')
    if document.url.startswith(("http://", "https://")):
        parts.append(f'<p class="source"><a href="{escape(document.url)}" rel="noopener noreferrer">{escape(document.url)}</a></p>')
    if document.related:
        parts.append('<h2>See also</h2><ul class="related">')
        parts += [f'<li><a href="{document_link(r.id, query)}">{escape(r.question)}</a></li>' for r in document.related]
        parts.append("</ul>")
    parts.append("</article>")
    return _layout(f"{document.question} – {collection.name}", "", "\n".join(parts), collection)


def missing_page(collection: Collection = DEFAULT) -> str:
    """The page for an id the index does not hold."""
    return _layout(f"Not found – {collection.name}", "", '<p class="error">No document with this id.</p>', collection)


def marked(fragment: str) -> str:
    """A highlight as safe HTML: its text escaped again, its <mark> tags kept."""
    return "".join(f"<mark>{escape(text)}</mark>" if inside else escape(text) for text, inside in marked_parts(fragment))


def _results(results: Results) -> list[str]:
    lines = []
    if results.corrected_query:
        instead = escape("/?" + urlencode({"q": results.query, "exact": "1"}))
        lines.append(
            f'<p class="corrected">Showing results for <b>{escape(results.corrected_query)}</b>; '
            f'<a href="{instead}">search instead for {escape(results.query)}</a></p>'
        )
    lines.append(f'<p class="count">{escape(results.count_text())}</p>')
    if results.missing:
        lines.append(f'<p class="missing">No answer mentions: {escape(", ".join(results.missing))}</p>')
    if results.weak:
        lines.append('<p class="weak">No answer fits this well; the closest ones follow.</p>')
    if results.hits:
        lines.append('<ol class="hits">')
        lines += [_hit(hit, results.query) for hit in results.hits]
        lines.append("</ol>")
    more = more_link(results)
    if more:
        lines.append(f'<p class="more"><a href="{escape(more)}">more answers</a></p>')
    return lines


MORE = 10  # answers a "more answers" link adds
MOST = 50  # the most one page shows (the API's limit)


def more_link(results: Results) -> str | None:
    """The address of the same search with MORE answers, when there are more to show."""
    shown = len(results.hits)
    if not shown or shown >= results.total - len([d for h in results.hits for d in h.duplicates]) or shown >= MOST:
        return None
    return "/?" + urlencode({"q": results.query, "limit": min(shown + MORE, MOST)})


def _hit(hit: Hit, query: str = "") -> str:
    parts = [f'<li class="hit"><h2><a href="{document_link(hit.id, query)}">{escape(hit.question)}</a></h2>']
    parts += [f'<p class="also">also asked: {escape(other)}</p>' for other in hit.alternates]
    parts += [f'<p class="fragment">{marked(fragment)}</p>' for fragment in hit.highlights]
    parts.append(f'<p class="source">{_where(hit)}</p></li>')
    return "".join(parts)


def _where(hit: Hit | Document, linked: bool = True) -> str:
    """Where an answer comes from, for a reader: its article's title (`linked` to the page
    it came from, when known), else its file; then its section or place there."""
    article = escape(hit.title or hit.source)
    if linked and hit.url.startswith(("http://", "https://")):
        article = f'<a href="{escape(hit.url)}" rel="noopener noreferrer">{article}</a>'
    return f"{article} § {escape(hit.section)}" if hit.section else f"{article}, question {hit.position}"


def _about(collection: Collection) -> str:
    """Where the answers come from (and, for a health article, that they are no advice)."""
    if not collection.source:
        return ""
    source = escape(collection.source)
    if collection.url.startswith(("http://", "https://")):
        source = f'<a href="{escape(collection.url)}" rel="noopener noreferrer">{source}</a>'
    advice = " They are not medical advice: ask a doctor about your own health." if collection.health else ""
    return f'<p class="about">Answers are quoted from {source}.{advice}</p>'


def _name(collection: Collection, heading: bool) -> str:
    """The collection's name: the search page's heading; above a document's own, a link back."""
    tag = "h1" if heading else "p"
    return f'<{tag} class="collection"><a href="/">{escape(collection.name)}</a></{tag}>'


def _layout(title: str, query: str, body: str, collection: Collection = DEFAULT, heading: bool = False) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/app.js" defer></script>
</head>
<body>
<header>
{_name(collection, heading)}
{_about(collection)}
<form action="/" method="get" role="search">
<label for="q">Ask a question or type keywords</label>
<div class="box"><input id="q" name="q" type="search" value="{escape(query)}" maxlength="500" autocomplete="off" autofocus>
<button type="submit">Search</button></div>
</form>
</header>
<main id="results" aria-live="polite">
{body}
</main>
<footer><a href="/">faqsearch</a> · <a href="/openapi.json">API</a></footer>
</body>
</html>
"""


def document_link(doc_id: str, query: str = "") -> str:
    """The page of a document, its id percent-encoded whole (a corpus's ids may hold "/",
    "?", "#" or "%"), with the search it was found by; escaped for an attribute."""
    return escape("/doc/" + quote(doc_id, safe="") + ("?" + urlencode({"q": query}) if query else ""))
