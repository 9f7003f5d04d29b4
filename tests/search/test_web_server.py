"""`faqsearch serve`'s server itself, over a real socket: what uvicorn answers before a
request reaches the application."""

from __future__ import annotations

import socket

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
pytest.importorskip("uvicorn", reason="the serve extra is not installed")

from search import Searcher
from tests.search.live_server import live_server


def _exchange(host: str, port: int, request: bytes) -> bytes:
    with socket.create_connection((host, port), timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_a_request_the_server_cannot_parse_gets_a_400_with_the_security_headers(write_corpus, tmp_path):
    corpus = write_corpus({"faq.txt": "Is it safe?\n\nYes, it is.\n"})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher, live_server(searcher) as (host, port):
        answer = _exchange(host, port, b"NOT HTTP AT ALL\r\n\r\n")
        normal = _exchange(host, port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 400")
    assert b"content-security-policy: default-src 'none'" in head
    assert b"x-content-type-options: nosniff" in head
    assert normal.lower().startswith(b"http/1.1 200") and b"content-security-policy" in normal.lower()
