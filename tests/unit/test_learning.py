"""Learned boilerplate: only exact lines that recur across stories, never datelines or times."""

from __future__ import annotations

import pytest

from worker.pipeline.learning import SourceMemory, learnable

PLUG = "Sign up to the Harbour Herald morning briefing for free"


def test_a_line_in_three_stories_is_learned() -> None:
    """A line repeated across enough distinct stories of one source is boilerplate there."""
    memory = SourceMemory(stories_needed=3)
    for story in ("s1", "s2", "s3"):
        memory.observe("herald", story, [PLUG, f"News of story {story} here."])
    assert memory.is_boilerplate("herald", PLUG)
    assert not memory.is_boilerplate("herald", "News of story s1 here.")
    assert not memory.is_boilerplate("other", PLUG)


@pytest.mark.parametrize(
    "line",
    [
        "VAIL, Colorado 1996-12-07",
        "Xinhua News Agency, Lanzhou, February 15",
        "PORT ALDER, Wessmark 2026-03-14",
        "Tue 8 Jul 2025 06.02 BST",
    ],
)
def test_datelines_and_times_are_never_learned(line: str) -> None:
    """A wire dateline recurs on one day's stories but belongs to each: it is never removed."""
    memory = SourceMemory(stories_needed=3)
    for story in ("s1", "s2", "s3", "s4"):
        memory.observe("wire", story, [line])
    assert not learnable(line)
    assert not memory.is_boilerplate("wire", line)
