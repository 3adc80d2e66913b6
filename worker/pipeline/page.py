"""The single entry point from a validated raw article to a clean `Page`.

Owns the choice of input path (the crawler's own updates, HTML, plain text) and the cleaning
every path shares: each string in the returned page is NFC with tidy whitespace and carries no
boilerplate line or sentence. Pure: standard library and the pipeline's pure modules only; no
faust, aiokafka, orjson, logging, clock or environment imports. Learned boilerplate comes in
as a predicate so the memory stays the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from worker.pipeline.boilerplate import remove_boilerplate_sentences, strip_boilerplate
from worker.pipeline.cleaning import clean_text
from worker.pipeline.html import read_html
from worker.pipeline.shapes import strip_site_suffix
from worker.pipeline.splitting import Page, Post, split_live_blog

LinePredicate = Callable[[str], bool]


def _never(line: str) -> bool:
    return False


def page_of(article: Mapping[str, Any], is_learned_boilerplate: LinePredicate = _never) -> Page:
    """The page the article shows: title, standfirst, key-points summary and posts.

    Paths, first that applies: `updates` (the crawler split the page: one post each, in the
    given order, with its id and time); `html` (a JSON-LD live blog, else the main text read
    as plain text below, falling back to `text` when the HTML yields nothing); `text` (one
    paragraph per line, split by `split_live_blog`, which reads the title and URL for signs).
    """
    title = clean_text(_string(article.get("title")))
    if article.get("updates"):
        posts = (_update_post(item, is_learned_boilerplate) for item in article["updates"])
        return Page(strip_site_suffix(title), "", (), tuple(p for p in posts if p is not None))
    url = _string(article.get("url"))
    if article.get("html"):
        page = _html_page(_string(article["html"]), title, url, is_learned_boilerplate)
        if page.posts or page.summary or not article.get("text"):
            return page
    text = _string(article.get("text"))
    return _text_page(text, title, url, is_learned_boilerplate)


def clean_lines(lines: list[str], is_learned_boilerplate: LinePredicate = _never) -> list[str]:
    """Clean lines without empty, debris, learned-boilerplate or boilerplate lines and sentences.

    The learned predicate sees each line as `clean_text` leaves it, before any sentence of
    it is removed, which is the form the learning memory observes.
    """
    # A line without a letter or digit ("|", ">", "* * *") is markup debris, not text.
    cleaned = [line for line in map(clean_text, lines) if any(c.isalnum() for c in line)]
    return strip_boilerplate(cleaned, is_learned_boilerplate)


def _text_page(text: str, title: str, url: str, is_learned_boilerplate: LinePredicate) -> Page:
    lines = clean_lines(text.splitlines(), is_learned_boilerplate)
    return split_live_blog(lines, title, url=url)


def _html_page(markup: str, title: str, url: str, is_learned_boilerplate: LinePredicate) -> Page:
    blog = read_html(markup)
    if isinstance(blog, str):
        return _text_page(blog, title, url, is_learned_boilerplate)
    posts = (_clean_post(post, is_learned_boilerplate) for post in blog.posts)
    return Page(
        strip_site_suffix(_clean_field(blog.title) or title),
        _clean_field(blog.standfirst),
        (),
        tuple(post for post in posts if post is not None),
    )


def _update_post(item: Any, is_learned_boilerplate: LinePredicate) -> Post | None:
    if not isinstance(item, Mapping):
        return None
    post = Post(
        _string(item.get("headline")),
        tuple(_string(item.get("text")).splitlines()),
        _string(item.get("published_at")) or None,
        _identifier(item.get("id")),
    )
    return _clean_post(post, is_learned_boilerplate)


def _clean_post(post: Post, is_learned_boilerplate: LinePredicate) -> Post | None:
    """The post with clean headline and paragraphs; None when nothing readable is left."""
    headline = _clean_field(post.headline)
    paragraphs = tuple(clean_lines(list(post.paragraphs), is_learned_boilerplate))
    if not (headline or paragraphs):
        return None
    return Post(headline, paragraphs, post.published_at, post.post_id)


def _clean_field(value: str) -> str:
    """A one-line field (title, headline, standfirst), cleaned; "" when it is boilerplate."""
    return remove_boilerplate_sentences(clean_text(value))


def _identifier(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value) else None


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""
