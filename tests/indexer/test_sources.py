"""Reading files: decoding, skipping with a reason, JSON Lines records."""

from __future__ import annotations

import codecs

import pytest

from faqindex.scan import scan
from indexer.sources import decode, read_file

QA = "Is Behçet disease like MS?\n\nIt can look like MS on an MRI.\n"


def results(root):
    return {entry.name: read_file(entry) for entry in scan(root)}


def test_decoding_utf8_bom_cp1252_and_utf16():
    assert decode(codecs.BOM_UTF8 + "café".encode()) == ("café", "utf-8-sig")
    assert decode("Behçet’s".encode("cp1252")) == ("Behçet’s", "cp1252")
    assert decode(codecs.BOM_UTF16_LE + "Behçet".encode("utf-16-le"))[0] == "Behçet"
    assert decode(b"\x89PNG\r\n\x1a\n\x00\x00") == (None, "")


def test_html_meta_charset_is_honoured():
    markup = '<meta charset="iso-8859-15"><p>50 \xa4</p>'.encode("latin-1")
    text, encoding = decode(markup, html=True)
    assert "50 €" in text and encoding == "iso8859-15"


def test_each_bad_file_is_reported_and_the_rest_indexed(write_corpus):
    root = write_corpus({
        "good.txt": QA,
        "latin.txt": QA.encode("cp1252"),
        "bom.txt": codecs.BOM_UTF8 + QA.encode(),
        "empty.txt": "",
        "binary.txt": b"\x00\x01\x02binary\x00",
        "notes.pdf": b"%PDF-1.4",
    })
    found = results(root)
    for name in ("good.txt", "latin.txt", "bom.txt"):
        assert [d.question for d in found[name].documents] == ["Is Behçet disease like MS?"], name
    assert "cp1252" in found["latin.txt"].summary
    assert found["empty.txt"].skipped == "empty file"
    assert found["binary.txt"].skipped == "binary file, not text"
    assert found["notes.pdf"].skipped == "unsupported file type .pdf"


def test_symlink_outside_the_corpus_is_not_followed(write_corpus, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Is this private?\n\nYes.\n")
    root = write_corpus({"good.txt": QA})
    (root / "link.txt").symlink_to(secret)
    (root / "loop").symlink_to(root, target_is_directory=True)
    found = results(root)
    assert found["link.txt"].skipped == "symbolic link pointing outside the corpus (not followed)"
    assert not found["link.txt"].documents
    assert set(found) == {"good.txt", "link.txt", "loop"}  # the looping directory link is not walked
    assert found["loop"].skipped == "symbolic link to a folder (not followed)" and not found["loop"].documents


def test_jsonl_records_keep_their_ids_and_bad_lines_are_reported(write_corpus):
    root = write_corpus({
        "docs.jsonl": '{"_id": "d1", "title": "Iron", "text": "Iron is vital."}\n'
        "not json\n"
        '{"id": "d2", "question": "What is MS?", "answer": "A disease."}\n'
        '{"_id": "d3", "text": "Only text."}\n',
    })
    result = results(root)["docs.jsonl"]
    assert [(d.id, d.question, d.answer) for d in result.documents] == [
        ("d1", "Iron", "Iron is vital."),
        ("d2", "What is MS?", "A disease."),
        ("d3", "", "Only text."),
    ]
    assert "1 bad lines skipped (first: line 2: not JSON" in result.summary


def test_control_characters_and_escape_sequences_are_removed(write_corpus):
    root = write_corpus({"a.txt": "Is it \x1b[31mred\x1b[0m?\n\nYes\x07 it\x7f is.\n"})
    (doc,) = results(root)["a.txt"].documents
    assert (doc.question, doc.answer) == ("Is it red?", "Yes it is.")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_corpus_that_is_no_file_says_what_it_is(tmp_path, kind):
    import os

    from faqindex.errors import CorpusError
    from faqindex.scan import scan

    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
        expected = "is a FIFO"
    else:
        path = "/dev/zero"
        expected = "is a character device"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero")
    with pytest.raises(CorpusError, match=expected):
        scan(path)


def test_linked_folders_are_listed_as_skipped(write_corpus, tmp_path):
    import os

    root = write_corpus({"a.txt": QA})
    os.symlink("/etc", root / "etc-link")
    os.symlink("..", root / "up")
    os.symlink(root, root / "loop")
    skipped = {entry.name: entry.skip for entry in scan(root) if entry.skip}
    assert skipped == {name: "symbolic link to a folder (not followed)" for name in ("etc-link", "loop", "up")}
