"""P1 baseline: duplicate-heavy live-blog traffic through the worker vs a bare passthrough.

Both runs read the same pre-produced input topic on one embedded broker, in the same run:
- passthrough: an aiokafka consumer that produces every record to an output topic, unchanged;
- worker: `news-worker run` (a real process, entities on), from ready until its consumer group
  has committed the end of the input and repartition topics.
The traffic is `bench.traffic.duplicate_heavy`: the refresh fixture (`--stories` live blogs)
plus `--recrawls` re-crawls of each blog's last refresh whose chrome moved, so almost every
update is a repeat. `--profile FILE` records the worker with py-spy (collapsed stacks).

    python -m bench.throughput [--stories 100] [--recrawls 30] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.tables import table
from bench.traffic import duplicate_heavy
from worker.kafka.broker import EmbeddedBroker
from worker.kafka.topics import ensure_topics
from worker.settings import Settings

PARTITIONS = 4


async def produce(bootstrap: str, topic: str, lines: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        sends = [
            await producer.send(topic, line, key=json.loads(line)["source"].encode())
            for line in lines
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def passthrough(bootstrap: str, source: str, sink: str, count: int) -> float:
    """Seconds a bare consume -> produce loop takes to forward `count` records."""
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        started, seen = time.perf_counter(), 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            sends = [
                await producer.send(sink, r.value, key=r.key)
                for records in batches.values()
                for r in records
            ]
            await asyncio.gather(*sends)
            seen += len(sends)
        return time.perf_counter() - started
    finally:
        await consumer.stop()
        await producer.stop()


async def wait_committed(bootstrap: str, group: str, topics: list[str], timeout: float) -> None:
    """Return once `group` has committed the end of every partition of `topics`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        parts = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
        ends = await consumer.end_offsets(parts)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            offsets = await admin.list_consumer_group_offsets(group, partitions=parts)
            if all(offsets.get(tp) and offsets[tp].offset >= ends[tp] for tp in parts):
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the worker did not commit the whole input in time")
    finally:
        await consumer.stop()
        await admin.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_worker(
    bootstrap: str, settings: Settings, count_timeout: float, profile: str | None = None
) -> tuple[float, float, float]:
    """(seconds to ready, seconds from ready to the whole input committed, CPU seconds the
    worker process used in that time; with a profile, py-spy's own)."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "NEWS_WORKER_BROKER_FLAVOR": "tansu",
        "NEWS_WORKER_PARTITIONS": str(PARTITIONS),
        "NEWS_WORKER_LOG_FORMAT": "json",
        "NEWS_WORKER_LOG_LEVEL": "WARNING",
        "NEWS_WORKER_GROUP_ID": settings.group_id,
        "NEWS_WORKER_INPUT_TOPIC": settings.input_topic,
        "NEWS_WORKER_OUTPUT_TOPIC": settings.output_topic,
        "NEWS_WORKER_DATA_DIR": tempfile.mkdtemp(),
        "NEWS_WORKER_ENTITIES": "on" if settings.entities else "off",
    }
    log = Path(tempfile.mkdtemp()) / "worker.log"
    started = time.perf_counter()
    with open(log, "wb") as sink:
        command = [sys.executable, "-m", "worker", "run"]
        if profile:
            spy = [str(Path(sys.executable).with_name("py-spy")), "record", "--format", "raw"]
            command = [*spy, "--rate", "200", "--nonblocking", "-o", profile, "--", *command]
        worker = subprocess.Popen(
            command,
            env={**env, "NEWS_WORKER_LOG_LEVEL": "INFO"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        while "worker.ready" not in log.read_text(errors="replace"):
            time.sleep(0.05)
        ready = time.perf_counter() - started
        cpu_at_ready = cpu_seconds(worker.pid)
        topics = [settings.input_topic, f"{settings.group_id}-articles-by-story"]
        asyncio.run(wait_committed(bootstrap, settings.group_id, topics, count_timeout))
        busy = time.perf_counter() - started - ready
        return ready, busy, cpu_seconds(worker.pid) - cpu_at_ready
    finally:
        worker.send_signal(signal.SIGINT if profile else signal.SIGTERM)
        worker.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--recrawls", type=int, default=30)
    parser.add_argument("--entities", choices=["on", "off"], default="off")
    parser.add_argument("--profile", help="write the worker's py-spy profile (raw) here")
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:6]
    sent = duplicate_heavy(args.stories, args.recrawls, tag)
    lines = sent.lines
    settings = Settings(
        input_topic=f"bench-raw-{tag}",
        output_topic=f"bench-out-{tag}",
        group_id=f"bench-{tag}",
        partitions=PARTITIONS,
        entities=args.entities == "on",
    )
    with EmbeddedBroker() as broker:
        configured = settings.with_bootstrap(broker.bootstrap, "tansu")
        asyncio.run(ensure_topics(configured, [settings.input_topic, f"pass-{tag}"]))
        asyncio.run(produce(broker.bootstrap, settings.input_topic, lines))
        bare = asyncio.run(
            passthrough(broker.bootstrap, settings.input_topic, f"pass-{tag}", len(lines))
        )
        ready, busy, cpu = run_worker(broker.bootstrap, settings, 600, args.profile)
    print(
        table(
            ["measure", "value"],
            [
                ["refreshes (records)", f"{len(lines):,}"],
                ["passthrough records/s", f"{len(lines) / bare:,.0f}"],
                ["worker refreshes/s", f"{len(lines) / busy:,.1f}"],
                ["worker / passthrough", f"{bare / busy:.3f}x"],
                ["worker time to ready s", f"{ready:.2f}"],
                ["worker time for the input s", f"{busy:.2f}"],
                ["worker CPU for the input s", f"{cpu:.2f}"],
                ["update sightings", f"{sent.update_sightings:,}"],
                ["repeated share", f"{sent.repeated_share:.1%}"],
                ["worker updates/s", f"{sent.update_sightings / busy:,.0f}"],
            ],
        )
    )


if __name__ == "__main__":
    main()
