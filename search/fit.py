"""How well the best answer fits the query: the share of the query's words it holds,
each weighed by its rarity (idf).

A question the article does not answer still gets hits: some of its words ("ms") are in
nearly every answer. What it lacks is the rare words that carry the question ("is ms
fatal": "fatal"). So the best hit is called a weak match when the words it holds weigh
less than WEAK_FIT of the query's; a word no document holds weighs as much as a word one
document holds. The threshold was chosen on the article's development questions, those
it answers and those it does not (benchmarks/RESULTS.md, "Whole questions, word forms and
questions the article does not answer"); only plain-word queries are judged (syntax says
what to match already).

With ranking by meaning (the default), a best hit that lacks some of the query's words may
still say the same thing in other words; it is called weak only when it also lacks part
of the query's words (less than WEAK_FIT_WITH_MEANING) and its meaning is not close either
(cosine below WEAK_CLOSENESS, in the distilled table that judges closeness:
`faqindex.embedding.CLOSENESS_TABLE`). Both were chosen together on the same development questions,
in the middle of the range that flags the most questions the article does not answer while
flagging at most 5% of those it does (RESULTS.md, same section).
"""

from __future__ import annotations

from math import log

from whoosh.query import Or, Phrase, Query, Term

from .impacts import Impacts
from .vocabulary import Vocabulary

WEAK_FIT = 0.225
WEAK_FIT_WITH_MEANING = 0.65
WEAK_CLOSENESS = 0.65


def weak(fit: float, closeness: float | None = None) -> bool:
    """Whether a best hit of this `fit` (and, when ranking by meaning, this `closeness`:
    the cosine of query and hit) answers the query too poorly to be presented as its answer."""
    if closeness is None:
        return fit < WEAK_FIT
    return weak_with(fit, closeness, WEAK_FIT_WITH_MEANING, WEAK_CLOSENESS)


def weak_with(fit: float, closeness: float, fit_below: float, closeness_below: float) -> bool:
    """The rule of `weak` with meaning, for given thresholds (benchmarks/unanswerable.py
    sweeps them)."""
    return fit < fit_below and closeness < closeness_below


def fit(impacts: Impacts, vocabulary: Vocabulary, clauses: list[Query], docnum: int) -> float:
    """The idf-weighted share of `clauses` (the query's words, each with its other forms,
    all on the content field) that document `docnum` matches: 0 to 1."""
    total = held = 0.0
    for clause in clauses:
        weight = _idf(vocabulary, clause)
        total += weight
        if impacts.matches(clause, docnum):
            held += weight
    return held / total if total else 1.0


def _idf(vocabulary: Vocabulary, clause: Query) -> float:
    """BM25's idf of a clause, from document frequencies alone (cheap at any index size): a
    word's own; a phrase's rarest word's; of several phrasings, the commonest one's."""
    if isinstance(clause, Term):
        documents = max(vocabulary.documents(clause.fieldname, clause.text), 0)
        total = vocabulary.reader.doc_count()
        return log(1 + (total - documents + 0.5) / (documents + 0.5))
    if isinstance(clause, Phrase):
        return max(_idf(vocabulary, Term(clause.fieldname, word)) for word in clause.words)
    if isinstance(clause, Or) and clause.subqueries:
        return min(_idf(vocabulary, member) for member in clause.subqueries)
    return 0.0
