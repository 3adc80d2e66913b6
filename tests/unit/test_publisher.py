"""The publisher's size refusals and origins, against a hand-written fake topic (no broker).

These tests drive the publisher's coroutines with `asyncio.run`: the behaviour under test is
what happens when a send's future fails, which needs futures.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

from worker.errors import OutputTooLarge, Oversize
from worker.kafka.origin import Origin, make_headers
from worker.kafka.publisher import Publisher
from worker.settings import Settings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SETTINGS = Settings(group_id="g", input_topic="raw", deadletter_topic="dead")
INTERNAL = "g-articles-by-story"


@dataclass
class FakeTopic:
    """Records what is sent; fails the sends the test asks it to, at send or at ack time."""

    refuse_at_ack: list[BaseException] = field(default_factory=list)
    refuse_at_send: list[BaseException] = field(default_factory=list)
    sent: list[tuple[bytes | None, bytes]] = field(default_factory=list)

    async def send(self, *, key: Any, value: Any, headers: Any, force: bool) -> Any:
        if self.refuse_at_send:
            raise self.refuse_at_send.pop(0)
        self.sent.append((key, value))
        future = asyncio.get_running_loop().create_future()
        if self.refuse_at_ack:
            future.set_exception(self.refuse_at_ack.pop(0))
        else:
            future.set_result(None)
        return future


@dataclass
class FakeMessage:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Any = None


@dataclass
class FakeEvent:
    message: FakeMessage


def publisher(dead: FakeTopic) -> Publisher:
    made = Publisher(SETTINGS, dead, lambda: NOW)  # type: ignore[arg-type]
    made._sizes_read = True  # the producer's own limit: no broker to ask
    return made


def record(topic: str = "raw", headers: Any = None) -> FakeEvent:
    return FakeEvent(FakeMessage(topic, 1, 7, b"key", b"{value", headers))


def letters(topic: FakeTopic) -> list[dict[str, Any]]:
    return [orjson.loads(value) for _, value in topic.sent]


def test_a_record_the_broker_refuses_for_its_size_is_dead_lettered() -> None:
    """The refused send's callback dead-letters the input; flush returns instead of raising."""
    out, dead = FakeTopic(refuse_at_ack=[MessageSizeTooLargeError()]), FakeTopic()
    stage, event = publisher(dead), record()

    async def run() -> None:
        refused = stage._refused(event, OutputTooLarge)  # type: ignore[arg-type]
        await stage.send(out, b"k", b"v", on_too_large=refused)  # type: ignore[arg-type]
        await stage.flush()

    asyncio.run(run())
    (letter,) = letters(dead)
    assert letter["error_class"] == "OutputTooLarge"
    assert "MessageSizeTooLargeError" in letter["reason"]
    assert (letter["topic"], letter["partition"], letter["offset"]) == ("raw", 1, 7)


def test_a_producer_refusal_at_send_time_is_dead_lettered_too() -> None:
    """Faust wraps the producer's own size check; it is recognised and dead-lettered."""
    wrapped = RuntimeError("Error while sending")
    wrapped.__cause__ = MessageSizeTooLargeError()
    out, dead = FakeTopic(refuse_at_send=[wrapped]), FakeTopic()
    stage, event = publisher(dead), record()

    async def run() -> None:
        refused = stage._refused(event, Oversize)  # type: ignore[arg-type]
        await stage.send(out, b"k", b"v", on_too_large=refused)  # type: ignore[arg-type]
        await stage.flush()

    asyncio.run(run())
    assert [letter["error_class"] for letter in letters(dead)] == ["Oversize"]


def test_a_refused_dead_letter_is_sent_once_more_without_its_value_then_gives_up() -> None:
    """No retry loop: a dead letter refused for size goes again without the value; refused
    again, the worker stops with OutputTooLarge."""
    dead = FakeTopic(refuse_at_ack=[MessageSizeTooLargeError()])
    stage = publisher(dead)
    asyncio.run(_reject_and_flush(stage, record()))
    first, second = letters(dead)
    assert first["value_b64"] is not None and second["value_b64"] == ""
    assert second["value_truncated"] is True

    dead = FakeTopic(refuse_at_ack=[MessageSizeTooLargeError(), MessageSizeTooLargeError()])
    with pytest.raises(OutputTooLarge):
        asyncio.run(_reject_and_flush(publisher(dead), record()))
    assert len(dead.sent) == 2


async def _reject_and_flush(stage: Publisher, event: FakeEvent) -> None:
    await stage.reject(event, Oversize("too big"))  # type: ignore[arg-type]
    await stage.flush()


def test_other_send_failures_stop_the_worker() -> None:
    """A failure that is not about size is not bad input: it propagates."""
    out = FakeTopic(refuse_at_ack=[KafkaTimeoutError()])
    stage = publisher(FakeTopic())

    async def run() -> None:
        await stage.send(out, b"k", b"v", on_too_large=None)  # type: ignore[arg-type]
        await stage.flush()

    with pytest.raises(KafkaTimeoutError):
        asyncio.run(run())


def test_origin_headers_on_the_input_topic_are_ignored() -> None:
    """A crawler's news-worker-origin header cannot move a dead letter off its record."""
    forged = make_headers(Origin("payments.ledger", 0, 42, b"forged"))
    origin = publisher(FakeTopic()).origin_of(record("raw", forged))  # type: ignore[arg-type]
    assert origin == Origin("raw", 1, 7, b"key")


def test_origin_headers_on_the_repartition_topic_are_followed_when_well_formed() -> None:
    """Our own headers give the input record's place; malformed ones give the record's own."""
    stage = publisher(FakeTopic())
    ours = make_headers(Origin("raw", 0, 3, b"crawler"))
    assert stage.origin_of(record(INTERNAL, ours)) == Origin("raw", 0, 3, b"crawler")  # type: ignore[arg-type]
    broken = [("news-worker-origin", b"\xff\xfe")]
    assert stage.origin_of(record(INTERNAL, broken)) == Origin(INTERNAL, 1, 7, b"key")  # type: ignore[arg-type]


def test_a_broker_that_cannot_be_asked_leaves_the_fallback_limits() -> None:
    """No broker listening: the limits are the setting's, and nothing raises."""
    from worker.kafka.limits import broker_limits

    nowhere = Settings(bootstrap_servers="127.0.0.1:9")
    assert asyncio.run(broker_limits(nowhere, ["news.updates"])) == {}
