"""P2: NER in the streaming worker against standalone spaCy on the same texts.

The worker (a real process, entities on) reads `--stories` live blogs' refresh sequences, each
blog with text of its own (`bench.traffic.duplicate_heavy` without re-crawls), on the embedded
broker. Every NER call logs `ner.batch` (texts, tokens, its start and seconds); from those lines:
- in-stream tokens/s: all tokens sent to NER over the stream's NER window, from the start of its
  first NER call to the end of its last (what the stream sustains, the event loop's work
  between calls included), and over the seconds spent inside the calls alone;
- standalone: the same texts (rebuilt from the events `news-worker process` gives for the same
  input, as the worker cut them for NER) through `nlp.pipe` alone, batches of 64, warm;
- tokens sent to NER against the tokens of the distinct new and revised texts: 1.00 means no
  text was recognised twice.

    python -m bench.ner_stream [--stories 80]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import brokers
from bench.tables import table
from bench.throughput import WORKER, Run, produce, run_process
from bench.traffic import duplicate_heavy
from bench.worker_process import run_settings
from worker.kafka.broker import EmbeddedBroker
from worker.kafka.topics import ensure_topics
from worker.ner import SpacyExtractor
from worker.offline import process_lines
from worker.pipeline.enrichment import ner_input
from worker.settings import Settings


@dataclass(frozen=True)
class P2:
    records: int
    run: Run
    calls: int
    texts_sent: int
    tokens_sent: int
    ner_seconds: float  # inside the NER calls
    window_seconds: float  # first call's start to last call's end
    standalone_tokens: int
    standalone_seconds: float
    distinct_tokens: int

    @property
    def stream_rate(self) -> float:
        return self.tokens_sent / self.window_seconds

    @property
    def inside_rate(self) -> float:
        return self.tokens_sent / self.ner_seconds

    @property
    def standalone_rate(self) -> float:
        return self.standalone_tokens / self.standalone_seconds

    @property
    def records_rate(self) -> float:
        """Crawls per second through the worker with this NER-heavy traffic."""
        return self.records / self.run.busy


def ner_calls(log: Path) -> list[dict[str, object]]:
    calls = []
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"ner.batch"' in line:
            calls.append(json.loads(line))
    return calls


def texts_for_ner(lines: list[bytes], settings: Settings) -> list[str]:
    """The texts the worker sends to NER for `lines`: one per event, cut as the worker cuts."""
    out = io.BytesIO()
    now = datetime.now(UTC)
    process_lines(lines, out, None, settings=settings, clock=lambda: now)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    return [ner_input(e["headline"], e["text"], settings.ner_max_chars)[0] for e in events]


def measure(bootstrap: str, stories: int = 80) -> P2:
    tag = uuid.uuid4().hex[:6]
    traffic = duplicate_heavy(stories, 0, tag)
    settings = run_settings("ner", tag).with_bootstrap(bootstrap, brokers.flavor())
    asyncio.run(ensure_topics(settings, [settings.input_topic]))
    asyncio.run(produce(bootstrap, settings.input_topic, traffic.lines))
    run = run_process(bootstrap, settings, WORKER)
    calls = ner_calls(run.log)
    starts = [float(c["started"]) for c in calls]  # type: ignore[arg-type]
    ends = [float(c["started"]) + float(c["seconds"]) for c in calls]  # type: ignore[arg-type]

    texts = texts_for_ner(traffic.lines, settings)
    extractor = SpacyExtractor()
    extractor.extract(["Warm-up in Kyiv."])
    started = time.perf_counter()
    standalone_tokens = sum(len(doc) for doc in extractor.nlp.pipe(texts, batch_size=64))
    standalone_seconds = time.perf_counter() - started
    tokenizer = extractor.nlp.tokenizer
    distinct_tokens = sum(len(tokenizer(text)) for text in dict.fromkeys(texts))
    return P2(
        records=len(traffic.lines),
        run=run,
        calls=len(calls),
        texts_sent=sum(int(c["texts"]) for c in calls),  # type: ignore[call-overload]
        tokens_sent=sum(int(c["tokens"]) for c in calls),  # type: ignore[call-overload]
        ner_seconds=sum(float(c["seconds"]) for c in calls),  # type: ignore[arg-type]
        window_seconds=max(ends) - min(starts),
        standalone_tokens=standalone_tokens,
        standalone_seconds=standalone_seconds,
        distinct_tokens=distinct_tokens,
    )


def rows(result: P2) -> list[list[str]]:
    return [
        ["crawls through the worker", f"{result.records:,}"],
        ["NER calls in the stream", f"{result.calls:,}"],
        ["texts / tokens sent to NER", f"{result.texts_sent:,} / {result.tokens_sent:,}"],
        ["tokens of the distinct new and revised texts", f"{result.distinct_tokens:,}"],
        ["sent / distinct", f"{result.tokens_sent / result.distinct_tokens:.3f}x"],
        ["in-stream NER tokens/s (NER window)", f"{result.stream_rate:,.0f}"],
        ["in-stream NER tokens/s (inside the calls)", f"{result.inside_rate:,.0f}"],
        ["standalone nlp.pipe tokens/s, same texts", f"{result.standalone_rate:,.0f}"],
        ["in-stream / standalone", f"{result.stream_rate / result.standalone_rate:.2f}x"],
        ["worker crawls/s on this traffic", f"{result.records_rate:,.1f}"],
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=80)
    args = parser.parse_args()
    with EmbeddedBroker() as broker:
        result = measure(broker.bootstrap, args.stories)
    print(table(["P2 measure", "value"], rows(result)))


if __name__ == "__main__":
    main()
