"""Output events: their deterministic ids, their shape (news_update.v1) and their size.

An event id names one content forever: it hashes the story, the update, the version and the
update's content hash, so an update created again after its story was forgotten (TTL, pruning)
with other text gets another id, and a replay of the same history the same ids. Every text an
event carries is capped in bytes (`text_truncated`, `diff.truncated` say so), so an event fits
a Kafka record whatever the page. Pure; the caller passes the processing time in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

SCHEMA = "news_update.v1"


def format_time(moment: datetime) -> str:
    """RFC 3339 with a Z for UTC, the form every timestamp we write takes."""
    return moment.isoformat().replace("+00:00", "Z")


TEXT_MAX_BYTES = 200_000
HEADLINE_MAX_BYTES = 2_000
DIFF_MAX_BYTES = 100_000


def event_id(story_id: str, update_id: str, version: int, content_hash: str) -> str:
    """Hash of (story, update, version, content): a replay of the same history yields the same
    id, and no id ever stands for two different texts."""
    material = f"{story_id}\x1f{update_id}\x1f{version}\x1f{content_hash}".encode()
    return hashlib.blake2b(material, digest_size=16).hexdigest()


def cap_bytes(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut to at most `limit` UTF-8 bytes (on a character boundary), and whether it was."""
    if len(text) * 4 <= limit:
        return text, False
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text, False
    return encoded[:limit].decode("utf-8", "ignore"), True


def _capped_diff(diff: dict[str, Any]) -> dict[str, Any]:
    """The diff with its quoted sentences within DIFF_MAX_BYTES in all."""
    room = DIFF_MAX_BYTES
    capped = dict(diff)
    truncated = False
    for name in ("sentences_added", "sentences_removed"):
        kept = []
        for sentence in diff.get(name, ()):
            text, cut = cap_bytes(sentence, room)
            if text:
                kept.append(text)
            room -= len(text.encode("utf-8"))
            truncated = truncated or cut
        capped[name] = kept
    if "headline_before" in diff:
        capped["headline_before"], cut = cap_bytes(diff["headline_before"], HEADLINE_MAX_BYTES)
        truncated = truncated or cut
    capped["numbers_changed"] = [
        {"from": cap_bytes(n["from"], 100)[0], "to": cap_bytes(n["to"], 100)[0]}
        for n in diff.get("numbers_changed", ())[:100]
    ]
    if truncated or len(diff.get("numbers_changed", ())) > 100:
        capped["truncated"] = True
    return capped


def update_event(
    *,
    kind: str,
    story: dict[str, Any],
    update: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """One news_update.v1 event: `story` holds the crawl's shared fields, `update` this update's
    (update_id, update_kind, headline, text, version, published_at, dedup, previous_hash, diff)
    and `content_hash`, the hash of the update's content, which goes into the id only."""
    fields = {k: v for k, v in update.items() if k != "content_hash"}
    fields["text"], text_cut = cap_bytes(update["text"], TEXT_MAX_BYTES)
    fields["headline"], headline_cut = cap_bytes(update["headline"], HEADLINE_MAX_BYTES)
    if text_cut or headline_cut:
        fields["text_truncated"] = True
    if update.get("diff"):
        fields["diff"] = _capped_diff(update["diff"])
    uid, version = update["update_id"], update["version"]
    return {
        "schema": SCHEMA,
        "event_id": event_id(story["story_id"], uid, version, update["content_hash"]),
        "type": kind,
        "story_id": story["story_id"],
        "url": story["url"],
        "source": story["source"],
        "story_title": cap_bytes(story["story_title"], HEADLINE_MAX_BYTES)[0],
        **fields,
        "fetched_at": story["fetched_at"],
        "processed_at": format_time(now),
        "crawl_id": story["crawl_id"],
        "entities": [],
    }
