"""The top-N collector keeps every document tied with the last of the N."""

from __future__ import annotations

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Term

from search.collect import TopWithTies


def _index(texts):
    ix = RamStorage().create_index(Schema(id=ID(stored=True), body=TEXT))
    with ix.writer() as writer:
        for n, text in enumerate(texts):
            writer.add_document(id=str(n), body=text)
    return ix


def _collected(ix, limit):
    with ix.searcher() as searcher:
        collector = TopWithTies(limit=limit)
        searcher.search_with_collector(Term("body", "iron"), collector)
        found = collector.results()
        return [hit["id"] for hit in found], collector.complete()


def test_ties_with_the_last_kept_document_are_all_kept():
    # Documents 1-4 score the same; the best two are 0 and one of the tied four.
    ix = _index(["iron iron iron", "iron ore", "iron bar", "iron rod", "iron age", "copper"])
    ids, complete = _collected(ix, 2)
    assert ids[0] == "0" and sorted(ids[1:]) == ["1", "2", "3", "4"] and not complete


def test_ties_below_the_cut_are_dropped_and_small_result_sets_are_complete():
    ix = _index(["iron iron iron", "iron iron ore", "iron bar", "iron rod", "copper"])
    assert _collected(ix, 2) == (["0", "1"], False)
    assert sorted(_collected(ix, 10)[0]) == ["0", "1", "2", "3"] and _collected(ix, 10)[1]
