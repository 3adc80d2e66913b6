"""The pipeline slot: one validated raw article against its story's state, to events.

Pure: state is any `Mapping` (a Faust table, a dict) and is only read here; the writes come back
in the `Outcome` so the shell applies them after the broker has acknowledged the events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from worker.errors import EmptyText
from worker.pipeline.events import content_hash, update_event
from worker.pipeline.html import html_to_text
from worker.pipeline.story import canonical_url, source_of, story_id
from worker.pipeline.text import normalise_line, normalise_paragraphs


@dataclass(frozen=True)
class Update:
    update_id: str
    headline: str
    text: str
    published_at: str | None


@dataclass
class Outcome:
    """What processing one article decided: events to publish, then state to write."""

    story_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    state_writes: dict[str, Any] = field(default_factory=dict)


def extract_updates(article: Mapping[str, Any]) -> list[Update]:
    """The article's updates: the crawler's own split when given, else the page as one update."""
    if article.get("updates"):
        updates = []
        for item in article["updates"]:
            headline = normalise_line(item.get("headline", ""))
            body = "\n\n".join(normalise_paragraphs(item["text"]))
            if not (headline or body):
                continue
            uid = item.get("id") or "h" + content_hash(headline, body)[:16]
            updates.append(Update(uid, headline, body, item.get("published_at")))
        return updates
    raw = article.get("text") or html_to_text(article.get("html", ""))
    body = "\n\n".join(normalise_paragraphs(raw))
    if not body:
        return []
    return [Update("main", "", body, article.get("published_at"))]


def process_article(article: Mapping[str, Any], state: Mapping[str, Any], now: datetime) -> Outcome:
    """Decide the events for one crawl of a page; raise EmptyText when nothing readable is left."""
    sid = story_id(article["url"])
    updates = extract_updates(article)
    if not updates:
        raise EmptyText("no text left after cleaning")
    story = {
        "story_id": sid,
        "url": canonical_url(article["url"]),
        "source": normalise_line(article.get("source", "")) or source_of(article["url"]),
        "story_title": normalise_line(article.get("title", "")),
        "fetched_at": article["fetched_at"],
        "crawl_id": article.get("crawl_id"),
    }
    known: dict[str, list[Any]] = dict(state.get(sid, {}).get("updates", {}))
    outcome = Outcome(story_id=sid)
    for update in updates:
        digest = content_hash(update.headline, update.text)
        version, seen_digest = known.get(update.update_id, (0, None))
        if seen_digest == digest:
            continue
        version += 1
        kind = "update.created" if version == 1 else "update.revised"
        outcome.events.append(
            update_event(
                kind=kind,
                story=story,
                update_id=update.update_id,
                headline=update.headline,
                text=update.text,
                version=version,
                published_at=update.published_at,
                now=now,
            )
        )
        known[update.update_id] = [version, digest]
    if outcome.events:
        outcome.state_writes[sid] = {"updates": known, "touched_at": story["fetched_at"]}
    return outcome
