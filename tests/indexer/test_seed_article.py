"""The shipped article: every question found, furniture left out, one document per answer."""

from __future__ import annotations

import pytest

from faqindex.scan import scan
from indexer.segment import segment
from indexer.sources import read_file
from indexer.text import read_text
from tests.conftest import SEED

EXPECTED_QUESTIONS = [
    "Is iron deficiency related to MS?",
    "What part of the brain shows MS?",
    "How is early MS diagnosis?",
    "Does MS always cause brain lesions?",
    "Is iron good for MS patients?",
    "Does MS cause high ferritin levels?",
    "Does MRI show early MS?",
    "What symptoms do MS brain lesions cause?",
    "What does MS feel like in the beginning?",
    "Can MS be managed if caught early on?",
    "When should you suspect multiple sclerosis?",
    "Can MS lesions disappear?",
    "Can MS lesions shrink?",
    "Can you have MS and have a normal MRI?",
    "Can iron deficiency cause brain lesions?",
    "Can low ferritin cause neurological symptoms?",
    "Is anemia common in MS patients?",
    "Can MS cause high hemoglobin?",
    "Are pernicious anemia and MS related?",
    "What do white spots on brain MRI mean?",
    "Would a head CT show MS?",
    "Can anxiety mimic MS?",
    "Where are lesions most common in MS?",
    "How do you rule out MS?",
    "What do MS lesions in the brain look like?",
    "Where does MS usually start?",
    "Is MS painful in early stages?",
    "How does MS affect your legs?",
    "Is it important to diagnose MS early?",
    "What blood tests would indicate MS?",
    "Can MS disable you?",
    "Can a neurologist tell if you have MS?",
    "How does MS affect the brain?",
    "Can a neurological exam rule out MS?",
    "Can you tell how old brain lesions are?",
    "Can MS stay mild?",
    "How many lesions is alot for MS?",
    "How often should MS patients have MRIs?",
    "Can MS stay in remission forever?",
    "Does MS cause throat tightness?",
    "What mimics multiple sclerosis?",
    "Can you have MS lesions on brain but not spine?",
    "What causes iron deposits in the brain?",
    "Can too much iron affect the brain?",
    "What does iron in the brain mean?",
    "Can MS cause high ferritin levels?",
    "How does low ferritin affect the brain?",
    "Does the brain need iron?",
]


@pytest.fixture(scope="module")
def documents():
    return segment(read_text(SEED.read_text(encoding="utf-8")), SEED.name).documents


def test_all_48_question_texts_are_found_in_order(documents):
    found = [q for doc in documents for q in doc.questions]
    assert len(found) == 48
    assert sorted(found) == sorted(EXPECTED_QUESTIONS)
    assert [doc.question for doc in documents] == [q for q in EXPECTED_QUESTIONS if q != "Can MS cause high ferritin levels?"]


def test_questions_with_the_same_answer_become_one_document(documents):
    assert len(documents) == 47
    ferritin = [d for d in documents if "Does MS cause high ferritin levels?" in d.questions]
    assert len(ferritin) == 1
    assert ferritin[0].questions == ["Does MS cause high ferritin levels?", "Can MS cause high ferritin levels?"]
    assert ferritin[0].answer.startswith("Hyperferritinemia has also been reported")


def test_page_furniture_is_never_a_document_or_part_of_an_answer(documents):
    everything = "\n".join(q for d in documents for q in d.questions) + "\n".join(d.answer for d in documents)
    for furniture in ("Home / Blog", "Table of Contents", "About Mary Crane", "businesswoman", "Check Also",
                      "Hp To Psi", "Leave a Reply", "will not be published"):
        assert furniture not in everything


def test_title_is_taken_from_the_page_and_not_repeated_in_answers(documents):
    assert {d.title for d in documents} == {"Iron Deposits in the Brain May Be Early Indicator of MS"}
    assert not any("Iron Deposits in the Brain May Be Early Indicator" in d.answer for d in documents)


def test_answers_keep_sub_headings_and_lists(documents):
    by_question = {d.question: d for d in documents}
    rule_out = by_question["How do you rule out MS?"].answer.split("\n")
    assert rule_out[0] == "MRI multiple sclerosis lesions"
    assert rule_out[1].startswith("1. Blood tests")
    assert rule_out[3].startswith("3. MRI, which can reveal")
    symptoms = by_question["What symptoms do MS brain lesions cause?"].answer.split("\n")
    assert symptoms[1:] == [
        "• vision problems.",
        "• muscle weakness, stiffness, and spasms.",
        "• numbness or tingling in your face, trunk, arms, or legs.",
        "• loss of coordination and balance.",
        "• trouble controlling your bladder.",
        "• persistent dizziness.",
    ]
    assert by_question["What does MS feel like in the beginning?"].answer.startswith("Numbness or Tingling\nA lack of feeling")


def test_a_question_inside_a_paragraph_is_not_a_new_question(documents):
    by_question = {d.question: d for d in documents}
    assert by_question["What do white spots on brain MRI mean?"].answer.startswith("What Are White Spots? Spots on")
    assert "What do we know about how MS affects" in by_question["What part of the brain shows MS?"].answer


def test_ids_are_stable_and_unique(documents):
    again = segment(read_text(SEED.read_text(encoding="utf-8")), SEED.name).documents
    assert [d.id for d in documents] == [d.id for d in again]
    assert len({d.id for d in documents}) == 47


def test_file_summary_reports_the_merge():
    (entry,) = scan(SEED)
    result = read_file(entry)
    assert len(result.documents) == 47
    assert "merged" in result.summary
