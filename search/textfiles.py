"""Reading the small text files a user hands over (synonyms, queries, judgments) with one-line errors."""

from __future__ import annotations

from pathlib import Path

from faqindex.errors import FaqsearchError


def read_lines(path: Path, what: str, error: type[FaqsearchError]) -> list[str]:
    """The lines of a UTF-8 file (a BOM is allowed). Raises `error("cannot read WHAT PATH: why")`."""
    try:
        return Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}") from None
