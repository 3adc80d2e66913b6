"""Broker watch: is the broker there, and is it still the broker the worker set its topics up on?

A timer probes the broker every few seconds with its own client: a metadata request for the
worker's topics (never auto-creating them) and their end offsets. `Connectivity` turns the
probes into one log line per state change, a summary while the broker stays away, and a verdict
to exit after `NEWS_WORKER_BROKER_LOSS_EXIT_S` without one (a supervisor restarts the worker;
Faust and aiokafka would retry forever). `Layout` says when the broker came back empty: the
cluster id changed, a topic is gone, its partition count changed, or an end offset went back
(three probes in a row: a new partition leader may report a lower high watermark for a moment).
The worker then exits non-zero rather than publish into topics nobody reads. The decisions are
plain values; only `BrokerWatch.probe` talks to the broker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.protocol.metadata import MetadataRequest
from aiokafka.structs import TopicPartition

from worker.errors import BrokerError
from worker.kafka.client import client_options
from worker.settings import Settings

PROBE_INTERVAL_S = 2.0
PROBE_TIMEOUT_S = 5.0
OFFSETS_TIMEOUT_S = 2.0
SUMMARY_EVERY_S = 30.0
REGRESSION_PROBES = 3


@dataclass(frozen=True)
class Snapshot:
    """What one probe saw: the cluster id, partitions per topic, end offset per partition."""

    cluster_id: str | None
    partitions: dict[str, int]
    end_offsets: dict[tuple[str, int], int] = field(default_factory=dict)


@dataclass
class Connectivity:
    """Reachable or not, since when; says what to log and when to give up."""

    exit_after_s: float
    summary_every_s: float = SUMMARY_EVERY_S
    down_since: float | None = None
    last_summary: float = 0.0

    @property
    def reachable(self) -> bool:
        return self.down_since is None

    def observe(self, reachable: bool, now: float) -> str | None:
        """Record a probe; return "lost", "back", "still_lost", "give_up" or None (no news)."""
        if reachable:
            was_down, self.down_since = self.down_since is not None, None
            return "back" if was_down else None
        if self.down_since is None:
            self.down_since = self.last_summary = now
            return "lost"
        if now - self.down_since >= self.exit_after_s:
            return "give_up"
        if now - self.last_summary >= self.summary_every_s:
            self.last_summary = now
            return "still_lost"
        return None

    def down_for(self, now: float) -> float:
        return 0.0 if self.down_since is None else now - self.down_since


@dataclass
class Layout:
    """The broker as the worker first saw it; says what changed since."""

    first: Snapshot | None = None
    high: dict[tuple[str, int], int] = field(default_factory=dict)
    regressed: int = 0

    def check(self, seen: Snapshot) -> str | None:
        """Return why `seen` is not the broker the worker started on, or None."""
        if self.first is None:
            self.first, self.high = seen, dict(seen.end_offsets)
            return None
        first = self.first
        if first.cluster_id and seen.cluster_id and first.cluster_id != seen.cluster_id:
            return f"cluster id changed from {first.cluster_id} to {seen.cluster_id}"
        for topic, count in first.partitions.items():
            found = seen.partitions.get(topic)
            if found is None:
                return f"topic {topic!r} is gone"
            if found != count:
                return f"topic {topic!r} had {count} partitions, now {found}"
        return self._offsets(seen)

    def _offsets(self, seen: Snapshot) -> str | None:
        back = [
            (tp, self.high[tp], end)
            for tp, end in seen.end_offsets.items()
            if end < self.high.get(tp, 0)
        ]
        self.regressed = self.regressed + 1 if back else 0
        for tp, end in seen.end_offsets.items():
            self.high[tp] = max(end, self.high.get(tp, 0))
        if self.regressed >= REGRESSION_PROBES:
            (topic, partition), was, now = back[0]
            return f"end offset of {topic}[{partition}] went back from {was} to {now}"
        return None


class BrokerWatch:
    """Probes the broker with a client of its own."""

    def __init__(self, settings: Settings, topics: list[str]) -> None:
        self.settings = settings
        self.topics = topics
        self._consumer: AIOKafkaConsumer | None = None

    async def probe(self) -> Snapshot:
        """One look at the broker; raises if it does not answer within PROBE_TIMEOUT_S."""
        return await asyncio.wait_for(self._probe(), PROBE_TIMEOUT_S)

    async def _probe(self) -> Snapshot:
        consumer = await self._client()
        response = await self._metadata(consumer)
        partitions = {
            topic["topic"]: len(topic["partitions"])
            for topic in response["topics"]
            if topic["error_code"] == 0 and topic["partitions"]
        }
        tps = [TopicPartition(t, p) for t, count in partitions.items() for p in range(count)]
        try:  # a partition without a leader for a moment (a broker of several lost) is no news
            ends = await asyncio.wait_for(consumer.end_offsets(tps), OFFSETS_TIMEOUT_S)
        except Exception:  # the offsets are compared only when every partition answers
            ends = {}
        offsets = {(tp.topic, tp.partition): end for tp, end in ends.items()}
        return Snapshot(response.get("cluster_id"), partitions, offsets)

    async def _metadata(self, consumer: AIOKafkaConsumer) -> dict[str, Any]:
        """Metadata from the first broker that answers (any one answering is "reachable")."""
        client = consumer._client
        request = MetadataRequest(self.topics, allow_auto_topic_creation=False)
        nodes = [broker.nodeId for broker in client.cluster.brokers()]
        failure: Exception = BrokerError("no broker known")
        for node in nodes or [client.get_random_node()]:
            try:
                return (await client.send(node, request)).to_object()  # type: ignore[no-any-return]
            except Exception as exc:  # this broker is away: ask the next one
                failure = exc
        raise failure

    async def _client(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                group_id=None,
                enable_auto_commit=False,
                request_timeout_ms=int(PROBE_TIMEOUT_S * 1000),
                **client_options(self.settings),
            )
            await consumer.start()
            self._consumer = consumer
        return self._consumer

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()


def describe(snapshot: Snapshot) -> dict[str, Any]:
    """A snapshot for a log line."""
    return {"cluster_id": snapshot.cluster_id, "topics": snapshot.partitions}
