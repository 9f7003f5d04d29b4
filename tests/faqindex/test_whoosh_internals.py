"""Whoosh's internals that faqsearch relies on (faqindex/whoosh_internals.py lists them) are
where and what they were: a new Whoosh that moves one fails here, by name.

What each one gives is tested where it is used (the table of contents closed, the spelling
words kept, ties kept, highlights, scores equal across builds)."""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest
from whoosh.codec.whoosh3 import W3PerDocReader, W3PostingsWriter
from whoosh.collectors import TopCollector
from whoosh.externalsort import SortingPool
from whoosh.highlight import Highlighter
from whoosh.index import TOC
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.writing import PostingPool, SegmentWriter

from faqindex import whoosh_internals


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_whoosh_is_the_pinned_release():
    assert version("whoosh-reloaded") == "2.7.5"


def test_the_patched_methods_have_the_signatures_the_patches_wrap():
    assert _parameters(whoosh_internals._read) == ["cls", "storage", "indexname", "gen", "schema"]
    assert _parameters(whoosh_internals._has_column) == ["self", "fieldname"]
    assert _parameters(whoosh_internals._doc_field_length) == ["self", "docnum", "fieldname", "default"]
    assert _parameters(whoosh_internals._write_run) == ["self", "f", "items"]
    assert _parameters(whoosh_internals._pool_add) == ["self", "item"]
    assert _parameters(whoosh_internals._add_posting) == ["self", "id_", "weight", "vbytes", "length"]
    assert _parameters(whoosh_internals._read_run) == ["self", "path"]
    assert _parameters(whoosh_internals._add_postings_to_pool) == ["self", "reader", "startdoc", "docmap"]


def test_the_patches_are_in_place_once_applied():
    whoosh_internals.apply_reading_fixes()
    whoosh_internals.apply_writing_fixes()
    assert TOC.read.__func__ is whoosh_internals._read_closing
    assert W3PerDocReader.has_column is whoosh_internals._cached_has_column
    assert W3PerDocReader.doc_field_length is whoosh_internals._doc_field_length_read_once
    assert SortingPool._write_run is whoosh_internals._write_run_in_chunks
    assert PostingPool.add is whoosh_internals._add_to_pool
    assert W3PostingsWriter.add_posting is whoosh_internals._add_posting_unchecked
    assert SortingPool._read_run is whoosh_internals._read_run_in_chunks
    assert SegmentWriter.add_postings_to_pool is whoosh_internals._add_postings_keeping_spelling


def test_the_collector_still_routes_every_match_through_collect_and_a_heap():
    assert _parameters(TopCollector._collect) == ["self", "global_docnum", "score"]
    assert "self._collect(" in inspect.getsource(TopCollector.collect)
    source = inspect.getsource(TopCollector)
    assert "self.items" in source and "self.minscore" in source


def test_the_private_calls_are_there():
    assert _parameters(Highlighter._merge_matched_tokens) == ["tokens"]  # a static method
    assert BM25F(B=0.75, K1=1.2, content_B=0.3)._field_B == {"content": 0.3}
    assert _parameters(BM25FScorer.setup) == ["self", "searcher", "fieldname", "text"]
    init = inspect.getsource(BM25FScorer.__init__)
    for attribute in ("self.idf", "self.avgfl", "self.B", "self.K1", "self.qf", "self.setup("):
        assert attribute in init  # what init_bm25f_scorer sets in its place


def test_a_segments_postings_and_lengths_are_read_where_they_were(tmp_path):
    from whoosh.fields import TEXT, Schema
    from whoosh.index import create_in
    from whoosh.util.numeric import byte_to_length

    ix = create_in(tmp_path, Schema(content=TEXT))
    with ix.writer() as writer:
        for n in range(300):  # enough postings of "iron" for block postings, not inline ones
            writer.add_document(content="iron " * (1 + n % 5) + "brain")
    with ix.searcher() as searcher:
        reader = searcher.reader()
        blocks = whoosh_internals.posting_blocks(reader.postings("content", "iron"))
        assert blocks is not None
        ids, weights = zip(*((i, w) for block_ids, block_weights in blocks for i, w in zip(block_ids, block_weights)))
        assert list(ids) == list(range(300)) and list(weights) == [1 + n % 5 for n in range(300)]
        lengths = whoosh_internals.length_bytes(reader, "content")
        assert [byte_to_length(b) for b in lengths] == [reader.doc_field_length(n, "content") for n in range(300)]


def test_lengths_read_once_are_whooshs_lengths(tmp_path):
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    ix = create_in(tmp_path, Schema(content=TEXT, key=ID))
    with ix.writer() as writer:
        for n in range(40):
            writer.add_document(content="iron " * (n * 7 % 300), key=str(n))  # lengths 0 to 299
    reader = ix.reader()._perdoc
    whoosh_internals.apply_writing_fixes()
    asked = [(docnum, field) for docnum in range(41) for field in ("content", "key", "absent")]
    assert [reader.doc_field_length(d, f) for d, f in asked] == [whoosh_internals._doc_field_length(reader, d, f) for d, f in asked]
    with pytest.raises(IndexError):
        reader.doc_field_length(41, "content")
    reader.close()


def test_a_pool_spilled_to_runs_in_chunks_gives_its_items_sorted(tmp_path):
    import random

    whoosh_internals.apply_writing_fixes()
    rng = random.Random(5)
    items = [("content", rng.randbytes(3), rng.randrange(10**6), 1.0, rng.randbytes(4)) for _ in range(20_000)]
    pool = SortingPool(maxsize=6_000, tempdir=str(tmp_path))  # runs of two chunks each
    for item in items:
        pool.add(item)
    assert len(pool.runs) > 2
    assert list(pool.items(maxfiles=3)) == sorted(items)  # runs merged into runs first, too
    assert list(tmp_path.iterdir()) == []  # every run removed once read


def test_a_run_left_half_read_closes_quietly_when_its_file_is_gone(tmp_path):
    whoosh_internals.apply_writing_fixes()
    pool = SortingPool(maxsize=100, tempdir=str(tmp_path))
    for n in range(1_000):
        pool.add(("content", b"w%d" % n, n, 1.0, b""))
    reading = pool._read_run(pool.runs[0])
    next(reading)
    for path in tmp_path.iterdir():  # what a failed build's clean-up does
        path.unlink()
    reading.close()  # no FileNotFoundError (printed as "Exception ignored" when collected)


def test_the_posting_pool_estimates_and_spills_as_whoosh_does(tmp_path):
    from whoosh.filedb.filestore import FileStorage

    whoosh_internals.apply_writing_fixes()
    items = [("content", b"iron" * (n % 7), n, 1.0, b"v" * (n % 5) or None) for n in range(3_000)]
    pools = []
    for add in (whoosh_internals._pool_add, whoosh_internals._add_to_pool):
        storage = FileStorage(str(tmp_path / add.__name__)).create()
        pool = PostingPool(storage, segment=None, limitmb=0.1)
        for item in items:
            add(pool, item)
        pools.append((pool.currentsize, len(pool.runs), pool.fieldnames, list(pool.iter_postings())))
    assert pools[0] == pools[1] and pools[0][1] > 1


def test_postings_written_unchecked_are_whooshs(tmp_path, monkeypatch):
    from whoosh.fields import TEXT, Schema
    from whoosh.index import create_in

    def written(name):
        (tmp_path / name).mkdir()
        ix = create_in(tmp_path / name, Schema(content=TEXT(phrase=True)))
        with ix.writer() as writer:
            for n in range(400):  # long posting lists (blocks) and short ones (inline)
                writer.add_document(content=f"iron {'brain ' * (n % 9)} w{n % 37} x{n}")
        terms = []
        with ix.reader() as reader:
            for term in reader.all_terms():
                info = reader.term_info(*term)
                statistics = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())
                terms.append((term, statistics, list(reader.postings(*term).items_as("positions"))))
        return terms

    whoosh_internals.apply_writing_fixes()
    unchecked = written("unchecked")
    monkeypatch.setattr(W3PostingsWriter, "add_posting", whoosh_internals._add_posting)
    assert unchecked == written("whoosh") and len(unchecked) > 400


def test_importing_faqsearch_leaves_whoosh_as_it_is_until_it_opens_or_writes_an_index(tmp_path):
    # In a process of its own: this one has long had both applied.
    import subprocess
    import sys

    code = f"""
from whoosh.index import TOC
from whoosh.codec.whoosh3 import W3PostingsWriter
read, add = TOC.__dict__["read"], W3PostingsWriter.add_posting
import search, search.cli, indexer
assert TOC.__dict__["read"] is read and W3PostingsWriter.add_posting is add, "patched on import"
corpus = {str(tmp_path / "corpus")!r}
import os
os.makedirs(corpus)
open(os.path.join(corpus, "a.txt"), "w").write("What is ferritin?\\n\\nA protein.\\n")
indexer.build_index(corpus, {str(tmp_path / "ix")!r})
assert W3PostingsWriter.add_posting is not add, "a build did not apply the writing fixes"
with search.Searcher({str(tmp_path / "ix")!r}, auto_build=False) as searcher:
    assert TOC.__dict__["read"] is not read, "opening an index did not apply the reading fixes"
    assert searcher.search("ferritin")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
