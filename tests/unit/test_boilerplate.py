"""Rule-based boilerplate: named rules, conservative matching, appeal blocks, fingerprints."""

from __future__ import annotations

import re

import pytest

from worker.pipeline.boilerplate import (
    RULES,
    boilerplate_rule,
    is_boilerplate,
    line_fingerprint,
    remove_boilerplate_sentences,
    strip_boilerplate,
)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Your support helps us report from where the story is", "donation_appeal"),
        ("Your donation allows our correspondents to stay in the field.", "donation_appeal"),
        ("Your support really does make a difference.", "donation_appeal"),
        ("Please support our journalism", "support_journalism"),
        ("Make a contribution today", "contribution"),
        ("Please consider making a small donation to us this winter.", "contribution"),
        ("Subscribe to Herald Plus to bookmark this story", "bookmark_prompt"),
        (
            "Want to bookmark your favourite blogs? Start your Herald Plus subscription today.",
            "bookmark_prompt",
        ),
        ("Start your free trial subscription now", "subscription_prompt"),
        ("Subscribe now", "subscription_prompt"),
        ("Join our commenting forum", "comment_prompt"),
        ("Join thought-provoking conversations with other Herald readers", "comment_prompt"),
        ("Comments", "comment_prompt"),
        ("View comments (12)", "comment_prompt"),
        ("Sign up to our free Storm Watch newsletter", "newsletter_signup"),
        ("Get our free Morning Briefing email", "newsletter_signup"),
        ("We use cookies to improve your experience.", "cookie_notice"),
        ("Accept all cookies", "cookie_notice"),
        ("Share on Facebook", "share_button"),
        ("Share on Facebook Share on X Copy link", "share_button"),
        ("Share this article", "share_button"),
        ("Copy link", "share_button"),
        ("Share", "share_button"),
        ("Advertisement", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Read more: How Portlaven built its sea wall", "read_more"),
        ("Click here to read the full report", "click_here"),
    ],
)
def test_rule_names_the_boilerplate_it_flags(line: str, rule: str) -> None:
    """Each kind of prompt is flagged, and the rule that fired is named."""
    assert boilerplate_rule(line) == rule
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Readers who subscribe to the paper's print edition will get the supplement free.",
        "The minister said she would support the bill when it returns to parliament.",
        "The firm will make a contribution to the relief fund, its chairman said.",
        "Shares in Westline fell 4 per cent after the outage.",
        "Councillors voted to share the cost of the new sea wall with the port.",
        "Subscribers to the ferry service said they had received no warning.",
        "“Your support means the world,” the coach told fans after the match.",
        "The comments were condemned by opposition leaders.",
        "Residents were told to click on the council website for updates.",
        "Ukraine repels second overnight drone attack",
    ],
)
def test_news_sentences_mentioning_prompt_words_are_not_boilerplate(line: str) -> None:
    """Subscribing, support, contributions, shares and comments in news are content."""
    assert boilerplate_rule(line) is None


def test_every_rule_is_named_once_and_compiled() -> None:
    """The rule table is one table of distinct names and compiled patterns."""
    names = [name for name, _ in RULES]
    assert len(names) == len(set(names))
    assert all(isinstance(rule, re.Pattern) for _, rule in RULES)


def test_rules_ignore_case_quote_style_and_spacing() -> None:
    """Rules match the comparison form, so typography does not hide a prompt."""
    assert is_boilerplate("  SHARE\u00a0ON   FACEBOOK ")
    assert is_boilerplate("Sign up to our free “Storm Watch” newsletter")


def test_line_with_news_left_is_not_boilerplate() -> None:
    """A line whose appeal is glued to news is not dropped whole."""
    line = "Your support really does make a difference.Crews worked through the night."
    assert not is_boilerplate(line)


def test_remove_boilerplate_sentences_drops_a_glued_appeal_and_keeps_the_news() -> None:
    """The appeal half of a glued line goes; the news half stays."""
    line = "Your support makes all the difference.Crews are repelling the second surge."
    assert remove_boilerplate_sentences(line) == "Crews are repelling the second surge."


def test_remove_boilerplate_sentences_keeps_content_paragraphs_unchanged() -> None:
    """A paragraph with no boilerplate sentence comes back as it was."""
    paragraph = "The wall held. Crews left at dawn, the harbour master said."
    assert remove_boilerplate_sentences(paragraph) == paragraph


def test_remove_boilerplate_sentences_of_pure_boilerplate_is_empty() -> None:
    """A paragraph of prompts only leaves nothing."""
    assert remove_boilerplate_sentences("Share this article") == ""


def test_strip_boilerplate_removes_a_multi_paragraph_appeal_block() -> None:
    """Everything from the appeal's first sentence to its last goes, news around it stays."""
    lines = [
        "Storm Ilsa latest",
        "Your support helps us report from where the story is",
        "We send reporters to the places the news is happening and check every claim.",
        "Good reporting is expensive. Your donation allows us to stay in the storm zone.",
        "Every gift counts. Your support makes all the difference.Crews worked all night.",
        "The wall held.",
    ]
    assert strip_boilerplate(lines) == [
        "Storm Ilsa latest",
        "Crews worked all night.",
        "The wall held.",
    ]


def test_strip_boilerplate_keeps_news_before_an_appeal_on_its_line() -> None:
    """An appeal glued to the end of a news paragraph takes only its own sentences."""
    lines = ["The wall held.Your support helps us report from the coast.", "Crews left."]
    assert strip_boilerplate(lines) == ["The wall held.", "Crews left."]


def test_strip_boilerplate_does_not_join_appeals_far_apart() -> None:
    """Two appeals many paragraphs apart are two blocks; the news between them stays."""
    news = [f"Paragraph {n} of the story." for n in range(6)]
    lines = [
        "Your support helps us tell the story",
        *news,
        "Your support makes all the difference.",
    ]
    assert strip_boilerplate(lines) == news


def test_strip_boilerplate_drops_prompt_lines_and_sentences() -> None:
    """Prompt lines vanish and prompt sentences leave the rest of their paragraph."""
    lines = ["Crews left.", "Advertisement", "The wall held. Share this article", "Comments"]
    assert strip_boilerplate(lines) == ["Crews left.", "The wall held."]


def test_line_fingerprint_is_short_stable_hex() -> None:
    """The fingerprint is 16 hex characters and the same in every process (not hash())."""
    fingerprint = line_fingerprint("Join our commenting forum")
    assert re.fullmatch("[0-9a-f]{16}", fingerprint)
    assert fingerprint == "834ff5024b88e4d8"


def test_line_fingerprint_ignores_typography_but_not_words() -> None:
    """Case, quote style and spacing do not change a fingerprint; a different word does."""
    assert line_fingerprint("“Join our forum”") == line_fingerprint('"join  OUR forum"')
    assert line_fingerprint("Join our forum") != line_fingerprint("Join our club")


@pytest.mark.parametrize(
    "line",
    ["Comments (1,028)", "Comments 1,028", "1.2k comments", "2,345 shares", "Shares (12)"],
)
def test_counters_with_thousands_separators_and_suffixes_are_chrome(line: str) -> None:
    """A counter past 999 ('1,028', '1.2k') is still a counter."""
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Updated at 10.15am",
        "Get involved",
        "Reuse this content",
        "LIVE Updates",
        "Live Reporting",
        "Edited by Priya Halloran",
        "All times stated are UK",
        "Photograph: Lena Brandt/Reuters",
        "Subscribe to Herald Plus to save this article",
    ],
)
def test_live_page_furniture_is_boilerplate(line: str) -> None:
    """Update markers, labels, editor credits, picture credits and save prompts are chrome."""
    assert is_boilerplate(line)


def test_appeal_glued_to_an_acronym_is_split_off() -> None:
    """'...difference.US shipping lines' loses the appeal and keeps the news."""
    lines = ["Your support makes all the difference.US shipping lines diverted vessels."]
    assert strip_boilerplate(lines) == ["US shipping lines diverted vessels."]


APPEAL = [
    "Our reporters stay on the quay because you do",
    "From storms to strikes, our correspondents report from wherever the news happens.",
    "More than 3,482 readers gave last month. Every gift keeps this page open to all.",
    "Your support makes all the difference.Crews worked all night.",
]


def test_appeal_lead_paragraphs_go_by_their_vocabulary() -> None:
    """Paragraphs above the appeal's first rule sentence that speak like an appeal go with it."""
    assert strip_boilerplate(["Strike latest", *APPEAL, "The wall held."]) == [
        "Strike latest",
        "Crews worked all night.",
        "The wall held.",
    ]


def test_learned_first_lines_still_take_the_changing_middle_of_the_appeal() -> None:
    """With its opening learned, an appeal's middle paragraph (whose number changes) goes too."""
    opening = "We never put this page behind a wall because you keep it open"
    middle = "This month 4,120 people chipped in, from every corner of the county."
    lines = ["Strike latest", opening, middle, "Your support makes all the difference.", "News."]
    kept = strip_boilerplate(lines, is_learned=lambda line: line == opening)
    assert kept == ["Strike latest", "News."]


def test_learned_line_never_ends_an_appeal_block() -> None:
    """News after an appeal's closing sentence stays even when a learned line follows it."""
    lines = ["Your support makes all the difference.", "The wall held.", "Newsletter plug text"]
    kept = strip_boilerplate(lines, is_learned=lambda line: line == "Newsletter plug text")
    assert kept == ["The wall held."]


def test_appeal_block_never_crosses_a_headline_line() -> None:
    """A learned line above a standfirst does not take the standfirst with the appeal."""
    lines = [
        "Follow every update from the quay here",
        "Union says staff will stay off the quays until pay offer is raised",
        "Your support helps us to tell the story",
        "Your support makes all the difference.",
    ]
    kept = strip_boilerplate(lines, is_learned=lambda line: line == lines[0])
    assert kept == [lines[1]]


def test_an_appeal_heading_shown_alone_is_boilerplate() -> None:
    """A headline-shaped line in the appeal's language that speaks to the reader goes even
    without the appeal under it; a headline about reporters that does not is news."""
    assert boilerplate_rule("Our reporters stay on the story because you do") == "appeal_heading"
    assert not is_boilerplate("Our reporters detained at the border for six hours")
    assert not is_boilerplate("Our correspondents report: what you need to know today.")
