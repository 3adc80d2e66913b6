"""How much of a refresh replay reaches NER, and at what speed, against standalone spaCy.

Replays the refresh fixture (`--stories` copies) through `news-worker process`'s code path with
the real spaCy extractor, counting the tokens sent to NER against the raw tokens of every crawl,
and times NER in-pipeline against `nlp.pipe` on the same texts alone.

    python -m bench.ner_share [--stories N]
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import UTC, datetime

import orjson

from bench.tables import table
from tests.fixtures import refreshes
from worker.enricher import Enricher
from worker.ner import SpacyExtractor
from worker.offline import process_lines
from worker.settings import Settings

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


class RecordingExtractor(SpacyExtractor):
    """The real extractor, also keeping the texts it was sent and the time spent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []
        self.seconds = 0.0

    def extract(self, texts):  # type: ignore[no-untyped-def]
        self.sent.extend(texts)
        started = time.perf_counter()
        try:
            return super().extract(texts)
        finally:
            self.seconds += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=10)
    args = parser.parse_args()
    lines = refreshes.lines(stories=args.stories)
    extractor = RecordingExtractor()
    extractor.extract(["Warm-up in Kyiv."])
    extractor.sent.clear()
    extractor.seconds, extractor.tokens = 0.0, 0
    enricher = Enricher(extractor, Settings().ner_max_chars)
    started = time.perf_counter()
    counts = process_lines(
        lines, io.BytesIO(), None, settings=Settings(), clock=lambda: NOW, enricher=enricher
    )
    total = time.perf_counter() - started
    tokenizer = extractor.nlp.tokenizer
    raw_tokens = sum(len(tokenizer(orjson.loads(line)["text"])) for line in lines)
    sent_tokens = extractor.tokens
    started = time.perf_counter()
    alone = sum(len(doc) for doc in extractor.nlp.pipe(extractor.sent, batch_size=64))
    standalone = time.perf_counter() - started
    print(
        table(
            ["measure", "value"],
            [
                ["crawls replayed", f"{counts['articles']:,}"],
                ["events emitted", f"{counts['events']:,}"],
                ["raw tokens in all crawls", f"{raw_tokens:,}"],
                ["tokens sent to NER", f"{sent_tokens:,}"],
                ["share of raw tokens that reached NER", f"{sent_tokens / raw_tokens:.1%}"],
                [
                    "texts sent to NER per event emitted",
                    f"{len(extractor.sent) / counts['events']:.2f}",
                ],
                ["NER in the pipeline, tokens/s", f"{sent_tokens / extractor.seconds:,.0f}"],
                ["standalone nlp.pipe, tokens/s", f"{alone / standalone:,.0f}"],
                [
                    "in-pipeline / standalone",
                    f"{(sent_tokens / extractor.seconds) / (alone / standalone):.2f}x",
                ],
                ["whole replay (clean, dedup, NER, link) s", f"{total:.2f}"],
                ["of which NER s", f"{extractor.seconds:.2f}"],
            ],
        )
    )


if __name__ == "__main__":
    main()
