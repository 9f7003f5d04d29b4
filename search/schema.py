"""Index fields and analyzers: the contract between the indexer (writer) and search (reader).

Changing anything here that alters what is stored or how text is analyzed must bump
`SCHEMA_VERSION`, so that indexes written by an older version are rebuilt instead of
misread.
"""

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.lang.porter import stem as porter_stem

SCHEMA_VERSION = 1

# Fields a plain query searches, and how much a match in each counts. A match in the
# question says more about relevance than one in the (longer) answer.
FIELD_BOOSTS: dict[str, float] = {"question": 2.0, "answer": 1.0}

# Alternate phrasings of one question are stored in the question field, one per line.
QUESTION_SEPARATOR = "\n"


def stem(word: str) -> str:
    """Porter stemming, plus one rule Porter lacks: Greek "-sis" nouns meet their verbs.

    Porter leaves "diagnosis" as "diagnosi" but "diagnose", "diagnosed" and "diagnosing" as
    "diagnos"; medical text is full of such pairs (diagnosis, prognosis, analysis, sclerosis).
    """
    stemmed = porter_stem(word)
    if stemmed.endswith("si") and word.endswith("sis"):
        return stemmed[:-1]
    return stemmed


def text_analyzer():
    """The analyzer of every full-text field: lowercase, English stop words, stemming (`stem`).

    Stop words are dropped but positions renumbered, so phrase queries still match across them.
    """
    return StemmingAnalyzer(stemfn=stem)


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
