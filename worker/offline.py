"""`news-worker process`: the same core as the streaming worker, on JSON lines, with no broker.

Reads raw articles one per line, writes one clean event per line and dead letters to their own
file. State lives in a dict for the length of the run. Like the streaming worker, it sends the
new text of a batch of articles to NER in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from itertools import islice
from typing import IO, Any

from worker.codec import dead_letter, decode_article, encode_event
from worker.enricher import Enricher
from worker.errors import BadInput, InternalError
from worker.logs import get_logger
from worker.pipeline import Outcome, process_article
from worker.pipeline.enrichment import story_names
from worker.pipeline.learning import SourceMemory
from worker.pipeline.story import story_id
from worker.settings import Settings

log = get_logger("worker.offline")
BATCH = 64


def _numbered(lines: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(lines):
        value = line.rstrip(b"\r\n")
        if value.strip():
            yield number, value


def process_lines(
    lines: Iterable[bytes],
    events_out: IO[bytes],
    deadletters_out: IO[bytes] | None,
    *,
    settings: Settings,
    clock: Callable[[], datetime],
    source_name: str = "<stdin>",
    enricher: Enricher | None = None,
) -> dict[str, int]:
    """Run every line through decode, core and enrichment; return counts of articles, events,
    dead letters. Without an enricher, entities stay empty."""
    state: dict[str, Any] = {}
    limits = settings.limits()
    memory = SourceMemory(stories_needed=settings.boilerplate_stories)
    counts = {"articles": 0, "events": 0, "dead_letters": 0}
    numbered = _numbered(lines)
    while batch := list(islice(numbered, BATCH)):
        results: list[tuple[int, bytes, Outcome | BadInput]] = []
        enrich: list[tuple[Outcome, Mapping[str, str]]] = []
        for number, value in batch:
            try:
                article = decode_article(value, settings.max_value_bytes)
                known = story_names(state, story_id(article["url"]))
                outcome = process_article(article, state, clock(), limits=limits, memory=memory)
            except BadInput as error:
                results.append((number, value, error))
                continue
            except Exception as exc:  # a bug must not lose the record: dead-letter it
                results.append((number, value, InternalError(f"{type(exc).__name__}: {exc}")))
                continue
            state.update(outcome.state_writes)
            enrich.append((outcome, known))
            results.append((number, value, outcome))
        if enricher is not None:
            enricher.run(enrich)
        for number, value, result in results:
            counts["articles"] += 1
            if isinstance(result, BadInput):
                counts["dead_letters"] += 1
                _reject(result, number, value, deadletters_out, settings, clock, source_name)
                continue
            for event in result.events:
                events_out.write(encode_event(event) + b"\n")
            counts["events"] += len(result.events)
    return counts


def _reject(
    error: BadInput,
    number: int,
    value: bytes,
    deadletters_out: IO[bytes] | None,
    settings: Settings,
    clock: Callable[[], datetime],
    source_name: str,
) -> None:
    log.warning(
        "article.rejected",
        error_class=error.error_class,
        reason=error.reason,
        source=source_name,
        line=number + 1,
    )
    if deadletters_out is not None:
        deadletters_out.write(
            dead_letter(
                error,
                value=value,
                key=None,
                topic=source_name,
                partition=None,
                offset=number,
                now=clock(),
                max_value_bytes=settings.deadletter_max_value_bytes,
            )
            + b"\n"
        )
