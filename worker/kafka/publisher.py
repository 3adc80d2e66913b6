"""The publishing side of both stages: sends that are measured first and awaited as a batch,
dead letters that fit their topic, and the origin of a record a dead letter points at.

A record the producer or the broker refuses for its size is dead-lettered through the callback
given with it, never retried; any other send failure propagates and stops the worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from faust.types import EventT, TopicT

from worker.codec import DEAD_LETTER_KEY_BYTES, dead_letter
from worker.errors import BadInput, OutputTooLarge
from worker.kafka.limits import (
    RecordLimits,
    bounded_key,
    broker_limits,
    is_too_large,
    record_size,
)
from worker.kafka.origin import Origin, make_headers, read_headers
from worker.kafka.topics import repartition_topic
from worker.logs import get_logger
from worker.settings import Settings

log = get_logger("worker.stages")
Clock = Callable[[], datetime]
TooLarge = Callable[[str], Awaitable[None]]


@dataclass
class _Sent:
    future: Awaitable[Any]
    on_too_large: TooLarge | None  # what to do when the broker refuses the record's size


class Publisher:
    """Sends of one stage, awaited together by `flush`; `reject` dead-letters a record."""

    def __init__(self, settings: Settings, deadletters: TopicT, clock: Clock) -> None:
        self.settings = settings
        self.deadletters = deadletters
        self.clock = clock
        self.pending: list[_Sent] = []
        self.internal_topic = repartition_topic(settings)
        self.sizes = RecordLimits.from_settings(settings)
        self._sizes_read = False

    async def read_sizes(self) -> None:
        """Learn the topics' byte limits from the broker, once, before the first send."""
        if self._sizes_read:
            return
        self._sizes_read = True
        topics = [self.settings.output_topic, self.settings.deadletter_topic, self.internal_topic]
        topics.append(changelog_topic(self.settings))
        found = await broker_limits(self.settings, topics)
        self.sizes = RecordLimits.from_settings(self.settings, found)
        log.info("record_limits.read", **{t: self.sizes.limit(t) for t in topics})

    async def send(
        self,
        topic: TopicT,
        key: bytes | None,
        value: bytes,
        headers: list[tuple[str, bytes]] | None = None,
        on_too_large: TooLarge | None = None,
    ) -> None:
        try:
            future = await topic.send(key=key, value=value, headers=headers, force=True)
        except Exception as exc:  # the producer measures records too, and refuses big ones
            if on_too_large is None or not is_too_large(exc):
                raise
            await on_too_large(f"the producer refused it: {type(exc).__name__}")
            return
        self.pending.append(_Sent(future, on_too_large))

    async def reject(self, event: EventT, error: BadInput) -> None:
        origin = self.origin_of(event)
        log.warning(
            "article.rejected",
            error_class=error.error_class,
            reason=error.reason,
            topic=origin.topic,
            partition=origin.partition,
            offset=origin.offset,
        )
        await self._dead_letter(event, error, origin, self.settings.deadletter_max_value_bytes)

    async def _dead_letter(
        self, event: EventT, error: BadInput, origin: Origin, max_value_bytes: int
    ) -> None:
        key, record = dead_letter_record(
            error,
            event.message.value,
            origin,
            now=self.clock(),
            max_value_bytes=max_value_bytes,
            sizes=self.sizes,
            topic=self.settings.deadletter_topic,
        )

        async def smaller(reason: str) -> None:
            if max_value_bytes == 0:
                raise OutputTooLarge(f"a dead letter without its value: {reason}")
            log.error("deadletter.too_large", reason=reason, offset=origin.offset)
            await self._dead_letter(event, error, origin, 0)

        await self.send(self.deadletters, key, record, on_too_large=smaller)

    def _refused(self, event: EventT, error: type[BadInput]) -> TooLarge:
        async def dead_letter_it(reason: str) -> None:
            await self.reject(event, error(f"too large to produce: {reason}"))

        return dead_letter_it

    def origin_of(self, event: EventT) -> Origin:
        """Where `event` came from: its own place, or for a record of our repartition topic,
        the place its origin headers give (its own place, logged, when they are malformed)."""
        message = event.message
        own = Origin(message.topic, message.partition, message.offset, message.key)
        if message.topic != self.internal_topic:
            return own  # headers on the input topic are the crawler's: never read them
        origin = read_headers(message.headers)
        if origin is None:
            log.error("origin.invalid", topic=message.topic, offset=message.offset)
            return own
        return origin

    async def flush(self) -> None:
        """Wait until the broker has acknowledged everything sent since the last flush; a
        record refused for its size is dead-lettered (and that dead letter awaited in turn)."""
        while self.pending:
            pending, self.pending = self.pending, []
            results = await asyncio.gather(*(s.future for s in pending), return_exceptions=True)
            for sent, result in zip(pending, results, strict=True):
                if not isinstance(result, BaseException):
                    continue
                if sent.on_too_large is None or not is_too_large(result):
                    raise result
                await sent.on_too_large(f"the broker refused it: {type(result).__name__}")


def origin_headers(event: EventT) -> list[tuple[str, bytes]]:
    """Where a repartitioned record came from, so a later dead letter can point at the original."""
    message = event.message
    return make_headers(Origin(message.topic, message.partition, message.offset, message.key))


def changelog_topic(settings: Settings) -> str:
    """The story table's changelog topic, as Faust names it."""
    return f"{settings.group_id}-stories-changelog"


def dead_letter_key(origin: Origin) -> bytes | None:
    """The dead letter's own key: the original's, or for a long one its prefix and hash."""
    if origin.key is not None and origin.key_sha256 is not None:
        digest = origin.key_sha256.encode("ascii")
        return origin.key[: DEAD_LETTER_KEY_BYTES - len(digest) - 1] + b"~" + digest
    return bounded_key(origin.key, DEAD_LETTER_KEY_BYTES)


def dead_letter_record(
    error: BadInput,
    value: bytes | None,
    origin: Origin,
    *,
    now: datetime,
    max_value_bytes: int,
    sizes: RecordLimits,
    topic: str,
) -> tuple[bytes | None, bytes]:
    """The key and value of the dead letter of `value` from `origin`: at most `max_value_bytes`
    of the value, fewer when the record would not fit `topic` otherwise."""

    def build(keep: int) -> bytes:
        return dead_letter(
            error,
            value=value,
            key=origin.key,
            key_size=origin.key_size,
            key_sha256=origin.key_sha256,
            topic=origin.topic,
            partition=origin.partition,
            offset=origin.offset,
            now=now,
            max_value_bytes=keep,
        )

    key = dead_letter_key(origin)
    return key, fit_dead_letter(build, max_value_bytes, sizes, topic, key)


def fit_dead_letter(
    build: Callable[[int], bytes],
    max_value_bytes: int,
    sizes: RecordLimits,
    topic: str,
    key: bytes | None,
) -> bytes:
    """The dead letter `build` makes keeping `max_value_bytes` of the value, or a shorter
    prefix such that the record fits `topic` (base64 takes 4 bytes per 3)."""
    record = build(max_value_bytes)
    if sizes.excess(topic, key, record) is None:
        return record
    bare = record_size(key, build(0))
    keep = max(0, (sizes.limit(topic) - bare) * 3 // 4 - 16)  # varints grow too
    return build(min(keep, max_value_bytes))
