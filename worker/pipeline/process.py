"""The pipeline: one validated raw article against its story's state, to events and new state.

Pure: the story state is any `Mapping` (a Faust table, a dict) and is only read here; the new
state comes back in the `Outcome` so the shell writes it after the broker has acknowledged the
events. The learned-boilerplate memory is passed in and learns from every plain-text crawl.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from worker.errors import EmptyText, ImplausibleTime
from worker.pipeline.boilerplate import is_chrome
from worker.pipeline.cleaning import clean_text, comparison_form
from worker.pipeline.dedup import Candidate, Decision, match, record_of
from worker.pipeline.events import update_event
from worker.pipeline.fingerprint import exact_hash, line_hash
from worker.pipeline.learning import SourceMemory
from worker.pipeline.page import page_of
from worker.pipeline.revision import diff
from worker.pipeline.splitting import Page
from worker.pipeline.state import STORED_TEXT_MAX_CHARS, StoryState, UpdateRecord, bound
from worker.pipeline.story import canonical_url, source_of, story_id

SUMMARY_ID = "summary"
EARLIEST_CRAWL = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Limits:
    """Bounds on story state and time: a story is forgotten after `story_ttl` without a crawl,
    remembers at most `max_updates` updates with their text and about `max_state_bytes` in all
    (the least recently seen go first); a crawl fetched more than `max_future` after the
    worker's clock, or before `earliest`, is refused."""

    story_ttl: timedelta = timedelta(hours=72)
    max_updates: int = 500
    touch_every: timedelta = timedelta(hours=1)
    max_state_bytes: int = 800_000
    max_future: timedelta = timedelta(hours=1)
    earliest: datetime = EARLIEST_CRAWL


@dataclass
class Outcome:
    """What processing one crawl decided: events to publish, then state to write (None: delete)."""

    story_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    state_writes: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.upper())


def crawl_time(article: Mapping[str, Any], now: datetime, limits: Limits) -> datetime:
    """The crawl's `fetched_at`, or ImplausibleTime when the clock says it cannot be: taken as
    given, a date far ahead would freeze its story (every real crawl would be older) and one
    near the end of the calendar would overflow the TTL arithmetic."""
    fetched = _time(article["fetched_at"])
    if fetched > now + limits.max_future:
        ahead = timedelta(seconds=int((fetched - now).total_seconds()))
        raise ImplausibleTime(
            f"fetched_at {article['fetched_at']} is {ahead} ahead of the worker's clock "
            f"(at most {limits.max_future} allowed)"
        )
    if fetched < limits.earliest:
        raise ImplausibleTime(
            f"fetched_at {article['fetched_at']} is before {limits.earliest.date()}, "
            "the earliest crawl accepted"
        )
    return fetched


def candidates_of(page: Page) -> list[Candidate]:
    """The summary block (as an update of its own) and the posts, in page order."""
    found = []
    if page.summary:
        found.append(Candidate(SUMMARY_ID, "", "\n\n".join(page.summary), None, "summary"))
    for post in page.posts:
        if post.headline or post.paragraphs:
            found.append(
                Candidate(
                    post.post_id, post.headline, "\n\n".join(post.paragraphs), post.published_at
                )
            )
    return found


def is_expired(stored: Mapping[str, Any], moment: datetime, limits: Limits) -> bool:
    """True when the story was last crawled more than the TTL before `moment`, or when its
    stored value cannot be read (it is then forgotten rather than trusted)."""
    try:
        return _time(stored["seen"]) < moment - limits.story_ttl
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return True


def _live_state(stored: Any, fetched: datetime, limits: Limits) -> StoryState | None:
    if not stored or is_expired(stored, fetched, limits):
        return None
    try:
        return StoryState.from_value(stored)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None  # unreadable state: the story starts afresh instead of failing forever


def _update_fields(
    decision: Decision, version: int, previous: UpdateRecord | None
) -> dict[str, Any]:
    candidate = decision.candidate
    fields: dict[str, Any] = {
        "update_id": decision.update_id,
        "update_kind": candidate.kind,
        "headline": candidate.headline,
        "text": candidate.text,
        "content_hash": candidate.hash,
        "version": version,
        "published_at": candidate.published_at,
        "dedup": {
            "method": decision.method,
            "similarity": decision.similarity,
            "matched_update_id": decision.matched,
        },
        "previous_hash": None,
        "diff": None,
    }
    if decision.change is not None and decision.outcome == "revised":
        old_text = previous.text if previous is not None else ""
        new_text = candidate.text[:STORED_TEXT_MAX_CHARS]
        fields["previous_hash"] = previous.hash if previous is not None else None
        fields["diff"] = diff(old_text, new_text, decision.change, fold=comparison_form)
        if previous is not None and clean_text(previous.headline) != candidate.headline:
            fields["diff"]["headline_before"] = previous.headline
    return fields


def process_article(
    article: Mapping[str, Any],
    state: Mapping[str, Any],
    now: datetime,
    *,
    limits: Limits = Limits(),
    memory: SourceMemory | None = None,
) -> Outcome:
    """Decide the events for one crawl of a page; raise EmptyText when nothing readable is
    left, ImplausibleTime when its fetch time cannot be right."""
    sid = story_id(article["url"])
    fetched = crawl_time(article, now, limits)
    stored = _live_state(state.get(sid), fetched, limits)
    fingerprint, content_lines = page_fingerprint(article, stored.lines if stored else "")
    if stored is not None and stored.page == fingerprint:
        return _same_page(sid, stored, article["fetched_at"], limits)
    source = clean_text(article.get("source", "")) or source_of(article["url"])
    memory = memory if memory is not None else SourceMemory()
    page = page_of(article, lambda line: memory.is_boilerplate(source, line))
    candidates = candidates_of(page)
    if not candidates:
        raise EmptyText("no text left after cleaning and boilerplate removal")
    content = content_fingerprint(candidates)
    if stored is not None and stored.content == content:
        return _same_page(sid, stored, article["fetched_at"], limits)
    if article.get("text"):
        lines = [clean_text(line) for line in article["text"].splitlines()]
        memory.observe(source, sid, [line for line in lines if line])
    story = {
        "story_id": sid,
        "url": canonical_url(article["url"]),
        "source": source,
        "story_title": page.title or clean_text(article.get("title", "")),
        "fetched_at": article["fetched_at"],
        "crawl_id": article.get("crawl_id"),
    }
    base = stored if stored is not None else StoryState(seen=article["fetched_at"])
    outcome = Outcome(story_id=sid, decisions=match(sid, candidates, base))
    stale = stored is not None and fetched < _time(stored.seen)
    records, known = dict(base.updates), dict(base.known)
    changed = _decide(outcome, story, records, known, stale, now)
    seen = max(base.seen, article["fetched_at"], key=_time)
    touch_due = stored is None or _time(seen) - _time(stored.seen) >= limits.touch_every
    if stale:  # the story's last page stays the newest one: keep its fingerprints
        fingerprint, content, content_lines = base.page, base.content, base.lines
    if changed or touch_due or base.content != content:
        remembered = StoryState(seen, fingerprint, content, content_lines, records, known)
        remembered.names = base.names
        bounded = bound(remembered, limits.max_updates, limits.max_state_bytes)
        outcome.state_writes[sid] = bounded.to_value()
    return outcome


def _decide(
    outcome: Outcome,
    story: dict[str, Any],
    records: dict[str, UpdateRecord],
    known: dict[str, tuple[str, int]],
    stale: bool,
    now: datetime,
) -> bool:
    """Apply the crawl's decisions to `records` (and `known`), appending the events; returns
    whether the story's remembered updates changed."""
    changed = False
    fetched_at = story["fetched_at"]
    for decision in _publication_order(outcome.decisions):
        uid = decision.update_id
        if stale and decision.outcome != "created":
            continue
        previous = records.get(uid)
        was_known = known.pop(uid, None)
        if decision.outcome == "unchanged" and previous is not None:
            records[uid] = replace(previous, seen=max(previous.seen, fetched_at, key=_time))
            continue
        old_version = previous.version if previous else (was_known[1] if was_known else 0)
        version = max(old_version, 1) + (decision.outcome == "revised")
        if decision.outcome == "regrouped":
            version = max(old_version, 1)
        records[uid] = record_of(decision, version, fetched_at)
        changed = True
        if decision.outcome in ("cosmetic", "unchanged", "regrouped"):
            continue
        kind = "update.created" if decision.outcome == "created" else "update.revised"
        fields = _update_fields(decision, version, previous)
        outcome.events.append(update_event(kind=kind, story=story, update=fields, now=now))
    return changed


def page_fingerprint(article: Mapping[str, Any], known_lines: str = "") -> tuple[str, str]:
    """A hash of everything a crawl's updates are made from, and the hashes of its text's
    content lines (16 hex digits each, in order) to pass as `known_lines` next time.

    Equal for a byte-identical page, and for a text page whose lines differ only in chrome (a
    comment count, a prompt: lines that are boilerplate by rule or debris as a whole, which
    cleaning drops wherever they are). A line among `known_lines` (the story's last page's
    content) is content without being looked at again, so the cost of this check does not
    depend on how many other stories' lines the per-line caches hold.
    """
    updates = "\x1e".join(
        f"{u.get('id')}\x1d{u.get('headline')}\x1d{u.get('published_at')}\x1d{u['text']}"
        for u in article.get("updates") or ()
    )
    known = {known_lines[i : i + 16] for i in range(0, len(known_lines), 16)}
    content = "".join(
        digest
        for line in (article.get("text") or "").splitlines()
        if (digest := line_hash(line)) in known or not is_chrome(line)
    )
    parts = (
        article.get("title", ""),
        article.get("source", ""),
        content,
        article.get("html") or "",
        updates,
    )
    return exact_hash("\x1f".join(parts)), content


def content_fingerprint(candidates: list[Candidate]) -> str:
    """A hash of the updates a page shows, as matching sees them: equal when a re-crawl
    changed nothing but chrome (counters, prompts, boilerplate), whatever its bytes."""
    return exact_hash(
        "\x1e".join(
            f"{c.kind}\x1d{c.post_id}\x1d{c.published_at}\x1d{c.headline}\x1d{c.text}"
            for c in candidates
        )
    )


def _same_page(sid: str, stored: StoryState, fetched_at: str, limits: Limits) -> Outcome:
    """The cheap path for a page whose updates are exactly the story's last page's (byte for
    byte, or once cleaned): no matching, no events, no learning; only the story's last-seen
    time moves (now and then, for the TTL). Its updates keep the last-seen time of the last
    page that changed something, which is what pruning goes by."""
    outcome = Outcome(story_id=sid)
    seen = max(stored.seen, fetched_at, key=_time)
    if _time(seen) - _time(stored.seen) >= limits.touch_every:
        outcome.state_writes[sid] = replace(stored, seen=seen).to_value()
    return outcome


def _publication_order(decisions: list[Decision]) -> list[Decision]:
    """The summary first, then posts oldest first (pages list them newest first)."""
    summary = [d for d in decisions if d.candidate.kind == "summary"]
    posts = [d for d in decisions if d.candidate.kind != "summary"]
    return summary + posts[::-1]
