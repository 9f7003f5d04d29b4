"""The command line as a process (`faqsearch`, `python -m search`): what no command can
report itself becomes one line and an exit code. Output that cannot be written (a closed
or full stream, an encoding without “these” quotes), and memory that runs out, even while
the libraries load: so this module imports `cli`, and through it numpy, only once it can
report a failure."""

from __future__ import annotations

import errno
import os
import sys
from typing import NoReturn

import click

EXIT_HITS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 2, 130


def run(prog_name: str = "faqsearch") -> None:
    """Run `search.cli.main` with the arguments of the process, and exit."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # closed by the shell (`>&-`): written to nowhere, as to /dev/null
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
        elif hasattr(stream, "reconfigure"):
            # A character the stream's encoding lacks (curly quotes in latin-1, a byte of the
            # command line that is no UTF-8) is shown replaced, not a traceback.
            stream.reconfigure(errors="replace")
    limited = _address_space_limited()
    if limited:
        # OpenBLAS reserves a large buffer for each of its threads while numpy loads; under
        # `ulimit -v` it fails to start them and sends the process SIGINT. One thread fits.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        from .cli import main
    except (MemoryError, ImportError) as exc:
        if isinstance(exc, ImportError) and not limited:
            raise
        _last_line("out of memory", EXIT_USAGE)  # a library's code could not be mapped
    except KeyboardInterrupt:
        _last_line("out of memory" if limited else "interrupted", EXIT_USAGE if limited else EXIT_INTERRUPTED)
    try:
        main(prog_name=prog_name, standalone_mode=False)
        sys.stdout.flush()
    except click.exceptions.Exit as exc:
        _finish(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        _finish(exc.exit_code)
    except click.exceptions.Abort:
        _last_line("interrupted", EXIT_INTERRUPTED)
    except MemoryError:
        _last_line("out of memory", EXIT_USAGE)
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # the reader stopped reading: nothing more to say
            _finish(EXIT_HITS)
        _last_line(f"cannot write the output: {exc.strerror or exc}", EXIT_USAGE)
    except SystemExit as exc:
        _finish(exc.code)


def _address_space_limited() -> bool:
    """Whether the process runs under an address-space limit (`ulimit -v`)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return False
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return soft != resource.RLIM_INFINITY


def _finish(code: object) -> NoReturn:
    """Exit with `code`, the output flushed (one line if it cannot be)."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            _last_line(f"cannot write the output: {exc.strerror or exc}", EXIT_USAGE)
    sys.exit(code)


def _last_line(message: str, code: int) -> NoReturn:
    try:
        sys.stderr.write(f"faqsearch: error: {message}\n")
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)  # no flush at exit: the output that failed would fail again, as a traceback
