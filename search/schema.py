"""Index fields and analyzers: the contract between the indexer (writer) and search (reader).

Changing anything here that alters what is stored or how text is analyzed must bump
`SCHEMA_VERSION`, so that indexes written by an older version are rebuilt instead of
misread.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.analysis.analyzers import Analyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

SCHEMA_VERSION = 12

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


def question_key(text: str) -> str:
    """The casefolded words of a question: what two phrasings differing only in case and
    punctuation share."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def question_keys(questions: list[str]) -> str:
    """The `question_key` field's value for a document's phrasings (commas separate them)."""
    return ",".join(dict.fromkeys(key for key in map(question_key, questions) if key))


def indexed_fields(question: str, answer: str) -> dict[str, str]:
    """The text of each full-text field of a document, made from what is stored of it.

    One definition for the writer and for `statistics.Statistics`, which analyzes deleted
    documents again exactly as they were indexed.
    """
    return {"question": question, CONTENT_FIELD: f"{question}\n{answer}"}


# Words too common to tell documents apart. Whoosh's list, plus the words people put around
# what they ask ("what does ... do", "is there ...", "how do I ..."): in a whole question
# they would otherwise outweigh the one content word that matters.
STOP_WORDS = frozenset(
    """a an and are as at be by can for from have if in is it may not of on or tbd that the this to
    us we when will with yet you your i me my am was were been being has had do does did doing
    done what which who whom whose why how where there here than then so such too very just
    should would could might must shall about into over also any some its it's our their they them
    these those he she his her him s t""".split()
)

# Words of three letters or fewer are left unstemmed: they are mostly acronyms ("MS", "ALS",
# "MRI"), which Porter would cut down to "m" and "al" (matching "et al.").
_SHORT = 3


def stemmer(name: str) -> Callable[[str], str]:
    """A stemming function: "porter2" (the default), "snowball" or "porter".

    Porter2 is the Snowball English algorithm; Whoosh has it twice. Its standalone `porter2`
    module agrees with the reference (C) Snowball where its `snowball` package does not
    ("realization" → "realiz", not "realize"), and loads without the fourteen other
    languages of that package (3 ms of every command-line search). Whoosh's original Porter
    leaves doubled consonants ("scanning" → "scann"), so "CT scan" would miss "CT
    scanning"; the algorithms were compared on the judged sets (benchmarks/RESULTS.md).
    """
    if name == "porter2":
        from whoosh.lang.porter2 import stem as porter2

        return porter2
    if name == "snowball":
        from whoosh.lang.snowball.english import EnglishStemmer

        return EnglishStemmer().stem
    if name == "porter":
        from whoosh.lang.porter import stem as porter

        return porter
    raise ValueError(f"unknown stemmer {name!r}")


STEMMERS = ("porter2", "snowball", "porter")
_stem = stemmer("porter2")


def stem(word: str) -> str:
    """Porter2 (Snowball English) stemming, plus two rules it lacks.

    Short words (acronyms, mostly) are kept as they are. Greek "-sis" nouns meet their verbs:
    the stemmer leaves "diagnosis" as "diagnosi" but "diagnose", "diagnosed" and "diagnosing"
    as "diagnos"; medical text is full of such pairs (diagnosis, paralysis, sclerosis).
    """
    if len(word) <= _SHORT:
        return word
    stemmed = _stem(word)
    if stemmed.endswith("si") and word.endswith("sis"):
        return stemmed[:-1]
    return stemmed


class WordFilter(Filter):
    """Compounds, possessives, case, accents and stop words, in one pass over the words.

    Hyphenated words are found by each part and by the whole: "pins-and-needles" is indexed
    as "pins", "and", "needles" and as "pinsandneedles" at the first one's position. A query
    for the hyphenated word becomes the phrase of its parts. Curly and straight apostrophes
    are the same: "Gehrig’s" and "Gehrig's" are both "Gehrig". The plural of an acronym is
    the acronym ("MRIs" is "MRI", "mRNAs" is "mRNA"), told by its capitals before lowercasing. Accents are
    folded (Behçet → behcet). Stop words are dropped and the positions after them renumbered
    (as Whoosh's StopFilter does), so phrases still match across them.

    One filter instead of Whoosh's chain of five: every word of the corpus goes through it,
    and each generator in a chain costs about as much as the work it does.
    """

    _POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)
    # Two capitals or more, the last one before the "s": "MRIs", "mRNAs", "PBMCs", "PhDs".
    _ACRONYM_PLURAL = re.compile(r"^((?=[A-Za-z]{2,8}['’]?s$)[A-Za-z]*[A-Z][A-Za-z]*[A-Z])['’]?s$")
    _APOSTROPHES = re.compile(r"['’]")

    def __init__(self, stoplist: frozenset[str] = frozenset()) -> None:
        self.stoplist = stoplist

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordFilter) and self.stoplist == other.stoplist

    def __call__(self, tokens):
        stoplist = self.stoplist
        shift = 0
        pos = None  # the position of the last word kept, for renumbering after stop words

        def kept(t):
            # Lowercase, fold accents, drop stop words and renumber, as Whoosh's filters would.
            nonlocal pos
            t.text = word = t.text.lower()
            if not word.isascii():  # Whoosh's accent map changes no lowercase ASCII letter
                t.text = word = word.translate(_accent_map())
            if not word or word in stoplist:
                # Kept, marked, when asked (highlighting: fragments may start at a stop word).
                t.stopped = True
                return not t.removestops
            if positions:
                if pos is None:
                    pos = t.pos
                else:
                    pos += 1
                    t.pos = pos
            t.stopped = False
            return True

        for t in tokens:
            positions, chars = t.positions, t.chars
            if positions:
                t.pos += shift
            text = t.text
            if text[-1] == "s" and not text.islower():  # cheap tests first: this runs for every word
                plural = self._ACRONYM_PLURAL.match(text)
                if plural:
                    t.text = text = plural.group(1)
            if "'" in text or "’" in text:
                text = self._APOSTROPHES.sub("", self._POSSESSIVE.sub("", text))
            if "-" not in text:
                if chars and text != t.text:
                    t.endchar = t.startchar + len(self._POSSESSIVE.sub("", t.text))
                t.text = text
                if kept(t):
                    yield t
                continue
            parts = [p for p in text.split("-") if p]
            if not parts:
                continue
            start, first = (t.startchar if chars else 0), (t.pos if positions else 0)
            if t.mode == "index" and len(parts) > 1:
                t.text = "".join(parts)
                if kept(t):
                    yield t
            offset = 0
            for i, part in enumerate(parts):
                t.text = part
                if positions:
                    t.pos = first + i
                if chars:
                    # Offsets into the original word, for exact highlighting of each part.
                    offset = text.index(part, offset)
                    t.startchar, t.endchar = start + offset, start + offset + len(part)
                    offset += len(part)
                if kept(t):
                    yield t
            shift += len(parts) - 1


@functools.cache
def _accent_map() -> dict[int, str]:
    # Loaded on first use: building Whoosh's table costs a millisecond of every start, and
    # most searches are plain ASCII.
    from whoosh.support.charset import accent_map

    return accent_map


class Stemmer(Filter):
    """`stem` every word, remembering the stems of words seen (a plain dict: Whoosh's
    StemFilter cache costs a third of the stemming). Skipped for spelling words."""

    is_morph = True
    CACHE_LIMIT = 200_000  # distinct words; past it the cache starts over

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stemmer)

    def __getstate__(self) -> dict:
        return {}  # processes that index in parallel start with their own cache

    def __setstate__(self, state: dict) -> None:
        self._cache = {}

    def __call__(self, tokens):
        cache = self._cache
        for t in tokens:
            if t.stopped:  # a stop word kept for highlighting: as written
                yield t
                continue
            text = t.text
            stemmed = cache.get(text)
            if stemmed is None:
                if len(cache) >= self.CACHE_LIMIT:
                    cache.clear()
                stemmed = cache[text] = stem(text)
            t.text = stemmed
            yield t


class SpelledText(TEXT):
    """A full-text field whose unstemmed words are kept as a word list, for typo correction.

    Whoosh's `spelling=True` analyzes every text a second time without stemming and adds
    every word of every document to the spelling field: as many entries as the field has
    postings, and a third of a build's time. Typo correction needs only the list of words
    (`Vocabulary` reads how common a word is from its stem), so here the words are taken
    from the one analysis that indexes the text, and each is added once per indexing process.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(spelling=True, **kwargs)
        self._recorder = _Recorder()
        self._indexing = text_analyzer(before_stemming=self._recorder)
        self._spelled: set[str] = set()
        self._last: str | None = None

    def __getstate__(self) -> dict:
        # The schema is pickled into the index's table of contents and sent to indexing
        # processes: without the words of the last document or of the whole build.
        state = dict(self.__dict__)
        state["_spelled"], state["_last"] = set(), None
        return state

    def index(self, value, **kwargs):
        self._recorder.words = set()
        self._last = value
        kwargs.setdefault("mode", "index")
        for word, frequency, weight, encoded in self.format.word_values(value, self._indexing, **kwargs):
            yield word.encode("utf-8"), frequency, weight, encoded

    def spellable_words(self, value):
        # Whoosh asks right after indexing the same value (writing.add_document).
        if value is self._last:
            words = self._recorder.words
        else:
            words = {token.text for token in self.analyzer(value, no_morph=True)}
        new = words - self._spelled
        self._spelled.update(new)
        return iter(sorted(new))


class _Recorder(Filter):
    """Notes the words passing through (before stemming), for `SpelledText`."""

    def __init__(self) -> None:
        self.words: set[str] = set()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Recorder)

    def __getstate__(self) -> dict:
        return {"words": set()}

    def __call__(self, tokens):
        add = self.words.add
        for t in tokens:
            add(t.text)
            yield t


def text_analyzer(before_stemming: Filter | None = None) -> Analyzer:
    """The analyzer of every full-text field.

    Words (hyphenated compounds whole), then compounds and possessives, lowercase, accents
    folded (Behçet → behcet), stop words dropped with positions renumbered (phrases still
    match across them), stemming (`stem`). `before_stemming` is a filter to see the words
    just before they are stemmed.
    """
    words = RegexTokenizer(r"\w+(?:[-'’.]\w+)*") | WordFilter(STOP_WORDS)
    if before_stemming is not None:
        words = words | before_stemming
    return words | Stemmer()


def make_schema() -> Schema:
    """Return a new Whoosh schema for question documents.

    `content` (question and answer) is what plain words are searched in; `question` again
    for its bonus. The answer is only stored: indexing it on its own would cost a fifth of
    every build for the rare `answer:word`, which searches `content` instead. The title is
    only shown. `spelling=True`
    keeps the unstemmed words of `content` beside the stems, so typos are corrected to real
    words ("measure", not "measur").
    """
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        question=TEXT(analyzer=analyzer, stored=True, phrase=True),
        answer=STORED(),
        content=SpelledText(analyzer=analyzer, phrase=True),
        title=STORED(),
        section=STORED(),
        url=STORED(),
        description=STORED(),
        source=ID(stored=True),
        position=STORED(),
        question_key=KEYWORD(commas=True, scorable=False),
    )
