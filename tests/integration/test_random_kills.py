"""Two workers in one group, SIGKILLed at random moments and restarted: nothing is lost.

The kill schedule comes from a seeded `random.Random`; the seed is printed and named in every
assertion message. Set NEWS_WORKER_TEST_SEED to replay a schedule.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from datetime import UTC, datetime
from typing import Any

from tests.fixtures import refreshes
from tests.integration.conftest import Record, WorkerProcess, read_topic, replay_slowly
from tests.integration.test_crash_replay import undisturbed_ids
from worker.codec import decode_article
from worker.pipeline import process_article
from worker.pipeline.learning import SourceMemory
from worker.settings import Settings

KILLS = 3


def undisturbed_updates(lines: list[bytes]) -> dict[str, dict[str, tuple[int, str]]]:
    """Per story, each update's (version, content hash) after an undisturbed offline run."""
    settings = Settings()
    state: dict[str, Any] = {}
    memory = SourceMemory(stories_needed=settings.boilerplate_stories)
    for line in lines:
        article = decode_article(line, settings.max_value_bytes)
        outcome = process_article(
            article, state, datetime.now(UTC), limits=settings.limits(), memory=memory
        )
        state.update(outcome.state_writes)
    return {story: updates_of(value) for story, value in state.items()}


def updates_of(value: dict[str, Any]) -> dict[str, tuple[int, str]]:
    # Versions and hashes decide every later event; `page` and `at` only steer the cheap
    # path and pruning, and a replayed older crawl may legitimately move them.
    return {uid: (record["version"], record["hash"]) for uid, record in value["updates"].items()}


def last_values(records: list[Record]) -> dict[str, dict[str, Any] | None]:
    """The last value per key of a changelog (one key lives in one partition, offsets order)."""
    last: dict[str, dict[str, Any] | None] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        key = json.loads(record.key) if record.key else ""  # the table's JSON key serializer
        last[key] = json.loads(record.value) if record.value else None
    return last


def covers(expected: set[str]) -> Any:
    return lambda records: expected <= {record.json()["event_id"] for record in records}


def describe(event: dict[str, Any]) -> str:
    return f"{event['story_id'][:8]} {event['update_id']} v{event['version']} {event['type']}"


def kill_and_restart(workers: list[WorkerProcess], start_worker: Any, rng: random.Random) -> str:
    """SIGKILL one of the two workers at a random moment and start a new one in its place."""
    time.sleep(rng.uniform(1.0, 5.0))
    victim = rng.randrange(len(workers))
    workers[victim].stop(signal.SIGKILL)
    pause = rng.uniform(0.2, 3.0)
    time.sleep(pause)
    workers[victim] = start_worker(NEWS_WORKER_BATCH_SIZE="4")
    return f"worker {victim} killed, restarted after {pause:.1f}s"


def test_random_kills_of_two_workers_lose_nothing(broker, names, start_worker, consume):
    """Every event id an undisturbed run emits arrives, no other, and each story's final state
    in the table's changelog equals the undisturbed run's."""
    seed = int(os.environ.get("NEWS_WORKER_TEST_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    print(f"NEWS_WORKER_TEST_SEED={seed}")
    lines = refreshes.lines(stories=4)
    expected = undisturbed_ids(lines)
    workers = [start_worker(NEWS_WORKER_BATCH_SIZE="4") for _ in range(2)]
    for worker in workers:
        worker.wait_ready()

    replay = replay_slowly(broker.bootstrap, names.input, lines, every_s=0.6)
    schedule = [kill_and_restart(workers, start_worker, rng) for _ in range(KILLS)]
    replay.join(120)
    for worker in workers:
        worker.wait_ready()
    records = read_topic(
        broker.bootstrap, names.output, 0, timeout=120, settle=5.0, until=covers(expected)
    )
    emitted = {record.json()["event_id"] for record in records}
    extra = sorted(describe(r.json()) for r in records if r.json()["event_id"] not in expected)
    changelog = last_values(consume(f"{names.group}-stories-changelog", 10**9, timeout=5.0))

    context = f"seed {seed}, schedule {schedule}"
    assert expected - emitted == set(), f"events lost ({context})"
    assert extra == [], f"events an undisturbed run never emits ({context})"
    assert {story: updates_of(value) for story, value in changelog.items()} == (
        undisturbed_updates(lines)
    ), f"story state differs ({context})"
    assert all(w.process.poll() is None for w in workers), f"a worker died ({context})"
