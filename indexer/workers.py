"""The processes that index in parallel: they end with the build and never hold its lock.

Whoosh's parallel writer forks worker processes that wait on a queue for documents. If the
build is killed (SIGKILL included), nothing tells them: they would wait forever and, having
inherited the build lock's open file, keep every later build out. So each worker, as it
starts, asks the kernel to kill it when the build dies (Linux), leaves at once if the build
is already gone, and closes its copy of the lock file.
"""

from __future__ import annotations

import ctypes
import multiprocessing.util
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

_PR_SET_PDEATHSIG = 1
_locks: dict[int, int] = {}  # lock file descriptor -> the pid of the build holding it


@contextmanager
def lock_held(fd: int) -> Iterator[None]:
    """While the build holds the lock on `fd`, workers it starts close their copy of it."""
    _locks[fd] = os.getpid()
    try:
        yield
    finally:
        _locks.pop(fd, None)


def _in_worker(_registry: object) -> None:
    builds = set(_locks.values())
    if not builds:
        return  # a process started outside a build (by the user's own code): not ours to change
    for fd in list(_locks):
        with suppress(OSError):
            os.close(fd)
    _locks.clear()
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() not in builds:  # the build died before the line above
        os._exit(1)
    # A worker's failure (a full disk) reaches the user as the build's one line, not as a
    # traceback of each process.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


class _Registry:
    """multiprocessing keeps after-fork hooks only while their object lives: this one always does."""


_REGISTRY = _Registry()
multiprocessing.util.register_after_fork(_REGISTRY, _in_worker)
