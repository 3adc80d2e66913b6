"""`news-worker process`: the core on JSON lines, with in-memory byte streams for files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import orjson

from worker.codec import DEAD_LETTER, NEWS_UPDATE, schema_error
from worker.offline import process_lines
from worker.settings import Settings

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
GOOD = b'{"url": "https://a.example/one", "fetched_at": "2026-11-24T07:45:00Z", "text": "One."}'
LIVE = (
    b'{"url": "https://b.example/live", "fetched_at": "2026-11-24T08:00:00Z", "updates": '
    b'[{"id": "p2", "text": "Two."}, {"id": "p1", "text": "One."}]}'
)
NOT_JSON = b'{"url": "https://a.example/'
FTP = b'{"url": "ftp://a.example/x", "fetched_at": "2026-11-24T07:45:00Z", "text": "x"}'


def run(lines: list[bytes], **settings: Any) -> tuple[dict[str, int], list[Any], list[Any]]:
    """Process `lines`; return the counts, the events and the dead letters as parsed JSON."""
    events, letters = io.BytesIO(), io.BytesIO()
    counts = process_lines(
        lines,
        events,
        letters,
        settings=Settings(**settings),
        clock=lambda: NOW,
        source_name="crawl.jsonl",
    )
    return counts, _json_lines(events), _json_lines(letters)


def _json_lines(stream: io.BytesIO) -> list[Any]:
    data = stream.getvalue()
    assert data == b"" or data.endswith(b"\n"), "every record ends its line"
    return [orjson.loads(line) for line in data.splitlines()]


def sample_lines() -> list[bytes]:
    return (resources.files("worker") / "data" / "sample_articles.jsonl").read_bytes().splitlines()


def test_good_lines_become_one_json_event_per_line() -> None:
    """Each update of each good article is one JSON line on the events stream."""
    counts, events, letters = run([GOOD + b"\n", LIVE + b"\n"])
    ids = [e["update_id"] for e in events]
    assert ids[0].startswith("u")
    assert ids[1:] == ["p1", "p2"]  # pages list posts newest first; events go oldest first
    assert all(schema_error(NEWS_UPDATE, e) is None for e in events)
    assert letters == []
    assert counts == {"articles": 2, "events": 3, "dead_letters": 0}


def test_bad_lines_become_dead_letters_with_source_and_line_number() -> None:
    """A bad line is dead-lettered with topic = the source name and offset = its 0-based line."""
    counts, _, letters = run([GOOD, NOT_JSON, FTP])
    assert [(d["error_class"], d["topic"], d["offset"]) for d in letters] == [
        ("NotJson", "crawl.jsonl", 1),
        ("SchemaViolation", "crawl.jsonl", 2),
    ]
    assert all(schema_error(DEAD_LETTER, d) is None for d in letters)
    assert counts == {"articles": 3, "events": 1, "dead_letters": 2}


def test_dead_letter_keeps_the_line_without_its_newline() -> None:
    """The original bytes are the line's content; the line ending is framing, not data."""
    _, _, [letter] = run([NOT_JSON + b"\r\n"])
    assert letter["value_size"] == len(NOT_JSON)
    assert letter["partition"] is None
    assert letter["key_b64"] is None


def test_blank_lines_are_skipped_but_still_counted_as_lines() -> None:
    """Blank lines are not articles, yet offsets stay true line numbers of the file."""
    counts, _, letters = run([b"\n", GOOD, b"   \n", b"", NOT_JSON])
    assert [d["offset"] for d in letters] == [4]
    assert counts == {"articles": 2, "events": 1, "dead_letters": 1}


def test_oversize_line_is_dead_lettered_with_a_truncated_value() -> None:
    """The max-bytes settings apply to the offline run as to the stream."""
    _, events, [letter] = run([GOOD], max_value_bytes=20, deadletter_max_value_bytes=10)
    assert events == []
    assert (letter["error_class"], letter["value_truncated"]) == ("Oversize", True)


def test_no_dead_letter_stream_still_counts_bad_lines() -> None:
    """Without a dead-letter file, bad lines are counted and nothing is written for them."""
    events = io.BytesIO()
    counts = process_lines([NOT_JSON, GOOD], events, None, settings=Settings(), clock=lambda: NOW)
    assert counts == {"articles": 2, "events": 1, "dead_letters": 1}


def test_state_carries_from_line_to_line() -> None:
    """A later crawl of the same page only emits what changed."""
    revised = LIVE.replace(b'"Two."', b'"Two, revised."')
    _, events, _ = run([LIVE, revised])
    assert [(e["update_id"], e["version"]) for e in events] == [("p1", 1), ("p2", 1), ("p2", 2)]


def test_sample_gives_six_events_and_three_dead_letters() -> None:
    """The bundled sample: three posts, one revision, two articles, three kinds of rejection."""
    counts, events, letters = run(sample_lines())
    assert [e["type"] for e in events].count("update.revised") == 1
    assert len(events) == 6
    assert [d["error_class"] for d in letters] == ["NotJson", "SchemaViolation", "EmptyText"]
    assert counts == {"articles": 9, "events": 6, "dead_letters": 3}


def test_sample_crawler_retry_adds_no_events() -> None:
    """The sample's fourth line repeats its third; dropping it changes no event."""
    lines = sample_lines()
    assert lines[3] == lines[2]
    _, with_retry, _ = run(lines)
    _, without_retry, _ = run(lines[:3] + lines[4:])
    assert with_retry == without_retry


def test_identical_line_twice_gives_events_once() -> None:
    """A retried crawl is a no-op once the first one has been processed."""
    _, once, _ = run([LIVE])
    _, twice, _ = run([LIVE, LIVE])
    assert twice == once


def test_rerun_gives_identical_output() -> None:
    """Two runs over the same lines write identical events, ids included."""
    assert run(sample_lines())[1] == run(sample_lines())[1]
