"""JSON Lines reader: each line is already one document.

The layout of the judged collections (`{"_id", "title", "text"}`) and of FAQ exports
(`{"id", "question", "answer"}`) are both understood. Records carry their own ids, which are
kept so that relevance judgments can refer to them.
"""

from __future__ import annotations

import json

from .document import Document

_ID_KEYS = ("_id", "id", "doc_id", "docid")
_QUESTION_KEYS = ("question", "title", "name")
_TEXT_KEYS = ("text", "answer", "body", "content", "abstract")


class RecordError(ValueError):
    """A line is not a usable JSON record."""


def read_jsonl(text: str, source: str) -> tuple[list[Document], list[str]]:
    """Documents from JSON Lines text, and a message for each line that was skipped."""
    documents: list[Document] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(_record(line, source, number))
        except RecordError as exc:
            problems.append(f"line {number}: {exc}")
    return documents, problems


def _record(line: str, source: str, number: int) -> Document:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested thousands deep
        raise RecordError(f"not JSON ({getattr(exc, 'msg', type(exc).__name__)})") from None
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    question = _first(data, _QUESTION_KEYS)
    text = _first(data, _TEXT_KEYS)
    if not question and not text:
        raise RecordError("no question, title or text")
    record_id = _first(data, _ID_KEYS)
    return Document(
        questions=[question] if question else [],
        answer=text,
        source=source,
        position=number,
        id=record_id,
    )


def _first(data: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = data.get(key)
        if value not in (None, ""):
            return str(value)
    return ""
