"""P1 baseline: duplicate-heavy live-blog traffic through the worker vs a bare passthrough.

Both runs read the same pre-produced input topic on one embedded broker, in the same run:
- passthrough: an aiokafka consumer that produces every record to an output topic, unchanged;
- worker: `news-worker run` (a real process, entities on), from ready until its consumer group
  has committed the end of the input and repartition topics.
The traffic is the refresh fixture (`--stories` live blogs) plus `--recrawls` unchanged
re-crawls of each blog's last refresh, so almost every update is a repeat.

    python -m bench.throughput [--stories 20] [--recrawls 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.tables import table
from tests.fixtures import refreshes
from worker.kafka.broker import EmbeddedBroker
from worker.kafka.topics import ensure_topics
from worker.settings import Settings

PARTITIONS = 4


def traffic(stories: int, recrawls: int) -> list[bytes]:
    """The refresh sequence of each story, then unchanged re-crawls of its last page."""
    lines = refreshes.lines(stories=stories)
    last = [json.loads(line) for line in lines[-stories:]]
    for round_ in range(recrawls):
        for crawl in last:
            again = {**crawl, "fetched_at": f"2026-11-24T20:{round_ % 60:02d}:00Z"}
            lines.append(json.dumps(again, ensure_ascii=False).encode())
    return lines


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


async def committed_all(bootstrap: str, group: str, topics: list[str]) -> bool:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        parts = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
        ends = await consumer.end_offsets(parts)
        offsets = await admin.list_consumer_group_offsets(group, partitions=parts)
        return all(offsets.get(tp) is not None and offsets[tp].offset >= ends[tp] for tp in parts)
    finally:
        await consumer.stop()
        await admin.close()


def run_worker(bootstrap: str, settings: Settings, count_timeout: float) -> tuple[float, float]:
    """(seconds to ready, seconds from ready to the whole input committed)."""
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
    }
    log = Path(tempfile.mkdtemp()) / "worker.log"
    started = time.perf_counter()
    with open(log, "wb") as sink:
        worker = subprocess.Popen(
            [sys.executable, "-m", "worker", "run"],
            env={**env, "NEWS_WORKER_LOG_LEVEL": "INFO"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        while "worker.ready" not in log.read_text(errors="replace"):
            time.sleep(0.05)
        ready = time.perf_counter() - started
        topics = [settings.input_topic, f"{settings.group_id}-articles-by-story"]
        deadline = time.perf_counter() + count_timeout
        while time.perf_counter() < deadline:
            if asyncio.run(committed_all(bootstrap, settings.group_id, topics)):
                return ready, time.perf_counter() - started - ready
            time.sleep(0.2)
        raise TimeoutError("the worker did not commit the whole input in time")
    finally:
        worker.terminate()
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--recrawls", type=int, default=30)
    args = parser.parse_args()
    lines = traffic(args.stories, args.recrawls)
    tag = uuid.uuid4().hex[:6]
    settings = Settings(
        input_topic=f"bench-raw-{tag}",
        output_topic=f"bench-out-{tag}",
        group_id=f"bench-{tag}",
        partitions=PARTITIONS,
    )
    with EmbeddedBroker() as broker:
        configured = settings.with_bootstrap(broker.bootstrap, "tansu")
        asyncio.run(ensure_topics(configured, [settings.input_topic, f"pass-{tag}"]))
        asyncio.run(produce(broker.bootstrap, settings.input_topic, lines))
        bare = asyncio.run(
            passthrough(broker.bootstrap, settings.input_topic, f"pass-{tag}", len(lines))
        )
        ready, busy = run_worker(broker.bootstrap, settings, count_timeout=600)
    updates = sum(1 + len(json.loads(line)["text"].split("\n")) for line in lines)
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
                ["raw lines per refresh (approx.)", f"{updates / len(lines):.0f}"],
            ],
        )
    )


if __name__ == "__main__":
    main()
