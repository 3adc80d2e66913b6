"""Rule-based boilerplate: the prompts, appeals and widgets every news site wraps around text.

Owns the named rule table, the line and sentence tests built on it, the removal of a donation
appeal block, and the fingerprint the learned-boilerplate memory keys lines by. Rules are
deliberately narrow: each is anchored to the whole line or sentence it claims, so a news
sentence that merely mentions subscribing or support is never flagged. Pure: standard library
only, no faust, aiokafka, orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from worker.pipeline.cleaning import clean_text, comparison_form, sentences
from worker.pipeline.memo import per_line
from worker.pipeline.shapes import is_credit, is_headline
from worker.pipeline.timelines import UPDATE_MARKER

# Rules match comparison forms (case-folded, straight quotes, hyphens) with `fullmatch`, so each
# pattern must account for the whole unit it flags. REST is the rest of one sentence (no
# sentence punctuation); ANY is the rest of the line, for prompts that own their whole line.
REST = r"[^.!?]*"
ANY = r".*"
_END = r"\s*[.!?:…]*"
# A counter as sites print it: "12", "1,028", "1.2k", "3 m".
NUMBER = r"\d[\d,.]{0,12}\s?[km]?"


_SHARE = (
    r"(?:share (?:on|via|to) (?:facebook|twitter|x|whatsapp|linkedin|email|reddit|pinterest|"
    r"bluesky|threads|flipboard|messenger)|share (?:this|the) (?:article|story|page|post)|"
    rf"copy link|link copied|(?:{NUMBER} )?shares?(?: \(?{NUMBER}\)?)?|tweet|facebook|whatsapp|"
    r"email|print)"
)


def _rule(name: str, pattern: str) -> tuple[str, re.Pattern[str]]:
    return name, re.compile(rf"\s*(?:{pattern}){_END}\s*", re.DOTALL)


RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    _rule(
        "donation_appeal",
        rf"your (?:continued )?(?:support|donations?|contributions?|generosity)"
        rf" (?:\w+ ){{0,3}}?(?:helps?|allows?|makes?|means?|enables?|keeps?|funds?|"
        rf"powers?|ensures?)\b{REST}",
    ),
    _rule("support_journalism", rf"{REST}\b(?:support|fund) our (?:journalism|reporting){REST}"),
    _rule(
        "contribution",
        rf"(?:please )?(?:consider )?(?:make|making|give|giving) a (?:[\w-]+ ){{0,2}}"
        rf"(?:contribution|donation)(?: (?:to|towards) (?:us|our)\b{REST}|"
        rf" (?:today|now))?|(?:donate|contribute) (?:now|today)",
    ),
    _rule(
        "bookmark_prompt",
        rf"(?:subscribe to {REST}to (?:bookmark|save|keep)|want to (?:bookmark|save|keep)\b){ANY}",
    ),
    _rule(
        "subscription_prompt",
        rf"start your (?:[\w-]+ ){{0,3}}(?:subscription|free trial){REST}|"
        rf"subscribe (?:now|today|here)|subscribe to (?:our|the) {REST}",
    ),
    _rule(
        "comment_prompt",
        rf"join (?:our|the) (?:commenting forum|comments?|conversation|discussion){REST}|"
        rf"join thought-provoking conversations{REST}|(?:view |show |read |{NUMBER} )?comments?"
        rf"(?: \(?{NUMBER}\)?)?|(?:leave|post|add) a comment",
    ),
    _rule(
        "newsletter_signup",
        rf"sign up (?:to|for) (?:our|the|a) {REST}\b(?:newsletters?|emails?|briefings?|alerts)"
        rf"{REST}|get (?:our|the) (?:free )?{REST}\b(?:newsletter|email|briefing)s?{REST}|"
        rf"(?:newsletter|email) sign-?up",
    ),
    _rule(
        "cookie_notice",
        # Atomic groups: "you agree" repeated a million times must not be retried at every start.
        rf"(?:we|this (?:site|website)) uses? cookies{REST}|by (?:continuing|using) "
        rf"(?>[^.!?]*?\byou (?:agree|consent)\b)(?>[^.!?]*?cookies)[^.!?]*+|"
        rf"(?:accept|reject|manage)(?: all)? cookies|cookie (?:policy|settings|preferences|notice)",
    ),
    # Share widgets render as one line of several buttons: "Share on Facebook Share on X Copy link".
    # One way only to match the space between buttons, or a long run of them backtracks forever.
    _rule("share_button", rf"{_SHARE}(?:\s*(?:[|·•/]\s*)?{_SHARE})*|click to share\b.*"),
    _rule(
        "advertisement",
        r"advertisement|advert|sponsored(?: content)?|(?:story|article) continues below"
        r"(?: (?:this )?(?:advertisement|advert))?",
    ),
    _rule("read_more", rf"(?:read more|related|see also|read also|recommended|most read)\s*:{ANY}"),
    _rule("click_here", rf"click here\b{ANY}"),
    # Labels and credits live pages print around their posts.
    _rule(
        "page_furniture",
        rf"get involved|reuse this content|all times (?:stated )?are (?:uk|gmt|bst|utc|et|local)"
        rf"(?: time)?|(?:live )?(?:updates|reporting)|live|show key events only|"
        rf"please turn on javascript{ANY}|"
        rf"(?:edited|compiled|presented) by [^.!?]{{1,60}}",
    ),
    # "Updated at 10.15am" inside a post says when it changed, which is not news.
    _rule("update_marker", UPDATE_MARKER),
)
_ALL_RULES = re.compile("|".join(f"(?P<{name}>{rule.pattern})" for name, rule in RULES), re.DOTALL)
# The vocabulary of an appeal's paragraphs, which no rule can claim alone ("Every gift keeps
# this page open", "our correspondents report from wherever the news happens").
_APPEAL_WORDS = re.compile(
    r"\b(?:donat\w*|contribut\w*|gifts?|support(?:ers?|ing)? (?:us|our)\b|readers? (?:like you|"
    r"gave|who)|our (?:reporters|correspondents|journalis\w+|reporting|newsroom)|free to read|"
    r"paywalls?|subscri\w+|every reader|keeps? (?:this|our|every) \w+ (?:open|free))"
)
_READER = re.compile(r"\byou(?:rs?)?\b")
_APPEAL_RULES = frozenset({"donation_appeal", "support_journalism", "contribution"})
# An appeal is several paragraphs: consecutive appeal hits at most this many lines apart
# belong to one block, and the lines between them are its body.
APPEAL_GAP = 4


def _unit_rule(unit: str) -> str | None:
    found = _ALL_RULES.fullmatch(comparison_form(unit))
    return found.lastgroup if found else None


@per_line()
def _judge(line: str) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """The line's sentences and, for each, the rule that claims it (None: content)."""
    parts = tuple(sentences(line))
    whole = "picture_credit" if is_credit(line) else _unit_rule(line)
    if whole is None and _is_appeal_heading(line):
        whole = "appeal_heading"
    if whole is not None or len(parts) < 2:
        return parts, (whole,) * len(parts)
    return parts, tuple(_unit_rule(part) for part in parts)


def _is_appeal_heading(line: str) -> bool:
    """True for the heading over an appeal, which some pages show without the appeal: a
    headline-shaped line in the appeal's language that speaks to the reader ("Our reporters
    stay on the story because you do")."""
    if not is_headline(line):
        return False
    form = comparison_form(line)
    return _APPEAL_WORDS.search(form) is not None and _READER.search(form) is not None


def boilerplate_rule(line: str) -> str | None:
    """The name of the rule that makes `line` boilerplate, or None when it is content.

    A line is boilerplate when one rule claims it whole, or when every one of its sentences is
    boilerplate (then the first sentence's rule is named). A line with any news left is not.
    """
    parts, rules = _judge(line)
    return rules[0] if parts and all(rules) else None


def is_boilerplate(line: str) -> bool:
    """True when `line` is nothing but prompts, appeals or widget text."""
    return boilerplate_rule(line) is not None


@per_line()
def is_chrome(raw_line: str) -> bool:
    """True for a raw line that cleaning drops wherever it stands: markup debris (no letter or
    digit) or boilerplate by rule as a whole. A page's other lines are its content."""
    line = clean_text(raw_line)
    return not any(c.isalnum() for c in line) or is_boilerplate(line)


def remove_boilerplate_sentences(paragraph: str) -> str:
    """The paragraph without its boilerplate sentences ("" when nothing else is left).

    Extraction glues an appeal's last sentence to the next paragraph ("...all the
    difference.Ukraine is..."); cleaning parts the seam, and this drops the appeal half.
    """
    parts, rules = _judge(paragraph)
    return " ".join(part for part, rule in zip(parts, rules, strict=True) if rule is None)


def _never(line: str) -> bool:
    return False


def strip_boilerplate(lines: list[str], is_learned: Callable[[str], bool] = _never) -> list[str]:
    """Clean `lines` without boilerplate lines, sentences, learned lines and appeal blocks.

    An appeal runs over several paragraphs: it opens with a sentence like "Your support
    helps us..." and closes with one like "Your support makes all the difference."; the
    paragraphs between praise the publisher in words no rule could safely claim. So every
    sentence from a block's first appeal sentence to its last goes: news before the opening
    sentence on its line and after the closing sentence on its line stays. A line that
    `is_learned` (boilerplate learned for the source) may open a block too, so an appeal whose
    first lines were learned still takes its unlearned middle (a changing number) with it;
    a block ends at an appeal sentence, never at a learned line. Blocks join lines at most
    APPEAL_GAP apart and never across a headline-shaped line (a standfirst, a post headline).
    """
    judged = [_judge(line) for line in lines]
    learned = [is_learned(line) for line in lines]
    keep = [
        [rule is None and not gone for rule in rules]
        for (_, rules), gone in zip(judged, learned, strict=True)
    ]
    appeals = [[rule in _APPEAL_RULES for rule in rules] for _, rules in judged]
    hits = [i for i, flags in enumerate(appeals) if any(flags) or learned[i]]
    for first, last in _blocks(hits, lines):
        anchors = [i for i in range(first, last + 1) if any(appeals[i])]
        if not anchors:
            continue
        last = anchors[-1]
        earlier = _appeal_lead(lines, first)
        if earlier < first:
            first, learned[earlier] = earlier, True  # taken whole, like a learned line
        opening = 0 if learned[first] else appeals[first].index(True)
        closing = len(appeals[last]) - appeals[last][::-1].index(True)
        for i in range(first, last + 1):
            low = opening if i == first else 0
            high = closing if i == last else len(keep[i])
            keep[i][low:high] = [False] * (high - low)
    kept = (
        " ".join(part for part, flag in zip(parts, flags, strict=True) if flag)
        for (parts, _), flags in zip(judged, keep, strict=True)
    )
    return [line for line in kept if line]


def _appeal_lead(lines: list[str], first: int) -> int:
    """Where an appeal block really starts: the paragraphs just above its first appeal
    sentence that speak the appeal's language (our reporters, readers, gifts, paywalls...),
    up to APPEAL_GAP of them and at most one headline-shaped one (the appeal's heading)."""
    start = first
    while (
        start > 0
        and first - start < APPEAL_GAP
        and _APPEAL_WORDS.search(comparison_form(lines[start - 1]))
    ):
        start -= 1
        if is_headline(lines[start]):
            break
    return start


def _blocks(hits: list[int], lines: list[str]) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    for i in hits:
        near = blocks and i - blocks[-1][1] <= APPEAL_GAP
        if near and not any(is_headline(line) for line in lines[blocks[-1][1] + 1 : i]):
            blocks[-1] = (blocks[-1][0], i)
        else:
            blocks.append((i, i))
    return blocks


@per_line()
def line_fingerprint(line: str) -> str:
    """A short, stable hex digest of the line's comparison form (same in every process)."""
    digest = hashlib.blake2b(comparison_form(line).encode(), digest_size=8)
    return digest.hexdigest()
