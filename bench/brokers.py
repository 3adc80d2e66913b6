"""The broker a bench run measures on: the embedded Tansu, or Apache Kafka run from its jars.

`python -m bench --broker kafka|tansu` picks one for the whole run (`use`); every module asks
`flavor()` what to tell the workers it starts, and `running()` starts the broker. Each ratio is
against a baseline measured on the same broker in the same run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from tests.kafka_cluster import KafkaCluster
from worker.kafka.broker import EmbeddedBroker

Flavor = Literal["kafka", "tansu"]
FLAVORS: tuple[Flavor, ...] = ("tansu", "kafka")
_current: list[Flavor] = ["tansu"]
# The tests' JVM flags favour start-up; a bench measures a broker at speed (C2 compiler on).
BENCH_JVM_FLAGS = ("-Xms512m", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true")


@dataclass(frozen=True)
class Running:
    bootstrap: str
    pid: int | None


def use(flavor: Flavor) -> None:
    """Make `flavor` the broker of this bench run."""
    _current[0] = flavor


def flavor() -> Flavor:
    """The broker of this bench run: what workers are told in NEWS_WORKER_BROKER_FLAVOR."""
    return _current[0]


@contextmanager
def running() -> Iterator[Running]:
    """Start this run's broker on loopback; stop it and remove its files at the end."""
    if flavor() == "kafka":
        with KafkaCluster(1, jvm_flags=BENCH_JVM_FLAGS) as cluster:
            process = cluster.nodes[0].process
            yield Running(cluster.bootstrap, process.pid if process else None)
    else:
        with EmbeddedBroker() as broker:
            yield Running(broker.bootstrap, broker.pid)
