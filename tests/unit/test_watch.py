"""The broker watch's decisions: when to log, when to give up, when the broker came back empty."""

from __future__ import annotations

import logging

from worker.kafka.watch import Connectivity, Layout, Snapshot
from worker.logs import RepeatFilter


def test_a_lost_broker_is_logged_once_then_summarised_then_given_up():
    """Lost at the first failed probe, a summary every 30 s, give up after exit_after_s."""
    state = Connectivity(exit_after_s=100, summary_every_s=30)
    verdicts = [state.observe(False, float(t)) for t in range(0, 101, 2)]

    assert verdicts[0] == "lost"
    assert verdicts.count("still_lost") == 3
    assert verdicts[-1] == "give_up"
    assert verdicts.count(None) == len(verdicts) - 5
    assert not state.reachable


def test_a_broker_back_in_time_resets_the_clock():
    """One answer in between starts the count again: no give-up for two short outages."""
    state = Connectivity(exit_after_s=10)
    assert state.observe(False, 0.0) == "lost"
    assert state.observe(True, 8.0) == "back"
    assert state.reachable
    assert state.observe(False, 9.0) == "lost"
    assert state.observe(False, 18.0) is None
    assert state.observe(False, 19.0) == "give_up"


def _snap(cluster="c1", parts=None, ends=None):
    return Snapshot(cluster, parts or {"in": 2, "out": 2}, ends or {("out", 0): 5, ("out", 1): 3})


def test_the_same_broker_growing_is_no_change():
    """Offsets that grow and the same topics and cluster say nothing."""
    layout = Layout()
    assert layout.check(_snap()) is None
    assert layout.check(_snap(ends={("out", 0): 9, ("out", 1): 3})) is None


def test_a_broker_back_empty_is_named():
    """A new cluster id, a topic gone or with other partitions is each a reason to stop."""
    for changed, words in [
        (_snap(cluster="c2"), "cluster id changed"),
        (_snap(parts={"in": 2}), "'out' is gone"),
        (_snap(parts={"in": 2, "out": 4}), "had 2 partitions, now 4"),
    ]:
        layout = Layout()
        layout.check(_snap())
        reason = layout.check(changed)
        assert reason is not None and words in reason


def test_an_end_offset_going_back_stops_only_when_it_stays_back():
    """A lower end offset once (a new leader catching up) passes; three probes in a row stop."""
    layout = Layout()
    layout.check(_snap())
    back = _snap(ends={("out", 0): 1, ("out", 1): 3})
    assert layout.check(back) is None
    assert layout.check(_snap()) is None
    results = [layout.check(back) for _ in range(3)]
    assert results[:2] == [None, None]
    assert "went back from 5 to 1" in str(results[2])


def test_repeated_framework_warnings_pass_once_per_window_with_a_count():
    """Seventy identical aiokafka errors a second become one line, then one with the count."""
    now = [0.0]
    limit = RepeatFilter(window_s=30, clock=lambda: now[0])

    def record(name="aiokafka.conn", level=logging.ERROR, msg="Unable connect to %s"):
        return logging.LogRecord(name, level, __file__, 1, msg, ("node",), None)

    passed = [limit.filter(record()) for _ in range(70)]
    now[0] = 31.0
    later = record()

    assert passed.count(True) == 1
    assert limit.filter(later) and "69 more like this" in later.getMessage()
    assert all(limit.filter(record(name="worker.app")) for _ in range(3))
    assert all(limit.filter(record(level=logging.INFO)) for _ in range(3))
