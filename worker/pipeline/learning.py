"""Learned boilerplate: a line that recurs across many different stories of one source.

Rules catch the prompts every site has; each site also has its own (a standing appeal, a
newsletter plug). A line seen in `stories_needed` distinct stories of one source is boilerplate
for that source. Only the exact text counts (its comparison form), and lines that name a date or
a time (a wire dateline "VAIL, Colorado 1996-12-07", a post's time) are never learned: they
open each story, recur on one day's stories, and are the story's own. Memory is bounded (lines
per source, sources, lines in all): least recently seen lines and sources are forgotten first.
It lives in the worker process (rebuilt from traffic after a restart). Pure: no I/O.
"""

from __future__ import annotations

from collections import OrderedDict

from worker.pipeline.boilerplate import line_fingerprint
from worker.pipeline.memo import per_line
from worker.pipeline.timelines import has_date, is_dateline, is_timestamp

MIN_WORDS = 4  # shorter lines ("Live", "Updated") are too common to learn from safely


@per_line()
def learnable(line: str) -> bool:
    """True for a line the memory may learn: MIN_WORDS words or more, and no date or time."""
    return len(line.split()) >= MIN_WORDS and not (
        has_date(line) or is_dateline(line) or is_timestamp(line)
    )


class SourceMemory:
    """Per source, which stories each recurring line has been seen in (bounded LRU)."""

    def __init__(
        self,
        stories_needed: int = 3,
        lines_per_source: int = 5000,
        max_sources: int = 2000,
        max_lines: int = 200_000,
    ) -> None:
        self.stories_needed = stories_needed
        self.lines_per_source = lines_per_source
        self.max_sources = max_sources
        self.max_lines = max_lines  # all sources together: about 350 bytes a line
        self._sources: OrderedDict[str, OrderedDict[str, set[str]]] = OrderedDict()
        self._lines = 0

    def is_boilerplate(self, source: str, line: str) -> bool:
        lines = self._sources.get(source)
        if lines is None or not learnable(line):
            return False
        stories = lines.get(line_fingerprint(line))
        return stories is not None and len(stories) >= self.stories_needed

    def observe(self, source: str, story: str, lines: list[str]) -> None:
        """Remember that `story` carried `lines`; only distinct stories count."""
        known = self._sources.pop(source, None) or OrderedDict()
        self._sources[source] = known
        while len(self._sources) > self.max_sources:
            self._lines -= len(self._sources.popitem(last=False)[1])
        for line in lines:
            if not learnable(line):
                continue
            fingerprint = line_fingerprint(line)
            stories = known.pop(fingerprint, None)
            if stories is None:
                stories = set()
                self._lines += 1
            if len(stories) < self.stories_needed:
                stories.add(story)
            known[fingerprint] = stories
        while len(known) > self.lines_per_source:
            known.popitem(last=False)
            self._lines -= 1
        while self._lines > self.max_lines:  # the least recently seen source gives up lines first
            oldest, oldest_lines = next(iter(self._sources.items()))
            oldest_lines.popitem(last=False)
            self._lines -= 1
            if not oldest_lines:
                del self._sources[oldest]

    def size(self) -> int:
        return sum(len(lines) for lines in self._sources.values())
