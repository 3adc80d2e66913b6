"""The two stream stages between the Faust agents and the pure core.

`Router` validates raw records and repartitions them by story id (bad ones to the dead-letter
topic); `Processor` runs the core for each story against its table state. Both publish a whole
batch, wait until the broker has acknowledged every record, and only then let the agent ack the
input offsets; the processor writes story state after that acknowledgement, and waits for the
state's own acknowledgement before the acks, so a crash anywhere in between re-emits the same
event ids instead of dropping them, and a committed offset always has its state stored.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import ChainMap
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from faust.streams import _current_event
from faust.types import EventT, TopicT

from worker.codec import dead_letter, decode_article, decode_json, encode_event, story_key
from worker.enricher import Enricher, NerBatch
from worker.errors import BadInput, InternalError
from worker.logs import get_logger
from worker.pipeline import process_article
from worker.pipeline.enrichment import story_names
from worker.pipeline.learning import SourceMemory
from worker.pipeline.process import Outcome, is_expired
from worker.pipeline.story import story_id
from worker.settings import Settings

log = get_logger("worker.stages")
Clock = Callable[[], datetime]
ORIGIN_HEADER = "news-worker-origin"
ORIGIN_KEY_HEADER = "news-worker-origin-key"
NER_CHUNK = 64  # texts per NER call: spaCy's own batch size
NER_FIRST_CHUNK = 16  # the first call of a batch, to start NER soon after the batch does


class _Publisher:
    def __init__(self, settings: Settings, deadletters: TopicT, clock: Clock) -> None:
        self.settings = settings
        self.deadletters = deadletters
        self.clock = clock
        self.pending: list[Awaitable[Any]] = []

    async def send(
        self,
        topic: TopicT,
        key: bytes | None,
        value: bytes,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        self.pending.append(await topic.send(key=key, value=value, headers=headers, force=True))

    async def reject(self, event: EventT, error: BadInput) -> None:
        topic, partition, offset, key = origin_of(event)
        log.warning(
            "article.rejected",
            error_class=error.error_class,
            reason=error.reason,
            topic=topic,
            partition=partition,
            offset=offset,
        )
        record = dead_letter(
            error,
            value=event.message.value,
            key=key,
            topic=topic,
            partition=partition,
            offset=offset,
            now=self.clock(),
            max_value_bytes=self.settings.deadletter_max_value_bytes,
        )
        await self.send(self.deadletters, key, record)

    async def flush(self) -> None:
        """Wait until the broker has acknowledged everything sent since the last flush."""
        pending, self.pending = self.pending, []
        if pending:
            await asyncio.gather(*pending)


def origin_headers(event: EventT) -> list[tuple[str, bytes]]:
    """Where a repartitioned record came from, so a later dead letter can point at the original."""
    message = event.message
    where = f"{message.partition}:{message.offset}:{message.topic}".encode()
    headers = [(ORIGIN_HEADER, where)]
    if message.key is not None:
        headers.append((ORIGIN_KEY_HEADER, message.key))
    return headers


def origin_of(event: EventT) -> tuple[str, int, int, bytes | None]:
    """The input topic, partition, offset and key of a record, following origin headers."""
    message = event.message
    raw_headers = message.headers or []
    headers = dict(raw_headers.items() if isinstance(raw_headers, dict) else raw_headers)
    where = headers.get(ORIGIN_HEADER)
    if where is None:
        return message.topic, message.partition, message.offset, message.key
    partition, offset, topic = bytes(where).decode().split(":", 2)
    return topic, int(partition), int(offset), headers.get(ORIGIN_KEY_HEADER)


class Router(_Publisher):
    """Stage 1: validate raw articles and key them by story id; the crawler's key is not trusted."""

    def __init__(
        self, settings: Settings, by_story: TopicT, deadletters: TopicT, clock: Clock
    ) -> None:
        super().__init__(settings, deadletters, clock)
        self.by_story = by_story

    async def route(self, events: Sequence[EventT]) -> None:
        for event in events:
            try:
                article = decode_article(event.message.value, self.settings.max_value_bytes)
            except BadInput as error:
                await self.reject(event, error)
                continue
            key = story_key(story_id(article["url"]))
            await self.send(self.by_story, key, event.message.value, origin_headers(event))
        await self.flush()


class Processor(_Publisher):
    """Stage 2: one story's crawls against its state, in order; events out, state written last."""

    def __init__(
        self,
        settings: Settings,
        stories: MutableMapping[str, Any],
        updates: TopicT,
        deadletters: TopicT,
        clock: Clock,
        enricher: Enricher,
        flush_state: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(settings, deadletters, clock)
        self.stories = stories
        self.flush_state = flush_state
        self.updates = updates
        self.limits = settings.limits()
        self.memory = SourceMemory(stories_needed=settings.boilerplate_stories)
        self.enricher = enricher
        self.ner_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ner")

    async def process(self, events: Sequence[EventT]) -> None:
        now = self.clock()
        writes: dict[str, Any] = {}
        sources: dict[str, EventT] = {}
        state = ChainMap(writes, self.stories)
        # NER is CPU-bound and runs in a process of its own, called from one thread in order,
        # in calls of about NER_CHUNK texts (the first smaller, so it starts early): the core
        # goes on with the next records while spaCy reads the last ones, and each call's events
        # are published while the next call runs. `names` carries each story's name memory
        # from call to call.
        loop = asyncio.get_running_loop()
        names: dict[str, Any] = {}
        calls: list[tuple[asyncio.Future[NerBatch | None], list[Outcome]]] = []
        chunk: list[tuple[Outcome, Mapping[str, str]]] = []
        texts = 0
        for event in events:
            try:
                article = decode_json(event.message.value)
                known = story_names(state, story_id(article["url"]))
                outcome = process_article(
                    article, state, now, limits=self.limits, memory=self.memory
                )
            except BadInput as error:
                await self.reject(event, error)
                continue
            except Exception as exc:  # a bug must not lose the record nor stop the stream
                log.exception("article.failed", offset=event.message.offset)
                await self.reject(event, InternalError(f"{type(exc).__name__}: {exc}"))
                continue
            writes.update(outcome.state_writes)
            sources.update(dict.fromkeys(outcome.state_writes, event))
            chunk.append((outcome, known))
            texts += len(outcome.events)
            if texts >= (NER_CHUNK if calls else NER_FIRST_CHUNK):
                calls.append(self._enrich(loop, chunk, names))
                chunk, texts = [], 0
        if texts:  # a chunk left without texts has no events either
            calls.append(self._enrich(loop, chunk, names))
        for call, outcomes in calls:
            ner = await call
            if ner is not None:
                log.info(
                    "ner.batch",
                    texts=ner.texts,
                    tokens=ner.tokens,
                    seconds=round(ner.seconds, 4),
                    started=round(ner.started, 4),
                )
            for outcome in outcomes:
                await self.publish(outcome)
        await self.flush()
        for story, value in writes.items():
            self._write(story, value, sources[story])
        if writes:  # the input is acked, and later committed, only once the state is stored
            await self.flush_state()

    def _enrich(
        self,
        loop: asyncio.AbstractEventLoop,
        chunk: list[tuple[Outcome, Mapping[str, str]]],
        names: dict[str, Any],
    ) -> tuple[asyncio.Future[NerBatch | None], list[Outcome]]:
        call = loop.run_in_executor(self.ner_thread, self.enricher.run, chunk, names)
        return call, [outcome for outcome, _ in chunk]

    async def publish(self, outcome: Outcome) -> None:
        key = outcome.story_id.encode("ascii")
        for update in outcome.events:
            await self.send(self.updates, key, encode_event(update))
            log.info(
                "update.published",
                type=update["type"],
                story_id=update["story_id"],
                update_id=update["update_id"],
                version=update["version"],
                entities=len(update["entities"]),
            )

    def _write(self, story: str, value: Any, event: EventT) -> None:
        # Faust's RocksDB store finds a key's partition through the current event; state is
        # written after the batch's acks, outside the stream's own context, so set it here.
        token = _current_event.set(weakref.ref(event))
        try:
            self.stories[story] = value
        finally:
            _current_event.reset(token)

    def evict_expired(self, now: datetime) -> int:
        """Forget stories not crawled within the TTL; returns how many were evicted."""
        expired = [
            sid
            for sid, value in list(self.stories.items())
            if value and is_expired(value, now, self.limits)
        ]
        for sid in expired:
            del self.stories[sid]
        return len(expired)
