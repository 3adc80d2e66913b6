"""The shape of a page (title, standfirst, key points, posts) and the splitting of live-blog text.

Owns the `Page` and `Post` values every input path produces and the reading of them off plain
text, one paragraph per line, by the structure that repeats within the page: time lines when
the page has them (most live pages: Guardian, BBC, agencies), else headline lines (Independent).
A page is a live blog only on positive evidence; anything else is an ordinary article, kept
whole as one post. Rules only, no learning. Pure: standard library only, no faust, aiokafka,
orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.pipeline.cleaning import comparison_form
from worker.pipeline.shapes import (
    has_live_sign,
    is_headline,
    is_key_label,
    is_title,
    shared_words,
    strip_live_suffix,
    strip_site_suffix,
)
from worker.pipeline.timelines import is_relative, is_timestamp, is_update_marker

# Shorter top lines are labels ("Live", "Breaking news") or fragments, not a page's title.
TITLE_MIN_WORDS = 3
# Two headline lines sharing this share of their words say the same thing twice.
SAME_WORDS = 0.5
# A first line this close to the given title is the title with site dressing ("| Herald");
# stricter than SAME_WORDS because a standfirst often reuses the title's words.
TITLE_SAME_WORDS = 0.8
# Time lines that make a page a live blog by themselves (one is enough with another sign).
MIN_TIME_LINES = 2
# Without time lines or another sign, a page is a live blog when at least this many headlines
# of at least STRUCTURE_MIN_WORDS words each open a paragraph (see `_opens_paragraph`): an
# article's few short subheads, a results table, hard-wrapped lines or a signature do not;
# with a sign, one is enough.
STRUCTURE_MIN_POSTS = 4
STRUCTURE_MIN_WORDS = 5
PARAGRAPH_MIN_WORDS = 8
# With a sign (title, URL, key-events label, a key-points block repeating the posts), this many
# headlines of any length opening a whole paragraph make the page a live blog: the repeated
# alternation of a short line and a paragraph, as a match report's "Yellow card", "Kick-off".
SIGNED_MIN_POSTS = 3
# A key-points block at the top repeats the newest posts' first paragraphs: this many lines
# whose copies come later in the page make it evidence of a live blog by itself.
KEY_POINTS_MIN = 2
# Final characters of a line that ends a sentence (closing quotes and brackets included).
_RUNS_ON = frozenset(",;:-(\u2013\u2014")
_DANGLING = frozenset(
    {"a", "an", "the", "and", "or", "but", "of", "to", "for", "with", "from", "in", "on", "at"}
)
_OPENING_QUOTES = "\"'\u2018\u201c\u00ab\u201e"
_LONE_HASHTAG = re.compile(r"#[^\W\d_]\w{1,40}")
_ENDED = frozenset(".!?…\"”\u2019')]")


@dataclass(frozen=True)
class Post:
    """One post of a page: its headline ("" when it has none) and its paragraphs."""

    headline: str
    paragraphs: tuple[str, ...]
    published_at: str | None = None
    post_id: str | None = None


@dataclass(frozen=True)
class Page:
    """A page as read: title, standfirst, key-points summary, then posts newest first."""

    title: str
    standfirst: str
    summary: tuple[str, ...]
    posts: tuple[Post, ...]


def split_live_blog(
    paragraphs: list[str], title: str = "", *, live_sign: bool = False, url: str = ""
) -> Page:
    """Read title, standfirst, summary and posts off clean paragraphs, boilerplate removed.

    1. Title: the first line when it repeats `title` (also without its site suffix, or
       without a "- live updates" the page's own headline may not carry);
       with no `title`, the first line when it is shaped like a title and more lines follow.
    2. "Updated at ..." lines are dropped; so are a key-events label and the list of post
       headlines (and times) under it, which repeats the posts.
    3. Time lines: with MIN_TIME_LINES of them (one with `live_sign` or a key-events label),
       each run of time lines opens a post and is its published time (see `_by_time_lines`).
    4. Headlines: otherwise, headline lines that open posts (see `_post_starts`) split the
       page when the repeated structure is there (`_is_headline_blog`): STRUCTURE_MIN_POSTS
       long headlines opening whole paragraphs, or fewer (of any length) with a sign. Signs
       here are the page's own: its title line (or `title` when the page shows none) or the
       `url` saying "live", a key-events label, a key-points block; a crawler's title adding
       "- live updates" to a page whose own title line lacks it is not one.
    5. Otherwise the page is an ordinary article: one post without a headline holding every
       line after the title (its standfirst and dateline included); time lines are left out.
    In a live blog the line after the title is the standfirst and the lines up to the first
    post are the key points.
    """
    lines = [line for line in paragraphs if line and not is_update_marker(line)]
    page_title, rest = _take_title(lines, title)
    shown = lines[0] if len(rest) < len(lines) else page_title
    rest, labelled = _without_key_items(rest)
    own_sign = labelled or has_live_sign(shown, url)
    signed = live_sign or own_sign or has_live_sign(page_title)
    times = [i for i, line in enumerate(rest) if is_timestamp(line)]
    if len(times) >= MIN_TIME_LINES or (times and signed):
        return _by_time_lines(page_title, rest, times)
    rest = [line for line in rest if not is_timestamp(line)]
    first, after = _key_points(rest)
    own_sign = own_sign or after - first >= KEY_POINTS_MIN
    starts = [i for i in _post_starts(rest) if i >= after]
    if _is_headline_blog(rest, starts, own_sign):
        # The repeated structure is there: a line in a headline's place may head a post even
        # when it ends on "?" or ":" ("Penalty?") or is a lone hashtag ("#MarleFlood").
        starts = [i for i in _post_starts(rest, structured=True) if i >= after]
        standfirst = rest[0] if first or not after else ""
        summary = tuple(rest[1 if standfirst else 0 : starts[0]])
        return Page(page_title, standfirst, summary, _posts(rest, starts))
    return Page(page_title, "", (), (Post("", tuple(rest)),) if rest else ())


def _is_headline_blog(lines: list[str], starts: list[int], signed: bool) -> bool:
    """True when the headline starts show a live blog: STRUCTURE_MIN_POSTS long headlines
    each opening a whole paragraph; with a sign, one of them or SIGNED_MIN_POSTS headlines of
    any length opening one."""
    bounds = set(starts)
    opened = sum(_opens_paragraph(lines, i, bounds) for i in starts)
    if opened >= STRUCTURE_MIN_POSTS or (signed and opened):
        return True
    short = sum(_opens_paragraph(lines, i, bounds, min_words=1) for i in starts)
    return signed and short >= SIGNED_MIN_POSTS


def _key_points(lines: list[str]) -> tuple[int, int]:
    """Where a key-points block at the top starts and ends (0, 0 when there is none): the
    lines from the first (or the second, after a standfirst) whose copies all come later in the
    page, after the block and the line that follows it (the first post's headline), as the
    newest posts' first paragraphs do. A post whose first paragraph repeats its headline makes
    no block: its copy is the very next line."""
    forms = [comparison_form(line) for line in lines]
    last = {form: i for i, form in enumerate(forms)}
    for first in (0, 1):
        end = first
        while end < len(lines) and last[forms[end]] > end:
            end += 1
        if end > first and all(last[forms[i]] > end for i in range(first, end)):
            return first, end
    return 0, 0


def _take_title(lines: list[str], title: str) -> tuple[str, list[str]]:
    bare = strip_site_suffix(title)
    if not lines:
        return bare, []
    head = lines[0]
    if title:
        forms = {comparison_form(form) for form in (title, bare, strip_live_suffix(bare))}
        repeats = comparison_form(strip_site_suffix(head)) in forms or (
            is_title(head, TITLE_MIN_WORDS) and shared_words(head, bare) >= TITLE_SAME_WORDS
        )
        return bare, lines[1:] if repeats else lines
    if len(lines) > 1 and is_title(head, TITLE_MIN_WORDS):
        return head, lines[1:]
    return "", lines


def _without_key_items(lines: list[str]) -> tuple[list[str], bool]:
    """The lines without key-events labels and the headline list under each; and whether a
    label was there. Items are headline lines, each perhaps after a time line; the list ends
    where a line is body or a headline opens a body (the first post)."""
    kept: list[str] = []
    labelled = False
    i = 0
    while i < len(lines):
        if not is_key_label(lines[i]):
            kept.append(lines[i])
            i += 1
            continue
        labelled = True
        i += 1
        while i < len(lines):
            step = 2 if is_timestamp(lines[i]) else 1
            item = i + step - 1
            if item >= len(lines) or not _is_item(lines, item):
                break
            i += step
    return kept, labelled


def _is_item(lines: list[str], i: int) -> bool:
    if not is_headline(lines[i], lenient=True):
        return False
    following = lines[i + 1] if i + 1 < len(lines) else None
    return following is None or is_timestamp(following) or is_headline(following, lenient=True)


def _by_time_lines(title: str, lines: list[str], times: list[int]) -> Page:
    """Posts opened by runs of time lines. A post's published time is its last time line
    (None when relative: "3 min ago" changes on every crawl); its headline is the line after
    the times when that line is headline-shaped and body follows. On pages that put the
    headline above the time (most time lines come after a headline-shaped line, few before
    one), the headline line opens the post."""
    timed = set(times)
    runs = [i for i in times if i - 1 not in timed]
    ends = {start: _run_end(start, timed) for start in runs}
    above = sum(_headline_at(lines, start - 1, timed) for start in runs if start > 1)
    below = sum(_headline_at(lines, ends[start], timed) for start in runs)
    headline_above = above > below and 3 * above >= 2 * len(runs)
    starts = [
        start - 1
        if headline_above and start > 1 and _headline_at(lines, start - 1, timed)
        else start
        for start in runs
    ]
    head = lines[: starts[0]]
    posts = []
    for start, run, stop in zip(starts, runs, [*starts[1:], len(lines)], strict=True):
        moment = lines[ends[run] - 1]
        published = None if is_relative(moment) else moment
        body = [line for line in lines[start:stop] if not is_timestamp(line)]
        headline = ""
        if len(body) > 1 and is_headline(body[0], lenient=True):
            headline, body = body[0], body[1:]
        if headline or body:
            posts.append(Post(headline, tuple(body), published))
    return Page(title, head[0] if head else "", tuple(head[1:]), tuple(posts))


def _run_end(start: int, timed: set[int]) -> int:
    end = start
    while end in timed:
        end += 1
    return end


def _headline_at(lines: list[str], i: int, timed: set[int]) -> bool:
    return 0 <= i < len(lines) and i not in timed and is_headline(lines[i], lenient=True)


def _post_starts(lines: list[str], *, structured: bool = False) -> list[int]:
    """The lines after the first that open a post: a run of one or two headlines (a gallery
    headline before a post; lines repeating the one before, sub-headlines, count once) before
    a body paragraph, and not after a line cut mid-sentence. Longer runs are tables or lists;
    a line followed by the rest of its sentence was cut by hard wrapping, and lines with
    nothing after them close the page (a signature): they open nothing. With `structured`
    (the page is known to be a headline live blog), a line in a headline's place (see
    `_in_slot`) may be a headline that ends on "?" or ":" or is a lone hashtag."""
    heads = [
        is_headline(line) or (structured and _is_loose_head(line) and _in_slot(lines, i))
        for i, line in enumerate(lines)
    ]
    starts: list[int] = []
    i = 1
    while i < len(lines):
        if not heads[i]:
            i += 1
            continue
        end = i
        while end < len(lines) and heads[end]:
            end += 1
        before_body = end < len(lines) and _is_body(lines[end])
        units = 1 + sum(
            shared_words(lines[j - 1], lines[j]) < SAME_WORDS for j in range(i + 1, end)
        )
        if units <= 2 and (i == 1 or not _is_cut(lines[i - 1])) and before_body:
            starts.extend(range(i, end))
        i = end
    return starts


def _is_loose_head(line: str) -> bool:
    """True for a line shaped like a headline only where one is expected: it ends on "?"
    ("Penalty?"), is a quotation ending on ":" ("'It is the worst I have seen':"; other lines
    ending on ":" introduce what follows, "See:", "The rates are:"), or is one hashtag."""
    if _LONE_HASHTAG.fullmatch(line):
        return True
    quoted = line[0] in _OPENING_QUOTES
    return (line[-1] != ":" or quoted) and is_headline(line, lenient=True)


def _in_slot(lines: list[str], i: int) -> bool:
    """True when line `i` stands where a headline does: after a line that ends a sentence
    (or the page's first line) and before a whole paragraph."""
    after_end = i == 0 or lines[i - 1][-1] in _ENDED
    return after_end and i + 1 < len(lines) and _is_whole_paragraph(lines[i + 1])


def _opens_paragraph(
    lines: list[str], i: int, starts: set[int], min_words: int = STRUCTURE_MIN_WORDS
) -> bool:
    """True for a start that counts as evidence: a headline of `min_words` words or more
    whose post begins with a whole paragraph (PARAGRAPH_MIN_WORDS words with letters, ending a
    sentence). Hard-wrapped lines and table rows (mostly figures) seldom do both."""
    body = i + 1
    while body in starts:
        body += 1
    if body >= len(lines) or len(lines[i].split()) < min_words:
        return False
    return _is_whole_paragraph(lines[body])


def _is_whole_paragraph(line: str) -> bool:
    """True for PARAGRAPH_MIN_WORDS words with letters or more, ending a sentence."""
    words = sum(any(c.isalpha() for c in word) for word in line.split())
    return words >= PARAGRAPH_MIN_WORDS and line[-1] in _ENDED


def _is_cut(line: str) -> bool:
    """True for a line that stops mid-sentence: on a comma, a dash, an open bracket or a word
    like "the" or "and" (hard wrapping, or a sentence that runs on into the next line)."""
    return line[-1] in _RUNS_ON or line.rsplit(" ", 1)[-1].lower() in _DANGLING


def _is_body(line: str) -> bool:
    return not line[0].islower() or line[-1] in _ENDED


def _posts(lines: list[str], starts: list[int]) -> tuple[Post, ...]:
    """Each start opens a post whose body is the lines up to the next start. A headline
    directly followed by another start is a headline-only post (a photo gallery), unless the
    second repeats the first's words (SAME_WORDS): then it is a sub-headline, kept as the
    post's first paragraph."""
    found: list[tuple[str, list[str]]] = []
    bounds = set(starts)
    for i in range(starts[0], len(lines)):
        line = lines[i]
        if found and (i not in bounds or _is_subheadline(*found[-1], line)):
            found[-1][1].append(line)
        else:
            found.append((line, []))
    return tuple(Post(headline, tuple(body)) for headline, body in found)


def _is_subheadline(headline: str, body: list[str], line: str) -> bool:
    return not body and shared_words(headline, line) >= SAME_WORDS
