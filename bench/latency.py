"""P3: end-to-end latency, time to ready and fail-over of `news-worker run` on the embedded broker.

Each measure starts the worker as a real process (entities on, as deployed) with topics and a
consumer group of its own, and feeds it new live blogs (`bench.live_traffic`) at a steady rate:
- latency: raw record produced -> its events consumed from the output topic, after a warm-up
  (the first batches load spaCy). An event is matched to the record that caused it by
  (story_id, fetched_at), which the event copies from its crawl. Only records that emit events
  count: a refresh that repeats what the story already said emits nothing;
- ready: process start -> the `worker.ready` log line, and -> the first event of a record
  produced before the start (which includes loading the model);
- fail-over: two workers in one group, kill -9 one, seconds until the survivor publishes an event
  for a partition the killed one owned (from the `update.published` log lines).

    python -m bench.latency [--rate 40] [--seconds 30] [--size 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from collections import Counter
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.live_traffic import (
    CRAWLS_PER_STORY,
    EVENTS_PER_STORY,
    endless,
    produce_steady,
    wave,
)
from bench.tables import percentile, table
from bench.worker_process import (
    PARTITIONS,
    RunNames,
    WorkerProcess,
    log_time,
    partition_of,
    worker_env,
)
from worker.kafka.broker import EmbeddedBroker
from worker.kafka.topics import repartition_topic
from worker.pipeline.story import story_id

READY_TIMEOUT_S = 120.0


class TopicTail:
    """Every record (JSON) on a topic of the run, with the wall time we read it and its record
    timestamp (when the producer sent it)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        # Tansu answers a fetch of several partitions only when its max wait is up, whatever
        # arrives: a short wait keeps our own read out of the latency.
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=10,
        )
        self.topic = topic
        self.seen: list[tuple[dict[str, Any], float, float]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> TopicTail:
        await self.consumer.start()
        parts = [TopicPartition(self.topic, p) for p in range(PARTITIONS)]
        self.consumer.assign(parts)
        await self.consumer.seek_to_beginning(*parts)
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self.consumer.stop()

    async def _run(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=50, max_records=1000)
            now = time.time()
            for records in batches.values():
                for record in records:
                    self.seen.append((json.loads(record.value), now, record.timestamp / 1000))

    async def wait_count(self, count: int, timeout: float, quiet: float | None = None) -> None:
        """Until `count` events were read, or `timeout`, or (with `quiet`) nothing new for that
        many seconds."""
        deadline, last, seen = time.monotonic() + timeout, time.monotonic(), len(self.seen)
        while len(self.seen) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            if len(self.seen) != seen:
                last, seen = time.monotonic(), len(self.seen)
            elif quiet is not None and time.monotonic() - last > quiet:
                return


def _full_waves(records: float, stories: int) -> int:
    per_wave = stories * CRAWLS_PER_STORY
    return max(1, math.ceil(records / per_wave)) * per_wave


async def _latency(
    bootstrap: str, rate: float, seconds: float, stories: int, warm_stories: int
) -> dict[str, Any]:
    names = RunNames()
    await names.create_topics(bootstrap)
    settings = names.settings
    sent: dict[tuple[str, str], float] = {}

    def remember(crawl: dict[str, Any], at: float) -> None:
        sent.setdefault((story_id(crawl["url"]), crawl["fetched_at"]), at)

    by_story = TopicTail(bootstrap, repartition_topic(settings))
    async with TopicTail(bootstrap, settings.output_topic) as tail, by_story:
        with WorkerProcess(worker_env(bootstrap, names)) as worker:
            await worker.wait_for("worker.ready", READY_TIMEOUT_S)
            warm = wave(f"{names.tag}warm", warm_stories)
            warm_started = time.monotonic()
            await produce_steady(bootstrap, settings.input_topic, iter(warm), rate, len(warm))
            await tail.wait_count(warm_stories * EVENTS_PER_STORY, READY_TIMEOUT_S)
            warm_s = time.monotonic() - warm_started
            before = len(tail.seen)
            count = _full_waves(rate * seconds, stories)
            started = time.monotonic()
            produced = await produce_steady(
                bootstrap,
                settings.input_topic,
                endless(names.tag, stories),
                rate,
                count,
                on_send=remember,
            )
            producing_s = time.monotonic() - started
            expected = before + produced // CRAWLS_PER_STORY * EVENTS_PER_STORY
            await tail.wait_count(expected, timeout=60.0, quiet=10.0)
    figures = _latency_figures(tail.seen[before:], sent, produced, producing_s, warm_s)
    return {**figures, **_hop_figures(by_story.seen, sent)}


def _latency_figures(
    seen: list[tuple[dict[str, Any], float, float]],
    sent: dict[tuple[str, str], float],
    produced: int,
    producing_s: float,
    warm_s: float,
) -> dict[str, Any]:
    consumed, published, keys = [], [], set()
    for event, read_at, record_at in seen:
        key = (event["story_id"], event["fetched_at"])
        if key in sent:
            consumed.append((read_at - sent[key]) * 1000)
            published.append((record_at - sent[key]) * 1000)
            keys.add(key)
    if not consumed:
        raise RuntimeError("no event of the measured records arrived")
    return {
        "records_produced": produced,
        "rate_achieved_per_s": produced / producing_s,
        "records_with_events": len(keys),
        "events_matched": len(consumed),
        "events_expected": produced // CRAWLS_PER_STORY * EVENTS_PER_STORY,
        "warmup_s": warm_s,
        "latency_p50_ms": percentile(consumed, 0.5),
        "latency_p99_ms": percentile(consumed, 0.99),
        "latency_max_ms": max(consumed),
        "publish_p50_ms": percentile(published, 0.5),
        "publish_p99_ms": percentile(published, 0.99),
    }


def _hop_figures(
    seen: list[tuple[dict[str, Any], float, float]], sent: dict[tuple[str, str], float]
) -> dict[str, float]:
    """The first hop alone: produce -> the ingest agent's repartitioned copy (all records)."""
    hop = [
        (record_at - sent[key]) * 1000
        for article, _, record_at in seen
        if (key := (story_id(article["url"]), article["fetched_at"])) in sent
    ]
    return {"ingest_p50_ms": percentile(hop, 0.5), "ingest_p99_ms": percentile(hop, 0.99)}


def measure_latency(
    bootstrap: str, rate: float, seconds: float, stories: int = 8, warm_stories: int = 2
) -> dict[str, Any]:
    """Produce -> consumed latency (ms) of the events of records produced at `rate` records/s
    for about `seconds` (rounded up to whole waves of `stories` live blogs), after a warm-up of
    `warm_stories` blogs. `publish_*` is produce -> the event's record timestamp (when the
    worker produced it), which leaves out our consumer's fetch; `ingest_*` is produce -> the
    repartitioned copy's record timestamp (the first of the worker's two hops), over all records."""
    return asyncio.run(_latency(bootstrap, rate, seconds, stories, warm_stories))


async def _ready(bootstrap: str) -> dict[str, float]:
    names = RunNames()
    await names.create_topics(bootstrap)
    settings = names.settings
    first = wave(f"{names.tag}ready", 1)[:1]
    await produce_steady(bootstrap, settings.input_topic, iter(first), rate=100.0, count=1)
    async with TopicTail(bootstrap, settings.output_topic) as tail:
        with WorkerProcess(worker_env(bootstrap, names)) as worker:
            ready = await worker.wait_for("worker.ready", READY_TIMEOUT_S)
            await tail.wait_count(1, READY_TIMEOUT_S)
            return {
                "ready_s": log_time(ready) - worker.started,
                "ready_logged_s": float(ready["seconds"]),
                "first_event_s": tail.seen[0][1] - worker.started,
            }


def measure_ready(bootstrap: str) -> dict[str, float]:
    """Seconds from process start to the `worker.ready` log line (`ready_s`), the seconds the
    worker logs in that line (from building the app, so without interpreter start and imports),
    and seconds to the first event of a record waiting in the input topic (`first_event_s`)."""
    return asyncio.run(_ready(bootstrap))


def _owned_partitions(worker: WorkerProcess, since: float) -> set[int]:
    return {
        partition_of(record["story_id"])
        for record in worker.events("update.published")
        if log_time(record) >= since
    }


async def _failover(bootstrap: str, rate: float, stories: int, timeout: float) -> dict[str, Any]:
    names = RunNames()
    await names.create_topics(bootstrap)
    settings = names.settings
    stop = asyncio.Event()
    traffic = asyncio.create_task(
        produce_steady(
            bootstrap,
            settings.input_topic,
            endless(names.tag, stories, spread=True),
            rate,
            stop=stop,
        )
    )
    survivor = WorkerProcess(worker_env(bootstrap, names), "survivor").start()
    victim = WorkerProcess(worker_env(bootstrap, names), "victim")
    try:
        await survivor.wait_for("update.published", READY_TIMEOUT_S)
        victim.start()
        shared_from = log_time(await victim.wait_for("update.published", READY_TIMEOUT_S))
        await asyncio.sleep(3.0)  # both serve: let each publish for its own partitions
        lost = _owned_partitions(victim, shared_from)
        kept = _owned_partitions(survivor, shared_from)
        killed_at = victim.kill()
        taken_over = await _taken_over(survivor, lost - kept, killed_at, timeout)
        await asyncio.sleep(2.0)
        return _failover_figures(survivor, victim, killed_at, taken_over, lost, kept)
    finally:
        stop.set()
        await traffic
        survivor.stop()
        victim.stop()


async def _taken_over(
    survivor: WorkerProcess, lost: set[int], killed_at: float, timeout: float
) -> dict[str, Any]:
    if not lost:
        raise RuntimeError("the victim published nothing of its own before the kill")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in survivor.events("update.published"):
            if log_time(record) > killed_at and partition_of(record["story_id"]) in lost:
                return record
        await asyncio.sleep(0.05)
    raise TimeoutError(f"the survivor took over nothing in {timeout:.0f}s: {survivor.log_path}")


def _failover_figures(
    survivor: WorkerProcess,
    victim: WorkerProcess,
    killed_at: float,
    taken_over: dict[str, Any],
    lost: set[int],
    kept: set[int],
) -> dict[str, Any]:
    after = sorted(
        log_time(r) for r in survivor.events("update.published") if log_time(r) > killed_at
    )
    over = log_time(taken_over)
    gaps = [b - a for a, b in zip([killed_at, *after], after, strict=False) if b <= over]
    published = Counter(
        (r["story_id"], r["update_id"], r["version"])
        for worker in (survivor, victim)
        for r in worker.events("update.published")
    )
    return {
        "victim_partitions": len(lost),
        "survivor_partitions": len(kept),
        "failover_s": over - killed_at,
        "survivor_next_event_s": after[0] - killed_at,
        "survivor_longest_pause_s": max(gaps),
        "events_published_twice": sum(1 for n in published.values() if n > 1),
    }


def measure_failover(
    bootstrap: str, rate: float = 20.0, stories: int = 8, timeout: float = 60.0
) -> dict[str, Any]:
    """Two workers in one group under steady traffic (`stories` live blogs at a time, spread over
    the partitions); kill -9 the second. `failover_s`: kill -> the survivor's first event on a
    partition only the victim served; `survivor_next_event_s`: kill -> its first event of any
    kind; `survivor_longest_pause_s`: its longest silence in between (the rebalance);
    `events_published_twice`: events both published (the victim's uncommitted batches)."""
    return asyncio.run(_failover(bootstrap, rate, stories, timeout))


def _rows(
    latency: dict[str, Any], ready: dict[str, float], failover: dict[str, Any]
) -> list[list[str]]:
    return [
        ["records produced (new live blogs)", f"{latency['records_produced']:,}"],
        ["  rate achieved, records/s", f"{latency['rate_achieved_per_s']:.1f}"],
        ["  records that emitted events", f"{latency['records_with_events']:,}"],
        [
            "  events matched / expected",
            f"{latency['events_matched']:,} / {latency['events_expected']:,}",
        ],
        ["warm-up (model load, first blogs) s", f"{latency['warmup_s']:.1f}"],
        ["latency produce -> consumed p50 ms", f"{latency['latency_p50_ms']:.0f}"],
        ["latency produce -> consumed p99 ms", f"{latency['latency_p99_ms']:.0f}"],
        ["latency produce -> consumed max ms", f"{latency['latency_max_ms']:.0f}"],
        ["latency produce -> published p50 ms", f"{latency['publish_p50_ms']:.0f}"],
        ["latency produce -> published p99 ms", f"{latency['publish_p99_ms']:.0f}"],
        ["  first hop: produce -> repartitioned p50 ms", f"{latency['ingest_p50_ms']:.0f}"],
        ["  first hop: produce -> repartitioned p99 ms", f"{latency['ingest_p99_ms']:.0f}"],
        ["time to worker.ready s", f"{ready['ready_s']:.2f}"],
        ["  as the worker logs it s", f"{ready['ready_logged_s']:.2f}"],
        ["time to first event s", f"{ready['first_event_s']:.2f}"],
        ["fail-over: victim / survivor partitions", _pair(failover)],
        ["fail-over: kill -> event on a lost partition s", f"{failover['failover_s']:.2f}"],
        ["fail-over: kill -> survivor's next event s", f"{failover['survivor_next_event_s']:.2f}"],
        ["fail-over: survivor's longest pause s", f"{failover['survivor_longest_pause_s']:.2f}"],
        ["fail-over: events published twice", str(failover["events_published_twice"])],
    ]


def _pair(failover: dict[str, Any]) -> str:
    return f"{failover['victim_partitions']} / {failover['survivor_partitions']}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rate", type=float, default=40.0, help="records/s: half the worker's maximum"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="latency run length")
    parser.add_argument("--size", type=float, default=1.0, help="multiplies --seconds")
    parser.add_argument("--stories", type=int, default=8, help="live blogs crawled at a time")
    args = parser.parse_args(argv)
    with EmbeddedBroker() as broker:
        latency = measure_latency(
            broker.bootstrap, args.rate, args.seconds * args.size, stories=args.stories
        )
        ready = measure_ready(broker.bootstrap)
        failover = measure_failover(broker.bootstrap, rate=args.rate / 2, stories=args.stories)
    print(table(["measure", "value"], _rows(latency, ready, failover)))


if __name__ == "__main__":
    main()
