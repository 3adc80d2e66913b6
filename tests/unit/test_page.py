"""page_of: one validated raw article to a clean page, for each input path."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from worker.pipeline.boilerplate import is_boilerplate
from worker.pipeline.cleaning import clean_text
from worker.pipeline.page import clean_lines, page_of
from worker.pipeline.splitting import Page, Post

DATA = Path(__file__).parent.parent / "data"
SYNTHETIC = (DATA / "liveblog_synthetic.txt").read_text(encoding="utf-8")
PROMPT_WORDS = ("subscri", "bookmark", "comment", "donation", "your support", "advertisement")


def article(**fields: Any) -> dict[str, Any]:
    return {
        "url": "https://herald.example/live/storm",
        "fetched_at": "2026-11-24T10:00:00Z",
        **fields,
    }


def strings_of(page: Page) -> list[str]:
    found = [page.title, page.standfirst, *page.summary]
    for post in page.posts:
        found += [post.headline, *post.paragraphs]
    return [text for text in found if text]


def test_synthetic_live_blog_splits_into_its_title_standfirst_summary_and_posts() -> None:
    """The synthetic live blog reads as its title, standfirst, five key points and nine posts."""
    page = page_of(article(text=SYNTHETIC))
    assert page.title == (
        "Storm Ilsa latest: Thousands without power as Portlaven braces for second surge"
    )
    assert page.standfirst.startswith("Coastguard says waves of up to nine metres")
    assert len(page.summary) == 5
    assert [(post.headline, len(post.paragraphs)) for post in page.posts] == [
        ("Harbour master warns of second surge before midnight", 3),
        ("Power cut to 42,000 homes as pylons come down", 2),
        ("PHOTOS: Waves batter the Portlaven sea front as the storm makes landfall", 0),
        ("Coastguard rescues crew of fishing boat off Garrow Point", 4),
        ("Prime minister to visit flooded towns", 5),
        ("Red warning extended to the whole coast", 2),
        ("Schools closed across three districts", 2),
        ("Two hurt as roof collapses in Tressick", 3),
        ("Storm Ilsa makes landfall on the Garrow coast", 3),
    ]


def test_synthetic_live_blog_keeps_the_key_point_glued_to_the_appeal() -> None:
    """The first key point survives without the appeal sentence glued to its front."""
    page = page_of(article(text=SYNTHETIC))
    assert page.summary[0].startswith("Emergency crews in Portlaven are working through the night")


def test_synthetic_live_blog_keeps_the_sub_headline_as_first_paragraph() -> None:
    """The repeated sub-headline opens its post's body."""
    post = page_of(article(text=SYNTHETIC)).posts[4]
    assert post.paragraphs[0] == "Prime minister Corrin will visit flooded towns tomorrow"


def test_synthetic_live_blog_has_no_boilerplate_anywhere() -> None:
    """No appeal, prompt, share button or advert survives into the page."""
    for text in strings_of(page_of(article(text=SYNTHETIC))):
        assert not is_boilerplate(text)
        assert not any(word in text.casefold() for word in PROMPT_WORDS), text


def test_every_string_in_the_page_is_clean() -> None:
    """NFC, single spaces, trimmed, glued sentences parted: clean_text changes nothing."""
    for text in strings_of(page_of(article(text=SYNTHETIC))):
        assert clean_text(text) == text
        assert unicodedata.is_normalized("NFC", text)
        assert "\u00a0" not in text


def test_learned_boilerplate_lines_are_dropped() -> None:
    """A line the caller's memory knows as boilerplate is left out."""
    plug = "Listen to the Herald Daily podcast every weekday morning"
    text = f"Crews worked through the night.\n{plug}\nThe wall held."
    page = page_of(article(text=text), lambda line: line == plug)
    assert page.posts == (Post("", ("Crews worked through the night.", "The wall held.")),)


def test_learned_predicate_sees_clean_lines() -> None:
    """The predicate receives lines as clean_text leaves them, the form the memory learns."""
    seen: list[str] = []
    page_of(
        article(text="  Crews\u00a0worked.\n\nThe wall held."),
        lambda line: seen.append(line) or False,
    )
    assert seen == ["Crews worked.", "The wall held."]


def test_text_title_given_in_the_article_is_the_page_title() -> None:
    """The article's title is used, and its repetition as the first line is consumed."""
    text = "Storm hits coast\nGales battered the coast.\nTrees fell."
    page = page_of(article(title="Storm hits coast", text=text))
    assert (page.title, page.posts) == (
        "Storm hits coast",
        (Post("", ("Gales battered the coast.", "Trees fell.")),),
    )


def test_crawler_updates_are_used_as_given_with_their_ids_and_times() -> None:
    """One post per update, in order, with the crawler's id, time and headline."""
    updates = [
        {
            "id": "p2",
            "published_at": "2026-11-24T09:00:00Z",
            "headline": "Wall holds",
            "text": "It held.",
        },
        {"id": "p1", "text": "Crews arrived.\n\nThey worked all night."},
    ]
    page = page_of(article(title="Storm live", updates=updates))
    assert page == Page(
        "Storm live",
        "",
        (),
        (
            Post("Wall holds", ("It held.",), "2026-11-24T09:00:00Z", "p2"),
            Post("", ("Crews arrived.", "They worked all night."), None, "p1"),
        ),
    )


def test_crawler_updates_are_cleaned_of_boilerplate() -> None:
    """Update text is cleaned: prompt lines and glued appeal sentences go, news stays."""
    updates = [
        {
            "id": "p1",
            "headline": " Wall\u00a0holds ",
            "text": "Your support makes all the difference.The wall held.\nShare this article",
        },
        {"id": "p0", "text": "Advertisement"},
    ]
    assert page_of(article(updates=updates)).posts == (
        Post("Wall holds", ("The wall held.",), None, "p1"),
    )


def test_html_article_goes_through_the_html_path() -> None:
    """Markup is read for its main text, then split like plain text."""
    html = (DATA / "html" / "article_plain.html").read_text(encoding="utf-8")
    page = page_of(article(html=html))
    assert page.title == "Flood barrier fails as River Eld bursts its banks"
    assert len(page.posts) == 1
    assert len(page.posts[0].paragraphs) == 6
    assert page.posts[0].paragraphs[0].startswith("Hundreds of homes in Marrowby evacuated")


def test_html_json_ld_live_blog_gives_clean_posts_with_ids() -> None:
    """A JSON-LD live blog's updates become posts with their ids and times."""
    html = (DATA / "html" / "liveblog_jsonld.html").read_text(encoding="utf-8")
    page = page_of(article(html=html))
    assert page.title == "Harbour strike live: talks resume in Portlaven"
    assert [post.post_id for post in page.posts] == [
        "https://herald.example/live/harbour-strike#post-3",
        "https://herald.example/live/harbour-strike#post-2",
        "https://herald.example/live/harbour-strike#post-1",
    ]
    assert page.posts[1].paragraphs == (
        "All sailings from Portlaven to the islands are cancelled today, the ferry operator said.",
        "Passengers can claim refunds online.",
    )


def test_html_without_text_falls_back_to_the_text_field() -> None:
    """When the markup yields nothing, the crawler's text is used."""
    page = page_of(article(html="<script>var a = 1;</script>", text="Gales hit the coast."))
    assert page.posts == (Post("", ("Gales hit the coast.",)),)


def test_article_with_only_boilerplate_has_no_posts() -> None:
    """Prompts alone make an empty page, for the caller to reject."""
    assert page_of(article(text="Share this article\nComments\nAdvertisement")).posts == ()


def test_clean_lines_cleans_and_drops_empty_lines() -> None:
    """Lines are cleaned and empty ones removed before splitting."""
    assert clean_lines(["  a\u00a0b. ", "", "\t", "Copy link"]) == ["a b."]


def test_clean_lines_drops_lines_without_letters_or_digits() -> None:
    """Markup debris and separators are not text."""
    assert clean_lines([">", "|", "* * *", "—", "Crews left.", "10"]) == ["Crews left.", "10"]
