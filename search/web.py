"""`faqsearch serve`: the JSON API and the search page, as a Starlette application.

Read-only: every route only searches or reads the index through one shared `Searcher`
(thread-safe, and it switches to an index another process rebuilt between two searches).
No response carries a file system path or a traceback; document text is always escaped
(by `page.py` on the server, with text nodes in the browser), and every response forbids
scripts and styles from anywhere but this server (Content-Security-Policy).

Needs the `serve` extra (Starlette, uvicorn; docs/serving.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.schemas import SchemaGenerator
from starlette.staticfiles import StaticFiles

from faqindex.errors import FaqsearchError, QueryError

from . import page
from .searcher import Searcher

MAX_QUERY = 500  # characters: longer than any question a person types
MAX_LIMIT = 50
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


def create_app(searcher: Searcher) -> Starlette:
    """The application serving `searcher`'s index (the caller keeps and closes the Searcher)."""

    def query_and_limit(request: Request) -> tuple[str, int]:
        query = request.query_params.get("q", "").strip()
        if len(query) > MAX_QUERY:
            raise BadRequest(f"the query is longer than {MAX_QUERY} characters")
        raw = request.query_params.get("limit", "10")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
        return query, int(raw)

    def api_search(request: Request) -> Response:
        """
        summary: Search the index (the object `faqsearch search --json` prints)
        parameters:
          - {name: q, in: query, required: true, schema: {type: string, maxLength: 500}}
          - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 50, default: 10}}
        responses:
          200: {description: "query, corrected_query, total, hits, missing, weak_match, ..."}
          400: {description: "{error}: an empty, too long or unsearchable query, or a bad limit"}
        """
        query, limit = query_and_limit(request)
        if not query:
            raise BadRequest("the query is empty: pass ?q=words")
        return JSONResponse(searcher.results(query, limit=limit).to_dict())

    def api_document(request: Request) -> Response:
        """
        summary: One document whole, with its related questions
        parameters:
          - {name: id, in: path, required: true, schema: {type: string}}
        responses:
          200: {description: "id, question, alternates, answer, source, url, related, ..."}
          404: {description: "{error}: no such document"}
        """
        document = searcher.document(request.path_params["id"])
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
            return HTMLResponse(page.search_page("", None, error=str(exc)), status_code=400)
        if not query:
            return HTMLResponse(page.search_page("", None))
        try:
            results = searcher.results(query, limit=limit)
        except QueryError as exc:
            return HTMLResponse(page.search_page(query, None, error=str(exc)), status_code=400)
        return HTMLResponse(page.search_page(query, results))

    def document_page(request: Request) -> Response:
        document = searcher.document(request.path_params["id"])
        if document is None:
            return HTMLResponse(page.missing_page(), status_code=404)
        return HTMLResponse(page.document_page(document))

    async def bad_request(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": _one_line(str(exc))}, status_code=400)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": _one_line(exc.detail)}, status_code=exc.status_code)

    async def unavailable(request: Request, exc: Exception) -> Response:
        # Not the message: it names the index's directory.
        return JSONResponse({"error": "the index cannot be read now"}, status_code=503)

    async def server_error(request: Request, exc: Exception) -> Response:
        # Never the exception's text: it may name files of the server.
        return JSONResponse({"error": "internal error"}, status_code=500)

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/doc/{id}", document_page),
            Route("/api/search", api_search),
            Route("/api/documents/{id}", api_document),
            Route("/api/status", api_status),
            Route("/healthz", healthz),
            Route("/openapi.json", openapi, include_in_schema=False),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={
            BadRequest: bad_request,
            QueryError: bad_request,
            FaqsearchError: unavailable,
            HTTPException: http_error,
            500: server_error,
        },
    )
    app.add_middleware(_SecurityHeaders)
    return app


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


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


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
