"""The documents an index holds, whole: what `faqsearch docs` lists and `show` prints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from faqindex.stored import StoredDocument, place_of, source_of


@dataclass
class Related:
    """Another question of the same corpus close to a document's, by words and meaning."""

    id: str
    question: str
    score: float


@dataclass
class Document:
    """One question with its whole answer, as indexed.

    `alternates` are other phrasings of the question; `url` and `description` the source
    page's canonical address and summary, when it gave them. `related` (filled by
    `Searcher.document`) are the closest other questions, best first. `marked_answer`
    (filled by `Searcher.document` when given the query it was found by) is the answer
    HTML-escaped, with the query's words in `<mark>` as a hit's highlights have them.
    """

    id: str
    question: str
    answer: str
    source: str
    title: str = ""
    section: str = ""
    position: int = 0
    alternates: list[str] = field(default_factory=list)
    url: str = ""
    description: str = ""
    related: list[Related] = field(default_factory=list)
    marked_answer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (`marked_answer` only when there is one)."""
        data = asdict(self)
        if self.marked_answer is None:
            del data["marked_answer"]
        return data


def place(source: str, section: str, position: int) -> str:
    """Where a question is, for people: its source and section, else its number there."""
    return f"{source} § {section}" if section else f"{source}, question {position}"


def from_fields(fields: dict[str, Any]) -> Document:
    """A Document from a Whoosh document's stored fields."""
    stored = StoredDocument.from_fields(fields)
    return Document(
        id=stored.id,
        question=stored.question,
        answer=stored.answer,
        source=stored.source,
        title=stored.title,
        section=stored.section,
        position=stored.position,
        alternates=list(stored.questions[1:]),
        url=stored.url,
        description=stored.description,
    )


def in_order(reader: Any, source: str | None = None) -> Iterator[Document]:
    """Every document of `reader` (of one `source` file, when given), by source and position.

    Only the keys are held to order them, not the documents: an index may hold far more
    text than memory."""
    keys = [
        (*place_of(fields), docnum) for docnum, fields in reader.iter_docs() if source is None or source_of(fields) == source
    ]
    for _, _, docnum in sorted(keys):
        yield from_fields(reader.stored_fields(docnum))
