"""SIGTERM of one of two workers on Apache Kafka: the survivor takes its partitions over well
within the session timeout (the stopping worker leaves the group; nobody waits for it to expire),
and the sample still gives every expected event."""

from __future__ import annotations

import signal
import time

from tests.integration.test_static_membership import assignments, wait_assigned
from tests.integration.test_worker_end_to_end import offline_events
from worker.cli import sample_lines

SESSION_S = 30.0  # the worker's default


def test_the_survivor_takes_over_well_within_the_session(names, start_worker, produce, consume):
    """Two workers share two partitions; one gets SIGTERM: the other holds both within 10 s."""
    session = {"NEWS_WORKER_SESSION_TIMEOUT_S": str(SESSION_S)}
    leaving, survivor = start_worker(**session), start_worker(**session)
    leaving.wait_ready()
    survivor.wait_ready()
    wait_assigned([leaving, survivor], partitions=2)

    stopped = time.monotonic()
    assert leaving.stop(signal.SIGTERM) == 0
    wait_assigned([survivor], partitions=2, timeout=SESSION_S)
    took = time.monotonic() - stopped

    print(f"takeover {took:.1f}s")
    assert took < 10.0, f"takeover took {took:.1f}s"
    assert len([p for p in assignments(survivor)[-1] if p.startswith("raw-")]) == 2
    lines = sample_lines()
    produce(names.input, lines)
    expected = {event["event_id"] for event in offline_events(lines)}
    records = consume(names.output, len(expected), timeout=60)
    assert {record.json()["event_id"] for record in records} == expected
