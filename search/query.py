"""User text → Whoosh query.

The default is forgiving: words are OR-ed, but a document matching more of them scores
higher (Whoosh's OrGroup bonus), so several keywords or a whole question work without any
syntax. Explicit syntax still works: AND, OR, NOT, "phrases", field:term, prefix*, term~.
"""

from __future__ import annotations

from whoosh.fields import Schema
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, OrGroup, PlusMinusPlugin
from whoosh.qparser.plugins import EveryPlugin
from whoosh.query import AndNot, Every, Not, NullQuery, Or, Query

from .errors import QueryError
from .schema import FIELD_BOOSTS

# How much each extra matching word lifts a document above one that matches fewer words.
COORDINATION_BONUS = 0.9
MAX_QUERY_CHARS = 2000


def make_parser(schema: Schema) -> MultifieldParser:
    """The query parser used for every search."""
    parser = MultifieldParser(
        list(FIELD_BOOSTS),
        schema,
        fieldboosts=FIELD_BOOSTS,
        group=OrGroup.factory(COORDINATION_BONUS),
    )
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(PlusMinusPlugin())  # +required -excluded, as in web search
    # "*:*" (and a lone "*") would list the whole index: not a search anyone means.
    parser.remove_plugin_class(EveryPlugin)
    return parser


def parse(parser: MultifieldParser, text: str) -> Query:
    """Parse user text. Raises QueryError for text that cannot be searched."""
    if not text or not text.strip():
        raise QueryError("empty query: give at least one word")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    try:
        query = parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted errors on malformed syntax
        raise QueryError(f"cannot parse query {text!r}: {exc}") from None
    if isinstance(query, Not) or _matches_everything(query):
        raise QueryError("the query matches everything: add a word to search for")
    return _without(query)


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


def is_empty(query: Query) -> bool:
    """True when nothing searchable is left (for example, a query of only stop words)."""
    return query is NullQuery or isinstance(query, type(NullQuery)) or not list(query.leaves())


def _matches_everything(query: Query) -> bool:
    leaves = [query] if query.is_leaf() else list(query.leaves())
    return bool(leaves) and all(isinstance(leaf, Every) for leaf in leaves)
