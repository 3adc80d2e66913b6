"""The codec: every bad record becomes exactly one `BadInput` subclass with a readable reason.

Plain bytes in, values or exceptions out; no broker, no event loop.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

import fastjsonschema
import orjson
import pytest

from worker.codec import (
    DEAD_LETTER,
    DEAD_LETTER_KEY_BYTES,
    QUOTE_MAX,
    RAW_ARTICLE,
    ContractBroken,
    _fast_check,
    dead_letter,
    decode_article,
    encode_event,
    schema_error,
    story_key,
)
from worker.errors import (
    BadInput,
    EmptyValue,
    InvalidUtf8,
    NotAnObject,
    NotJson,
    Oversize,
    SchemaViolation,
)
from worker.pipeline import process_article

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
LIMIT = 1_000_000
URL = "https://news.example/2026/11/24/storm"
FETCHED = "2026-11-24T07:45:00Z"


def article(**fields: Any) -> dict[str, Any]:
    """A valid raw article; a field set to None is left out."""
    doc: dict[str, Any] = {"url": URL, "fetched_at": FETCHED, "text": "Gales hit the coast."}
    doc.update(fields)
    return {k: v for k, v in doc.items() if v is not None}


def raw(**fields: Any) -> bytes:
    return orjson.dumps(article(**fields))


def event() -> dict[str, Any]:
    """A valid news_update.v1 event, as the core builds it."""
    return process_article(article(), {}, NOW).events[0]


# --- decode_article: the envelope -------------------------------------------------------------


@pytest.mark.parametrize("value", [None, b""], ids=["tombstone", "empty"])
def test_no_value_is_empty_value(value: bytes | None) -> None:
    """A tombstone or an empty value is EmptyValue, before any parsing."""
    with pytest.raises(EmptyValue, match="no value"):
        decode_article(value, LIMIT)


def test_oversize_reason_names_both_sizes() -> None:
    """A value over the limit is Oversize, and the reason gives its size and the limit."""
    with pytest.raises(Oversize) as caught:
        decode_article(b"x" * 101, 100)
    assert "101" in caught.value.reason
    assert "100" in caught.value.reason


def test_value_exactly_at_the_limit_is_not_oversize() -> None:
    """The limit is inclusive: a value of exactly max_bytes is parsed."""
    value = raw()
    assert decode_article(value, len(value)) == article()


@pytest.mark.parametrize(
    ("value", "position"),
    [(b"\xff{}", 0), (b'{"a": "\xc3\x28"}', 7), (b'{"text": "caf\xe9"}', 13)],
    ids=["bad-start", "bad-continuation", "latin-1"],
)
def test_invalid_utf8_reason_names_the_byte_position(value: bytes, position: int) -> None:
    """Bytes that are not UTF-8 are InvalidUtf8, and the reason points at the first bad byte."""
    with pytest.raises(InvalidUtf8, match=f"at byte {position}"):
        decode_article(value, LIMIT)


@pytest.mark.parametrize(
    "value",
    [b"not json", b"{", b'{"url": }', b"{} {}", b"   ", b'{"a": NaN}', b'"\\ud800"', b'"a\x00b"'],
    ids=["words", "truncated", "missing", "two-docs", "blank", "nan", "lone-surrogate", "raw-nul"],
)
def test_text_that_is_not_json_is_not_json(value: bytes) -> None:
    """Valid UTF-8 that does not parse as one JSON document is NotJson."""
    with pytest.raises(NotJson, match=r"^not JSON: "):
        decode_article(value, LIMIT)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (b"[1, 2]", "array"),
        (b'"story"', "string"),
        (b"42", "number"),
        (b"1.5", "number"),
        (b"null", "null"),
    ],
)
def test_json_that_is_not_an_object_is_not_an_object(value: bytes, kind: str) -> None:
    """A JSON array, string, number or null is NotAnObject, and the reason says what it was."""
    with pytest.raises(NotAnObject, match=f"expected a JSON object, got {kind}"):
        decode_article(value, LIMIT)


@pytest.mark.parametrize("opener", [b"[", b'{"a":'], ids=["arrays", "objects"])
def test_deep_nesting_is_bad_input_not_recursion_error(opener: bytes) -> None:
    """5000 levels of nesting are rejected as NotJson, never a RecursionError."""
    with pytest.raises(NotJson, match="depth"):
        decode_article(opener * 5000, LIMIT)


def test_integer_beyond_64_bits_is_accepted() -> None:
    """An integer wider than 64 bits in an extra field does not stop the article."""
    value = raw()[:-1] + b', "views": ' + str(10**25).encode() + b"}"
    assert decode_article(value, LIMIT)["text"] == "Gales hit the coast."


def test_enormous_integer_is_not_json() -> None:
    """A 5000-digit number is NotJson, not a ValueError from int conversion limits."""
    value = raw()[:-1] + b', "views": ' + b"9" * 5000 + b"}"
    with pytest.raises(NotJson):
        decode_article(value, LIMIT)


def test_escaped_nul_inside_a_string_is_accepted() -> None:
    """A \\u0000 escape is valid JSON, so the article decodes with the NUL in its text."""
    assert decode_article(raw(text="a\x00b"), LIMIT)["text"] == "a\x00b"


# --- decode_article: the raw_article.v1 contract ----------------------------------------------


VIOLATIONS = [
    ({"url": None}, "'url' is a required property"),
    ({"fetched_at": None}, "'fetched_at' is a required property"),
    ({"url": "ftp://files.example/a"}, "url: must be an absolute http or https URL"),
    ({"url": "not a url"}, "url: must be an absolute http or https URL"),
    ({"url": "https://"}, "url: must be an absolute http or https URL"),
    ({"url": "https://a.example/" + "x" * 8200}, "url: must be an absolute http"),
    ({"fetched_at": "yesterday"}, "fetched_at: must be an RFC 3339 date-time"),
    ({"fetched_at": "2026-11-24"}, "fetched_at: must be an RFC 3339 date-time"),
    ({"fetched_at": "2026-11-24T07:45:00"}, "fetched_at: must be an RFC 3339 date-time"),
    ({"fetched_at": 1764000000}, "fetched_at: must be an RFC 3339 date-time"),
    ({"text": 5}, "text: 5 is not of type 'string'"),
    ({"html": ["<p>"]}, "html: ['<p>'] is not of type 'string'"),
    ({"source": 7}, "source: 7 is not of type 'string'"),
    ({"text": None, "updates": "x"}, "updates: 'x' is not of type 'array'"),
    ({"text": None, "updates": [{"headline": "h"}]}, "updates/0: 'text' is a required"),
    ({"text": None, "updates": [{"text": 5}]}, "updates/0/text: 5 is not of type"),
    ({"text": None, "updates": ["just text"]}, "updates/0: 'just text' is not of type"),
]


@pytest.mark.parametrize(("fields", "reason"), VIOLATIONS)
def test_schema_violation_reason_names_the_field(fields: dict[str, Any], reason: str) -> None:
    """An object that breaks raw_article.v1 is SchemaViolation, and the reason names the field."""
    with pytest.raises(SchemaViolation) as caught:
        decode_article(raw(**fields), LIMIT)
    assert caught.value.reason.startswith("raw_article.v1: ")
    assert reason in caught.value.reason


@pytest.mark.parametrize(("fields", "reason"), VIOLATIONS)
def test_the_compiled_check_never_passes_what_jsonschema_rejects(fields: Any, reason: str) -> None:
    """Values the fast compiled check passes are not explained by jsonschema, so it must be
    at least as strict: every violation above fails it too."""
    with pytest.raises(fastjsonschema.JsonSchemaException):
        _fast_check(RAW_ARTICLE)(orjson.loads(raw(**fields)))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://:8080/news", "url: no host"),
        ("https://desk@/news", "url: no host"),
        ("https://%%%/news", "url: '%%%' is not a host name"),
        ("https://a\x00.example/news", "url: control character U+0000 at 9"),
        ("https://a.example/x\x07y", "url: control character U+0007 at 19"),
    ],
)
def test_url_needs_a_host_name_and_no_control_characters(url: str, reason: str) -> None:
    """The story id and the event's source come from the host: a URL without a usable one is a
    SchemaViolation (it used to reach the core and break the event contract, crashing the agent)."""
    with pytest.raises(SchemaViolation) as caught:
        decode_article(raw(url=url), LIMIT)
    assert caught.value.reason == f"raw_article.v1: {reason}"


@pytest.mark.parametrize("url", ["https://[::1]:8443/news", "https://b\u00fccher.example/a_b"])
def test_ip_and_international_hosts_are_urls(url: str) -> None:
    """IPv6 literals and hosts in other scripts are host names too."""
    assert decode_article(raw(url=url), LIMIT)["url"] == url


def test_article_with_no_text_html_or_updates_is_schema_violation() -> None:
    """An article must carry at least one of text, html or updates."""
    with pytest.raises(SchemaViolation, match=r"^raw_article\.v1: "):
        decode_article(raw(text=None), LIMIT)


@pytest.mark.parametrize(
    "fetched_at",
    ["2026-11-24T07:45:00Z", "2026-11-24T07:45:00+01:00", "2026-11-24T07:45:00.123Z"],
)
def test_rfc3339_times_with_a_zone_are_accepted(fetched_at: str) -> None:
    """fetched_at takes Z or a numeric offset, with or without fractions of a second."""
    assert decode_article(raw(fetched_at=fetched_at), LIMIT)["fetched_at"] == fetched_at


def test_unknown_extra_fields_are_accepted() -> None:
    """Crawlers may add fields; the contract ignores what it does not know."""
    doc = article(crawler={"name": "spider", "depth": [1, 2]}, score=0.5)
    assert decode_article(orjson.dumps(doc), LIMIT) == doc


def test_valid_article_round_trips() -> None:
    """A valid article decodes to exactly the object that was encoded."""
    doc = article(
        text=None,
        source="News",
        title="Storm",
        crawl_id="c-1",
        updates=[{"id": "p1", "headline": "Gales", "text": "Café “open”", "published_at": FETCHED}],
    )
    assert decode_article(orjson.dumps(doc), LIMIT) == doc


# --- encode_event ------------------------------------------------------------------------------


def test_encode_event_accepts_a_valid_event() -> None:
    """A valid news_update.v1 event encodes to its JSON bytes."""
    assert orjson.loads(encode_event(event())) == event()


@pytest.mark.parametrize("missing", ["event_id", "story_id", "text", "processed_at", "entities"])
def test_encode_event_refuses_an_event_missing_a_required_field(missing: str) -> None:
    """An event that breaks its own schema is a bug: ContractBroken, naming the field."""
    broken = event()
    del broken[missing]
    with pytest.raises(ContractBroken, match=f"'{missing}' is a required property"):
        encode_event(broken)


def test_contract_broken_is_not_bad_input() -> None:
    """A broken output must crash, not be dead-lettered as if the input were at fault."""
    assert not issubclass(ContractBroken, BadInput)


# --- dead_letter -------------------------------------------------------------------------------


def letter(
    value: bytes | None, *, key: bytes | None = b"k1", limit: int = 1000, **key_facts: Any
) -> dict[str, Any]:
    return orjson.loads(
        dead_letter(
            NotJson("not JSON: truncated"),
            value=value,
            key=key,
            topic="articles.raw",
            partition=2,
            offset=41,
            now=NOW,
            max_value_bytes=limit,
            **key_facts,
        )
    )


@pytest.mark.parametrize("value", [b"{broken", b"", None], ids=["bytes", "empty", "tombstone"])
@pytest.mark.parametrize("key", [b"story-1", None], ids=["key", "no-key"])
def test_dead_letter_validates_against_its_schema(value: bytes | None, key: bytes | None) -> None:
    """Every dead letter satisfies dead_letter.v1."""
    assert schema_error(DEAD_LETTER, letter(value, key=key)) is None


def test_dead_letter_carries_where_and_why() -> None:
    """The record says which class of error, the reason, and the source coordinates."""
    doc = letter(b"{broken")
    assert (doc["error_class"], doc["reason"]) == ("NotJson", "not JSON: truncated")
    assert (doc["topic"], doc["partition"], doc["offset"]) == ("articles.raw", 2, 41)
    assert doc["dead_lettered_at"] == "2026-12-01T00:00:00Z"


def test_dead_letter_carries_original_value_and_key_in_base64() -> None:
    """The original bytes, even ones that are not UTF-8, come back exactly from base64."""
    value = b"\xff\x00{not json"
    doc = letter(value, key=b"\x01key")
    assert base64.b64decode(doc["value_b64"]) == value
    assert base64.b64decode(doc["key_b64"]) == b"\x01key"
    assert (doc["value_size"], doc["value_truncated"]) == (len(value), False)


def test_dead_letter_of_a_tombstone_has_null_value_and_key() -> None:
    """No value and no key stay null rather than becoming empty strings."""
    doc = letter(None, key=None)
    assert (doc["value_b64"], doc["key_b64"], doc["value_size"]) == (None, None, 0)


@pytest.mark.parametrize(("size", "truncated"), [(99, False), (100, False), (101, True)])
def test_dead_letter_keeps_a_prefix_of_a_value_over_the_limit(size: int, truncated: bool) -> None:
    """Over max_value_bytes only a prefix is kept; size and sha256 describe the original."""
    value = (bytes(range(256)) * 2)[:size]
    doc = letter(value, limit=100)
    assert base64.b64decode(doc["value_b64"]) == value[:100]
    assert doc["value_truncated"] is truncated
    assert doc["value_size"] == size
    assert doc["value_sha256"] == hashlib.sha256(value).hexdigest()
    assert schema_error(DEAD_LETTER, doc) is None


def test_story_key_is_the_story_tables_changelog_key() -> None:
    """Records and state of a story hash to the same partition only if their keys are equal
    bytes: the repartition key must be the table key as Faust serialises it (JSON)."""
    from faust.serializers.registry import Registry

    sid = "69d56995a1b2c3d4"
    assert (
        story_key(sid) == Registry().dumps_key(str, sid, serializer="json") == b'"69d56995a1b2c3d4"'
    )


def test_dead_letter_of_a_long_key_keeps_a_prefix_its_size_and_hash() -> None:
    """A key over the cap is kept as a prefix; key_size and key_sha256 describe the original."""
    key = b"k" * 5000
    document = letter(b"{broken", key=key)
    assert schema_error("dead_letter.v1", document) is None
    assert base64.b64decode(document["key_b64"]) == key[:DEAD_LETTER_KEY_BYTES]
    assert document["key_size"] == 5000 and document["key_truncated"] is True
    assert document["key_sha256"] == hashlib.sha256(key).hexdigest()


def test_dead_letter_of_a_key_prefix_keeps_the_originals_size_and_hash() -> None:
    """A key already cut upstream (origin headers) carries the original's size and hash."""
    document = letter(b"{broken", key=b"k" * 10, key_size=9000, key_sha256="a" * 64)
    assert (document["key_size"], document["key_truncated"]) == (9000, True)
    assert document["key_sha256"] == "a" * 64


def test_schema_reasons_quote_at_most_a_short_prefix_of_content() -> None:
    """A long offending value is quoted up to QUOTE_MAX characters in the reason."""
    secret = "Confidential paragraph of the article. " * 40
    with pytest.raises(SchemaViolation) as caught:
        decode_article(orjson.dumps({**article(), "fetched_at": secret}), LIMIT)
    assert secret[:QUOTE_MAX] not in caught.value.reason
    assert len(caught.value.reason) < QUOTE_MAX + 100
    with pytest.raises(SchemaViolation) as caught:
        decode_article(orjson.dumps({**article(), "text": {"body": secret}}), LIMIT)
    assert len(caught.value.reason) < QUOTE_MAX + 100
