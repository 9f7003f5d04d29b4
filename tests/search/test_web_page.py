"""The search page in a real headless browser: Debian's chromium, driven by Playwright.

Skipped, with the reason, where the serve extra, Playwright or /usr/bin/chromium is missing
(`.ci/run` installs them where it can).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the serve extra is not installed")
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the test extra)")

from corpus import ARTICLES
from search import Searcher
from tests.search.live_server import live_server

CHROMIUM = os.environ.get("FAQSEARCH_CHROMIUM", "/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM} (apt install chromium)")

HOSTILE = """Hostile page

Is this answer safe to show?

It says <script>window.pwned = 1</script> and <img src=x onerror="window.pwned = 2"> and links to javascript:window.pwned=3 and <a href="javascript:window.pwned=4">click</a>.
"""  # noqa: E501 - one paragraph of the page, as an attacker writes it


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "iron.txt").write_text((ARTICLES / "iron-deposits-in-the-brain-ms.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    with Searcher(tmp_path_factory.mktemp("ix") / "ix", corpus=corpus) as searcher, live_server(searcher) as (host, port):
        yield f"http://{host}:{port}"


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        try:
            launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        except playwright.Error as exc:
            pytest.skip(f"chromium at {CHROMIUM} cannot start: {str(exc).splitlines()[0]}")
        yield launched
        launched.close()


def test_typing_ferritin_shows_its_answer_first_highlighted(site, browser):
    page = browser.new_page()
    page.goto(site)
    page.fill("#q", "ferritin")
    first = page.locator(".hit h2 a").first
    first.wait_for()
    assert first.inner_text() == "Does MS cause high ferritin levels?"
    assert page.locator(".hit").first.locator("mark").first.inner_text().lower() == "ferritin"
    assert page.url.endswith("?q=ferritin")  # a deep link to what is shown
    page.keyboard.press("ArrowDown")  # from the box to the first answer
    assert page.evaluate("document.activeElement.textContent") == "Does MS cause high ferritin levels?"
    page.close()


def test_a_deep_link_and_a_correction_are_shown(site, browser):
    page = browser.new_page()
    page.goto(f"{site}/?q=hemoglobni")
    assert "Showing results for hemoglobin" in page.inner_text(".corrected")
    assert page.input_value("#q") == "hemoglobni"
    page.close()


def test_hostile_document_text_stays_inert(site, browser):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site)
    page.fill("#q", "is this answer safe to show")
    page.locator(".hit h2 a", has_text="Is this answer safe to show?").wait_for()
    assert "<script>window.pwned = 1</script>" in page.inner_text("#results")
    assert page.locator("#results script, #results img, #results a[href^='javascript']").count() == 0
    page.locator(".hit h2 a", has_text="Is this answer safe to show?").click()
    page.wait_for_url("**/doc/**")
    assert "<script>window.pwned = 1</script>" in page.inner_text("article")
    assert page.locator("article script, article img, article a[href^='javascript']").count() == 0
    assert page.evaluate("window.pwned") is None and dialogs == []
    page.close()


def test_the_form_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site)
    page.fill("#q", "ferritin")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=ferritin")
    assert page.locator(".hit h2 a").first.inner_text() == "Does MS cause high ferritin levels?"
    context.close()


def test_the_page_fits_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site}/?q=iron")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing to scroll sideways
    if os.environ.get("FAQSEARCH_SCREENSHOT"):
        page.screenshot(path=os.environ["FAQSEARCH_SCREENSHOT"], full_page=False)
    context.close()


def test_an_answer_to_an_older_query_is_dropped(site, browser):
    page = browser.new_page()
    held = []

    def hold_iron(route):  # the answer for "iron" comes back after the one for "ferritin"
        held.append(route)

    page.route("**/api/search?q=iron*", hold_iron)
    page.goto(site)
    page.fill("#q", "iron")
    page.wait_for_timeout(400)  # past the debounce: the "iron" request is out
    page.fill("#q", "ferritin")
    page.locator(".hit h2 a").first.wait_for()
    assert held, "the request for the older query was not sent"
    held[0].continue_()
    page.wait_for_timeout(300)
    assert page.locator(".hit h2 a").first.inner_text() == "Does MS cause high ferritin levels?"
    assert page.url.endswith("?q=ferritin")
    page.close()


def test_a_typed_correction_offers_the_words_as_typed(site, browser):
    page = browser.new_page()
    page.goto(site)
    page.fill("#q", "hemoglobni")
    instead = page.locator(".corrected a")
    instead.wait_for()
    assert instead.inner_text() == "search instead for hemoglobni"
    instead.click()
    page.wait_for_url("**exact=1**")
    assert "Showing results for" not in page.inner_text("body")
    page.close()


def test_enter_opens_the_first_answer(site, browser):
    page = browser.new_page()
    page.goto(site)
    page.fill("#q", "ferritin")
    page.locator(".hit h2 a").first.wait_for()
    page.wait_for_url("**?q=ferritin")
    page.press("#q", "Enter")
    page.wait_for_url("**/doc/**")
    assert page.inner_text("h1") == "Does MS cause high ferritin levels?"
    page.close()


def test_more_answers_as_you_type(site, browser):
    page = browser.new_page()
    page.goto(site)
    page.fill("#q", "ms")
    more = page.locator(".more a")
    more.wait_for()
    assert page.locator(".hit").count() == 10
    more.click()
    page.wait_for_url("**limit=20**")
    assert page.locator(".hit").count() == 20
    page.close()


def test_each_answer_names_its_article(site, browser):
    page = browser.new_page()
    page.goto(site)
    page.fill("#q", "ferritin")
    source = page.locator(".hit .source").first
    source.wait_for()
    assert source.inner_text().endswith(", question 6")
    assert not source.inner_text().startswith("iron-deposits")  # the article's title, not its file
    page.close()


@pytest.fixture(scope="module")
def article_site(tmp_path_factory):
    with Searcher(tmp_path_factory.mktemp("ix") / "ix", corpus=ARTICLES) as searcher, live_server(searcher) as (host, port):
        yield f"http://{host}:{port}"


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name, width, height", [("desktop", 1280, 800), ("phone", 390, 844)])
def test_the_screenshots_show_a_search(article_site, browser, tmp_path, name, width, height):
    # FAQSEARCH_SCREENSHOTS=docs writes them where README shows them (docs/screenshot-*.png).
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(article_site)
    page.fill("#q", "iron deficiency")
    page.locator(".hit h2 a").first.wait_for()
    assert page.title() == "iron deficiency – Iron Deposits in the Brain May Be Early Indicator of MS"
    assert page.inner_text("h1.collection") == "Iron Deposits in the Brain May Be Early Indicator of MS"
    assert page.locator(".hit h2 a").first.inner_text() == "Is iron deficiency related to MS?"
    assert page.locator(".hit mark").count() > 0 and page.locator(".about").count() == 1
    target = SCREENSHOTS if os.environ.get("FAQSEARCH_SCREENSHOTS") == "docs" else tmp_path
    page.screenshot(path=str(target / f"screenshot-{name}.png"))
    assert (target / f"screenshot-{name}.png").stat().st_size > 10_000
    page.close()


AXE = os.environ.get("FAQSEARCH_AXE", "")  # axe-core's axe.min.js (npm install axe-core; .ci/run does)


@pytest.mark.skipif(
    not Path(AXE or "/nonexistent").is_file(),
    reason="axe-core is not installed (npm install axe-core, then FAQSEARCH_AXE=node_modules/axe-core/axe.min.js)",
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pages_have_no_serious_accessibility_violations(article_site, browser, scheme):
    # axe-core is added to each page by the test (the page's CSP forbids such a script: bypassed here only).
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    found = {}
    for name, go in {
        "the empty page": lambda: page.goto(article_site),
        "results as typed": lambda: (
            page.goto(article_site),
            page.fill("#q", "iron deficiency"),
            page.locator(".hit h2 a").first.wait_for(),
        ),
        "results without JavaScript": lambda: page.goto(f"{article_site}/?q=hemoglobni"),
        "a document's page": lambda: (
            page.goto(f"{article_site}/?q=ferritin"),
            page.locator(".hit h2 a").first.click(),
            page.wait_for_url("**/doc/**"),
        ),
    }.items():
        go()
        page.add_script_tag(path=AXE)
        report = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})")
        found[name] = [
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in report["violations"] if v["impact"] in ("serious", "critical")
        ]
    context.close()
    assert found == {name: [] for name in found}
