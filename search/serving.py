"""Checks before `faqsearch serve` listens: an address it can bind, said in one line if not."""

from __future__ import annotations

import socket

from faqindex.errors import FaqsearchError


def check_address(host: str, port: int) -> None:
    """Raise FaqsearchError when `host:port` cannot be listened on (taken, or not this
    machine's), before the index is opened and the server started."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FaqsearchError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise FaqsearchError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
