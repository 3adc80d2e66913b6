"""P1: duplicate-heavy live-blog traffic through the worker vs a bare passthrough.

All runs read the same pre-produced input topic on one embedded broker, in the same run:
- passthrough: an aiokafka consumer that produces every record to an output topic, unchanged,
  with aiokafka's defaults (plus 5 ms linger), and again with the worker's producer settings
  (zstd, 1 MiB batches); the faster of each, run before and after the others, is the baseline;
- Faust floor: `bench.faust_floor`, the worker's Faust topology and settings doing no work;
- worker: `news-worker run` (a real process), entities off (what this target is about), and
  once more with entities on (NER of the new and revised updates; P2 measures that part);
each from its `worker.ready` until its consumer group has committed the end of the input and
repartition topics, with the CPU time the process used meanwhile.
The traffic is `bench.traffic.duplicate_heavy`: the refresh fixture (`--stories` live blogs)
plus `--recrawls` re-crawls of each blog's last refresh whose chrome moved, so almost every
update is a repeat. `--profile FILE` records the worker (entities off) with py-spy from ready
until the input is committed (collapsed stacks, all threads, idle included).

    python -m bench.throughput [--stories 300] [--recrawls 30] [--profile FILE]
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench import brokers
from bench.tables import table
from bench.traffic import Traffic, duplicate_heavy
from bench.worker_process import PARTITIONS, run_settings, settings_env
from worker.kafka.broker import EmbeddedBroker, terminate
from worker.kafka.tansu import true_end_offsets
from worker.kafka.topics import ensure_topics, repartition_topic
from worker.settings import Settings


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


WORKER_PRODUCER = {"compression_type": "zstd", "max_batch_size": 1024 * 1024}


async def passthrough(bootstrap: str, source: str, sink: str, count: int, **producer: Any) -> float:
    """Seconds a bare consume -> produce loop takes to forward `count` records."""
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    forwarder = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, **producer)
    await consumer.start()
    await forwarder.start()
    try:
        started, seen = time.perf_counter(), 0
        while seen < count:
            batches = await consumer.getmany(timeout_ms=500, max_records=1000)
            sends = [
                await forwarder.send(sink, r.value, key=r.key)
                for records in batches.values()
                for r in records
            ]
            await asyncio.gather(*sends)
            seen += len(sends)
        return time.perf_counter() - started
    finally:
        await consumer.stop()
        await forwarder.stop()


async def wait_committed(bootstrap: str, group: str, topics: list[str], timeout: float) -> None:
    """Return once `group` has committed the end of every partition of each of `topics`.

    Topics are taken in order, and a topic's end is read only once the ones before it are
    committed: the repartition topic, which the group fills itself, is complete by then. Ends
    are the true high watermarks (Tansu's ListOffsets "latest" stops at a batch's first record).
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    deadline = time.perf_counter() + timeout
    try:
        for topic in topics:
            parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
            ends = await true_end_offsets(bootstrap, parts, await consumer.end_offsets(parts))
            while True:
                offsets = await admin.list_consumer_group_offsets(group, partitions=parts)
                if all(
                    ends[tp] == 0 or (offsets.get(tp) and offsets[tp].offset >= ends[tp])
                    for tp in parts
                ):
                    break
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"{group} did not commit the end of {topic} in time")
                await asyncio.sleep(0.05)
    finally:
        await consumer.stop()
        await admin.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profiler(pid: int, path: str) -> subprocess.Popen[bytes]:
    """py-spy sampling a running process into `path` until it gets SIGINT."""
    spy = str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "250", "--idle"]
    return subprocess.Popen([*command, "--nonblocking", "-o", path], stderr=subprocess.DEVNULL)


@dataclass(frozen=True)
class Run:
    """One process through the whole input: seconds to ready, seconds from ready until the
    input was committed, the CPU seconds it used meanwhile, and its log (JSON lines)."""

    ready: float
    busy: float
    cpu: float
    log: Path


WORKER = ["-m", "worker", "run"]
FLOOR = ["-m", "bench.faust_floor"]


def run_process(
    bootstrap: str,
    settings: Settings,
    module: list[str],
    timeout: float = 900.0,
    profile: str | None = None,
) -> Run:
    """Start `python <module>` (the worker or the floor) with `settings`; time it on the input."""
    env = settings_env(bootstrap, settings)
    log = Path(tempfile.mkdtemp()) / "worker.log"
    started = time.perf_counter()
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, *module], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        while "worker.ready" not in log.read_text(errors="replace"):
            if process.poll() is not None:
                raise RuntimeError(f"{module} exited early:\n{log.read_text()[-2000:]}")
            time.sleep(0.05)
        ready = time.perf_counter() - started
        cpu_at_ready = cpu_seconds(process.pid)
        spy = profiler(process.pid, profile) if profile else None
        topics = [settings.input_topic, repartition_topic(settings)]
        asyncio.run(wait_committed(bootstrap, settings.group_id, topics, timeout))
        busy = time.perf_counter() - started - ready
        cpu = cpu_seconds(process.pid) - cpu_at_ready
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        return Run(ready, busy, cpu, log)
    finally:
        terminate(process, 30.0)


@dataclass(frozen=True)
class P1:
    traffic: Traffic
    passthrough: list[float]  # seconds, each bare run
    passthrough_tuned: list[float]  # seconds, each run with the worker's producer settings
    floor: Run
    worker: Run
    worker_entities: Run | None

    @property
    def records(self) -> int:
        return len(self.traffic.lines)

    @property
    def baseline(self) -> float:
        """Records/s of the fastest passthrough run, bare or tuned."""
        return self.records / min(self.passthrough + self.passthrough_tuned)

    def rate(self, run: Run) -> float:
        return self.records / run.busy

    def updates_rate(self, run: Run) -> float:
        return self.traffic.update_sightings / run.busy


def measure(
    bootstrap: str,
    stories: int = 300,
    recrawls: int = 30,
    *,
    entities_run: bool = True,
    profile: str | None = None,
) -> P1:
    """Produce the traffic once, then time every contender over it on the broker at `bootstrap`."""
    tag = uuid.uuid4().hex[:6]
    traffic = duplicate_heavy(stories, recrawls, tag)
    base = run_settings("bench", tag, entities=False).with_bootstrap(bootstrap, brokers.flavor())
    sinks = [f"pass-{tag}-{n}" for n in range(4)]
    asyncio.run(ensure_topics(base, [base.input_topic, *sinks]))
    asyncio.run(produce(bootstrap, base.input_topic, traffic.lines))
    count = len(traffic.lines)

    def forward(sink: str, **producer: Any) -> float:
        return asyncio.run(passthrough(bootstrap, base.input_topic, sink, count, **producer))

    bare = [forward(sinks[0])]
    tuned = [forward(sinks[1], **WORKER_PRODUCER)]
    floor = run_process(bootstrap, replace(base, group_id=f"floor-{tag}"), FLOOR)
    worker = run_process(
        bootstrap, replace(base, group_id=f"worker-{tag}"), WORKER, profile=profile
    )
    with_entities = None
    if entities_run:
        with_entities = run_process(
            bootstrap,
            replace(
                base, group_id=f"entities-{tag}", output_topic=f"bench-out-ner-{tag}", entities=True
            ),
            WORKER,
        )
    bare.append(forward(sinks[2]))
    tuned.append(forward(sinks[3], **WORKER_PRODUCER))
    return P1(traffic, bare, tuned, floor, worker, with_entities)


def rows(result: P1) -> list[list[str]]:
    """measure, records/s, updates/s, x baseline, CPU s, ready s: one row per contender."""

    def line(name: str, records_per_s: float, run: Run | None) -> list[str]:
        updates = records_per_s * result.traffic.update_sightings / result.records
        return [
            name,
            f"{records_per_s:,.0f}",
            f"{updates:,.0f}",
            f"{records_per_s / result.baseline:.3f}x",
            f"{run.cpu:.2f}" if run else "",
            f"{run.ready:.2f}" if run else "",
        ]

    found = [
        line("passthrough, aiokafka defaults", result.records / min(result.passthrough), None),
        line(
            "passthrough, worker's producer", result.records / min(result.passthrough_tuned), None
        ),
        line("Faust floor (same topology, no work)", result.rate(result.floor), result.floor),
        line("worker, entities off", result.rate(result.worker), result.worker),
    ]
    if result.worker_entities is not None:
        found.append(
            line("worker, entities on", result.rate(result.worker_entities), result.worker_entities)
        )
    return found


HEADERS = ["P1 contender", "records/s", "updates/s", "x baseline", "CPU s", "ready s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--recrawls", type=int, default=30)
    parser.add_argument("--no-entities", action="store_true", help="skip the entities-on run")
    parser.add_argument("--profile", help="write the worker's py-spy profile (raw) here")
    args = parser.parse_args()
    with EmbeddedBroker() as broker:
        result = measure(
            broker.bootstrap,
            args.stories,
            args.recrawls,
            entities_run=not args.no_entities,
            profile=args.profile,
        )
    traffic = result.traffic
    print(table(HEADERS, rows(result)))
    print(
        f"\n{result.records:,} refreshes of {traffic.stories} live blogs, "
        f"{traffic.update_sightings:,} update sightings, {traffic.repeated_share:.1%} repeated; "
        f"passthrough runs (s): bare {result.passthrough}, tuned {result.passthrough_tuned}"
    )


if __name__ == "__main__":
    main()
