"""Live blogs as publishers write them: does every post come out once, whatever the layout?

Replays live blogs rendered as crawlers deliver them (`bench/replay/`: four text layouts,
crawler-split `updates`, HTML with schema.org JSON-LD; growing blogs, cosmetic and material
edits, URL variants, retries, late crawls) plus ordinary articles as controls, runs every crawl
through the pure core (`worker.pipeline.process_article`, state in a dict, one `SourceMemory`
as in `news-worker process`), and scores the events against the ground truth the renderer
recorded. Uses the public corpus staged in /work/data (`python -m bench.replay.stage`) when
present, else our own fixtures (`--own`).

    python -m bench.quality [--own] [--layout L] [--limit N] [--seed S] [--show-failures K]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime

from bench.quality_score import MEASURES, Scores, score_story
from bench.replay.blogs import available
from bench.replay.crawls import Story, stories
from bench.replay.render import VARIANTS
from bench.tables import table
from worker.errors import BadInput
from worker.pipeline import process_article
from worker.pipeline.learning import SourceMemory


def replay(all_stories: list[Story], seed: int) -> dict[str, list[list[dict]]]:
    """Run every delivery through the core, stories interleaved as traffic would be; return
    per story the events of each of its deliveries (a `rejected` marker for a crawl the core
    refused or failed on)."""
    state: dict = {}
    memory = SourceMemory()
    events: dict[str, list[list[dict]]] = {s.id + s.variant: [] for s in all_stories}
    queues = [(s.id + s.variant, list(s.deliveries)) for s in all_stories]
    rng = random.Random(seed)
    rng.shuffle(queues)
    while queues:
        still = []
        for key, queue in queues:
            delivery = queue.pop(0)
            now = delivery.article["fetched_at"]
            try:
                outcome = process_article(delivery.article, state, _moment(now), memory=memory)
            except BadInput as error:
                events[key].append([{"rejected": error.reason}])
            except Exception as error:  # a core bug: count it, keep replaying
                events[key].append([{"rejected": f"{type(error).__name__}: {error}"}])
            else:
                state.update(outcome.state_writes)
                events[key].append(outcome.events)
            if queue:
                still.append((key, queue))
        queues = still
    return events


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def columns(scores: dict[str, Scores]) -> list[str]:
    return [v for v in (*VARIANTS, "controls") if v in scores]


def print_table(scores: dict[str, Scores], header: str) -> None:
    cols = columns(scores)
    total = Scores()
    for name in cols:
        total.add(scores[name])
    rows = []
    for measure in MEASURES:
        cells = [measure.show(scores[c]) for c in cols]
        rows.append([measure.name, *cells, measure.show(total), measure.target])
    print(header)
    print(table(["measure", *cols, "all", "target"], rows))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--own", action="store_true", help="our own fixtures, not /work/data")
    parser.add_argument("--layout", choices=VARIANTS, help="one layout or input form only")
    parser.add_argument("--limit", type=int, default=0, help="at most N blogs (0: all)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--show-failures", type=int, default=0, metavar="K")
    args = parser.parse_args(argv)
    corpus = available(args.own)
    blogs = corpus.blogs[: args.limit] if args.limit else corpus.blogs
    controls = corpus.controls
    if args.limit:
        controls = controls[: max(4, args.limit // 4)]
    start = time.perf_counter()
    replayed = stories(blogs, controls, args.seed, only=args.layout, every=corpus.own)
    crawls = sum(len(s.deliveries) for s in replayed)
    events = replay(replayed, args.seed)
    core = time.perf_counter() - start
    scores: dict[str, Scores] = {}
    for story in replayed:
        column = "controls" if story.control else story.variant
        scores.setdefault(column, Scores()).add(
            score_story(story, events[story.id + story.variant])
        )
    n_blogs = sum(1 for s in replayed if not s.control)
    header = (
        f"{corpus.origin}: {n_blogs} live blogs, {len(replayed) - n_blogs} controls, "
        f"{crawls} crawls, seed {args.seed}, {core:.1f} s"
    )
    print_table(scores, header)
    if args.show_failures:
        total = Scores()
        for name in columns(scores):
            total.add(scores[name])
        total.print_failures(args.show_failures, sys.stdout)


if __name__ == "__main__":
    main()
