"""`news-worker process`: the same core as the streaming worker, on JSON lines, with no broker.

Reads raw articles one per line, writes one clean event per line and dead letters to their own
file. State lives in a dict for the length of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import IO, Any

from worker.codec import dead_letter, decode_article, encode_event
from worker.enricher import Enricher
from worker.errors import BadInput, InternalError
from worker.logs import get_logger
from worker.pipeline import process_article
from worker.pipeline.enrichment import story_names
from worker.pipeline.learning import SourceMemory
from worker.pipeline.story import story_id
from worker.settings import Settings

log = get_logger("worker.offline")


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
    for number, line in enumerate(lines):
        value = line.rstrip(b"\r\n")
        if not value.strip():
            continue
        counts["articles"] += 1
        try:
            try:
                article = decode_article(value, settings.max_value_bytes)
                known = story_names(state, story_id(article["url"]))
                outcome = process_article(article, state, clock(), limits=limits, memory=memory)
                if enricher is not None:
                    enricher.run([(outcome, known)])
            except BadInput:
                raise
            except Exception as exc:  # a bug must not lose the record: dead-letter it
                raise InternalError(f"{type(exc).__name__}: {exc}") from exc
        except BadInput as error:
            log.warning(
                "article.rejected",
                error_class=error.error_class,
                reason=error.reason,
                source=source_name,
                line=number + 1,
            )
            counts["dead_letters"] += 1
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
            continue
        for event in outcome.events:
            events_out.write(encode_event(event) + b"\n")
        counts["events"] += len(outcome.events)
        state.update(outcome.state_writes)
    return counts
