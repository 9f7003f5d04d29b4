"""Plain-text reader: roles from the shape of lines."""

from __future__ import annotations

from indexer.segment import segment
from indexer.text import read_text


def kinds(text: str):
    return [(b.kind, b.text) for b in read_text(text).blocks]


def test_short_standalone_lines_are_headings_and_long_ones_paragraphs():
    assert kinds("Getting started\n\nThis is a long paragraph of running text that ends with a period.\n") == [
        ("heading", "Getting started"),
        ("paragraph", "This is a long paragraph of running text that ends with a period."),
    ]


def test_bullets_and_numbers_are_list_items():
    blocks = read_text("  • one\n  - two\n  3. three\n")
    assert [(b.kind, b.marker, b.text) for b in blocks.blocks] == [
        ("item", "•", "one"), ("item", "•", "two"), ("item", "3.", "three"),
    ]


def test_hard_wrapped_paragraphs_are_joined():
    assert kinds("first line of a paragraph\nsecond line of it.\n") == [
        ("paragraph", "first line of a paragraph second line of it."),
    ]


def test_question_directly_above_its_answer():
    found = segment(read_text("Is MS curable?\nNot yet, but it is treatable.\n"), "a.txt").documents
    assert [(d.question, d.answer) for d in found] == [("Is MS curable?", "Not yet, but it is treatable.")]


def test_markdown_headings():
    found = segment(read_text("# FAQ\n\n## What is MS?\n\nA disease.\n"), "a.md").documents
    assert [(d.title, d.question, d.answer) for d in found] == [("FAQ", "What is MS?", "A disease.")]


def test_text_without_questions_is_kept_whole():
    found = segment(read_text("Just one paragraph of notes about iron, with no questions at all."), "notes.txt").documents
    assert len(found) == 1
    assert found[0].answer.startswith("Just one paragraph")


def test_a_question_with_no_answer_is_not_a_document():
    found = segment(read_text("Contents?\n\nWhat is MS?\n\nA disease of the nervous system.\n"), "a.txt").documents
    assert [d.question for d in found] == ["What is MS?"]


def test_less_than_sign_in_text_is_kept():
    found = segment(read_text("Was it significant?\n\nYes (p < 0.05).\n"), "a.txt").documents
    assert found[0].answer == "Yes (p < 0.05)."
