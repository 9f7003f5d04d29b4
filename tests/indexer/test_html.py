"""HTML pages: questions wherever the page puts them, and none of the furniture."""

from __future__ import annotations

import json

from indexer.html import read_html
from indexer.segment import segment


def docs(markup: str):
    return segment(read_html(markup), "page.html").documents


def page(body: str, head: str = "<title>Iron and MS</title>") -> str:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def test_question_headings_with_their_answers():
    found = docs(page("""
      <article><h1>Iron and MS</h1>
        <h2>Is iron good for MS patients?</h2><p>Iron levels change in MS.</p>
        <ul><li>first point</li><li>second <b>point</b></li></ul>
        <h3>A sub-heading</h3><p>More answer.</p>
        <h2>Does MRI show MS?</h2><p>MRI shows lesions.</p>
      </article>"""))
    assert [d.questions for d in found] == [["Is iron good for MS patients?"], ["Does MRI show MS?"]]
    assert found[0].answer == "Iron levels change in MS.\n• first point\n• second point\nA sub-heading\nMore answer."
    assert found[0].title == "Iron and MS"


def test_definition_lists_and_details_summary():
    found = docs(page("""
      <dl><dt>What is ferritin?</dt><dd>A protein that stores iron.</dd>
          <dt>Can MS be cured?</dt><dd><p>Not yet.</p></dd></dl>
      <details><summary>Is MS inherited?</summary><p>Not directly.</p></details>"""))
    assert [(d.question, d.answer) for d in found] == [
        ("What is ferritin?", "A protein that stores iron."),
        ("Can MS be cured?", "Not yet."),
        ("Is MS inherited?", "Not directly."),
    ]


def test_schema_org_faqpage_questions_are_added_to_the_page():
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": "What is MS?",
                "acceptedAnswer": {"@type": "Answer", "text": "<p>A disease of the <b>brain</b>.</p>"},
            },
            {"@type": "Question", "name": "Is it common?", "acceptedAnswer": {"@type": "Answer", "text": "Fairly."}},
        ],
    }
    markup = page(
        "<h2>Is it common?</h2><p>Fairly, says the page.</p>", head=f'<script type="application/ld+json">{json.dumps(data)}</script>'
    )
    found = docs(markup)
    # The page's own copy of a question wins; the ones it does not show come from the data.
    assert [(d.question, d.answer) for d in found] == [
        ("Is it common?", "Fairly, says the page."),
        ("What is MS?", "A disease of the brain."),
    ]


def test_json_ld_article_body_is_used_when_the_page_shows_less():
    data = {"@type": "NewsArticle", "articleBody": "The whole story, first paragraph.\nThe second paragraph of it."}
    markup = page("<p>Teaser.</p>", head=f'<script type="application/ld+json">{json.dumps(data)}</script>')
    assert [b.text for b in read_html(markup).blocks] == ["The whole story, first paragraph.", "The second paragraph of it."]


def test_a_page_without_readable_body_falls_back_to_its_description():
    markup = (
        '<html><head><meta name="description" content="What the page is about, in a sentence."></head>'
        '<body><div id="app"></div></body></html>'
    )
    assert [b.text for b in read_html(markup).blocks] == ["What the page is about, in a sentence."]


def test_bold_lead_in_paragraph_is_a_question():
    found = docs(page("<p><strong>Can MS stay mild?</strong></p><p>Yes, for decades.</p>"))
    assert [(d.question, d.answer) for d in found] == [("Can MS stay mild?", "Yes, for decades.")]


def test_furniture_is_removed_before_reading():
    found = docs(
        page("""
      <nav><h2>Where to go?</h2><a href="/">Home</a></nav>
      <header><p>Site header</p></header>
      <script>var question = "Is this a question?";</script><style>p { color: red }</style>
      <main>
        <h2>Does the brain need iron?</h2><p>Iron is vital.</p>
        <!-- <h2>Commented out?</h2> -->
        <div class="share-buttons">Share on Facebook</div>
        <div class="related-posts"><h3>How Do You Convert Hp To Psi?</h3></div>
        <div id="comments"><h3>Leave a Reply?</h3><form><label>Name</label><input></form></div>
      </main>
      <aside><h3>Popular: Is coffee bad?</h3></aside>
      <footer><p>Copyright</p></footer>""")
    )
    assert [d.question for d in found] == ["Does the brain need iron?"]
    assert found[0].answer == "Iron is vital."


def test_furniture_headings_end_the_article():
    found = docs(
        page("""
      <h2>Can MS stay mild?</h2><p>Yes.</p>
      <h2>Leave a Reply</h2><p>Your email address will not be published.</p>
      <h3>What do you think?</h3><p>Tell us below.</p>""")
    )
    assert [d.question for d in found] == ["Can MS stay mild?"]


def test_markup_characters_in_text_survive():
    found = docs(page("<h2>Is it significant?</h2><p>Yes, p &lt; 0.05 &amp; the effect is large.</p>"))
    assert found[0].answer == "Yes, p < 0.05 & the effect is large."


def test_article_without_questions_is_indexed_by_section():
    found = docs(
        page("""
      <h1>Living with MS</h1><p>An introduction with enough words to count.</p>
      <h2>Diet</h2><p>Eat well.</p><h2>Exercise</h2><p>Move often.</p>""")
    )
    assert [(d.question, d.section, d.answer) for d in found] == [
        ("Living with MS", "Living with MS", "An introduction with enough words to count."),
        ("Diet", "Diet", "Eat well."),
        ("Exercise", "Exercise", "Move often."),
    ]


def test_deeply_nested_html_does_not_overflow_the_stack():
    markup = page("<div>" * 5000 + "<h2>Deep question?</h2><p>Deep answer.</p>" + "</div>" * 5000)
    found = docs(markup)
    assert [(d.question, d.answer) for d in found] == [("Deep question?", "Deep answer.")]


def test_markup_the_parser_rejects_is_read_as_text():
    page = read_html("<html><body><h2>Is it broken?</h2><p>A stray <![ marker.</p></body></html>")
    assert [b.text for b in page.blocks] == ["Is it broken?", "A stray <![ marker."]


def test_unclosed_paragraphs_do_not_run_together():
    page = read_html("<body><p>first paragraph<p>second paragraph<p>third</body>")
    assert [b.text for b in page.blocks] == ["first paragraph", "second paragraph", "third"]


def test_a_wrapper_named_like_furniture_but_holding_the_article_is_kept():
    story = "<p>" + "The story goes on with many plain sentences and no links at all. " * 8 + "</p>"
    markup = page(
        f'<div class="no-share post">{story}</div>'
        '<div class="related"><a href="/a">Another story</a> <a href="/b">And another</a></div>'
        f'<div class="js-code-nav-container">{story}</div>'
        '<div class="with-sidebar-right">' + story + "</div>"
    )
    text = " ".join(b.text for b in read_html(markup).blocks)
    assert text.count("The story goes on") == 24
    assert "Another story" not in text


def test_an_article_element_holding_a_small_part_of_the_page_is_not_the_whole_article():
    intro = "<p>" + "An introduction outside the article element, long enough to matter here. " * 10 + "</p>"
    box = "<article><h2>Is this the FAQ box?</h2><p>" + "Yes, a box of questions and answers. " * 7 + "</p></article>"
    text = " ".join(b.text for b in read_html(page(intro + box)).blocks)
    assert "An introduction outside" in text and "a box of questions" in text


def test_a_list_of_nothing_but_links_inside_the_story_is_dropped():
    story = "<p>" + "A long paragraph of the story itself, with plenty of words. " * 6 + "</p>"
    markup = page(
        f"<article>{story}"
        '<ul><li><a href="/1">Four out of five jobs affected</a></li><li><a href="/2">Another headline</a></li></ul>'
        '<ul><li>Blood tests, to rule out <a href="/lupus">lupus</a> and other diseases</li><li>A spinal tap</li></ul>'
        f"{story}</article>"
    )
    text = " ".join(b.text for b in read_html(markup).blocks)
    assert "Four out of five" not in text and "Another headline" not in text
    assert "Blood tests, to rule out lupus and other diseases" in text and "A spinal tap" in text


def test_buy_boxes_calls_to_action_and_signatures_are_furniture():
    story = "<p>" + "The answer to the question, told at length in plain words. " * 6 + "</p>"
    markup = page(
        f"<article>{story}"
        '<div class="buybox__info"><p>Instant access to the full article PDF.</p></div>'
        '<a class="cta-button" href="/x">Compare loans now</a>'
        '<div class="post-signature"><span>answered 20:37</span></div></article>'
    )
    text = " ".join(b.text for b in read_html(markup).blocks)
    assert "The answer to the question" in text
    for furniture in ("Instant access", "Compare loans", "20:37"):
        assert furniture not in text


def test_inline_markup_does_not_split_a_list_item_or_a_label():
    markup = page(
        "<ul><li><strong>Quickly</strong> move files from a PC to a Mac</li></ul>"
        '<div><span class="label">Carbohydrates: </span><span>31</span><span>g</span></div>'
    )
    assert [b.text for b in read_html(markup).blocks] == ["Quickly move files from a PC to a Mac", "Carbohydrates: 31g"]


def test_responsive_display_classes_are_not_hidden_content():
    story = "<p>" + "The story, in plain sentences that a reader sees on every screen. " * 5 + "</p>"
    markup = page(f'{story}<ul class="hidden-xs"><li>Shown on larger screens</li></ul><p class="hidden">Never shown</p>')
    text = [b.text for b in read_html(markup).blocks]
    assert text[1:] == ["Shown on larger screens"]


def test_cookie_banners_newsletter_boxes_and_member_prompts_are_not_questions():
    found = docs(
        page("""
      <div id="cookie-consent"><h3>Do you accept cookies?</h3><p>We use cookies.</p></div>
      <article><h2>Is anaemia common in MS?</h2><p>It is more common than in controls.</p></article>
      <div class="newsletter-signup"><h3>Want our weekly digest?</h3><p>Sign up now.</p></div>
      <div class="subscribe-box"><h3>Not a member yet?</h3><p>Join today.</p></div>""")
    )
    assert [(d.question, d.answer) for d in found] == [("Is anaemia common in MS?", "It is more common than in controls.")]


def test_schema_org_qapage_question_and_accepted_answer():
    data = {
        "@context": "https://schema.org",
        "@type": "QAPage",
        "mainEntity": {
            "@type": "Question",
            "name": "Why was I robbed twice?",
            "acceptedAnswer": {"@type": "Answer", "text": "Because the door was open."},
            "suggestedAnswer": [{"@type": "Answer", "text": "Bad luck."}],
        },
    }
    found = docs(page("<div id='app'></div>", head=f'<script type="application/ld+json">{json.dumps(data)}</script>'))
    assert [(d.question, d.answer) for d in found] == [("Why was I robbed twice?", "Because the door was open.")]


def test_preformatted_text_is_kept_as_is_and_entities_are_decoded():
    found = docs(page("<h2>How do I install it?</h2><pre>pip install faqsearch\n  faqsearch index</pre><p>Fish &amp; chips&nbsp;too.</p>"))
    assert found[0].answer == "pip install faqsearch\n  faqsearch index\nFish & chips too."


def test_nested_furniture_is_measured_once_not_once_per_level(monkeypatch):
    # Each furniture-named element used to count the text beneath it: quadratic in the
    # nesting depth (4,000 nested sidebar tables took 21 s).
    from bs4 import Tag

    calls = 0
    real = Tag.get_text

    def counted(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Tag, "get_text", counted)
    depth = 2000
    markup = page("<h2>Is it deep?</h2><p>Yes.</p>" + '<table class="sidebar"><tr><td>' * depth + "aside" + "</td></tr></table>" * depth)
    assert [(d.question, d.answer) for d in docs(markup)] == [("Is it deep?", "Yes.")]
    assert calls < 50


def test_markup_nested_deeper_than_any_page_is_refused_before_parsing(write_corpus):
    from faqindex.scan import scan
    from indexer.html import MAX_DEPTH
    from indexer.sources import read_file

    deep = MAX_DEPTH + 1
    root = write_corpus(
        {
            "deep.html": page("<div>" * deep + "x" + "</div>" * deep),
            "fine.html": page("<div><br><img src=a.png>" * 50 + "<h2>Q?</h2><p>A.</p>" + "</div>" * 50),
        }
    )
    results = {entry.name: read_file(entry) for entry in scan(root)}
    assert results["deep.html"].skipped == f"HTML nested more than {MAX_DEPTH:,} elements deep"
    assert results["fine.html"].skipped is None


def test_only_web_addresses_are_kept_as_the_page_address():
    for href, kept in [
        ("https://example.org/iron", "https://example.org/iron"),
        ("javascript:alert(document.cookie)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("JaVaScRiPt:alert(1)", ""),
    ]:
        assert read_html(page("<h2>Q?</h2><p>A.</p>", f'<link rel="canonical" href="{href}">')).url == kept
    assert read_html(page("<h2>Q?</h2><p>A.</p>", '<meta property="og:url" content="javascript:alert(1)">')).url == ""
