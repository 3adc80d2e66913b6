"""SIGTERM mid-stream is a clean stop: in-flight work is finished and its offsets committed."""

from __future__ import annotations

import signal
from collections import Counter

from tests.fixtures import refreshes
from tests.integration.conftest import replay_slowly
from tests.integration.test_crash_replay import undisturbed_ids


def test_sigterm_drains_and_a_restart_emits_nothing_again(
    broker, names, start_worker, consume, tmp_path
):
    """After SIGTERM mid-stream (exit 0, a clean stop in the log) a restart of the same group
    emits only what was not yet done: every expected event exactly once, never twice."""
    lines = refreshes.lines(stories=3)
    expected = undisturbed_ids(lines)
    first = start_worker(NEWS_WORKER_BATCH_SIZE="4")
    first.wait_ready()
    replay = replay_slowly(broker.bootstrap, names.input, lines)
    assert consume(names.output, 3), "no event before the stop"

    code = first.stop(signal.SIGTERM)
    replay.join(60)
    before = consume(names.output, len(expected), timeout=5)

    second = start_worker(NEWS_WORKER_BATCH_SIZE="4")
    second.wait_ready()
    after = consume(names.output, len(expected), timeout=60, settle=8.0)
    counts = Counter(record.json()["event_id"] for record in after)

    log = first.log_path.read_text()
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
    assert [e["event"] for e in first.log_events() if e.get("level") == "error"] == []
    assert [e.get("code") for e in first.log_events() if e["event"] == "worker.stopped"] == [0]
    assert 0 < len(before) < len(expected), "the stop did not come mid-stream"
    assert set(counts) == expected
    assert [event_id for event_id, n in counts.items() if n > 1] == [], "emitted again"
