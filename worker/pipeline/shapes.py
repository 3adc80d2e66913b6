"""The shapes of single lines that splitting reads a page by: headlines, titles, labels.

Owns the tests of one line at a time: a post headline (and what only looks like one: photo
credits, bylines, hashtags, tweet lines, datelines), a page title with its site suffix, the
label of a key-events block, and the signs in a title or URL that a page is a live blog. Each
test is bounded and linear in the line. Pure: standard library only, no faust, aiokafka,
orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import re

from worker.pipeline.cleaning import comparison_form
from worker.pipeline.memo import per_line
from worker.pipeline.timelines import is_dateline, is_timestamp, is_update_marker

HEADLINE_MAX_CHARS = 120
HEADLINE_MAX_WORDS = 20
TITLE_MAX_CHARS = 200
TITLE_MAX_WORDS = 35
# A site suffix ("| US news | The Guardian", "- BBC News") has at most this many words a part.
SITE_MAX_WORDS = 4

# Escapes for the single quotes, low-9 quotes and single guillemets, which look like ASCII.
_OPENING_QUOTES = "“\u2018\"'«„\u201a\u2039"
_CLOSING_QUOTES = "”\u2019\"'»\u2039\u203a"
_QUOTES = frozenset(_OPENING_QUOTES + _CLOSING_QUOTES)
# A final character that makes a line a sentence or a fragment, never a headline.
_SENTENCE_END = ".!;,…-\u2013\u2014"  # with en and em dashes
_WORD = re.compile(r"\w+")
# A line ending on one of these words was cut off mid-sentence: a fragment, not a headline.
_DANGLING = frozenset({"a", "an", "the", "and", "or", "but", "of", "to", "for", "with", "from"})
# "The minister said:" introduces a quotation; "Watch:" or "Q&A:" may open a headline.
_SPEECH = frozenset({"said", "says", "told", "wrote", "added", "tweeted", "posted", "stated"})
_REPORTING = re.compile(r"(?:additional )?reporting by\b|with (?:agencies|reuters|ap|afp)$", re.I)
_AGENCY = (
    r"getty|reuters|ap|afp|pa|epa|shutterstock|alamy|anadolu|xinhua|bloomberg|sipa|rex|dpa|"
    r"efe|ansa|zuma|nurphoto|sopa|aap"
)
# Picture credits: "Photograph: Ann Lee/Reuters", "(Image: Getty)", "Credit: Reuters".
_CREDIT_HEAD = re.compile(
    r"(?:photograph|photo|picture|image|illustration|video|credit|source)s?\s?:\s?(.*)", re.I
)
_CREDIT_ANYWHERE = re.compile(
    rf"\((?:photograph|photo|picture|image|credit)s?:[^()]{{0,80}}\)|"
    rf"(?:photograph|credit)s?:[^:]{{0,80}}$|/(?:{_AGENCY})(?: images| photos| via getty)?\)?$",
    re.I,
)
_AGENCY_WORD = re.compile(rf"\b(?:{_AGENCY})\b", re.I)
_BYLINE = re.compile(r"[Bb]y(?:\s[A-Z][\w'\u2019.-]*|\sand|,){1,8}")
_SOCIAL = re.compile(r"@\w|https?://|www\.|pic\.twitter|\bt\.co/")
_HASHTAG = re.compile(r"#[^\W\d_]")
_SITE_WORDS = frozenset({"news", "online", "and", "&", "of", "the", "sport", "world", "politics"})
_SITE_SEPARATORS = re.compile(r"\s(?:\||-|\u2013|\u2014|·|::)\s")
_KEY_LABEL = re.compile(
    r"(?:key (?:events|points|moments|updates|developments)|what we know(?: so far)?|"
    r"summary|at a glance|in brief)\s?:?",
    re.I,
)
_LIVE_TITLE = re.compile(
    r"\b(?:live|latest)(?: updates?| news| coverage| blog)?\s?[:|]|"
    r"[-\u2013\u2014:|]\s?(?:live|latest)(?: updates?| news| coverage| blog)?$|"
    r"\bas it happened\b|\blive (?:updates?|coverage|blog)\b",
    re.I,
)
_LIVE_SUFFIX = re.compile(
    r"\s?[-\u2013\u2014:|]\s?(?:live(?: updates?| coverage| blog)?|as it happened)$", re.I
)
_LIVE_URL = re.compile(r"/live(?:[-/.]|$)|[-_]live(?:[-_/.]|$)|/liveblog", re.I)


def is_headline(
    line: str,
    max_chars: int = HEADLINE_MAX_CHARS,
    max_words: int = HEADLINE_MAX_WORDS,
    *,
    lenient: bool = False,
) -> bool:
    """True when `line` is shaped like a post headline rather than a body paragraph.

    A headline is short (at most `max_chars` characters and `max_words` words), starts with a
    capital letter, digit, currency sign or a quotation that the line goes on after ("'We
    will not stop': mayor vows"), may end with a quotation it did not open with ("Mayor: 'We
    will not stop'"), and does not end like a sentence or a fragment: no final full stop,
    exclamation mark, comma, dash, and no dangling "the", "of", "and"... `lenient` (for the
    line after a post's time line, where a headline is expected) also takes a final "?" and a
    final ":" not after a speech verb. Photo credits, bylines, hashtags, tweet lines,
    datelines, times and reporting credits are never headlines.
    """
    words = line.split()
    if not words or len(line) > max_chars or len(words) > max_words:
        return False
    if words[-1].lower() in _DANGLING or not _ends_like_headline(line, words, lenient):
        return False
    if not _starts_like_headline(line):
        return False
    return not is_furniture(line)


def _starts_like_headline(line: str) -> bool:
    first = line[0]
    if first in _OPENING_QUOTES:
        # A quotation closed before the end, with more words after it or none, opens a
        # headline ("'We will not stop': mayor vows", "'We lost everything'").
        closing = max(line.rfind(quote) for quote in _CLOSING_QUOTES)
        return closing > 0 and line[1:2].isupper()
    return first.isupper() or first.isdigit() or first in "£$€"


def _ends_like_headline(line: str, words: list[str], lenient: bool) -> bool:
    last = line[-1]
    if last in _CLOSING_QUOTES:
        # A quotation that ends a sentence inside its quotes ("... again.”") is body.
        return (
            len(line) > 2
            and line[-2] not in _SENTENCE_END + "?"
            and (any(q in line[:-1] for q in _OPENING_QUOTES))
        )
    if last == "?":
        return lenient
    if last == ":":
        return lenient and words[-1][:-1].lower() not in _SPEECH
    return last not in _SENTENCE_END


@per_line()
def is_furniture(line: str) -> bool:
    """True for a short line that only looks like a headline: a photo credit, byline,
    reporting credit, hashtag or tweet line, dateline, time line, update marker or the label
    of a key-events block."""
    return bool(
        is_credit(line)
        or _CREDIT_ANYWHERE.search(line)
        or _REPORTING.match(line)
        or _BYLINE.fullmatch(line)
        or _SOCIAL.search(line)
        or line.startswith("#")
        or len(_HASHTAG.findall(line)) > 1
        or is_timestamp(line)
        or is_update_marker(line)
        or is_dateline(line)
        or is_key_label(line)
    )


@per_line()
def is_credit(line: str) -> bool:
    """True for a line that is only a picture credit ("Photograph: Ann Lee/Reuters", "(Image:
    Getty)", "Credit: Reuters"), never for a gallery headline ("PHOTOS: Smoke over the bay")."""
    credit = _CREDIT_HEAD.fullmatch(line.strip("() "))
    return credit is not None and _is_credited(credit.group(1))


def _is_credited(rest: str) -> bool:
    # "Photograph: Ann Lee/Reuters", "Credit: Getty Images", "Picture: Ann Lee"; not the
    # gallery headline "PHOTOS: Smoke over the harbour".
    words = rest.split()
    named = 0 < len(words) <= 4 and all(word[:1].isupper() for word in words)
    return named or "/" in rest or _AGENCY_WORD.search(rest) is not None


def is_title(line: str, min_words: int) -> bool:
    """True for a line shaped like a page's title: a long headline of at least `min_words`."""
    return len(line.split()) >= min_words and is_headline(line, TITLE_MAX_CHARS, TITLE_MAX_WORDS)


def is_key_label(line: str) -> bool:
    """True for the label over a key-events or key-points block ("Key events")."""
    return len(line) < 40 and _KEY_LABEL.fullmatch(line) is not None


def strip_site_suffix(title: str) -> str:
    """The title without the site's name and sections that crawlers' titles append
    ("... | US news | The Guardian", "... - BBC News"); a title without one is unchanged.

    Parts after a separator go from the end while each is short (SITE_MAX_WORDS) and named
    like a site or section (capitalised words and words like "news"), so "... - live" and a
    second clause ("... - Harris concedes") stay."""
    separators = list(_SITE_SEPARATORS.finditer(title))
    end = len(title)
    while separators and _is_site_part(title[separators[-1].end() : end]):
        end = separators.pop().start()
    return title[:end]


def _is_site_part(part: str) -> bool:
    words = part.split()
    named = [word for word in words if word[:1].isupper()]
    plain = all(word[:1].isupper() or word.lower() in _SITE_WORDS for word in words)
    return 0 < len(words) <= SITE_MAX_WORDS and bool(named) and plain


def strip_live_suffix(title: str) -> str:
    """The title without a final "- live", "- live updates" or "- as it happened"."""
    found = _LIVE_SUFFIX.search(title[-40:])
    return title[: len(title) - len(found.group(0))] if found else title


def has_live_sign(title: str, url: str = "") -> bool:
    """True when the title or the URL says the page is a live blog ("... - live", "Storm
    latest: ...", "/live/", "-live-")."""
    return bool(_LIVE_TITLE.search(title[:TITLE_MAX_CHARS]) or _LIVE_URL.search(url[:2000]))


def shared_words(left: str, right: str) -> float:
    """Jaccard similarity of the two lines' sets of folded words (0.0 when either has none)."""
    a = set(_WORD.findall(comparison_form(left)))
    b = set(_WORD.findall(comparison_form(right)))
    return len(a & b) / len(a | b) if a and b else 0.0
