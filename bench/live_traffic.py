"""Live-blog traffic for the streaming benchmarks: an endless series of new stories, paced.

Stories come in waves: `refreshes.lines(stories=W)` (W copies of the fixture's live blog, each
crawled twelve times plus one retry, interleaved refresh by refresh), moved to sites and sources
named after the run and the wave, so no two runs or waves share a story and no source sees one
line in several stories (it would learn the blog's text as boilerplate). After its wave a story
is never crawled again. `fetched_at` is stamped when a record is produced (UTC, milliseconds):
the worker judges a story's age by it, against its own clock when it evicts.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aiokafka import AIOKafkaProducer

from bench.worker_process import PARTITIONS, partition_of
from tests.fixtures import refreshes
from worker.pipeline.story import story_id

CRAWLS_PER_STORY = len(refreshes.crawls())
EVENTS_PER_STORY = len(refreshes.EXPECTED)
OnSend = Callable[[dict[str, Any], float], None]


@cache
def _copies(stories: int) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(line) for line in refreshes.lines(stories=stories))


def wave(name: str, stories: int, spread: bool = False) -> list[dict[str, Any]]:
    """`stories` new live blogs named after `name`, their crawls interleaved; with `spread`, the
    name is salted until every partition has at least one of them (when stories allow)."""
    for salt in itertools.count():
        site = f"{name}s{salt}" if salt else name
        crawls = [
            {
                **crawl,
                "url": crawl["url"].replace("harbour-herald", f"harbour-herald-{site}"),
                "source": f"{crawl['source']} {site}",
            }
            for crawl in _copies(stories)
        ]
        covered = {partition_of(story_id(crawl["url"])) for crawl in crawls}
        if not spread or len(covered) >= min(stories, PARTITIONS) or salt >= 50:
            return crawls
    raise AssertionError("unreachable")


def endless(tag: str, stories_per_wave: int, spread: bool = False) -> Iterator[dict[str, Any]]:
    """Wave after wave of new stories; each story crawled its refresh sequence, then abandoned."""
    for number in itertools.count():
        yield from wave(f"{tag}w{number}", stories_per_wave, spread)


def now_rfc3339() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def produce_steady(
    bootstrap: str,
    topic: str,
    crawls: Iterator[dict[str, Any]],
    rate: float,
    count: int | None = None,
    on_send: OnSend | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Produce `count` crawls (or until `stop` is set) at `rate` records/s on a fixed schedule,
    stamping `fetched_at` at send time; `on_send(crawl, wall_time)` sees each one. Returns how
    many were sent. A late schedule is not caught up in a burst: it restarts from now."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    sent, pending = 0, []
    try:
        start, slot = time.monotonic(), 0
        for crawl in crawls:
            if (count is not None and sent >= count) or (stop is not None and stop.is_set()):
                break
            delay = start + slot / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -1.0:  # we fell behind (a busy machine): do not burst to catch up
                start, slot = time.monotonic(), 0
            stamped = {**crawl, "fetched_at": now_rfc3339()}
            value = json.dumps(stamped, ensure_ascii=False).encode()
            if on_send is not None:
                on_send(stamped, time.time())
            pending.append(await producer.send(topic, value, key=stamped["source"].encode()))
            sent, slot = sent + 1, slot + 1
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent
