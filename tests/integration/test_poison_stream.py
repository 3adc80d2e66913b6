"""Over a hundred poison records between good ones: each is dead-lettered once, with its reason,
the good ones give their events, and the worker neither crashes, restarts nor stalls."""

from __future__ import annotations

import base64
import hashlib
import signal
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import Producer

from tests.fixtures import poison, refreshes
from tests.integration.conftest import (
    Names,
    Record,
    WorkerProcess,
    ensure_topic,
    read_topic,
    worker_env,
)
from tests.integration.test_crash_replay import undisturbed_ids
from worker.codec import DEAD_LETTER_KEY_BYTES, schema_error

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


# --- valid but hostile -------------------------------------------------------------------------

HOSTILE = poison.hostile()
# Every hostile record goes through one worker, the shapes that once stalled it (`stall`) too.
STREAMED = HOSTILE
HOSTILE_DEADLINE_S = 240.0


def send_hostile(
    bootstrap: str, topic: str, records: list[poison.Hostile]
) -> list[tuple[int, int]]:
    """Produce `records` in order, keys and headers as given; their (partition, offset)."""
    producer = Producer(
        {"bootstrap.servers": bootstrap, "acks": "all", "message.max.bytes": 16 * 1024 * 1024}
    )
    places: dict[int, tuple[int, int]] = {}
    failures: list[object] = []

    def delivered(n: int) -> Any:
        def report(error: object, message: Any) -> None:
            if error:
                failures.append(error)
            else:
                places[n] = (message.partition(), message.offset())

        return report

    for n, record in enumerate(records):
        producer.produce(
            topic,
            value=record.value,
            key=record.key,
            headers=list(record.headers) or None,
            on_delivery=delivered(n),
        )
        producer.poll(0)
        producer.flush(60)  # one at a time: the stories' crawls arrive in this order
    assert not failures, failures
    return [places[n] for n in range(len(records))]


@dataclass
class HostileRun:
    names: Names
    records: list[poison.Hostile]
    places: list[tuple[int, int]]
    letters: list[dict[str, Any]]
    events: list[dict[str, Any]]
    worker: WorkerProcess

    def letter_of(self, record: poison.Hostile) -> dict[str, Any] | None:
        for letter in self.letters:
            if record.value is not None:
                if letter["value_sha256"] == hashlib.sha256(record.value).hexdigest():
                    return letter
            elif letter["value_b64"] is None and letter.get("key_sha256") == _sha(record.key):
                return letter
        return None

    def events_of(self, record: poison.Hostile, *, strict: bool) -> list[dict[str, Any]]:
        """Events for `record`: its exact URL and marker; loosely, its URL without a fragment
        and its marker in the text with invisible characters removed."""
        if record.url is None or record.marker is None:
            return []
        url = record.url if strict else record.url.split("#")[0]
        found = []
        for event in self.events:
            text = f"{event['headline']}\n{event['text']}"
            if not strict:
                text = "".join(c for c in text if unicodedata.category(c) != "Cf")
            if (event["url"] == url or (not strict and event["url"].startswith(url))) and (
                record.marker in text
            ):
                found.append(event)
        return found

    def outcome(self, record: poison.Hostile, *, strict: bool = True) -> str | None:
        """ "" processed, an error class if dead-lettered, None if neither (yet)."""
        letter = self.letter_of(record)
        if letter is not None:
            return str(letter["error_class"])
        return "" if self.events_of(record, strict=strict) else None


def _sha(key: bytes | None) -> str | None:
    return None if key is None else hashlib.sha256(key).hexdigest()


def run_hostile(broker: Any, tmp: Path, records: list[poison.Hostile], **env: str) -> HostileRun:
    tag = uuid.uuid4().hex[:10]
    names = Names(f"raw-{tag}", f"updates-{tag}", f"dead-{tag}", f"group-{tag}")
    worker = WorkerProcess(
        worker_env(broker, names, tmp / "data", **env), tmp / "worker.log"
    ).start()
    worker.wait_ready()
    places = send_hostile(broker.bootstrap, names.input, records)
    run = HostileRun(names, records, places, [], [], worker)
    deadline = time.monotonic() + HOSTILE_DEADLINE_S
    while True:  # both topics from the start, until every record is accounted for
        run.events = [r.json() for r in read_topic(broker.bootstrap, names.output, 0, settle=1)]
        letters = read_topic(broker.bootstrap, names.deadletter, 0, settle=1)
        run.letters = [letter.json() for letter in letters]
        done = all(run.outcome(r, strict=False) is not None for r in records)
        if done or time.monotonic() > deadline:
            return run


@pytest.fixture(scope="module")
def hostile_run(kafka_session, tmp_path_factory) -> Iterator[HostileRun]:
    """One worker on Apache Kafka through which every hostile record goes."""
    run = run_hostile(kafka_session, tmp_path_factory.mktemp("hostile"), STREAMED)
    yield run
    run.worker.stop(signal.SIGKILL)


def test_hostile_records_are_processed_or_dead_lettered_without_a_restart(hostile_run):
    """Each valid-but-hostile record gives an event or a dead letter with a reason; the worker
    runs from start to end without a restart or a failure."""
    missing = [r.name for r in STREAMED if hostile_run.outcome(r, strict=False) is None]
    assert not missing, f"neither processed nor dead-lettered: {missing}"
    for letter in hostile_run.letters:
        assert letter["reason"] and schema_error("dead_letter.v1", letter) is None
    assert hostile_run.worker.process.poll() is None, "the worker died"
    log_events = [e.get("event") for e in hostile_run.worker.log_events()]
    assert log_events.count("worker.ready") == 1
    assert "worker.failed" not in log_events


def test_no_hostile_record_is_an_internal_error(hostile_run):
    """No hostile record trips a bug in the core (an InternalError dead letter)."""
    internal = [d["reason"] for d in hostile_run.letters if d["error_class"] == "InternalError"]
    assert not internal
    assert "article.failed" not in [e.get("event") for e in hostile_run.worker.log_events()]


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(r, marks=pytest.mark.xfail(reason=r.pending, strict=False)) if r.pending else r
        for r in STREAMED
    ],
    ids=lambda r: r.name,
)
def test_each_hostile_record_gets_what_it_should(hostile_run, record):
    """Processed (an event with its URL and text) or the dead letter class the fixture names."""
    got = hostile_run.outcome(record)
    if record.expect == "any":
        assert got is not None
    else:
        assert got == record.expect, f"{record.name}: expected {record.expect!r}, got {got!r}"


def test_forged_origin_headers_cannot_move_or_rekey_a_dead_letter(hostile_run):
    """A crawler's news-worker-origin header on the input topic is ignored: the dead letter
    points at the record's real topic, partition and offset, with its real key."""
    forged = [r for r in STREAMED if r.headers and r.expect]
    assert forged
    for record in forged:
        letter = hostile_run.letter_of(record)
        assert letter is not None, record.name
        place = hostile_run.places[hostile_run.records.index(record)]
        assert (letter["topic"], letter["partition"], letter["offset"]) == (
            hostile_run.names.input,
            *place,
        )
        assert base64.b64decode(letter["key_b64"]) == record.key


def test_every_dead_letter_points_at_its_input_record(hostile_run):
    """Whichever stage found the problem, a dead letter names the input topic, partition and
    offset where its record is."""
    for record, place in zip(hostile_run.records, hostile_run.places, strict=True):
        letter = hostile_run.letter_of(record)
        if letter is not None:
            where = (letter["topic"], letter["partition"], letter["offset"])
            assert where == (hostile_run.names.input, *place), record.name


@pytest.mark.parametrize("name", ["a tombstone with a 3 MB key", "a 3 MB key on an empty article"])
def test_a_huge_key_is_dead_lettered_as_a_prefix_with_its_size_and_hash(hostile_run, name):
    """A 3 MB key, dead-lettered by the router or after repartitioning: the dead letter keeps
    1 KiB of it, its size and its SHA-256."""
    (record,) = [r for r in STREAMED if r.name == name]
    letter = hostile_run.letter_of(record)
    assert letter is not None and letter["error_class"] == record.expect
    assert base64.b64decode(letter["key_b64"]) == record.key[:DEAD_LETTER_KEY_BYTES]
    assert letter["key_size"] == len(record.key) and letter["key_truncated"] is True
    assert letter["key_sha256"] == hashlib.sha256(record.key).hexdigest()
