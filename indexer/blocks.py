"""Blocks: readable pieces of a page with their role, the common output of every reader.

Text and HTML readers both turn a file into a `Page` of blocks, so question detection
(`segment.py`) is written once for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "item", "term", "question"]
"""
heading    a heading; `level` 1-6 in HTML, 0 when the format does not say (plain text)
paragraph  running text
item       a list item; `marker` is its bullet or number
term       a <dt> or <summary>: a label that a following block explains
question   a question known from structured data (schema.org FAQPage), not guessed
"""


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    level: int = 0
    marker: str = ""
    emphasis: bool = False  # the whole block is bold: a lead-in, possibly a question


@dataclass
class Page:
    """What a reader found in one file: its title (if the format has one) and its blocks."""

    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    description: str = ""  # the page's own summary (HTML meta description)
    url: str = ""  # where the page lives (HTML canonical link)


class UnreadablePage(ValueError):
    """A source a reader will not parse (the message says why): the file is skipped with it."""
