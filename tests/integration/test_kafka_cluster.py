"""Three Apache Kafka brokers (RF 3, min ISR 2, real processes): what only a real cluster allows.

Each test disturbs the cluster under a worker in the middle of a replay and asserts the same three
things as the random-kill test: every event id an undisturbed run emits arrives, no other, and
each story's final state in the table's changelog equals the undisturbed run's.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from confluent_kafka.admin import AdminClient, NewTopic

from tests.fixtures import refreshes
from tests.integration.conftest import Names, WorkerProcess, read_topic, replay_slowly
from tests.integration.test_crash_replay import undisturbed_ids
from tests.integration.test_random_kills import (
    covers,
    describe,
    last_values,
    undisturbed_updates,
    updates_of,
)
from tests.kafka_cluster import KafkaCluster

PARTITIONS = "3"
WORKER_ENV = {"NEWS_WORKER_PARTITIONS": PARTITIONS, "NEWS_WORKER_BATCH_SIZE": "4"}


def wait_in_sync(cluster: KafkaCluster, timeout: float = 60.0) -> None:
    """Block until every partition of every topic has all its replicas in sync."""
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        topics = admin.list_topics(timeout=10).topics.values()
        lagging = [
            (topic.topic, p.id)
            for topic in topics
            for p in topic.partitions.values()
            if set(p.isrs) != set(p.replicas) or p.leader < 0
        ]
        if not lagging:
            return
        time.sleep(0.5)
    raise AssertionError(f"replicas not in sync after {timeout}s: {lagging[:5]}")


def check_outcome(cluster: KafkaCluster, names: Names, lines: list[bytes], context: str) -> None:
    """No event lost, none an undisturbed run never emits, the same final table."""
    expected = undisturbed_ids(lines)
    records = read_topic(
        cluster.bootstrap, names.output, 0, timeout=150, settle=5.0, until=covers(expected)
    )
    emitted = {record.json()["event_id"] for record in records}
    extra = sorted(describe(r.json()) for r in records if r.json()["event_id"] not in expected)
    changelog = read_topic(cluster.bootstrap, f"{names.group}-stories-changelog", 10**9, 10.0)
    table = {story: updates_of(value) for story, value in last_values(changelog).items() if value}

    assert expected - emitted == set(), f"events lost ({context})"
    assert extra == [], f"events an undisturbed run never emits ({context})"
    assert table == undisturbed_updates(lines), f"story state differs ({context})"


def disturbed_run(
    cluster: KafkaCluster,
    names: Names,
    start_worker: Callable[..., WorkerProcess],
    disturb: Callable[[], str],
) -> WorkerProcess:
    """Replay four stories slowly through one worker, call `disturb` after the first events,
    and check the outcome; return the worker."""
    lines = refreshes.lines(stories=4)
    worker = start_worker(cluster, **WORKER_ENV)
    worker.wait_ready()
    replay = replay_slowly(cluster.bootstrap, names.input, lines, every_s=0.4)
    assert read_topic(cluster.bootstrap, names.output, 3, timeout=60), "no event before"
    context = disturb()
    replay.join(180)
    check_outcome(cluster, names, lines, f"{context}; log {worker.log_path}")
    return worker


def test_partition_leader_sigkilled_mid_stream(cluster3, names, start_worker):
    """The broker leading the output's partition 0 is SIGKILLed: the worker goes on with two."""

    def disturb() -> str:
        leader = cluster3.leader(names.output, 0)
        cluster3.kill(leader, signal.SIGKILL)
        return f"node {leader} killed"

    worker = disturbed_run(cluster3, names, start_worker, disturb)
    assert worker.process.poll() is None, worker.log_path.read_text()[-3000:]


def test_partition_leader_paused_longer_than_its_session(cluster3, names, start_worker):
    """The output leader's broker SIGSTOPped for 15 s (its broker session is 9 s, the worker's
    6 s), then resumed: leadership moves, the worker rides it out in the same process."""

    def disturb() -> str:
        leader = cluster3.leader(names.output, 0)
        cluster3.kill(leader, signal.SIGSTOP)
        time.sleep(15)
        cluster3.kill(leader, signal.SIGCONT)
        return f"node {leader} paused 15 s"

    worker = disturbed_run(cluster3, names, start_worker, disturb)
    starts = [e for e in worker.log_events() if e.get("event") == "worker.ready"]
    assert worker.process.poll() is None, worker.log_path.read_text()[-3000:]
    assert len(starts) == 1


def test_rolling_restart_of_all_three_brokers(cluster3, names, start_worker):
    """Each broker in turn stopped (SIGTERM) and restarted once the others are in sync."""

    def disturb() -> str:
        for node in cluster3.nodes:
            wait_in_sync(cluster3)
            cluster3.kill(node.node_id, signal.SIGTERM)
            cluster3.restart(node.node_id)
        return "rolling restart"

    worker = disturbed_run(cluster3, names, start_worker, disturb)
    assert worker.process.poll() is None, worker.log_path.read_text()[-3000:]


def test_two_replicas_down_refuses_writes_and_acks_no_input(cluster3, names, start_worker):
    """Two of three brokers down mid-replay: acks=all writes cannot succeed. The worker,
    SIGKILLed then, must not have acked input whose events it could not publish: after the
    brokers return, a new worker emits every missing event."""
    lines = refreshes.lines(stories=4)
    half = len(lines) // 2
    worker = start_worker(cluster3, **WORKER_ENV)
    worker.wait_ready()
    replay = replay_slowly(cluster3.bootstrap, names.input, lines[:half], 0.3)
    assert read_topic(cluster3.bootstrap, names.output, 3, timeout=60), "no event before"
    survivor = cluster3.leader(names.output, 0)
    down = [node.node_id for node in cluster3.nodes if node.node_id != survivor]
    for node_id in down:
        cluster3.kill(node_id, signal.SIGKILL)
    time.sleep(8)  # the worker tries to publish and store state meanwhile
    worker.stop(signal.SIGKILL)

    for node_id in down:
        cluster3.restart(node_id)
    replay.join(120)
    second = start_worker(cluster3, **WORKER_ENV)
    second.wait_ready(120)
    replay_slowly(cluster3.bootstrap, names.input, lines[half:], 0.1).join(120)
    check_outcome(cluster3, names, lines, f"nodes {down} down; log {second.log_path}")


def compacted_changelog(bootstrap: str, names: Names) -> None:
    """Create the table's changelog before the worker does, with segments small enough, and
    cleaning eager enough, that the broker compacts it within seconds."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    config = {
        "cleanup.policy": "compact",
        "segment.bytes": "8192",
        "segment.ms": "500",
        "min.cleanable.dirty.ratio": "0.01",
        "min.compaction.lag.ms": "0",
        "delete.retention.ms": "100",
    }
    topic = NewTopic(f"{names.group}-stories-changelog", int(PARTITIONS), 3, config=config)
    for future in admin.create_topics([topic]).values():
        future.result()


def compacted(bootstrap: str, topic: str, timeout: float = 90.0) -> bool:
    """True once the log's offsets show gaps (records removed by compaction)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = read_topic(bootstrap, topic, 10**9, timeout=3.0)
        per_partition: dict[int, list[int]] = {}
        for record in records:
            per_partition.setdefault(record.partition, []).append(record.offset)
        for offsets in per_partition.values():
            if offsets and len(offsets) < max(offsets) + 1:
                return True
        time.sleep(2)
    return False


def test_compacted_changelog_then_a_cold_restart_rebuilds_the_same_table(
    tmp_path: Path, names, start_worker
):
    """Half the replay, the worker stopped, the changelog compacted by the broker, a new worker
    with no local state: it rebuilds the table from the compacted log, so the second half
    emits exactly what an undisturbed run emits."""
    lines = refreshes.lines(stories=4)
    half = len(lines) // 2
    with KafkaCluster(3, config={"log.cleaner.backoff.ms": "500"}) as cluster:
        compacted_changelog(cluster.bootstrap, names)
        first = start_worker(cluster, **WORKER_ENV)
        first.wait_ready()
        replay_slowly(cluster.bootstrap, names.input, lines[:half], 0.1).join(60)
        expected_first = undisturbed_ids(lines[:half])
        read_topic(cluster.bootstrap, names.output, 0, timeout=90, until=covers(expected_first))
        assert first.stop() == 0
        assert compacted(cluster.bootstrap, f"{names.group}-stories-changelog")

        second = start_worker(
            cluster, **WORKER_ENV, NEWS_WORKER_DATA_DIR=str(tmp_path / uuid.uuid4().hex)
        )
        second.wait_ready(120)
        replay_slowly(cluster.bootstrap, names.input, lines[half:], 0.1).join(60)
        check_outcome(cluster, names, lines, f"cold restart; log {second.log_path}")
