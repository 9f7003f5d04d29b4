"""Question documents: the unit of search, and the text hygiene every document goes through."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from faqindex.controls import CONTROL
from faqindex.schema import question_key
from faqindex.stored import StoredDocument

# Every C0/C1 control character but tab and newline, plus escape sequences as a whole, so
# that document text can never drive the terminal it is printed on.
_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(rf"{CONTROL}|[\u200b\ufeff]")  # and zero-width characters
_SPACES = re.compile(r"[^\S\n]+")


def clean_text(text: str) -> str:
    """Normalise text for the index: NFC, no control characters or ANSI escapes, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _ANSI_ESCAPE.sub("", text)
    # A lone control character becomes a space: removing it would glue two words together.
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = []
    for line in text.split("\n"):
        body = line.lstrip(" \t")
        # Leading indentation stays: readers have already trimmed running text, so only
        # preformatted text (code, aligned tables) still has any, and it means something there.
        indentation = line[: len(line) - len(body)]
        # In ASCII, only a tab or a second space can be spacing to change (control characters
        # are spaces by now), and looking for them is much faster than the expression.
        if not body.isascii() or "\t" in body or "  " in body:
            body = _SPACES.sub(" ", body)
        lines.append(indentation + body.rstrip())
    return "\n".join(lines).strip()


def make_id(source: str, question: str) -> str:
    """A stable id: the same question in the same source file gets the same id on every rebuild."""
    key = f"{source}\n{question_key(question)}".encode()
    return hashlib.sha1(key).hexdigest()[:12]


@dataclass
class Document:
    """One searchable unit: a question (with any other phrasings of it) and its answer.

    For articles without question-and-answer shape, `questions` holds a section heading (or
    the title) and `section` says so.
    """

    questions: list[str]
    answer: str
    source: str
    position: int
    title: str = ""
    section: str = ""
    id: str = ""
    url: str = ""  # the source page's canonical address, when it has one
    description: str = ""  # the source page's summary, when it has one

    def __post_init__(self) -> None:
        self.answer = clean_text(self.answer)
        self.title = clean_text(self.title)
        # A heading of nothing but control characters cleans to nothing: name the document
        # by its title (or file) rather than leave it without a question.
        cleaned = [q for q in map(clean_text, self.questions) if q]
        self.questions = cleaned or ([self.title or self.source] if self.questions else [])
        self.section = clean_text(self.section)
        self.url = clean_text(self.url)
        self.description = clean_text(self.description)
        if not self.id:
            self.id = make_id(self.source, self.questions[0] if self.questions else self.answer[:200])

    @property
    def question(self) -> str:
        """The main phrasing of the question."""
        return self.questions[0] if self.questions else ""

    def stored(self) -> StoredDocument:
        """What the index stores of it (`faqindex.stored`: the one codec both sides use)."""
        return StoredDocument(
            id=self.id,
            questions=tuple(self.questions),
            answer=self.answer,
            source=self.source,
            position=self.position,
            title=self.title,
            section=self.section,
            url=self.url,
            description=self.description,
        )
