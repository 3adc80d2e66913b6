"""HTML input: JSON-LD live blogs, main text, the stdlib fallback, and hostile markup."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from worker.pipeline.html import MAX_MARKUP, html_to_text, live_blog_of, main_text, read_html
from worker.pipeline.splitting import Page, Post

HTML = Path(__file__).parent.parent / "data" / "html"


def fixture(name: str) -> str:
    return (HTML / name).read_text(encoding="utf-8")


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def json_ld(document: object) -> str:
    script = f'<script type="application/ld+json">{json.dumps(document)}</script>'
    return f"<html><head>{script}</head></html>"


UPDATE = {"@type": "BlogPosting", "headline": "Wall holds", "articleBody": "It held.", "@id": "#p1"}


# --- JSON-LD ------------------------------------------------------------------------------------


def test_json_ld_live_blog_in_a_graph_gives_its_updates_as_posts() -> None:
    """A LiveBlogPosting inside @graph: headline, description and updates in the given order."""
    page = live_blog_of(fixture("liveblog_jsonld.html"))
    assert page is not None
    assert page.title == "Harbour strike live: talks resume in Portlaven"
    assert page.standfirst.startswith("Dock workers and port owners return to the table")
    assert [(post.headline, post.published_at) for post in page.posts] == [
        ("Union says deal is 'within reach'", "2026-11-24T11:40:00Z"),
        ("Ferries cancelled for a third day", "2026-11-24T09:15:00Z"),
        ("Talks resume at 8am", "2026-11-24T08:02:00Z"),
    ]


def test_json_ld_post_id_is_the_url_or_else_the_at_id() -> None:
    """`url` names a post when present; `@id` otherwise."""
    page = live_blog_of(fixture("liveblog_jsonld.html"))
    assert page is not None
    assert [post.post_id for post in page.posts][:2] == [
        "https://herald.example/live/harbour-strike#post-3",
        "https://herald.example/live/harbour-strike#post-2",
    ]


def test_json_ld_article_body_splits_into_paragraphs_from_lines_or_markup() -> None:
    """A plain body splits on line breaks; an HTML body on its block elements."""
    page = live_blog_of(fixture("liveblog_jsonld.html"))
    assert page is not None
    assert page.posts[0].paragraphs[1] == "She added that pay remained the sticking point."
    assert page.posts[1].paragraphs == (
        "All sailings from Portlaven to the islands are cancelled today, the ferry operator said.",
        "Passengers can claim refunds online.",
    )


def test_json_ld_live_blog_in_a_top_level_list_with_a_type_list() -> None:
    """A list of nodes, and @type given as a list, are both understood."""
    document = [
        {"@type": "WebPage"},
        {
            "@type": ["LiveBlogPosting", "NewsArticle"],
            "headline": "Storm live",
            "liveBlogUpdate": UPDATE,
        },
    ]
    assert live_blog_of(json_ld(document)) == Page(
        "Storm live", "", (), (Post("Wall holds", ("It held.",), None, "#p1"),)
    )


def test_json_ld_skips_updates_of_the_wrong_shape() -> None:
    """Non-objects, wrong types and empty updates are skipped, not raised."""
    updates = ["nonsense", 7, {"headline": 42, "articleBody": ["x"]}, {}, UPDATE]
    page = live_blog_of(
        json_ld({"@type": "LiveBlogPosting", "headline": 5, "liveBlogUpdate": updates})
    )
    assert page == Page("", "", (), (Post("Wall holds", ("It held.",), None, "#p1"),))


def test_json_ld_of_another_type_is_not_a_live_blog() -> None:
    """A NewsArticle's JSON-LD leaves the page to main-text extraction."""
    assert live_blog_of(fixture("article_with_extras.html")) is None


@pytest.mark.parametrize(
    "script",
    ['{"@type": "LiveBlogPosting", "liveBlogUpdate": [', "[" * 100_000 + "]" * 100_000, "1e999999"],
    ids=["truncated", "deeply-nested", "huge-number"],
)
def test_invalid_json_ld_is_ignored(script: str) -> None:
    """Broken JSON is no live blog, and the page's text is still read."""
    markup = f'<script type="application/ld+json">{script}</script><p>Gales hit the coast.</p>'
    assert live_blog_of(markup) is None
    assert read_html(markup) == "Gales hit the coast."


# --- main text ----------------------------------------------------------------------------------


def test_main_text_of_an_article_leaves_out_the_page_chrome() -> None:
    """Navigation, share buttons, newsletter box, most-read list and footer are not main text."""
    text = main_text(fixture("article_plain.html"))
    assert lines(text)[0] == "Flood barrier fails as River Eld bursts its banks"
    assert len(lines(text)) == 7
    for chrome in ("Weather", "Share on Facebook", "Sign up", "Most read", "cookies", "Privacy"):
        assert chrome not in text


def test_main_text_puts_back_a_title_the_extractor_dropped() -> None:
    """The page's <h1> opens the text even when trafilatura leaves it out."""
    assert lines(main_text(fixture("article_with_extras.html")))[0] == (
        "Library reopens after two-year refit"
    )


def test_main_text_of_a_live_blog_keeps_every_headline_in_page_order() -> None:
    """A live-blog-shaped page keeps its order and headlines, from the <h1> on, chrome left out."""
    found = lines(main_text(fixture("liveblog_markup.html")))
    assert found[0] == "Election night live: Coalition holds Brennock as turnout falls"
    headlines = [
        "Greens take Hollins Cross",
        "Turnout down four points",
        "Coalition holds Brennock",
    ]
    assert [line for line in found if line in headlines] == headlines
    for chrome in ("cookies", "Share this article", "Join the conversation", "Politics"):
        assert not any(chrome in line for line in found)


def test_read_html_prefers_json_ld_over_the_markup() -> None:
    """With a JSON-LD live blog present, its posts are the page."""
    assert isinstance(read_html(fixture("liveblog_jsonld.html")), Page)


def test_html_to_text_drops_scripts_and_styles_and_keeps_blocks_apart() -> None:
    """The stdlib reader keeps visible text, one block element per line."""
    markup = (
        "<style>p{}</style><script>var ad = 1;</script><h1>Bakery opens</h1><p>Crumb &amp; Co</p>"
    )
    assert lines(html_to_text(markup)) == ["Bakery opens", "Crumb & Co"]


# --- hostile markup -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    ["<p>Storm <b>hits</p></i> coast", "<p>Storm<div <<>>", "<p>Storm</p><script>unclosed"],
    ids=["misnested", "broken-tags", "unclosed-script"],
)
def test_malformed_markup_does_not_raise(markup: str) -> None:
    """Broken markup gives what text it has, without raising."""
    assert "Storm" in main_text(markup)


def test_deeply_nested_markup_is_read_quickly() -> None:
    """100,000 nested <div> levels are no recursion hazard for either extractor."""
    divs = "<div>" * 100_000 + "Deep text" + "</div>" * 100_000
    started = time.perf_counter()
    assert lines(main_text(divs)) == ["Deep text"]
    assert lines(main_text(f"<html><body>{divs}</body></html>")) == ["Deep text"]
    assert time.perf_counter() - started < 3


def test_entity_expansion_bomb_is_not_expanded() -> None:
    """A billion-laughs DOCTYPE neither expands nor hangs: the entity stays a literal."""
    entities = "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "lol"}">' for n in range(1, 10)
    )
    markup = (
        f"<!DOCTYPE lolz [{entities}]><html><body><p>&lol9; Gales hit the coast.</p></body></html>"
    )
    started = time.perf_counter()
    text = main_text(markup)
    assert "Gales hit the coast." in text
    assert "lollol" not in text
    assert time.perf_counter() - started < 1


def test_enormous_markup_is_cut_at_the_cap() -> None:
    """Past MAX_MARKUP characters nothing is read, and reading stays fast."""
    markup = (
        "<html><body><h1>Storm</h1><p>Gales hit the coast.</p><script>"
        + "var x = 1;\n" * (MAX_MARKUP // 5)
        + "</script><p>Beyond the cap.</p></body></html>"
    )
    started = time.perf_counter()
    text = main_text(markup)
    assert "Gales hit the coast." in text
    assert "Beyond the cap." not in text
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "body",
    [
        "The union&apos;s offer &amp; the port&#8217;s reply",
        "The union&amp;apos;s offer &amp;amp; the port&rsquo;s reply",
        "&lt;p&gt;The union's offer &amp;amp; the port\u2019s reply&lt;/p&gt;",
        "<p>The union's offer <b>&amp;</b> the port&#x2019;s reply</p>",
    ],
    ids=["entities", "double-encoded", "escaped-markup", "nested-tags"],
)
def test_json_ld_text_is_unescaped_whatever_the_encoding(body: str) -> None:
    """Every encoding of the same words gives the same post text (nothing to revise)."""
    blog = {"@type": "LiveBlogPosting", "liveBlogUpdate": [{**UPDATE, "articleBody": body}]}
    page = live_blog_of(json_ld(blog))
    assert page is not None
    text = " ".join(page.posts[0].paragraphs).replace("\u2019", "'")
    assert text == "The union's offer & the port's reply"


def test_json_ld_headline_is_unescaped() -> None:
    """Headlines lose entities and tags too."""
    update = {**UPDATE, "headline": "Union&apos;s <em>final</em> offer"}
    page = live_blog_of(json_ld({"@type": "LiveBlogPosting", "liveBlogUpdate": [update]}))
    assert page is not None
    assert page.posts[0].headline == "Union's final offer"
