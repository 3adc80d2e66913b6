"""docker-compose.yml's worker environment, run against the jar-run Apache Kafka: the topics job
(`news-worker topics`) and a worker with exactly that environment serve the sample.

Only what names a place differs from the compose file: the broker's address, and the image's
data directory and health file (paths inside the container).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

from confluent_kafka import Producer

from tests.integration.conftest import WorkerProcess, read_topic
from tests.integration.test_worker_end_to_end import offline_events
from tests.unit.test_deploy import _dockerfile_env, _service, _worker_env
from worker.cli import sample_lines
from worker.kafka.app import demo_key


def _compose_env(bootstrap: str, tmp_path) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    env = {**_dockerfile_env(), **_worker_env()}
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    # One session broker serves every test: this test's names get a suffix, nothing else changes.
    for name in ("NEWS_WORKER_INPUT_TOPIC", "NEWS_WORKER_OUTPUT_TOPIC", "NEWS_WORKER_GROUP_ID"):
        env[name] = f"{env[name]}-{tag}"
    env["NEWS_WORKER_DEADLETTER_TOPIC"] += f"-{tag}"
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        NEWS_WORKER_DATA_DIR=str(tmp_path / "data"),
        NEWS_WORKER_HEALTH_FILE=str(tmp_path / "alive"),
        NEWS_WORKER_ENTITIES="off",  # NER has tests of its own
    )
    keep = {"PATH", "PYTHONPATH", "HOME", "JAVA_HOME"}
    return {**{k: v for k, v in os.environ.items() if k in keep}, **env}


def test_the_compose_environment_serves_the_sample(broker, tmp_path):
    """`news-worker topics` then `news-worker run` with the compose env: the offline events."""
    assert _service("topics")["command"] == ["topics"]
    env = _compose_env(broker.bootstrap, tmp_path)
    job = subprocess.run(
        [sys.executable, "-m", "worker", "topics"], env=env, capture_output=True, timeout=60
    )
    assert job.returncode == 0, job.stderr.decode()[-3000:]

    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    try:
        worker.wait_ready()
        producer = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
        lines = sample_lines()
        for line in lines:  # keyed by URL as a crawler would: a story's crawls stay in order
            producer.produce(env["NEWS_WORKER_INPUT_TOPIC"], value=line, key=demo_key(line))
        assert producer.flush(30) == 0
        expected = {event["event_id"] for event in offline_events(lines)}
        records = read_topic(broker.bootstrap, env["NEWS_WORKER_OUTPUT_TOPIC"], len(expected))
        assert {record.json()["event_id"] for record in records} == expected
        deadline = time.monotonic() + 15  # the heartbeat's first beat
        while not (tmp_path / "alive").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert (tmp_path / "alive").exists()
    finally:
        assert worker.stop() == 0
