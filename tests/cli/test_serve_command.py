"""faqsearch serve: what it says before it listens, and its refusals (the server itself is
tested through its application: tests/search/test_web.py, test_web_page.py)."""

from __future__ import annotations

import builtins
import socket

import pytest
from click.testing import CliRunner

from faqindex.errors import FaqsearchError
from search import cli, render
from search.serving import check_address


def test_a_port_already_taken_is_refused_in_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(FaqsearchError, match=r"cannot listen on 127\.0\.0\.1"):
            check_address("127.0.0.1", port)
        result = CliRunner().invoke(cli.main, ["serve", "--port", str(port), "--index", str(tmp_path / "ix")])
    pytest.importorskip("uvicorn")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "cannot listen" in result.stderr
    assert not (tmp_path / "ix").exists()  # refused before any index was built


def test_an_address_that_is_not_this_machines_is_refused():
    with pytest.raises(FaqsearchError, match=r"cannot listen on 192\.0\.2\.1"):
        check_address("192.0.2.1", 8000)  # TEST-NET-1: never a local address


def test_without_the_serve_extra_it_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def without_uvicorn(name, *args, **kwargs):
        if name == "uvicorn":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_uvicorn)
    result = CliRunner().invoke(cli.main, ["serve"])
    assert result.exit_code == 2 and "pip install '.[serve]'" in result.stderr and "Traceback" not in result.output


def test_listening_beyond_this_machine_is_pointed_out():
    assert list(render.serving_lines("127.0.0.1", 8000, 47)) == ["Serving 47 documents on http://127.0.0.1:8000/ (Ctrl-C stops)"]
    lines = list(render.serving_lines("0.0.0.0", 8000, 1))
    assert lines[0].startswith("Serving 1 document on") and "not loopback" in lines[1]
