"""The framework floor for P1: the worker's Faust topology and settings, doing no work at all.

Two agents as in `worker/kafka/app.py`, on the same topics and with the same Faust settings
(`faust_settings`, so the Tansu overrides, compression and batching too): `ingest` takes a
batch, forwards every record unchanged to the repartition topic, waits for the broker's acks
and acks the batch; `process` takes a batch and acks it. No decoding, cleaning, state or
events. Whatever this process cannot exceed, the worker cannot either: the gap between it and
the bare aiokafka passthrough is Faust's per-event cost, the gap between it and the worker is
ours. Run like the worker, configured by the same environment:

    python -m bench.faust_floor
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import faust

from worker.kafka.app import _raw_topic, faust_settings
from worker.kafka.topics import ensure_topics, repartition_topic
from worker.logs import configure, get_logger
from worker.settings import Settings

log = get_logger("bench.faust_floor")


def create_floor_app(settings: Settings) -> faust.App:
    started = time.monotonic()
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    app = faust.App(settings.group_id, **faust_settings(settings))
    raw = _raw_topic(app, settings.input_topic, settings)
    by_story = _raw_topic(app, repartition_topic(settings), settings, internal=True)
    within = settings.batch_within_ms / 1000

    @app.agent(raw, name="ingest")
    async def ingest(stream: faust.StreamT) -> None:
        async for events in stream.noack_take(settings.batch_size, within=within):
            pending = [
                await by_story.send(key=e.message.key, value=e.message.value, force=True)
                for e in events
            ]
            await asyncio.gather(*pending)
            for event in events:
                await stream.ack(event)

    @app.agent(by_story, name="process")
    async def process(stream: faust.StreamT) -> None:
        async for events in stream.noack_take(settings.batch_size, within=within):
            for event in events:
                await stream.ack(event)

    @app.task
    async def announce_ready() -> None:
        log.info("worker.ready", seconds=round(time.monotonic() - started, 2))

    return app


def main() -> None:
    settings = Settings.from_env()
    configure(settings.log_level, settings.log_format)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(ensure_topics(settings))
    worker = faust.Worker(
        create_floor_app(settings),
        loop=loop,
        loglevel=settings.log_level,
        quiet=True,
        override_logging=False,
        redirect_stdouts=False,
    )
    worker.spinner = None
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
