"""Equivalent words and phrases: the user's synonyms file and the acronyms mined from the corpus.

A `Thesaurus` answers one question for the query builder: which other phrasings should a
search for these (analyzed) words also find? Keys and alternatives are tuples of analyzed
tokens, so "anaemia", "Anaemia" and "anaemias" all hit the same entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from faqindex.errors import FaqsearchError
from faqindex.store import write_atomically

from .textfiles import read_lines

Tokens = tuple[str, ...]
Analyze = Callable[[str], Tokens]


class SynonymsError(FaqsearchError):
    """The synonyms file cannot be read or has a malformed line."""


@dataclass(frozen=True)
class Rule:
    """`sources` also find `targets`; an equivalence group is a rule whose sides are the same."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]


MAX_FILE_BYTES = 4 << 20  # a synonyms file: the shipped one is 4 KB
MAX_GROUP = 64  # phrases on one line: each finds every other, so a group costs its size squared
MAX_PAIRS = 200_000  # phrasings the whole file may join (each a thesaurus entry)


def read_synonyms(path: Path) -> list[Rule]:
    """Parse a synonyms file (see corpus/synonyms.txt for the format). Raises SynonymsError,
    also for a file past the limits (MAX_FILE_BYTES, MAX_GROUP phrases a line, MAX_PAIRS in all)."""
    lines = read_lines(path, "synonyms file", SynonymsError, MAX_FILE_BYTES)
    rules = []
    pairs = 0
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        left, arrow, right = line.partition("=>")
        sources = tuple(p.strip() for p in left.split(",") if p.strip())
        targets = tuple(p.strip() for p in right.split(",") if p.strip()) if arrow else sources
        if not sources or not targets or (not arrow and len(sources) < 2):
            raise SynonymsError(f"{path}, line {number}: expected 'a, b' or 'a => b', got {line[:80]!r}")
        if len(sources) > MAX_GROUP or len(targets) > MAX_GROUP:
            raise SynonymsError(f"{path}, line {number}: more than {MAX_GROUP} phrases on one line")
        pairs += len(sources) * len(targets)
        if pairs > MAX_PAIRS:
            raise SynonymsError(f"{path}: more than {MAX_PAIRS:,} pairs of phrases in all (line {number})")
        rules.append(Rule(sources, targets))
    return rules


def acronym_rules(acronyms: Mapping[str, Iterable[str]]) -> list[Rule]:
    """Each acronym and its long forms, as equivalence groups."""
    return [Rule((acronym, *forms), (acronym, *forms)) for acronym, forms in acronyms.items()]


@dataclass
class Thesaurus:
    """Analyzed phrase → the other phrasings (analyzed) and their display text."""

    entries: dict[Tokens, list[tuple[Tokens, str]]] = field(default_factory=dict)
    longest: int = field(init=False)  # the most tokens in any key: how far a query builder must look ahead

    def __post_init__(self) -> None:
        self.longest = max((len(k) for k in self.entries), default=0)

    @classmethod
    def build(cls, rules: Iterable[Rule], analyze: Analyze) -> Thesaurus:
        entries: dict[Tokens, dict[Tokens, str]] = defaultdict(dict)
        # Each phrase is analyzed once (an equivalence group lists it as source and target):
        # this runs at the start of every command-line search.
        analyzed: dict[str, Tokens] = {}
        for rule in rules:
            for text in (*rule.sources, *rule.targets):
                if text not in analyzed:
                    analyzed[text] = analyze(text)
            targets = [(analyzed[t], t) for t in rule.targets]
            for source in rule.sources:
                key = analyzed[source]
                if not key:
                    continue
                for tokens, text in targets:
                    if tokens and tokens != key:
                        entries[key].setdefault(tokens, text)
        return cls({key: list(alts.items()) for key, alts in entries.items()})

    @classmethod
    def cached(cls, rules: Iterable[Rule], analyze: Analyze, directory: Path | None) -> Thesaurus:
        """`build`, through a cache file in `directory` (an index generation) for these rules.

        Analyzing every phrase costs more than the rest of opening an index, at every
        command-line search; the cache is a small JSON file beside the index, one per set of
        rules. It is written when missing; a directory that cannot be written is no error.
        """
        rules = list(rules)
        if directory is None:
            return cls.build(rules, analyze)
        digest = hashlib.sha256(repr([(r.sources, r.targets) for r in rules]).encode("utf-8")).hexdigest()[:16]
        path = Path(directory) / f"thesaurus-{digest}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls({tuple(key): [(tuple(tokens), text) for tokens, text in alts] for key, alts in data})
        except (OSError, ValueError, TypeError):
            pass
        thesaurus = cls.build(rules, analyze)
        data = [[list(key), [[list(tokens), text] for tokens, text in alts]] for key, alts in thesaurus.entries.items()]
        with contextlib.suppress(OSError):
            write_atomically(path, json.dumps(data, separators=(",", ":")))
        return thesaurus

    def alternatives(self, tokens: Tokens) -> list[tuple[Tokens, str]]:
        """Other phrasings of `tokens`, or [] when there are none."""
        return self.entries.get(tokens, [])
