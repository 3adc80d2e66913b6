"""The streaming worker on Apache Kafka and on the embedded broker: sample in, the offline
command's events out."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from worker.cli import sample_lines
from worker.offline import process_lines
from worker.settings import Settings

VOLATILE = ("processed_at",)


def _stable(event: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in event.items() if k not in VOLATILE}


def offline_events(lines: list[bytes]) -> list[dict[str, object]]:
    out = io.BytesIO()
    process_lines(lines, out, None, settings=Settings(), clock=lambda: datetime.now(UTC))
    import json

    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("broker", ["kafka", "tansu"], indirect=True)
def test_streaming_worker_emits_the_same_events_as_process(names, start_worker, produce, consume):
    """The sample through the broker gives exactly the events `news-worker process` gives."""
    worker = start_worker()
    worker.wait_ready()
    lines = sample_lines()
    produce(names.input, lines)
    expected = offline_events(lines)

    records = consume(names.output, len(expected), settle=2.0)

    streamed = [_stable(r.json()) for r in records]
    assert sorted(streamed, key=lambda e: e["event_id"]) == sorted(
        (_stable(e) for e in expected), key=lambda e: e["event_id"]
    )
    assert all(r.key == r.json()["story_id"].encode() for r in records)


def test_events_of_one_story_keep_their_order(names, start_worker, produce, consume):
    """Every event of a story is on one partition, in the order the crawls arrived."""
    worker = start_worker()
    worker.wait_ready()
    lines = sample_lines()
    produce(names.input, lines)
    expected = [e["event_id"] for e in offline_events(lines)]

    records = consume(names.output, len(expected))

    by_story: dict[str, list[tuple[int, str]]] = {}
    for record in records:
        event = record.json()
        by_story.setdefault(event["story_id"], []).append((record.partition, event["event_id"]))
    for story_events in by_story.values():
        assert len({partition for partition, _ in story_events}) == 1
        ids = [event_id for _, event_id in story_events]
        assert ids == [e for e in expected if e in ids]
