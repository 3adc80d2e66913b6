"""Static membership on Apache Kafka: a worker restarted with its NEWS_WORKER_GROUP_INSTANCE_ID
takes its partitions back without a rebalance; the other worker's assignment never moves."""

from __future__ import annotations

import signal
import time

from tests.integration.conftest import WorkerProcess
from tests.integration.test_worker_end_to_end import offline_events
from worker.cli import sample_lines

# Longer than a restart: the broker keeps a static member's partitions for it meanwhile.
SESSION_S = "30"


def assignments(worker: WorkerProcess) -> list[list[str]]:
    return [e["partitions"] for e in worker.log_events() if e.get("event") == "partitions.assigned"]


def wait_assigned(workers: list[WorkerProcess], partitions: int, timeout: float = 60.0) -> None:
    """Until the workers' latest assignments together hold every input partition, once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        latest = [assignments(w)[-1] if assignments(w) else [] for w in workers]
        held = [p for parts in latest for p in parts if p.startswith("raw-")]
        if len(held) == len(set(held)) == partitions:
            return
        time.sleep(0.2)
    raise AssertionError(f"never assigned: {[assignments(w) for w in workers]}")


def test_a_restarted_static_member_takes_its_partitions_back(names, start_worker, produce, consume):
    """SIGTERM and restart of worker a (same instance id): a gets the same partitions, b sees
    no new assignment, and the sample still gives every expected event."""
    a = start_worker(NEWS_WORKER_GROUP_INSTANCE_ID="a", NEWS_WORKER_SESSION_TIMEOUT_S=SESSION_S)
    b = start_worker(NEWS_WORKER_GROUP_INSTANCE_ID="b", NEWS_WORKER_SESSION_TIMEOUT_S=SESSION_S)
    a.wait_ready()
    b.wait_ready()
    wait_assigned([a, b], partitions=2)
    held_by_a, seen_by_b = assignments(a)[-1], len(assignments(b))

    assert a.stop(signal.SIGTERM) == 0
    again = start_worker(NEWS_WORKER_GROUP_INSTANCE_ID="a", NEWS_WORKER_SESSION_TIMEOUT_S=SESSION_S)
    again.wait_ready()
    wait_assigned([again, b], partitions=2)

    assert assignments(again)[-1] == held_by_a
    assert len(assignments(b)) == seen_by_b, "b was rebalanced"
    lines = sample_lines()
    produce(names.input, lines)
    expected = {event["event_id"] for event in offline_events(lines)}
    records = consume(names.output, len(expected), timeout=60)
    assert {record.json()["event_id"] for record in records} == expected
