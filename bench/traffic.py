"""Duplicate-heavy live-blog traffic, as crawlers deliver it, for the stream benchmarks.

Each story is the refresh fixture (`tests/fixtures/refreshes.py`: twelve refreshes of a live
blog, edits and a retry included) on its own site, followed by `recrawls` re-crawls of its last
refresh. A re-crawl is not byte-identical: like a real page its chrome moved (a comment count,
a rotating prompt), so it is not the story's last page byte for byte while every update on it
repeats. Stories are interleaved crawl by crawl, as a crawler fleet would send them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.fixtures import refreshes

PROMPTS = (
    "Sign up to our free morning briefing newsletter",
    "Advertisement",
    "Share on Facebook Share on X Copy link",
    "We use cookies to improve your experience on our site.",
)


@dataclass(frozen=True)
class Traffic:
    lines: list[bytes]
    stories: int
    refreshes: int  # non-identical crawls of the fixture sequence per story
    recrawls: int

    @property
    def update_sightings(self) -> int:
        """Updates on all pages: the fixture's 112 sightings per story, then 15 per re-crawl."""
        return self.stories * (112 + 15 * self.recrawls)

    @property
    def new_or_revised(self) -> int:
        """Sightings that are not repeats: 15 created + 4 revised + 2 cosmetic per story."""
        return self.stories * 21

    @property
    def repeated_share(self) -> float:
        return 1 - self.new_or_revised / self.update_sightings


def recrawl(crawl: dict[str, str], number: int) -> dict[str, str]:
    """The same page again, minutes later: new fetch time and crawl id, and chrome that moved
    (a comment count, a rotating prompt), all of it boilerplate the cleaner removes."""
    lines = crawl["text"].split("\n")
    assert lines[-1] == "Comments", "the fixture's page ends with its comment link"
    prompt = PROMPTS[number % len(PROMPTS)]
    text = "\n".join([*lines[:-1], prompt, f"Comments ({40 + number})"])
    return {
        **crawl,
        "fetched_at": f"2026-11-24T{18 + number // 60:02d}:{number % 60:02d}:00Z",
        "crawl_id": f"{crawl['crawl_id']}-again-{number}",
        "text": text,
    }


def duplicate_heavy(stories: int, recrawls: int, tag: str = "") -> Traffic:
    """`stories` live blogs (on sites named with `tag`, so runs don't share state), each its
    refresh sequence then `recrawls` re-crawls of its last page, interleaved."""
    per_story = []
    for story in range(stories):
        site = f"harbour-herald-{tag}{story}"
        crawls = [
            {**crawl, "url": crawl["url"].replace("harbour-herald", site), "source": site}
            for crawl in refreshes.crawls()
        ]
        crawls += [recrawl(crawls[-1], number) for number in range(recrawls)]
        per_story.append(crawls)
    interleaved = [crawl for round_ in zip(*per_story, strict=True) for crawl in round_]
    lines = [json.dumps(crawl, ensure_ascii=False).encode() for crawl in interleaved]
    return Traffic(lines, stories, len(refreshes.crawls()), recrawls)
