"""Render a live blog's visible posts as crawlers deliver them, in a publisher's layout.

Layouts (plain text, one paragraph per line, newest post first, wrapped in chrome):
- `guardian`: time lines ("2.56am GMT", "14.56 GMT", "16:23"), mostly no headline, "Updated at"
  lines, a "Key events" block, an appeal and a comment counter at the foot;
- `bbc`: a time line and a headline line per post (headlines as written: quotes, "?", ":"),
  "Share this post" prompts;
- `independent`: a headline line per post, a donation appeal whose last sentence is glued to
  the first key point ("...the difference.Ukraine is..."), subscription and comment prompts;
- `agency`: "3 min ago" age lines, a "Key events" block.
Input forms: `text` (those layouts), `updates` (crawler-split posts with ids) and `jsonld`
(HTML with a schema.org LiveBlogPosting whose bodies carry HTML entities).

Every chrome string inserted is returned beside the article, so the scorer can tell chrome
that leaked into an event. All wording here is our own.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.replay.blogs import Blog, Control, Post, Version

LAYOUTS = ("guardian", "bbc", "independent", "agency")
FORMS = ("updates", "jsonld")
VARIANTS = LAYOUTS + FORMS
SOURCE = {
    "guardian": "The Guardian",
    "bbc": "BBC News",
    "independent": "The Independent",
    "agency": "Newswire Live",
    "updates": "The Guardian",
    "jsonld": "Newswire Live",
}


@dataclass
class Style:
    """A blog's stable choices for one layout, drawn once from the seed."""

    clock: str  # 12h | 24dot | 24colon
    share: bool
    headline_share: float
    entities: bool
    editor: str
    comments: int
    appeal_count: int


@dataclass
class Rendered:
    article: dict[str, Any]
    chrome: list[str] = field(default_factory=list)


def style_of(rng: random.Random) -> Style:
    return Style(
        clock=rng.choice(("12h", "24dot", "24colon")),
        share=rng.random() < 0.6,
        headline_share=rng.random(),
        entities=rng.random() < 0.5,
        editor=rng.choice(("Morag Fenwick", "Tobias Crane", "Ines Hallam", "Delia Ward")),
        comments=rng.choice((12, 340, 980, 2450)),
        appeal_count=rng.randint(1_000_000, 2_000_000),
    )


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def clock(moment: datetime, kind: str) -> str:
    """A Guardian-like or BBC-like time line."""
    zone = "BST" if 4 <= moment.month <= 10 else "GMT"
    if kind == "12h":
        hour = moment.hour % 12 or 12
        return f"{hour}.{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'} {zone}"
    if kind == "24dot":
        return f"{moment.hour:02d}.{moment.minute:02d} {zone}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def ago(moment: datetime, now: datetime) -> str:
    minutes = max(1, int((now - moment).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} hr ago" if hours == 1 else f"{hours} hrs ago"


def encode(text: str, on: bool) -> str:
    if not on:
        return text
    return html.escape(text, quote=True).replace("&#x27;", "&apos;").replace("\u2019", "&rsquo;")


def crawler_title(blog_title: str, section: str, layout: str) -> str:
    if layout in ("guardian", "updates"):
        return f"{blog_title} | {section or 'World news'} | The Guardian"
    if layout == "bbc":
        return f"{blog_title} - BBC News"
    if layout == "independent":
        return f"{blog_title} | The Independent"
    return f"{blog_title} \u2013 live updates | Newswire"


def _appeal_foot(style: Style, now_step: int) -> list[str]:
    return [
        "Before you go: this reporting is free to read because readers like you pay for it.",
        f"More than {style.appeal_count + 137 * now_step:,} readers have supported our "
        "newsroom this year. Could you join them? It takes less than a minute.",
        "Support our journalism",
    ]


def _key_events(shown: list[tuple[Post, Version]], now: datetime, chrome: list[str]) -> list[str]:
    entries = [(p, v) for p, v in shown if p.key_event and v.headline][:6]
    if not entries:
        return []
    lines = ["Key events"]
    for post, version in entries:
        label = ago(_time(post.time), now)
        chrome.append(label)
        lines += [label, version.headline]
    lines.append("Show key events only")
    chrome += ["Key events", "Show key events only"]
    return lines


def _body(version: Version, style: Style) -> list[str]:
    return [encode(p, version.entities) for p in version.paragraphs]


def text_lines(
    blog: Blog,
    shown: list[tuple[Post, Version]],
    layout: str,
    style: Style,
    now: datetime,
    step: int,
) -> tuple[list[str], list[str]]:
    """The page as text lines, and the chrome strings among them."""
    chrome: list[str] = []
    lines = [blog.title] + ([blog.standfirst] if blog.standfirst else [])

    def add(*items: str) -> None:
        lines.extend(items)
        chrome.extend(items)

    comments = f"Comments ({style.comments + 37 * step:,})"
    if layout == "guardian":
        add(f"Updated at {clock(now - timedelta(minutes=1), style.clock)}")
        lines += _key_events(shown, now, chrome)
        for post, version in shown:
            add(clock(_time(post.time), style.clock))
            if version.headline:
                lines.append(version.headline)
            lines += _body(version, style)
            if version.change != "original":
                add(f"Updated at {clock(_time(post.time) + timedelta(minutes=9), style.clock)}")
        add(comments, "Share", "Reuse this content", *_appeal_foot(style, step))
    elif layout == "bbc":
        add("Live Reporting", f"Edited by {style.editor}", "All times stated are UK")
        for post, version in shown:
            add(clock(_time(post.time), "24colon"))
            if version.headline:
                lines.append(version.headline)
            lines += _body(version, style)
            if style.share:
                add("Share this post")
        add("Get involved", comments)
    elif layout == "independent":
        appeal = [
            "Our reporters stay on the story because you do",
            "From floods to elections, our correspondents report from wherever the news "
            "happens, and we keep every article free to read.",
            f"More than {style.appeal_count + 91 * step:,} readers gave last year. Every gift "
            "keeps this page open to everyone, whatever their means.",
        ]
        glue = "Your contribution makes the difference."
        add(*appeal)
        chrome.append(glue)
        points = [v.paragraphs[0] for _, v in shown[:4] if v.paragraphs][:3]
        first = True
        for point in points:
            lines.append(glue + point if first else point)
            first = False
        if not points:
            lines.append(glue)
        for _, version in shown:
            if version.headline:
                lines.append(version.headline)
            lines += _body(version, style)
        add(
            "Subscribe to Independent Premium to save this article",
            "Want to keep stories to read later? Start your Independent Premium "
            "subscription today.",
            comments,
            "Join the discussion and reply to other readers",
        )
    else:  # agency
        add("LIVE", "Updates")
        lines += _key_events(shown, now, chrome)
        for post, version in shown:
            add(ago(_time(post.time), now))
            if version.headline:
                lines.append(version.headline)
            lines += _body(version, style)
            if style.share:
                add("Share")
        add(comments)
    return lines, chrome


def render_blog(
    blog: Blog,
    shown: list[tuple[Post, Version]],
    variant: str,
    style: Style,
    now: datetime,
    step: int,
    url: str,
) -> Rendered:
    """One crawl of `blog` showing `shown` (newest first), in `variant` (layout or form)."""
    article: dict[str, Any] = {
        "url": url,
        "fetched_at": now.isoformat().replace("+00:00", "Z"),
        "source": SOURCE[variant],
        "title": crawler_title(blog.title, blog.section, variant),
        "crawl_id": f"{blog.id[:12]}-{step}",
    }
    if variant == "updates":
        article["updates"] = [
            {
                "id": post.key,
                "published_at": post.time,
                "headline": version.headline,
                "text": "\n".join(_body(version, style)),
            }
            for post, version in shown
        ]
        return Rendered(article)
    if variant == "jsonld":
        return _jsonld(blog, shown, style, now, step, article)
    lines, chrome = text_lines(blog, shown, variant, style, now, step)
    article["text"] = "\n".join(lines)
    return Rendered(article, chrome)


def _jsonld(
    blog: Blog,
    shown: list[tuple[Post, Version]],
    style: Style,
    now: datetime,
    step: int,
    article: dict[str, Any],
) -> Rendered:
    updates = []
    for post, version in shown:
        on = version.entities != style.entities
        body = "\n".join(encode(p, on) for p in version.paragraphs)
        item = {"@type": "BlogPosting", "datePublished": post.time, "articleBody": body}
        item["url"] = f"{blog.url}#{post.key}"
        if version.headline:
            item["headline"] = encode(version.headline, on)
        updates.append(item)
    ld = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": blog.title,
        "coverageStartTime": shown[-1][0].time if shown else None,
        "liveBlogUpdate": updates,
    }
    lines, chrome = text_lines(blog, shown, "agency", style, now, step)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    article["html"] = (
        f"<!doctype html><html><head><title>{html.escape(article['title'])}</title>"
        f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'
        f"<body><nav>Home | News | Sport</nav><main>{body}</main></body></html>"
    )
    return Rendered(article, chrome)


def render_control(
    control: Control, layout: str, style: Style, now: datetime, step: int, url: str
) -> Rendered:
    """An ordinary article in `layout`'s chrome."""
    stub = Blog(control.id, control.publisher, control.title, "", control.url, "", [])
    chrome: list[str] = []
    lines = [control.title]
    if layout == "independent":
        chrome += ["Our reporters stay on the story because you do"]
        lines += chrome
    lines += list(control.paragraphs)
    tail = [f"Comments ({style.comments + 37 * step:,})", "Share"]
    if layout == "guardian":
        tail += _appeal_foot(style, step)
    lines += tail
    chrome += tail
    article = {
        "url": url,
        "fetched_at": now.isoformat().replace("+00:00", "Z"),
        "source": SOURCE[layout],
        "title": crawler_title(stub.title, "World news", layout),
        "crawl_id": f"{control.id[:16]}-{step}",
        "text": "\n".join(lines),
    }
    return Rendered(article, chrome)
