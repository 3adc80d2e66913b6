"""Settings: the one reader of the environment.

Every knob the worker has is a row of `ENVIRONMENT` (variable, field, parser, help); the README's
settings table and the deploy test are checked against that table. Secrets are masked in repr.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from worker.errors import ConfigError
from worker.pipeline.process import Limits

BrokerFlavor = Literal["kafka", "tansu"]


@dataclass(frozen=True)
class Settings:
    """Everything the worker reads from its environment, with defaults for a laptop."""

    bootstrap_servers: str | None = None
    input_topic: str = "articles.raw"
    output_topic: str = "news.updates"
    deadletter_topic: str = "news.deadletter"
    partitions: int = 4
    replication_factor: int = 1
    group_id: str = "news-worker"
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    max_value_bytes: int = 5 * 1024 * 1024
    deadletter_max_value_bytes: int = 700_000
    max_record_bytes: int | None = None
    batch_size: int = 500
    batch_within_ms: int = 20
    story_ttl_hours: float = 72.0
    eviction_interval_s: float = 300.0
    max_updates_per_story: int = 500
    max_state_bytes: int = 800_000
    max_clock_skew_s: float = 3600.0
    boilerplate_stories: int = 3
    entities: bool = True
    ner_max_chars: int = 10_000
    aliases_file: str | None = None
    store: str = "memory://"
    data_dir: str = field(default_factory=lambda: str(Path(tempfile.gettempdir()) / "news-worker"))
    broker_flavor: BrokerFlavor = "kafka"
    compression: str = "zstd"
    session_timeout_s: float = 30.0
    health_file: str | None = None
    group_instance_id: str | None = None
    broker_loss_exit_s: float = 120.0
    shutdown_grace_s: float = 25.0
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    def __repr__(self) -> str:
        shown = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if shown["sasl_password"] is not None:
            shown["sasl_password"] = "***"
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"

    @property
    def embedded(self) -> bool:
        """True when no broker is configured and the worker starts its own."""
        return self.bootstrap_servers is None

    def limits(self) -> Limits:
        """The bounds on story state the pipeline applies."""
        return Limits(
            story_ttl=timedelta(hours=self.story_ttl_hours),
            max_updates=self.max_updates_per_story,
            max_state_bytes=self.max_state_bytes,
            max_future=timedelta(seconds=self.max_clock_skew_s),
        )

    def with_bootstrap(self, servers: str, flavor: BrokerFlavor) -> Settings:
        return dataclasses.replace(self, bootstrap_servers=servers, broker_flavor=flavor)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for var in ENVIRONMENT:
            raw = env.get(var.name, "").strip()
            if raw:
                try:
                    values[var.field] = var.parse(raw)
                except ValueError as exc:
                    raise ConfigError(f"{var.name}={raw!r}: {exc}") from exc
        return cls(**values)


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a positive integer")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value) or value <= 0:
        raise ValueError("must be a positive number")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw.lower() not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return raw.lower()

    return parse


def _flag(raw: str) -> bool:
    lowered = raw.lower()
    if lowered not in {"on", "off", "true", "false", "1", "0", "yes", "no"}:
        raise ValueError("must be on or off")
    return lowered in {"on", "true", "1", "yes"}


def _level(raw: str) -> str:
    level = raw.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


@dataclass(frozen=True)
class EnvVar:
    name: str
    field: str
    parse: Callable[[str], Any]
    help: str


ENVIRONMENT: tuple[EnvVar, ...] = (
    EnvVar(
        "KAFKA_BOOTSTRAP_SERVERS",
        "bootstrap_servers",
        str,
        "host:port[,host:port]; unset: start the embedded broker on loopback",
    ),
    EnvVar("NEWS_WORKER_INPUT_TOPIC", "input_topic", str, "raw articles in"),
    EnvVar("NEWS_WORKER_OUTPUT_TOPIC", "output_topic", str, "clean update events out"),
    EnvVar("NEWS_WORKER_DEADLETTER_TOPIC", "deadletter_topic", str, "bad input out, with reason"),
    EnvVar(
        "NEWS_WORKER_PARTITIONS",
        "partitions",
        _positive_int,
        "partitions of the topics the worker creates",
    ),
    EnvVar(
        "NEWS_WORKER_REPLICATION_FACTOR",
        "replication_factor",
        _positive_int,
        "replication factor of the topics the worker creates",
    ),
    EnvVar(
        "NEWS_WORKER_GROUP_ID",
        "group_id",
        str,
        "consumer group (and Faust app id: prefix of its changelog topics)",
    ),
    EnvVar("NEWS_WORKER_LOG_FORMAT", "log_format", _choice("console", "json"), "console or json"),
    EnvVar("NEWS_WORKER_LOG_LEVEL", "log_level", _level, "DEBUG, INFO, WARNING, ERROR"),
    EnvVar(
        "NEWS_WORKER_MAX_VALUE_BYTES",
        "max_value_bytes",
        _positive_int,
        "larger input values are dead-lettered as Oversize",
    ),
    EnvVar(
        "NEWS_WORKER_DEADLETTER_MAX_VALUE_BYTES",
        "deadletter_max_value_bytes",
        _positive_int,
        "a dead letter keeps at most this many bytes of the original value",
    ),
    EnvVar(
        "NEWS_WORKER_MAX_RECORD_BYTES",
        "max_record_bytes",
        _positive_int,
        "largest record produced to a topic whose max.message.bytes the broker does not report; "
        "default: the producer's request limit",
    ),
    EnvVar(
        "NEWS_WORKER_BATCH_SIZE", "batch_size", _positive_int, "records the agent takes per batch"
    ),
    EnvVar(
        "NEWS_WORKER_BATCH_WITHIN_MS",
        "batch_within_ms",
        _positive_int,
        "longest wait to fill a batch",
    ),
    EnvVar(
        "NEWS_WORKER_STORY_TTL_HOURS",
        "story_ttl_hours",
        _positive_float,
        "a story not crawled for this long is forgotten (its state evicted)",
    ),
    EnvVar(
        "NEWS_WORKER_EVICTION_INTERVAL_S",
        "eviction_interval_s",
        _positive_float,
        "how often a timer evicts stories past their TTL",
    ),
    EnvVar(
        "NEWS_WORKER_MAX_UPDATES_PER_STORY",
        "max_updates_per_story",
        _positive_int,
        "updates remembered per story; the least recently seen go first",
    ),
    EnvVar(
        "NEWS_WORKER_MAX_STATE_BYTES",
        "max_state_bytes",
        _positive_int,
        "a story's state stays within about this many bytes (keep it under the changelog "
        "topic's max.message.bytes); the least recently seen updates keep only their hash",
    ),
    EnvVar(
        "NEWS_WORKER_MAX_CLOCK_SKEW_S",
        "max_clock_skew_s",
        _positive_float,
        "a crawl whose fetched_at is further ahead of the worker's clock is dead-lettered "
        "(ImplausibleTime), as is one before 2000",
    ),
    EnvVar(
        "NEWS_WORKER_BOILERPLATE_STORIES",
        "boilerplate_stories",
        _positive_int,
        "a line seen in this many stories of one source is learned as boilerplate",
    ),
    EnvVar(
        "NEWS_WORKER_ENTITIES",
        "entities",
        _flag,
        "on: recognise entities in new and revised updates (spaCy); off: entities stay []",
    ),
    EnvVar(
        "NEWS_WORKER_NER_MAX_CHARS",
        "ner_max_chars",
        _positive_int,
        "longer update text is cut at a sentence boundary before NER (the event says so)",
    ),
    EnvVar(
        "NEWS_WORKER_ALIASES_FILE",
        "aliases_file",
        str,
        "entity alias table (JSON); default: the bundled worker/data/aliases.json; "
        "re-read on change",
    ),
    EnvVar(
        "NEWS_WORKER_STORE",
        "store",
        str,
        "Faust table store: memory:// or rocksdb:// (install the `rocksdb` extra)",
    ),
    EnvVar("NEWS_WORKER_DATA_DIR", "data_dir", str, "Faust data directory (table stores)"),
    EnvVar(
        "NEWS_WORKER_COMPRESSION",
        "compression",
        _choice("none", "gzip", "snappy", "lz4", "zstd"),
        "compression of every record batch the worker produces (repartition, state, events)",
    ),
    EnvVar(
        "NEWS_WORKER_BROKER_FLAVOR",
        "broker_flavor",
        _choice("kafka", "tansu"),
        "kafka, or tansu to apply the Tansu workarounds to an external Tansu",
    ),
    EnvVar(
        "NEWS_WORKER_SESSION_TIMEOUT_S",
        "session_timeout_s",
        _positive_float,
        "consumer-group session timeout (Tansu: fixed at 6 s)",
    ),
    EnvVar(
        "NEWS_WORKER_HEALTH_FILE",
        "health_file",
        str,
        "file touched every few seconds while the event loop is alive and the broker answers",
    ),
    EnvVar(
        "NEWS_WORKER_GROUP_INSTANCE_ID",
        "group_instance_id",
        str,
        "static group membership (group.instance.id), one per replica: a restart within the "
        "session timeout takes its partitions back without a rebalance",
    ),
    EnvVar(
        "NEWS_WORKER_BROKER_LOSS_EXIT_S",
        "broker_loss_exit_s",
        _positive_float,
        "exit non-zero after this long without an answer from the broker (not ready meanwhile)",
    ),
    EnvVar(
        "NEWS_WORKER_SHUTDOWN_GRACE_S",
        "shutdown_grace_s",
        _positive_float,
        "a stop signal ends the process within this long, drained or not (exit 1 if not)",
    ),
    EnvVar(
        "KAFKA_SECURITY_PROTOCOL",
        "security_protocol",
        lambda raw: _choice("plaintext", "ssl", "sasl_plaintext", "sasl_ssl")(raw).upper(),
        "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL",
    ),
    EnvVar(
        "KAFKA_SASL_MECHANISM",
        "sasl_mechanism",
        lambda raw: _choice("plain", "scram-sha-256", "scram-sha-512")(raw).upper(),
        "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
    ),
    EnvVar("KAFKA_SASL_USERNAME", "sasl_username", str, "SASL user"),
    EnvVar("KAFKA_SASL_PASSWORD", "sasl_password", str, "SASL password (masked in logs)"),
    EnvVar("KAFKA_SSL_CAFILE", "ssl_cafile", str, "CA bundle for SSL"),
    EnvVar("KAFKA_SSL_CERTFILE", "ssl_certfile", str, "client certificate for SSL"),
    EnvVar("KAFKA_SSL_KEYFILE", "ssl_keyfile", str, "client key for SSL"),
)
