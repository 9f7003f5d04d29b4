"""What a search returns: `Results`, the answers to one query, and each `Hit`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .explain import ScorePart


@dataclass
class Hit:
    """One answer found by a search.

    `highlights` are fragments of the answer, HTML-escaped, with matched words wrapped in
    `<mark>` and `</mark>`. `alternates` are other phrasings of the same question.
    `duplicates` are the sources of near-identical answers folded into this hit. `url` and
    `description` are the source page's canonical address and summary, when it gave them.
    `explanation` (only when asked for) lists the score of each matched part of the query.
    """

    rank: int
    score: float
    id: str
    question: str
    answer: str
    source: str
    highlights: list[str]
    title: str = ""
    section: str = ""
    position: int = 0
    alternates: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    url: str = ""
    description: str = ""
    explanation: list[ScorePart] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (`explanation` only when it was asked for)."""
        data = asdict(self)
        if self.explanation is None:
            del data["explanation"]
        return data


@dataclass
class Results:
    """The answers to one query: `total` counts every match, `hits` holds the top ones.

    `total_exact` is False when the index is so large that `total` is an estimate (an upper
    bound). When a word of the query was not in the index and was corrected, `corrected_query` is
    the text actually searched and `corrections` lists (typed, used) pairs. `expansions`
    lists the synonyms, acronyms and word forms the search also looked for, as (typed, also
    searched). `missing` lists the words typed that no document holds in any form (nor as a
    typo of one): the hits match the rest of the query only. `weak` is True when even the
    best hit holds too little of what the query asks: `fit` is the share it holds, its words
    weighed by rarity (`search.fit`; None for queries with syntax, which say what to match),
    and `closeness` how close the best hit is in meaning (a cosine; None with the words
    alone). `ranked_by` names what ranked by meaning: a sentence model's name, "static"
    (the shipped static model) or "words" (the words alone). `took_ms` is the time the
    search took, in milliseconds (as Elasticsearch's `took`). `fitting` counts the answers
    that fit the query well (scoring nearly as well as the best; none for a weak match):
    `total` also counts every answer that only mentions a word of it, as "ms" is in almost
    every answer of the article. `count_text()` says both for a person.
    """

    query: str
    total: int
    hits: list[Hit]
    corrected_query: str | None = None
    corrections: list[tuple[str, str]] = field(default_factory=list)
    expansions: list[tuple[str, str]] = field(default_factory=list)
    total_exact: bool = True
    missing: list[str] = field(default_factory=list)
    fit: float | None = None
    closeness: float | None = None
    weak: bool = False
    ranked_by: str = "words"
    took_ms: float = 0.0
    fitting: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: {"query", "corrected_query", "total", "hits": [...], ...}."""
        return {
            "query": self.query,
            "corrected_query": self.corrected_query,
            "total": self.total,
            "total_exact": self.total_exact,
            "hits": [h.to_dict() for h in self.hits],
            "corrections": [list(pair) for pair in self.corrections],
            "expansions": [list(pair) for pair in self.expansions],
            "missing": self.missing,
            "fit": None if self.fit is None else round(self.fit, 4),
            "closeness": None if self.closeness is None else round(self.closeness, 4),
            "weak_match": self.weak,
            "ranked_by": self.ranked_by,
            "took_ms": self.took_ms,
            "fitting": self.fitting,
        }

    def count_text(self) -> str:
        """How many answers were found, for a person: those that fit well apart from those
        that only mention the query's words, when they differ ("2 answers fit “iron
        deficiency” well, of 39 that mention its words")."""
        shown = self.corrected_query or self.query
        about = "" if self.total_exact else "about "
        if not self.fitting:
            return f"{about}{self.total} {_answers(self.total)} mention “{shown}”" if self.total else f"no answers for “{shown}”"
        if self.fitting >= self.total:
            return f"{about}{self.total} {_answers(self.total)} for “{shown}”"
        fit = "fits" if self.fitting == 1 else "fit"
        return f"{self.fitting} {_answers(self.fitting)} {fit} “{shown}” well, of {about}{self.total} that mention its words"


def _answers(count: int) -> str:
    return "answer" if count == 1 else "answers"
