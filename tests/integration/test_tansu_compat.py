"""The Tansu workarounds do what they claim on the embedded broker."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from worker.kafka.tansu import true_end_offsets
from worker.kafka.topics import ensure_topics
from worker.settings import Settings


@pytest.mark.parametrize("broker", ["tansu"], indirect=True)
def test_true_end_offsets_reach_the_real_high_watermark(broker, names):
    """Where ListOffsets(latest) stops at a batch's first record, the workaround finds the end."""

    async def scenario() -> tuple[dict, dict]:
        settings = Settings(bootstrap_servers=broker.bootstrap, partitions=2)
        await ensure_topics(settings, [names.input])
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=50)
        await producer.start()
        sends = [await producer.send(names.input, b"x", partition=0) for _ in range(50)]
        await asyncio.gather(*sends)
        await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap)
        await consumer.start()
        partitions = [TopicPartition(names.input, 0), TopicPartition(names.input, 1)]
        reported = await consumer.end_offsets(partitions)
        await consumer.stop()
        return reported, await true_end_offsets(broker.bootstrap, partitions, reported)

    reported, true = asyncio.run(scenario())
    assert list(true.values()) == [50, 0]
    assert next(iter(reported.values())) <= 50
