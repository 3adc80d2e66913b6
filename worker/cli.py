"""The `news-worker` console script: run, process, broker, health.

Entry points only parse arguments, read settings, call the core or the app, and clean up.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from worker.errors import NewsWorkerError
from worker.logs import configure, get_logger
from worker.settings import Settings

log = get_logger("worker.cli")
HEALTH_MAX_AGE_S = 30.0


def sample_lines() -> list[bytes]:
    """The bundled demo sample: raw articles as JSON lines (our own synthetic text)."""
    data = resources.files("worker") / "data" / "sample_articles.jsonl"
    return [line for line in data.read_bytes().splitlines() if line.strip()]


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from worker.kafka.app import create_app
    from worker.kafka.broker import EmbeddedBroker
    from worker.kafka.shutdown import GracefulWorker
    from worker.kafka.topics import ensure_topics

    broker = None
    if settings.embedded:
        broker = EmbeddedBroker()
        settings = settings.with_bootstrap(broker.start(), "tansu")
        log.info(
            "broker.started", bootstrap=settings.bootstrap_servers, embedded=True, pid=broker.pid
        )
    try:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(ensure_topics(settings))
        app = create_app(settings, sample_lines() if args.demo else (), demo_tail=args.demo)
        worker = GracefulWorker(
            settings.shutdown_grace_s,
            app,
            loop=loop,
            loglevel=settings.log_level,
            quiet=True,
            override_logging=False,
            redirect_stdouts=False,
        )
        worker.spinner = None  # stdout carries the demo's events, not terminal animations
        code = 0
        try:
            worker.execute_from_commandline()
        except SystemExit as stop:
            code = int(stop.code or 0)
        log.info("worker.stopped", code=code)
        return code
    finally:
        if broker is not None:
            broker.stop()
            log.info("broker.stopped")


def _topics(args: argparse.Namespace, settings: Settings) -> int:
    from worker.kafka.topics import ensure_topics, worker_topics

    if settings.embedded:
        print("KAFKA_BOOTSTRAP_SERVERS is not set", file=sys.stderr)
        return 1
    asyncio.run(ensure_topics(settings))
    for name in worker_topics(settings):
        print(name)
    log.info("topics.ready", topics=worker_topics(settings))
    return 0


def _process(args: argparse.Namespace, settings: Settings) -> int:
    from worker.enricher import enricher_for
    from worker.offline import process_lines

    source = open(args.input, "rb") if args.input != "-" else sys.stdin.buffer  # noqa: SIM115
    sink = open(args.output, "wb") if args.output != "-" else sys.stdout.buffer  # noqa: SIM115
    dead = open(args.dead_letter, "wb") if args.dead_letter else None  # noqa: SIM115
    try:
        counts = process_lines(
            source,
            sink,
            dead,
            settings=settings,
            clock=lambda: datetime.now(UTC),
            source_name="<stdin>" if args.input == "-" else args.input,
            enricher=enricher_for(settings),
        )
    finally:
        for handle in (source, sink, dead):
            if handle is not None and handle not in (sys.stdin.buffer, sys.stdout.buffer):
                handle.close()
        sys.stdout.flush()
    log.info("process.finished", **counts)
    return 0


def _broker(args: argparse.Namespace, settings: Settings) -> int:
    from worker.kafka.broker import EmbeddedBroker

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with EmbeddedBroker(port=args.port) as broker:
        print(broker.bootstrap, flush=True)
        log.info("broker.started", bootstrap=broker.bootstrap, pid=broker.pid)
        stop.wait()
    log.info("broker.stopped")
    return 0


def _health(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.health_file:
        print("NEWS_WORKER_HEALTH_FILE is not set", file=sys.stderr)
        return 1
    path = Path(settings.health_file)
    age = time.time() - path.stat().st_mtime if path.exists() else float("inf")
    print(f"heartbeat age {age:.1f}s")
    return 0 if age <= HEALTH_MAX_AGE_S else 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="news-worker", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="the streaming worker (embedded broker if KAFKA_BOOTSTRAP_SERVERS is unset)"
    )
    run.add_argument(
        "--demo",
        action="store_true",
        help="replay the bundled sample into the input topic and print the events",
    )
    run.set_defaults(handler=_run)
    process = commands.add_parser("process", help="the same pipeline offline, JSON lines")
    process.add_argument("input", nargs="?", default="-", help="raw articles (default stdin)")
    process.add_argument("-o", "--output", default="-", help="events (default stdout)")
    process.add_argument("--dead-letter", help="dead letters (default: logged only)")
    process.set_defaults(handler=_process)
    topics = commands.add_parser(
        "topics", help="create (or check) every topic the worker uses, then exit"
    )
    topics.set_defaults(handler=_topics)
    broker = commands.add_parser("broker", help="only the embedded broker, in the foreground")
    broker.add_argument("--port", type=int, default=None, help="default: a free port")
    broker.set_defaults(handler=_broker)
    health = commands.add_parser("health", help="exit 0 if the worker's heartbeat is fresh")
    health.set_defaults(handler=_health)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except NewsWorkerError as exc:
        print(f"news-worker: {exc}", file=sys.stderr)
        return 2
    configure(settings.log_level, settings.log_format)
    try:
        return int(args.handler(args, settings))
    except NewsWorkerError as exc:
        log.error("worker.failed", error=str(exc))
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
