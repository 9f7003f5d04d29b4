"""`faqsearch serve`'s application through Starlette's test client: the API's contract,
errors, limits, escaping, security headers, and following a rebuild."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
pytest.importorskip("httpx", reason="Starlette's test client needs httpx (the test extra)")

from starlette.testclient import TestClient

from indexer import build_index
from search import Searcher
from search.web import MAX_LIMIT, MAX_QUERY, create_app

ARTICLE = """Sample

What is ferritin?

Ferritin is a protein that stores iron in cells.

Can MS cause fatigue?

Fatigue is the commonest symptom of multiple sclerosis (MS).

Is this page safe?

A page may say <script>alert(1)</script> or link to javascript:alert(2) and "quote" & 'apostrophe'.
"""


@pytest.fixture
def served(write_corpus, tmp_path):
    corpus = write_corpus({"a.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher, TestClient(create_app(searcher), raise_server_exceptions=False) as client:
        yield client, searcher, corpus


def test_the_search_api_returns_what_search_json_prints(served):
    client, searcher, _ = served
    response = client.get("/api/search", params={"q": "ferritin", "limit": 2})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    expected = searcher.results("ferritin", limit=2).to_dict()
    for hit in expected["hits"]:
        hit["answer_truncated"] = False
    answered = response.json()
    assert isinstance(answered.pop("took_ms"), float) and expected.pop("took_ms") >= 0  # as Elasticsearch's "took"
    assert answered == json.loads(json.dumps(expected))
    assert response.json()["hits"][0]["question"] == "What is ferritin?"


@pytest.mark.parametrize(
    "params,message",
    [
        ({"q": ""}, "empty"),
        ({"q": "x" * (MAX_QUERY + 1)}, "longer than"),
        ({"q": "iron", "limit": "0"}, "limit"),
        ({"q": "iron", "limit": str(MAX_LIMIT + 1)}, "limit"),
        ({"q": "iron", "limit": "ten"}, "limit"),
        ({"q": "iron", "limit": "\u00b2"}, "limit"),  # a superscript 2: isdigit() says yes
        ({"q": "iron", "limit": "\u0663"}, "limit"),  # an Arabic-Indic 3: int() reads it
        ({"q": "iron", "limit": "\uff13"}, "limit"),  # a fullwidth 3
        ({"q": "iron", "limit": "9" * 5000}, "limit"),
        ({"q": "*"}, "matches everything"),
    ],
)
def test_bad_requests_get_one_line_json_errors(served, params, message):
    client, _, _ = served
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error and "\n" not in error and "Traceback" not in response.text


def test_documents_status_and_health(served):
    client, searcher, corpus = served
    first = searcher.documents()[0]
    document = client.get(f"/api/documents/{first.id}").json()
    assert document["question"] == "What is ferritin?" and document["related"]
    assert client.get("/api/documents/nope").status_code == 404
    status = client.get("/api/status").json()
    assert status["documents"] == 3 and status["corpus"] == corpus.name
    assert client.get("/healthz").json() == {"ok": True, "documents": 3}


def test_no_response_names_a_file_of_the_server(served, tmp_path):
    client, _, _ = served
    for path in ["/api/status", "/api/search?q=ferritin", "/healthz", "/", "/?q=iron", "/openapi.json"]:
        assert str(tmp_path) not in client.get(path).text, path


def test_an_internal_failure_says_nothing_of_the_server(served, monkeypatch, tmp_path):
    client, searcher, _ = served

    def broken(*args, **kwargs):
        raise RuntimeError(f"cannot open {tmp_path}/secret")

    monkeypatch.setattr(searcher, "results", broken)
    response = client.get("/api/search", params={"q": "iron"})
    assert response.status_code == 500 and response.json() == {"error": "internal error"}


def test_the_api_is_described_by_openapi(served):
    client, _, _ = served
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/documents/{id}", "/api/status", "/healthz"} <= set(paths)


def test_document_text_is_escaped_on_the_page(served):
    client, _, _ = served
    page = client.get("/", params={"q": "page safe"}).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    document = client.get("/api/search", params={"q": "page safe"}).json()["hits"][0]
    shown = client.get(f"/doc/{document['id']}").text
    assert "<script>alert" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert '<script src="/static/app.js" defer></script>' in shown  # the only script


def test_every_response_carries_the_security_headers(served):
    client, _, _ = served
    for path in ["/", "/?q=iron", "/api/search?q=iron", "/api/search?q=", "/static/app.js", "/nope"]:
        headers = client.get(path).headers
        assert "default-src 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_the_page_works_without_javascript(served):
    client, _, _ = served
    page = client.get("/", params={"q": "ferritn"}).text  # the form's GET, rendered by the server
    assert "Showing results for <b>ferritin</b>" in page
    assert '<a href="/doc/' in page and "<mark>ferritin</mark>" in page.lower()
    assert 'value="ferritn"' in page
    missing = client.get("/", params={"q": "is ms fatal"}).text
    assert "No answer mentions: fatal" in missing


def test_the_server_follows_a_rebuild_by_another_process(served, tmp_path):
    client, _, corpus = served
    assert client.get("/api/search", params={"q": "hemoglobin"}).json()["hits"] == []
    (corpus / "b.txt").write_text("B\n\nWhat is hemoglobin?\n\nA protein of red blood cells.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "ix")
    hits = client.get("/api/search", params={"q": "hemoglobin"}).json()["hits"]
    assert [hit["question"] for hit in hits] == ["What is hemoglobin?"]


def _while_a_search_runs(client, monkeypatch, request) -> object:
    """What `request()` gives while a search for "slow" is under way in another request; a
    request that waited for it would hang, so it runs in a thread, checked after a while."""
    import threading

    started, release, answer = threading.Event(), threading.Event(), []
    original = Searcher.results

    def results(self, query, *args, **kwargs):
        if query == "slow":
            started.set()
            release.wait(60)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(Searcher, "results", results)
    slow = threading.Thread(target=lambda: client.get("/api/search", params={"q": "slow"}))
    slow.start()
    assert started.wait(60)
    asker = threading.Thread(target=lambda: answer.append(request()))
    asker.start()
    asker.join(60)
    release.set()
    slow.join(60)
    assert answer, "the request waited for the search"
    return answer[0]


def test_health_checks_never_wait_for_a_search(write_corpus, tmp_path, monkeypatch):
    corpus = write_corpus({"a.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher, TestClient(create_app(searcher, searchers=1)) as client:
        response = _while_a_search_runs(client, monkeypatch, lambda: client.get("/healthz"))
    assert response.status_code == 200 and response.json() == {"ok": True, "documents": 3}


def test_searches_run_beside_a_slow_one(write_corpus, tmp_path, monkeypatch):
    corpus = write_corpus({"a.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher, TestClient(create_app(searcher, searchers=2)) as client:
        response = _while_a_search_runs(client, monkeypatch, lambda: client.get("/api/search", params={"q": "ferritin"}))
    assert response.status_code == 200 and response.json()["hits"][0]["question"] == "What is ferritin?"
def test_a_search_past_its_budget_answers_503(served, monkeypatch):
    from search.budget import SearchTimeout

    client, _searcher, _ = served

    def too_slow(*args, **kwargs):
        raise SearchTimeout("the search took longer than 5 s: use more specific words")

    monkeypatch.setattr(Searcher, "results", too_slow)
    response = client.get("/api/search", params={"q": "ferritin"})
    assert response.status_code == 503 and "longer than 5 s" in response.json()["error"]
    assert client.get("/", params={"q": "ferritin"}).status_code == 503


@pytest.mark.parametrize(
    "host, answered",
    [("127.0.0.1:8000", True), ("localhost", True), ("[::1]:8000", True), ("LOCALHOST:80", True),
     ("rebind.attacker.example", False), ("rebind.attacker.example:8000", False), ("", False), ("127.0.0.1.nip.io", False)],
)
def test_a_loopback_server_answers_only_loopback_names(write_corpus, tmp_path, host, answered):
    from search.serving import allowed_hosts

    corpus = write_corpus({"a.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        app = create_app(searcher, hosts=allowed_hosts("127.0.0.1"))
        with TestClient(app) as client:
            response = client.get("/api/search", params={"q": "ferritin"}, headers={"host": host})
    assert (response.status_code == 200) == answered
    if not answered:
        assert response.status_code == 421 and "error" in response.json()


def test_the_names_a_server_answers_to():
    from search.serving import allowed_hosts

    assert allowed_hosts("0.0.0.0") is None and allowed_hosts("192.0.2.7") is None  # exposed on purpose
    assert "faq.internal" in allowed_hosts("127.0.0.1", ("faq.internal",))
    assert allowed_hosts("::1") == ("localhost", "127.0.0.1", "::1")


def test_every_document_is_reachable_whatever_its_id(write_corpus, tmp_path):
    ids = ["faq/1", "a?b", "c#d", "e%f", "g h"]
    lines = [json.dumps({"id": i, "question": f"What is thing {n}?", "answer": f"Thing {n} is ferritin."}) for n, i in enumerate(ids)]
    corpus = write_corpus({"odd.jsonl": "\n".join(lines) + "\n"})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher, TestClient(create_app(searcher)) as client:
        found = {doc.id for doc in searcher.documents()}
        assert found == set(ids)
        page = client.get("/", params={"q": "ferritin"}).text
        from urllib.parse import quote

        for doc_id in ids:
            link = "/doc/" + quote(doc_id, safe="")
            assert f'href="{link}?q=ferritin"' in page.replace("&amp;", "&")
            assert client.get(link).status_code == 200
            response = client.get("/api/documents/" + quote(doc_id, safe=""))
            assert response.status_code == 200 and response.json()["id"] == doc_id


def test_a_huge_answer_does_not_make_every_response_huge(write_corpus, tmp_path):
    from search.web import EXCERPT_CHARS

    huge = "Ferritin matters. " * 100_000  # 1.8 MB
    corpus = write_corpus({"a.txt": f"What is ferritin?\n\n{huge}\n\nWhat else?\n\nFerritin again.\n"})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher, TestClient(create_app(searcher)) as client:
        response = client.get("/api/search", params={"q": "ferritin", "limit": 50})
        first = response.json()["hits"][0]
        assert len(response.content) < 20 * EXCERPT_CHARS
        assert first["answer_truncated"] and len(first["answer"]) <= EXCERPT_CHARS + 1
        whole = client.get(f"/api/documents/{first['id']}").json()
        assert len(whole["answer"]) > 1_000_000


def test_an_index_that_cannot_be_read_answers_a_page_to_a_page_and_json_to_the_api(served, monkeypatch):
    from search import IndexCorruptError

    client, _searcher, _ = served

    def damaged(*args, **kwargs):
        raise IndexCorruptError("index in /secret/place is damaged")

    monkeypatch.setattr(Searcher, "results", damaged)
    monkeypatch.setattr(Searcher, "document", damaged)
    page = client.get("/", params={"q": "ferritin"})
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "cannot be read now" in page.text and "/secret" not in page.text
    assert client.get("/doc/abc").headers["content-type"].startswith("text/html")
    api = client.get("/api/search", params={"q": "ferritin"})
    assert api.status_code == 503 and api.json() == {"error": "the index cannot be read now"}


def test_the_page_has_an_icon_and_its_button_reads_in_both_themes(served):
    import re

    client, _, _ = served
    page = client.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg"' in page
    assert client.get("/static/favicon.svg").status_code == 200
    css = client.get("/static/app.css").text

    def colours(block: str) -> dict[str, str]:
        return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light = colours(css.split("@media", 1)[0])
    dark = {**light, **colours(css.split("prefers-color-scheme: dark", 1)[1].split("}", 2)[0])}
    for theme in (light, dark):
        a, b = sorted((luminance(theme["accent"]), luminance(theme["on-accent"])))
        assert (b + 0.05) / (a + 0.05) >= 4.5  # WCAG AA for the Search button's text


def test_a_correction_can_be_undone(served):
    client, _, _ = served
    page = client.get("/", params={"q": "feritin"}).text
    assert "Showing results for <b>ferritin</b>" in page
    assert '<a href="/?q=feritin&amp;exact=1">search instead for feritin</a>' in page
    exact = client.get("/api/search", params={"q": "feritin", "exact": "1"}).json()
    assert exact["corrected_query"] is None and exact["hits"] == []
    assert "Showing results for" not in client.get("/", params={"q": "feritin", "exact": "1"}).text


def test_more_answers_are_a_link_away(write_corpus, tmp_path):
    many = "".join(f"What is iron fact {n}?\n\nIron fact {n} is about iron.\n\n" for n in range(25))
    corpus = write_corpus({"a.txt": f"Facts\n\n{many}"})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher, TestClient(create_app(searcher)) as client:
        first = client.get("/", params={"q": "iron"}).text
        assert first.count('class="hit"') == 10 and '<a href="/?q=iron&amp;limit=20">more answers</a>' in first
        second = client.get("/?q=iron&limit=20").text
        assert second.count('class="hit"') == 20 and "limit=30" in second
        last = client.get("/?q=iron&limit=30").text
        assert last.count('class="hit"') == 25 and "more answers" not in last


def test_the_page_says_what_is_searched_and_offers_examples(tmp_path):
    from corpus import ARTICLES

    with Searcher(tmp_path / "ix", corpus=ARTICLES) as searcher, TestClient(create_app(searcher)) as client:
        start = client.get("/").text
        title = "Iron Deposits in the Brain May Be Early Indicator of MS"
        assert f"<title>{title}</title>" in start and f'<h1 class="collection"><a href="/">{title}</a></h1>' in start
        assert "Answers are quoted from the article" in start and "not medical advice" in start
        examples = start.split('<ul class="examples">', 1)[1].split("</ul>", 1)[0]
        assert examples.count("<li>") == 3  # the questions most related to others
        found = client.get("/", params={"q": "ferritin"}).text
        assert f"<title>ferritin – {title}</title>" in found and "Questions people ask" not in found


def test_another_corpus_is_named_by_its_article_or_folder_without_a_health_notice(served, write_corpus, tmp_path):
    client, _, _ = served
    start = client.get("/").text
    assert '<h1 class="collection"><a href="/">Sample</a></h1>' in start  # its one article's title
    assert "not medical advice" not in start
    two = write_corpus({"b.txt": "Other\n\nWhat is zinc?\n\nA metal.\n"})  # beside a.txt: two articles
    with Searcher(tmp_path / "ix2", corpus=two) as searcher, TestClient(create_app(searcher)) as other:
        assert f'<h1 class="collection"><a href="/">{two.name}</a></h1>' in other.get("/").text


def test_a_document_found_by_a_search_keeps_its_context(tmp_path):
    from corpus import ARTICLES

    with Searcher(tmp_path / "ix", corpus=ARTICLES) as searcher, TestClient(create_app(searcher)) as client:
        results = client.get("/", params={"q": "panic attacks"}).text
        link = results.split('<li class="hit"><h2><a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        assert link.endswith("?q=panic+attacks")
        document = client.get(link).text
        assert '<a href="/?q=panic+attacks">← results for “panic attacks”</a>' in document
        assert "From Iron Deposits in the Brain May Be Early Indicator of MS, question" in document
        related = document.split('<ul class="related">', 1)[1].split("</ul>", 1)[0]
        assert related.count("?q=panic+attacks") == related.count("<li>") > 0
        article = document.split("<article", 1)[1].split("</article>", 1)[0]
        hit = results.split('<li class="hit">', 1)[1].split("</li>", 1)[0]
        marks = lambda text: {m.split("</mark>", 1)[0].lower() for m in text.split("<mark>")[1:]}  # noqa: E731
        assert marks(hit) and marks(hit) <= marks(article)  # the words marked in the hit, marked in the answer
        unmarked = client.get(link.split("?", 1)[0]).text
        assert "<mark>" not in unmarked.split("<article", 1)[1]


def test_the_query_marks_its_words_in_a_document_and_nothing_else(served):
    client, searcher, _ = served
    doc_id = searcher.search("page safe")[0].id
    page = client.get(f"/doc/{doc_id}", params={"q": "scripts"}).text  # stemmed to "script", as a search's marks
    answer = page.split("<article", 1)[1].split("</article>", 1)[0]
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;" in answer  # escaped around the marks
    api = client.get(f"/api/documents/{doc_id}", params={"q": "scripts"}).json()
    assert api["marked_answer"].count("<mark>script</mark>") == 2 and "<script>" not in api["marked_answer"]
    assert "marked_answer" not in client.get(f"/api/documents/{doc_id}").json()
    corrected = searcher.document(searcher.search("ferritin")[0].id, query="feritin")
    assert corrected is not None and "<mark>Ferritin</mark> is a protein" in (corrected.marked_answer or "")
    assert searcher.document(doc_id, query="feritin", exact=True).marked_answer.count("<mark>") == 0
    assert searcher.document(doc_id, query='"unclosed').marked_answer is not None  # a query no search runs marks nothing


def test_a_searcher_given_back_goes_to_the_request_waiting_longest(write_corpus, tmp_path, monkeypatch):
    import threading
    import time

    from search import web

    corpus = write_corpus({"a.txt": ARTICLE})
    with Searcher(tmp_path / "ix", corpus=corpus) as searcher:
        pool = web.SearcherPool(searcher, 1)
        got, release = [], threading.Event()

        def waiting_request() -> None:
            with pool.borrow() as lent:
                got.append(lent)
                release.wait(30)

        waiter = threading.Thread(target=waiting_request)
        with pool.borrow():
            waiter.start()
            deadline = time.monotonic() + 30
            while not pool.waiting and time.monotonic() < deadline:
                time.sleep(0.01)
        # Given back: it is the waiting request's, not this newcomer's.
        monkeypatch.setattr(web, "BUSY_WAIT", 0.2)
        with pytest.raises(web.Busy), pool.borrow():
            pass
        release.set()
        waiter.join(30)
        assert got == [searcher]
        with pool.borrow() as lent:  # free again once the waiter is done
            assert lent is searcher
