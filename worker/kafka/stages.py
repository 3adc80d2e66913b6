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
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from faust.streams import _current_event
from faust.types import EventT, TopicT
from faust.utils import json as faust_json

from worker.codec import decode_article, decode_json, encode_event, story_key
from worker.enricher import Enricher, NerBatch
from worker.errors import BadInput, InternalError, OutputTooLarge, Oversize
from worker.kafka.limits import RecordLimits
from worker.kafka.origin import ORIGIN_HEADER as ORIGIN_HEADER  # re-exported for tests
from worker.kafka.publisher import Clock, Publisher, changelog_topic, origin_headers
from worker.logs import get_logger
from worker.pipeline import process_article
from worker.pipeline.enrichment import story_names
from worker.pipeline.learning import SourceMemory
from worker.pipeline.process import Outcome, is_expired
from worker.pipeline.story import story_id
from worker.settings import Settings

log = get_logger("worker.stages")
STATE_SHARE_OF_LIMIT = 0.8  # of the changelog topic's record limit, for a story's state
CORE_INLINE_BYTES = 64 * 1024  # larger records run the core off the event loop
NER_CHUNK = 64  # texts per NER call: spaCy's own batch size
NER_FIRST_CHUNK = 16  # the first call of a batch, to start NER soon after the batch does
INTERNAL_REASON_MAX = 120  # an exception's message may quote content: keep its start only


class Router(Publisher):
    """Stage 1: validate raw articles and key them by story id; the crawler's key is not trusted."""

    def __init__(
        self, settings: Settings, by_story: TopicT, deadletters: TopicT, clock: Clock
    ) -> None:
        super().__init__(settings, deadletters, clock)
        self.by_story = by_story

    async def route(self, events: Sequence[EventT]) -> None:
        await self.read_sizes()
        for event in events:
            try:
                article = decode_article(event.message.value, self.settings.max_value_bytes)
                key = story_key(story_id(article["url"]))
                headers = origin_headers(event)
                excess = self.sizes.excess(self.internal_topic, key, event.message.value, headers)
                if excess is not None:
                    raise Oversize(f"repartitioned, it would be {excess}")
            except BadInput as error:
                await self.reject(event, error)
                continue
            await self.send(
                self.by_story, key, event.message.value, headers, self._refused(event, Oversize)
            )
        await self.flush()


class Processor(Publisher):
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
        self.core_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="core")
        self.unjudged: set[str] = set()  # stories the eviction timer could not judge, logged

    async def read_sizes(self) -> None:
        """The topics' limits, and a story state budget that fits the changelog topic's (with
        room for the record's framing and the names enrichment adds)."""
        await super().read_sizes()
        room = int(self.sizes.limit(changelog_topic(self.settings)) * STATE_SHARE_OF_LIMIT)
        if room < self.limits.max_state_bytes:
            self.limits = replace(self.limits, max_state_bytes=room)

    async def process(self, events: Sequence[EventT]) -> None:
        await self.read_sizes()
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
        calls: list[tuple[asyncio.Future[NerBatch | None], list[tuple[Outcome, EventT]]]] = []
        chunk: list[tuple[Outcome, Mapping[str, str], EventT]] = []
        texts = 0
        for event in events:
            try:
                article = decode_json(event.message.value)
                known = story_names(state, story_id(article["url"]))
                outcome = await self._run_core(loop, event, article, state, now)
                self._check_fits(outcome)
            except BadInput as error:
                await self.reject(event, error)
                continue
            except Exception as exc:  # a bug must not lose the record nor stop the stream
                log.exception("article.failed", offset=event.message.offset)
                reason = f"{type(exc).__name__}: {exc}"[:INTERNAL_REASON_MAX]
                await self.reject(event, InternalError(reason))
                continue
            writes.update(outcome.state_writes)
            sources.update(dict.fromkeys(outcome.state_writes, event))
            chunk.append((outcome, known, event))
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
            for outcome, source in outcomes:
                await self.publish(outcome, source)
        await self.flush()
        for story, value in writes.items():
            self._write(story, value, sources[story])
        if writes:  # the input is acked, and later committed, only once the state is stored
            await self.flush_state()

    async def _run_core(
        self,
        loop: asyncio.AbstractEventLoop,
        event: EventT,
        article: Mapping[str, Any],
        state: Mapping[str, Any],
        now: datetime,
    ) -> Outcome:
        """The core on one record. Its cost is linear in the record, about 2 us a byte at worst:
        a record over CORE_INLINE_BYTES (some 0.1 s of work) runs in a thread of its own, so the
        event loop goes on (heartbeats, timers, other stages) while it does; the batch waits,
        since a story's crawls go in order."""
        run = partial(process_article, article, state, now, limits=self.limits, memory=self.memory)
        if len(event.message.value or b"") <= CORE_INLINE_BYTES:
            return run()
        return await loop.run_in_executor(self.core_thread, run)

    def _enrich(
        self,
        loop: asyncio.AbstractEventLoop,
        chunk: list[tuple[Outcome, Mapping[str, str], EventT]],
        names: dict[str, Any],
    ) -> tuple[asyncio.Future[NerBatch | None], list[tuple[Outcome, EventT]]]:
        items = [(outcome, known) for outcome, known, _ in chunk]
        call = loop.run_in_executor(self.ner_thread, self.enricher.run, items, names)
        return call, [(outcome, source) for outcome, _, source in chunk]

    def _check_fits(self, outcome: Outcome) -> None:
        """Raise OutputTooLarge when an event (before entities) or the story's new state would
        not fit its topic: the record is dead-lettered before anything of it is published."""
        key = outcome.story_id.encode("ascii")
        output = self.settings.output_topic
        for update in outcome.events:
            excess = self.sizes.excess(output, key, faust_json.dumps(update))
            if excess is not None:
                raise OutputTooLarge(f"event {update['update_id']}: {excess}")
        for story, value in outcome.state_writes.items():
            excess = self._state_excess(story, value)
            if excess is not None:
                raise OutputTooLarge(f"story state: {excess}")

    def _state_excess(self, story: str, value: Any) -> str | None:
        encoded = faust_json.dumps(value)  # as the table's changelog serialises it
        return self.sizes.excess(changelog_topic(self.settings), story_key(story), encoded)

    async def publish(self, outcome: Outcome, source: EventT) -> None:
        key = outcome.story_id.encode("ascii")
        refused = self._refused(source, OutputTooLarge)
        for update in outcome.events:
            value, excess = event_record(update, key, self.sizes, self.settings.output_topic)
            if value is None:
                await refused(excess or "")
                continue
            await self.send(self.updates, key, value, on_too_large=refused)
            log.info(
                "update.published",
                type=update["type"],
                story_id=update["story_id"],
                update_id=update["update_id"],
                version=update["version"],
                entities=len(update["entities"]),
            )

    def _write(self, story: str, value: Any, event: EventT) -> None:
        excess = self._state_excess(story, value)
        if excess is not None:  # its names grew in enrichment: keep the state it had
            log.error("story.too_large", story_id=story, reason=excess)
            return
        # Faust's RocksDB store finds a key's partition through the current event; state is
        # written after the batch's acks, outside the stream's own context, so set it here.
        token = _current_event.set(weakref.ref(event))
        try:
            self.stories[story] = value
        finally:
            _current_event.reset(token)

    def evict_expired(self, now: datetime) -> int:
        """Forget stories not crawled within the TTL; returns how many were evicted. A story
        whose state cannot be judged (a time out of range, say) stays, logged: one bad value
        must not stop the timer, nor the worker."""
        expired = []
        for sid, value in list(self.stories.items()):
            try:
                if value and is_expired(value, now, self.limits):
                    expired.append(sid)
            except Exception as exc:
                log.error(
                    "story.unjudged", story_id=sid, error=f"{type(exc).__name__}: {exc}"[:120]
                )
        for sid in expired:
            del self.stories[sid]
        return len(expired)


def event_record(
    update: dict[str, Any], key: bytes, sizes: RecordLimits, topic: str
) -> tuple[bytes | None, str | None]:
    """The encoded event, without its entities (flagged truncated) when only that makes it fit
    `topic`; or None and the reason it does not fit at all."""
    value = encode_event(update)
    if sizes.excess(topic, key, value) is not None:
        value = encode_event({**update, "entities": [], "entities_truncated": True})
    excess = sizes.excess(topic, key, value)
    return (None, excess) if excess is not None else (value, None)
