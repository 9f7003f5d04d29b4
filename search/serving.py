"""Checks before `faqsearch serve` listens: an address it can bind, said in one line if not,
and the Host names a server on this machine only answers to."""

from __future__ import annotations

import ipaddress
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


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """Whether `host` (an address or a name) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, extra: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The Host header names a server listening on `host` answers to: for a loopback address,
    the loopback names (and `extra`), so that a web page the user visits cannot read the
    index through a name of its own that resolves to 127.0.0.1 (DNS rebinding); None (any)
    for another address, which the user chose to expose."""
    if not is_loopback(host):
        return None
    return tuple(dict.fromkeys((*LOOPBACK_NAMES, host.strip("[]"), *extra)))


def host_name(header: str) -> str:
    """The name of a Host header, without its port: "[::1]:8000" -> "::1"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header
