"""Record limits: how many bytes a record the worker produces may take, per topic.

Every record is measured before it is sent, as aiokafka measures it (key, value, headers and
the batch framing of one record), against the smaller of the producer's request limit and the
topic's `max.message.bytes` as the broker reports it; when the broker does not say (Tansu, no
describe-configs rights), `NEWS_WORKER_MAX_RECORD_BYTES` or else the producer's limit stands.
Keys from outside are bounded here too: a key over `KEY_KEEP_BYTES` travels as a prefix and the
SHA-256 of the whole. Imports aiokafka (the admin client, the record framing), never Faust.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from worker.kafka.client import client_options
from worker.logs import get_logger
from worker.settings import Settings

log = get_logger("worker.limits")
Headers = Sequence[tuple[str, bytes | None]]
KEY_KEEP_BYTES = 1024  # a key longer than this travels as a prefix plus its hash
# Room kept under each limit: the broker counts a record batch's own header and a compressed
# batch may grow a little on incompressible bytes.
MARGIN_BYTES = 1024
DESCRIBE_TIMEOUT_S = 10.0
_TOO_LARGE = (MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError)


def max_record_bytes(settings: Settings) -> int:
    """The producer's request limit: the largest record it lets through, a repartitioned input
    value or a dead letter (base64 of its prefix) with room for headers and framing."""
    dead_letter = settings.deadletter_max_value_bytes * 4 // 3 + 8 * 1024
    return max(settings.max_value_bytes, dead_letter) + 64 * 1024


def record_size(key: bytes | None, value: bytes | None, headers: Headers | None = None) -> int:
    """The bytes one record takes on the wire, as the producer counts them against its limit."""
    return int(DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, list(headers or ())))


def bounded_key(key: bytes | None, keep: int = KEY_KEEP_BYTES) -> bytes | None:
    """`key` itself when short; else a prefix, "~" and the SHA-256 (hex) of the whole key, in
    exactly `keep` bytes: still a stable key for partitioning, never megabytes."""
    if key is None or len(key) <= keep:
        return key
    digest = hashlib.sha256(key).hexdigest().encode("ascii")
    return key[: keep - len(digest) - 1] + b"~" + digest


def is_too_large(error: BaseException) -> bool:
    """True when the producer or the broker refused a record for its size (also when Faust
    wrapped that refusal in an error of its own)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, _TOO_LARGE):
            return True
        seen = seen.__cause__
    return False


@dataclass(frozen=True)
class RecordLimits:
    """The byte limit of a record for each topic: `default` for a topic the broker said nothing
    about, never more than `producer` (the producer's request limit) for any topic."""

    producer: int
    default: int
    topics: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, settings: Settings, topics: Mapping[str, int] | None = None
    ) -> RecordLimits:
        producer = max_record_bytes(settings)
        default = settings.max_record_bytes or producer
        return cls(producer, default, dict(topics or {}))

    def limit(self, topic: str) -> int:
        """The most bytes (as `record_size` counts them) a record sent to `topic` may take."""
        return min(self.producer, self.topics.get(topic, self.default)) - MARGIN_BYTES

    def excess(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers | None = None
    ) -> str | None:
        """Why the record does not fit `topic`, or None when it fits."""
        size, limit = record_size(key, value, headers), self.limit(topic)
        if size <= limit:
            return None
        return f"a record of {size} bytes for {topic!r}, over its {limit}-byte limit"


async def broker_limits(settings: Settings, topics: Iterable[str]) -> dict[str, int]:
    """`max.message.bytes` of each of `topics` as the broker reports it; a topic the broker
    does not report (or a broker that cannot say) is left out."""
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, name, {"max.message.bytes": None})
        for name in topics
    ]
    admin: AIOKafkaAdminClient | None = None
    try:
        admin = AIOKafkaAdminClient(**client_options(settings))
        await asyncio.wait_for(admin.start(), DESCRIBE_TIMEOUT_S)
        responses = await asyncio.wait_for(admin.describe_configs(resources), DESCRIBE_TIMEOUT_S)
    except Exception as exc:  # best effort: any failure leaves the fallback limits in force
        # Tansu, or no describe-configs rights: the setting (or the producer's limit) stands.
        log.info("record_limits.unknown", error=type(exc).__name__, detail=str(exc)[:200])
        return {}
    finally:
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()
    return parse_limits(responses)


def parse_limits(responses: Iterable[Any]) -> dict[str, int]:
    """The topic limits in describe-configs responses; anything malformed is skipped."""
    found: dict[str, int] = {}
    for response in responses:
        for resource in getattr(response, "resources", ()):
            try:
                error_code, name, entries = resource[0], resource[3], resource[4]
                if error_code:
                    continue
                for entry in entries:
                    if entry[0] == "max.message.bytes" and str(entry[1]).isdigit():
                        found[str(name)] = int(entry[1])
            except (IndexError, TypeError, ValueError):
                continue
    return found
