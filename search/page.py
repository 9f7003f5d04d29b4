"""The search page and the document page of `faqsearch serve`, rendered on the server.

They work without JavaScript (the form submits with GET); `static/app.js` then searches as
the reader types. Every text from the index is escaped here; highlights keep only their
<mark> tags, rebuilt from escaped text.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from .documents import Document, place
from .highlight import marked_parts
from .searcher import Hit, Results


def search_page(query: str, results: Results | None, error: str | None = None) -> str:
    """The search page: the form, then the results of `query` (or an error) when there is one."""
    body = []
    if error:
        body.append(f'<p class="error">{escape(error)}</p>')
    if results is not None:
        body.extend(_results(results))
    title = f"{query} – faqsearch" if query else "faqsearch"
    return _layout(title, query, "\n".join(body))


def document_page(document: Document) -> str:
    """One document whole, with its related questions."""
    parts = [f'<article class="document"><h1>{escape(document.question)}</h1>']
    parts += [f'<p class="also">also asked: {escape(other)}</p>' for other in document.alternates]
    parts += [f"<p>{escape(paragraph)}</p>" for paragraph in document.answer.split("\n") if paragraph.strip()]
    parts.append(f'<p class="source">{escape(place(document.source, document.section, document.position))}</p>')
    if document.url.startswith(("http://", "https://")):
        parts.append(f'<p class="source"><a href="{escape(document.url)}" rel="noopener noreferrer">{escape(document.url)}</a></p>')
    if document.related:
        parts.append('<h2>See also</h2><ul class="related">')
        parts += [f'<li><a href="{document_link(r.id)}">{escape(r.question)}</a></li>' for r in document.related]
        parts.append("</ul>")
    parts.append("</article>")
    return _layout(f"{document.question} – faqsearch", "", "\n".join(parts))


def missing_page() -> str:
    """The page for an id the index does not hold."""
    return _layout("Not found – faqsearch", "", '<p class="error">No document with this id.</p>')


def marked(fragment: str) -> str:
    """A highlight as safe HTML: its text escaped again, its <mark> tags kept."""
    return "".join(f"<mark>{escape(text)}</mark>" if inside else escape(text) for text, inside in marked_parts(fragment))


def _results(results: Results) -> list[str]:
    shown = results.corrected_query or results.query
    lines = []
    if results.corrected_query:
        instead = escape("/?" + urlencode({"q": results.query, "exact": "1"}))
        lines.append(
            f'<p class="corrected">Showing results for <b>{escape(results.corrected_query)}</b>; '
            f'<a href="{instead}">search instead for {escape(results.query)}</a></p>'
        )
    noun = "answer" if results.total == 1 else "answers"
    lines.append(f'<p class="count">{"" if results.total_exact else "about "}{results.total} {noun} for “{escape(shown)}”</p>')
    if results.missing:
        lines.append(f'<p class="missing">No answer mentions: {escape(", ".join(results.missing))}</p>')
    if results.weak:
        lines.append('<p class="weak">No answer fits this well; the closest ones follow.</p>')
    if results.hits:
        lines.append('<ol class="hits">')
        lines += [_hit(hit) for hit in results.hits]
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


def _hit(hit: Hit) -> str:
    parts = [f'<li class="hit"><h2><a href="{document_link(hit.id)}">{escape(hit.question)}</a></h2>']
    parts += [f'<p class="also">also asked: {escape(other)}</p>' for other in hit.alternates]
    parts += [f'<p class="fragment">{marked(fragment)}</p>' for fragment in hit.highlights]
    parts.append(f'<p class="source">{escape(place(hit.source, hit.section, hit.position))}</p></li>')
    return "".join(parts)


def _layout(title: str, query: str, body: str) -> str:
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


def document_link(doc_id: str) -> str:
    """The page of a document, its id percent-encoded whole (a corpus's ids may hold "/",
    "?", "#" or "%"), escaped for an attribute."""
    return escape("/doc/" + quote(doc_id, safe=""))
