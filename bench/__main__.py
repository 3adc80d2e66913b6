"""Every promise measured in one run, on one broker, printed as one table.

    python -m bench [--size N] [--broker tansu|kafka]   # about 6 minutes at size 1 on Tansu

P1 duplicate-heavy throughput (`bench.throughput`), P2 NER in the stream (`bench.ner_stream`),
P3 latency, time to ready and fail-over (`bench.latency`), P4 state size and memory under TTL
eviction (`bench.memory`). Each figure stands beside the baseline measured in the same run and
the target it answers; the modules print more detail when run alone.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from bench import brokers, latency, memory, ner_stream, throughput
from bench.tables import table


@dataclass(frozen=True)
class Row:
    part: str
    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""

    def cells(self) -> list[str]:
        return [
            self.part,
            self.measure,
            self.value,
            self.baseline,
            self.ratio,
            self.target,
            self.verdict,
        ]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def p1_rows(p1: throughput.P1) -> list[Row]:
    bare = p1.records / min(p1.passthrough)
    tuned = p1.records / min(p1.passthrough_tuned)
    worker, floor = p1.rate(p1.worker), p1.rate(p1.floor)
    per = p1.traffic.update_sightings / p1.records
    found = [
        Row("P1", "passthrough (aiokafka defaults), records/s", f"{bare:,.0f}"),
        Row("P1", "passthrough (worker's zstd batches), records/s", f"{tuned:,.0f}"),
        Row(
            "P1",
            "Faust floor: the topology, no work, records/s",
            f"{floor:,.0f}",
            f"{bare:,.0f}",
            f"{floor / bare:.3f}x",
        ),
        Row(
            "P1",
            "worker (entities off), refreshes/s",
            f"{worker:,.0f}",
            f"{bare:,.0f}",
            f"{worker / bare:.3f}x",
            ">= 0.5x",
            verdict(worker / bare >= 0.5),
        ),
        Row(
            "P1",
            "worker (entities off), updates/s",
            f"{worker * per:,.0f}",
            f"{bare * per:,.0f}",
            f"{worker / bare:.3f}x",
            ">= 0.5x",
            verdict(worker / bare >= 0.5),
        ),
        Row(
            "P1",
            "worker vs tuned passthrough / vs Faust floor",
            "",
            "",
            f"{worker / tuned:.3f}x / {worker / floor:.2f}x",
        ),
        Row(
            "P1",
            "worker CPU per refresh / floor's per record, us",
            f"{p1.worker.cpu / p1.records * 1e6:,.0f}",
            f"{p1.floor.cpu / p1.records * 1e6:,.0f}",
        ),
    ]
    if p1.worker_entities is not None:
        rate = p1.rate(p1.worker_entities)
        found.append(
            Row(
                "P1",
                "worker (entities on), refreshes/s",
                f"{rate:,.0f}",
                f"{bare:,.0f}",
                f"{rate / bare:.3f}x",
            )
        )
    return found


def p2_rows(p2: ner_stream.P2) -> list[Row]:
    speed = p2.stream_rate / p2.standalone_rate
    sent = p2.tokens_sent / p2.distinct_tokens
    return [
        Row(
            "P2",
            "in-stream NER tokens/s (NER window)",
            f"{p2.stream_rate:,.0f}",
            f"{p2.standalone_rate:,.0f}",
            f"{speed:.2f}x",
            ">= 0.9x",
            verdict(speed >= 0.9),
        ),
        Row(
            "P2",
            "in-stream NER tokens/s (inside the calls)",
            f"{p2.inside_rate:,.0f}",
            f"{p2.standalone_rate:,.0f}",
            f"{p2.inside_rate / p2.standalone_rate:.2f}x",
        ),
        Row(
            "P2",
            "tokens sent to NER / distinct new tokens",
            f"{p2.tokens_sent:,}",
            f"{p2.distinct_tokens:,}",
            f"{sent:.3f}x",
            "<= 1.05x",
            verdict(sent <= 1.05),
        ),
    ]


def p3_rows(rate: float, lat: dict, ready: dict, failover: dict) -> list[Row]:  # type: ignore[type-arg]
    at = f"at {lat['rate_achieved_per_s']:.0f} rec/s (half of {2 * rate:.0f})"
    return [
        Row("P3", f"produce -> event consumed p50 ms, {at}", f"{lat['latency_p50_ms']:.0f}"),
        Row("P3", "produce -> event consumed p99 ms", f"{lat['latency_p99_ms']:.0f}"),
        Row("P3", "start -> worker.ready s (process start)", f"{ready['ready_s']:.2f}"),
        Row(
            "P3",
            "kill -9 of 1 of 2 -> survivor's event on a lost partition s",
            f"{failover['failover_s']:.2f}",
        ),
        Row(
            "P3",
            "kill -9 of 1 of 2 -> survivor's next event s",
            f"{failover['survivor_next_event_s']:.2f}",
        ),
    ]


def p4_rows(state: dict, evicting: dict, control: dict) -> list[Row]:  # type: ignore[type-arg]
    flat = abs(evicting["slope_mb_per_min"]) < 1.0
    return [
        Row(
            "P4",
            "state bytes per story (15-update live blog)",
            f"{state['json_bytes_per_story']:,.0f}",
        ),
        Row("P4", "state bytes per remembered update", f"{state['json_bytes_per_update']:,.0f}"),
        Row(
            "P4",
            "RSS MiB warm -> end, TTL 5 s",
            f"{evicting['rss_warm_mb']:.0f} -> {evicting['rss_100%_mb']:.0f}",
            f"{control['rss_warm_mb']:.0f} -> {control['rss_100%_mb']:.0f}",
        ),
        Row(
            "P4",
            "RSS slope, second half, MiB/min (vs no eviction)",
            f"{evicting['slope_mb_per_min']:+.2f}",
            f"{control['slope_mb_per_min']:+.2f}",
            "",
            "flat",
            verdict(flat),
        ),
        Row(
            "P4",
            "stories evicted / produced",
            f"{evicting['stories_evicted']:.0f} / {evicting['stories_produced']:.0f}",
        ),
    ]


HEADERS = ["", "measure", "value", "baseline", "ratio", "target", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1, help="scales traffic and durations")
    parser.add_argument(
        "--broker",
        choices=brokers.FLAVORS,
        default="tansu",
        help="tansu (the embedded broker) or kafka (Apache Kafka from deploy/kafka's jars)",
    )
    args = parser.parse_args()
    size = args.size
    brokers.use(args.broker)
    started = time.perf_counter()
    with brokers.running() as broker:
        p1 = throughput.measure(broker.bootstrap, stories=300 * size)
        p2 = ner_stream.measure(broker.bootstrap, stories=80 * size)
        rate = p2.records_rate / 2  # P3's traffic is P2's kind: new live blogs, NER on
        lat = latency.measure_latency(broker.bootstrap, rate=rate, seconds=30.0 * size)
        ready = latency.measure_ready(broker.bootstrap)
        failover = latency.measure_failover(broker.bootstrap)
        state = memory.state_size()
        evicting = memory.measure_rss(
            broker.bootstrap, seconds=40.0 * size, ttl_s=5.0, broker_pid=broker.pid
        )
        control = memory.measure_rss(
            broker.bootstrap, seconds=40.0 * size, ttl_s=None, broker_pid=broker.pid
        )
    rows = [*p1_rows(p1), *p2_rows(p2), *p3_rows(rate, lat, ready, failover)]
    rows += p4_rows(state, evicting, control)
    print(table(HEADERS, [row.cells() for row in rows]))
    traffic = p1.traffic
    print(
        f"\nP1: {p1.records:,} refreshes of {traffic.stories} live blogs, "
        f"{traffic.update_sightings:,} update sightings, {traffic.repeated_share:.1%} repeated. "
        f"P2: {p2.records:,} crawls of {p2.records // 13} new live blogs. "
        f"Broker: {args.broker}. Whole run {time.perf_counter() - started:.0f} s."
    )


if __name__ == "__main__":
    main()
