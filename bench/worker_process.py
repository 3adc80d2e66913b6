"""`news-worker run` as a real child process for the streaming benchmarks, and its JSON log.

Owns what a benchmark needs of a worker: names unique to one run (topics, group), the
environment a deployed worker would get, its log read as it grows, its resident memory, and a
clean stop or a kill -9. Imports nothing from the worker but its settings and topic helpers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka.partitioner import DefaultPartitioner

from bench import brokers
from worker.codec import story_key
from worker.kafka.broker import terminate
from worker.kafka.topics import ensure_topics, worker_topics
from worker.settings import Settings

PARTITIONS = 4
_partitioner = DefaultPartitioner()


def partition_of(story_id: str, partitions: int = PARTITIONS) -> int:
    """The partition of a story's repartitioned records and state, so the worker that serves
    it (the producer's default partitioner over the repartition key)."""
    every = list(range(partitions))
    return int(_partitioner(story_key(story_id), every, every))


def run_settings(prefix: str, tag: str, *, entities: bool = True) -> Settings:
    """Topics and group of one measure, named after `prefix` and the run's `tag`."""
    return Settings(
        input_topic=f"{prefix}-raw-{tag}",
        output_topic=f"{prefix}-out-{tag}",
        deadletter_topic=f"{prefix}-dead-{tag}",
        group_id=f"{prefix}-{tag}",
        partitions=PARTITIONS,
        entities=entities,
    )


@dataclass(frozen=True)
class RunNames:
    """Topics and consumer group of one benchmark run, so runs never share offsets or state."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    @property
    def settings(self) -> Settings:
        return run_settings("bench", self.tag)

    async def create_topics(self, bootstrap: str) -> None:
        """Every topic of the run, with the benchmark's partition count, before any worker."""
        settings = self.settings.with_bootstrap(bootstrap, brokers.flavor())
        await ensure_topics(settings, worker_topics(settings))


def settings_env(bootstrap: str, settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a worker (or the Faust floor) on the embedded broker with the names
    and entities switch of `settings`: JSON logs at INFO, a data directory of its own."""
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "NEWS_WORKER_BROKER_FLAVOR": brokers.flavor(),
        "NEWS_WORKER_PARTITIONS": str(PARTITIONS),
        "NEWS_WORKER_LOG_FORMAT": "json",
        "NEWS_WORKER_LOG_LEVEL": "INFO",
        "NEWS_WORKER_GROUP_ID": settings.group_id,
        "NEWS_WORKER_INPUT_TOPIC": settings.input_topic,
        "NEWS_WORKER_OUTPUT_TOPIC": settings.output_topic,
        "NEWS_WORKER_DEADLETTER_TOPIC": settings.deadletter_topic,
        "NEWS_WORKER_DATA_DIR": tempfile.mkdtemp(prefix="bench-worker-"),
        "NEWS_WORKER_ENTITIES": "on" if settings.entities else "off",
        **extra,
    }


def worker_env(bootstrap: str, names: RunNames, **extra: str) -> dict[str, str]:
    """The environment of a worker on the embedded broker: JSON logs at INFO, this run's names."""
    return settings_env(bootstrap, names.settings, **extra)


def log_time(record: dict[str, Any]) -> float:
    """The wall-clock time (epoch seconds) of a JSON log line, from its ISO UTC timestamp."""
    return datetime.fromisoformat(record["timestamp"]).timestamp()


class WorkerProcess:
    """One `python -m worker run` child; its stdout and stderr go to a log file we tail."""

    def __init__(self, env: dict[str, str], name: str = "worker") -> None:
        self.env = env
        self.log_path = Path(tempfile.mkdtemp(prefix="bench-log-")) / f"{name}.log"
        self.records: list[dict[str, Any]] = []
        self.started = 0.0  # wall clock, epoch seconds
        self._process: subprocess.Popen[bytes] | None = None
        self._offset = 0
        self._partial = b""

    @property
    def pid(self) -> int:
        assert self._process is not None, "the worker has not been started"
        return self._process.pid

    def start(self) -> WorkerProcess:
        with open(self.log_path, "wb") as sink:
            self.started = time.time()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "worker", "run"],
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        return self

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def read(self) -> list[dict[str, Any]]:
        """The JSON log lines written since the last call (other lines are skipped)."""
        with open(self.log_path, "rb") as log:
            log.seek(self._offset)
            chunk = log.read()
        self._offset += len(chunk)
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        fresh = []
        for line in complete:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "event" in record:
                fresh.append(record)
        self.records.extend(fresh)
        return fresh

    def events(self, name: str) -> list[dict[str, Any]]:
        """Every log record of event `name` read so far."""
        self.read()
        return [record for record in self.records if record["event"] == name]

    async def wait_for(self, name: str, timeout: float) -> dict[str, Any]:
        """The first log record of event `name`; TimeoutError if none comes within `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.events(name)
            if found:
                return found[0]
            if not self.alive():
                raise RuntimeError(f"the worker exited: see {self.log_path}")
            await asyncio.sleep(0.02)
        raise TimeoutError(f"no {name} within {timeout:.0f}s: see {self.log_path}")

    def rss_mb(self) -> float:
        """Resident set size (VmRSS) of the worker and its children (the NER process), in MiB."""
        return sum(rss_mb_of(pid) for pid in process_tree(self.pid))

    def kill(self) -> float:
        """kill -9 the worker; returns the wall-clock time of the kill."""
        killed = time.time()
        os.kill(self.pid, signal.SIGKILL)
        assert self._process is not None
        self._process.wait()
        return killed

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (the worker drains and commits), then SIGKILL if it takes too long."""
        terminate(self._process, timeout)

    def __enter__(self) -> WorkerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc/<pid>/task/*/children."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def rss_mb_of(pid: int) -> float:
    """VmRSS of any process (the broker, say), in MiB; 0 when it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
