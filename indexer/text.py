"""Plain-text reader: lines and blank-line-separated paragraphs become blocks.

Plain text has no markup, so roles are read from shape: a short line standing alone is a
heading, a line starting with a bullet or a number is a list item, everything else is
running text. Markdown `#` headings are understood as well.
"""

from __future__ import annotations

import re

from .blocks import Block, BlockKind, Page

_ITEM = re.compile(r"^\s*(?P<marker>[•·▪◦‣∙*+\-–—]|\(?\d{1,3}[.)]|[a-zA-Z]\))\s+(?P<text>\S.*)$")
_MARKDOWN_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")

# A standalone line this short is a heading; a question may be a little longer.
HEADING_MAX_WORDS = 15
QUESTION_MAX_WORDS = 30


def read_text(text: str) -> Page:
    """Split plain text into blocks."""
    blocks: list[Block] = []
    for para in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in para.split("\n") if line.strip()]
        running: list[str] = []
        for line in lines:
            item = _ITEM.match(line)
            heading = _MARKDOWN_HEADING.match(line)
            if item and not (line[0] in "*-+" and line.strip("*-+ ") == ""):
                _flush(running, blocks, standalone=False)
                blocks.append(Block("item", item["text"].strip(), marker=_marker(item["marker"])))
            elif heading:
                _flush(running, blocks, standalone=False)
                blocks.append(Block("heading", heading["text"], level=len(heading["hashes"])))
            elif not running and len(lines) > 1 and _is_question_line(line):
                # "Question?" directly above its answer, with no blank line between.
                blocks.append(Block("heading", line))
            else:
                running.append(line)
        _flush(running, blocks, standalone=len(lines) == 1)
    return Page(blocks)


def _flush(running: list[str], blocks: list[Block], *, standalone: bool) -> None:
    if not running:
        return
    text = " ".join(running)
    running.clear()
    kind: BlockKind = "heading" if standalone and _looks_like_heading(text) else "paragraph"
    blocks.append(Block(kind, text))


def _looks_like_heading(line: str) -> bool:
    words = len(line.split())
    if line.endswith("?"):
        return words <= QUESTION_MAX_WORDS
    return words <= HEADING_MAX_WORDS and not line.endswith((".", ",", ";", ":", "!", "…")) and not line.startswith(("“", '"'))


def _is_question_line(line: str) -> bool:
    return line.endswith("?") and len(line.split()) <= QUESTION_MAX_WORDS


def _marker(marker: str) -> str:
    return marker if marker[0].isalnum() or marker[0] == "(" else "•"
