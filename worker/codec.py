"""Codec: bytes on the wire to validated values and back, against the contracts in `schemas/`.

Owns orjson, jsonschema and fastjsonschema: a schema is checked by code fastjsonschema compiles
from it (fast, for the values that pass), and only a value that fails is explained by jsonschema,
which decides and names the most relevant violation. Decoding never raises anything but a
`BadInput` subclass for a bad record; encoding an event that breaks its own schema is a bug and
raises `ContractBroken`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import fastjsonschema
import orjson
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match

from worker.errors import (
    BadInput,
    EmptyValue,
    InvalidUtf8,
    NewsWorkerError,
    NotAnObject,
    NotJson,
    Oversize,
    SchemaViolation,
)
from worker.pipeline.events import format_time

RAW_ARTICLE = "raw_article.v1"
NEWS_UPDATE = "news_update.v1"
DEAD_LETTER = "dead_letter.v1"
_REASON_MAX = 400
# Reasons are logged at WARNING and copied into dead letters: article content in them (a bad
# value as the schema check saw it) is quoted up to this many characters.
QUOTE_MAX = 80
# A dead letter keeps this many bytes of the original key, and its size and hash.
DEAD_LETTER_KEY_BYTES = 1024


class ContractBroken(NewsWorkerError):
    """The worker built an output value that breaks its own schema: a bug, never bad input."""


def _schema_dir() -> Path:
    """The repo's `schemas/` in a checkout; the copy packed into the wheel otherwise."""
    checkout = Path(__file__).resolve().parents[1] / "schemas"
    if (checkout / f"{RAW_ARTICLE}.json").is_file():
        return checkout
    return Path(str(resources.files("worker") / "_schemas"))


_formats = FormatChecker(formats=())


_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)
# Messages that would otherwise quote the whole offending value.
_SIZE_LIMITS = {
    "maxItems": "more items than the limit of",
    "maxLength": "longer than the limit of",
    "maxProperties": "more properties than the limit of",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Labels of letters (any script), digits, hyphens and underscores; a final dot is allowed.
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*\.?")
_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


@_formats.checks("date-time", raises=ValueError)
def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.fromisoformat(value.upper())  # the range check: month 13 or hour 25 fail here
    return True


@cache
def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = orjson.loads((_schema_dir() / f"{name}.json").read_bytes())
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator of schema `name` (e.g. "raw_article.v1"), loaded once from its file."""
    return Draft202012Validator(_schema(name), format_checker=_formats)


def _is_date_time(value: str) -> bool:
    try:
        return _is_rfc3339(value)
    except ValueError:
        return False


@cache
def _fast_check(name: str) -> Any:
    """Schema `name` compiled to Python by fastjsonschema, with our date-time check."""
    return fastjsonschema.compile(_schema(name), formats={"date-time": _is_date_time})


def _shorten(text: str, limit: int = _REASON_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quoted(message: str, instance: Any) -> str:
    """`message` with its quotation of the offending value cut to QUOTE_MAX characters."""
    quoted = repr(instance)
    if len(quoted) <= QUOTE_MAX or quoted not in message:
        return message
    return message.replace(quoted, quoted[: QUOTE_MAX - 1] + "…")


def schema_error(name: str, value: Any) -> str | None:
    """A one-line description of the most relevant violation of schema `name`, or None."""
    try:
        _fast_check(name)(value)
        return None
    except fastjsonschema.JsonSchemaException:
        pass  # jsonschema decides, and says why
    error = best_match(validator(name).iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    custom = error.schema.get(f"x-error-{error.validator}") or error.schema.get("x-error")
    if error.validator in ("required", "additionalProperties") or not isinstance(custom, str):
        custom = None
    if custom is None and error.validator in _SIZE_LIMITS:
        custom = f"{_SIZE_LIMITS[error.validator]} {error.validator_value}"
    return _shorten(f"{where}: {custom or _quoted(error.message, error.instance)}")


def decode_article(value: bytes | None, max_bytes: int) -> dict[str, Any]:
    """Turn a record value into a raw article that satisfies raw_article.v1, or raise BadInput."""
    if not value:
        raise EmptyValue("record has no value (tombstone or empty)")
    if len(value) > max_bytes:
        raise Oversize(f"value is {len(value)} bytes, over the {max_bytes}-byte limit")
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError as utf8:
            raise InvalidUtf8(f"invalid UTF-8 at byte {utf8.start}: {utf8.reason}") from None
        raise NotJson(_shorten(f"not JSON: {exc}")) from None
    if not isinstance(document, dict):
        raise NotAnObject(f"expected a JSON object, got {_JSON_TYPES[type(document)]}")
    problem = schema_error(RAW_ARTICLE, document) or _url_error(document["url"])
    if problem is not None:
        raise SchemaViolation(f"{RAW_ARTICLE}: {problem}")
    return document


def _url_error(url: str) -> str | None:
    """What the schema's pattern cannot see: control characters, a port or an IPv6 host that
    does not parse, and a host that is missing or not a host name (the story id and the
    event's source are made from it)."""
    control = _CONTROL.search(url)
    if control is not None:
        return f"url: control character U+{ord(control.group()):04X} at {control.start()}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        return f"url: {exc}"
    host = parts.hostname or ""
    if ":" not in host and not _HOST.fullmatch(host):  # an IPv6 host parsed above
        if not host:
            return "url: no host"
        return _shorten(f"url: {_shorten(host, QUOTE_MAX)!r} is not a host name")
    return None


def encode_event(event: dict[str, Any]) -> bytes:
    """Serialise an output event, refusing one that breaks news_update.v1."""
    problem = schema_error(NEWS_UPDATE, event)
    if problem is not None:
        raise ContractBroken(f"{NEWS_UPDATE}: {problem}")
    return orjson.dumps(event)


def dead_letter(
    error: BadInput,
    *,
    value: bytes | None,
    key: bytes | None,
    topic: str | None,
    partition: int | None,
    offset: int | None,
    now: datetime,
    max_value_bytes: int,
    key_size: int | None = None,
    key_sha256: str | None = None,
) -> bytes:
    """A dead_letter.v1 record: the original bytes (a prefix when huge), where they were, why.

    The key is kept up to DEAD_LETTER_KEY_BYTES, with its size and hash; `key_size` and
    `key_sha256` describe the original when `key` is already a prefix of it."""
    original = value or b""
    kept = original[:max_value_bytes]
    record = {
        "schema": DEAD_LETTER,
        "error_class": error.error_class,
        "reason": _shorten(error.reason),
        "topic": topic,
        "partition": partition,
        "offset": offset,
        **_key_fields(key, key_size, key_sha256),
        "value_b64": None if value is None else base64.b64encode(kept).decode("ascii"),
        "value_size": len(original),
        "value_truncated": len(kept) < len(original),
        "value_sha256": hashlib.sha256(original).hexdigest(),
        "dead_lettered_at": format_time(now),
    }
    return orjson.dumps(record)


def _key_fields(key: bytes | None, size: int | None, sha256: str | None) -> dict[str, Any]:
    if key is None:
        return {"key_b64": None}
    kept = key[:DEAD_LETTER_KEY_BYTES]
    size = len(key) if size is None else size
    return {
        "key_b64": base64.b64encode(kept).decode("ascii"),
        "key_size": size,
        "key_truncated": len(kept) < size,
        "key_sha256": sha256 or hashlib.sha256(key).hexdigest(),
    }


def decode_json(value: bytes) -> Any:
    """Plain JSON decode for tools and tests that read our own topics."""
    return orjson.loads(value)


def story_key(sid: str) -> bytes:
    """The repartition key of a story: its id as the story table's changelog key is written
    (Faust's JSON key serializer), so both hash to the same partition number. With the raw id
    here, a story's state sat in another changelog partition than its records, and a worker
    that took over the records' partition after a rebalance recovered none of it."""
    return orjson.dumps(sid)
