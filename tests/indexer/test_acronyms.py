"""Acronym definitions mined from text: strict initials, both orders, no false pairs."""

from __future__ import annotations

from indexer.acronyms import mine


def test_long_form_then_acronym():
    found = mine(["Damage in multiple sclerosis (MS) is seen on magnetic resonance imaging (MRI)."])
    assert found == {"MRI": ["magnetic resonance imaging"], "MS": ["multiple sclerosis"]}


def test_acronym_then_long_form_and_extra_words_in_parentheses():
    found = mine(["An MRI (magnetic resonance imaging) scan.", "amyotrophic lateral sclerosis (ALS or Lou Gehrig's disease)"])
    assert found["MRI"] == ["magnetic resonance imaging"]
    assert found["ALS"] == ["amyotrophic lateral sclerosis"]


def test_small_words_and_hyphenated_parts():
    found = mine(["the Department of Health (DOH) and the blood-brain barrier (BBB)"])
    assert found == {"BBB": ["blood-brain barrier"], "DOH": ["department of health"]}


def test_loose_matches_are_not_definitions():
    # "testing" does not start with I; citations and figures in parentheses are not acronyms.
    text = "magnetic resonance testing (MRI) was used (Stankiewicz and Brass, 2009) (Figure 3) (p < 0.05)"
    assert mine([text]) == {}
