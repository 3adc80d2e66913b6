"""The shape of a page (title, standfirst, key points, posts) and the splitting of live-blog text.

Owns the `Page` and `Post` values every input path produces and the heuristic that reads them
off plain text, one paragraph per line. Rules only, no learning. Pure: standard library only,
no faust, aiokafka, orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.pipeline.cleaning import comparison_form

HEADLINE_MAX_CHARS = 120
HEADLINE_MAX_WORDS = 20
TITLE_MAX_CHARS = 200
TITLE_MAX_WORDS = 35
# Shorter top lines are labels ("Live", "Breaking news") or fragments, not a page's title.
TITLE_MIN_WORDS = 3
# Two headline lines sharing this share of their words say the same thing twice.
SAME_WORDS = 0.5
# A first line this close to the given title is the title with site dressing ("| Herald");
# stricter than SAME_WORDS because a standfirst often reuses the title's words.
TITLE_SAME_WORDS = 0.8

# Escapes for the single quotes, low-9 quotes and single guillemets, which look like ASCII.
_OPENING_QUOTES = "“\u2018\"'«„\u201a\u2039"
_CLOSING_QUOTES = "”\u2019\"'»\u2039\u203a"
# A final character that makes a line a sentence or a fragment, never a headline.
_SENTENCE_END = ".!?:;,…-\u2013\u2014"  # with en and em dashes
_CREDIT = re.compile(r"(?:additional )?reporting by\b|with (?:agencies|reuters|ap|afp)$", re.I)
_WORD = re.compile(r"\w+")
# A line ending on one of these words was cut off mid-sentence: a fragment, not a headline.
_DANGLING = frozenset({"a", "an", "the", "and", "or", "but", "of", "to", "for", "with", "from"})
_ZONE = r"(?:gmt|bst|utc|cet|cest|eet|eest|msk|est|edt|cst|cdt|pst|pdt|ist|jst|kst|aest|aedt)"
_TIME = rf"\d{{1,2}}[:.]\d{{2}}(?:\s?[ap]\.?m\.?)?(?:\s?{_ZONE})?"
_DATE = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s)?\d{1,2}\s[a-z]{3,9}\.?,?\s\d{4}"
_TIMESTAMP = re.compile(
    rf"(?:updated:?\s)?(?:{_DATE}(?:,?\s(?:at\s)?{_TIME})?|{_TIME}(?:,?\s{_DATE})?|"
    r"\d+\s?(?:mins?|minutes?|hrs?|hours?|h|m)\sago|just now)",
    re.IGNORECASE,
)


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


def is_headline(
    line: str, max_chars: int = HEADLINE_MAX_CHARS, max_words: int = HEADLINE_MAX_WORDS
) -> bool:
    """True when `line` is shaped like a post headline rather than a body paragraph.

    A headline is short (at most `max_chars` characters and `max_words` words), starts with a
    capital letter, digit or currency sign, does not start with an opening quote (a one-line
    quotation is body), and does not end like a sentence or a fragment: no final full stop,
    question or exclamation mark, colon, comma, dash or closing quote, and no dangling "the",
    "of", "and"... Credit lines ("Additional reporting by ...") are body too.
    """
    words = line.split()
    if not words or len(line) > max_chars or len(words) > max_words:
        return False
    if words[-1].lower() in _DANGLING:
        return False
    first, last = line[0], line[-1]
    if first in _OPENING_QUOTES or last in _CLOSING_QUOTES or last in _SENTENCE_END:
        return False
    if not (first.isupper() or first.isdigit() or first in "£$€#"):
        return False
    return _CREDIT.match(line) is None


def is_timestamp(line: str) -> bool:
    """True for a line that is only a post's time ("09:41", "5 November 2024 09:41 GMT")."""
    return _TIMESTAMP.fullmatch(line) is not None


def shared_words(left: str, right: str) -> float:
    """Jaccard similarity of the two lines' sets of folded words (0.0 when either has none)."""
    a = set(_WORD.findall(comparison_form(left)))
    b = set(_WORD.findall(comparison_form(right)))
    return len(a & b) / len(a | b) if a and b else 0.0


def split_live_blog(paragraphs: list[str], title: str = "") -> Page:
    """Read title, standfirst, summary and posts off clean paragraphs, boilerplate removed.

    The rules, in page order (timestamp-only lines are post furniture and are left out):
    1. Title: the first line when it equals (or nearly repeats) `title`; with no `title`
       given, the first line when it is shaped like a headline (TITLE_MIN_WORDS up to
       TITLE_MAX_WORDS words, up to TITLE_MAX_CHARS) and more lines follow. A given `title`
       is the page's title either way.
    2. Live blog or plain article: a live blog has at least one headline line (see
       `is_headline`) after the line following the title. A plain article has none.
    3. Standfirst: in a live blog, the line after the title. In a plain article only when that
       line is shaped like a title (no final full stop) and body follows, because a plain
       article's first sentence-shaped paragraph is its lead, which belongs to the body.
    4. Summary: in a live blog, the paragraphs before the first headline (the key points).
    5. Posts: each headline starts a post whose body is the lines up to the next headline. A
       headline directly followed by another is a headline-only post (a photo gallery), unless
       the second repeats the first's words (SAME_WORDS): then it is a sub-headline, kept as
       the post's first paragraph. A plain article is one post without a headline.
    """
    lines = [line for line in paragraphs if line and not is_timestamp(line)]
    page_title, rest = _take_title(lines, title)
    live = any(is_headline(line) for line in rest[1:])
    if not live:
        standfirst = rest[0] if len(rest) > 1 and _is_title(rest[0]) else ""
        body = tuple(rest[1:] if standfirst else rest)
        posts = (Post("", body),) if body else ()
        return Page(page_title, standfirst, (), posts)
    first = next(i for i, line in enumerate(rest) if i > 0 and is_headline(line))
    return Page(page_title, rest[0], tuple(rest[1:first]), _posts(rest[first:]))


def _take_title(lines: list[str], title: str) -> tuple[str, list[str]]:
    if not lines:
        return title, []
    head = lines[0]
    if title:
        repeats = comparison_form(head) == comparison_form(title) or (
            _is_title(head) and shared_words(head, title) >= TITLE_SAME_WORDS
        )
        return title, lines[1:] if repeats else lines
    if len(lines) > 1 and _is_title(head):
        return head, lines[1:]
    return "", lines


def _is_title(line: str) -> bool:
    return len(line.split()) >= TITLE_MIN_WORDS and is_headline(
        line, TITLE_MAX_CHARS, TITLE_MAX_WORDS
    )


def _posts(lines: list[str]) -> tuple[Post, ...]:
    # Built as [headline, body] pairs; lines[0] is always a headline.
    found: list[tuple[str, list[str]]] = []
    for line in lines:
        if found and (not is_headline(line) or _is_subheadline(*found[-1], line)):
            found[-1][1].append(line)
        else:
            found.append((line, []))
    return tuple(Post(headline, tuple(body)) for headline, body in found)


def _is_subheadline(headline: str, body: list[str], line: str) -> bool:
    return not body and shared_words(headline, line) >= SAME_WORDS
