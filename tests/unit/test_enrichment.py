"""Enrichment: NER sees only new and revised text, and its mentions become event entities."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import ClassVar

from tests.fixtures import refreshes
from worker.enricher import Enricher
from worker.offline import process_lines
from worker.pipeline.entities import Mention
from worker.settings import Settings

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


class RecordingExtractor:
    """A fake NER model: finds every occurrence of a few names, and records what it was sent."""

    NAMES: ClassVar[dict[str, str]] = {
        "Rhian Osei": "PERSON",
        "Port Alder": "GPE",
        "Brightline": "ORG",
        "Osei": "PERSON",
    }

    def __init__(self) -> None:
        self.texts: list[str] = []

    def extract(self, texts: Sequence[str]) -> list[list[Mention]]:
        self.texts.extend(texts)
        found = []
        for text in texts:
            mentions = []
            for name, label in self.NAMES.items():
                start = text.find(name)
                while start != -1:
                    if not any(m.start <= start < m.end for m in mentions):
                        mentions.append(Mention(start, start + len(name), label, name))
                    start = text.find(name, start + 1)
            found.append(mentions)
        return found


def run(extractor: RecordingExtractor, max_chars: int = 10_000) -> list[dict[str, object]]:
    out = io.BytesIO()
    enricher = Enricher(extractor, max_chars)
    process_lines(
        refreshes.lines(), out, None, settings=Settings(), clock=lambda: NOW, enricher=enricher
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_ner_sees_only_the_text_of_new_and_revised_updates() -> None:
    """Across twelve refreshes, NER gets exactly one text per emitted event."""
    extractor = RecordingExtractor()
    events = run(extractor)
    assert len(extractor.texts) == len(events) == 19
    sent = sum(len(text) for text in extractor.texts)
    crawled = sum(len(json.loads(line)["text"]) for line in refreshes.lines())
    assert sent < crawled / 4


def test_mentions_become_entities_with_offsets_into_the_ner_input() -> None:
    """Each entity's mention offsets point at its surface form in headline + blank line + text."""
    events = run(RecordingExtractor())
    for event in events:
        ner_text = (
            (event["headline"] + "\n\n" + event["text"]) if event["headline"] else (event["text"])
        )
        for entity in event["entities"]:
            for start, end in entity["mentions"]:
                assert ner_text[start:end] in RecordingExtractor.NAMES


def test_long_text_is_cut_for_ner_and_the_event_says_so() -> None:
    """Above the cap, NER sees a prefix ending at a sentence boundary; the event is flagged."""
    extractor = RecordingExtractor()
    events = run(extractor, max_chars=80)
    assert all(len(text) <= 80 for text in extractor.texts)
    assert any(event["entities_truncated"] for event in events)


def test_an_edited_alias_file_is_used_by_the_next_batch(tmp_path) -> None:
    """The alias table is data: edit the file and the running enricher picks it up."""
    import os

    path = tmp_path / "aliases.json"
    entry = {
        "canonical": "Harbour Herald Group",
        "label": "ORG",
        "id": "nw:hhg",
        "aliases": ["HHG"],
    }
    path.write_text(json.dumps({"entities": []}))
    enricher = Enricher(RecordingExtractor(), 10_000, str(path))
    assert enricher.aliases().lookup("HHG") is None
    path.write_text(json.dumps({"entities": [entry]}))
    os.utime(path, (1_900_000_000, 1_900_000_000))
    assert enricher.aliases().lookup("HHG") == ("Harbour Herald Group", "nw:hhg", "ORG")


def _touch(path, when: int) -> None:
    import os

    os.utime(path, (when, when))


def test_a_half_written_alias_file_keeps_the_last_good_table(tmp_path) -> None:
    """A broken file is logged once per change; the last good table serves until it is fixed."""
    from structlog.testing import capture_logs

    path = tmp_path / "aliases.json"
    entry = {
        "canonical": "Harbour Herald Group",
        "label": "ORG",
        "id": "nw:hhg",
        "aliases": ["HHG"],
    }
    path.write_text(json.dumps({"entities": [entry]}))
    enricher = Enricher(RecordingExtractor(), 10_000, str(path))
    assert enricher.aliases().lookup("HHG") is not None
    with capture_logs() as logs:
        for n, broken in enumerate(['{"entities": [{"canon', "[1, 2]", '{"entities": [{}]}']):
            path.write_text(broken)
            _touch(path, 1_900_000_000 + n)
            assert enricher.aliases().lookup("HHG") is not None
            assert enricher.aliases().lookup("HHG") is not None  # same file: no second log
    assert [entry["event"] for entry in logs] == ["aliases.invalid"] * 3
    path.write_text(json.dumps({"entities": []}))
    _touch(path, 1_900_000_100)
    assert enricher.aliases().lookup("HHG") is None


def test_a_missing_or_broken_alias_file_at_start_serves_the_bundled_table(tmp_path) -> None:
    """With no good file ever read, the bundled table serves; nothing raises."""
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        missing = Enricher(RecordingExtractor(), 10_000, str(tmp_path / "nope.json"))
        assert missing.aliases().lookup("DPRK") is not None
        broken = tmp_path / "broken.json"
        broken.write_bytes(b"\xff\xfe{")
        assert Enricher(None, 10_000, str(broken)).aliases().lookup("DPRK") is not None
    assert [entry["event"] for entry in logs] == ["aliases.unreadable", "aliases.invalid"]
