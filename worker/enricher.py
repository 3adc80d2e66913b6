"""The shell side of enrichment: the NER model, the alias file, and one batched NER call.

Shared by the streaming worker (which calls `run` in a worker thread) and `news-worker process`.
The alias file is re-read when its modification time or size changes: edit it, and the next
batch uses it. A file that cannot be read or parsed (half-written, invalid) leaves the last good
table in use and is logged once per change; with no good table yet, the bundled one serves.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from worker.logs import get_logger
from worker.pipeline.enrichment import enrich, ner_requests
from worker.pipeline.entities import AliasTable, Mention
from worker.pipeline.gazetteer import find_place
from worker.pipeline.process import Outcome

log = get_logger("worker.enricher")


class Extractor(Protocol):
    def extract(self, texts: Sequence[str]) -> list[list[Mention]]: ...


@dataclass(frozen=True)
class NerBatch:
    """What one NER call did: texts and tokens in, seconds spent (for logs and benchmarks)."""

    texts: int
    tokens: int
    seconds: float
    started: float  # wall clock (epoch seconds) when the call began


class Enricher:
    """Entities for the new and revised updates of a batch of outcomes."""

    def __init__(
        self, extractor: Extractor | None, max_chars: int, aliases_file: str | None = None
    ) -> None:
        self.extractor = extractor
        self.max_chars = max_chars
        self.aliases_file = Path(aliases_file) if aliases_file else None
        self._aliases: AliasTable | None = None
        self._aliases_seen: tuple[int, int] | None = (-1, -1)  # never read yet
        self.texts_sent = 0
        self.chars_sent = 0

    def aliases(self) -> AliasTable:
        """The alias table, re-read when its file changed since the last batch; the last good
        table while the file is broken."""
        seen = self._file_version()
        if self.aliases_file is not None and seen != self._aliases_seen:
            self._aliases_seen = seen
            fresh = self._reload() if seen is not None else None
            self._aliases = fresh if fresh is not None else self._aliases
        if self._aliases is None:  # no file, or never a good one: the bundled table serves
            self._aliases = AliasTable.load()
        return self._aliases

    def _file_version(self) -> tuple[int, int] | None:
        """The alias file's modification time and size; None when it cannot be read (logged
        once per change)."""
        if self.aliases_file is None:
            return None
        try:
            stat = self.aliases_file.stat()
        except OSError as exc:
            if self._aliases_seen is not None:
                log.error("aliases.unreadable", file=str(self.aliases_file), error=str(exc)[:200])
            return None
        return stat.st_mtime_ns, stat.st_size

    def _reload(self) -> AliasTable | None:
        try:
            return AliasTable.load(self.aliases_file)
        except Exception as exc:  # any broken content: keep serving with the last good table
            log.error(
                "aliases.invalid",
                file=str(self.aliases_file),
                error=f"{type(exc).__name__}: {exc}"[:200],
                kept="last good table" if self._aliases is not None else "bundled table",
            )
            return None

    def warm(self) -> None:
        """Load the model and the gazetteers now rather than on the first batch."""
        if self.extractor is not None:
            self.extractor.extract(["Warm-up in Kyiv."])
            self.aliases()
            find_place("Kyiv")

    def run(
        self,
        items: Sequence[tuple[Outcome, Mapping[str, str]]],
        names: dict[str, Any] | None = None,
    ) -> NerBatch | None:
        """Enrich each outcome (with its story's name memory before the batch), in order, with
        one NER call for all of them; None when there was nothing to send.

        `names` carries each story's name memory from one call to the next, for a batch sent
        in several calls: a story already in it continues from there, not from `items`.
        """
        if self.extractor is None:
            return None
        requests = [ner_requests(outcome, self.max_chars) for outcome, _ in items]
        texts = [request.text for batch in requests for request in batch]
        if not texts:
            return None
        self.texts_sent += len(texts)
        self.chars_sent += sum(map(len, texts))
        tokens_before = getattr(self.extractor, "tokens", 0)
        wall, started = time.time(), time.perf_counter()
        found = iter(self.extractor.extract(texts))
        stats = NerBatch(
            len(texts),
            getattr(self.extractor, "tokens", 0) - tokens_before,
            time.perf_counter() - started,
            wall,
        )
        aliases = self.aliases()
        names = {} if names is None else names
        for (outcome, known), batch in zip(items, requests, strict=True):
            story = outcome.story_id
            before = names.get(story, known)
            enrich(outcome, batch, [next(found) for _ in batch], aliases, before)
            state = outcome.state_writes.get(story)
            if state is not None:
                names[story] = state["names"]
        return stats


def enricher_for(settings: Any) -> Enricher:
    """The enricher the settings ask for: spaCy NER, or none when entities are switched off."""
    extractor = None
    if settings.entities:
        from worker.ner import ProcessExtractor

        extractor = ProcessExtractor()
    return Enricher(extractor, settings.ner_max_chars, settings.aliases_file)
