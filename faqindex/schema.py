"""Index fields: the contract between the indexer (writer) and search (reader).

Changing anything here or in `analysis.py` that alters what is stored or how text is
analyzed must bump `SCHEMA_VERSION`, so that indexes written by an older version are
rebuilt instead of misread; so must changing the shipped meaning model (`data/meaning/`),
whose vectors of the documents each generation holds (a test checks the model's digest).
"""

from __future__ import annotations

import re

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import indexing, text_analyzer

SCHEMA_VERSION = 15

# Fields a plain query searches, and how much a match in each counts. `content` is the
# question and answer as one text (one length, one term frequency: BM25 over the whole
# document, which ranks better than adding up separate question and answer scores); a match
# in the question counts once more on top of it, since it says more about relevance.
CONTENT_FIELD = "content"
FIELD_BOOSTS: dict[str, float] = {"question": 0.5, CONTENT_FIELD: 1.0}
# Fields whose words correct typos: what a reader sees.
SPELLING_FIELDS = (CONTENT_FIELD,)

# Alternate phrasings of one question are stored in the question field, one per line.
QUESTION_SEPARATOR = "\n"
# Each phrasing's words, casefolded, without punctuation: a question typed as the article
# asks it finds its own answer first, however BM25 weighs its words.
QUESTION_KEY_FIELD = "question_key"
_WORD = re.compile(r"\w+")


def question_key(text: str) -> str:
    """The casefolded words of a question: what two phrasings differing only in case and
    punctuation share."""
    return " ".join(_WORD.findall(text.casefold()))


def question_keys(questions: list[str]) -> str:
    """The `question_key` field's value for a document's phrasings (commas separate them)."""
    return ",".join(dict.fromkeys(key for key in map(question_key, questions) if key))


def indexed_fields(question: str, answer: str) -> dict[str, str]:
    """The text of each full-text field of a document, made from what is stored of it.

    One definition for the writer and for `statistics.Statistics`, which analyzes deleted
    documents again exactly as they were indexed.
    """
    return {"question": question, CONTENT_FIELD: f"{question}\n{answer}"}


_ONCE_LIMIT = 4096  # positions whose encoding alone is kept


class IndexedText(TEXT):
    """A full-text field with phrases, analyzed by `text_analyzer`, indexed through
    `analysis.indexing()`: the same terms and positions, each written word analyzed once per
    indexing process instead of once per occurrence (a large share of a build's time otherwise)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(analyzer=text_analyzer(), phrase=True, **kwargs)
        self._words: list[str] = []  # the last value's words before stemming
        self._once: dict[int, bytes] = {}  # position → its encoding as a term's only position

    def __getstate__(self) -> dict:
        # Pickled into the index's table of contents and sent to indexing processes: without
        # the words of the last document or the encodings kept.
        state = dict(self.__dict__)
        state["_words"], state["_once"] = [], {}
        return state

    def index(self, value, **kwargs):
        """What Whoosh's TEXT.index yields for `value`: (term as UTF-8, frequency, weight,
        encoded positions) per term."""
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        positions, self._words = indexing().terms(value)
        boost, encode, once = self.format.field_boost, self.format.encode, self._once
        for term, at in positions.items():
            if len(at) == 1 and at[0] < _ONCE_LIMIT:  # noqa: SIM108 - most terms: kept, and encoded, once per position
                encoded = once.get(at[0]) or once.setdefault(at[0], encode(at))
            else:
                encoded = encode(at)
            yield term, len(at), len(at) * boost, encoded


class SpelledText(IndexedText):
    """A full-text field whose unstemmed words are kept as a word list, for typo correction.

    Whoosh's `spelling=True` analyzes every text a second time without stemming and adds
    every word of every document to the spelling field: as many entries as the field has
    postings, and a large share of a build's time. Typo correction needs only the list of words
    (`Vocabulary` reads how common a word is from its stem), so here the words are taken
    from the one analysis that indexes the text, and each is added once per indexing process.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(spelling=True, **kwargs)
        self._spelled: set[str] = set()
        self._last: str | None = None

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state["_spelled"], state["_last"] = set(), None
        return state

    def index(self, value, **kwargs):
        self._last = value
        return super().index(value, **kwargs)

    def spellable_words(self, value):
        # Whoosh asks right after indexing the same value (writing.add_document).
        words = set(self._words) if value is self._last else {token.text for token in self.analyzer(value, no_morph=True)}
        new = words - self._spelled
        self._spelled.update(new)
        return iter(sorted(new))


def make_schema() -> Schema:
    """Return a new Whoosh schema for question documents.

    `content` (question and answer) is what plain words are searched in; `question` again
    for its bonus. The answer is only stored: indexing it on its own would add much to
    every build for the rare `answer:word`, which searches `content` instead. The title is
    only shown. `spelling=True`
    keeps the unstemmed words of `content` beside the stems, so typos are corrected to real
    words ("measure", not "measur").
    """
    return Schema(
        id=ID(stored=True, unique=True),
        question=IndexedText(stored=True),
        answer=STORED(),
        content=SpelledText(),
        title=STORED(),
        section=STORED(),
        url=STORED(),
        description=STORED(),
        source=ID(stored=True),
        position=STORED(),
        question_key=KEYWORD(commas=True, scorable=False),
    )
