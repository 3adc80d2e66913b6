"""Logging: structlog for our events (`noun.verb`), stdlib logging routed through the same renderer.

Faust, mode and aiokafka log through the standard library; they are kept at WARNING unless the
worker runs at DEBUG, so our own events stay readable.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

_FRAMEWORK_LOGGERS = ("faust", "mode", "aiokafka", "kafka", "trafilatura", "htmldate", "courlan")


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
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    framework_level = level if level == "DEBUG" else "WARNING"
    for name in _FRAMEWORK_LOGGERS:
        logging.getLogger(name).setLevel(framework_level)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
