"""Every record the worker produces fits its topic: a record that would not is dead-lettered
with its reason, never retried, and the worker goes on without a restart."""

from __future__ import annotations

import json
import time

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

from worker.codec import schema_error

LIMIT = 340_000  # the topics' max.message.bytes (Kafka), or NEWS_WORKER_MAX_RECORD_BYTES (Tansu)


def small_topics(broker, names) -> dict[str, str]:
    """Make the worker's topics hold at most LIMIT bytes a record: on Apache Kafka by creating
    them so beforehand (the worker reads the limit from the broker); Tansu reports no limit,
    so there the setting says it."""
    if broker.flavor == "tansu":
        return {"NEWS_WORKER_MAX_RECORD_BYTES": str(LIMIT)}
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    limit = {"max.message.bytes": str(LIMIT)}
    topics = [
        NewTopic(names.output, 2, 1, config=limit),
        NewTopic(names.deadletter, 2, 1, config=limit),
        NewTopic(f"{names.group}-articles-by-story", 2, 1, config=limit),
        NewTopic(
            f"{names.group}-stories-changelog", 2, 1, config={**limit, "cleanup.policy": "compact"}
        ),
    ]
    for future in admin.create_topics(topics).values():
        future.result()
    return {}


def article(path: str, text: str, fetched_at: str = "2026-11-24T10:00:00Z") -> bytes:
    url = f"https://limits.example/{path}"
    return json.dumps({"url": url, "fetched_at": fetched_at, "text": text}).encode()


@pytest.mark.parametrize("broker", ["kafka", "tansu"], indirect=True)
def test_records_over_the_limit_are_dead_lettered_with_their_reason(
    broker, names, start_worker, produce, consume
):
    """Too big to repartition: Oversize; fits, but its text is over the event's cap: published
    cut, flagged `text_truncated`, its state within the limit; every dead letter fits the limit
    itself; a good record after them still flows."""
    worker = start_worker(**small_topics(broker, names))
    worker.wait_ready()
    too_big = article("big", "A long line of words. " * 20_000)
    many_lines = article("lines", "\n".join(f"Line {n}." for n in range(25_000)))
    good = article("good", "A good article after the large ones.")
    produce(names.input, [too_big, many_lines, good], key=b"k" * 5000)

    letters = consume(names.deadletter, 1, settle=1.0)
    events = consume(names.output, 2)

    [document] = [letter.json() for letter in letters]
    assert document["error_class"] == "Oversize"
    assert "repartitioned" in document["reason"] and document["value_truncated"] is True
    for letter in letters:
        assert len(letter.value) + len(letter.key or b"") < LIMIT
        assert len(letter.key) <= 1024
        assert schema_error("dead_letter.v1", letter.json()) is None
        assert letter.json()["key_size"] == 5000
    by_url = {event.json()["url"]: event for event in events}
    assert sorted(by_url) == ["https://limits.example/good", "https://limits.example/lines"]
    lines = by_url["https://limits.example/lines"]
    assert lines.json()["text_truncated"] is True and len(lines.value) < LIMIT
    assert worker.process.poll() is None
    log_events = [e.get("event") for e in worker.log_events()]
    assert log_events.count("worker.ready") == 1 and "article.failed" not in log_events


def test_a_story_dated_9999_does_not_stop_the_eviction_timer(names, start_worker, produce, consume):
    """The timer ticks every second over a story it may not be able to judge; the worker lives
    on and still processes the next record."""
    worker = start_worker(NEWS_WORKER_EVICTION_INTERVAL_S="1")
    worker.wait_ready()
    produce(names.input, [article("far", "Far future.", "9999-12-31T23:59:59Z")])
    first = consume(names.output, 1, timeout=30) + consume(names.deadletter, 1, timeout=1)
    assert first, "the far-future record was neither processed nor dead-lettered"
    time.sleep(4)  # four ticks
    produce(names.input, [article("next", "The next story.")])
    events = consume(names.output, 2, timeout=30)
    assert "https://limits.example/next" in [event.json()["url"] for event in events]
    assert worker.process.poll() is None
    assert [e.get("event") for e in worker.log_events()].count("worker.ready") == 1
