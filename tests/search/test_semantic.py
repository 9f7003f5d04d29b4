"""Semantic re-ranking (the `semantic` extra): skipped where the extra is not installed."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import Searcher, cli, semantic

ARTICLE = """Sample answers

Does MS cause fatigue?

Fatigue is common and can be tiring for days.

Is MS painful in early stages?

Spasms and optic neuritis can be painful.
"""


def _installed() -> bool:
    try:
        semantic.Encoder(semantic.model_directory())
    except semantic.SemanticUnavailable:
        return False
    return True


needs_model = pytest.mark.skipif(not _installed(), reason="the semantic extra is not installed")


@pytest.fixture
def corpus(write_corpus):
    return write_corpus({"ms.txt": ARTICLE})


@needs_model
def test_the_encoder_gives_the_reference_model_vectors():
    # Reference: sentence-transformers 6.2 with the same model, normalize_embeddings=True.
    encoder = semantic.Encoder(semantic.model_directory())
    painful, hurt, fatigue = encoder.encode(["Is MS painful in early stages?", "does multiple sclerosis hurt", "Does MS cause fatigue?"])
    assert [round(float(x), 5) for x in painful[:6]] == pytest.approx([0.036567, -0.043102, 0.048145, 0.145547, -0.058674, -0.030354], abs=2e-5)
    assert float(painful @ hurt) == pytest.approx(0.629004, abs=2e-5)
    assert float(fatigue @ hurt) == pytest.approx(0.515245, abs=2e-5)


@needs_model
def test_the_encoder_runs_mpnet_as_transformers_does(tmp_path):
    # all-mpnet-base-v2 is an MPNet (relative position bias, RoBERTa's positions). Reference:
    # transformers 5's MPNetModel with these weights, mean pooling, normalised; the second
    # text is longer, so the first is padded.
    model = _tiny_mpnet(tmp_path / "mpnet", semantic.model_directory() / "tokenizer.json")
    encoder = semantic.Encoder(model)
    rows = encoder.encode(["Is MS painful in early stages?", "does multiple sclerosis hurt at all, and for how long does it last"])
    assert rows[0][:5].tolist() == pytest.approx([-0.06164, 0.006155, -0.04672, 0.291937, -0.033846], abs=2e-6)
    assert rows[1][:5].tolist() == pytest.approx([0.139888, 0.075287, -0.353037, 0.335992, 0.163191], abs=2e-6)


def test_an_unknown_architecture_is_refused(tmp_path):
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    (tmp_path / "config.json").write_text('{"model_type": "t5"}')
    with pytest.raises(semantic.SemanticUnavailable, match="BERT and MPNet"):
        semantic.Encoder(tmp_path)


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
    with pytest.raises(semantic.SemanticUnavailable, match="mean-pooling"):
        semantic.Encoder(tmp_path)


@needs_model
def test_meaning_finds_a_question_in_other_words(corpus, tmp_path):
    query = "does ms hurt"  # "hurt" is in neither answer: the words alone cannot choose
    with Searcher(tmp_path / "ix", corpus=corpus, meaning=False) as lexical:
        assert lexical.search(query)[0].question == "Does MS cause fatigue?"
    with Searcher(tmp_path / "ix", corpus=corpus, semantic=True) as searcher:
        hits = searcher.results(query, explain=True).hits
    assert hits[0].question == "Is MS painful in early stages?"
    parts = hits[0].explanation
    assert parts[0].field == "meaning"  # what put it first
    assert sum(part.score for part in parts) == pytest.approx(hits[0].score, rel=0.15)  # one scale


@needs_model
def test_document_vectors_are_kept_beside_the_index(corpus, tmp_path, monkeypatch):
    with Searcher(tmp_path / "ix", corpus=corpus, semantic=True) as searcher:
        searcher.search("does ms hurt")
    assert list((tmp_path / "ix" / semantic.SEMANTIC_DIR).glob("*/" + semantic.CACHE_PATTERN))  # a folder per model
    encoded: list[str] = []
    original = semantic.Encoder.encode
    monkeypatch.setattr(semantic.Encoder, "encode", lambda self, texts, **kw: (encoded.extend(texts), original(self, texts, **kw))[1])
    with Searcher(tmp_path / "ix", corpus=corpus, semantic=True) as searcher:
        searcher.search("is it tiring")
    assert encoded == ["is it tiring"]  # the query only: the answers come from the cache


@needs_model
def test_vectors_of_unknown_model_are_removed(corpus, tmp_path):
    Searcher(tmp_path / "ix", corpus=corpus).close()
    old = tmp_path / "ix" / semantic.SEMANTIC_DIR / "semantic-vectors-0123456789abcdef.npz"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"vectors written before they were kept per model")
    with Searcher(tmp_path / "ix", corpus=corpus, semantic=True) as searcher:
        assert searcher.search("does ms hurt")
    assert not old.exists()


def test_a_model_directory_without_the_model_is_a_one_line_error(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("FAQSEARCH_MODEL", str(tmp_path))
    result = CliRunner().invoke(cli.main, ["search", "--semantic", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hurt"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "FAQSEARCH_MODEL" in result.stderr


class _CountingEncoder:
    """Stands in for the model: a vector per text, and a record of what was embedded."""

    def __init__(self) -> None:
        self._np = pytest.importorskip("numpy")
        self.embedded: list[str] = []

    def encode(self, texts):
        self.embedded.extend(texts)
        return self._np.array([[len(t), 1.0] for t in texts], dtype="f4")


def test_cached_vectors_are_merged_and_damaged_files_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr(semantic.DocumentVectors, "MERGE_AT", 3)
    encoder = _CountingEncoder()
    vectors = semantic.DocumentVectors(encoder, tmp_path)  # type: ignore[arg-type]
    for text in ("a", "bb"):
        vectors.get([text])
    assert len(list(tmp_path.glob(semantic.CACHE_PATTERN))) == 2  # one file per search that embedded
    (tmp_path / semantic.CACHE_PATTERN.replace("*", "broken")).write_bytes(b"not a cache")
    vectors.get(["ccc"])  # a third file: merged into one with all three vectors
    assert len(list(tmp_path.glob(semantic.CACHE_PATTERN))) == 1  # the broken one gone too
    (tmp_path / semantic.CACHE_PATTERN.replace("*", "torn")).write_bytes(b"PK\x03\x04 half a file")
    reopened = semantic.DocumentVectors(_CountingEncoder(), tmp_path)  # type: ignore[arg-type]
    assert [float(v[0]) for v in reopened.get(["a", "bb", "ccc"])] == [1.0, 2.0, 3.0]
    assert reopened.encoder.embedded == []  # all from the cache


@needs_model
def test_index_semantic_embeds_every_answer_ahead(corpus, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    result = CliRunner().invoke(cli.main, ["index", "--semantic", "--json", "--index", str(index), "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["embedded"] == 2
    again = CliRunner().invoke(cli.main, ["index", "--semantic", "--index", str(index), "--corpus", str(corpus)])
    assert "Embedded 0 answers" in again.stdout  # nothing new to embed
    encoded: list[str] = []
    original = semantic.Encoder.encode
    monkeypatch.setattr(semantic.Encoder, "encode", lambda self, texts, **kw: (encoded.extend(texts), original(self, texts, **kw))[1])
    with Searcher(index, corpus=corpus, semantic=True) as searcher:
        assert searcher.search("does ms hurt")[0].question == "Is MS painful in early stages?"
    assert encoded == ["does ms hurt"]


def test_semantic_can_be_turned_on_by_the_environment(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("FAQSEARCH_MODEL", str(tmp_path))  # no model there: the error shows it was asked for
    monkeypatch.setenv("FAQSEARCH_SEMANTIC", "1")
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hurt"])
    assert result.exit_code == 2 and "FAQSEARCH_MODEL" in result.stderr
    monkeypatch.setenv("FAQSEARCH_SEMANTIC", "0")
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "painful"])
    assert result.exit_code == 0


def test_index_semantic_without_the_model_is_a_one_line_error_and_keeps_the_index(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("FAQSEARCH_MODEL", str(tmp_path))
    index = tmp_path / "ix"
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
    (directory / "config.json").write_text(json.dumps({
        "model_type": "mpnet", "hidden_size": hidden, "num_attention_heads": 2, "num_hidden_layers": layers,
        "intermediate_size": inner, "vocab_size": vocab, "max_position_embeddings": 514, "pad_token_id": 1,
        "layer_norm_eps": 1e-05, "relative_attention_num_buckets": 32, "hidden_act": "gelu"}))
    shutil.copy(tokenizer, directory / "tokenizer.json")
    return directory


@needs_model
@pytest.mark.parametrize("heads", [0, 7, 1_000_000_000, "2", None])
def test_a_configuration_that_does_not_fit_the_weights_is_a_one_line_error(corpus, tmp_path, monkeypatch, heads):
    model = _tiny_mpnet(tmp_path / "mpnet", semantic.model_directory() / "tokenizer.json")
    config = json.loads((model / "config.json").read_text())
    config["num_attention_heads"] = heads
    (model / "config.json").write_text(json.dumps(config))
    with pytest.raises(semantic.SemanticUnavailable, match="num_attention_heads"):
        semantic.Encoder(model)
    monkeypatch.setenv("FAQSEARCH_MODEL", str(model))
    result = CliRunner().invoke(cli.main, ["search", "--semantic", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "hurt"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


@needs_model
def test_a_text_is_cut_to_the_positions_the_model_has_whatever_its_config_says(tmp_path):
    model = _tiny_mpnet(tmp_path / "mpnet", semantic.model_directory() / "tokenizer.json")
    (model / "sentence_bert_config.json").write_text('{"max_seq_length": 100000}')
    encoder = semantic.Encoder(model)
    long, longer = encoder.encode(["iron " * 600, "iron " * 900])  # both past the 512 positions
    assert float(long @ longer) == pytest.approx(1.0, abs=1e-5)


def test_huge_model_files_are_refused_before_they_are_read(tmp_path):
    pytest.importorskip("numpy")
    pytest.importorskip("tokenizers")
    with open(tmp_path / "config.json", "wb") as sparse:
        sparse.truncate(6 << 30)  # 6 GB that take no disk
    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(semantic.SemanticUnavailable, match="larger than a model's config.json ever is"):
        semantic.Encoder(tmp_path)


def _stored_vectors(index: Path) -> int:
    folders = [p for p in (index / semantic.SEMANTIC_DIR).iterdir() if p.is_dir()]
    encoder = semantic.Encoder(semantic.model_directory())
    return sum(len(semantic.DocumentVectors(encoder, folder)) for folder in folders)


@needs_model
def test_vectors_of_documents_no_longer_indexed_are_forgotten(corpus, tmp_path):
    index = tmp_path / "ix"
    for n in range(6):  # each edit changes both answers
        (corpus / "ms.txt").write_text(ARTICLE.replace("for days", f"for {n} days").replace("painful.", f"painful {n}."), encoding="utf-8")
        result = CliRunner().invoke(cli.main, ["index", "--semantic", "--index", str(index), "--corpus", str(corpus)])
        assert result.exit_code == 0, result.output
        assert _stored_vectors(index) == 2
    for n in range(6):  # searches embed what they find; a new generation forgets the rest
        (corpus / "ms.txt").write_text(ARTICLE.replace("for days", f"for {n} weeks"), encoding="utf-8")
        with Searcher(index, corpus=corpus, semantic=True) as searcher:
            searcher.search("does it hurt")
        assert _stored_vectors(index) <= 2 * 2
