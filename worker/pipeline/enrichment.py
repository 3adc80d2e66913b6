"""Enrichment: entities for the events of a crawl, and the story's memory of names.

Two pure steps around the NER model, which the shell runs in between (batched, off the event
loop): `ner_requests` lists the texts of new and revised updates only (text dedup has already
seen never reaches NER), and `enrich` links the mentions found into each event's `entities` and
updates the story's short-name memory in the state the outcome will write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from worker.pipeline.entities import AliasTable, Mention, link_entities, ner_input
from worker.pipeline.process import Outcome

MAX_NAMES_PER_STORY = 200


@dataclass(frozen=True)
class NerRequest:
    """The NER input of one event of an outcome."""

    event_index: int
    text: str
    truncated: bool


def ner_requests(outcome: Outcome, max_chars: int) -> list[NerRequest]:
    """One request per event: its headline and text, cut at a sentence boundary if too long."""
    requests = []
    for index, event in enumerate(outcome.events):
        text, truncated = ner_input(event["headline"], event["text"], max_chars)
        requests.append(NerRequest(index, text, truncated))
    return requests


def enrich(
    outcome: Outcome,
    requests: Sequence[NerRequest],
    mentions: Sequence[Sequence[Mention]],
    aliases: AliasTable,
    known: Mapping[str, str],
) -> None:
    """Fill each requested event's entities; remember new full names in the story's state.

    `known` is the story's name memory before this crawl (short name -> full name).
    """
    names = dict(known)
    for request, found in zip(requests, mentions, strict=True):
        entities, learned = link_entities(request.text, found, names, aliases)
        event = outcome.events[request.event_index]
        event["entities"] = entities
        event["entities_truncated"] = request.truncated
        names.update(learned)
    state = outcome.state_writes.get(outcome.story_id)
    if state is not None:  # the newest names, also over a copy taken before this batch
        state["names"] = dict(list(names.items())[-MAX_NAMES_PER_STORY:])


def story_names(state: Mapping[str, Any], story_id: str) -> Mapping[str, str]:
    """The name memory of a story in a state mapping (empty when the story is unknown)."""
    stored = state.get(story_id)
    return stored.get("names", {}) if stored else {}
