"""Shutdown deadline: a stop, asked for by a signal or by the worker itself, ends the process
within a grace period even when Faust's drain cannot finish.

With the broker away, Faust's stop waits on commits, group leaves and fetch retries for a minute
and more; a supervisor (Docker, Kubernetes) kills the process after its own grace period anyway.
Exiting ourselves first, with code 1, says plainly that the drain did not finish. Nothing is
lost: input not yet acked is read again after the restart.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import faust

from worker.logs import get_logger

log = get_logger("worker.shutdown")
_armed = threading.Event()


def exit_within(seconds: float, code: int = 1) -> None:
    """End the process `seconds` from now unless it has ended by then (armed once)."""
    if _armed.is_set():
        return
    _armed.set()

    def stop() -> None:
        log.error("worker.shutdown_timeout", seconds=seconds)
        sys.stderr.flush()
        os._exit(code)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()


class GracefulWorker(faust.Worker):  # type: ignore[misc]
    """Faust's worker, with a deadline on its drain after SIGTERM or SIGINT."""

    def __init__(self, grace_s: float, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grace_s = grace_s

    def _on_sigint(self) -> None:
        exit_within(self.grace_s)
        super()._on_sigint()

    def _on_sigterm(self) -> None:
        exit_within(self.grace_s)
        super()._on_sigterm()
