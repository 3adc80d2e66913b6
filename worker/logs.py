"""Logging: structlog for our events (`noun.verb`), stdlib logging routed through the same renderer.

Faust, mode and aiokafka log through the standard library; they are kept at WARNING unless the
worker runs at DEBUG, so our own events stay readable, and a warning they repeat (aiokafka logs
dozens a second while the broker is away) passes once per window with a count of the rest.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

import structlog

_FRAMEWORK_LOGGERS = ("faust", "mode", "aiokafka", "kafka", "trafilatura", "htmldate", "courlan")
REPEAT_WINDOW_S = 30.0


class RepeatFilter(logging.Filter):
    """Let a framework's warning (same logger, same message template) through once per window;
    the next one after the window says how many were held back."""

    def __init__(
        self, window_s: float = REPEAT_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.window_s = window_s
        self.clock = clock
        self._seen: dict[tuple[str, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not record.name.startswith(_FRAMEWORK_LOGGERS):
            return True
        key = (record.name, str(record.msg)[:200])
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < self.window_s:
            seen[1] += 1
            return False
        if len(self._seen) > 1000:
            self._seen.clear()
        self._seen[key] = [now, 0]
        if seen is not None and seen[1]:
            record.msg = f"{record.msg} [{int(seen[1])} more like this in {self.window_s:.0f} s]"
        return True


def configure(level: str = "INFO", fmt: str = "console") -> None:
    """Set up structlog and the stdlib root logger to write one line per event to stderr."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        )
    )
    handler.addFilter(RepeatFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    framework_level = level if level == "DEBUG" else "WARNING"
    for name in _FRAMEWORK_LOGGERS:
        logging.getLogger(name).setLevel(framework_level)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
