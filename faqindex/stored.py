"""A document as the index stores it: the one codec between a question document and the
stored fields of its Whoosh document, for the writer and every reader.

The indexer cleans the text of every field before a document reaches here
(`indexer.document.Document`); what is read back is then used as it is. Readers of an
older or foreign index get the defaults for what it lacks, never a KeyError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .schema import QUESTION_SEPARATOR, indexed_fields, question_keys


@dataclass(frozen=True)
class StoredDocument:
    """The stored fields of one document, typed: `questions` are its phrasings (the first
    its own), `position` its place in its source file, `url` and `description` the source
    page's address and summary ("" when it gave none)."""

    id: str
    questions: tuple[str, ...]
    answer: str
    source: str
    position: int = 0
    title: str = ""
    section: str = ""
    url: str = ""
    description: str = ""

    @property
    def question(self) -> str:
        """The main phrasing of the question."""
        return self.questions[0] if self.questions else ""

    def to_fields(self) -> dict[str, Any]:
        """The Whoosh document to write: stored fields, and the text of the indexed ones."""
        return {
            "id": self.id,
            "answer": self.answer,
            **indexed_fields(QUESTION_SEPARATOR.join(self.questions), self.answer),
            "question_key": question_keys(list(self.questions)),
            "title": self.title,
            "section": self.section,
            "source": self.source,
            "position": self.position,
            "url": self.url,
            "description": self.description,
        }

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> StoredDocument:
        """The document a Whoosh document's stored fields hold."""
        return cls(
            id=str(fields.get("id", "")),
            questions=questions_of(fields),
            answer=answer_of(fields),
            source=source_of(fields),
            position=int(fields.get("position", 0) or 0),
            title=str(fields.get("title", "") or ""),
            section=str(fields.get("section", "") or ""),
            url=str(fields.get("url", "") or ""),
            description=str(fields.get("description", "") or ""),
        )


# The fields read of many documents at a time (a search folding near-duplicate answers
# and ordering ties, a build embedding texts): read alone, without a StoredDocument each.


def questions_of(fields: Mapping[str, Any]) -> tuple[str, ...]:
    """The phrasings of the question of a Whoosh document's stored fields (the first its own)."""
    return tuple(str(fields.get("question", "") or "").split(QUESTION_SEPARATOR))


def answer_of(fields: Mapping[str, Any]) -> str:
    """The answer of a Whoosh document's stored fields."""
    return str(fields.get("answer", "") or "")


def source_of(fields: Mapping[str, Any]) -> str:
    """The source file of a Whoosh document's stored fields."""
    return str(fields.get("source", "") or "")


def place_of(fields: Mapping[str, Any]) -> tuple[str, int]:
    """(source, position): where a document stands among those of equal score."""
    return source_of(fields), int(fields.get("position", 0) or 0)
