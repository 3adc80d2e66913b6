"""Lines about time: a post's time line, an "Updated at" marker, a wire dateline.

Owns the date and clock patterns and the three line shapes built on them. A time line
("2.56am GMT", "16:23", "3 min ago", "10 November 2024, 14:05") opens a post on most live
pages and is its published time; an update marker ("Updated at 10.15am", "First published on
...") is page furniture inside a post; a dateline ("VAIL, Colorado 1996-12-07", "Lanzhou,
February 15") opens a wire story and differs from story to story. Every pattern is anchored and
bounded, so a test costs time linear in the line. Pure: standard library only, no faust,
aiokafka, orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import re

from worker.pipeline.memo import per_line

# Longer lines are never only a time or a dateline; the cap also bounds the regex work.
MAX_CHARS = 100

_ZONE = r"(?:gmt|bst|utc|cet|cest|eet|eest|msk|est|edt|cst|cdt|pst|pdt|ist|jst|kst|aest|aedt)"
_MERIDIEM = r"\s?[ap]\.?m\.?"
CLOCK = rf"(?:\d{{1,2}}[:.]\d{{2}}(?:{_MERIDIEM})?|\d{{1,2}}{_MERIDIEM})(?:\s?{_ZONE})?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?|fri(?:day)?|"
    r"sat(?:urday)?|sun(?:day)?)\.?,?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE = (
    rf"(?:(?:{_WEEKDAY}\s)?(?:{_DAY}\s{_MONTH}|{_MONTH}\s{_DAY})(?:,?\s\d{{4}})?|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})"
)
_ISO = r"\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?"
RELATIVE = (
    r"(?:(?:\d{1,3}|an?|one)\s?(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)"
    r"\s?ago|just now|moments? ago)"
)
_DAY_LABEL = r"(?:today|yesterday)"
# One moment, written any of the ways pages write it.
MOMENT = (
    rf"(?:{_ISO}|{DATE}(?:,?\s(?:at\s)?{CLOCK})?|{CLOCK}(?:,?\s(?:on\s)?{DATE})?|{RELATIVE}|"
    rf"{_DAY_LABEL}(?:,?\s(?:at\s)?{CLOCK})?)"
)
_TIME_LINE = re.compile(rf"(?:(?:posted|published)(?:\s(?:at|on))?:?\s)?{MOMENT}", re.I)
# Written lower-case: boilerplate rules match comparison forms.
UPDATE_MARKER = (
    rf"(?:(?:last\s)?updated|first\spublished|last\smodified|edited)(?:\s(?:at|on))?:?"
    rf"(?:\s{MOMENT})?"
)
_UPDATE_MARKER = re.compile(UPDATE_MARKER, re.I)
_RELATIVE = re.compile(RELATIVE, re.I)
# Places (and an agency) then a date, then perhaps "(Reuters)" and a dash.
_DATELINE = re.compile(
    rf"[^\W\d_][^.!?:;]{{0,60}}?,?\s{DATE}(?:\s?\([^()]{{1,30}}\))?(?:\s?[-\u2013\u2014])?",
    re.I,
)
_HAS_DATE = re.compile(rf"(?<!\w){DATE}(?!\w)", re.I)


@per_line()
def is_timestamp(line: str) -> bool:
    """True for a line that is only a post's time ("09:41", "5 November 2024 09:41 GMT",
    "Posted at 16:23", "3 min ago"); an "Updated at ..." line is not one."""
    return len(line) <= MAX_CHARS and _TIME_LINE.fullmatch(line.strip()) is not None


@per_line()
def is_relative(line: str) -> bool:
    """True for a time line relative to the moment of the crawl ("3 min ago", "2h ago")."""
    return len(line) <= MAX_CHARS and _RELATIVE.fullmatch(line.strip()) is not None


@per_line()
def is_update_marker(line: str) -> bool:
    """True for a line saying when the post or page was changed ("Updated at 10.15am")."""
    return len(line) <= MAX_CHARS and _UPDATE_MARKER.fullmatch(line.strip()) is not None


@per_line()
def is_dateline(line: str) -> bool:
    """True for a wire story's dateline: places or an agency, then a date, nothing else."""
    return len(line) <= MAX_CHARS and _DATELINE.fullmatch(line.strip()) is not None


@per_line()
def has_date(line: str) -> bool:
    """True when a short line names a date ("February 15", "1996-12-07", "5 Nov 2024")."""
    return len(line) <= MAX_CHARS and _HAS_DATE.search(line) is not None
