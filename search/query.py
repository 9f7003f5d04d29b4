"""User text → Whoosh query: parse, correct typos, expand synonyms and acronyms, spread over fields.

The default is forgiving: words are OR-ed, and a document matching more of them scores
higher (each adds its BM25 share, and neighbouring words found close together add more),
so several keywords or a whole question work without any syntax. Explicit syntax still
works: AND, OR, NOT, +required, -excluded, "phrases", question:term, answer:term, prefix*,
term~ (fuzzy).

Text is parsed against one pseudo-field, so every word of the query stays one node of the
tree while it is corrected and expanded; only then is each node spread over the question
and answer fields with their weights.
"""

from __future__ import annotations

import copy
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.fields import TEXT, Schema
from whoosh.qparser import FuzzyTermPlugin, OrGroup, PlusMinusPlugin, QueryParser
from whoosh.qparser.plugins import EveryPlugin, SingleQuotePlugin
from whoosh.query import (
    And,
    AndNot,
    Every,
    FuzzyTerm,
    Not,
    NullQuery,
    Or,
    Phrase,
    Query,
    Term,
    Wildcard,
)

from faqindex.analysis import text_analyzer
from faqindex.caches import bounded
from faqindex.controls import CONTROL
from faqindex.errors import QueryError
from faqindex.schema import CONTENT_FIELD

from . import inflection
from .budget import UNLIMITED, Budget
from .ranking import DEFAULT_RANKING, RankingSettings
from .synonyms import Rule, Thesaurus, Tokens
from .vocabulary import Vocabulary, edit_distance

MAX_QUERY_CHARS = 2000
# "word~N" looks at most this many edits away, as Lucene does: further, one word matches much
# of the vocabulary, and finding those words costs more than any search may take.
MAX_EDITS = 2
MAX_FUZZY_CHARACTERS = 40  # of a fuzzy term: longer than any word, and each costs its length in every comparison
MAX_EXPANSIONS = 50  # words one fuzzy term stands for at most, the closest first (Lucene's default)
ANALYZED = 4096  # written words whose terms a builder keeps
_ANY = "text"  # the pseudo-field of words typed without a field name
SEARCHABLE_FIELDS = ("question", "answer")  # what "field:word" may name
_FIELD_NAME = re.compile(r"(?<![\w:/.])([A-Za-z_]\w*):(?=[^\s/:])")  # "colour:red", not "http://" nor "10:30"

_CONTROL = re.compile(CONTROL)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})
# "?" and "!" ending a word are punctuation, not wildcards: "is MS curable?" asks about MS.
_TRAILING_PUNCTUATION = re.compile(r"(?<=\w)[?!.,;]+(?=[\s\"')]|$)")
# "MS/ALS" and "and/or" offer alternatives; read as one word, they were the phrase "ms als".
_SLASH = re.compile(r"(?<=\w)/(?=\w)")
_PLAIN = re.compile(r"[\w\s'’.,-]*")  # text without query syntax (see QueryBuilder._plain)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_WORD = re.compile(r"\S+")
_SYNTAX = re.compile(r"[^\w\s'’.,-]|(?<!\w)-|-(?!\w)")  # what _PLAIN does not allow, and hyphens outside words


@dataclass
class PreparedQuery:
    """A query ready to run, and what was done to the user's text on the way."""

    text: str
    query: Query
    searched: str
    corrections: list[tuple[str, str]] = field(default_factory=list)
    expansions: list[tuple[str, str]] = field(default_factory=list)
    proximity: list[Query] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # words typed that no document holds in any form
    # Each word of a plain-word query with its other forms, on the content field (search.fit);
    # empty for queries with syntax.
    clauses: list[Query] = field(default_factory=list)


class QueryBuilder:
    """Turns user text into a Whoosh query for one index (its vocabulary and thesaurus)."""

    def __init__(
        self, rules: Iterable[Rule] = (), settings: RankingSettings = DEFAULT_RANKING, cache_dir: Path | None = None
    ) -> None:
        """`rules`: the synonyms and acronyms to expand, analyzed here as queries are (once:
        the analyzed rules are kept in `cache_dir`, when given)."""
        self.settings = settings
        self.analyzer = text_analyzer()
        # Query words come back search after search, and their terms never change.
        self._analyzed: dict[str, Tokens] = {}
        self.thesaurus = Thesaurus.cached(rules, self.analyze, cache_dir)
        # A word that analyzes into several terms ("pins-and-needles") is the phrase of them.
        fields = {
            name: TEXT(analyzer=self.analyzer, phrase=True, multitoken_query="phrase")
            for name in dict.fromkeys((_ANY, "question", "answer", *settings.field_boosts))
        }
        parser = QueryParser(_ANY, Schema(**fields), group=OrGroup)
        # Apostrophes are part of words ("Gehrig's"), not quotes; "*:*" would list everything.
        parser.remove_plugin_class(SingleQuotePlugin)
        parser.remove_plugin_class(EveryPlugin)
        parser.add_plugin(FuzzyTermPlugin())
        # + and - mark required and excluded words only at the start of a word: "MS-related"
        # is one hyphenated word, not "MS but never related".
        parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)"))
        self.parser = parser

    def analyze(self, text: str) -> Tokens:
        """The index terms of a piece of text."""
        found = self._analyzed.get(text)
        if found is None:
            found = bounded(self._analyzed, ANALYZED)[text] = tuple(t.text for t in self.analyzer(text, mode="query"))
        return found

    def build(
        self, text: str, vocabulary: Vocabulary | None = None, *, correct: bool = True, budget: Budget = UNLIMITED
    ) -> PreparedQuery:
        """Parse, correct typos (unless not `correct`) and expand. Raises QueryError for unusable text.

        The index's vocabulary is needed for corrections, fuzzy terms and weighting expansions.
        `budget` is checked at every word (SearchTimeout once it has run out).
        """
        text = normalise(text)
        if not text:
            raise QueryError("empty query: give at least one word")
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
        for unknown in _FIELD_NAME.findall(_without_phrases(text)):
            if unknown.lower() not in SEARCHABLE_FIELDS:
                # Whoosh would search "colour:red" as words and find nothing: say why instead.
                raise QueryError(f"no field {unknown}; fields are {', '.join(SEARCHABLE_FIELDS)}")
        try:
            parsed = self._plain(text)
            if parsed is None:
                parsed = self.parser.parse(text)
        except Exception:  # noqa: BLE001 - Whoosh raises assorted errors on malformed syntax
            # Text pasted from elsewhere ("alpha (+)- thalassemia") is not meant as syntax:
            # search its words rather than refuse it.
            words = self._words_only(text)
            if words is None:
                raise QueryError(f"cannot parse query {text!r}: no words to search for") from None
            parsed = words
        if _matches_everything(parsed):
            # Whoosh reads "spasms (*) tingling" as "*" alone: the words typed still count.
            words = self._words_only(text)
            parsed = parsed if words is None else words
        if isinstance(parsed, Not) or _matches_everything(parsed):
            raise QueryError("the query matches everything: add a word to search for")
        corrected = _Corrector(self, vocabulary, text, fix_typos=correct, budget=budget).run(_without(parsed))
        expanded = _Expander(self, vocabulary, text, corrected.unknown, budget).run(corrected.query)
        clauses: list[Query] = []
        if _plain_words(corrected.query):
            clauses = expanded.query.subqueries if isinstance(corrected.query, Or) else [expanded.query]
        found_otherwise = {typed for typed, _ in expanded.expansions}  # another form of the word
        return PreparedQuery(
            text=text,
            query=binary_unions(self._spread(expanded.query)),
            searched=corrected.text,
            corrections=corrected.corrections,
            expansions=expanded.expansions,
            proximity=self._proximity_pairs(corrected.query),
            missing=list(dict.fromkeys(word for word in corrected.unknown if word not in found_otherwise)),
            clauses=[_placed(clause, CONTENT_FIELD) for clause in clauses],
        )

    def _plain(self, text: str) -> Query | None:
        """What the parser makes of words without any syntax, made directly; None for other text.

        Most queries are plain words, and Whoosh's parser (a dozen plugins, each scanning the
        text) is a large share of a search on a small index (benchmarks/HISTORY.md). The result is the parser's: a term
        per word, the phrase of a word that analyzes into several, OR-ed, duplicates and
        stop words dropped (tests/search/test_query_properties.py compares the two).
        """
        if not _PLAIN.fullmatch(text):
            return None
        words = list(_WORD.finditer(text))
        if any(word[0][0] == "-" or word[0] in _OPERATORS for word in words):
            return None
        parts: list[Query] = []
        for word in words:
            tokens = self.analyze(word[0])
            if len(tokens) == 1:
                term = Term(_ANY, tokens[0])
                term.startchar, term.endchar = word.span()  # where it was typed: corrections say so
                parts.append(term)
            elif tokens:
                parts.append(Phrase(_ANY, list(tokens), slop=1))
        return Or(parts).normalize()

    def _words_only(self, text: str) -> Query | None:
        """The words of `text` with its query syntax taken out, or None when it has none."""
        words = [word for word in _SYNTAX.sub(" ", text).split() if word not in _OPERATORS]
        parsed = self._plain(" ".join(words))
        return None if parsed is None or is_empty(parsed) else parsed

    def _proximity_pairs(self, query: Query) -> list[Query]:
        """A loose phrase for each pair of neighbouring plain words of an OR query.

        Documents where the words of the query stand close together, as they do in the
        question typed, rank above documents that merely contain them somewhere. The
        searcher adds these to the scores of the best hits only: matching positions over
        the whole index would cost more than the rest of the search.
        """
        weight = self.settings.proximity_weight
        if not weight or not isinstance(query, Or):
            return []
        words = [q for q in query.subqueries if isinstance(q, Term) and q.fieldname == _ANY]
        return [
            Phrase(self.settings.proximity_field, [a.text, b.text], slop=self.settings.proximity_slop, boost=weight)
            for a, b in itertools.pairwise(words)
            if a.text != b.text
        ]

    def _spread(self, query: Query) -> Query:
        """Put every field-less leaf on each searched field, with that field's weight."""
        if query.is_leaf():
            name = getattr(query, "fieldname", None)
            if name == "answer":
                # The answer is not indexed on its own (it would add much to every
                # build): answer:word searches the question-and-answer text.
                return _on_field(query, CONTENT_FIELD, 1.0)
            if name != _ANY:
                return query
            return Or([_on_field(query, name, boost) for name, boost in self.settings.field_boosts.items()])
        return query.apply(self._spread)


@dataclass
class _Corrected:
    """A query with its typos corrected: the text searched, the (typed, used) pairs, and the
    words the index lacks that no correction was found for."""

    query: Query
    text: str
    corrections: list[tuple[str, str]]
    unknown: list[str]


@dataclass
class _Expanded:
    """A query with its synonyms, acronyms and word forms, and the (typed, also searched) pairs."""

    query: Query
    expansions: list[tuple[str, str]]


class _Corrector:
    """Corrects the words of one query that the index lacks to the nearest words it holds."""

    def __init__(self, builder: QueryBuilder, vocabulary: Vocabulary | None, text: str, *, fix_typos: bool, budget: Budget) -> None:
        self.builder, self.vocabulary, self.text, self.fix_typos, self.budget = builder, vocabulary, text, fix_typos, budget
        self.thesaurus = builder.thesaurus
        self.unknown: list[str] = []  # words typed that the index lacks and no correction found
        self.corrections: list[tuple[str, str]] = []
        self._spans: list[tuple[int, int, str]] = []

    def run(self, query: Query) -> _Corrected:
        corrected = self.correct(query)
        return _Corrected(corrected, self._corrected_text(), self.corrections, self.unknown)

    def correct(self, query: Query) -> Query:
        if self.vocabulary is None:
            return query
        self.budget.check()
        if isinstance(query, FuzzyTerm) and query.fieldname == _ANY:
            return self._fuzzy(query)
        if isinstance(query, Term) and query.fieldname == _ANY:
            if self.vocabulary.known(query.text) or self.thesaurus.alternatives((query.text,)):
                return query
            fixed = self._correct_term(query) if self.fix_typos else None
            if fixed is None:
                self.unknown.append(_typed(self.text, [query]))
                return query
            return fixed
        return query if query.is_leaf() else query.apply(self.correct)

    def _fuzzy(self, fuzzy: FuzzyTerm) -> Query:
        """"word~2": the words of the index within that many edits, each searched by its stem.

        (Whoosh would compare the typed word with stems: "tinglign~2" would miss "tingl".)
        At most MAX_EDITS edits and the MAX_EXPANSIONS closest words.
        """
        assert self.vocabulary is not None
        if len(fuzzy.text) > MAX_FUZZY_CHARACTERS:
            raise QueryError(f"a fuzzy term (word~) may have at most {MAX_FUZZY_CHARACTERS} characters")
        found = self.vocabulary.within(fuzzy.text, min(fuzzy.maxdist, MAX_EDITS), fuzzy.prefixlength, self.budget)
        typed = fuzzy.text.lower()
        closest = sorted(found, key=lambda word: (edit_distance(typed, word), word))[:MAX_EXPANSIONS]
        stems = {t for word in closest for t in self.builder.analyze(word)}
        if not stems:
            return NullQuery
        return Or([Term(_ANY, s, boost=fuzzy.boost) for s in sorted(stems)])

    def _correct_term(self, term: Term) -> Term | None:
        """The term of the nearest word of the index to a word it lacks, or None."""
        assert self.vocabulary is not None
        start, end = getattr(term, "startchar", None), getattr(term, "endchar", None)
        if start is None or end is None:
            return None
        word = self.text[start:end]
        suggestion = self.vocabulary.suggest(word)
        if suggestion is None:
            return None
        tokens = self.builder.analyze(suggestion)
        if len(tokens) != 1:
            return None
        self._spans.append((start, end, suggestion))
        self.corrections.append((word, suggestion))
        fixed = copy.copy(term)
        fixed.text = tokens[0]
        return fixed

    def _corrected_text(self) -> str:
        text = self.text
        for start, end, replacement in sorted(self._spans, reverse=True):
            text = text[:start] + replacement + text[end:]
        return text


class _Expander:
    """Adds to one query the other phrasings of its words: synonyms, acronyms both ways, and
    the forms of words the index lacks that it holds under another stem."""

    def __init__(self, builder: QueryBuilder, vocabulary: Vocabulary | None, text: str, unknown: list[str], budget: Budget) -> None:
        self.builder, self.vocabulary, self.text, self.unknown, self.budget = builder, vocabulary, text, unknown, budget
        self.thesaurus = builder.thesaurus
        self.expansions: list[tuple[str, str]] = []

    def run(self, query: Query) -> _Expanded:
        return _Expanded(self.expand(query), self.expansions)

    def expand(self, query: Query) -> Query:
        if not self.thesaurus.entries and not self.unknown:  # no synonyms, no word forms to look for
            return query
        if isinstance(query, (Or, And)):
            expanded = copy.copy(query)
            expanded.subqueries = self._expand_runs([self.expand(q) for q in query.subqueries], type(query))
            return expanded
        if isinstance(query, Term) and query.fieldname == _ANY:
            return self._expand_runs([query], Or)[0]
        if isinstance(query, Phrase) and query.fieldname == _ANY:
            alternatives = self._alternatives(tuple(query.words), " ".join(query.words))
            return self._concept(query, alternatives) if alternatives else query
        return query if query.is_leaf() else query.apply(self.expand)

    def _expand_runs(self, children: list[Query], group: type) -> list[Query]:
        """Replace each run of plain words that the thesaurus knows with (run OR alternatives)."""
        out: list[Query] = []
        # Each child's word when it is a plain word, else None: looked at once, not in every run.
        texts = [q.text if isinstance(q, Term) and q.fieldname == _ANY else None for q in children]
        i = 0
        while i < len(children):
            for length in range(min(max(self.thesaurus.longest, 1), len(children) - i), 0, -1):
                tokens = tuple(texts[i : i + length])
                if None in tokens:
                    continue
                run = children[i : i + length]
                if not self.thesaurus.alternatives(tokens) and not (length == 1 and self.unknown):
                    continue  # no phrasing and no word form to look for: nothing is found
                alternatives = self._alternatives(tokens, _typed(self.text, run))
                if alternatives:
                    original = run[0] if length == 1 else group(run)
                    out.append(self._concept(original, alternatives))
                    i += length
                    break
            else:
                out.append(children[i])
                i += 1
        return out

    def _concept(self, original: Query, alternatives: list[Query]) -> Query:
        """The words typed OR their other phrasings, weighed as one concept.

        Each phrasing is scaled down to the rarity of the concept as a whole: "MS" and
        "multiple sclerosis" together are in nearly every document of an MS article, so the
        long form's rare words must not make it outweigh the rest of the query.
        """
        if self.vocabulary is None:
            return Or([original, *alternatives])
        self.budget.check()
        on_content = [_placed(q, CONTENT_FIELD) for q in (original, *alternatives)]
        concept = self.vocabulary.idf(on_content)
        scaled = []
        for member, on_field in zip((original, *alternatives), on_content):
            own = sum(self.vocabulary.idf([word]) for word in _words(on_field))
            placed = copy.copy(member)
            placed.boost = member.boost * min(1.0, concept / own) if own else member.boost
            scaled.append(placed)
        return Or(scaled)

    def _alternatives(self, tokens: Tokens, typed: str) -> list[Query]:
        weight = self.builder.settings.expansion_weight
        found = []
        for alt_tokens, alt_text in self.thesaurus.alternatives(tokens):
            if len(alt_tokens) == 1:
                found.append(Term(_ANY, alt_tokens[0], boost=weight))
            else:
                found.append(Phrase(_ANY, list(alt_tokens), boost=weight))
            self.expansions.append((typed, alt_text))
        if len(tokens) == 1 and typed in self.unknown:
            found += self._word_forms(tokens[0], typed, {q.text for q in found if isinstance(q, Term)})
        return found

    def _word_forms(self, term: str, typed: str, taken: set[str]) -> list[Query]:
        """Other forms of a typed word the index does not hold (`unknown`), where it holds them
        under another stem ("breastfeed" finds "breastfeeding"), searched as the same word.

        Only for words the index lacks: forms of known words were searched too once, and
        that ranked SciFact's training queries a little worse (benchmarks/RESULTS.md).
        """
        assert self.vocabulary is not None
        found = []
        for form in sorted(inflection.forms(typed)):
            if not self.vocabulary.holds_word(form):  # a word of the index, not a guess at one
                continue
            tokens = self.builder.analyze(form)
            if len(tokens) != 1 or tokens[0] == term or tokens[0] in taken or not self.vocabulary.known(tokens[0]):
                continue
            taken.add(tokens[0])
            found.append(Term(_ANY, tokens[0]))
            self.expansions.append((typed, form))
        return found


def _typed(text: str, run: list[Query]) -> str:
    """What the user typed for a run of query words (their analyzed text, when not known)."""
    start, end = getattr(run[0], "startchar", None), getattr(run[-1], "endchar", None)
    if start is None or end is None:
        return " ".join(q.text for q in run)
    return text[start:end]


def normalise(text: str) -> str:
    """NFC, no control characters, straight quotes, no sentence punctuation ending words,
    words joined by a slash apart."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).translate(_QUOTES)
    return _SLASH.sub(" ", _TRAILING_PUNCTUATION.sub("", text)).strip()


def binary_unions(query: Query) -> Query:
    """Have every OR of `query` matched as Whoosh's tree of pairs, never as its array union.

    Once Whoosh's array union has read its postings ahead, it reports a best possible score
    of 0, so Whoosh's pruning (which drops parts of a query that cannot lift a document into
    the top N) then skips documents that belong there. Whoosh picks the array union for
    segments of at most 5,000 documents, so results also depended on how the index was
    split into segments (an update gave other results than a full build).
    """
    pending = [query]
    while pending:
        node = pending.pop()
        if isinstance(node, Or):
            node.matcher_type = Or.DEFAULT_MATCHER
        pending.extend(node.children())
    return query


def _words(query: Query) -> list[Query]:
    """Each word of a query as a term (a phrase's words one by one)."""
    found: list[Query] = []
    for leaf in [query] if query.is_leaf() else query.leaves():
        if isinstance(leaf, Phrase):
            found.extend(Term(leaf.fieldname, w) for w in leaf.words)
        elif isinstance(leaf, Term):
            found.append(leaf)
    return found


def _placed(query: Query, fieldname: str) -> Query:
    """The same query on another field (every leaf of it)."""
    if query.is_leaf():
        return _on_field(query, fieldname, 1.0) if hasattr(query, "fieldname") else query
    return query.apply(lambda q: _placed(q, fieldname))


def _on_field(leaf: Query, fieldname: str, boost: float) -> Query:
    # What copy.copy does for these plain objects, without its protocol (most leaves of
    # every query pass through here).
    placed = object.__new__(type(leaf))
    placed.__dict__.update(leaf.__dict__)
    placed.fieldname = fieldname
    placed.boost = leaf.boost * boost
    return placed


def _without(query: Query) -> Query:
    """Read "a b NOT c" as "a or b, but never c".

    Under an OR default, Whoosh reads it as "a OR b OR (NOT c)", which matches nearly every
    document: not what anyone typing NOT means.
    """
    if isinstance(query, Or):
        children = [_without(child) for child in query.subqueries]
        excluded = [child.query for child in children if isinstance(child, Not)]
        kept = [child for child in children if not isinstance(child, Not)]
        if excluded and kept:
            positive = kept[0] if len(kept) == 1 else Or(kept, boost=query.boost, scale=query.scale)
            return AndNot(positive, excluded[0] if len(excluded) == 1 else Or(excluded))
        return query
    return query


def _without_phrases(text: str) -> str:
    """The query without its quoted phrases ("a:b" inside quotes is no field)."""
    return re.sub(r'"[^"]*"', " ", text)


def _plain_words(query: Query) -> bool:
    """Words and phrases typed without fields or operators, OR-ed (or just one)."""
    parts = query.subqueries if isinstance(query, Or) else [query]
    return all(type(part) in (Term, Phrase) and part.fieldname == _ANY for part in parts)


def is_empty(query: Query) -> bool:
    """True when nothing searchable is left (for example, a query of only stop words)."""
    return query is NullQuery or isinstance(query, type(NullQuery)) or not list(query.leaves())


def _matches_everything(query: Query) -> bool:
    leaves = [query] if query.is_leaf() else list(query.leaves())
    return bool(leaves) and all(
        isinstance(leaf, Every) or (isinstance(leaf, Wildcard) and not any(c.isalnum() for c in leaf.text))
        for leaf in leaves
    )
