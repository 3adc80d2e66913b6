"""Provenance headers: where a repartitioned record came from, written and read by us alone.

The router stamps each record it repartitions with the input record's topic, partition, offset
and key (a long key as a prefix, its size and SHA-256), so that a dead letter written after
repartitioning still points at the original. Headers are the crawler's on the input topic, so
they are read only from records of our internal repartition topic, and validated there: a
malformed one is reported as None, never raised. Pure: no Faust, no logging.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from worker.codec import DEAD_LETTER_KEY_BYTES

PREFIX = "news-worker-"
ORIGIN_HEADER = "news-worker-origin"
ORIGIN_KEY_HEADER = "news-worker-origin-key"
ORIGIN_KEY_SIZE_HEADER = "news-worker-origin-key-size"
ORIGIN_KEY_SHA_HEADER = "news-worker-origin-key-sha256"
# partition:offset:topic, with a topic name as Kafka allows it (at most 249 of [a-zA-Z0-9._-]).
_WHERE = re.compile(rb"(\d{1,10}):(\d{1,19}):([a-zA-Z0-9._-]{1,249})")
_SHA = re.compile(rb"[0-9a-f]{64}")
_SIZE = re.compile(rb"\d{1,12}")


@dataclass(frozen=True)
class Origin:
    """An input record's place and key; `key` may be a prefix of a key of `key_size` bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    key_size: int | None = None
    key_sha256: str | None = None


def make_headers(origin: Origin) -> list[tuple[str, bytes]]:
    """The headers that carry `origin` (its key cut to DEAD_LETTER_KEY_BYTES, hash kept)."""
    where = f"{origin.partition}:{origin.offset}:{origin.topic}".encode()
    headers = [(ORIGIN_HEADER, where)]
    key = origin.key
    if key is not None:
        headers.append((ORIGIN_KEY_HEADER, key[:DEAD_LETTER_KEY_BYTES]))
        if len(key) > DEAD_LETTER_KEY_BYTES:
            sha = hashlib.sha256(key).hexdigest().encode("ascii")
            size = str(len(key)).encode()
            headers += [(ORIGIN_KEY_SIZE_HEADER, size), (ORIGIN_KEY_SHA_HEADER, sha)]
    return headers


def header_map(raw: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> dict[str, bytes]:
    """Our own headers of a record (the first of each name), as bytes; others are ignored."""
    items = raw.items() if isinstance(raw, Mapping) else (raw or ())
    found: dict[str, bytes] = {}
    for name, value in items:
        ours = isinstance(name, str) and name.startswith(PREFIX) and name not in found
        if ours and isinstance(value, bytes | bytearray | memoryview):
            found[name] = bytes(value)
    return found


def read_headers(raw: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> Origin | None:
    """The origin the headers carry, or None when they carry none or a malformed one."""
    headers = header_map(raw)
    where = _WHERE.fullmatch(headers.get(ORIGIN_HEADER, b""))
    if where is None:
        return None
    key = headers.get(ORIGIN_KEY_HEADER)
    size, sha = headers.get(ORIGIN_KEY_SIZE_HEADER), headers.get(ORIGIN_KEY_SHA_HEADER)
    if key is not None and len(key) > DEAD_LETTER_KEY_BYTES:
        return None
    if (size is None) != (sha is None) or (size is not None and key is None):
        return None
    key_size = key_sha256 = None
    if size is not None and sha is not None:
        if not _SIZE.fullmatch(size) or not _SHA.fullmatch(sha):
            return None
        key_size, key_sha256 = int(size), sha.decode("ascii")
    partition, offset, topic = where.groups()
    return Origin(topic.decode("ascii"), int(partition), int(offset), key, key_size, key_sha256)
