"""A search stops within its time budget in every phase, and fuzzy terms are bounded."""

from __future__ import annotations

import itertools
import string

import pytest

from search import QueryError, Searcher, budget, collect, highlight, impacts, query, vocabulary

ARTICLE = "".join(f"What is widget {n}?\n\nA thing about widgets, number {n}.\n\n" for n in range(300))


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _jump_when_called(monkeypatch, clock: FakeClock, owner, name: str) -> None:
    """Make `owner.name` move the clock far past any budget when it is called."""
    original = getattr(owner, name)

    def jumped(*args, **kwargs):
        clock.now += 3600
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, jumped)


@pytest.mark.parametrize(
    "phase, text",
    [
        ("fuzzy expansion", "widgts~2 thing"),
        ("collection", "thing widgets"),  # 300 documents tie: reordering them is the cost
        ("after Whoosh's collection", "thing AND widgets"),  # not a plain query: Whoosh's matchers
        ("highlighting", "thing widgets"),
    ],
)
def test_the_budget_is_checked_after_each_phase(write_corpus, tmp_path, monkeypatch, phase, text):
    root = write_corpus({"w.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=root, time_budget=5.0) as s:
        assert s.search(text)  # within the budget, it answers
        clock = FakeClock()
        monkeypatch.setattr(budget, "monotonic", clock)
        owner, name = {
            "fuzzy expansion": (vocabulary.Vocabulary, "within"),
            "collection": (impacts.Impacts, "top"),
            "after Whoosh's collection": (collect.TopWithTies, "results"),
            "highlighting": (highlight, "answer_highlights"),
        }[phase]
        _jump_when_called(monkeypatch, clock, owner, name)
        with pytest.raises(budget.SearchTimeout, match="took longer than 5 s"):
            s.search(text)


def test_a_timeout_is_a_query_error():
    assert issubclass(budget.SearchTimeout, QueryError)


def _fuzzy_leaves(prepared) -> set[str]:
    return {leaf.text for leaf in prepared.query.leaves() if getattr(leaf, "fieldname", "") == "content"}


def test_fuzzy_terms_look_at_most_two_edits_away(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "What is hemoglobin?\n\nA protein; also haemoglobin, and globin.\n"})
    with Searcher(tmp_path / "ix", corpus=root) as s:
        assert _fuzzy_leaves(s.prepare("hemoglobin~9")) == _fuzzy_leaves(s.prepare("hemoglobin~2"))
        assert "globin" not in _fuzzy_leaves(s.prepare("hemoglobin~9"))


def test_a_fuzzy_term_stands_for_the_closest_words_only(write_corpus, tmp_path):
    # 26 x 5 words one substitution away from "zebra", and some two away.
    words = sorted({"zebra"[:i] + c + "zebra"[i + 1 :] for i in range(5) for c in string.ascii_lowercase})
    words += ["".join(p) + "bra" for p in itertools.islice(itertools.product("xy", repeat=2), 4)]
    root = write_corpus({"z.txt": "What are these words?\n\n" + " ".join(words) + ".\n"})
    with Searcher(tmp_path / "ix", corpus=root) as s:
        leaves = _fuzzy_leaves(s.prepare("zebra~2"))
        assert len(leaves) == query.MAX_EXPANSIONS
        assert "zebra" in leaves and not any(w.endswith("bra") and w[:2] in ("xx", "xy", "yx", "yy") for w in leaves)


def test_highlighting_reads_only_the_opening_of_a_huge_answer(write_corpus, tmp_path):
    filler = "Nothing to see here. " * (highlight.HIGHLIGHT_CHARS // 20)
    root = write_corpus({"a.txt": f"What is in the long answer?\n\n{filler}The ferritin is at the end.\n"})
    with Searcher(tmp_path / "ix", corpus=root) as s:
        hit = s.search("ferritin")[0]
    assert "<mark>" not in "".join(hit.highlights)  # the match lies beyond what is read
    assert hit.highlights[0].startswith("Nothing to see here.")


def test_the_budget_is_checked_while_a_fuzzy_term_reads_the_word_list(write_corpus, tmp_path, monkeypatch):
    # Whoosh's terms_within never looks at the clock: a long fuzzy term over a large
    # vocabulary ran for a minute. Here each comparison moves the clock a second.
    words = ["".join(p) for p in itertools.islice(itertools.product(string.ascii_lowercase, repeat=6), 3000)]
    root = write_corpus({"w.txt": "What are these words?\n\n" + " ".join(words) + ".\n"})
    with Searcher(tmp_path / "ix", corpus=root, time_budget=5.0) as s:
        assert s.prepare("aaaaab~1")  # within the budget, it answers
        clock = FakeClock()
        monkeypatch.setattr(budget, "monotonic", clock)
        original = vocabulary.edit_distance

        def slow(*args, **kwargs):
            clock.now += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(vocabulary, "edit_distance", slow)
        with pytest.raises(budget.SearchTimeout):
            s.search("aaaaab~2")


def test_a_long_fuzzy_term_is_refused_in_one_line(write_corpus, tmp_path):
    from click.testing import CliRunner

    from search import cli

    root = write_corpus({"a.txt": "What is ferritin?\n\nA protein that stores iron.\n"})
    Searcher(tmp_path / "ix", corpus=root).close()
    result = CliRunner().invoke(cli.main, ["search", "--index", str(tmp_path / "ix"), "--corpus", str(root), "q" * 200 + "~2"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 2  # the corpus searched, then the error
    assert f"at most {query.MAX_FUZZY_CHARACTERS} characters" in result.stderr
