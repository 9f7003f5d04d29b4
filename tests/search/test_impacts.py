"""Ranking a plain query by its leaves' kept scores gives Whoosh's matchers' top 10, ids and scores."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from whoosh.query import And, FuzzyTerm, Or, Phrase, Term

from corpus import ARTICLES
from search import Searcher, impacts, pipeline
from search.budget import UNLIMITED
from search.impacts import Impacts, Weighted, flat

ROOT = Path(__file__).resolve().parents[2]
SCIFACT = ROOT.parent / "shared" / "data" / "scifact"


def _judged_article_queries() -> list[str]:
    lines = (ROOT / "benchmarks" / "article" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def _top10(s: Searcher, query: str) -> list[tuple[str, float]]:
    return [(hit.id, hit.score) for hit in s.results(query, limit=10).hits]


def _same_as_whoosh(s: Searcher, queries: list[str], monkeypatch) -> int:
    """Compare every query's top 10 with the kept scores and with Whoosh's matchers; returns
    how many queries were plain (ranked from the kept scores)."""
    plain = sum(flat(s.prepare(q).query) is not None for q in queries)
    kept = {q: _top10(s, q) for q in queries}
    kept_fit = {q: s.results(q).fit for q in queries}
    with monkeypatch.context() as patch:
        # Whoosh's matchers for every query, its proximity pairs and the best hit's fit.
        patch.setattr(pipeline, "flat", lambda query: None)
        patch.setattr(impacts, "flat", lambda *_: None)
        for q in queries:
            assert kept[q] == _top10(s, q), q
            assert kept_fit[q] == s.results(q).fit, q
    return plain


def test_the_articles_judged_queries_rank_as_whoosh_ranks_them(tmp_path, monkeypatch):
    queries = _judged_article_queries()
    with Searcher(tmp_path / "ix", corpus=ARTICLES) as s:
        plain = _same_as_whoosh(s, queries, monkeypatch)
    assert plain >= len(queries) * 0.9  # nearly every query people type is a plain one


def test_whether_a_query_matches_a_document_is_whether_it_scores_there(tmp_path):
    with Searcher(tmp_path / "ix", corpus=ARTICLES) as s:
        kept = s._current().impacts
        everything = list(range(s.document_count))
        checked = matched = 0
        for q in _judged_article_queries()[:60]:
            prepared = s.prepare(q)
            for query in [*prepared.clauses, *prepared.proximity]:
                scores = kept.scores_at(query, everything)
                assert [kept.matches(query, d) for d in everything] == [score is not None for score in scores], q
                checked += len(everything)
                matched += sum(score is not None for score in scores)
    assert 0 < matched < checked


def test_a_pairs_few_matches_looked_up_one_by_one_score_as_the_arrays_sum_them(tmp_path):
    with Searcher(tmp_path / "ix", corpus=ARTICLES) as s:
        kept = s._current().impacts
        everything = list(range(s.document_count))
        pairs = [pair for q in _judged_article_queries() for pair in s.prepare(q).proximity]
        assert len(pairs) > 100
        for pair in pairs:
            leaves = flat(pair)
            assert len(leaves) == 1 and len(kept.of(leaves[0].leaf)[0]) <= impacts.FEW
            assert kept.scores_at(pair, everything) == kept._summed_at(leaves, everything), pair


def _generated(rng: random.Random, words: list[str], files: int, questions: int) -> dict[str, str]:
    def text(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n))

    return {
        f"f{f}.txt": "".join(f"What about {text(4)}?\n\n{text(rng.randint(5, 60))}.\n\n" for _ in range(questions))
        for f in range(files)
    }


def test_a_generated_corpus_updated_file_by_file_ranks_as_whoosh_ranks_it(write_corpus, tmp_path, monkeypatch):
    # Zipf-like: early words are common, so many documents tie or share most words.
    rng = random.Random(7)
    vocabulary = ["iron", "brain", "lesion", "multiple", "sclerosis", "ferritin", "blood", "test", "mri", "scan"]
    vocabulary += [f"word{n}" for n in range(200)]
    weighted = [w for n, w in enumerate(vocabulary) for _ in range(max(1, 40 // (n + 1)))]
    files = _generated(rng, weighted, files=12, questions=25)
    root = write_corpus(files)
    queries = [" ".join(rng.choice(weighted) for _ in range(rng.randint(1, 4))) for _ in range(60)]
    queries += ['"multiple sclerosis" iron', "mri scan of brain lesions", "wrod12 iron"]
    with Searcher(tmp_path / "ix", corpus=root) as s:
        assert _same_as_whoosh(s, queries, monkeypatch) >= 60
    # An update leaves replaced documents deleted in old segments and adds a new one (an index
    # this small is merged whole unless told otherwise).
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)
    (root / "f3.txt").write_text(_generated(rng, weighted, files=1, questions=30)["f0.txt"], encoding="utf-8")
    with Searcher(tmp_path / "ix", corpus=root) as s:
        assert s.built is not None and s.built.unchanged == 11  # an update, not a rebuild
        with s.reading() as whoosh_searcher:
            assert whoosh_searcher.doc_count_all() > s.document_count  # deleted documents are still there
        _same_as_whoosh(s, queries, monkeypatch)


@pytest.mark.skipif(not SCIFACT.is_dir(), reason="SciFact is read from ../shared/data/scifact (not in a clone)")
def test_scifacts_queries_rank_as_whoosh_ranks_them(tmp_path, monkeypatch):
    # A sixth of the abstracts keeps the test short; the queries are SciFact's own claims.
    lines = (SCIFACT / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:900]
    corpus = tmp_path / "scifact"
    corpus.mkdir()
    (corpus / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    claims = [json.loads(line)["text"] for line in (SCIFACT / "queries.jsonl").read_text(encoding="utf-8").splitlines()[:80]]
    with Searcher(tmp_path / "ix", corpus=corpus) as s:
        assert _same_as_whoosh(s, claims, monkeypatch) >= 70


def test_only_ors_of_terms_and_phrases_are_flat():
    term, phrase = Term("content", "iron", boost=0.5), Phrase("content", ["iron", "deposit"])
    leaves = flat(Or([Or([term, phrase], boost=2.0), Term("question", "iron")]))
    assert leaves == [Weighted(term, 1.0), Weighted(phrase, 2.0), Weighted(Term("question", "iron"), 1.0)]
    assert flat(And([term, phrase])) is None
    assert flat(Or([term, FuzzyTerm("content", "irn")])) is None
    assert flat(Or([term, phrase], minmatch=2)) is None


def test_kept_scores_are_bounded_and_the_least_recently_used_go_first(write_corpus, tmp_path, monkeypatch):
    root = write_corpus({"a.txt": "".join(f"What is {w}?\n\n{w} and iron.\n\n" for w in ("alpha", "beta", "gamma"))})
    with Searcher(tmp_path / "ix", corpus=root) as s:
        kept = Impacts(s._current().searcher, kept=4)
        iron = kept.of(Term("content", "iron"))  # in all three documents
        assert len(iron[0]) == 3
        kept.of(Term("content", "alpha"))
        kept.of(Term("content", "beta"))  # 5 postings: iron, the oldest, goes
        assert ("term", "content", "iron") not in kept._leaves
        assert kept._size == 2
    monkeypatch.setattr(impacts, "KEPT_LEAVES", 3)
    with Searcher(tmp_path / "ix", corpus=root) as s:
        kept = Impacts(s._current().searcher)
        for word in ("nowhere", "nothing", "absent", "missing"):  # no postings, yet kept: bounded too
            kept.of(Term("content", word))
        assert list(kept._leaves) == [("term", "content", w) for w in ("nothing", "absent", "missing")]


def test_a_words_postings_read_as_arrays_score_as_whooshs_matcher_to_the_last_bit(write_corpus, tmp_path, monkeypatch):
    rng = random.Random(3)
    vocabulary = ["iron", "brain", "lesion"] + [f"word{n}" for n in range(60)]
    weighted = [w for n, w in enumerate(vocabulary) for _ in range(max(1, 30 // (n + 1)))]
    root = write_corpus(_generated(rng, weighted, files=8, questions=40))
    monkeypatch.setattr("indexer.build.FULL_MERGE_LIMIT", 0)  # keep the update's segments apart
    Searcher(tmp_path / "ix", corpus=root).close()
    (root / "f2.txt").write_text(_generated(rng, weighted, files=1, questions=10)["f0.txt"], encoding="utf-8")
    with Searcher(tmp_path / "ix", corpus=root) as s:
        whoosh_searcher = s._current().searcher
        assert len(whoosh_searcher.leaf_searchers()) > 1
        kept = Impacts(whoosh_searcher)
        terms = [Term(field, word) for field in ("content", "question") for word in {w.lower() for w in vocabulary}]
        read_as_arrays = 0
        for term in terms:
            for sub, _ in whoosh_searcher.leaf_searchers():
                fast = kept._read_term(sub, term, whoosh_searcher.weighting)
                slow = kept._read_matches(sub, term, whoosh_searcher.context(), UNLIMITED)
                if fast is None:
                    continue
                read_as_arrays += 1
                assert fast[0].tolist() == slow[0].tolist(), term
                assert fast[1].tolist() == slow[1].tolist(), term  # exactly, not approximately
        assert read_as_arrays > len(terms)
