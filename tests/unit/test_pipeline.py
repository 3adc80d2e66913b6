"""The pure core: one raw article and a plain dict of state in, events and state writes out.

No broker, no clock: time is a fixed value and state is a dict, as the house style asks.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from worker.codec import NEWS_UPDATE, schema_error
from worker.errors import EmptyText
from worker.pipeline import Outcome, process_article
from worker.pipeline.story import canonical_url, story_id

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
LATER = datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
URL = "https://news.example/2026/11/24/storm"


def article(**fields: Any) -> dict[str, Any]:
    """A raw article as decode_article returns it; a field set to None is left out."""
    doc: dict[str, Any] = {
        "url": URL,
        "fetched_at": "2026-11-24T07:45:00Z",
        "text": "Gales hit the coast.",
    }
    doc.update(fields)
    return {k: v for k, v in doc.items() if v is not None}


def live(*posts: tuple[str, str]) -> dict[str, Any]:
    """A live page whose crawler split it into (id, text) updates."""
    return article(text=None, updates=[{"id": pid, "text": text} for pid, text in posts])


def run(doc: dict[str, Any], state: dict[str, Any] | None = None) -> Outcome:
    return process_article(doc, {} if state is None else state, NOW)


def texts(outcome: Outcome) -> list[str]:
    return [event["text"] for event in outcome.events]


# --- plain text --------------------------------------------------------------------------------


def test_plain_text_article_gives_one_created_event() -> None:
    """A page with only `text` is one update, `main`, at version 1."""
    [event] = run(article()).events
    assert (event["type"], event["version"]) == ("update.created", 1)
    assert event["update_id"].startswith("u")
    assert event["text"] == "Gales hit the coast."


def test_event_satisfies_news_update_schema() -> None:
    """Every event the core builds is a valid news_update.v1."""
    doc = article(source="News", title="Storm", crawl_id="c-1", published_at="2026-11-24T07:00:00Z")
    [event] = run(doc).events
    assert schema_error(NEWS_UPDATE, event) is None


def test_event_carries_the_fixed_clock_as_processed_at() -> None:
    """processed_at is the time passed in, written in RFC 3339 with a Z."""
    assert run(article()).events[0]["processed_at"] == "2026-12-01T00:00:00Z"


def test_source_falls_back_to_the_bare_host() -> None:
    """With no `source` field, the source is the host without `www.`."""
    assert run(article(url="https://www.News.example/a")).events[0]["source"] == "news.example"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cafe\u0301 reopens", "Café reopens"),
        ("Gales\u00a0hit the\u00a0\u00a0coast", "Gales hit the coast"),
        ("Gales   hit \t the coast  ", "Gales hit the coast"),
        ("  One.\r\n\r\n\r\nTwo.  \n", "One.\n\nTwo."),
    ],
    ids=["nfc", "nbsp", "space-runs", "blank-lines"],
)
def test_text_is_normalised(text: str, expected: str) -> None:
    """Text is NFC, whitespace runs fold to one space, paragraphs are split by a blank line."""
    assert texts(run(article(text=text))) == [expected]


@pytest.mark.parametrize("text", ["", "   ", " \n\t\u00a0\r\n "], ids=["empty", "spaces", "mixed"])
def test_text_of_only_whitespace_is_empty_text(text: str) -> None:
    """An article with nothing readable left is EmptyText, which the shell dead-letters."""
    with pytest.raises(EmptyText):
        run(article(text=text))


# --- event ids ---------------------------------------------------------------------------------


def test_event_id_is_deterministic() -> None:
    """The same article against the same state gives the same event id."""
    assert run(article()).events[0]["event_id"] == run(article()).events[0]["event_id"]


def test_event_id_does_not_depend_on_the_clock() -> None:
    """A replay at another time keeps the event id; only processed_at changes."""
    first = process_article(article(), {}, NOW).events[0]
    replay = process_article(article(), {}, LATER).events[0]
    assert first["event_id"] == replay["event_id"]
    assert first["processed_at"] != replay["processed_at"]


def test_event_id_differs_for_a_new_version() -> None:
    """A revision of the same update gets its own event id."""
    first = run(article(text="Gales."))
    revised = run(article(text="Gales and rain."), dict(first.state_writes))
    assert first.events[0]["event_id"] != revised.events[0]["event_id"]


# --- structured updates and state --------------------------------------------------------------


def test_structured_updates_give_one_event_each_oldest_first() -> None:
    """A crawler's own split (newest first, as pages list it) yields one event per update,
    published oldest first."""
    outcome = run(live(("p3", "Third."), ("p2", "Second."), ("p1", "First.")))
    assert [e["update_id"] for e in outcome.events] == ["p1", "p2", "p3"]
    assert texts(outcome) == ["First.", "Second.", "Third."]


def test_all_events_of_a_crawl_share_the_story() -> None:
    """Every update of one page carries the same story id."""
    outcome = run(live(("p2", "Second."), ("p1", "First.")))
    assert {e["story_id"] for e in outcome.events} == {outcome.story_id}


def test_updates_without_text_or_headline_are_skipped() -> None:
    """An update that normalises to nothing does not become an event."""
    assert texts(run(live(("p2", "  "), ("p1", "First.")))) == ["First."]


def test_same_article_after_state_writes_gives_no_events() -> None:
    """Once its writes are applied, re-processing the same crawl is a no-op."""
    doc = live(("p2", "Second."), ("p1", "First."))
    state: dict[str, Any] = {}
    state.update(run(doc, state).state_writes)
    again = run(doc, state)
    assert (again.events, again.state_writes) == ([], {})


def test_core_does_not_write_to_the_state_it_is_given() -> None:
    """State changes come back in the outcome; the mapping passed in stays untouched."""
    state: dict[str, Any] = {}
    run(article(), state)
    assert state == {}


def test_changed_update_text_is_revised_at_version_2() -> None:
    """A known update whose text changed yields update.revised, version 2, and nothing else."""
    state: dict[str, Any] = {}
    state.update(run(live(("p2", "Ferries run."), ("p1", "Warning.")), state).state_writes)
    outcome = run(live(("p2", "Ferries cancelled."), ("p1", "Warning.")), state)
    [event] = outcome.events
    assert (event["type"], event["update_id"], event["version"]) == ("update.revised", "p2", 2)
    assert event["text"] == "Ferries cancelled."
    assert schema_error(NEWS_UPDATE, event) is None


def test_whitespace_only_change_is_not_a_revision() -> None:
    """Text that normalises to the same string is the same update."""
    state: dict[str, Any] = {}
    state.update(run(article(text="Gales hit the coast."), state).state_writes)
    assert run(article(text="Gales\u00a0 hit  the coast. "), state).events == []


# --- html --------------------------------------------------------------------------------------


def test_html_is_reduced_to_text_without_script_or_style() -> None:
    """Markup, scripts and styles go; visible text stays, one block per paragraph."""
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<script>var ad = 1;</script><h1>Bakery opens</h1><p>Crumb &amp; Co <b>grows</b>.</p>"
        "</body></html>"
    )
    assert texts(run(article(text=None, html=html))) == ["Bakery opens\n\nCrumb & Co grows."]


@pytest.mark.parametrize(
    "html",
    ["<p>Storm <b>hits</p></i> coast", "<p>Storm<div <<>>", "<p>Storm</p><script>unclosed"],
    ids=["misnested", "broken-tags", "unclosed-script"],
)
def test_malformed_html_does_not_raise(html: str) -> None:
    """The tolerant parser keeps what text it can find in broken markup."""
    assert "Storm" in texts(run(article(text=None, html=html)))[0]


def test_deeply_nested_html_does_not_raise_and_finishes_fast() -> None:
    """100,000 nested <div> levels are no recursion hazard and take well under a few seconds."""
    html = "<div>" * 100_000 + "Deep text" + "</div>" * 100_000
    started = time.perf_counter()
    assert texts(run(article(text=None, html=html))) == ["Deep text"]
    assert time.perf_counter() - started < 5


def test_html_with_only_a_script_is_empty_text() -> None:
    """A page whose only text is script is EmptyText."""
    with pytest.raises(EmptyText):
        run(article(text=None, html="<script>var a = 1;</script>"))


# --- story identity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.news.example/2026/11/24/storm",
        "https://news.example/2026/11/24/storm/",
        "https://news.example/2026/11/24/storm#live",
        "https://WWW.News.Example/2026/11/24/storm/#top",
    ],
    ids=["www", "trailing-slash", "fragment", "all-three"],
)
def test_story_id_ignores_www_trailing_slash_and_fragment(variant: str) -> None:
    """Spellings of the same page share one story id."""
    assert story_id(variant) == story_id(URL)


def test_story_id_differs_for_a_different_path() -> None:
    """Two articles on one site are two stories."""
    assert story_id("https://news.example/2026/11/24/flood") != story_id(URL)


def test_story_id_is_hex() -> None:
    """The id is 32 hex characters, as news_update.v1 expects."""
    assert re.fullmatch("[0-9a-f]{32}", story_id(URL))


def test_canonical_url_lower_cases_the_host_but_not_the_path() -> None:
    """Hosts are case-insensitive; paths are not."""
    assert canonical_url("https://News.EXAMPLE/Storm/Latest") == "https://news.example/Storm/Latest"
