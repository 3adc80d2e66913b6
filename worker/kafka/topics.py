"""Topic set-up: the worker's topics are created explicitly, with the configured partition count,
before any agent starts (a broker's auto-created topics would get its own default count).
"""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from worker.errors import BrokerError
from worker.kafka.client import client_options
from worker.settings import Settings


def worker_topics(settings: Settings) -> list[str]:
    """Every topic the worker reads or writes, internal repartition topic included."""
    return [
        settings.input_topic,
        repartition_topic(settings),
        settings.output_topic,
        settings.deadletter_topic,
    ]


def repartition_topic(settings: Settings) -> str:
    """The internal topic that carries valid articles keyed by story id."""
    return f"{settings.group_id}-articles-by-story"


async def ensure_topics(settings: Settings, names: list[str] | None = None) -> None:
    """Create the topics that do not exist yet; an existing topic is left as it is."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        wanted = names or worker_topics(settings)
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return
        response = await admin.create_topics(
            [NewTopic(name, settings.partitions, settings.replication_factor) for name in missing]
        )
        for topic_error in response.topic_errors:
            name, code = topic_error[0], topic_error[1]
            if code and for_code(code) is not TopicAlreadyExistsError:
                raise BrokerError(f"cannot create topic {name!r}: {for_code(code).__name__}")
    except TopicAlreadyExistsError:
        return
    finally:
        await admin.close()
