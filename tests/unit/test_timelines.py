"""Lines about time: post time lines, 'Updated at' markers and wire datelines, told apart."""

from __future__ import annotations

import pytest

from worker.pipeline.timelines import (
    has_date,
    is_dateline,
    is_relative,
    is_timestamp,
    is_update_marker,
)

TIME_LINES = [
    "2.56am GMT",
    "16:23",
    "10 November 2024, 14:05",
    "Tue 8 Jul 2025 06.02 BST",
    "Posted at 16:23",
    "Sept 12, 2024 3:05pm EST",
    "2025-07-08T09:12:00Z",
    "Yesterday at 14:05",
    "3 min ago",
    "1h ago",
    "just now",
]


@pytest.mark.parametrize("line", TIME_LINES)
def test_time_lines_in_their_many_forms_are_timestamps(line: str) -> None:
    """Clock times, dates with times, 'Posted at' and relative times all open posts."""
    assert is_timestamp(line)
    assert not is_update_marker(line)


@pytest.mark.parametrize(
    "line",
    ["Updated at 10.15am", "Updated: 9.20am BST", "First published on Tue 8 Jul 2025 05.40 BST"],
)
def test_update_markers_are_not_time_lines(line: str) -> None:
    """'Updated at ...' says when a post changed: furniture inside it, not a boundary."""
    assert is_update_marker(line)
    assert not is_timestamp(line)


@pytest.mark.parametrize("line", ["3 min ago", "2 hours ago", "an hour ago", "just now"])
def test_relative_times_are_recognised(line: str) -> None:
    """A time relative to the crawl is told apart from an absolute one."""
    assert is_relative(line)


def test_absolute_times_are_not_relative() -> None:
    """A clock time is the post's own time."""
    assert not is_relative("16:23")


@pytest.mark.parametrize(
    "line",
    ["12.50 euros", "10 Downing Street", "1.5m homes cut off", "May the force be with you"],
)
def test_prices_addresses_and_words_are_not_times(line: str) -> None:
    """Numbers with dots and month names inside words are text."""
    assert not is_timestamp(line)
    assert not is_update_marker(line)


@pytest.mark.parametrize(
    "line",
    [
        "VAIL, Colorado 1996-12-07",
        "Xinhua News Agency, Lanzhou, February 15",
        "PORT ALDER, Wessmark 2026-03-14",
        "LONDON, Nov 5 (Reuters) -",
    ],
)
def test_wire_datelines_are_recognised_and_name_a_date(line: str) -> None:
    """Places (or an agency) then a date make a dateline."""
    assert is_dateline(line)
    assert has_date(line)
    assert not is_timestamp(line)


def test_long_lines_are_never_times_or_datelines() -> None:
    """Shapes are bounded: a paragraph that mentions a date is neither."""
    line = "The council met on 5 November 2024 and agreed the budget. " * 3
    assert not (is_timestamp(line) or is_dateline(line) or has_date(line))
