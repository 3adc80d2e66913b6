"""Scoring one replayed story's events against the ground truth of its deliveries.

Events are matched to true posts by text, not by id: an event covers a post when it holds at
least `COVER` of the post's words (as shown in that crawl), and fits it when the post also
holds `COVER` of the event's words (the right boundaries). Pure: no core imports, so the
scorer does not share the core's idea of text.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from bench.replay.crawls import Story

COVER = 0.8
_WORD = re.compile(r"[a-z0-9]+")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.I)


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(html.unescape(text).casefold()))


def contained(part: Counter[str], whole: Counter[str]) -> float:
    size = sum(part.values())
    return sum((part & whole).values()) / size if size else 0.0


def excerpt(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def around(text: str, part: str, width: int = 50) -> str:
    """`part` in `text` with some context either side, the part in brackets."""
    text = " ".join(text.split())
    at = text.find(part)
    if at < 0:
        return excerpt(text)
    before = text[max(0, at - width) : at]
    after = text[at + len(part) : at + len(part) + width]
    return f"…{before}[{excerpt(part, 60)}]{after}…"


@dataclass
class Scores:
    """Counts behind every measure, and failure examples per measure."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)

    def add(self, other: Scores) -> None:
        self.counts.update(other.counts)
        for name, items in other.failures.items():
            self.failures.setdefault(name, []).extend(items)

    def fail(self, name: str, text: str) -> None:
        self.failures.setdefault(name, []).append(text)

    def print_failures(self, k: int, out: IO[str]) -> None:
        for name, items in sorted(self.failures.items()):
            out.write(f"\n== {name}: {len(items)} (first {min(k, len(items))})\n")
            for item in _spread(items, k):
                out.write(f"- {item}\n")


def _spread(items: list[str], k: int) -> list[str]:
    """Up to k items from different stories first (items start with the story tag)."""
    seen, first, rest = set(), [], []
    for item in items:
        tag = item.split(" ", 1)[0]
        (rest if tag in seen else first).append(item)
        seen.add(tag)
    return (first + rest)[:k]


@dataclass(frozen=True)
class Measure:
    name: str
    value: Callable[[Counter[str]], float | None]
    fmt: str
    target: str

    def show(self, scores: Scores) -> str:
        value = self.value(scores.counts)
        if value is None:
            return "-"
        return format(value, self.fmt)


def _ratio(num: str, den: str) -> Callable[[Counter[str]], float | None]:
    return lambda c: c[num] / c[den] if c[den] else None


def _count(name: str, den: str = "") -> Callable[[Counter[str]], float | None]:
    return lambda c: c[name] if not den or c[den] else None


def _f1(c: Counter[str]) -> float | None:
    if not c["posts"] or not c["created"]:
        return None
    precision, recall = c["fit_events"] / c["created"], c["fit_posts"] / c["posts"]
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


MEASURES = (
    Measure("live-blog posts (distinct)", _count("posts", "posts"), "d", ""),
    Measure("posts created exactly once", _ratio("once", "posts"), ".3f", ">= 0.97"),
    Measure("new posts missed", _ratio("missed", "posts"), ".2%", "<= 0.5%"),
    Measure("posts created twice or more", _ratio("twice", "posts"), ".2%", "<= 0.5%"),
    Measure("split F1 (right boundaries)", _f1, ".3f", ""),
    Measure("created events matching no post", _count("orphans", "posts"), "d", "0"),
    Measure("material edits (expected revisions)", _count("material", "posts"), "d", ""),
    Measure("material-revision recall", _ratio("revised_ok", "material"), ".3f", ">= 0.9"),
    Measure("material-revision precision", _ratio("revised_ok", "revised"), ".3f", ">= 0.9"),
    Measure("events from cosmetic-only edits", _count("cosmetic_events", "posts"), "d", "0"),
    Measure("events carrying chrome", _ratio("chrome", "events"), ".2%", "<= 0.2%"),
    Measure("events carrying HTML entities", _count("entities", "events"), "d", "0"),
    Measure("summary events", _count("summary", "events"), "d", ""),
    Measure("event ids published again", _count("dup_ids", "events"), "d", "0"),
    Measure("crawls rejected", _count("rejected"), "d", "0"),
    Measure("controls", _count("controls", "controls"), "d", ""),
    Measure(
        "controls: one update with first line", _ratio("control_ok", "controls"), ".3f", "1.000"
    ),
    Measure(
        "controls: first line in some event", _ratio("control_first", "controls"), ".3f", "1.000"
    ),
    Measure("controls: updates (mean)", _ratio("control_updates", "controls"), ".2f", "1.00"),
)


def score_story(story: Story, per_delivery: list[list[dict[str, Any]]]) -> Scores:
    """The counts and failures of one story: `per_delivery[i]` holds the events (or a
    `rejected` marker) the core returned for `story.deliveries[i]`."""
    scores = Scores()
    tag = f"[{story.variant} {story.id[:10]}]"
    _common(story, per_delivery, scores, tag)
    if story.control is not None:
        _control(story, per_delivery, scores, tag)
    else:
        _blog(story, per_delivery, scores, tag)
    return scores


def _event_text(event: dict[str, Any]) -> str:
    return f"{event.get('headline') or ''}\n{event.get('text') or ''}"


def _common(story: Story, per_delivery: list[list[dict[str, Any]]], scores: Scores, tag: str):
    first_at: dict[str, int] = {}
    for d, events in enumerate(per_delivery):
        delivery = story.deliveries[d]
        chrome = [c for c in delivery.chrome if c]
        for event in events:
            if "rejected" in event:
                scores.counts["rejected"] += 1
                scores.fail("crawls rejected", f"{tag} {delivery.kind}: {event['rejected']}")
                continue
            scores.counts["events"] += 1
            text = _event_text(event)
            leaked = _chrome_in(text, chrome)
            if leaked:
                scores.counts["chrome"] += 1
                scores.fail("events carrying chrome", f"{tag} {around(text, leaked)}")
            if _ENTITY.search(text):
                scores.counts["entities"] += 1
                scores.fail("events carrying HTML entities", f"{tag} {excerpt(text)}")
            if event.get("update_kind") == "summary":
                scores.counts["summary"] += 1
                scores.fail("summary events", f"{tag} {event['type']}: {excerpt(text)}")
            eid = event["event_id"]
            if eid in first_at and first_at[eid] != d:
                scores.counts["dup_ids"] += 1
                scores.fail(
                    "event ids published again",
                    f"{tag} {event['type']} {event['update_id']} v{event['version']} again on "
                    f"a {delivery.kind} (delivery {d}, first {first_at[eid]}): {excerpt(text, 60)}",
                )
            first_at.setdefault(eid, d)


def _chrome_in(text: str, chrome: list[str]) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    folded = " ".join(lines)
    for item in chrome:
        if item in lines or (len(item) >= 20 and item in folded):
            return item
        if any(line.startswith(item + " ") for line in lines) and len(item) >= 5:
            return item
    return ""


def _control(story: Story, per_delivery: list[list[dict[str, Any]]], scores: Scores, tag: str):
    control = story.control
    assert control is not None
    events = [e for events in per_delivery for e in events if "rejected" not in e]
    created = [e for e in events if e["type"] == "update.created"]
    first = words(control.paragraphs[0]) if control.paragraphs else Counter()
    has_first = any(contained(first, words(_event_text(e))) >= 0.9 for e in created)
    ok = len(created) == 1 and len(events) == 1 and has_first
    scores.counts["controls"] += 1
    scores.counts["control_ok"] += ok
    scores.counts["control_first"] += any(
        contained(first, words(_event_text(e))) >= 0.9 for e in events
    )
    scores.counts["control_updates"] += len({e["update_id"] for e in events})
    if not ok:
        scores.fail(
            "controls",
            f"{tag} {control.kind}: {len(created)} created, {len(events) - len(created)} "
            f"revised, first line {'kept' if has_first else 'LOST'}: "
            f"{excerpt(control.paragraphs[0] if control.paragraphs else '', 60)}",
        )


def _blog(story: Story, per_delivery: list[list[dict[str, Any]]], scores: Scores, tag: str):
    best: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    created: Counter[str] = Counter()
    fit: set[str] = set()
    where: dict[str, list[str]] = {}
    for d, events in enumerate(per_delivery):
        delivery = story.deliveries[d]
        shown = {
            key: (story.posts[key], words(_version_text(story.posts[key].versions[v])))
            for key, v in delivery.shown.items()
        }
        new, material, cosmetic = _changes(story, delivery.shown, best)
        credited: set[str] = set()
        for event in events:
            if "rejected" in event or event.get("update_kind") == "summary":
                continue
            text = _event_text(event)
            bag = words(text)
            covered = [k for k, (_, w) in shown.items() if contained(w, bag) >= COVER]
            label = f"{event['type']} {event['update_id'][:12]} on {delivery.kind} {d}"
            if event["type"] == "update.created":
                scores.counts["created"] += 1
                scores.counts["orphans"] += not covered
                fits = [k for k in covered if contained(bag, shown[k][1]) >= COVER]
                # An event that fits a post is that post's, even when a shorter post's words
                # (a teaser, a repeated caption) are inside it too; identical posts take
                # turns. An event that fits none (a merge) counts for every post it holds.
                for key in [min(fits, key=lambda k: created[k])] if fits else covered:
                    created[key] += 1
                    where.setdefault(key, []).append(label)
                if fits:
                    scores.counts["fit_events"] += 1
                    fit.update(fits)
                else:
                    scores.fail(
                        "split: event without the right boundaries",
                        f"{tag} covers {len(covered)} posts: {excerpt(text)}",
                    )
            else:
                scores.counts["revised"] += 1
                hit = [k for k in covered if k in material and k not in credited]
                if hit:
                    credited.add(hit[0])
                    scores.counts["revised_ok"] += 1
                else:
                    why = "cosmetic edit" if set(covered) & cosmetic else "no material edit"
                    scores.fail(
                        "revision without a material edit",
                        f"{tag} {why} ({len(covered)} posts covered, {delivery.kind} {d}): "
                        f"{excerpt(text)}",
                    )
            if set(covered) & cosmetic:
                scores.counts["cosmetic_events"] += 1
                key = next(k for k in covered if k in cosmetic)
                note = story.posts[key].versions[delivery.shown[key]].note
                scores.fail(
                    "events from cosmetic-only edits",
                    f"{tag} {event['type']} after '{note}': {excerpt(text, 70)}",
                )
        for key in sorted(material - credited):
            post = story.posts[key]
            note = post.versions[delivery.shown[key]].note
            scores.fail(
                "material edit without one revision",
                f"{tag} '{note}' ({delivery.kind} {d}, events: {_kinds(events)}): "
                f"{excerpt(_version_text(post.versions[delivery.shown[key]]), 70)}",
            )
        scores.counts["material"] += len(material)
        for key in delivery.shown:  # page order, so that failure lists are stable
            if key in new or key in material or key in cosmetic:
                best[key] = delivery.shown[key]
            first_seen.setdefault(key, d)
    for key in best:
        scores.counts["posts"] += 1
        n = created[key]
        scores.counts["once" if n == 1 else "missed" if n == 0 else "twice"] += 1
        scores.counts["fit_posts"] += key in fit
        text = excerpt(_version_text(story.posts[key].versions[best[key]]), 70)
        if n == 0:
            where_it_went = _nearest(story, per_delivery, first_seen[key], key)
            scores.fail("new posts missed", f"{tag} {text} [{where_it_went}]")
        elif n > 1:
            scores.fail("posts created twice", f"{tag} x{n} ({'; '.join(where[key][:3])}): {text}")


def _nearest(story: Story, per_delivery: list[list[dict[str, Any]]], d: int, key: str) -> str:
    """Where most of a missed post went in the crawl that first showed it."""
    post = story.posts[key]
    bag = words(_version_text(post.versions[story.deliveries[d].shown[key]]))
    best, label = 0.0, "no event"
    for event in per_delivery[d]:
        if "rejected" in event:
            continue
        share = contained(bag, words(_event_text(event)))
        if share > best:
            best, label = share, f"{event['type']} {event.get('update_kind')}"
    return f"{best:.0%} of it in the nearest event: {label}" if best else "in no event"


def _kinds(events: list[dict[str, Any]]) -> str:
    kinds = Counter(e.get("type", "rejected") for e in events)
    return ", ".join(f"{n} {k}" for k, n in kinds.items()) or "none"


def _version_text(version: Any) -> str:
    return "\n".join([version.headline, *version.paragraphs])


def _changes(
    story: Story, shown: dict[str, int], best: dict[str, int]
) -> tuple[set[str], set[str], set[str]]:
    """Posts new in this delivery, materially edited since the newest version delivered, and
    edited only cosmetically since then (a stale crawl's older versions change nothing)."""
    new, material, cosmetic = set(), set(), set()
    for key, index in shown.items():
        if key not in best:
            new.add(key)
        elif index > best[key]:
            changes = {v.change for v in story.posts[key].versions[best[key] + 1 : index + 1]}
            (material if "material" in changes else cosmetic).add(key)
    return new, material, cosmetic
