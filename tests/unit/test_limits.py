"""Record limits: every record the worker produces is measured, and built to fit its topic."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from types import SimpleNamespace

import orjson
from aiokafka.errors import KafkaError, MessageSizeTooLargeError
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.codec import DEAD_LETTER_KEY_BYTES, schema_error, story_key
from worker.errors import OutputTooLarge, Oversize
from worker.kafka.limits import (
    MARGIN_BYTES,
    RecordLimits,
    bounded_key,
    is_too_large,
    max_record_bytes,
    parse_limits,
    record_size,
)
from worker.kafka.origin import Origin, make_headers
from worker.kafka.publisher import dead_letter_record
from worker.kafka.stages import event_record
from worker.pipeline import process_article
from worker.settings import Settings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
INPUT_LIMIT = Settings().max_value_bytes
MB = 1024 * 1024


def test_record_size_is_what_the_producer_counts() -> None:
    """The size is aiokafka's own estimate, headers included."""
    headers = [("h", b"v" * 10)]
    expected = DefaultRecordBatchBuilder.estimate_size_in_bytes(b"k", b"v" * 100, headers)
    assert record_size(b"k", b"v" * 100, headers) == expected
    assert record_size(None, None) < record_size(b"k", None)


def test_a_topics_limit_is_the_smaller_of_broker_and_producer() -> None:
    """The broker's max.message.bytes applies when smaller than the producer's request limit."""
    sizes = RecordLimits(producer=5 * MB, default=5 * MB, topics={"small": MB})
    assert sizes.limit("small") == MB - MARGIN_BYTES
    assert sizes.limit("unknown") == 5 * MB - MARGIN_BYTES
    assert RecordLimits(MB, 5 * MB, {"big": 9 * MB}).limit("big") == MB - MARGIN_BYTES


def test_the_setting_stands_in_for_a_broker_that_does_not_say() -> None:
    """NEWS_WORKER_MAX_RECORD_BYTES is the limit of topics the broker reported nothing about."""
    sizes = RecordLimits.from_settings(Settings(max_record_bytes=1_000_000))
    assert sizes.limit("any") == 1_000_000 - MARGIN_BYTES
    unset = RecordLimits.from_settings(Settings())
    assert unset.limit("any") == max_record_bytes(Settings()) - MARGIN_BYTES


def test_excess_says_why_a_record_does_not_fit() -> None:
    """A record over the limit gets a reason naming its size, the topic and the limit."""
    sizes = RecordLimits(producer=10_000, default=10_000)
    assert sizes.excess("t", b"k", b"v" * 100) is None
    reason = sizes.excess("t", b"k", b"v" * 20_000)
    assert reason is not None and "'t'" in reason and str(sizes.limit("t")) in reason


def test_a_short_key_is_kept_and_a_long_one_bounded_with_its_hash() -> None:
    """Keys up to the cap pass unchanged; a longer one becomes exactly the cap, stable per key."""
    assert bounded_key(None) is None
    assert bounded_key(b"k" * 1024) == b"k" * 1024
    long_key = b"k" * (3 * MB)
    assert len(bounded_key(long_key)) == 1024
    assert bounded_key(long_key) == bounded_key(long_key)
    assert bounded_key(long_key) != bounded_key(long_key + b"x")


def test_size_refusals_are_recognised_through_wrappers() -> None:
    """Faust wraps the producer's MessageSizeTooLargeError; the cause still counts."""
    try:
        try:
            raise MessageSizeTooLargeError("too big")
        except KafkaError as exc:
            raise RuntimeError("Error while sending") from exc
    except RuntimeError as wrapped:
        assert is_too_large(wrapped)
    assert not is_too_large(RuntimeError("broker gone"))


def test_broker_limits_are_read_from_describe_configs_responses() -> None:
    """max.message.bytes per topic; errors and odd entries are skipped."""
    response = SimpleNamespace(
        resources=[
            (0, None, 2, "news.updates", [("max.message.bytes", "1048588", False, True, False)]),
            (3, "unknown topic", 2, "gone", []),
            (0, None, 2, "odd", [("max.message.bytes", "lots", False, True, False)]),
            ("broken",),
        ]
    )
    assert parse_limits([response]) == {"news.updates": 1048588}


def test_a_dead_letter_of_a_huge_key_keeps_its_prefix_size_and_hash() -> None:
    """A 3 MB key: the dead letter's own key and its key_b64 are a kilobyte, size and hash kept."""
    key = b"k" * (3 * MB)
    sizes = RecordLimits.from_settings(Settings())
    letter_key, record = dead_letter_record(
        Oversize("big"),
        None,
        Origin("raw", 0, 1, key),
        now=NOW,
        max_value_bytes=700_000,
        sizes=sizes,
        topic="dead",
    )
    document = orjson.loads(record)
    assert schema_error("dead_letter.v1", document) is None
    assert len(letter_key) == DEAD_LETTER_KEY_BYTES
    assert base64.b64decode(document["key_b64"]) == key[:DEAD_LETTER_KEY_BYTES]
    assert document["key_size"] == len(key) and document["key_truncated"] is True


# Hypothesis builds sizes, not megabytes of random bytes: base64 and framing depend on lengths.
sizes_of_limits = st.integers(min_value=16 * 1024, max_value=8 * MB)
key_lengths = st.none() | st.integers(min_value=0, max_value=4 * MB)


def _bytes(length: int | None, fill: bytes = b"x") -> bytes | None:
    return None if length is None else fill * length


@settings(max_examples=60, deadline=None)
@given(
    value_length=st.none() | st.integers(min_value=0, max_value=INPUT_LIMIT),
    key_length=key_lengths,
    limit=sizes_of_limits,
    keep=st.integers(min_value=0, max_value=2 * MB),
    reason=st.text(max_size=2000),
    truncated_origin=st.booleans(),
)
def test_no_dead_letter_is_over_its_limit(
    value_length: int | None,
    key_length: int | None,
    limit: int,
    keep: int,
    reason: str,
    truncated_origin: bool,
) -> None:
    """Whatever the value (up to the input limit), key and reason, the dead letter fits."""
    sizes = RecordLimits(producer=8 * MB, default=limit)
    key = _bytes(key_length, b"\xff")
    origin = Origin("raw", 0, 1, key)
    if truncated_origin and key is not None and len(key) > DEAD_LETTER_KEY_BYTES:
        origin = Origin("raw", 0, 1, key[:DEAD_LETTER_KEY_BYTES], len(key), "0" * 64)
    letter_key, record = dead_letter_record(
        OutputTooLarge(reason or "r"),
        _bytes(value_length),
        origin,
        now=NOW,
        max_value_bytes=keep,
        sizes=sizes,
        topic="dead",
    )
    assert record_size(letter_key, record) <= sizes.limit("dead")
    assert letter_key is None or len(letter_key) <= DEAD_LETTER_KEY_BYTES


@settings(max_examples=60, deadline=None)
@given(
    key_length=key_lengths,
    value_length=st.integers(min_value=0, max_value=INPUT_LIMIT),
    limit=sizes_of_limits,
)
def test_a_repartitioned_record_fits_or_is_said_not_to(
    key_length: int | None, value_length: int, limit: int
) -> None:
    """Origin headers stay about a kilobyte for any key; the check's verdict matches the size."""
    headers = make_headers(Origin("articles.raw", 2**31 - 1, 2**63 - 1, _bytes(key_length)))
    assert sum(len(name) + len(value) for name, value in headers) < DEAD_LETTER_KEY_BYTES + 300
    sizes = RecordLimits(producer=8 * MB, default=limit)
    key, value = story_key("f" * 32), b"v" * value_length
    fits = sizes.excess("by-story", key, value, headers) is None
    assert fits == (record_size(key, value, headers) <= sizes.limit("by-story"))


def _event(text_length: int, entities: int) -> dict[str, object]:
    article = {"url": "https://a.example/x", "fetched_at": "2026-11-24T10:00:00Z", "text": "Hi."}
    update = process_article(article, {}, NOW).events[0]
    mention = {"text": "Kyiv", "label": "GPE", "canonical": "Kyiv", "id": None}
    return {
        **update,
        "text": "w" * text_length,
        "entities": [{**mention, "mentions": [[0, 4]], "count": 1}] * entities,
    }


@settings(max_examples=40, deadline=None)
@given(
    text_length=st.integers(min_value=0, max_value=INPUT_LIMIT),
    entities=st.integers(min_value=0, max_value=3000),
    limit=sizes_of_limits,
)
def test_no_event_is_over_its_limit(text_length: int, entities: int, limit: int) -> None:
    """An event is sent whole, or without entities (flagged), or not at all, with a reason."""
    sizes = RecordLimits(producer=8 * MB, default=limit)
    key = b"f" * 32
    value, reason = event_record(_event(text_length, entities), key, sizes, "updates")
    if value is None:
        assert reason and "updates" in reason
    else:
        assert record_size(key, value) <= sizes.limit("updates")
        assert (
            orjson.loads(value)["entities"]
            or not entities
            or orjson.loads(value)["entities_truncated"]
        )
