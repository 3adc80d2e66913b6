"""Story identity: every URL a crawler reaches a page by gives one story id."""

from __future__ import annotations

import pytest

from worker.pipeline.story import canonical_url, source_of, story_id

CANONICAL = "https://news.example/live/fire"


@pytest.mark.parametrize(
    "variant",
    [
        "https://news.example/live/fire",
        "HTTPS://NEWS.EXAMPLE/live/fire",
        "https://www.news.example/live/fire",
        "https://news.example/live/fire/",
        "https://news.example/live/fire#post-3",
        "https://news.example/live/fire?utm_source=twitter&utm_medium=social",
        "https://news.example/live/fire?fbclid=abc&gclid=def&mc_cid=x&utm_campaign=home",
        "https://news.example/live/fire/amp",
        "https://amp.news.example/live/fire",
        "https://news.example/live/fire?outputType=amp",
        "https://news.example:443/live/fire",
        "http://news.example/live/fire",
    ],
)
def test_url_variants_fold_to_one_canonical_url(variant: str) -> None:
    """Case, www, fragments, trailing slashes, tracking parameters and AMP variants fold away."""
    assert canonical_url(variant) == CANONICAL
    assert story_id(variant) == story_id(CANONICAL)


def test_parameters_that_select_content_stay() -> None:
    """A parameter such as an article id is part of the story's identity."""
    assert canonical_url("https://news.example/view?id=42&utm_source=x") == (
        "https://news.example/view?id=42"
    )
    assert story_id("https://news.example/view?id=42") != story_id(
        "https://news.example/view?id=43"
    )


def test_parameter_order_does_not_matter() -> None:
    """The same parameters in another order are the same page."""
    assert story_id("https://a.example/p?b=2&a=1") == story_id("https://a.example/p?a=1&b=2")


def test_different_paths_are_different_stories() -> None:
    """Two articles of one site never share a story id."""
    assert story_id("https://news.example/a") != story_id("https://news.example/b")


def test_path_case_is_kept() -> None:
    """Paths are case-sensitive on most servers; only scheme and host are lower-cased."""
    assert canonical_url("https://News.Example/Live/Fire") == "https://news.example/Live/Fire"


def test_source_is_the_bare_host() -> None:
    """Without a crawler-given source, the site's host name without www stands in."""
    assert source_of("https://www.news.example/x") == "news.example"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("https://news.example/app#!/live/fire", "https://news.example/app#!/live/flood"),
        ("https://news.example/app#/live/fire", "https://news.example/app#/live/flood"),
        ("https://news.example/live?ref=fire", "https://news.example/live?ref=flood"),
        ("https://news.example/live?share=1", "https://news.example/live?share=2"),
    ],
)
def test_routes_and_unknown_parameters_keep_stories_apart(left: str, right: str) -> None:
    """A client-side route fragment or a parameter not known to be tracking selects a page."""
    assert story_id(left) != story_id(right)


def test_a_route_fragment_is_kept_in_the_canonical_url() -> None:
    """A hashbang route is part of the page's address; an anchor is not."""
    assert canonical_url("https://news.example/app/#!/live/fire") == (
        "https://news.example/app#!/live/fire"
    )
