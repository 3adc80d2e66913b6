"""A live blog re-crawled twelve times, through the broker: each update once, each revision once."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from tests.fixtures import refreshes
from worker.offline import process_lines
from worker.settings import Settings


def offline(lines: list[bytes]) -> list[dict[str, object]]:
    out = io.BytesIO()
    process_lines(lines, out, None, settings=Settings(), clock=lambda: datetime.now(UTC))
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("store", ["memory://", "rocksdb://"])
def test_refresh_replay_through_the_broker_matches_process(
    names, start_worker, produce, consume, store
):
    """Streaming and offline runs emit the same events, with either table store; creations and
    revisions as expected."""
    lines = refreshes.lines()
    expected = offline(lines)
    worker = start_worker(NEWS_WORKER_STORE=store)
    worker.wait_ready()
    for line in lines:  # a crawler keying by URL: variants land on different input partitions
        produce(names.input, [line], key=json.loads(line)["url"].encode())

    records = consume(names.output, len(expected), settle=3.0)

    def stable(event: dict[str, object]) -> tuple[object, ...]:
        return event["event_id"], event["type"], event["text"], event["headline"]

    assert sorted(stable(r.json()) for r in records) == sorted(stable(e) for e in expected)
    kinds = Counter(r.json()["type"] for r in records)
    assert kinds == Counter(kind for kind, _ in refreshes.EXPECTED)
