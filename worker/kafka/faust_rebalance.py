"""Faust's rebalance can lose records: the fixes, applied to every worker (Apache Kafka or Tansu).

At the end of a rebalance Faust (faust-streaming 0.15, `Recovery._resume_streams` and
`Recovery.on_recovery_completed`) resumes the stream partitions, seeks them to their committed
offsets, then resumes flow control, which empties the stream buffers; the seek is what reads the
emptied records again. Debug traces of restarts (and `tests/integration/test_backlog.py`)
showed three ways records were lost instead:

1. aiokafka's `seek_to_committed` leaves a partition with no committed offset where it is, so
   what was fetched before the seek and then emptied is never read again.
2. The buffers are emptied after the seek (flow control was already running, resumed when
   recovery started): records fetched in between are emptied with no seek after them.
3. Records fetched before the seek but handed to the stream after it carry old offsets. Faust's
   read-offset bookkeeping then takes the offsets in between for a "gap" (acknowledged and
   committed without being processed), or drops the records read again as already read.

The fixes: (1) such partitions are rewound as the reset policy says; (2) flow control empties
the buffers only when it resumes from a suspension;
(3) the stream gets only records fetched since their partition's last seek, and gaps (offsets
missing inside one run of fetches: transaction markers, compaction) are found on that stream
instead of by Faust's read offsets. Each patch replaces one Faust or aiokafka method, here only.
Written against the pinned faust-streaming 0.15.3 and aiokafka 0.14.0: check them on upgrade.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

from aiokafka.consumer.subscription_state import TopicPartitionState


class _SeekCounted:
    """What a partition's state looked like when records were fetched: the state object (a new
    assignment makes new ones), its seek count, and the offset of its last seek (None after a
    reset, whose offset the broker decides)."""

    __slots__ = ("seeks", "since", "state")

    def __init__(self, state: TopicPartitionState) -> None:
        self.state = state
        self.seeks = getattr(state, "nw_seeks", 0)
        self.since = getattr(state, "nw_since", None)

    def current(self) -> bool:
        return getattr(self.state, "nw_seeks", 0) == self.seeks


class _Fetched(dict):  # type: ignore[type-arg]
    """The records of one fetch, with each partition's state as it was at the fetch."""

    seen: dict[Any, _SeekCounted]


class _NoReadOffsets(dict):  # type: ignore[type-arg]
    """Faust's read offsets, switched off: reads give None, writes are dropped (fix 3)."""

    def __getitem__(self, key: Any) -> None:
        return None

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def update(self, *args: Any, **kwargs: Any) -> None:
        pass


def _count_seeks() -> None:
    seek, await_reset = TopicPartitionState.seek, TopicPartitionState.await_reset

    def counted_seek(self: TopicPartitionState, position: int) -> None:
        self.nw_seeks = getattr(self, "nw_seeks", 0) + 1
        self.nw_since = position
        seek(self, position)

    def counted_reset(self: TopicPartitionState, strategy: int) -> None:
        self.nw_seeks = getattr(self, "nw_seeks", 0) + 1
        self.nw_since = None
        await_reset(self, strategy)

    TopicPartitionState.seek = counted_seek
    TopicPartitionState.await_reset = counted_reset


def _state_of(consumer: Any, tp: Any) -> TopicPartitionState | None:
    subscription = consumer._subscription.subscription
    assignment = subscription.assignment if subscription is not None else None
    if assignment is None or tp not in assignment.tps:
        return None
    return cast(TopicPartitionState, assignment.state_value(tp))


def _patch_thread() -> None:
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    fetch_records = AIOKafkaConsumerThread._fetch_records

    async def _fetch_records(self: Any, consumer: Any, *args: Any, **kwargs: Any) -> Any:
        records = await fetch_records(self, consumer, *args, **kwargs)
        fetched = _Fetched(records)
        fetched.seen = {}
        for tp in records:
            state = _state_of(consumer, tp)
            if state is not None:
                fetched.seen[tp] = _SeekCounted(state)
        return fetched

    async def seek_to_committed(self: Any) -> Any:
        return await self.call_thread(_seek_to_committed_or_reset, self)

    AIOKafkaConsumerThread._fetch_records = _fetch_records
    AIOKafkaConsumerThread.seek_to_committed = seek_to_committed


async def _seek_to_committed_or_reset(thread: Any) -> Any:
    """Fix 1: seek to the committed offsets, and rewind partitions that have none."""
    consumer = thread._ensure_consumer()
    committed = await consumer.seek_to_committed()
    changelogs = thread.app.tables.changelog_topics  # table recovery places these itself
    unset = []
    for tp, offset in committed.items():
        if tp.topic in changelogs:
            continue
        if offset == 0:  # aiokafka seeks only to offsets > 0
            consumer.seek(tp, 0)
        elif offset is None or offset < 0:
            unset.append(tp)
    if unset:
        if thread.app.conf.consumer_auto_offset_reset == "latest":
            await consumer.seek_to_end(*unset)
        else:
            await consumer.seek_to_beginning(*unset)
    return committed


def _patch_consumer() -> None:
    from faust.transport.consumer import Consumer

    init, wait_next_records, getmany = (
        Consumer.__init__,
        Consumer._wait_next_records,
        Consumer.getmany,
    )

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self._read_offset = _NoReadOffsets()
        self.nw_next: dict[Any, tuple[_SeekCounted, int]] = {}

    async def _wait_next_records(self: Any, timeout: float) -> Any:
        records, active = await wait_next_records(self, timeout)
        self.nw_fetched = getattr(records, "seen", {})
        return records, active

    async def getmany_since_seek(self: Any, timeout: float) -> AsyncIterator[Any]:
        """Fix 3: records fetched before their partition's last seek are dropped (the seek
        reads them again); an offset missing between two records of one run is a gap."""
        async for tp, message in getmany(self, timeout):
            seen = self.nw_fetched.get(tp)
            if seen is None or not seen.current():
                continue
            run = self.nw_next.get(tp)
            if run is not None and run[0].state is seen.state and run[0].seeks == seen.seeks:
                expected: int | None = run[1]
            else:  # the first record since the seek
                expected = seen.since
            offset = message.offset
            if (
                expected is not None
                and offset > expected
                and self.app.topics.acks_enabled_for(message.topic)
            ):
                await self._add_gap(tp, expected, offset - 1)
            self.nw_next[tp] = (seen, offset + 1)
            yield tp, message

    Consumer.__init__ = __init__
    Consumer._wait_next_records = _wait_next_records
    Consumer.getmany = getmany_since_seek


def _patch_flow_control() -> None:
    """Fix 2: flow control empties the stream buffers only when it resumes from a suspension.

    Faust resumes flow control when table recovery starts and again after the final seek (in
    `_resume_streams` or `on_recovery_completed`); the second resume found flow already running
    and emptied buffers holding records fetched since the seek. Stale records need no emptying:
    streams skip events of an older generation, and the seek reads what they skip again.
    """
    from mode.utils.queues import FlowControlEvent

    resume = FlowControlEvent.resume

    def resume_from_suspension(self: Any) -> None:
        if not self.is_active():
            resume(self)

    FlowControlEvent.resume = resume_from_suspension


_patched = False


def patch_faust_rebalance() -> None:
    """Apply the fixes once per process."""
    global _patched
    if _patched:
        return
    _count_seeks()
    _patch_thread()
    _patch_consumer()
    _patch_flow_control()
    _patched = True
