"""Index fields and analyzers: the contract between the indexer (writer) and search (reader).

Changing anything here that alters what is stored or how text is analyzed must bump
`SCHEMA_VERSION`, so that indexes written by an older version are rebuilt instead of
misread.
"""

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

SCHEMA_VERSION = 1

# Fields a plain query searches, and how much a match in each counts. A match in the
# question says more about relevance than one in the (longer) answer.
FIELD_BOOSTS: dict[str, float] = {"question": 2.0, "answer": 1.0}

# Alternate phrasings of one question are stored in the question field, one per line.
QUESTION_SEPARATOR = "\n"


def text_analyzer():
    """The analyzer of every full-text field: lowercase, English stop words, Porter stemming.

    Stop words are dropped but positions renumbered, so phrase queries still match across them.
    """
    return StemmingAnalyzer()


def make_schema() -> Schema:
    """Return a new Whoosh schema for question documents."""
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        question=TEXT(analyzer=analyzer, stored=True, phrase=True),
        answer=TEXT(analyzer=analyzer, stored=True, phrase=True),
        title=TEXT(analyzer=analyzer, stored=True),
        section=STORED(),
        source=ID(stored=True),
        position=NUMERIC(stored=True),
    )
