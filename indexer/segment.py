"""Blocks → question documents.

A question opens a document; every block after it, sub-headings and lists included, is its
answer, up to the next question or a heading that outranks it. Page furniture that readers
cannot remove by markup alone (breadcrumbs, a table of contents, the repeated title, an
author box, "Check Also" links, a "Leave a Reply" form) is recognised here by its words.
Pages without question-and-answer shape become one document per section, or one whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from faqindex.schema import question_key

from .blocks import Block, Page
from .document import Document, clean_text
from .text import QUESTION_MAX_WORDS

_BREADCRUMB = re.compile(r"^(?:home|start)\s*(?:[/›»>|]|&gt;)\s*.+", re.IGNORECASE)
_BREADCRUMB_SPLIT = re.compile(r"\s+(?:[/›»>|]|&gt;)\s+")
_TABLE_OF_CONTENTS = re.compile(r"^(?:table of contents|contents|in this (?:article|post|guide)|jump to|on this page)\s*:?$", re.I)
# Headings after which nothing belongs to the article.
_END_OF_ARTICLE = re.compile(
    r"^(?:check also|related(?: posts| articles| stories| reading)?|you (?:may|might) also like|"
    r"more (?:from|stories|articles)|recommended(?: for you)?|popular posts|recent posts|read (?:more|next)|"
    r"leave a (?:reply|comment)|(?:\d+ )?comments?|post a comment|join the discussion|share this(?: article| post)?|"
    r"about the authors?|subscribe to .*|sign up for .*)\s*:?$",
    re.IGNORECASE,
)
# "About Mary Crane": an author box, when the name comes back in the next block.
_ABOUT_PERSON = re.compile(r"^[Aa]bout (?P<name>[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3})$")
_QUESTION_PREFIX = re.compile(r"^(?:q|question)\s*[:.)-]\s*", re.IGNORECASE)


@dataclass
class Segmented:
    """The documents of one page and how they were found."""

    documents: list[Document] = field(default_factory=list)
    mode: str = "questions"  # "questions", "sections" or "whole"
    merged: int = 0  # questions folded into another document with the same answer


def segment(page: Page, source: str) -> Segmented:
    """Split a page into question documents (or section documents when it has no questions)."""
    blocks, title = _strip_furniture(page)
    sections = _split(blocks, title)
    questions = [s for s in sections if s.is_question and s.body]
    if questions:
        # Text outside any question (an introduction, a closing section) is kept when it has
        # substance, so nothing readable is dropped.
        kept = [s for s in sections if (s.is_question and s.body) or (not s.is_question and _words(s.body) >= 25)]
        mode = "questions"
    else:
        kept = [s for s in sections if s.body]
        mode = "sections" if len(kept) > 1 else "whole"
    documents, merged = _merge_same_answers(kept, title, source, page.url, page.description)
    return Segmented(documents, mode, merged)


@dataclass
class _Section:
    heading: str
    level: int
    is_question: bool
    body: list[Block] = field(default_factory=list)


def _strip_furniture(page: Page) -> tuple[list[Block], str]:
    title = page.title
    blocks = list(page.blocks)
    kept: list[Block] = []
    skipping_toc = False
    for i, block in enumerate(blocks):
        text = block.text
        if block.kind in ("heading", "paragraph") and i < 5 and _BREADCRUMB.match(text):
            title = title or _BREADCRUMB_SPLIT.split(text)[-1].strip()
            continue
        if block.kind == "heading" and _TABLE_OF_CONTENTS.match(text):
            skipping_toc = True
            continue
        if skipping_toc and block.kind == "item":
            continue
        skipping_toc = False
        if block.kind == "heading" and _is_end_of_article(block, blocks[i + 1 : i + 3]):
            break
        kept.append(block)
    if not title:
        title = next((b.text for b in kept if b.kind == "heading" and not _is_question(b)), "")
    # The title repeated as a heading (once or several times) is furniture, not content.
    key = question_key(title)
    kept = [b for b in kept if not (b.kind == "heading" and key and question_key(b.text) == key)]
    return kept, title


def _is_end_of_article(block: Block, following: list[Block]) -> bool:
    if _END_OF_ARTICLE.match(block.text):
        return True
    person = _ABOUT_PERSON.match(block.text)
    return bool(person) and any(person["name"] in b.text for b in following)


def _is_question(block: Block) -> bool:
    if block.kind == "question":
        return True
    text = block.text
    if not text.endswith("?") or len(text.split()) > QUESTION_MAX_WORDS:
        return False
    return block.kind in ("heading", "term") or (block.kind == "paragraph" and block.emphasis)


def _split(blocks: list[Block], title: str) -> list[_Section]:
    sections = [_Section(title, 0, False)]
    for block in blocks:
        current = sections[-1]
        if _is_question(block):
            level = block.level or (current.level if current.is_question else 0)
            sections.append(_Section(_QUESTION_PREFIX.sub("", block.text), level, True))
        elif block.kind == "heading" and _ends_section(block, current):
            sections.append(_Section(block.text, block.level, False))
        else:
            current.body.append(block)
    return sections


def _ends_section(heading: Block, current: _Section) -> bool:
    """Does this (non-question) heading close the current section?

    Inside an answer, a heading of a lower rank is a sub-heading of the answer. Plain text
    gives no rank (level 0), so there a heading inside an answer is always a sub-heading.
    """
    if not current.is_question:
        return True
    return bool(heading.level and current.level and heading.level <= current.level)


def _merge_same_answers(
    sections: list[_Section], title: str, source: str, url: str = "", description: str = ""
) -> tuple[list[Document], int]:
    """Questions with word-for-word the same answer become one document with several phrasings."""
    documents: list[Document] = []
    by_answer: dict[str, Document] = {}
    merged = 0
    for section in sections:
        answer = _render(section.body)
        key = question_key(answer)
        if section.is_question and key in by_answer:
            by_answer[key].questions.append(clean_text(section.heading))
            merged += 1
            continue
        doc = Document(
            questions=[section.heading or title or source],
            answer=answer,
            source=source,
            position=len(documents) + 1,
            title=title,
            section="" if section.is_question else (section.heading or title),
            url=url,
            description=description,
        )
        documents.append(doc)
        if section.is_question and key:
            by_answer[key] = doc
    return documents, merged


def _render(blocks: list[Block]) -> str:
    lines = []
    for block in blocks:
        if block.kind == "item":
            lines.append(f"{block.marker or '•'} {block.text}")
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _words(blocks: list[Block]) -> int:
    return sum(len(b.text.split()) for b in blocks)
