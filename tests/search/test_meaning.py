"""Ranking by meaning with the shipped static model: on in every default search."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from faqindex import embedding, store
from indexer import build_index
from search import IndexCorruptError, Searcher, cli

ARTICLE = """Sample answers

Does MS cause fatigue?

Fatigue is common and can be tiring for days.

Is MS painful in early stages?

Spasms and optic neuritis can be painful.

Can MS cause high hemoglobin?

Hemoglobin is measured with a blood count.
"""


@pytest.fixture
def corpus(write_corpus):
    return write_corpus({"ms.txt": ARTICLE})


def test_a_text_is_the_unit_mean_of_its_word_pieces():
    model = embedding.shipped_model()
    pieces = model.pieces("Multiple Sclerosis")
    assert pieces == model.pieces("multiple sclerosis") and pieces  # lower-cased
    expected = np.asarray(model.vectors[pieces], dtype=np.float32).mean(0)
    row = model.encode(["Multiple Sclerosis"])[0]
    assert np.allclose(row, expected / np.linalg.norm(expected), atol=1e-6)
    assert float(np.linalg.norm(row)) == pytest.approx(1.0, abs=1e-5)


def test_a_text_without_known_pieces_has_no_meaning():
    model = embedding.shipped_model()
    assert model.pieces("") == [] and model.pieces("x" * 500) == []  # a "word" past BERT's length
    assert not model.encode(["", "\u2603\u2603"]).any()


def test_a_long_text_is_cut_to_its_opening_pieces():
    model = embedding.shipped_model()
    long = "iron " * (embedding.MAX_PIECES + 50)
    assert len(model.pieces(long)) == embedding.MAX_PIECES


def test_related_texts_are_closer_than_unrelated_ones():
    painful, hurt, hemoglobin = embedding.shipped_model().encode(
        ["Is MS painful in early stages?", "does multiple sclerosis hurt", "Hemoglobin is measured with a blood count."]
    )
    assert float(painful @ hurt) > float(hemoglobin @ hurt)


def test_a_default_search_finds_a_question_in_other_words(corpus, tmp_path):
    query = "does ms hurt"  # "hurt" is in no answer: the words alone cannot choose
    with Searcher(tmp_path / "ix", corpus=corpus, meaning=False) as words:
        assert words.search(query)[0].question != "Is MS painful in early stages?"
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        hits = searcher.results(query, explain=True).hits
    assert hits[0].question == "Is MS painful in early stages?"
    assert "meaning" in [part.field for part in hits[0].explanation]  # what put it first


def test_every_document_has_its_meaning_in_the_generation(corpus, tmp_path):
    build_index(corpus, tmp_path / "ix")
    generation = store.current_generation(tmp_path / "ix")
    with Searcher(tmp_path / "ix", auto_build=False, meaning=False) as searcher, searcher.reading() as whoosh_searcher:
        reader = whoosh_searcher.reader()
        texts = {docnum: embedding.document_text(fields) for docnum, fields in reader.iter_docs()}
    vectors = embedding.read_vectors(generation, len(texts), embedding.shipped_model().dimensions)
    for docnum, text in texts.items():
        assert np.allclose(vectors[docnum], embedding.shipped_model().encode([text])[0], atol=2e-3)  # float16


def _vectors_by_question(index_dir):
    generation = store.current_generation(index_dir)
    with Searcher(index_dir, auto_build=False, meaning=False) as searcher, searcher.reading() as whoosh_searcher:
        reader = whoosh_searcher.reader()
        vectors = embedding.read_vectors(generation, reader.doc_count_all(), embedding.shipped_model().dimensions)
        return {fields["question"]: vectors[docnum].tolist() for docnum, fields in reader.iter_docs()}


def test_an_update_writes_the_meaning_a_full_build_writes_embedding_only_what_changed(write_corpus, tmp_path, monkeypatch):
    root = write_corpus({"a.txt": ARTICLE, "b.txt": "B\n\nWhat is ferritin?\n\nA protein that stores iron.\n"})
    build_index(root, tmp_path / "ix")
    (root / "b.txt").write_text("B\n\nWhat is ferritin?\n\nA blood protein that stores iron in cells.\n")
    embedded = []
    encode = embedding.StaticModel.encode
    monkeypatch.setattr(embedding.StaticModel, "encode", lambda self, texts: embedded.extend(texts) or encode(self, texts))
    build_index(root, tmp_path / "ix")
    assert len(embedded) == 1 and "stores iron in cells" in embedded[0]
    build_index(root, tmp_path / "full", full=True)
    assert _vectors_by_question(tmp_path / "ix") == _vectors_by_question(tmp_path / "full")


def test_missing_meaning_is_damage_that_a_search_repairs(corpus, tmp_path):
    build_index(corpus, tmp_path / "ix")
    (store.current_generation(tmp_path / "ix") / embedding.VECTORS_FILE).write_bytes(b"not numpy")
    with pytest.raises(IndexCorruptError, match=embedding.VECTORS_FILE):
        Searcher(tmp_path / "ix", auto_build=False)
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:  # rebuilt
        assert searcher.search("fatigue")[0].question == "Does MS cause fatigue?"
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hemoglobin"])
    assert result.exit_code == 0


def test_meaning_that_does_not_fit_the_index_is_refused(corpus, tmp_path):
    build_index(corpus, tmp_path / "ix")
    path = store.current_generation(tmp_path / "ix") / embedding.VECTORS_FILE
    np.save(path, np.zeros((2, 7), dtype=np.float16))
    with pytest.raises(IndexCorruptError, match="not 3 x"):
        Searcher(tmp_path / "ix", auto_build=False)


def test_a_question_nothing_in_the_corpus_is_about_is_a_weak_match(corpus, tmp_path):
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        off_topic = searcher.results("how tall is the eiffel tower")
        assert off_topic.hits == [] or off_topic.weak
        assert searcher.results("what does ms feel like, is it painful").weak is False


def test_the_command_line_can_rank_by_words_alone(corpus, tmp_path):
    args = ["search", "--json", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "does", "ms", "hurt"]
    default = json.loads(CliRunner().invoke(cli.main, args).output)
    words = json.loads(CliRunner().invoke(cli.main, [*args, "--words-only"]).output)
    assert default["hits"][0]["question"] == "Is MS painful in early stages?"
    assert words["hits"][0]["question"] != "Is MS painful in early stages?"


def test_words_only_and_a_sentence_model_exclude_each_other(corpus, tmp_path):
    result = CliRunner().invoke(cli.main, ["search", "--words-only", "--semantic", "--index", str(tmp_path / "ix"), "iron"])
    assert result.exit_code == 2 and "exclude each other" in result.output


def test_a_sentence_model_directory_without_a_model_is_refused_in_one_line(corpus, tmp_path):
    empty = tmp_path / "no-model"
    empty.mkdir()
    args = ["search", "--semantic", "--model", str(empty), "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "iron"]
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and f"--model {empty}" in result.stderr


def test_changing_the_shipped_model_comes_with_a_new_schema_version():
    # Each generation holds its documents' vectors in the shipped model: an index written
    # with another model would be compared in two spaces. A new model must bump
    # SCHEMA_VERSION (so old indexes are rebuilt) and then the pair recorded here. (Leaving
    # out rows no text reaches embeds every text as before, and kept version 15.)
    import hashlib

    from faqindex.schema import SCHEMA_VERSION

    digest = hashlib.blake2b(digest_size=16)
    for name in ("vectors.npy", "closeness.npy", "closeness-scales.npy", "pieces.txt"):
        digest.update((embedding.MODEL_DIR / name).read_bytes())
    assert (SCHEMA_VERSION, digest.hexdigest()) == (15, "a5a2e3705daa5a3ed8500e421fa69b73")


def test_weak_matches_are_judged_in_the_distilled_table(corpus, tmp_path):
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        results = searcher.results("does ms hurt")
        best = results.hits[0]
    closeness_model = embedding.shipped_closeness_model()
    asked, document = closeness_model.encode(["does ms hurt", f"{best.question} {best.answer}"])
    assert results.closeness == pytest.approx(float(asked @ document), abs=1e-6)
    assert closeness_model.dimensions < embedding.shipped_model().dimensions  # its own, smaller table


def test_segments_embedded_in_several_processes_get_the_rows_one_process_gives(tmp_path, monkeypatch):
    from whoosh import index as whoosh_index

    from faqindex.schema import make_schema

    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    for segment in range(3):
        with ix.writer() as writer:
            writer.merge = False  # a segment each
            for n in range(5):
                writer.add_document(id=f"{segment}-{n}", question=f"What is protein {segment}{n}?", answer=f"Protein {n} stores iron.")
    with ix.writer() as writer:
        writer.merge = False
        writer.delete_by_term("id", "1-2")  # a deleted document's row stays zeros
    monkeypatch.setattr(embedding, "PARALLEL_DOCUMENTS", 0)
    rows = {}
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) == 3
        for processes in (1, 2):
            embedding.write_vectors(tmp_path, reader, processes=processes)  # the forked ones open tmp_path
            rows[processes] = [np.load(tmp_path / name) for name in (embedding.VECTORS_FILE, embedding.KEYS_FILE)]
    assert all(np.array_equal(one, two) for one, two in zip(rows[1], rows[2]))
    assert rows[2][0][:5].any(axis=1).all() and not rows[2][0][7].any()


def test_vectors_reordered_in_place_are_detected_and_rebuilt(write_corpus, tmp_path):
    import numpy as np

    from faqindex import embedding, store
    from indexer import build_index

    corpus = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n\nCan anxiety mimic MS?\n\nPanic feels like it.\n"})
    index = tmp_path / "ix"
    build_index(corpus, index)
    path = store.current_generation(index) / embedding.VECTORS_FILE
    rows = np.load(path)
    np.save(path, rows[::-1].copy())  # the same size, the rows in another order
    before = store.current_generation(index)
    with Searcher(index, corpus=corpus) as searcher:  # damage found: rebuilt whole
        assert searcher.search("ferritin")[0].question == "What is ferritin?"
    after = store.current_generation(index)
    assert after != before and embedding.digest_holds(after / embedding.VECTORS_FILE)
    assert np.array_equal(np.load(after / embedding.VECTORS_FILE), rows)
