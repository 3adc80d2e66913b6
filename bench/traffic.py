"""Duplicate-heavy live-blog traffic, as crawlers deliver it, for the stream benchmarks.

Each story is the refresh fixture (`tests/fixtures/refreshes.py`: twelve refreshes of a live
blog, edits and a retry included) on its own site, followed by `recrawls` re-crawls of its last
refresh. A re-crawl is not byte-identical: like a real page its chrome moved (a comment count,
a rotating prompt), so it is not the story's last page byte for byte while every update on it
repeats. Every story has text of its own (its words of four letters or more carry a suffix of
the story's, boilerplate aside), as different blogs would: no two stories share a line, nor
compress alike. Stories are interleaved crawl by crawl, as a crawler fleet would send them.
"""

from __future__ import annotations

import json
import re
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


_LONG_WORD = re.compile(r"\b([^\W\d_]{4,})\b")
_BOILERPLATE = frozenset(refreshes.APPEAL + refreshes.CLOSING)


def suffix(number: int) -> str:
    """A short letter suffix, distinct per story number: 0 -> "qa", 27 -> "qbb"."""
    letters = ""
    while True:
        letters = chr(ord("a") + number % 26) + letters
        number //= 26
        if number == 0:
            return "q" + letters


def own_words(text: str, mark: str) -> str:
    """The page with every word of four letters or more in its content lines marked."""
    glued = refreshes.APPEAL[-1]  # the appeal's last sentence, glued to the first key point
    lines = []
    for line in text.split("\n"):
        head = glued if line.startswith(glued) else ""
        if line in _BOILERPLATE:
            lines.append(line)
            continue
        lines.append(head + _LONG_WORD.sub(rf"\1{mark}", line[len(head) :]))
    return "\n".join(lines)


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
            {
                **crawl,
                "url": crawl["url"].replace("harbour-herald", site),
                "source": site,
                "text": own_words(crawl["text"], suffix(story)),
            }
            for crawl in refreshes.crawls()
        ]
        crawls += [recrawl(crawls[-1], number) for number in range(recrawls)]
        per_story.append(crawls)
    interleaved = [crawl for round_ in zip(*per_story, strict=True) for crawl in round_]
    lines = [json.dumps(crawl, ensure_ascii=False).encode() for crawl in interleaved]
    return Traffic(lines, stories, len(refreshes.crawls()), recrawls)
