"""A broker that freezes for 30 s mid-stream: the same worker process resumes and loses nothing.

The broker is a dedicated Apache Kafka node started by the test, so pausing it cannot disturb
other tests; 30 s is longer than the worker's session, so the group expires and rebalances.
"""

from __future__ import annotations

import signal
import time

from tests.fixtures import refreshes
from tests.integration.conftest import read_topic, replay_slowly
from tests.integration.test_crash_replay import undisturbed_ids
from tests.kafka_cluster import KafkaCluster

PAUSE_S = 30.0


def test_worker_rides_out_a_30_second_broker_pause(names, start_worker, tmp_path):
    """SIGSTOP the broker mid-stream, SIGCONT after 30 s: every event arrives, no restart."""
    lines = refreshes.lines(stories=3)
    expected = undisturbed_ids(lines)
    with KafkaCluster(1) as broker:
        worker = start_worker(broker, NEWS_WORKER_BATCH_SIZE="4")
        worker.wait_ready()
        replay = replay_slowly(broker.bootstrap, names.input, lines)
        assert read_topic(broker.bootstrap, names.output, 3, timeout=60), "no event before pause"

        broker.kill(1, signal.SIGSTOP)
        time.sleep(PAUSE_S)
        broker.kill(1, signal.SIGCONT)

        replay.join(150)
        records = read_topic(broker.bootstrap, names.output, len(expected), timeout=150)
        emitted = {record.json()["event_id"] for record in records}
        alive = worker.process.poll() is None
        starts = [e for e in worker.log_events() if e.get("event") == "worker.ready"]
        worker.stop()

    assert expected - emitted == set(), f"events lost:\n{worker.log_path.read_text()[-4000:]}"
    assert emitted <= expected
    assert alive, f"worker exited:\n{worker.log_path.read_text()[-4000:]}"
    assert len(starts) == 1
