"""A worker that starts on a backlog reads all of it: records fetched while it joins are not lost.

At the end of a rebalance Faust empties its stream buffers and seeks to the committed offsets to
read them again; before `worker.kafka.faust_rebalance` records could be lost on the way (that
module says how). A lost record shows in three places: its events may be missing, no record of
the repartition topic names it as its origin, and the group's commits may stop below the end of
its partition.
"""

from __future__ import annotations

import json
import signal
import time
from collections import defaultdict

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from tests.fixtures import refreshes
from tests.integration.conftest import Names, ensure_topic, read_topic
from tests.integration.test_crash_replay import undisturbed_ids
from worker.kafka.stages import ORIGIN_HEADER

STORIES = 6


def ends(bootstrap: str, topic: str) -> dict[int, int]:
    """Each partition's end offset, counted by reading (Tansu's "latest" is not the end)."""
    records = read_topic(bootstrap, topic, count=10**9, timeout=4.0)
    end: dict[int, int] = defaultdict(int)
    for record in records:
        end[record.partition] = max(end[record.partition], record.offset + 1)
    return dict(end)


def committed(bootstrap: str, group: str, topic: str, partitions: list[int]) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        found = consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=10)
        return {tp.partition: tp.offset for tp in found}
    finally:
        consumer.close()


def assert_all_committed(bootstrap: str, names: Names, timeout: float = 30.0) -> None:
    """Every record of the input and repartition topics is acknowledged and committed."""
    for topic in (names.input, f"{names.group}-articles-by-story"):
        end = ends(bootstrap, topic)
        deadline = time.monotonic() + timeout
        while (now := committed(bootstrap, names.group, topic, sorted(end))) != end:
            assert time.monotonic() < deadline, f"{topic}: committed {now}, end {end}"
            time.sleep(1.0)


def assert_all_routed(bootstrap: str, names: Names, sent: int) -> None:
    """Every input record reached the repartition topic (its origin header names it)."""
    inputs = {(p, o) for p, end in ends(bootstrap, names.input).items() for o in range(end)}
    assert len(inputs) == sent
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "origins", "enable.auto.commit": False}
    )
    topic = f"{names.group}-articles-by-story"
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        origins: set[tuple[int, int]] = set()
        deadline = time.monotonic() + 30.0
        while origins != inputs and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            where = dict(message.headers() or [])[ORIGIN_HEADER].decode()
            partition, offset, _topic = where.split(":", 2)
            origins.add((int(partition), int(offset)))
    finally:
        consumer.close()
    assert inputs - origins == set(), "input records never routed"


def send_keyed(bootstrap: str, topic: str, lines: list[bytes]) -> None:
    """Each crawl keyed by its story, so the backlog is spread over both partitions."""
    ensure_topic(bootstrap, topic)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for line in lines:
        producer.produce(topic, value=line, key=json.loads(line)["url"].encode())
    assert producer.flush(30) == 0


def assert_all_read(bootstrap: str, names: Names, lines: list[bytes], consume) -> None:
    """Every event an undisturbed run emits came out; every record was routed and committed."""
    expected = undisturbed_ids(lines)
    records = consume(names.output, len(expected), timeout=90, settle=3.0)
    emitted = {record.json()["event_id"] for record in records}
    assert expected - emitted == set(), "events lost"
    assert_all_committed(bootstrap, names)
    assert_all_routed(bootstrap, names, len(lines))


def test_a_worker_starting_on_a_backlog_reads_all_of_it(broker, names, start_worker, consume):
    """A new group, a backlog in both partitions: every event comes out, every offset commits."""
    lines = refreshes.lines(stories=STORIES)
    send_keyed(broker.bootstrap, names.input, lines)
    worker = start_worker(NEWS_WORKER_BATCH_SIZE="8")
    worker.wait_ready()
    assert_all_read(broker.bootstrap, names, lines, consume)
    worker.stop(signal.SIGTERM)


def test_restarts_on_a_backlog_read_all_of_it(broker, names, start_worker, consume):
    """Three rounds: a third of the crawls sent while no worker runs, a worker started on them
    (with the story state of the rounds before to restore), all of it committed, a stop."""
    lines = refreshes.lines(stories=STORIES)
    third = len(lines) // 3 + 1
    for start in range(0, len(lines), third):
        send_keyed(broker.bootstrap, names.input, lines[start : start + third])
        worker = start_worker(NEWS_WORKER_BATCH_SIZE="8")
        worker.wait_ready()
        assert_all_committed(broker.bootstrap, names, timeout=60.0)
        worker.stop(signal.SIGTERM)
    worker = start_worker(NEWS_WORKER_BATCH_SIZE="8")
    worker.wait_ready()
    assert_all_read(broker.bootstrap, names, lines, consume)
    worker.stop(signal.SIGTERM)
