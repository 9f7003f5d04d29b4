"""Read corpus files: bytes → text (decoded) → documents, with the reason when a file is skipped."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field

from faqindex.scan import (
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    CorpusFile,
    NotRegularFile,
    read_bytes,
)

from .blocks import UnreadablePage
from .document import Document
from .segment import segment
from .text import read_text

# Larger files are reported and skipped: no question-and-answer article is this long, and
# reading one whole would hold the index lock (and memory) for too long.
MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


@dataclass
class FileResult:
    """What happened to one corpus file."""

    name: str
    documents: list[Document] = field(default_factory=list)
    sha256: str = ""
    skipped: str | None = None  # the reason, when nothing was indexed
    notes: list[str] = field(default_factory=list)
    released: int = 0  # how many documents there were, once `release` dropped them

    @property
    def document_count(self) -> int:
        """How many documents the file gave."""
        return len(self.documents) or self.released

    def release(self) -> None:
        """Drop the documents, keeping their count: a build keeps every file's result, and
        with it the whole corpus otherwise."""
        self.released, self.documents = self.document_count, []

    @property
    def summary(self) -> str:
        """One line for the index summary."""
        if self.skipped:
            return f"skipped: {self.skipped}"
        count = self.document_count
        return "; ".join([f"{count} document{'s' if count != 1 else ''}", *self.notes])


def read_file(entry: CorpusFile) -> FileResult:
    """Read, decode and segment one corpus file. Never raises for bad content: it reports it."""
    result = FileResult(entry.name)
    if entry.skip:
        result.skipped = entry.skip
        return result
    if entry.size > MAX_FILE_BYTES:
        result.skipped = _too_large(entry.size)
        return result
    try:
        data = read_bytes(entry.location, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        result.skipped = str(exc)
        return result
    except OSError as exc:
        result.skipped = f"cannot read: {exc.strerror or exc}"
        return result
    if len(data) > MAX_FILE_BYTES:  # it grew since the scan
        result.skipped = _too_large(len(data))
        return result
    result.sha256 = hashlib.sha256(data).hexdigest()
    if not data.strip():
        result.skipped = "empty file"
        return result
    suffix = entry.path.suffix.lower()
    text, encoding = decode(data, html=suffix in HTML_SUFFIXES)
    if text is None:
        result.skipped = "binary file, not text"
        return result
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        result.notes.append(f"decoded as {encoding}")
    try:
        _segment(result, text, suffix, entry.name)
    except UnreadablePage as exc:
        result.documents, result.skipped = [], str(exc)
        return result
    except Exception as exc:  # noqa: BLE001 - the parsers' many failure types: any of them
        # One unreadable file must not stop the build: it is reported (with the error's
        # type, so a bug still shows) and skipped.
        result.documents, result.skipped = [], f"cannot parse: {type(exc).__name__}: {str(exc)[:120]}"
        return result
    if not result.documents:
        result.skipped = "no readable text"
    return result


def _too_large(size: int) -> str:
    return f"too large ({size / MB:.1f} MB; the limit is {MAX_FILE_BYTES // MB} MB)"


def _segment(result: FileResult, text: str, suffix: str, name: str) -> None:
    if suffix in JSONL_SUFFIXES:
        from .jsonl import read_jsonl

        result.documents, problems = read_jsonl(text, name)
        if problems:
            result.notes.append(f"{len(problems)} bad lines skipped (first: {problems[0]})")
    else:
        if suffix in HTML_SUFFIXES:
            from .html import read_html

            page = read_html(text)
        else:
            page = read_text(text)
        segmented = segment(page, name)
        result.documents = segmented.documents
        if segmented.mode != "questions":
            result.notes.append(f"no questions found: indexed by {'section' if segmented.mode == 'sections' else 'whole text'}")
        if segmented.merged:
            merged = segmented.merged
            result.notes.append(f"{merged} question{'s' if merged != 1 else ''} sharing another's answer merged into it")


def decode(data: bytes, *, html: bool = False) -> tuple[str | None, str]:
    """Decode bytes to text: a BOM, else UTF-8, else a declared HTML charset, else cp1252.

    Returns (None, "") for binary data (NUL bytes outside a UTF-16/32 BOM).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:65536]:
        return None, ""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if html:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                name = codecs.lookup(declared.group(1).decode("ascii")).name
                return data.decode(name), name
            except (LookupError, UnicodeDecodeError):
                pass
    # cp1252 is what "latin-1" text usually really is; the five bytes it leaves undefined
    # fall back to latin-1 so decoding never fails.
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"
