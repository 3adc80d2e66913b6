"""The cost of deduplication per refresh, and the size of the story state it leaves behind.

Replays the refresh fixture (`refreshes.lines(stories=N)`: N copies of a live blog crawled
twelve times plus one retry, interleaved) through `process_article` with a dict state and a
`SourceMemory`, as `worker.offline` does, timing each call; then sizes the state as JSON. A
pass that only decodes the same lines is the yardstick. Run `python -m bench.dedup_cost`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.tables import per_call_us, percentile, table
from tests.fixtures import refreshes
from worker.codec import decode_article
from worker.pipeline import dedup, process, process_article
from worker.pipeline.learning import SourceMemory
from worker.pipeline.process import Limits

NOW = datetime(2026, 12, 1, tzinfo=UTC)
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Run:
    """What one replay decided and how long each `process_article` call took."""

    seconds: list[float] = field(default_factory=list)
    # Time inside the two dedup steps `process_article` calls: matching, and the record
    # (exact hash and SimHash) each new or changed update leaves in the state.
    probes: dict[str, list[float]] = field(default_factory=lambda: {"match": [], "record_of": []})
    outcomes: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
    by_refresh: dict[int, list[float]] = field(default_factory=dict)
    events: int = 0
    state: dict[str, Any] = field(default_factory=dict)
    memory: SourceMemory = field(default_factory=SourceMemory)


def replay(articles: list[dict[str, Any]], stories: int) -> Run:
    """One pass from an empty state; state writes applied after each article, as offline does."""
    run = Run()
    for name, spent in run.probes.items():  # the bench's own probes, restored below
        setattr(process, name, _probe(getattr(dedup, name), spent))
    try:
        _feed(run, articles, stories)
    finally:
        for name in run.probes:
            setattr(process, name, getattr(dedup, name))
    return run


def _probe(function: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        result = function(*args)
        spent.append(time.perf_counter() - start)
        return result

    return timed


def _feed(run: Run, articles: list[dict[str, Any]], stories: int) -> None:
    for index, article in enumerate(articles):
        start = time.perf_counter()
        outcome = process_article(article, run.state, NOW, limits=Limits(), memory=run.memory)
        elapsed = time.perf_counter() - start
        run.seconds.append(elapsed)
        run.by_refresh.setdefault(index // stories, []).append(elapsed)
        run.state.update(outcome.state_writes)
        run.events += len(outcome.events)
        run.outcomes.update(d.outcome for d in outcome.decisions)
        run.methods.update(d.method for d in outcome.decisions)


def state_bytes(state: dict[str, Any]) -> list[int]:
    """Per story, the JSON size of its state value as a table would store it."""
    return [len(json.dumps(value, ensure_ascii=False).encode()) for value in state.values()]


def cost_rows(run: Run, lines: list[bytes], repeat: int) -> list[list[str]]:
    updates = sum(run.outcomes.values())
    total = sum(run.seconds)
    matching, recording = sum(run.probes["match"]), sum(run.probes["record_of"])
    loads = per_call_us(lambda: [json.loads(line) for line in lines], len(lines), repeat)
    decode = per_call_us(lambda: [decode_article(v, MAX_BYTES) for v in lines], len(lines), repeat)
    per_refresh = total / len(lines) * 1e6
    first, last = run.by_refresh[0], run.by_refresh[max(run.by_refresh)]
    return [
        ["cost per refresh, mean", f"{total / len(lines) * 1e3:.2f} ms"],
        ["cost per refresh, p50", f"{percentile(run.seconds, 0.5) * 1e3:.2f} ms"],
        ["cost per refresh, p95", f"{percentile(run.seconds, 0.95) * 1e3:.2f} ms"],
        ["cost, first crawl of a story (mean)", f"{sum(first) / len(first) * 1e3:.2f} ms"],
        ["cost, last crawl of a story (mean)", f"{sum(last) / len(last) * 1e3:.2f} ms"],
        ["cost per update", f"{total / updates * 1e6:.0f} us"],
        ["  in dedup.match, per refresh", f"{matching / len(lines) * 1e3:.2f} ms"],
        ["  in dedup.match, per update", f"{matching / updates * 1e6:.0f} us"],
        ["  in dedup.record_of, per refresh", f"{recording / len(lines) * 1e3:.2f} ms"],
        ["  dedup share of process_article", f"{(matching + recording) / total:.1%}"],
        ["baseline: json.loads per refresh", f"{loads:.0f} us"],
        ["  process_article / json.loads", f"{per_refresh / loads:.0f}x"],
        ["baseline: codec.decode_article per refresh", f"{decode:.0f} us"],
        ["  process_article / decode_article", f"{per_refresh / decode:.1f}x"],
    ]


def count_rows(run: Run, stories: int) -> list[list[str]]:
    updates = sum(run.outcomes.values())
    rows = [
        ["stories", str(stories)],
        ["refreshes processed (12 + 1 retry per story)", str(len(run.seconds))],
        ["updates seen (posts + summary per crawl)", str(updates)],
    ]
    rows += [[f"  outcome {k}", str(run.outcomes[k])] for k in _OUTCOMES]
    rows += [[f"  method {k}", str(run.methods[k])] for k in _METHODS]
    rows += [
        ["exact-hash cheap path share", f"{run.methods['exact'] / updates:.1%}"],
        ["events emitted", f"{run.events} ({run.events / stories:.0f} per story)"],
    ]
    return rows


_OUTCOMES = ("created", "revised", "cosmetic", "unchanged")
_METHODS = ("id", "exact", "simhash", "new")


def size_rows(run: Run) -> list[list[str]]:
    sizes = state_bytes(run.state)
    remembered = sum(len(value["updates"]) for value in run.state.values())
    return [
        ["state: stories kept", str(len(run.state))],
        ["state: updates remembered", str(remembered)],
        ["state bytes per story, mean", f"{sum(sizes) / len(sizes):,.0f} B"],
        ["state bytes per story, max", f"{max(sizes):,} B"],
        ["state bytes per remembered update", f"{sum(sizes) / remembered:,.0f} B"],
        ["source memory entries (lines)", str(run.memory.size())],
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=20, help="copies of the live blog")
    parser.add_argument("--repeat", type=int, default=3, help="replays; the fastest is kept")
    args = parser.parse_args(argv)
    lines = refreshes.lines(stories=args.stories)
    articles = [json.loads(line) for line in lines]
    runs = [replay(articles, args.stories) for _ in range(max(1, args.repeat))]
    run = min(runs, key=lambda r: sum(r.seconds))
    rows = count_rows(run, args.stories) + cost_rows(run, lines, args.repeat) + size_rows(run)
    print(table(["measure", "value"], rows))


if __name__ == "__main__":
    main()
