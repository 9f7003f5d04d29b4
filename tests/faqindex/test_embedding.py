"""A search's model looks word pieces up in the pieces sorted; it splits words as a build's does."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import ARTICLES
from faqindex import embedding
from faqindex.embedding import MODEL_DIR, SORTED_PIECES, SORTED_ROWS, StaticModel, write_sorted_pieces

_IN_MEMORY = StaticModel(in_memory=True)  # the dictionary of every piece, as a build has it


def _mapped(monkeypatch, words_before_dictionary: int = 10**9) -> StaticModel:
    monkeypatch.setattr(embedding, "SORTED_WORDS", words_before_dictionary)
    model = StaticModel()
    assert model._sorted is not None
    return model


def test_the_shipped_sorted_pieces_are_those_of_its_pieces_list(tmp_path):
    shutil.copy(MODEL_DIR / "pieces.txt", tmp_path / "pieces.txt")
    write_sorted_pieces(tmp_path)
    for name in (SORTED_PIECES, SORTED_ROWS):
        written, shipped = np.load(tmp_path / name), np.load(MODEL_DIR / name)
        assert written.dtype == shipped.dtype and np.array_equal(written, shipped), name


def test_the_articles_words_split_into_the_pieces_the_dictionary_gives(monkeypatch):
    model = _mapped(monkeypatch)
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(ARTICLES.iterdir()) if path.is_file())
    words = sorted(set(embedding._WORD.findall(text.lower())))
    assert len(words) > 500
    assert [model._word_pieces(word) for word in words] == [_IN_MEMORY._word_pieces(word) for word in words]
    assert model.pieces(text) == _IN_MEMORY.pieces(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdeimnorstuxyzé日本ß0-'#"), min_size=1, max_size=40))
def test_any_word_splits_into_the_pieces_the_dictionary_gives(word):
    model = StaticModel()
    assert model._sorted is not None
    assert model._found([word]) == _IN_MEMORY._found([word])
    assert model._word_pieces(word) == _IN_MEMORY._word_pieces(word)


def test_a_process_that_meets_many_words_builds_the_dictionary(monkeypatch):
    model = _mapped(monkeypatch, words_before_dictionary=3)
    for word in ("iron", "ferritin", "brain"):
        model.pieces(word)
    assert model._sorted is not None
    assert model.pieces("hemosiderin lesions") == _IN_MEMORY.pieces("hemosiderin lesions")
    assert model._sorted is None and len(model.index) == len(_IN_MEMORY.index)


def test_a_model_directory_without_sorted_pieces_uses_the_dictionary(tmp_path):
    for name in ("pieces.txt", "vectors.npy"):
        shutil.copy(MODEL_DIR / name, tmp_path / name)
    model = StaticModel(tmp_path)
    assert model._sorted is None
    assert model.pieces("iron deposits in the brain") == _IN_MEMORY.pieces("iron deposits in the brain")


def test_threads_splitting_words_while_the_dictionary_is_built_get_the_dictionarys_pieces(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    model = _mapped(monkeypatch, words_before_dictionary=40)
    text = " ".join(path.read_text(encoding="utf-8") for path in sorted(ARTICLES.iterdir()) if path.is_file())
    words = sorted(set(embedding._WORD.findall(text.lower())))
    with ThreadPoolExecutor(8) as pool:
        split = list(pool.map(lambda word: model._splits[word], words))
    assert model._sorted is None
    assert split == [_IN_MEMORY._word_pieces(word) for word in words]


def _model(directory, pieces: list[str], rows: np.ndarray) -> StaticModel:
    directory.mkdir()
    (directory / "pieces.txt").write_text("".join(f"{piece}\n" for piece in pieces), encoding="utf-8")
    np.save(directory / "vectors.npy", rows.astype(np.float16))
    write_sorted_pieces(directory)
    return StaticModel(directory)


def test_pieces_no_text_splits_into_can_be_left_out_without_changing_any_meaning(tmp_path):
    reachable = ["iron", "##s", "brain", "£", "1", "##0", ".", "°", "c"]
    unreachable = ["[unused0]", "£10", "...", "°c", "##´s", "<s>"]
    assert all(map(embedding.reachable, reachable)) and not any(map(embedding.reachable, unreachable))
    rows = np.random.default_rng(0).normal(size=(len(reachable) + len(unreachable), 8))
    full = _model(tmp_path / "full", reachable + unreachable, rows)
    kept = _model(tmp_path / "kept", reachable, rows[: len(reachable)])
    texts = ["irons in the brain", "£10 at 20 °c...", "[unused0] <s> ´s", "brains.", "£100"]
    assert np.array_equal(full.encode(texts), kept.encode(texts))
    assert full.encode(texts).any(axis=1).tolist() == [True, True, False, True, True]


def test_the_shipped_model_holds_only_pieces_some_text_splits_into():
    pieces = (MODEL_DIR / "pieces.txt").read_text(encoding="utf-8").splitlines()
    assert pieces and all(map(embedding.reachable, pieces))


@pytest.mark.parametrize(
    "damage",
    [
        "vectors.npy:cut",
        "closeness.npy:cut",
        "closeness-scales.npy:cut",
        "pieces.txt:cut",
        "pieces-sorted.npy:empty",
        "pieces-rows.npy:empty",
    ],
)
def test_a_damaged_shipped_model_is_one_line_and_exit_2(write_corpus, tmp_path, monkeypatch, damage):
    import shutil

    from click.testing import CliRunner

    from search import cli

    name, how = damage.split(":")
    copy = tmp_path / "meaning"
    shutil.copytree(embedding.MODEL_DIR, copy)
    path = copy / name
    path.write_bytes(b"" if how == "empty" else path.read_bytes()[: path.stat().st_size // 2])
    monkeypatch.setattr(embedding, "MODEL_DIR", copy)
    for cached in (embedding.shipped_model, embedding.shipped_closeness_model, embedding._piece_index):
        cached.cache_clear()
    try:
        root = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
        result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(root), "iron"])
        assert result.exit_code == 2, result.output
        errors = [line for line in result.stderr.splitlines() if line.startswith("faqsearch: error:")]
        assert len(errors) == 1 and "the package's model is damaged" in errors[0] and errors[0].endswith("reinstall faqsearch")
        assert "Traceback" not in result.output
    finally:
        for cached in (embedding.shipped_model, embedding.shipped_closeness_model, embedding._piece_index):
            cached.cache_clear()


def test_memory_the_system_refuses_is_not_blamed_on_the_shipped_model(monkeypatch):
    import errno

    def refused(*args, **kwargs):
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(embedding.np, "load", refused)
    with pytest.raises(MemoryError):
        StaticModel(embedding.MODEL_DIR)
