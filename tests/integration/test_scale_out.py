"""Two workers in one consumer group share the partitions and emit what one worker would."""

from __future__ import annotations

import json
import time

from tests.fixtures import refreshes
from tests.integration.test_crash_replay import undisturbed_ids
from tests.integration.test_static_membership import assignments


def wait_shared(workers, topic: str, timeout: float = 60.0) -> None:
    """Until each worker's latest assignment holds a partition of `topic` (the group has
    rebalanced over both): a worker is ready before the second one's join moves partitions."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        latest = [assignments(w)[-1] if assignments(w) else [] for w in workers]
        if all(any(p.startswith(topic + ":") for p in parts) for parts in latest):
            return
        time.sleep(0.2)
    raise AssertionError(f"the partitions were never shared: {latest}")


def test_two_workers_in_one_group_emit_the_expected_events(names, start_worker, produce, consume):
    """Stories spread over both workers; together they emit every expected event id, no other."""
    lines = refreshes.lines(stories=4)
    expected = undisturbed_ids(lines)
    workers = [start_worker(), start_worker()]
    for worker in workers:
        worker.wait_ready()
    wait_shared(workers, f"{names.group}-articles-by-story")
    for line in lines:  # keyed per story, as a crawler keying by site would
        produce(names.input, [line], key=json.loads(line)["source"].encode())

    records = consume(names.output, len(expected), timeout=90, settle=3.0)

    assert {record.json()["event_id"] for record in records} == expected
    busy = [w for w in workers if any(e.get("event") == "update.published" for e in w.log_events())]
    assert len(busy) == 2, "one worker did all the work"
