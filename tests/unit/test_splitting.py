"""Splitting live-blog text: title, standfirst, key points and posts, by the page's own shape."""

from __future__ import annotations

import pytest

from worker.pipeline.shapes import is_headline, shared_words
from worker.pipeline.splitting import Page, Post, split_live_blog
from worker.pipeline.timelines import is_timestamp

TITLE = "Storm Ilsa latest: Thousands without power as Portlaven braces for second surge"
STANDFIRST = "Coastguard expects waves of up to nine metres on the Garrow coast tonight"
KEY_1 = "Emergency crews are working through the night to shore up the sea wall."
KEY_2 = "More than 42,000 homes remain without power, the grid operator said."
ARRIVED = "The first crews arrived at the quay at dawn, the harbour master said."


def blog(*posts: str) -> list[str]:
    return [TITLE, STANDFIRST, KEY_1, KEY_2, *posts]


# --- headline shape -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Harbour master warns of second surge before midnight",
        "PHOTOS: Waves batter the Portlaven sea front as the storm makes landfall",
        "£40m repair fund announced for the Garrow coast",
        "South Korea and the EU worry about technology transfer in return for troops to the front",
    ],
)
def test_short_lines_without_final_punctuation_are_headlines(line: str) -> None:
    """A short capitalised line with no sentence ending reads as a headline."""
    assert is_headline(line)


@pytest.mark.parametrize(
    "line",
    [
        "The wall held overnight.",
        "Will the wall hold?",
        "The harbour master said:",
        "“We will rebuild what the sea has taken.”",
        "“None of us thought we would see the harbour again",
        "ngineers could not reach the damaged line until the wind dropped",
        "Additional reporting by agencies",
        "Engineers said the damaged line would take days to repair and",
        "A" + " very" * 30 + " long line without a final full stop",
    ],
    ids=[
        "full-stop",
        "question",
        "colon",
        "quote",
        "opening-quote",
        "lower-case",
        "credit",
        "dangling",
        "long",
    ],
)
def test_sentences_quotes_fragments_and_long_lines_are_not_headlines(line: str) -> None:
    """Sentence endings, quotations, fragments, credits and long lines are body."""
    assert not is_headline(line)


@pytest.mark.parametrize(
    "line", ["09:41", "10.42am GMT", "5 November 2024 09:41 GMT", "2 hours ago"]
)
def test_timestamp_lines_are_recognised(line: str) -> None:
    """A line that is only a post time is a timestamp."""
    assert is_timestamp(line)


@pytest.mark.parametrize("line", ["12.50 euros", "10 Downing Street", "1.5m homes cut off"])
def test_lines_with_numbers_are_not_timestamps(line: str) -> None:
    """Prices, addresses and figures are text, not post times."""
    assert not is_timestamp(line)


def test_shared_words_is_jaccard_of_folded_words() -> None:
    """Overlap is the share of distinct lower-case words the two lines have in common."""
    assert shared_words("Prime minister to visit", "PRIME MINISTER will visit") == pytest.approx(
        3 / 5
    )
    assert shared_words("", "anything") == 0.0


# --- page structure -----------------------------------------------------------------------------


def test_live_blog_splits_into_title_standfirst_summary_and_posts() -> None:
    """Title, standfirst, the key points before the first headline, then one post per headline."""
    page = split_live_blog(
        blog(
            "Harbour master warns of second surge",
            "The next high tide will bring the worst conditions, he said.",
            "Power cut to 42,000 homes",
            "Three pylons came down in the gusts.",
            "Engineers cannot reach them until the wind drops.",
        )
    )
    assert page == Page(
        title=TITLE,
        standfirst=STANDFIRST,
        summary=(KEY_1, KEY_2),
        posts=(
            Post(
                "Harbour master warns of second surge",
                ("The next high tide will bring the worst conditions, he said.",),
            ),
            Post(
                "Power cut to 42,000 homes",
                (
                    "Three pylons came down in the gusts.",
                    "Engineers cannot reach them until the wind drops.",
                ),
            ),
        ),
    )


def test_headline_followed_by_another_headline_is_a_post_with_no_body() -> None:
    """A gallery headline with nothing under it is its own, empty post."""
    page = split_live_blog(
        blog(
            "PHOTOS: Waves batter the sea front",
            "Coastguard rescues crew of fishing boat",
            "Four fishermen were lifted to safety by the coastguard helicopter.",
        )
    )
    assert [(post.headline, len(post.paragraphs)) for post in page.posts] == [
        ("PHOTOS: Waves batter the sea front", 0),
        ("Coastguard rescues crew of fishing boat", 1),
    ]


def test_second_headline_repeating_the_first_is_the_posts_first_paragraph() -> None:
    """A sub-headline sharing half its words with the headline stays in the same post."""
    page = split_live_blog(
        blog(
            "Prime minister to visit flooded towns",
            "Prime minister Corrin will visit flooded towns tomorrow",
            "She will meet emergency crews in Tressick on Tuesday morning.",
        )
    )
    assert page.posts == (
        Post(
            "Prime minister to visit flooded towns",
            (
                "Prime minister Corrin will visit flooded towns tomorrow",
                "She will meet emergency crews in Tressick on Tuesday morning.",
            ),
        ),
    )


def test_one_line_quote_paragraph_is_body_not_a_headline() -> None:
    """A short quotation paragraph stays in its post; the quote is never cut off."""
    page = split_live_blog(
        blog(
            "Coastguard rescues crew of fishing boat",
            "Four fishermen were lifted to safety, the coastguard said.",
            "“None of us thought we would see the harbour again.”",
            "“We will be back at sea next week",
        )
    )
    assert len(page.posts) == 1
    assert page.posts[0].paragraphs[1:] == (
        "“None of us thought we would see the harbour again.”",
        "“We will be back at sea next week",
    )


def test_paragraph_that_lost_its_first_letter_stays_body() -> None:
    """A lower-case start is a damaged paragraph, not a new post."""
    page = split_live_blog(
        blog("Power cut to 42,000 homes", "ngineers could not reach the line until dawn.")
    )
    assert page.posts == (
        Post("Power cut to 42,000 homes", ("ngineers could not reach the line until dawn.",)),
    )


def test_time_lines_open_posts_and_give_their_published_time() -> None:
    """Each time line starts a post and is its time; a headline-shaped first line heads it."""
    page = split_live_blog(blog("09:41", "Crews reach the quay", "They arrived at dawn.", "09:12"))
    assert page.posts == (Post("Crews reach the quay", ("They arrived at dawn.",), "09:41"),)


def test_plain_article_is_one_post_without_a_headline() -> None:
    """With no headline after the standfirst, every paragraph is the body of one post."""
    page = split_live_blog(
        ["Library reopens after refit", "The library reopened on Saturday.", "It has a new wing."]
    )
    assert page == Page(
        title="Library reopens after refit",
        standfirst="",
        summary=(),
        posts=(Post("", ("The library reopened on Saturday.", "It has a new wing.")),),
    )


def test_plain_article_keeps_its_headline_shaped_standfirst_in_its_one_post() -> None:
    """An ordinary article's standfirst is text of its one update, not page furniture."""
    page = split_live_blog(
        ["Library reopens its doors", "Refit adds a children's wing", "It opened on Saturday."]
    )
    assert (page.standfirst, page.posts) == (
        "",
        (Post("", ("Refit adds a children's wing", "It opened on Saturday.")),),
    )


def test_single_sentence_text_is_one_post() -> None:
    """A text of one sentence has no title and loses nothing."""
    assert split_live_blog(["Gales hit the coast."]) == Page(
        "", "", (), (Post("", ("Gales hit the coast.",)),)
    )


def test_short_first_line_is_not_taken_for_a_title() -> None:
    """A two-word label or fragment on top is text, not the page's title."""
    assert split_live_blog(["Storm hits", "coast"]).posts == (Post("", ("Storm hits", "coast")),)


def test_single_headline_shaped_line_is_body_not_title() -> None:
    """A lone short line is kept as text rather than taken for a title."""
    assert split_live_blog(["Gales hit the coast"]).posts == (Post("", ("Gales hit the coast",)),)


def test_given_title_matching_the_first_line_consumes_it() -> None:
    """When the first line is the article's title, it is the title line."""
    page = split_live_blog(blog("Crews reach the harbour quay", ARRIVED), title=TITLE)
    assert (page.title, page.standfirst, page.summary) == (TITLE, STANDFIRST, (KEY_1, KEY_2))


def test_given_title_with_site_dressing_still_consumes_the_first_line() -> None:
    """A first line that is the title plus the site's name is the title line."""
    page = split_live_blog(blog("Crews reach the harbour quay", ARRIVED)[1:], title=TITLE)
    dressed = split_live_blog(
        [f"{TITLE} | Herald", *blog("Crews reach the harbour quay", ARRIVED)[1:]], title=TITLE
    )
    assert dressed == page


def test_standfirst_reusing_title_words_is_not_taken_for_the_title() -> None:
    """A standfirst sharing many of the title's words is still the standfirst."""
    standfirst = "Thousands without power as Portlaven braces for the storm"
    page = split_live_blog(
        [standfirst, KEY_1, "Crews reach the harbour quay", ARRIVED], title=TITLE
    )
    assert page.standfirst == standfirst


def test_given_title_not_in_the_text_leaves_the_first_line_as_standfirst() -> None:
    """The article's title is the page's title, and the text starts at the standfirst."""
    page = split_live_blog(blog("Crews reach the harbour quay", ARRIVED)[1:], title=TITLE)
    assert (page.title, page.standfirst, page.summary) == (TITLE, STANDFIRST, (KEY_1, KEY_2))


def test_empty_input_is_an_empty_page() -> None:
    """No paragraphs, no posts; a given title is still the title."""
    assert split_live_blog([], title="Storm") == Page("Storm", "", (), ())


# --- key points found by their copies ---------------------------------------------------------


def test_key_points_repeating_later_paragraphs_open_no_post_even_when_headline_shaped() -> None:
    """A key point shaped like a headline is still a key point when the block repeats the
    newest posts: it opens no post of its own."""
    lines = [
        TITLE,
        STANDFIRST,
        "Sea wall holds at Portlaven",
        ARRIVED,
        "Crews reach the quay",
        ARRIVED,
        "Sea wall holds",
        "Sea wall holds at Portlaven",
        KEY_1,
    ]
    result = split_live_blog(lines, TITLE)
    assert result.summary == ("Sea wall holds at Portlaven", ARRIVED)
    assert [post.headline for post in result.posts] == ["Crews reach the quay", "Sea wall holds"]


def test_a_first_post_repeating_its_headline_is_no_key_points_block() -> None:
    """'Travel: delays on the A30' twice in a row is a headline and its copy as a paragraph,
    not a key point and the post it repeats."""
    lines = [
        TITLE,
        STANDFIRST,
        "Travel: delays on the A30 near Garrow",
        "Travel: delays on the A30 near Garrow",
        "Crews reach the quay before dawn",
        ARRIVED,
        "Harbour master warns of a second surge",
        KEY_1,
    ]
    result = split_live_blog(lines, TITLE)
    assert result.summary == ()
    assert result.posts[0].headline == "Travel: delays on the A30 near Garrow"
