"""Apache Kafka: the worker's topics exist, laid out right, before its agents start."""

from __future__ import annotations

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from tests.integration.conftest import read_topic
from tests.integration.test_embedded_broker import _alive
from tests.integration.test_worker_end_to_end import offline_events
from tests.kafka_cluster import KafkaCluster
from worker.cli import sample_lines


def _describe(bootstrap: str, topics: list[str]) -> dict[str, tuple[int, int, str]]:
    """Per topic: partitions, replicas of partition 0, cleanup.policy."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    metadata = admin.list_topics(timeout=10).topics
    configs = admin.describe_configs([ConfigResource("topic", name) for name in topics])
    found = {}
    for resource, future in configs.items():
        name = resource.name
        policy = future.result()["cleanup.policy"].value
        found[name] = (len(metadata[name].partitions), len(metadata[name].partitions[0].replicas))
        found[name] += (policy,)
    return found


def test_fresh_three_broker_cluster_serves_from_the_first_table_write(
    cluster3, names, start_worker
):
    """On three fresh brokers every topic, the table changelog included, exists (RF 3, the
    changelog compacted) before the first write, and the sample gives the offline events."""
    worker = start_worker(cluster3, NEWS_WORKER_PARTITIONS="3")
    worker.wait_ready()
    changelog = f"{names.group}-stories-changelog"
    repartition = f"{names.group}-articles-by-story"
    layout = _describe(cluster3.bootstrap, [names.input, names.output, repartition, changelog])
    assert layout[changelog] == (3, 3, "compact")
    assert layout[repartition] == (3, 3, "delete")
    assert layout[names.output] == (3, 3, "delete")

    lines = sample_lines()
    producer = Producer({"bootstrap.servers": cluster3.bootstrap, "acks": "all"})
    for line in lines:
        producer.produce(names.input, value=line, key=b"crawler")
    assert producer.flush(30) == 0
    expected = {event["event_id"] for event in offline_events(lines)}
    records = read_topic(cluster3.bootstrap, names.output, len(expected), timeout=90, settle=3)
    crashes = [e for e in worker.log_events() if "Crashed" in str(e.get("event"))]

    assert {record.json()["event_id"] for record in records} == expected
    assert not crashes, crashes
    assert worker.process.poll() is None, worker.log_path.read_text()[-4000:]
    assert len(records) == len(expected)
    assert worker.stop() == 0


def test_an_existing_topic_with_other_partitions_stops_the_start(broker, names, start_worker):
    """A repartition topic made with 3 partitions for a worker of 2: exit 1, naming both."""
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    repartition = f"{names.group}-articles-by-story"
    for future in admin.create_topics([NewTopic(repartition, 3, 1)]).values():
        future.result()

    worker = start_worker()
    code = worker.process.wait(60)
    failed = [e for e in worker.log_events() if e.get("event") == "worker.failed"]

    assert code == 1
    assert repartition in failed[0]["error"]
    assert "3 partitions" in failed[0]["error"] and "needs 2" in failed[0]["error"]


def test_the_launcher_leaves_nothing_behind():
    """Stopping a cluster kills every node's process and removes its directory."""
    cluster = KafkaCluster(1)
    cluster.start()
    pid = cluster.nodes[0].process.pid
    cluster.stop()

    assert not cluster.root.exists()
    assert not _alive(pid)
