"""kill -9 in the middle of a replay loses nothing: a restart re-emits, never drops, event ids."""

from __future__ import annotations

import io
import signal
import threading
import time
from datetime import UTC, datetime

from tests.fixtures import refreshes
from worker.offline import process_lines
from worker.settings import Settings


def undisturbed_ids(lines: list[bytes]) -> set[str]:
    import json

    out = io.BytesIO()
    process_lines(lines, out, None, settings=Settings(), clock=lambda: datetime.now(UTC))
    return {json.loads(line)["event_id"] for line in out.getvalue().splitlines()}


def test_kill_9_mid_replay_then_restart_misses_nothing(names, start_worker, produce, consume):
    """After SIGKILL and a restart, every expected event id is there and no unexpected one."""
    lines = refreshes.lines(stories=4)
    expected = undisturbed_ids(lines)
    first = start_worker(NEWS_WORKER_BATCH_SIZE="8")
    first.wait_ready()

    def replay() -> None:
        for start in range(0, len(lines), 4):
            produce(names.input, lines[start : start + 4], key=b"harbour-herald")
            time.sleep(0.15)

    producer = threading.Thread(target=replay)
    producer.start()
    consume(names.output, len(expected) // 3, timeout=60)
    first.stop(signal.SIGKILL)
    producer.join()

    second = start_worker(NEWS_WORKER_BATCH_SIZE="8")
    second.wait_ready()
    records = consume(names.output, len(expected), timeout=90, settle=8.0)
    emitted = [record.json()["event_id"] for record in records]

    assert expected - set(emitted) == set(), "events lost"
    assert set(emitted) - expected == set(), "events that an undisturbed run never emits"
    assert len(emitted) >= len(expected)
