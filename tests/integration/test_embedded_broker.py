"""`news-worker run` without a broker starts its own, and never leaves it behind."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.integration.conftest import WorkerProcess


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; it is gone for our purpose once it cannot run.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def _broker_pid(worker: WorkerProcess) -> int:
    started = [e for e in worker.log_events() if e.get("event") == "broker.started"]
    return int(started[0]["pid"])  # type: ignore[arg-type]


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_embedded_broker_stops_with_the_worker(tmp_path, signum):
    """SIGTERM or Ctrl-C stop the broker cleanly; after SIGKILL it dies with its parent."""
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env.update(
        NEWS_WORKER_LOG_FORMAT="json",
        NEWS_WORKER_ENTITIES="off",
        NEWS_WORKER_DATA_DIR=str(tmp_path / "data"),
    )
    worker = WorkerProcess(env, tmp_path / "worker.log").start()
    ready = worker.wait_ready()
    pid = _broker_pid(worker)
    assert _alive(pid)

    code = worker.stop(signum)

    assert _wait_gone(pid), "embedded broker outlived the worker"
    assert ready < 15
    if signum != signal.SIGKILL:
        assert code == 0
