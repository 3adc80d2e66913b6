"""Crawl sequences: a blog growing under repeated crawls, with edits, URL variants, retries and
late crawls, and the ground truth of what each delivered crawl shows.

Each `Delivery` is one raw article as the worker receives it, in delivery order, with the
version of every post it shows and the chrome strings the renderer put around them.
Deterministic for a seed.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.replay import edits
from bench.replay.blogs import Blog, Control, Post
from bench.replay.render import LAYOUTS, VARIANTS, render_blog, render_control, style_of

MAX_POSTS = 40


@dataclass
class Delivery:
    story: str
    variant: str
    article: dict[str, Any]
    shown: dict[str, int] = field(default_factory=dict)  # post key -> version index
    chrome: tuple[str, ...] = ()
    step: int = 0
    kind: str = "crawl"  # crawl | retry | late
    control: Control | None = None


@dataclass
class Story:
    """One replayed blog or control: its truth and its deliveries."""

    id: str
    variant: str
    posts: dict[str, Post] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    control: Control | None = None


def url_variant(url: str, rng: random.Random, tag: str = "") -> str:
    """`url` (its path tagged with the layout, so that one blog shown in two layouts is two
    stories) as a crawler may send it: tracking parameters, www. or not, a trailing slash."""
    parts = urlsplit(url)
    host, path, query = parts.netloc, parts.path.rstrip("/") + tag, parts.query
    choice = rng.randrange(6)
    if choice == 1:
        query = "utm_source=twitter&utm_medium=social"
    elif choice == 2:
        host = host[4:] if host.startswith("www.") else "www." + host
    elif choice == 3:
        path = path.rstrip("/") + "/"
    elif choice == 4:
        return urlunsplit(("https", host, path, "utm_campaign=liveblog", "top"))
    return urlunsplit((parts.scheme or "https", host, path, query, ""))


def variants_for(blog: Blog) -> tuple[str, ...]:
    """Layouts a blog can be shown in: headline-led layouts need headlines on most posts."""
    with_headline = sum(1 for p in blog.posts if p.first.headline) / max(1, len(blog.posts))
    if with_headline >= 0.7:
        return VARIANTS
    return ("guardian", "agency", "updates", "jsonld")


def _start(blog: Blog) -> datetime:
    return datetime.fromisoformat(min(p.time for p in blog.posts).replace("Z", "+00:00"))


def blog_story(blog: Blog, variant: str, seed: int) -> Story:
    """The deliveries of one blog: it grows by a few posts a crawl, with edits on the way."""
    rng = random.Random(f"{seed}:{blog.id}:{variant}")
    style = style_of(rng)
    oldest_first = [copy.deepcopy(p) for p in blog.posts[::-1][:MAX_POSTS]]
    story = Story(blog.id, variant, {p.key: p for p in oldest_first})
    names = edits.names_in([t for p in oldest_first for t in p.first.paragraphs])
    typos: dict[str, str] = {}
    for post in oldest_first:
        if rng.random() < 0.08 and (broken := edits.with_typo(post.first, rng)):
            post.versions[0], typos[post.key] = broken
    count = len(oldest_first)
    visible = min(count, max(2, (count * 2 + 4) // 5))
    moment = max(
        _start(blog),
        datetime.fromisoformat(max(p.time for p in oldest_first[:visible]).replace("Z", "+00:00")),
    ) + timedelta(minutes=3)
    steps: list[Delivery] = []
    refreshes = 2
    while True:
        shown = [(p, p.versions[-1]) for p in oldest_first[:visible]][::-1]
        rendered = render_blog(
            blog,
            shown,
            variant,
            style,
            moment,
            len(steps),
            url_variant(blog.url, rng, f"-{variant}"),
        )
        steps.append(
            Delivery(
                blog.id,
                variant,
                rendered.article,
                {p.key: len(p.versions) - 1 for p, _ in shown},
                tuple(rendered.chrome),
                len(steps),
            )
        )
        if visible >= count and refreshes <= 0:
            break
        grow = rng.randint(0, max(1, count // 6)) if visible < count else 0
        refreshes -= grow == 0
        if rng.random() < 0.6:  # an edit of a post the last crawl showed
            _edit(rng.choice(oldest_first[:visible]), rng, names, typos)
        visible = min(count, visible + grow)
        moment += timedelta(minutes=rng.randint(2, 15))
        if visible < count:
            newest = datetime.fromisoformat(oldest_first[visible - 1].time.replace("Z", "+00:00"))
            moment = max(moment, newest + timedelta(minutes=1))
    story.deliveries = _deliver(steps, rng)
    return story


def _edit(post: Post, rng: random.Random, names: list[str], typos: dict[str, str]) -> None:
    current = post.versions[-1]
    if rng.random() < 0.4:
        post.versions.append(edits.material(current, rng, names))
        return
    new = edits.cosmetic(current, rng, typos.pop(post.key, None))
    if new is not None:
        post.versions.append(new)


def _deliver(steps: list[Delivery], rng: random.Random) -> list[Delivery]:
    """Delivery order: some crawls delivered twice (retries), some after the next (late)."""
    order = list(steps)
    for i in range(1, len(order) - 1):
        if rng.random() < 0.1 and order[i].kind == "crawl" and order[i + 1].kind == "crawl":
            order[i], order[i + 1] = order[i + 1], order[i]
            order[i + 1] = copy.copy(order[i + 1])
            order[i + 1].kind = "late"
    out = []
    for delivery in order:
        out.append(delivery)
        if rng.random() < 0.12:
            again = copy.copy(delivery)
            again.kind = "retry"
            out.append(again)
    return out


def control_story(control: Control, layout: str, seed: int) -> Story:
    """An ordinary article crawled three times: once, a retry, then with a changed counter and a
    whitespace change."""
    rng = random.Random(f"{seed}:{control.id}:{layout}")
    style = style_of(rng)
    moment = datetime(2024, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600))
    first = render_control(
        control, layout, style, moment, 0, url_variant(control.url, rng, f"-{layout}")
    )
    spaced = list(control.paragraphs)
    if len(spaced) > 1:
        spaced[-1] = spaced[-1].replace(" ", "  ", 1)
    later = render_control(
        Control(control.id, control.publisher, control.title, control.url, tuple(spaced)),
        layout,
        style,
        moment + timedelta(minutes=20),
        1,
        url_variant(control.url, rng, f"-{layout}"),
    )
    story = Story(control.id, layout, control=control)
    story.deliveries = [
        Delivery(control.id, layout, first.article, chrome=tuple(first.chrome), control=control),
        Delivery(
            control.id,
            layout,
            first.article,
            chrome=tuple(first.chrome),
            kind="retry",
            control=control,
        ),
        Delivery(
            control.id, layout, later.article, chrome=tuple(later.chrome), step=1, control=control
        ),
    ]
    return story


def stories(
    blogs: list[Blog],
    controls: list[Control],
    seed: int,
    only: str | None = None,
    every: bool = False,
) -> list[Story]:
    """Every blog in one variant (round robin over the variants it fits), every control in
    one text layout; with `every`, each in all the variants it fits (a small corpus)."""
    out = []
    counters: dict[tuple[str, ...], int] = {}
    for blog in blogs:
        choices = variants_for(blog)
        if only:
            choices = (only,) if only in choices else ()
        if every:
            out.extend(blog_story(blog, variant, seed) for variant in choices)
        elif choices:
            turn = counters.get(choices, 0)
            counters[choices] = turn + 1
            out.append(blog_story(blog, choices[turn % len(choices)], seed))
    for i, control in enumerate(controls):
        layouts = [layout for layout in LAYOUTS if not only or layout == only]
        if not every:
            layouts = [LAYOUTS[i % len(LAYOUTS)]] if not only else layouts
        out.extend(control_story(control, layout, seed) for layout in layouts)
    return out
