"""The replay's ground truth: live blogs (posts with versions) and control articles.

A blog is what a publisher wrote, newest post first as pages show it; each post keeps the
versions it went through during the replay (the first as written, then each edit with its
kind: `cosmetic` or `material`). Loaded from JSON lines: staged public data in /work/data, or
our own fixtures in `bench/replay/own/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

OWN = Path(__file__).parent / "own"
STAGED = Path("/work/data")


@dataclass(frozen=True)
class Version:
    headline: str
    paragraphs: tuple[str, ...]
    change: str = "original"  # original | cosmetic | material
    note: str = ""  # what the edit did, for failure reports
    entities: bool = False  # this version's text is written with HTML entities


@dataclass
class Post:
    key: str
    time: str
    key_event: bool
    versions: list[Version]

    @property
    def first(self) -> Version:
        return self.versions[0]


@dataclass
class Blog:
    id: str
    publisher: str
    title: str
    section: str
    url: str
    standfirst: str
    posts: list[Post]  # newest first


@dataclass(frozen=True)
class Control:
    id: str
    publisher: str
    title: str
    url: str
    paragraphs: tuple[str, ...]
    kind: str = "article"


@dataclass
class Corpus:
    blogs: list[Blog] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    origin: str = ""
    own: bool = False


def blog_of(record: dict[str, Any]) -> Blog:
    posts = [
        Post(
            key=p["id"],
            time=p["time"],
            key_event=bool(p.get("key_event")),
            versions=[Version(p.get("headline") or "", tuple(p["paragraphs"]))],
        )
        for p in record["posts"]
        if p["paragraphs"] or p.get("headline")
    ]
    return Blog(
        id=record["id"],
        publisher=record.get("publisher", ""),
        title=record["title"],
        section=record.get("section", ""),
        url=record["url"],
        standfirst=record.get("standfirst", ""),
        posts=posts,
    )


def control_of(record: dict[str, Any], kind: str) -> Control:
    return Control(
        id=record["id"],
        publisher=record.get("publisher", ""),
        title=record["title"],
        url=record["url"],
        paragraphs=tuple(p for p in record["paragraphs"] if p.strip()),
        kind=kind,
    )


def _records(path: Path) -> list[dict[str, Any]]:
    with path.open() as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load(root: Path) -> Corpus:
    """Every `liveblogs/*.jsonl` and `controls/*.jsonl` under `root` (sorted by file name)."""
    corpus = Corpus(origin=str(root))
    files = [_records(path) for path in sorted((root / "liveblogs").glob("*.jsonl"))]
    # Files take turns, so that the first N blogs (`--limit`) mix the publishers.
    for group in zip_longest(*files):
        corpus.blogs.extend(blog_of(r) for r in group if r is not None)
    for path in sorted((root / "controls").glob("*.jsonl")):
        corpus.controls.extend(control_of(r, path.stem) for r in _records(path))
    return corpus


def available(own: bool) -> Corpus:
    """The staged public corpus when present and not `own`, else our own fixtures."""
    if not own and (STAGED / "liveblogs").is_dir():
        return load(STAGED)
    corpus = load(OWN)
    corpus.own, corpus.origin = True, "bench/replay/own (our own fixtures)"
    return corpus
