"""The rebalance fixes' small parts: rewinding partitions with no committed offset, seek counts."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from aiokafka.consumer.subscription_state import TopicPartitionState
from aiokafka.structs import TopicPartition as TP

from worker.kafka.faust_rebalance import (
    _NoReadOffsets,
    _seek_to_committed_or_reset,
    _SeekCounted,
    patch_faust_rebalance,
)

INPUT, CHANGELOG = "raw", "group-stories-changelog"


class FakeConsumer:
    def __init__(self, committed: dict[TP, int | None]) -> None:
        self.committed = committed
        self.calls: list[tuple[str, Any]] = []

    async def seek_to_committed(self) -> dict[TP, int | None]:
        return self.committed

    def seek(self, tp: TP, offset: int) -> None:
        self.calls.append(("seek", (tp, offset)))

    async def seek_to_beginning(self, *tps: TP) -> None:
        self.calls.append(("beginning", set(tps)))

    async def seek_to_end(self, *tps: TP) -> None:
        self.calls.append(("end", set(tps)))


def thread_for(consumer: FakeConsumer, reset: str = "earliest") -> Any:
    app = SimpleNamespace(
        tables=SimpleNamespace(changelog_topics={CHANGELOG}),
        conf=SimpleNamespace(consumer_auto_offset_reset=reset),
    )
    return SimpleNamespace(app=app, _ensure_consumer=lambda: consumer)


async def test_partitions_without_a_commit_are_rewound_to_the_reset_policy() -> None:
    committed = {TP(INPUT, 0): 12, TP(INPUT, 1): None, TP(INPUT, 2): -1, TP(CHANGELOG, 0): None}
    consumer = FakeConsumer(committed)
    assert await _seek_to_committed_or_reset(thread_for(consumer)) == committed
    assert consumer.calls == [("beginning", {TP(INPUT, 1), TP(INPUT, 2)})]

    consumer = FakeConsumer(committed)
    await _seek_to_committed_or_reset(thread_for(consumer, reset="latest"))
    assert consumer.calls == [("end", {TP(INPUT, 1), TP(INPUT, 2)})]


async def test_a_commit_of_offset_0_is_sought_too() -> None:
    consumer = FakeConsumer({TP(INPUT, 0): 0, TP(CHANGELOG, 0): 0})
    await _seek_to_committed_or_reset(thread_for(consumer))
    assert consumer.calls == [("seek", (TP(INPUT, 0), 0))]


async def test_every_seek_or_reset_of_a_partition_is_counted() -> None:
    patch_faust_rebalance()
    state = TopicPartitionState(assignment=None)
    before = _SeekCounted(state)
    state.seek(40)
    assert not before.current()
    after = _SeekCounted(state)
    assert (after.current(), after.since) == (True, 40)
    state.await_reset(1)
    assert not after.current()
    assert _SeekCounted(state).since is None


def test_faust_read_offsets_are_switched_off() -> None:
    offsets = _NoReadOffsets()
    offsets[TP(INPUT, 0)] = 5
    offsets.update({TP(INPUT, 1): 6})
    assert offsets[TP(INPUT, 0)] is None
    assert offsets.pop(TP(INPUT, 0), None) is None


async def test_flow_control_empties_the_buffers_only_when_it_resumes_from_a_suspension() -> None:
    """A resume while flow is running (Faust's second one, after the seek) keeps what the
    stream buffers hold: records fetched since the seek are read nowhere else."""
    from mode.utils.queues import FlowControlEvent, FlowControlQueue

    patch_faust_rebalance()
    flow = FlowControlEvent(initially_suspended=False)
    buffer: FlowControlQueue[int] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
    buffer.put_nowait(1)
    flow.resume()
    assert buffer.qsize() == 1
    flow.suspend()
    flow.resume()
    assert buffer.qsize() == 0
