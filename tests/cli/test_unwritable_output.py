"""Output that cannot be written, and memory that runs out: one line and exit 2, never a
traceback. These run the command line as installed (`python -m search`), in a process of
their own: the streams and the failures are the process's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from indexer import build_index

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def index(write_corpus, tmp_path):
    build_index(write_corpus({"a.txt": "What is “ferritin”?\n\nA protein that stores iron.\n"}), tmp_path / "ix")
    return tmp_path / "ix"


def _run(index, *args, stdout=subprocess.PIPE, env=None, code=None, shell_suffix=""):
    command = [sys.executable, "-m", "search", *args] if code is None else [sys.executable, "-c", code, *args]
    environment = {**os.environ, "FAQSEARCH_INDEX": str(index), **(env or {})}
    if shell_suffix:
        line = " ".join(f"'{part}'" for part in command) + " " + shell_suffix
        return subprocess.run(["sh", "-c", line], stdout=stdout, stderr=subprocess.PIPE, env=environment, cwd=ROOT, check=False)
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=environment, cwd=ROOT, check=False)


def test_an_encoding_without_the_quotes_degrades_them(index):
    done = _run(index, "search", "ferritin", env={"PYTHONIOENCODING": "latin-1"})
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert b"ferritin" in done.stdout


def test_a_closed_output_is_no_error(index):
    done = _run(index, "search", "ferritin", shell_suffix=">&-")
    assert done.returncode == 0 and b"Traceback" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_output_is_one_line(index):
    with open("/dev/full", "w") as full:
        done = _run(index, "search", "ferritin", stdout=full)
    assert done.returncode == 2 and done.stderr.decode().splitlines()[-1:] == [
        "faqsearch: error: cannot write the output: No space left on device"
    ]
    assert b"Traceback" not in done.stderr


def test_a_query_of_bytes_that_are_no_utf8(index):
    done = subprocess.run(
        [sys.executable, "-m", "search", "search", b"iron \xff"],
        capture_output=True,
        env={**os.environ, "FAQSEARCH_INDEX": str(index)},
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert "iron \ufffd" in done.stdout.decode()


def test_running_out_of_memory_is_one_line(index):
    code = (
        "import sys\nfrom search import launch, searcher\n"
        "def results(*args, **kwargs):\n    raise MemoryError\n"
        "searcher.Searcher.results = results\nsys.argv[0] = 'faqsearch'\nlaunch.run()"
    )
    done = _run(index, "search", "ferritin", code=code)
    assert done.returncode == 2 and done.stderr.decode().splitlines()[-1:] == ["faqsearch: error: out of memory"]
    assert b"Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="ulimit -v is a Linux limit")
@pytest.mark.parametrize("megabytes", [150, 250])
def test_an_address_space_limit_gives_answers_or_one_line(index, megabytes):
    # Under `ulimit -v`, OpenBLAS could not start its threads while numpy loaded and sent
    # SIGINT: a KeyboardInterrupt traceback. Now: the answers, or "out of memory" and exit 2.
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, resource.RLIM_INFINITY))

    done = subprocess.run(
        [sys.executable, "-m", "search", "search", "ferritin"],
        capture_output=True,
        env={**os.environ, "FAQSEARCH_INDEX": str(index)},
        cwd=ROOT,
        preexec_fn=limit,
        check=False,
    )
    assert b"Traceback" not in done.stderr and b"KeyboardInterrupt" not in done.stderr
    if done.returncode != 0:
        assert done.returncode == 2 and done.stderr.decode().splitlines()[-1:] == ["faqsearch: error: out of memory"]
    else:
        assert b"ferritin" in done.stdout
