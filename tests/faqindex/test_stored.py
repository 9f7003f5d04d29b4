"""The codec between a document and its stored fields: what is written is what is read."""

from __future__ import annotations

from faqindex.schema import make_schema
from faqindex.stored import StoredDocument, answer_of, place_of


def test_what_is_written_is_read_back_whole():
    document = StoredDocument(
        "d1", ("What is ferritin?", "Ferritin?"), "A protein.", "a.html", 3, "Iron", "", "https://example.org/a", "About iron."
    )
    fields = document.to_fields()
    assert set(fields) <= set(make_schema().names())  # nothing the schema lacks
    stored = {name: value for name, value in fields.items() if make_schema()[name].stored}
    assert StoredDocument.from_fields(stored) == document
    assert answer_of(stored) == "A protein." and place_of(stored) == ("a.html", 3)


def test_fields_an_index_lacks_read_as_their_defaults():
    document = StoredDocument.from_fields({"id": "x", "question": "Why?"})
    assert document == StoredDocument("x", ("Why?",), "", "", 0)
    assert document.question == "Why?" and place_of({}) == ("", 0)
