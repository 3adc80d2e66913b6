"""A worker stopped and restarted resumes from committed offsets: nothing lost, nothing again."""

from __future__ import annotations

import json
import signal


def article(n: int) -> bytes:
    return json.dumps(
        {
            "url": f"https://restart.example/story/{n % 5}",
            "fetched_at": "2026-11-24T10:00:00Z",
            "updates": [{"id": f"u{n}", "text": f"Update number {n} of the restart test."}],
        }
    ).encode()


def test_restart_resumes_without_loss_or_repeat(names, start_worker, produce, consume):
    """After SIGTERM and a restart, only the records produced meanwhile are processed."""
    first = start_worker()
    first.wait_ready()
    produce(names.input, [article(n) for n in range(40)])
    assert len(consume(names.output, 40)) == 40
    assert first.stop(signal.SIGTERM) == 0

    produce(names.input, [article(n) for n in range(40, 60)])
    second = start_worker()
    second.wait_ready()

    records = consume(names.output, 60, settle=5.0)
    ids = [r.json()["event_id"] for r in records]
    assert len(ids) == 60
    assert len(set(ids)) == 60
