"""Topic set-up: every topic the worker uses exists, with the right layout, before any agent starts.

The worker creates its topics itself, the story table's changelog included (compacted), rather
than leave them to the broker's auto-creation (its own partition count) or to Faust (which creates
the changelog moments before its first write: on a fresh three-broker cluster the producer's
metadata had no partitions for it yet and Faust's partitioner raised TypeError). Creation returns
only once every partition has a leader in the metadata. A topic that exists with another
partition count than the worker's is a start-up error: the story table and the repartition topic
must be co-partitioned, and events of a story must stay on one partition. Only the input topic,
which the crawlers own and the worker re-keys, may have any count.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from aiokafka.protocol.metadata import MetadataRequest

from worker.errors import BrokerError
from worker.kafka.client import client_options
from worker.kafka.limits import max_record_bytes
from worker.logs import get_logger
from worker.settings import Settings

log = get_logger("worker.topics")
STORY_TABLE = "stories"
METADATA_WAIT_S = 30.0


@dataclass(frozen=True)
class TopicSpec:
    """A topic the worker needs: its partitions and its config; `strict` if an existing topic
    must have exactly those partitions."""

    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)
    strict: bool = True


def repartition_topic(settings: Settings) -> str:
    """The internal topic that carries valid articles keyed by story id."""
    return f"{settings.group_id}-articles-by-story"


def changelog_topic(settings: Settings, table: str = STORY_TABLE) -> str:
    """The changelog topic of a Faust table of the worker (Faust's own naming)."""
    return f"{settings.group_id}-{table}-changelog"


def leader_topic(settings: Settings) -> str:
    """The topic Faust's assignor uses to elect a leader (Faust's own naming, one partition)."""
    return f"{settings.group_id}-__assignor-__leader"


def worker_topics(settings: Settings) -> list[str]:
    """Every topic the worker reads or writes, internal topics included."""
    return [
        settings.input_topic,
        repartition_topic(settings),
        settings.output_topic,
        settings.deadletter_topic,
        changelog_topic(settings),
        leader_topic(settings),
    ]


def topic_spec(settings: Settings, name: str) -> TopicSpec:
    """The layout the worker wants for topic `name`."""
    replicas = settings.replication_factor
    if name == leader_topic(settings):
        return TopicSpec(name, 1, replicas)
    # Apache Kafka refuses records over 1 MB by default; the worker accepts input up to
    # NEWS_WORKER_MAX_VALUE_BYTES and must be able to pass it on (repartition, dead letters).
    config = {"max.message.bytes": str(max_record_bytes(settings))}
    if name == changelog_topic(settings):
        config["cleanup.policy"] = "compact"
    strict = name != settings.input_topic
    return TopicSpec(name, settings.partitions, replicas, config, strict)


def check_partitions(spec: TopicSpec, found: int) -> None:
    """Raise BrokerError when an existing topic's partition count breaks the worker's layout."""
    if found == spec.partitions:
        return
    if spec.strict:
        raise BrokerError(
            f"topic {spec.name!r} has {found} partitions, the worker needs {spec.partitions} "
            "(NEWS_WORKER_PARTITIONS): delete it or set the partitions to match"
        )
    log.warning("topic.partitions", topic=spec.name, partitions=found, configured=spec.partitions)


async def ensure_topics(settings: Settings, names: list[str] | None = None) -> None:
    """Create the topics that do not exist yet, check those that do, and wait until every
    partition of the new ones has a leader in the metadata."""
    specs = [topic_spec(settings, name) for name in (names or worker_topics(settings))]
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = await partition_counts(admin, [spec.name for spec in specs])
        for spec in specs:
            if spec.name in existing:
                check_partitions(spec, existing[spec.name])
        missing = [spec for spec in specs if spec.name not in existing]
        if missing:
            await _create(admin, missing)
            await _wait_for_leaders(admin, missing)
    finally:
        await admin.close()


async def describe(admin: AIOKafkaAdminClient, names: list[str]) -> list[dict[str, Any]]:
    """The metadata of topics `names`, without letting the broker auto-create them."""
    request = MetadataRequest(names, allow_auto_topic_creation=False)
    response = await admin._send_request(request)
    return response.to_object()["topics"]  # type: ignore[no-any-return]


async def partition_counts(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    """The partition count of each of `names` that exists."""
    topics = await describe(admin, names)
    return {
        topic["topic"]: len(topic["partitions"])
        for topic in topics
        if topic["error_code"] == 0 and topic["partitions"]
    }


async def _create(admin: AIOKafkaAdminClient, specs: list[TopicSpec]) -> None:
    new = [
        NewTopic(spec.name, spec.partitions, spec.replication_factor, topic_configs=spec.config)
        for spec in specs
    ]
    try:
        response = await admin.create_topics(new)
    except TopicAlreadyExistsError:  # another worker of the group created them meanwhile
        return
    for topic_error in response.topic_errors:
        name, code = topic_error[0], topic_error[1]
        if code and for_code(code) is not TopicAlreadyExistsError:
            raise BrokerError(f"cannot create topic {name!r}: {for_code(code).__name__}")
    log.info("topics.created", topics=[spec.name for spec in specs])


async def _wait_for_leaders(admin: AIOKafkaAdminClient, specs: list[TopicSpec]) -> None:
    """Wait until the metadata shows every partition of `specs` with a leader."""
    deadline = time.monotonic() + METADATA_WAIT_S
    wanted = {spec.name: spec.partitions for spec in specs}
    while True:
        topics = await describe(admin, list(wanted))
        if len(topics) == len(wanted) and all(_led(topic, wanted) for topic in topics):
            return
        if time.monotonic() > deadline:
            raise BrokerError(f"topics {sorted(wanted)} have no leaders after {METADATA_WAIT_S}s")
        await asyncio.sleep(0.1)


def _led(topic: dict[str, Any], wanted: dict[str, int]) -> bool:
    partitions = topic["partitions"]
    return (
        topic["error_code"] == 0
        and len(partitions) >= wanted.get(topic["topic"], 0)
        and all(partition["leader"] >= 0 for partition in partitions)
    )
