"""Over a hundred poison records between good ones: each is dead-lettered once, with its reason,
the good ones give their events, and the worker neither crashes, restarts nor stalls."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from confluent_kafka import Producer

from tests.fixtures import poison, refreshes
from tests.integration.conftest import Record, ensure_topic, read_topic
from tests.integration.test_crash_replay import undisturbed_ids
from worker.codec import schema_error

# Generous: the corpus holds megabyte records, and CI machines are slow.
DEADLINE_S = 180.0


def send_large(bootstrap: str, topic: str, values: list[bytes | None]) -> None:
    """Produce `values` in order; the client's 1 MB default would refuse the largest."""
    ensure_topic(bootstrap, topic)
    producer = Producer(
        {"bootstrap.servers": bootstrap, "acks": "all", "message.max.bytes": 8 * 1024 * 1024}
    )
    failures: list[object] = []
    for value in values:
        producer.produce(
            topic, value=value, key=b"crawler", on_delivery=lambda e, _m: e and failures.append(e)
        )
        producer.poll(0)
    assert producer.flush(60) == 0
    assert not failures, failures


def poison_of(letter: dict[str, Any], by_digest: dict[tuple[bool, str], poison.Poison]) -> str:
    """The name of the poison record a dead letter stands for (by the original's sha256)."""
    found = by_digest.get((letter["value_b64"] is None, letter["value_sha256"]))
    return found.name if found else f"unknown record at offset {letter['offset']}"


def test_poison_is_dead_lettered_and_good_input_still_flows(broker, names, start_worker):
    """One dead letter per poison record with the expected error class and a reason; every
    expected event of the good and the tolerated records; one worker run from start to end."""
    corpus = poison.corpus()
    good = refreshes.lines() + [record.value for record in poison.tolerated()]
    expected = undisturbed_ids(good)
    by_digest = {(p.value is None, hashlib.sha256(p.value or b"").hexdigest()): p for p in corpus}
    worker = start_worker(NEWS_WORKER_MAX_VALUE_BYTES=str(poison.MAX_VALUE_BYTES))
    worker.wait_ready()

    send_large(broker.bootstrap, names.input, poison.interleaved(good, corpus))
    letters = read_topic(broker.bootstrap, names.deadletter, len(corpus), DEADLINE_S, settle=2)
    events = read_topic(
        broker.bootstrap, names.output, 0, DEADLINE_S, until=lambda r: covers(r, expected)
    )

    documents = [letter.json() for letter in letters]
    got = sorted((poison_of(d, by_digest), d["error_class"]) for d in documents)
    assert got == sorted((p.name, p.error_class) for p in corpus)
    assert all(d["reason"] and schema_error("dead_letter.v1", d) is None for d in documents)
    for document in documents:
        kept = base64.b64decode(document["value_b64"] or "")
        assert document["value_truncated"] == (len(kept) < document["value_size"])
    assert {record.json()["event_id"] for record in events} == expected
    assert worker.process.poll() is None, "the worker died"
    log_events = [e.get("event") for e in worker.log_events()]
    assert log_events.count("worker.ready") == 1
    assert "article.failed" not in log_events and "worker.failed" not in log_events


def covers(records: list[Record], expected: set[str]) -> bool:
    return expected <= {record.json()["event_id"] for record in records}
