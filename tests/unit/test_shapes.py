"""Line shapes: headlines and what only looks like one, titles with site suffixes, live signs."""

from __future__ import annotations

import pytest

from worker.pipeline.shapes import (
    has_live_sign,
    is_credit,
    is_headline,
    is_key_label,
    strip_live_suffix,
    strip_site_suffix,
)


@pytest.mark.parametrize(
    "line",
    [
        "\u2018We will stay out as long as it takes\u2019: union leader addresses rally",
        "Kestrel Port says offer is \u2018fair and final\u2019",
        "'We lost everything in twenty minutes'",
        "PHOTOS: Picket lines form at dawn across the Kestrel quays",
        "Watch: crews at work on the sea wall",
    ],
)
def test_headlines_may_start_or_end_with_quotes(line: str) -> None:
    """A headline may open with a quotation, end with one, or be one without a full stop."""
    assert is_headline(line)


@pytest.mark.parametrize(
    "line", ["What happens to the evacuated families?", "Flood warnings: What you need to know:"]
)
def test_after_a_time_line_questions_and_colons_end_headlines(line: str) -> None:
    """Where a headline is expected, a final '?' or ':' is allowed."""
    assert is_headline(line, lenient=True)
    assert not is_headline(line)


def test_a_speech_verb_before_a_colon_introduces_a_quote_not_a_headline() -> None:
    """'The harbour master said:' is body even where a headline is expected."""
    assert not is_headline("The harbour master said:", lenient=True)


@pytest.mark.parametrize(
    "line",
    [
        "Photograph: Lena Brandt/Reuters",
        "(Image: Getty)",
        "Credit: Reuters",
        "Firefighters at the quay (Image: Getty)",
        "#heatwave",
        "Storm latest #StormIlsa #Valmont",
        "\u2014 Ana Petrov (@anapetrov_example) July 8, 2025",
        "By Jane Okoro and Tom Reddaway",
        "Reporting by Jane Okoro",
        "PORT ALDER, Wessmark 2026-03-14",
        "Key events",
        "16:23",
    ],
)
def test_credits_hashtags_tweets_bylines_and_datelines_are_not_headlines(line: str) -> None:
    """Short lines that only look like headlines are furniture or body."""
    assert not is_headline(line, lenient=True)


def test_picture_credit_is_told_from_a_gallery_headline() -> None:
    """'Photograph: A Name/Agency' is a credit; 'PHOTOS: what they show' is a headline."""
    assert is_credit("Photograph: Lena Brandt/Reuters")
    assert is_credit("(Image: Getty)")
    assert not is_credit("PHOTOS: Smoke over the harbour")


@pytest.mark.parametrize(
    ("title", "bare"),
    [
        ("Heatwave \u2013 live | World news | The Guardian", "Heatwave \u2013 live"),
        (
            "Villages cut off as river bursts banks - BBC News",
            "Villages cut off as river bursts banks",
        ),
        ("Strike latest | The Independent", "Strike latest"),
        (
            "Mayor resigns - council to elect successor",
            "Mayor resigns - council to elect successor",
        ),
        ("Harbour fire \u2013 live", "Harbour fire \u2013 live"),
    ],
)
def test_site_suffix_is_stripped_from_crawler_titles(title: str, bare: str) -> None:
    """Site and section names go; 'live' and a second clause stay."""
    assert strip_site_suffix(title) == bare


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Heatwave in Valmont \u2013 live", ""),
        ("Harbour strike latest: talks collapse", ""),
        ("Election count", "https://news.example/news/live/election-count"),
        ("Election count", "https://news.example/2025/jul/08/election-count-live"),
    ],
)
def test_live_signs_in_titles_and_urls(title: str, url: str) -> None:
    """'live', 'latest:' in a title or a /live/ path says the page is a live blog."""
    assert has_live_sign(title, url)


def test_live_words_elsewhere_are_no_sign() -> None:
    """A title about live music or a query string mentioning live blogs is no sign."""
    assert not has_live_sign("Live music returns to the harbour stage", "")
    assert not has_live_sign("Quotes of the night", "https://news.example/a?utm=liveblog")


def test_key_event_labels() -> None:
    """The label over a key-events block is recognised; a sentence about key events is not."""
    assert is_key_label("Key events")
    assert not is_key_label("Key events in the dispute are listed below.")


def test_live_suffix_is_stripped_for_comparison() -> None:
    """'- live', '- live updates' and '- as it happened' end a title; 'Live music' keeps it."""
    assert strip_live_suffix("Heatwave \u2013 live updates") == "Heatwave"
    assert strip_live_suffix("Election night - as it happened") == "Election night"
    assert strip_live_suffix("Live music returns") == "Live music returns"
