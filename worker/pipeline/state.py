"""Story state: what a story remembers between crawls, typed, versioned and bounded in bytes.

The table holds one JSON value per story, written by `StoryState.to_value` (schema 2, named
fields) and read by `StoryState.from_value`, which also reads the short-keyed form the first
release wrote (no `schema` field). Remembered updates keep their latest text for near-duplicate
matching and revisions; when a story outgrows its bounds (updates or bytes), the least recently
seen updates are forgotten down to a hash and a version (`known`), which still stops their text
from being published again as new. Pure: standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA = 2
# Text an update keeps in state, and the most any comparison looks at: longer texts are compared
# (and remembered) by this prefix, and their full hash tells whether anything after it changed.
STORED_TEXT_MAX_CHARS = 20_000
# A remembered update's share of the story's byte budget; the rest holds forgotten updates'
# hashes and the page's line hashes.
UPDATES_SHARE = 0.7
LINES_SHARE = 0.1
_KNOWN_BYTES = 56  # one forgotten update as JSON: "u<16 hex>":["<24 hex>",v],


_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _json_bytes(text: str) -> int:
    """An upper bound of the bytes `text` takes as a JSON string (an escape takes at most 6)."""
    if text.isascii() and text.isprintable():
        return len(text) + text.count('"') + text.count("\\")
    return len(text.encode("utf-8")) + 5 * len(_ESCAPED.findall(text))


@dataclass
class UpdateRecord:
    """One remembered update: its version, the hash of its comparison form, its latest text."""

    version: int
    hash: str
    headline: str
    text: str
    kind: str = "post"
    seen: str = ""  # fetched_at of the latest crawl that showed (or changed) it

    def to_value(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "hash": self.hash,
            "headline": self.headline,
            "text": self.text,
            "kind": self.kind,
            "seen": self.seen,
        }

    @classmethod
    def from_value(cls, value: Mapping[str, Any]) -> UpdateRecord:
        if "hash" in value:
            return cls(
                int(value["version"]),
                str(value["hash"]),
                str(value["headline"]),
                str(value["text"]),
                str(value.get("kind", "post")),
                str(value.get("seen", "")),
            )
        # The first release's short keys.
        return cls(
            int(value["v"]),
            str(value["h"]),
            str(value["hl"]),
            str(value["t"]),
            str(value.get("k", "post")),
            str(value.get("at", "")),
        )

    def size(self) -> int:
        """Bytes this record takes in the stored JSON (an upper bound, without encoding it)."""
        return _json_bytes(self.text) + _json_bytes(self.headline) + len(self.seen) + 120


@dataclass
class StoryState:
    """Everything one story remembers."""

    seen: str  # fetched_at of the newest crawl processed
    page: str = ""  # fingerprint of the last page (the cheap path for an unchanged re-crawl)
    content: str | None = None  # fingerprint of the last page's updates as matching sees them
    lines: str = ""  # 16-hex hashes of the last page's content lines, in order
    updates: dict[str, UpdateRecord] = field(default_factory=dict)
    known: dict[str, tuple[str, int]] = field(default_factory=dict)  # forgotten: id -> (hash, v)
    names: dict[str, str] = field(default_factory=dict)  # short name -> full name (entities)

    def to_value(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "seen": self.seen,
            "page": self.page,
            "content": self.content,
            "lines": self.lines,
            "updates": {uid: record.to_value() for uid, record in self.updates.items()},
            "known": {uid: list(pair) for uid, pair in self.known.items()},
            "names": dict(self.names),
        }

    @classmethod
    def from_value(cls, value: Mapping[str, Any]) -> StoryState:
        """The state in a stored value of this release's schema or the first release's."""
        known = value.get("known") or {}
        return cls(
            seen=str(value["seen"]),
            page=str(value.get("page") or ""),
            content=value.get("content"),
            lines=str(value.get("lines") or ""),
            updates={
                uid: UpdateRecord.from_value(record)
                for uid, record in (value.get("updates") or {}).items()
            },
            known={uid: (str(pair[0]), int(pair[1])) for uid, pair in known.items()},
            names=dict(value.get("names") or {}),
        )


def bound(state: StoryState, max_updates: int, max_bytes: int) -> StoryState:
    """The state within its bounds: at most `max_updates` remembered updates and about
    `max_bytes` in all. The least recently seen updates are forgotten first (down to their hash
    and version, while the budget lasts); the line hashes go when they do not fit their share."""
    order = sorted(state.updates, key=lambda uid: state.updates[uid].seen, reverse=True)
    budget = int(max_bytes * UPDATES_SHARE)
    kept: dict[str, UpdateRecord] = {}
    forgotten: dict[str, tuple[str, int]] = {}
    used = 0
    for uid in order:
        record = state.updates[uid]
        size = record.size()
        if len(kept) < max_updates and size <= budget:
            kept[uid] = record
            budget -= size
            used += size
        else:
            forgotten[uid] = (record.hash, record.version)
    lines = state.lines if len(state.lines) <= max_bytes * LINES_SHARE else ""
    names_size = len(json.dumps(state.names, ensure_ascii=False).encode())
    room = max_bytes - used - len(lines) - names_size - 1024
    known_room = max(room // _KNOWN_BYTES, 0)
    # Newest forgotten first, then those forgotten before, until the room runs out.
    merged = {**forgotten, **{k: v for k, v in state.known.items() if k not in kept}}
    known = dict(list(merged.items())[:known_room])
    names = state.names
    return StoryState(state.seen, state.page, state.content, lines, kept, known, names)
