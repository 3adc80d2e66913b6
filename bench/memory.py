"""P4: the memory the worker needs: story state per story and per update, and its RSS over time.

- State size: the `bench.dedup_cost` replay of the refresh fixture (offline, one process), sized
  as JSON (what the changelog carries) and as Python objects (what the in-memory table holds,
  measured with tracemalloc on a copy decoded from that JSON), plus the learned-boilerplate
  memory per source.
- RSS: `news-worker run` (a real process, entities on) fed an endless series of new live blogs
  (`bench.live_traffic`: each crawled its refresh sequence, then abandoned) at a steady rate,
  with a TTL of a few seconds and a 2 s eviction timer, VmRSS sampled every second. The worker
  judges a story's age by its latest `fetched_at` (`process.is_expired`: the "seen" field)
  against its own clock, so the traffic stamps `fetched_at` when it produces a record. A
  control run with the default TTL (72 h: nothing is evicted) shows what eviction saves.

    python -m bench.memory [--seconds 40] [--size 1] [--rate 40] [--ttl 5] [--no-control]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pickle
import time
import tracemalloc
from typing import Any

from bench.dedup_cost import replay, state_bytes
from bench.live_traffic import CRAWLS_PER_STORY, endless, produce_steady
from bench.tables import table
from bench.worker_process import RunNames, WorkerProcess, rss_mb_of, worker_env
from tests.fixtures import refreshes
from worker.kafka.broker import EmbeddedBroker

READY_TIMEOUT_S = 120.0
SHARES = (0.25, 0.5, 0.75, 1.0)


def _heap_bytes(make: Any) -> int:
    """Bytes tracemalloc sees allocated by `make()` and still held by what it returns."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = make()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return after - before


def state_size(stories: int = 20) -> dict[str, float]:
    """Story state after the refresh fixture (`stories` copies): JSON bytes per story and per
    remembered update, the same state as Python objects, and the source memory per source."""
    articles = [json.loads(line) for line in refreshes.lines(stories=stories)]
    run = replay(articles, stories)
    sizes = state_bytes(run.state)
    remembered = sum(len(value["updates"]) for value in run.state.values())
    # One value at a time, as the table decodes them (json.loads shares repeated keys in a call).
    encoded = [json.dumps(value, ensure_ascii=False) for value in run.state.values()]
    heap = _heap_bytes(lambda: [json.loads(value) for value in encoded])
    frozen = pickle.dumps(run.memory)
    sources = len({article["source"] for article in articles})
    return {
        "stories": len(run.state),
        "updates_remembered": remembered,
        "json_bytes_per_story": sum(sizes) / len(sizes),
        "json_bytes_per_update": sum(sizes) / remembered,
        "heap_bytes_per_story": heap / len(run.state),
        "heap_bytes_per_update": heap / remembered,
        "source_memory_lines_per_source": run.memory.size() / sources,
        "source_memory_heap_bytes_per_source": _heap_bytes(lambda: pickle.loads(frozen)) / sources,
    }


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB) samples, in MiB per minute."""
    n = len(samples)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    return sum((t - mean_t) * (m - mean_m) for t, m in samples) / spread * 60 if spread else 0.0


async def _sample(
    worker: WorkerProcess, broker_pid: int | None, seconds: float
) -> list[tuple[float, float, float]]:
    """(seconds since the first sample, worker MiB, broker MiB) once a second."""
    samples, started = [], time.monotonic()
    while (elapsed := time.monotonic() - started) <= seconds:
        if not worker.alive():
            raise RuntimeError(f"the worker exited: see {worker.log_path}")
        broker = rss_mb_of(broker_pid) if broker_pid else 0.0
        samples.append((elapsed, worker.rss_mb(), broker))
        await asyncio.sleep(max(0.0, len(samples) - (time.monotonic() - started)))
    return samples


async def _rss(
    bootstrap: str,
    seconds: float,
    rate: float,
    ttl_s: float | None,
    warmup_s: float,
    stories: int,
    broker_pid: int | None,
) -> dict[str, float]:
    names = RunNames()
    await names.create_topics(bootstrap)
    extra = {"NEWS_WORKER_EVICTION_INTERVAL_S": "2"}
    if ttl_s is not None:
        extra["NEWS_WORKER_STORY_TTL_HOURS"] = repr(ttl_s / 3600)
    stop = asyncio.Event()
    with WorkerProcess(worker_env(bootstrap, names, **extra), "memory") as worker:
        await worker.wait_for("worker.ready", READY_TIMEOUT_S)
        traffic = asyncio.create_task(
            produce_steady(
                bootstrap, names.settings.input_topic, endless(names.tag, stories), rate, stop=stop
            )
        )
        try:
            await asyncio.sleep(warmup_s)
            samples = await _sample(worker, broker_pid, seconds)
        finally:
            stop.set()
            produced = await traffic
        evicted = sum(int(record["count"]) for record in worker.events("story.evicted"))
        published = len(worker.events("update.published"))
    return _rss_figures(samples, produced, evicted, published)


def _rss_figures(
    samples: list[tuple[float, float, float]], produced: int, evicted: int, published: int
) -> dict[str, float]:
    figures: dict[str, float] = {
        "records_produced": produced,
        "stories_produced": produced // CRAWLS_PER_STORY,
        "events_published": published,
        "stories_evicted": evicted,
        "rss_warm_mb": samples[0][1],
    }
    for share in SHARES:
        figures[f"rss_{share:.0%}_mb"] = samples[round(share * (len(samples) - 1))][1]
    second_half = samples[len(samples) // 2 :]
    figures["rss_peak_mb"] = max(mb for _, mb, _ in samples)
    figures["slope_mb_per_min"] = slope_mb_per_min([(t, mb) for t, mb, _ in second_half])
    figures["broker_rss_start_mb"] = samples[0][2]
    figures["broker_rss_end_mb"] = samples[-1][2]
    return figures


def measure_rss(
    bootstrap: str,
    seconds: float = 40.0,
    rate: float = 40.0,
    ttl_s: float | None = 5.0,
    *,
    warmup_s: float = 10.0,
    stories: int = 8,
    broker_pid: int | None = None,
) -> dict[str, float]:
    """The worker's RSS (MiB) under `seconds` of new stories at `rate` records/s after
    `warmup_s`: at warm-up end and at 25/50/75/100% of the run, the least-squares slope over the
    second half (MiB/min) and the stories the eviction timer (2 s) reports evicted. `ttl_s`
    None keeps the default TTL (the control: nothing is evicted). With `broker_pid`, the
    broker's RSS at the start and end of the sampling too (Tansu keeps every record)."""
    return asyncio.run(_rss(bootstrap, seconds, rate, ttl_s, warmup_s, stories, broker_pid))


def _state_rows(size: dict[str, float]) -> list[list[str]]:
    return [
        ["stories (refresh fixture, offline replay)", f"{size['stories']:.0f}"],
        ["updates remembered", f"{size['updates_remembered']:.0f}"],
        ["state JSON bytes per story", f"{size['json_bytes_per_story']:,.0f} B"],
        ["state JSON bytes per remembered update", f"{size['json_bytes_per_update']:,.0f} B"],
        ["state as Python objects per story", f"{size['heap_bytes_per_story']:,.0f} B"],
        ["state as Python objects per update", f"{size['heap_bytes_per_update']:,.0f} B"],
        ["source memory lines per source", f"{size['source_memory_lines_per_source']:.0f}"],
        [
            "source memory per source (Python objects)",
            f"{size['source_memory_heap_bytes_per_source']:,.0f} B",
        ],
    ]


_RSS_ROWS = [
    ("records produced", "records_produced", "{:,.0f}"),
    ("stories produced (new live blogs)", "stories_produced", "{:,.0f}"),
    ("events published", "events_published", "{:,.0f}"),
    ("stories evicted (story.evicted)", "stories_evicted", "{:,.0f}"),
    ("RSS at warm-up end MiB", "rss_warm_mb", "{:.1f}"),
    *[(f"RSS at {s:.0%} MiB", f"rss_{s:.0%}_mb", "{:.1f}") for s in SHARES],
    ("RSS peak MiB", "rss_peak_mb", "{:.1f}"),
    ("RSS slope, second half, MiB/min", "slope_mb_per_min", "{:+.2f}"),
    ("broker RSS at start / end MiB", None, ""),
]


def _rss_rows(runs: list[dict[str, float]]) -> list[list[str]]:
    rows = []
    for label, key, form in _RSS_ROWS:
        if key is None:
            cells = [f"{r['broker_rss_start_mb']:.0f} / {r['broker_rss_end_mb']:.0f}" for r in runs]
        else:
            cells = [form.format(r[key]) for r in runs]
        rows.append([label, *cells])
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="sampled run, per run")
    parser.add_argument("--size", type=float, default=1.0, help="multiplies --seconds")
    parser.add_argument("--rate", type=float, default=40.0, help="records/s")
    parser.add_argument("--ttl", type=float, default=5.0, help="story TTL, seconds")
    parser.add_argument("--stories", type=int, default=8, help="live blogs crawled at a time")
    parser.add_argument("--no-control", action="store_true", help="skip the default-TTL run")
    args = parser.parse_args(argv)
    size = state_size()
    seconds = args.seconds * args.size
    header = ["measure", f"TTL {args.ttl:g} s"]
    with EmbeddedBroker() as broker:
        common = {"stories": args.stories, "broker_pid": broker.pid}
        runs = [measure_rss(broker.bootstrap, seconds, args.rate, args.ttl, **common)]
        if not args.no_control:
            header.append("control: TTL 72 h")
            runs.append(measure_rss(broker.bootstrap, seconds, args.rate, None, **common))
    print(table(["measure", "value"], _state_rows(size)))
    print()
    print(table(header, _rss_rows(runs)))


if __name__ == "__main__":
    main()
