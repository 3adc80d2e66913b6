"""Integration fixtures: one broker per session, unique topics per test, real clients.

The broker is Apache Kafka (one KRaft node from the jars `make test` fetched,
`tests/kafka_cluster.py`); a test that takes `broker` parametrised with "tansu" runs on the
embedded broker instead, and `cluster3` gives a test three Kafka nodes of its own. The worker
runs as a real process (`python -m worker run`); the test side talks to the broker with
confluent-kafka, a third-party client, never with our own code.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient, NewTopic

from tests.kafka_cluster import KafkaCluster
from worker.kafka.broker import EmbeddedBroker


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `integration` (a conftest's pytestmark marks nothing)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.integration)


READY_TIMEOUT_S = 60.0
# Kafka's smallest allowed session (group.min.session.timeout.ms is 6 s): a SIGKILLed worker's
# partitions move after 6 s, not after the worker's 30 s default, so kill tests stay short.
KAFKA_TEST_SESSION_S = "6"


@dataclass
class Broker:
    """A running broker as the tests see it: where it is, what it is, and what it can do."""

    bootstrap: str
    flavor: str  # "kafka" or "tansu"
    replication_factor: int = 1
    cluster: KafkaCluster | None = None

    def env(self) -> dict[str, str]:
        """What a worker on this broker is told about it."""
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "NEWS_WORKER_BROKER_FLAVOR": self.flavor,
            "NEWS_WORKER_REPLICATION_FACTOR": str(self.replication_factor),
        }
        if self.flavor == "kafka":
            env["NEWS_WORKER_SESSION_TIMEOUT_S"] = KAFKA_TEST_SESSION_S
        return env


def kafka_broker(cluster: KafkaCluster) -> Broker:
    return Broker(cluster.bootstrap, "kafka", cluster.replication_factor, cluster)


@pytest.fixture(scope="session")
def kafka_session() -> Iterator[Broker]:
    """One Apache Kafka node for the whole session."""
    with KafkaCluster(1) as cluster:
        yield kafka_broker(cluster)


@pytest.fixture(scope="session")
def tansu_session() -> Iterator[Broker]:
    """The embedded broker (Tansu), started the first time a test asks for it."""
    with EmbeddedBroker() as running:
        yield Broker(running.bootstrap, "tansu")


@pytest.fixture(params=["kafka"])
def broker(request: pytest.FixtureRequest) -> Broker:
    """The session broker: Apache Kafka, or Tansu for a test parametrised with "tansu"."""
    return request.getfixturevalue(f"{request.param}_session")  # type: ignore[no-any-return]


@pytest.fixture
def cluster3() -> Iterator[KafkaCluster]:
    """Three Apache Kafka nodes of this test's own (RF 3, min ISR 2): tests may kill them."""
    with KafkaCluster(3) as cluster:
        yield cluster


@dataclass
class Names:
    """Unique topic names and consumer group for one test."""

    input: str
    output: str
    deadletter: str
    group: str

    def env(self) -> dict[str, str]:
        return {
            "NEWS_WORKER_INPUT_TOPIC": self.input,
            "NEWS_WORKER_OUTPUT_TOPIC": self.output,
            "NEWS_WORKER_DEADLETTER_TOPIC": self.deadletter,
            "NEWS_WORKER_GROUP_ID": self.group,
        }


@pytest.fixture
def names() -> Names:
    tag = uuid.uuid4().hex[:10]
    return Names(f"raw-{tag}", f"updates-{tag}", f"dead-{tag}", f"group-{tag}")


@dataclass
class WorkerProcess:
    """A `news-worker run` child process whose log lines (JSON) are kept in a file."""

    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log: object = field(default=None, repr=False)

    def start(self) -> WorkerProcess:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in wait()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "worker", "run"],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        return self

    def log_events(self) -> list[dict[str, object]]:
        events = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except ValueError:
                    continue
        return events

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> float:
        """Block until this run logged worker.ready; return the seconds it reported."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.log_path.read_text()[-3000:]}")
            ready = [e for e in self.log_events() if e.get("event") == "worker.ready"]
            if ready:
                return float(ready[-1]["seconds"])  # type: ignore[arg-type]
            time.sleep(0.1)
        raise AssertionError(
            f"worker not ready in {timeout}s:\n{self.log_path.read_text()[-3000:]}"
        )

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()  # type: ignore[attr-defined]
        return code


def worker_env(broker: Broker, names: Names, data_dir: Path, **extra_env: str) -> dict[str, str]:
    """The environment of a test worker: this test's topics and group on `broker`."""
    return {
        **os.environ,
        **names.env(),
        **broker.env(),
        "NEWS_WORKER_PARTITIONS": "2",
        "NEWS_WORKER_LOG_FORMAT": "json",
        "NEWS_WORKER_DATA_DIR": str(data_dir),
        "NEWS_WORKER_ENTITIES": "off",  # NER has tests of its own; spare the rest its cost
        **extra_env,
    }


@pytest.fixture
def start_worker(broker: Broker, names: Names, tmp_path: Path) -> Iterator[object]:
    """Factory: start a worker with this test's topics and group, on the session broker unless
    `on` names another (a Broker, or a KafkaCluster)."""
    started: list[WorkerProcess] = []

    def start(on: Broker | KafkaCluster | None = None, **extra_env: str) -> WorkerProcess:
        target = kafka_broker(on) if isinstance(on, KafkaCluster) else on or broker
        env = worker_env(target, names, tmp_path / "data", **extra_env)
        worker = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process is not None and worker.process.poll() is None:
            worker.stop(signal.SIGKILL)


def ensure_topic(bootstrap: str, topic: str, partitions: int = 2) -> None:
    """Create `topic` if it does not exist, as the crawlers' side would: Apache Kafka here does
    not auto-create topics, and a test may send before the worker has created its topics."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    metadata = admin.list_topics(timeout=10)
    if topic in metadata.topics:
        return
    replicas = min(3, len(metadata.brokers))
    for future in admin.create_topics([NewTopic(topic, partitions, replicas)]).values():
        try:
            future.result()
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise


def replay_slowly(
    bootstrap: str, topic: str, lines: list[bytes], every_s: float = 0.3
) -> threading.Thread:
    """Send `lines` four at a time, one batch every `every_s`, in a thread: the stream is still
    busy when a test disturbs it."""

    ensure_topic(bootstrap, topic)

    def run() -> None:
        # The default delivery timeout (300 s) outlasts any disturbance: the client retries.
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
        for start in range(0, len(lines), 4):
            for line in lines[start : start + 4]:
                producer.produce(topic, value=line, key=b"harbour-herald")
            producer.poll(0)
            time.sleep(every_s)
        assert producer.flush(120) == 0, "input records not delivered"

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def produce(broker: Broker) -> Iterator[object]:
    """Factory: send values (bytes or None) with confluent-kafka and wait for delivery."""
    producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})

    def send(topic: str, values: list[bytes | None], key: bytes | None = b"crawler") -> None:
        ensure_topic(broker.bootstrap, topic)
        failures: list[object] = []
        for value in values:
            producer.produce(
                topic,
                value=value,
                key=key,
                on_delivery=lambda err, _msg: err and failures.append(err),
            )
        producer.flush(30)
        assert not failures, failures

    yield send
    producer.flush(10)


@dataclass
class Record:
    key: bytes | None
    value: bytes
    partition: int
    offset: int

    def json(self) -> dict[str, object]:
        return json.loads(self.value)  # type: ignore[no-any-return]


def read_topic(
    bootstrap: str,
    topic: str,
    count: int,
    timeout: float = 60.0,
    settle: float = 0.0,
    until: Callable[[list[Record]], bool] | None = None,
) -> list[Record]:
    """Read `topic` from the start until `count` records arrive (or `until` says the records
    are complete) or `timeout` passes, then go on reading for `settle` seconds (to see records
    that should not be there)."""
    complete = until or (lambda records: len(records) >= count)
    # Partitions are assigned by hand: no group join, so no wait on the broker's session.
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
        }
    )
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not complete(records):
            records.extend(_poll(consumer))
        settle_until = time.monotonic() + settle
        while time.monotonic() < settle_until:
            records.extend(_poll(consumer))
        return records
    finally:
        consumer.close()


def _poll(consumer: Consumer) -> list[Record]:
    message = consumer.poll(0.5)
    if message is None or message.error():
        return []
    return [Record(message.key(), message.value(), message.partition(), message.offset())]


@pytest.fixture
def consume(broker: Broker) -> object:
    """Factory: `read_topic` on the session broker."""

    def read(topic: str, count: int, timeout: float = 60.0, settle: float = 0.0) -> list[Record]:
        return read_topic(broker.bootstrap, topic, count, timeout, settle)

    return read
