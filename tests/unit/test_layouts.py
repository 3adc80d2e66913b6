"""Pages in several publishers' layouts (our own writing, tests/data/layouts) as their posts."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.pipeline.page import page_of
from worker.pipeline.splitting import Page

LAYOUTS = Path(__file__).parent.parent / "data" / "layouts"
CONTROLS = (
    "article_subheads",
    "wire_dateline",
    "wire_wrapped",
    "letter_signature",
    "results_table",
)
CHROME = ("Updated at", "Comments", "shares", "Key events", "Reuse this", "Get involved", "LIVE")


def page(name: str, title: str | None = None, url: str = "") -> Page:
    text = (LAYOUTS / f"{name}.txt").read_text(encoding="utf-8")
    given = text.splitlines()[0] if title is None else title
    return page_of({"text": text, "title": given, "url": url or f"https://news.example/{name}"})


def texts(result: Page) -> list[str]:
    return [line for post in result.posts for line in (post.headline, *post.paragraphs)]


def test_independent_layout_splits_at_headline_lines() -> None:
    """Headline lines open posts; the appeal goes, its glued key point stays in the summary."""
    result = page("independent_headlines")
    assert [post.headline for post in result.posts] == [
        "\u2018We will stay out as long as it takes\u2019: union leader addresses rally",
        "PHOTOS: Picket lines form at dawn across the Kestrel quays",
        "Shipping lines divert cargo to Merrowgate",
        "Kestrel Port says offer is \u2018fair and final\u2019",
        "Mayor calls for both sides to return to talks",
    ]
    assert result.summary[0].startswith("US shipping lines have begun diverting vessels")
    assert result.posts[1].paragraphs == ()  # a gallery headline has no body
    assert result.posts[3].paragraphs[0] == "Kestrel Port says offer is final"  # sub-headline
    assert result.posts[4].paragraphs[-1].startswith("outh quay traders")  # damaged, still body


def test_independent_layout_leaves_no_appeal_or_prompt_anywhere() -> None:
    """Appeal paragraphs (a changing number included), prompts and the counter all go."""
    result = page("independent_headlines")
    everything = " ".join([result.standfirst, *result.summary, *texts(result)])
    for chrome in ("readers gave", "free to read", "Your support", "bookmark", "Comments"):
        assert chrome not in everything


def test_guardian_layout_splits_at_time_lines_mostly_without_headlines() -> None:
    """Each time line opens a post and is its time; only real headline lines become headlines."""
    result = page("guardian_times")
    assert [(post.published_at, post.headline) for post in result.posts] == [
        ("9.41am BST", ""),
        ("9.12am BST", "Hospitals open cooling rooms"),
        ("8.47am BST", ""),
        ("8.15am BST", ""),
        ("7.58am BST", "Water company announces hosepipe ban"),
        ("7.30am BST", ""),
    ]
    assert result.posts[2].paragraphs[-1] == "#heatwave"  # a hashtag is body, never a headline
    assert result.posts[3].paragraphs[-1].startswith("\u2014 Ana Petrov")  # so is a tweet line


def test_guardian_layout_drops_updated_at_key_events_and_counters() -> None:
    """'Updated at' lines, the key-events list and the comment counter never reach a post."""
    result = page("guardian_times")
    assert not [line for line in texts(result) if any(c in line for c in CHROME)]
    assert not [line for line in texts(result) if line.startswith("Photograph:")]


def test_bbc_layout_takes_headlines_with_quotes_questions_and_colons() -> None:
    """After a time line, a quoted, questioning or colon-ended line is the post's headline."""
    result = page("bbc_time_headline")
    assert [post.headline for post in result.posts] == [
        "What happens to the evacuated families?",
        "'We lost everything in twenty minutes'",
        "Rail line closed between Dunholm and Ashby",
        "Flood warnings: What you need to know:",
    ]
    assert [post.published_at for post in result.posts][:2] == [
        "Posted at 16:23",
        "Posted at 15:58",
    ]
    assert result.title == "Valmont floods: Villages cut off as River Marr bursts banks"
    assert "(Image: Getty)" not in texts(result)


def test_agency_layout_relative_times_open_posts_without_a_published_time() -> None:
    """'3 min ago' opens a post but changes every crawl, so it is no published time."""
    result = page("agency_relative")
    assert [(post.published_at, post.headline) for post in result.posts] == [
        (None, "Recount ordered in Quayside ward"),
        (None, "Turnout reaches 61 per cent"),
        (None, "First result: Harbour ward holds for Independents"),
        (None, "Polls close across the county"),
    ]
    assert result.summary == ()  # the key-events list repeats the posts: it is left out
    assert not [line for line in texts(result) if any(c in line for c in CHROME)]


@pytest.mark.parametrize("name", CONTROLS)
def test_ordinary_article_is_one_post_keeping_its_first_line(name: str) -> None:
    """Subheads, credits, a signature or a results table do not make an article a live blog."""
    lines = (LAYOUTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    result = page(name)
    assert len(result.posts) == 1
    assert result.posts[0].paragraphs[0] == lines[1]


@pytest.mark.parametrize(
    "name", ["wire_dateline", "wire_wrapped", "letter_signature", "results_table"]
)
def test_signature_and_table_open_no_post_even_on_a_live_looking_url(name: str) -> None:
    """Table rows, hard-wrapped lines and a closing signature are headline-shaped but open no
    post: rows come in runs, a wrapped line is followed by the rest of its sentence and not by
    a paragraph, and a signature has nothing after it."""
    result = page(name, url=f"https://news.example/live/{name}")
    assert len(result.posts) == 1


def test_wire_dateline_is_kept_after_the_title_line() -> None:
    """'PORT ALDER, Wessmark 2026-03-14' is neither a title nor furniture: nothing is lost."""
    lines = (LAYOUTS / "wire_dateline.txt").read_text(encoding="utf-8").splitlines()
    result = page("wire_dateline", title="")
    assert result.posts[0].paragraphs[:2] == tuple(lines[:2])


def test_title_with_a_site_suffix_still_matches_the_first_line() -> None:
    """A crawler title with '| Section | Site' consumes the page's own headline line."""
    plain = page("independent_headlines")
    suffixed = page(
        "independent_headlines",
        title=f"{plain.title} | World news | The Herald",
    )
    assert suffixed == plain


@pytest.mark.parametrize("name", ["wire_dateline", "results_table"])
def test_title_with_a_live_suffix_still_consumes_the_articles_first_line(name: str) -> None:
    """'... - live updates | Wire' matches the page's own headline line, which lacks it."""
    lines = (LAYOUTS / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    result = page(name, title=f"{lines[0]} \u2013 live updates | Wire")
    assert len(result.posts) == 1
    assert result.posts[0].paragraphs[0] == lines[1]


def test_short_headlines_split_a_page_that_repeats_headline_and_paragraph() -> None:
    """'Yellow card', 'Kick-off': headlines of any length split a signed page whose lines
    alternate headline and whole paragraph; a question, a quote ending on ':' and a lone
    hashtag head posts where a headline stands."""
    result = page("independent_match")
    assert [post.headline for post in result.posts] == [
        "Full-time: Kestrel Rovers 2-2 Merrowgate",
        "Penalty?",
        "#QuayRoadDerby",
        "'That was a proper derby':",
        "Yellow card",
        "GOAL! Kestrel Rovers 2-1 Merrowgate",
        "Kick-off",
        "Team news",
    ]
    assert all(len(post.paragraphs) == 1 for post in result.posts[:-1])


def test_key_points_are_found_by_their_copies_in_the_posts() -> None:
    """The block at the top repeating the newest posts' first paragraphs is the summary, not a
    post, and not the standfirst either when the page has none."""
    result = page("independent_match")
    assert result.standfirst == ""
    assert [line[:12] for line in result.summary] == ["Full-time wh", "Ilse Dunmore"]
    assert not [line for line in texts(result) if "you do" in line or "free to read" in line]


def test_a_crawler_title_saying_live_does_not_split_an_article_whose_own_title_does_not() -> None:
    """A feature with three subheads stays one post under '... - live updates | Wire' when
    neither its own title line nor its URL says live."""
    lines = (LAYOUTS / "feature_subheads.txt").read_text(encoding="utf-8").splitlines()
    result = page("feature_subheads", title=f"{lines[0]} \u2013 live updates | Wire")
    assert len(result.posts) == 1
    assert result.posts[0].paragraphs[0] == lines[1]
    live = page("feature_subheads", url="https://news.example/live/ferry")
    assert len(live.posts) == 3
