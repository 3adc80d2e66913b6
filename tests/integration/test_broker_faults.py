"""Broker faults on Apache Kafka: a worker without a broker says so, stops being ready, and
exits non-zero in time; a broker back empty or a topic deleted under it stops it loudly.

Each test has a Kafka node of its own, so killing it cannot disturb other tests.
"""

from __future__ import annotations

import signal
import time

import pytest
from confluent_kafka.admin import AdminClient

from tests.integration.conftest import Broker
from tests.kafka_cluster import KafkaCluster
from worker.kafka.broker import EmbeddedBroker

LOSS_EXIT_S = 15.0


@pytest.fixture
def own_kafka():
    with KafkaCluster(1) as cluster:
        yield cluster


def _errors(worker) -> list[dict]:
    return [e for e in worker.log_events() if e.get("level") in ("error", "critical")]


def test_a_lost_broker_makes_the_worker_unready_then_exit(own_kafka, start_worker, tmp_path):
    """Broker SIGKILLed: the heartbeat stops within a probe, a handful of error lines in
    15 s (not 70 a second), and exit 1 after NEWS_WORKER_BROKER_LOSS_EXIT_S (plus at most
    the shutdown grace)."""
    health = tmp_path / "health"
    worker = start_worker(
        own_kafka,
        NEWS_WORKER_HEALTH_FILE=str(health),
        NEWS_WORKER_BROKER_LOSS_EXIT_S=str(LOSS_EXIT_S),
        NEWS_WORKER_SHUTDOWN_GRACE_S="5",
    )
    worker.wait_ready()
    time.sleep(6)  # one heartbeat at least
    assert health.exists()
    before = len(_errors(worker))
    lost_at = time.time()
    own_kafka.kill(1, signal.SIGKILL)

    code = worker.process.wait(LOSS_EXIT_S + 30)
    took = time.time() - lost_at
    events = [e.get("event") for e in worker.log_events()]
    errors = _errors(worker)[before:]

    assert code == 1
    assert LOSS_EXIT_S <= took <= LOSS_EXIT_S + 5 + 10
    assert health.stat().st_mtime <= lost_at + 5 + 8  # heartbeat period + one probe
    assert events.count("broker.unreachable") == 1
    assert "broker.given_up" in events
    assert len(errors) <= 40, [e.get("event") for e in errors]


def test_sigterm_with_the_broker_gone_ends_within_the_grace(own_kafka, start_worker):
    """With the broker away, SIGTERM still ends the worker within NEWS_WORKER_SHUTDOWN_GRACE_S."""
    worker = start_worker(own_kafka, NEWS_WORKER_SHUTDOWN_GRACE_S="5")
    worker.wait_ready()
    own_kafka.kill(1, signal.SIGKILL)
    time.sleep(3)

    stopped_at = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    worker.process.wait(30)

    assert time.monotonic() - stopped_at < 5 + 3


def test_a_broker_back_empty_stops_the_worker(own_kafka, names, start_worker, produce):
    """The broker restarts without its data (new cluster, no topics): exit 1, saying why."""
    worker = start_worker(own_kafka)
    worker.wait_ready()
    time.sleep(3)  # the watch's first look

    own_kafka.replace_empty()
    code = worker.process.wait(60)
    changed = [e for e in worker.log_events() if e.get("event") == "broker.changed"]

    assert code == 1
    assert changed and "cluster id changed" in changed[0]["reason"]


def test_a_deleted_output_topic_stops_the_worker(own_kafka, names, start_worker):
    """The output topic deleted while running: the worker exits 1 naming it, it does not
    publish into nothing."""
    worker = start_worker(own_kafka)
    worker.wait_ready()
    time.sleep(3)

    admin = AdminClient({"bootstrap.servers": own_kafka.bootstrap})
    for future in admin.delete_topics([names.output]).values():
        future.result()
    code = worker.process.wait(60)
    changed = [e for e in worker.log_events() if e.get("event") == "broker.changed"]

    assert code == 1
    assert changed and names.output in changed[0]["reason"]


def test_the_embedded_broker_back_empty_stops_the_worker(names, start_worker, tmp_path):
    """Tansu killed and restarted on its port with its memory gone (issue 10's case, where 112
    events were logged as published and none arrived): exit 1, saying what changed."""
    first = EmbeddedBroker()
    first.start()
    try:
        worker = start_worker(Broker(first.bootstrap, "tansu"))
        worker.wait_ready()
        time.sleep(3)  # the watch's first look
        first.stop()
        with EmbeddedBroker(port=first.port):
            code = worker.process.wait(60)
    finally:
        first.stop()
    changed = [e for e in worker.log_events() if e.get("event") == "broker.changed"]

    assert code == 1
    assert changed, worker.log_path.read_text()[-3000:]
