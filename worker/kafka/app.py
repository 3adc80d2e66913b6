"""The Faust app: topics, the story table and thin agents that hand batches to the stages.

Topology: input topic -> `ingest` (validate, dead-letter, key by story id) -> repartition topic
-> `process` (core + story table) -> output topic. Acks are manual: an input offset is
acknowledged only after everything its record caused has been acknowledged by the broker.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faust
from mode import CrashingSupervisor

from worker.codec import decode_json
from worker.enricher import enricher_for
from worker.errors import BrokerError
from worker.kafka import tansu
from worker.kafka.client import faust_credentials
from worker.kafka.faust_rebalance import patch_faust_rebalance
from worker.kafka.limits import max_record_bytes
from worker.kafka.shutdown import exit_within
from worker.kafka.stages import Processor, Router
from worker.kafka.story_table import story_table
from worker.kafka.topics import repartition_topic, worker_topics
from worker.kafka.watch import PROBE_INTERVAL_S, BrokerWatch, Connectivity, Layout
from worker.logs import get_logger
from worker.settings import Settings

log = get_logger("worker.app")
HEALTH_INTERVAL_S = 5.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def demo_key(line: bytes) -> bytes | None:
    try:
        return str(decode_json(line)["url"]).encode()
    except (ValueError, KeyError, TypeError):
        return None


def demo_line(event: dict[str, Any]) -> str:
    """One screen line per event for the demo: what it is, where from, and who is in it."""
    words = (event["headline"] or event["story_title"] or event["text"]).split()
    summary = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    names = ", ".join(entity["canonical"] for entity in event["entities"][:4])
    return (
        f"{event['type']:<15} v{event['version']} {event['source']:<22} "
        f"{event['story_id'][:8]} {summary}" + (f"  [{names}]" if names else "")
    )


def faust_settings(settings: Settings) -> dict[str, Any]:
    """Faust configuration for Apache Kafka, with the Tansu overrides when the broker is Tansu."""
    servers = (settings.bootstrap_servers or "").split(",")
    conf: dict[str, Any] = {
        "broker": [f"kafka://{server.strip()}" for server in servers],
        "broker_credentials": faust_credentials(settings),
        "broker_session_timeout": settings.session_timeout_s,
        "broker_heartbeat_interval": max(1.0, settings.session_timeout_s / 10),
        "broker_commit_interval": 1.0,
        "consumer_auto_offset_reset": "earliest",
        "consumer_group_instance_id": settings.group_instance_id,
        "processing_guarantee": "at_least_once",
        "producer_acks": -1,
        # Re-crawls of one story are alike, so their batches compress well: fewer bytes through
        # the broker and the socket, which cost more CPU than zstd does (bench/README.md, P1).
        # Batches of up to 1 MiB, lingering 5 ms: one compression and one request for many
        # records (Faust's 16 KiB held four re-crawls).
        "producer_compression_type": None
        if settings.compression == "none"
        else settings.compression,
        "producer_max_request_size": max_record_bytes(settings),
        "producer_max_batch_size": 1024 * 1024,
        "producer_linger": 0.005,
        "consumer_max_fetch_size": settings.max_value_bytes + 64 * 1024,
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication_factor,
        "store": settings.store,
        "datadir": str(Path(settings.data_dir) / settings.group_id),
        "web_enabled": False,
    }
    patch_faust_rebalance()  # Faust's own rebalance loses records; not a Tansu matter
    if settings.broker_flavor == "tansu":
        conf.update(tansu.faust_overrides())
        tansu.patch_faust_highwaters()
        tansu.patch_faust_fetch_wait()
    return conf


def manual_acks_only(stream: faust.StreamT) -> None:
    """Never let Faust ack an event of `stream` by itself: only `stream.ack` after the work.

    `noack_take` turns Faust's own acks off while it runs and back on when it ends, and at a
    stop it ends while its background reader may still pass events through the stream, which
    Faust would then ack unprocessed. With acks off from the start, the restore restores "off".
    """
    stream.enable_acks = False


def _raw_topic(app: faust.App, name: str, settings: Settings, **extra: Any) -> faust.TopicT:
    return app.topic(
        name, key_serializer="raw", value_serializer="raw", partitions=settings.partitions, **extra
    )


def create_app(
    settings: Settings, demo_lines: Iterable[bytes] = (), *, demo_tail: bool = False
) -> faust.App:
    """Build the worker's Faust app.

    `demo_lines` are replayed into the input topic once the worker is ready; `demo_tail` adds an
    agent that prints every published event, as a downstream consumer would see it.
    """
    started = time.monotonic()
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    app = faust.App(settings.group_id, **faust_settings(settings))
    raw = _raw_topic(app, settings.input_topic, settings)
    by_story = _raw_topic(app, repartition_topic(settings), settings, internal=True)
    updates = _raw_topic(app, settings.output_topic, settings)
    deadletters = _raw_topic(app, settings.deadletter_topic, settings)
    # The changelog key is the story id as Faust serialises it (JSON); the router keys the
    # repartition topic the same way (`story_key`), so one partitioner puts a story's records
    # and its state in partitions of the same number, which Faust assigns together.
    stories = story_table(app, settings.partitions)
    router = Router(settings, by_story, deadletters, utcnow)
    processor = Processor(
        settings,
        stories,
        updates,
        deadletters,
        utcnow,
        enricher_for(settings),
        stories.changelog_stored,
    )
    within = settings.batch_within_ms / 1000

    # An agent that raises (the broker refused a record, a bug in a stage) stops the whole
    # worker: its un-acked batch is re-read after the restart instead of stalling the stream.
    @app.agent(raw, name="ingest", supervisor_strategy=CrashingSupervisor)
    async def ingest(stream: faust.StreamT) -> None:
        manual_acks_only(stream)
        async for events in stream.noack_take(settings.batch_size, within=within):
            await router.route(events)
            for event in events:
                await stream.ack(event)

    @app.agent(by_story, name="process", supervisor_strategy=CrashingSupervisor)
    async def process(stream: faust.StreamT) -> None:
        manual_acks_only(stream)
        async for events in stream.noack_take(settings.batch_size, within=within):
            await processor.process(events)
            for event in events:
                await stream.ack(event)

    @app.task
    async def warm_enrichment() -> None:
        # Model and gazetteers load in the NER thread while the worker already serves.
        await asyncio.get_running_loop().run_in_executor(
            processor.ner_thread, processor.enricher.warm
        )

    @app.task
    async def announce_ready() -> None:
        log.info(
            "worker.ready",
            seconds=round(time.monotonic() - started, 2),
            broker=settings.bootstrap_servers,
            group=settings.group_id,
        )
        for line in demo_lines:  # keyed like a crawler would: by URL
            await raw.send(key=demo_key(line), value=line)

    if demo_tail:

        @app.agent(updates, name="demo-tail")
        async def tail(stream: faust.StreamT) -> None:
            async for value in stream:
                print(demo_line(decode_json(value)), flush=True)

    @app.timer(settings.eviction_interval_s, on_leader=False)
    async def evict_stories() -> None:
        evicted = processor.evict_expired(utcnow())
        await stories.changelog_stored()
        if evicted:
            log.info("story.evicted", count=evicted)

    @app.on_partitions_assigned.connect
    async def log_assignment(app: faust.App, assigned: set[Any], **_: Any) -> None:
        partitions = sorted(f"{tp.topic}:{tp.partition}" for tp in assigned)
        log.info("partitions.assigned", count=len(partitions), partitions=partitions)

    connectivity = watch_broker(app, settings)
    if settings.health_file:
        health = Path(settings.health_file)

        @app.timer(HEALTH_INTERVAL_S, on_leader=False)
        async def heartbeat() -> None:
            if connectivity.reachable:  # not ready while the broker does not answer
                health.touch()

    return app


def watch_broker(app: faust.App, settings: Settings) -> Connectivity:
    """Add the task that probes the broker: logs each change of reachability once (and a
    summary while it lasts), and crashes the worker (exit 1) when the broker stays away longer
    than `broker_loss_exit_s` or comes back without the topics and offsets it had."""
    watch = BrokerWatch(settings, worker_topics(settings))
    connectivity = Connectivity(settings.broker_loss_exit_s)
    layout = Layout()

    async def probe() -> None:
        now = time.monotonic()
        try:
            snapshot = await watch.probe()
        except Exception as exc:  # any failure to answer in time is "unreachable"
            verdict = connectivity.observe(False, now)
            down = round(connectivity.down_for(now), 1)
            if verdict == "lost":
                log.error("broker.unreachable", error=repr(exc)[:200])
            elif verdict == "still_lost":
                log.error("broker.still_unreachable", seconds=down)
            elif verdict == "give_up":
                log.critical("broker.given_up", seconds=down)
                raise BrokerError(f"no answer from the broker for {down} s") from exc
            return
        if connectivity.observe(True, now) == "back":
            log.warning("broker.reachable")
        problem = layout.check(snapshot)
        if problem is not None:
            log.critical("broker.changed", reason=problem)
            raise BrokerError(f"the broker is not the one the worker started on: {problem}")

    @app.task
    async def probe_broker() -> None:
        try:
            while True:
                await asyncio.sleep(PROBE_INTERVAL_S)
                try:
                    await probe()
                except BrokerError as exc:
                    exit_within(settings.shutdown_grace_s)  # Faust's stop waits on the broker
                    await app.crash(exc)
                    return
        finally:
            await watch.close()

    return connectivity
