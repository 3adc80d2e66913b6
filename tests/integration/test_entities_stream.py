"""Entities through the broker: the streaming worker runs spaCy off its event loop."""

from __future__ import annotations

import json


def test_streamed_events_carry_canonical_entities(names, start_worker, produce, consume):
    """A new update's entities come out canonicalised (the DPRK is North Korea), once."""
    article = {
        "url": "https://wire.example/world/summit",
        "fetched_at": "2026-11-24T10:00:00Z",
        "source": "Wire",
        "updates": [
            {
                "id": "a1",
                "headline": "Envoys meet in Geneva",
                "text": "Diplomats from the DPRK met officials of the United Nations in Geneva on "
                "Monday, the foreign ministry in Seoul said. Vladimir Putin sent a message.",
            }
        ],
    }
    worker = start_worker(NEWS_WORKER_ENTITIES="on")
    worker.wait_ready()
    line = json.dumps(article).encode()
    produce(names.input, [line, line])

    records = consume(names.output, 1, settle=3.0)

    assert len(records) == 1
    entities = {e["canonical"]: e for e in records[0].json()["entities"]}
    assert entities["North Korea"]["label"] == "GPE"
    assert entities["North Korea"]["id"] == "KP"
    assert "Vladimir Putin" in entities
