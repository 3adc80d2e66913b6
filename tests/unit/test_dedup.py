"""Deduplication across refreshes: each update once, each material revision once, nothing else."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fixtures import golden, refreshes
from worker.codec import schema_error
from worker.pipeline import process_article
from worker.pipeline.learning import SourceMemory
from worker.pipeline.process import Limits, page_fingerprint

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DEFAULT_LIMITS = Limits()
BOILERPLATE_WORDS = (
    "Subscribe",
    "bookmark",
    "donation",
    "Join our",
    "commenting",
    "paywall",
    "Your support",
    "Comments",
)


def replay(
    crawls: list[dict[str, Any]],
    limits: Limits = DEFAULT_LIMITS,
    memory: SourceMemory | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    state: dict[str, Any] = {}
    memory = memory or SourceMemory()
    events = []
    for crawl in crawls:
        outcome = process_article(crawl, state, NOW, limits=limits, memory=memory)
        events.extend(outcome.events)
        state.update(outcome.state_writes)
    return events, state


def key_of(event: dict[str, Any]) -> str:
    """The fixture post an event is about, found by its first words."""
    if event["update_kind"] == "summary":
        return "summary"
    for post in refreshes.POSTS:
        body = post.paragraphs[0][1:40] if post.paragraphs else ""
        if (body and body in event["text"]) or event["headline"] == post.headline:
            return post.key
    return "?"


def test_refresh_sequence_emits_each_update_once_and_each_revision_once() -> None:
    """Twelve refreshes, URL variants and a retry: 15 creations, 4 revisions, nothing more."""
    events, _ = replay(refreshes.crawls())
    assert sorted((e["type"], key_of(e)) for e in events) == refreshes.EXPECTED


def test_cosmetic_edits_emit_nothing() -> None:
    """Quote style, doubled spaces, a typo fix and a restored first letter are not revisions."""
    events, _ = replay(refreshes.crawls())
    revised = {key_of(e) for e in events if e["type"] == "update.revised"}
    assert revised.isdisjoint(refreshes.COSMETIC)


def test_every_event_is_valid_and_free_of_boilerplate() -> None:
    """Events satisfy the schema and carry no appeal, prompt or comment text."""
    events, _ = replay(refreshes.crawls())
    for event in events:
        assert schema_error("news_update.v1", event) is None
        for word in BOILERPLATE_WORDS:
            assert word not in event["text"] and word not in event["headline"], word


def test_revisions_explain_themselves() -> None:
    """A revision names its method, similarity, matched update, previous hash and diff."""
    events, _ = replay(refreshes.crawls())
    numbers = next(e for e in events if e["type"] == "update.revised" and key_of(e) == "p02")
    assert numbers["version"] == 2
    assert numbers["dedup"]["method"] == "simhash"
    assert numbers["dedup"]["matched_update_id"] == numbers["update_id"]
    assert numbers["previous_hash"]
    assert numbers["diff"]["numbers_changed"] == [{"from": "40", "to": "60"}]
    headline = next(e for e in events if e["type"] == "update.revised" and key_of(e) == "p06")
    assert headline["diff"]["headline_before"] == "Owner says warehouse was empty overnight"


def test_pipeline_matches_the_golden_events() -> None:
    """The decisions on the refresh fixture are the reviewed ones in tests/data."""
    assert golden.current() == golden.stored()


def test_replaying_the_same_history_gives_the_same_event_ids() -> None:
    """Event ids depend only on the input history, not on the clock or the run."""
    first, _ = replay(refreshes.crawls())
    second, _ = replay(refreshes.crawls())
    assert [e["event_id"] for e in first] == [e["event_id"] for e in second]
    assert len({e["event_id"] for e in first}) == len(first)


def test_an_older_crawl_arriving_late_revises_nothing() -> None:
    """A crawl older than the newest one processed (reordered in transit) only adds unseen
    updates; it never reverts a newer version."""
    crawls = refreshes.crawls()
    late = crawls[4]  # refresh 4 holds p02's edited number; refresh 3 the original
    events, _ = replay([*crawls[:5], crawls[3]])
    revisions = [e for e in events if e["type"] == "update.revised"]
    assert len(revisions) == 1 and late["fetched_at"] > crawls[3]["fetched_at"]


def test_a_story_past_its_ttl_starts_afresh() -> None:
    """State older than the TTL is ignored: the story's updates are new again."""
    crawl = refreshes.crawls()[0]
    later = {**crawl, "fetched_at": "2026-11-30T06:30:00Z"}
    events, _ = replay([crawl, later], limits=Limits(story_ttl=timedelta(hours=24)))
    assert Counter(e["type"] for e in events) == Counter({"update.created": 6})
    events, _ = replay([crawl, later], limits=Limits(story_ttl=timedelta(days=30)))
    assert len(events) == 3


def test_story_state_keeps_at_most_the_cap_of_updates() -> None:
    """The least recently seen updates are forgotten beyond the per-story cap."""
    _, state = replay(refreshes.crawls(), limits=Limits(max_updates=5))
    (story,) = state.values()
    assert len(story["updates"]) == 5


def test_a_line_recurring_across_stories_of_a_source_is_learned_as_boilerplate() -> None:
    """A site's own plug, seen in three different stories, is dropped from the fourth."""
    plug = "Listen to the Harbour Herald podcast every Friday morning on your favourite app."
    memory = SourceMemory(stories_needed=3)
    crawls = [
        {
            "url": f"https://herald.example/news/{n}",
            "fetched_at": "2026-11-24T10:00:00Z",
            "source": "Herald",
            "text": f"Story {n} headline words here\nBody of story number "
            f"{n} is about something different, said officials.\n{plug}",
        }
        for n in range(4)
    ]
    events, _ = replay(crawls, memory=memory)
    assert plug in json.dumps(events[0], ensure_ascii=False)
    assert plug not in json.dumps(events[-1], ensure_ascii=False)


def test_learned_boilerplate_is_per_source() -> None:
    """What one site repeats is not boilerplate for another site."""
    memory = SourceMemory(stories_needed=2)
    line = "Listen to the Harbour Herald podcast every Friday morning on your favourite app."
    memory.observe("Herald", "s1", [line])
    memory.observe("Herald", "s2", [line])
    assert memory.is_boilerplate("Herald", line)
    assert not memory.is_boilerplate("Gazette", line)


def test_source_memory_is_bounded() -> None:
    """The learned memory forgets the least recently seen lines beyond its size."""
    memory = SourceMemory(lines_per_source=10)
    memory.observe("Herald", "s1", [f"line number {n} with enough words" for n in range(50)])
    assert memory.size() == 10


def test_source_memory_is_bounded_across_sources() -> None:
    """Many sources share one bound on lines; the least recently seen source gives up first."""
    memory = SourceMemory(lines_per_source=10, max_lines=25)
    for source in ("Herald", "Gazette", "Courier"):
        memory.observe(source, "s1", [f"{source} line {n} with enough words" for n in range(10)])
    assert memory.size() == 25
    memory.observe("Courier", "s2", ["Courier line 9 with enough words"])
    assert memory.size() == 25
    memory.observe("Post", "s1", [f"Post line {n} with enough words" for n in range(10)])
    assert memory.size() == 25
    assert "Herald" not in memory._sources  # emptied, then forgotten
    assert memory._lines == memory.size()


def test_a_byte_identical_page_takes_the_cheap_path() -> None:
    """A re-crawl identical to the story's last page is not even split: no decisions, no events;
    only the story's last-seen time moves, at most once per touch interval."""
    crawl = refreshes.crawls()[3]
    state: dict[str, Any] = {}
    first = process_article(crawl, state, NOW)
    state.update(first.state_writes)
    again = process_article({**crawl, "fetched_at": "2026-11-24T09:40:00Z"}, state, NOW)
    later = process_article({**crawl, "fetched_at": "2026-11-24T12:00:00Z"}, state, NOW)
    assert (again.decisions, again.events, again.state_writes) == ([], [], {})
    assert later.decisions == [] and later.events == []
    assert later.state_writes[first.story_id]["seen"] == "2026-11-24T12:00:00Z"


def crawled_once() -> tuple[dict[str, Any], dict[str, Any]]:
    """Refresh 3 of the fixture and the state it leaves."""
    crawl = refreshes.crawls()[3]
    state: dict[str, Any] = {}
    state.update(process_article(crawl, state, NOW).state_writes)
    return crawl, state


def recrawled(crawl: dict[str, Any], state: dict[str, Any], text: str) -> Any:
    """The same page ten minutes later, with `text`."""
    later = {**crawl, "text": text, "fetched_at": "2026-11-24T09:40:00Z"}
    return process_article(later, state, NOW)


def test_a_page_whose_chrome_moved_takes_the_cheap_path() -> None:
    """A re-crawl that differs only in lines that are boilerplate or debris as a whole (a
    comment count, a prompt, a divider) has the story's last page's fingerprint: no events."""
    crawl, state = crawled_once()
    chrome = crawl["text"].replace("\nComments", "\nAdvertisement\n* * *\nComments (41)")
    again = recrawled(crawl, state, chrome)
    assert chrome != crawl["text"]
    assert (again.decisions, again.events, again.state_writes) == ([], [], {})


def test_a_page_equal_once_cleaned_takes_the_cheap_path() -> None:
    """A re-crawl whose content lines differ only in what cleaning normalises (spacing,
    invisible characters) shows the same updates: cleaned and split, but not matched."""
    crawl, state = crawled_once()
    spaced = crawl["text"].replace(". ", ".  ").replace("fire", "fi\u00adre")
    again = recrawled(crawl, state, spaced)
    assert spaced != crawl["text"]
    assert (again.decisions, again.events, again.state_writes) == ([], [], {})


def test_a_changed_content_line_is_matched_in_full() -> None:
    """One content line changed: the cheap paths do not apply and the edit is a revision."""
    crawl, state = crawled_once()
    edited = crawl["text"].replace("nobody has been reported hurt", "one firefighter was hurt")
    again = recrawled(crawl, state, edited)
    assert edited != crawl["text"]
    assert [event["type"] for event in again.events] == ["update.revised"]


def test_the_cheap_paths_give_the_events_of_the_full_path() -> None:
    """Chrome-only re-crawls between the refreshes change nothing the worker emits."""
    crawls = refreshes.crawls()
    noisy = []
    for number, crawl in enumerate(crawls):
        noisy.append(crawl)
        chrome = crawl["text"] + f"\nComments ({number})"
        noisy.append({**crawl, "text": chrome, "crawl_id": f"again-{number}"})
    plain, _ = replay(crawls)
    assert [e["event_id"] for e in replay(noisy)[0]] == [e["event_id"] for e in plain]


def test_a_late_crawl_does_not_replace_the_fingerprints_of_the_newest_page() -> None:
    """After an older crawl arrives late, the newest page is still the one the cheap paths
    compare with, so a re-crawl of the older page is matched in full, not skipped."""
    crawls = refreshes.crawls()
    _, state = replay([*crawls[:5], crawls[3]])
    (stored,) = state.values()
    _, newest = replay(crawls[:5])
    (expected,) = newest.values()
    assert (stored["page"], stored["content"]) == (expected["page"], expected["content"])


def test_known_lines_only_spare_work_they_never_change_the_fingerprint() -> None:
    """The story's last content lines skip the chrome check; the fingerprint is the same."""
    first, second = refreshes.crawls()[3], refreshes.crawls()[4]
    _, known = page_fingerprint(first)
    assert len(known) % 16 == 0 and len(known) > 16 * 10
    for crawl in (first, second):
        assert page_fingerprint(crawl, known) == page_fingerprint(crawl)
