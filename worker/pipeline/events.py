"""Output events: their deterministic ids and their shape (news_update.v1).

Pure; the caller passes the processing time in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

SCHEMA = "news_update.v1"


def format_time(moment: datetime) -> str:
    """RFC 3339 with a Z for UTC, the form every timestamp we write takes."""
    return moment.isoformat().replace("+00:00", "Z")


def event_id(story_id: str, update_id: str, version: int) -> str:
    """Hash of (story, update, version): a replay of the same history yields the same id."""
    material = f"{story_id}\x1f{update_id}\x1f{version}".encode()
    return hashlib.blake2b(material, digest_size=16).hexdigest()


def update_event(
    *,
    kind: str,
    story: dict[str, Any],
    update: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """One news_update.v1 event: `story` holds the crawl's shared fields, `update` this update's
    (update_id, update_kind, headline, text, version, published_at, dedup, previous_hash, diff)."""
    return {
        "schema": SCHEMA,
        "event_id": event_id(story["story_id"], update["update_id"], update["version"]),
        "type": kind,
        "story_id": story["story_id"],
        "url": story["url"],
        "source": story["source"],
        "story_title": story["story_title"],
        **update,
        "fetched_at": story["fetched_at"],
        "processed_at": format_time(now),
        "crawl_id": story["crawl_id"],
        "entities": [],
    }
