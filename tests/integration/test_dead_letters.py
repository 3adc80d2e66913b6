"""Every class of bad input ends on the dead-letter topic with its reason; the worker goes on."""

from __future__ import annotations

import base64
import json

import pytest

from worker.codec import schema_error

GOOD = json.dumps(
    {
        "url": "https://good.example/news/ok",
        "fetched_at": "2026-11-24T10:00:00Z",
        "text": "A good article after the bad ones.",
    }
).encode()

BAD: list[tuple[str, bytes | None]] = [
    ("EmptyValue", None),
    ("NotJson", b'{"url": "https://a.example/x", '),
    ("NotAnObject", b'["https://a.example/x"]'),
    ("InvalidUtf8", b'{"url": "https://a.example/\xff\xfe", "fetched_at": "x"}'),
    ("SchemaViolation", json.dumps({"url": "https://a.example/x", "text": "no time"}).encode()),
    (
        "SchemaViolation",
        json.dumps(
            {"url": "not a url", "fetched_at": "2026-11-24T10:00:00Z", "text": "x"}
        ).encode(),
    ),
    (
        "Oversize",
        json.dumps(
            {
                "url": "https://a.example/big",
                "fetched_at": "2026-11-24T10:00:00Z",
                "text": "x" * 100_000,
            }
        ).encode(),
    ),
    (
        "EmptyText",
        json.dumps(
            {
                "url": "https://a.example/empty",
                "fetched_at": "2026-11-24T10:00:00Z",
                "text": " \n\u00a0 ",
            }
        ).encode(),
    ),
]


@pytest.mark.parametrize("partitions", ["2"])
def test_each_bad_input_is_dead_lettered_with_its_reason(
    names, start_worker, produce, consume, partitions
):
    """Bad records become dead letters carrying the original bytes; the good one still goes out."""
    worker = start_worker(NEWS_WORKER_MAX_VALUE_BYTES="65536", NEWS_WORKER_PARTITIONS=partitions)
    worker.wait_ready()
    produce(names.input, [value for _, value in BAD] + [GOOD], key=b"crawler-key")

    letters = consume(names.deadletter, len(BAD), settle=1.0)
    events = consume(names.output, 1)

    assert len(letters) == len(BAD)
    documents = [letter.json() for letter in letters]
    for document in documents:
        assert schema_error("dead_letter.v1", document) is None
        assert document["reason"]
        assert document["key_b64"] == base64.b64encode(b"crawler-key").decode()
        assert isinstance(document["offset"], int)
        assert isinstance(document["partition"], int)
    assert sorted(d["error_class"] for d in documents) == sorted(c for c, _ in BAD)
    originals = {base64.b64decode(d["value_b64"]) for d in documents if d["value_b64"]}
    for error_class, value in BAD:
        if value is not None and error_class != "Oversize":
            assert value in originals
    assert [e.json()["url"] for e in events] == ["https://good.example/news/ok"]
    assert worker.process.poll() is None
