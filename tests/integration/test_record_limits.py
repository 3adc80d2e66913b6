"""Every record the worker produces fits its topic: a record that would not is dead-lettered
with its reason, never retried, and the worker goes on without a restart."""

from __future__ import annotations

import base64
import json
import time

from worker.codec import schema_error

LIMIT = 340_000  # NEWS_WORKER_MAX_RECORD_BYTES for these tests: the broker does not say


def article(path: str, text: str, fetched_at: str = "2026-11-24T10:00:00Z") -> bytes:
    url = f"https://limits.example/{path}"
    return json.dumps({"url": url, "fetched_at": fetched_at, "text": text}).encode()


def test_records_over_the_limit_are_dead_lettered_with_their_reason(
    names, start_worker, produce, consume
):
    """Too big to repartition: Oversize; fits, but its event would not: OutputTooLarge; every
    dead letter fits the limit itself; a good record after them still flows."""
    worker = start_worker(NEWS_WORKER_MAX_RECORD_BYTES=str(LIMIT))
    worker.wait_ready()
    too_big = article("big", "A long line of words. " * 20_000)
    many_lines = article("lines", "\n".join(f"Line {n}." for n in range(25_000)))
    good = article("good", "A good article after the large ones.")
    produce(names.input, [too_big, many_lines, good], key=b"k" * 5000)

    letters = consume(names.deadletter, 2, settle=1.0)
    events = consume(names.output, 1)

    documents = {d["error_class"]: d for d in (letter.json() for letter in letters)}
    assert sorted(documents) == ["OutputTooLarge", "Oversize"]
    assert "repartitioned" in documents["Oversize"]["reason"]
    assert documents["Oversize"]["value_truncated"] is True
    assert documents["OutputTooLarge"]["reason"].startswith("event ")
    kept = base64.b64decode(documents["OutputTooLarge"]["value_b64"])
    assert many_lines.startswith(kept) and len(kept) > 100_000  # base64 of it all would not fit
    for letter in letters:
        assert len(letter.value) + len(letter.key or b"") < LIMIT
        assert len(letter.key) <= 1024
        assert schema_error("dead_letter.v1", letter.json()) is None
        assert letter.json()["key_size"] == 5000
    assert [event.json()["url"] for event in events] == ["https://limits.example/good"]
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
