"""`faqsearch serve`: the JSON API and the search page, as a Starlette application.

Read-only: every route only searches or reads the index through a pool of `Searcher`s
of the same index (each switches to an index another process rebuilt between two
searches), so that several searches run at once and a slow one holds up only itself;
`/healthz` never waits for a search, and a search past its time budget answers 503.
No response carries a file system path or a traceback; document text is always escaped
(by `page.py` on the server, with text nodes in the browser), and every response forbids
scripts and styles from anywhere but this server (Content-Security-Policy).

Needs the `serve` extra (Starlette, uvicorn, threadpoolctl; docs/serving.md).
"""

from __future__ import annotations

import collections
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.schemas import SchemaGenerator
from starlette.staticfiles import StaticFiles
from threadpoolctl import threadpool_limits
from uvicorn.protocols.http.h11_impl import H11Protocol

from faqindex.errors import FaqsearchError, QueryError

from . import page
from .budget import SearchTimeout
from .searcher import Searcher
from .serving import host_name

MAX_QUERY = 500  # characters: longer than any question a person types
MAX_LIMIT = 50
EXCERPT_CHARS = 2_000  # of an answer in /api/search: the whole one is at /api/documents/ID
MAX_SEARCHERS = 4  # searches at once, at most: Python work, so more than the cores only queue
BUSY_WAIT = 10.0  # seconds a request waits for a free Searcher before a 503
STATIC = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

schemas = SchemaGenerator({"openapi": "3.0.0", "info": {"title": "faqsearch", "version": "1"}})


class BadRequest(Exception):
    """A request faqsearch cannot answer as asked: a 400 with a one-line message."""


class Busy(Exception):
    """Every Searcher stayed busy for BUSY_WAIT seconds: a 503."""


class SearcherPool:
    """`first` and up to `size` - 1 replicas of it (made when needed), each lent to one
    request at a time; the replicas are closed with the pool, `first` by its owner.

    Fair: a Searcher given back goes to the request that has waited longest, never to one
    that just came (which would leave a waiting one to wait again, for seconds under load)."""

    def __init__(self, first: Searcher, size: int) -> None:
        self.first, self.size = first, max(1, size)
        self._free: list[Searcher] = [first]
        self._made = [first]
        self._being_made = 0  # replicas being made outside the lock
        self._waiting: collections.deque[_Waiter] = collections.deque()
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[Searcher]:
        """A Searcher no other request is using, or Busy after BUSY_WAIT seconds."""
        searcher = self._take()
        try:
            yield searcher
        finally:
            self._give_back(searcher)

    def _take(self) -> Searcher:
        with self._lock:
            if self._free and not self._waiting:
                return self._free.pop()
            grow = len(self._made) + self._being_made < self.size and not self._waiting
            if grow:
                self._being_made += 1
            else:
                waiter = _Waiter()
                self._waiting.append(waiter)
        if grow:
            return self._replica()
        if waiter.handed.wait(BUSY_WAIT):
            assert waiter.searcher is not None
            return waiter.searcher
        with self._lock:
            if waiter.searcher is not None:  # handed over just as the wait ended
                return waiter.searcher
            self._waiting.remove(waiter)
        raise Busy("every search slot is busy: try again")

    def _replica(self) -> Searcher:
        replica = None
        try:
            replica = self.first.replica()
            return replica
        finally:
            with self._lock:
                self._being_made -= 1
                if replica is not None:
                    self._made.append(replica)

    def _give_back(self, searcher: Searcher) -> None:
        with self._lock:
            if self._waiting:
                waiter = self._waiting.popleft()
                waiter.searcher = searcher
                waiter.handed.set()
            else:
                self._free.append(searcher)

    @property
    def waiting(self) -> int:
        """How many requests wait for a Searcher."""
        return len(self._waiting)

    def close(self) -> None:
        """Close the replicas (not `first`: its owner does)."""
        for searcher in self._made[1:]:
            searcher.close()


class _Waiter:
    """A request waiting for a Searcher: handed one by the request that gives it back."""

    def __init__(self) -> None:
        self.handed = threading.Event()
        self.searcher: Searcher | None = None


def create_app(searcher: Searcher, searchers: int | None = None, hosts: tuple[str, ...] | None = None) -> Starlette:
    """The application serving `searcher`'s index (the caller keeps and closes the Searcher).

    `searchers`: how many searches may run at once (default: the cores, at most
    MAX_SEARCHERS); the others are replicas of `searcher`, made when first needed.
    `hosts`: the Host header names answered (others get 421); None: any
    (`search.serving.allowed_hosts` says which for an address)."""
    pool = SearcherPool(searcher, searchers or min(os.cpu_count() or 1, MAX_SEARCHERS))
    collection = describe(searcher)

    def query_and_limit(request: Request) -> tuple[str, int]:
        query = request.query_params.get("q", "").strip()
        if len(query) > MAX_QUERY:
            raise BadRequest(f"the query is longer than {MAX_QUERY} characters")
        raw = request.query_params.get("limit", "10")
        # ASCII digits only, and few: str.isdigit() takes "²" and "٣", which int() refuses or reads.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= MAX_LIMIT:
            raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
        return query, int(raw)

    def api_search(request: Request) -> Response:
        """
        summary: Search the index (the object `faqsearch search --json` prints)
        parameters:
          - {name: q, in: query, required: true, schema: {type: string, maxLength: 500}}
          - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50, default: 10}}
          - {name: exact, in: query, schema: {type: integer, enum: [0, 1], default: 0}, description: "1: no typo correction"}
        responses:
          200: {description: "query, corrected_query, total, fitting, hits, missing, weak_match, ...; answers cut to 2,000 characters"}
          400: {description: "{error}: an empty, too long or unsearchable query, or a bad limit"}
        """
        query, limit = query_and_limit(request)
        if not query:
            raise BadRequest("the query is empty: pass ?q=words")
        with pool.borrow() as lent:
            return JSONResponse(bounded_hits(lent.results(query, limit=limit, exact=_exact(request)).to_dict()))

    def api_document(request: Request) -> Response:
        """
        summary: One document whole, with its related questions
        parameters:
          - {name: id, in: path, required: true, schema: {type: string}}
          - {name: q, in: query, schema: {type: string, maxLength: 500}, description: "the query it was found by (marked_answer)"}
          - {name: exact, in: query, schema: {type: integer, enum: [0, 1], default: 0}, description: "1: the query without typo correction"}
        responses:
          200: {description: "id, question, alternates, answer, source, url, related, marked_answer (with q), ..."}
          404: {description: "{error}: no such document"}
        """
        query, _ = query_and_limit(request)
        with pool.borrow() as lent:
            document = lent.document(request.path_params["id"], query=query, exact=_exact(request))
        if document is None:
            return JSONResponse({"error": "no document with this id"}, status_code=404)
        return JSONResponse(document.to_dict())

    def api_status(request: Request) -> Response:
        """
        summary: What the index holds (no file system paths)
        responses:
          200: {description: "corpus, documents, files, built_at, stale, acronyms, meaning"}
        """
        return JSONResponse(public_status(searcher))

    def healthz(request: Request) -> Response:
        """
        summary: Whether the server can answer
        responses:
          200: {description: "{ok: true, documents}"}
        """
        return JSONResponse({"ok": True, "documents": searcher.document_count})

    def openapi(request: Request) -> Response:
        return JSONResponse(schemas.get_schema(routes=request.app.routes))

    def home(request: Request) -> Response:
        try:
            query, limit = query_and_limit(request)
        except BadRequest as exc:
            return HTMLResponse(page.search_page("", None, error=str(exc), collection=collection), status_code=400)
        if not query:
            return HTMLResponse(page.search_page("", None, collection=collection))
        try:
            with pool.borrow() as lent:
                results = lent.results(query, limit=limit, exact=_exact(request))
        except (SearchTimeout, Busy) as exc:
            return HTMLResponse(page.search_page(query, None, error=str(exc), collection=collection), status_code=503)
        except QueryError as exc:
            return HTMLResponse(page.search_page(query, None, error=str(exc), collection=collection), status_code=400)
        return HTMLResponse(page.search_page(query, results, collection=collection))

    def document_page(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()[:MAX_QUERY]
        with pool.borrow() as lent:
            document = lent.document(request.path_params["id"], query=query, exact=_exact(request))
        if document is None:
            return HTMLResponse(page.missing_page(collection), status_code=404)
        return HTMLResponse(page.document_page(document, collection, query))

    async def bad_request(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": _one_line(str(exc))}, status_code=400)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": _one_line(exc.detail)}, status_code=exc.status_code)

    async def too_slow(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": _one_line(str(exc))}, status_code=503)

    async def unavailable(request: Request, exc: Exception) -> Response:
        # Not the message: it names the index's directory. A person's page gets a page.
        if _wants_page(request):
            return HTMLResponse(
                page.search_page("", None, error="the index cannot be read now: try again soon", collection=collection), status_code=503
            )
        return JSONResponse({"error": "the index cannot be read now"}, status_code=503)

    async def server_error(request: Request, exc: Exception) -> Response:
        # Never the exception's text: it may name files of the server.
        return JSONResponse({"error": "internal error"}, status_code=500)

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/doc/{id:path}", document_page),  # a path: an id may hold "/" (sent as %2F)
            Route("/api/search", api_search),
            Route("/api/documents/{id:path}", api_document),
            Route("/api/status", api_status),
            Route("/healthz", healthz),
            Route("/openapi.json", openapi, include_in_schema=False),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={
            BadRequest: bad_request,
            QueryError: bad_request,
            SearchTimeout: too_slow,
            Busy: too_slow,
            FaqsearchError: unavailable,
            HTTPException: http_error,
            500: server_error,
        },
        lifespan=_closing(pool),
    )
    app.add_middleware(_SecurityHeaders)
    if hosts is not None:
        app.add_middleware(_KnownHosts, hosts=hosts)
    return app


EXAMPLES = 3  # questions the empty page offers
DESCRIBED_UP_TO = 2_000  # documents read at start to name the collection and pick examples


def describe(searcher: Searcher) -> page.Collection:
    """What the pages say of the index: `$FAQSEARCH_TITLE`, else the title of its one
    article, else its corpus folder's name; where the answers come from; the questions
    most often among the others' related ones, as examples. Health advice is disclaimed
    for the shipped article, or when `$FAQSEARCH_HEALTH` is set."""
    from collections import Counter

    from faqindex import config, store

    indexed = store.indexed_corpus(searcher.index_dir)
    corpus = indexed[0] if indexed else None
    documents = searcher.documents() if searcher.document_count <= DESCRIBED_UP_TO else []
    titles = {d.title for d in documents if d.title}
    sources = {d.source for d in documents}
    urls = {d.url for d in documents}
    single = len(sources) == 1 and len(titles) == 1
    name = os.environ.get("FAQSEARCH_TITLE") or (next(iter(titles)) if single else corpus.name if corpus else "faqsearch")
    source = f"the article “{next(iter(titles))}”" if single else f"the articles of {corpus.name}" if corpus else ""
    shipped = corpus is not None and corpus == config.default_corpus().resolve()
    popular: Counter[str] = Counter()
    by_id = {d.id: d for d in documents}
    for document in documents:
        whole = searcher.document(document.id)
        popular.update(r.id for r in (whole.related if whole else []))
    examples = tuple(by_id[i].question for i, _ in popular.most_common(EXAMPLES) if i in by_id)
    return page.Collection(
        name=name,
        source=source,
        url=next(iter(urls)) if single and len(urls) == 1 else "",
        health=shipped or bool(os.environ.get("FAQSEARCH_HEALTH")),
        examples=examples,
    )


def _closing(pool: SearcherPool) -> Callable[[Any], Any]:
    """The application's lifespan: the pool's replicas are closed when it stops."""

    @asynccontextmanager
    async def lifespan(app: Any) -> Any:
        try:
            yield
        finally:
            pool.close()

    return lifespan


def public_status(searcher: Searcher) -> dict[str, Any]:
    """The index's status without file system paths: the corpus by its name only."""
    from .status import index_status

    status = index_status(searcher.index_dir)
    return {
        "corpus": Path(status.corpus).name,
        "documents": status.documents,
        "files": status.files,
        "built_at": status.built_at,
        "stale": status.stale,
        "acronyms": status.acronyms,
        "synonym_rules": status.synonym_rules,
        "meaning": status.meaning,
    }


def bounded_hits(results: dict[str, Any]) -> dict[str, Any]:
    """`results` with each hit's answer cut to EXCERPT_CHARS (`answer_truncated` then true):
    one huge answer must not make every search's response as large."""
    for hit in results["hits"]:
        answer = hit["answer"]
        hit["answer_truncated"] = len(answer) > EXCERPT_CHARS
        if hit["answer_truncated"]:
            hit["answer"] = answer[:EXCERPT_CHARS].rstrip() + "…"
    return results


def _exact(request: Request) -> bool:
    """`exact=1`: the words as typed, no typo correction (as `search --exact`)."""
    return request.query_params.get("exact", "") in ("1", "true")


def _wants_page(request: Request) -> bool:
    """Whether the request is one of the HTML routes (the search page, a document's page)."""
    path = request.url.path
    return path == "/" or path.startswith("/doc/")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _KnownHosts:
    """Answers 421 to a request whose Host header is not one of `hosts`."""

    def __init__(self, app: Callable[..., Any], hosts: tuple[str, ...]) -> None:
        self.app, self.hosts = app, {h.lower() for h in hosts}

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "http":
            header = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
            if host_name(header) not in self.hosts:
                response = JSONResponse({"error": "this server answers only to the names it was started for"}, status_code=421)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _SecurityHeaders:
    """Adds SECURITY_HEADERS to every response (pure ASGI: streaming and static files too)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class _HeadedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, its own 400s (a request it cannot parse) with SECURITY_HEADERS."""

    def send_400_response(self, msg: str) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        headers += [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=msg.encode("ascii")),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()


def server_config(app: Callable[..., Any], host: str, port: int) -> Any:
    """uvicorn's configuration for `app` on `host:port`: quiet, and with the h11 protocol
    whose own 400s (a request uvicorn cannot parse never reaches `app`) carry
    SECURITY_HEADERS too."""
    return uvicorn.Config(app, host=host, port=port, log_level="warning", http=_HeadedH11Protocol)


def serve(app: Callable[..., Any], host: str, port: int) -> None:
    """Serve `app` on `host:port` until interrupted (Ctrl-C).

    Searches run side by side, one per core (`create_app`): each gets one BLAS thread for
    the sentence model's matrix products, not one per core each, which would make twice as
    many threads as cores contend for them."""
    threadpool_limits(limits=1, user_api="blas")
    uvicorn.Server(server_config(app, host, port)).run()
