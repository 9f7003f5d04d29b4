"""Reading the small text files a user hands over (synonyms, queries, judgments) with one-line errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from faqindex.errors import FaqsearchError

MAX_BYTES = 64 << 20  # a user's list of synonyms, queries or judgments: far more than any is


def read_lines(path: Path, what: str, error: type[FaqsearchError], max_bytes: int = MAX_BYTES) -> list[str]:
    """The lines of a UTF-8 file (a BOM is allowed). Only a regular file is read (a FIFO or
    a device would block or never end), and one of at most `max_bytes`. Raises
    `error("cannot read WHAT PATH: why")`."""
    try:
        # Opened without blocking: opening a FIFO with no writer would wait for one.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise error(f"cannot read {what} {path}: not a regular file")
            if info.st_size > max_bytes:
                raise error(f"cannot read {what} {path}: {info.st_size:,} bytes, more than {max_bytes:,}")
            data = f.read(max_bytes + 1)
        return data.decode("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}") from None
