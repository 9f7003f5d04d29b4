"""What people type: punctuation, hyphens, acronyms, synonyms, typos, and the syntax that stays."""

from __future__ import annotations

import pytest

from faqindex.errors import QueryError
from search import Searcher
from search.query import QueryBuilder
from search.synonyms import Rule, SynonymsError, Thesaurus, read_synonyms

ARTICLE = """Sample answers

Is MS inherited?

Multiple sclerosis (MS) is not inherited, though genes play a part. See Smith et al. for details.

What is a spinal tap?

A lumbar puncture takes fluid from the spine for laboratory analysis.

Does anaemia cause tiredness?

Low haemoglobin makes people tired; anemia is common.

What are MS-related spasms?

Spasms are sudden tightening of muscles.

What is pins-and-needles?

A tingling sensation in the hands or feet.

What do doctors call Lou Gehrig’s disease?

They call it ALS, a disease of the nerve cells.
"""


@pytest.fixture
def searcher(write_corpus, tmp_path):
    corpus = write_corpus({"faq.txt": ARTICLE})
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("# test\nspinal tap, lumbar puncture\ntiredness => fatigue\n", encoding="utf-8")
    with Searcher(tmp_path / "index", corpus=corpus, synonyms=synonyms) as s:
        yield s


def questions(searcher, text, **kwargs):
    return [hit.question for hit in searcher.search(text, **kwargs)]


def test_trailing_question_mark_is_punctuation_not_a_wildcard(searcher):
    assert questions(searcher, "is ms inherited?")[0] == "Is MS inherited?"


def test_hyphenated_word_found_by_parts_and_whole(searcher):
    assert questions(searcher, "MS-related")[0] == "What are MS-related spasms?"
    assert "What are MS-related spasms?" in questions(searcher, "related")
    assert questions(searcher, '"pins and needles"')[0] == "What is pins-and-needles?"
    assert questions(searcher, "pinsandneedles") == ["What is pins-and-needles?"]


def test_words_joined_by_a_slash_are_alternatives(searcher):
    # Not the phrase "spasms tingling", which no document holds.
    assert set(questions(searcher, "spasms/tingling")) == {"What are MS-related spasms?", "What is pins-and-needles?"}


def test_minus_inside_a_word_is_not_exclusion(searcher):
    # "MS-related" must not mean "MS but not related".
    assert "What are MS-related spasms?" in questions(searcher, "ms-related spasms")
    assert "What are MS-related spasms?" not in questions(searcher, "spasms -related")


def test_acronym_is_not_stemmed_into_another_word(searcher):
    # Porter would stem ALS to "al", which "et al." contains.
    assert questions(searcher, "ALS") == ["What do doctors call Lou Gehrig’s disease?"]


def test_curly_and_straight_apostrophes_match(searcher):
    assert questions(searcher, "Gehrig's")[0] == "What do doctors call Lou Gehrig’s disease?"
    assert questions(searcher, "Gehrig’s")[0] == "What do doctors call Lou Gehrig’s disease?"


def test_mined_acronym_expands_both_ways(searcher):
    assert searcher.acronyms["MS"] == ["multiple sclerosis"]
    results = searcher.results("multiple sclerosis")
    # "MS-related" spasms never says "multiple sclerosis": only the expansion finds it.
    assert "What are MS-related spasms?" in [h.question for h in results.hits]
    assert ("multiple sclerosis", "MS") in results.expansions
    hit = next(h for h in results.hits if h.question == "What are MS-related spasms?")
    assert hit.score < results.hits[0].score  # the words typed rank above their expansion


def test_synonyms_both_ways_and_one_way(searcher):
    assert questions(searcher, "lumbar puncture")[0] == "What is a spinal tap?"
    assert questions(searcher, '"spinal tap"')[0] == "What is a spinal tap?"
    results = searcher.results("tiredness")
    assert ("tiredness", "fatigue") in results.expansions
    assert searcher.results("fatigue").expansions == []  # one-way rule


def test_expansions_are_highlighted(searcher):
    hit = searcher.search("spinal tap")[0]
    assert "<mark>lumbar</mark> <mark>puncture</mark>" in hit.highlights[0]


def test_typo_corrected_from_the_index_vocabulary(searcher):
    results = searcher.results("haemoglobni")
    assert results.corrected_query == "haemoglobin"
    assert results.corrections == [("haemoglobni", "haemoglobin")]
    assert results.hits[0].question == "Does anaemia cause tiredness?"
    exact = searcher.results("haemoglobni", exact=True)
    assert exact.corrected_query is None and exact.hits == []


def test_swapped_letters_count_as_one_edit(searcher):
    assert searcher.results("tinlging").corrected_query == "tingling"


def test_known_words_are_never_corrected(searcher):
    assert searcher.results("spasms").corrected_query is None


def test_english_words_are_not_typos_of_the_index_words(searcher):
    # "fired" is one letter from "tired", which the index holds, but it is a word of its
    # own: searched as typed (and found nowhere), not turned into another question.
    results = searcher.results("fired")
    assert results.corrected_query is None and results.hits == []
    assert searcher.results("tierd").corrected_query == "tired"  # a real typo still is


def test_an_english_word_may_become_another_form_of_itself(write_corpus, tmp_path):
    corpus = write_corpus({"a.txt": "Sample\n\nDo lesions get small?\n\nSome lesions become small with time.\n"})
    with Searcher(tmp_path / "index", corpus=corpus) as searcher:
        results = searcher.results("smaller lesions")
    assert results.corrections == [("smaller", "small")]


def test_explicit_syntax_still_works(searcher):
    assert questions(searcher, "question:spinal") == ["What is a spinal tap?"]
    assert questions(searcher, "muscl*") == ["What are MS-related spasms?"]
    assert questions(searcher, "tinglign~2") == ["What is pins-and-needles?"]
    assert "Is MS inherited?" not in questions(searcher, "ms NOT genes")


def test_explain_lists_matched_parts(searcher):
    hit = searcher.results("spinal tap", explain=True).hits[0]
    fields = {part.field for part in hit.explanation}
    assert {"question", "content"} <= fields
    assert all(part.score > 0 for part in hit.explanation)
    assert "explanation" not in searcher.search("spinal tap")[0].to_dict()


@pytest.mark.parametrize("text", ["spasms (+)- tingling", "spasms (-) tingling", "spasms (*) tingling"])
def test_text_the_parser_cannot_read_is_searched_by_its_words(searcher, text):
    # Pasted text ("alpha (+)- thalassemia") is not meant as syntax.
    assert {hit.question for hit in searcher.search(text)} == {"What are MS-related spasms?", "What is pins-and-needles?"}


@pytest.mark.parametrize("text", ["", "   ", "*", "*:*", "(+)-"])
def test_unsearchable_queries_raise(searcher, text):
    with pytest.raises(QueryError):
        searcher.search(text)


def test_synonyms_file_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("just one word\n", encoding="utf-8")
    with pytest.raises(SynonymsError, match="line 1"):
        read_synonyms(bad)
    with pytest.raises(SynonymsError, match="cannot read"):
        read_synonyms(tmp_path / "missing.txt")


def test_analyzed_rules_are_kept_beside_the_index_and_reused(tmp_path):
    rules = [Rule(("anaemia", "anemia"), ("anaemia", "anemia")), Rule(("MS",), ("multiple sclerosis",))]
    builder = QueryBuilder(rules)
    built = Thesaurus.cached(rules, builder.analyze, tmp_path)
    assert len(list(tmp_path.glob("thesaurus-*.json"))) == 1

    def must_not_analyze(text):
        raise AssertionError(f"analyzed {text!r} again")

    assert Thesaurus.cached(rules, must_not_analyze, tmp_path).entries == built.entries
    assert built.alternatives(("ms",)) == [(("multipl", "scleros"), "multiple sclerosis")]
    other = [Rule(("MS",), ("mass spectrometry",))]  # other rules: another file
    assert Thesaurus.cached(other, builder.analyze, tmp_path).alternatives(("ms",))[0][1] == "mass spectrometry"
    # A directory that cannot be written is no error.
    assert Thesaurus.cached(rules, builder.analyze, tmp_path / "missing").entries == built.entries


def test_every_or_is_matched_as_a_tree_of_pairs():
    # Whoosh's array union (its choice for small segments) breaks its own pruning: it
    # reports a best score of 0 once it has read ahead, and documents are skipped.
    from whoosh.query import Or

    builder = QueryBuilder([Rule(("repair",), ("heal", "recover"))])
    query = builder.build("studies repair OR (lesions iron)").query
    ors, pending = [], [query]
    while pending:
        node = pending.pop()
        ors += [node] if isinstance(node, Or) else []
        pending.extend(node.children())
    assert len(ors) >= 4 and all(node.matcher_type == Or.DEFAULT_MATCHER for node in ors)


@pytest.mark.parametrize("text", ["colour:red", "iron AND Colour:red", "title:ms"])
def test_an_unknown_field_is_named_with_the_fields_there_are(text):
    from search.query import QueryBuilder

    builder = QueryBuilder([])
    with pytest.raises(QueryError, match=r"no field .*; fields are question, answer"):
        builder.build(text)


@pytest.mark.parametrize("text", ["question:iron", "answer:ferritin", '"ratio 10:30"', "see http://example.org/ms", "at 10:30"])
def test_fields_there_are_and_colons_that_are_no_field_pass(text):
    from search.query import QueryBuilder

    assert QueryBuilder([]).build(text).query is not None
