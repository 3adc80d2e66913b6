"""HTML input: a live blog's schema.org JSON-LD when the page has it, else its main text.

Owns everything that reads markup: the JSON-LD `LiveBlogPosting` reader, main-text extraction
with trafilatura, and the standard library's tolerant parser as the fallback. Input is capped
(MAX_MARKUP) and nothing here raises on bad markup or bad JSON. Pure: standard library and
trafilatura only; no faust, aiokafka, orjson, logging, clock or environment imports.

Measured on the fixtures in tests/data/html (see tests/unit/test_html.py): on a plain article
trafilatura (favor_precision) keeps every paragraph and none of the navigation, share buttons,
newsletter box, "Most read" list or cookie footer that the stdlib parser lets through (7 of 7
content lines, 0 junk, against 7 of 7 and 20 junk lines). On live blogs in plain markup it
keeps only the first post's headline and moves the standfirst into the posts, which would
wreck splitting; favor_recall and markdown output did no better. So a page shaped like a live
blog (several <article> elements, or several h2/h3 headings) goes through the stdlib parser,
which keeps page order and every headline; its boilerplate lines are removed downstream by the
rules. trafilatura also drops an article's <h1>, so the title comes from the markup itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from worker.pipeline.splitting import Page, Post

# Parsers see at most this many characters: a real article is far smaller, and the cap bounds
# the time a hostile or broken page can cost.
MAX_MARKUP = 2_000_000
MAX_JSON_LD = 500_000

# `head` and `form` are not skipped: their end tags are optional or they wrap whole pages.
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "title", "iframe"})
_BLOCK = frozenset(
    """p div br li h1 h2 h3 h4 h5 h6 article section blockquote header footer tr figcaption
    pre ul ol table time""".split()
)
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_CHROME = frozenset("nav aside footer form button select dialog".split())
_CHROME_HINT = re.compile(
    r"(?:^|[-_])(?:share|sharing|social|newsletter|cookies?|consent|comments?|related|promo|"
    r"advert|ads?|subscribe|paywall|donate|donation|sidebar|breadcrumbs?|most-?read)(?:$|[-_])"
)
_ARTICLE = re.compile(r"<article\b", re.IGNORECASE)
_HEADING = re.compile(r"<h[23]\b", re.IGNORECASE)
_H1 = re.compile(r"<h1\b[^>]{0,500}>(.{1,1000}?)</h1\s*>", re.IGNORECASE | re.DOTALL)
# A page with this many <article> elements, or h2/h3 headings, is read as a live blog.
LIVE_MIN_ARTICLES = 2
LIVE_MIN_HEADINGS = 4


class _TextCollector(HTMLParser):
    """Visible text, one block element per line; also the bodies of JSON-LD scripts.

    With `content_only`, page chrome is left out too: navigation, asides, footers, forms,
    buttons, a site header outside <article>/<main>, and elements whose class or id names a
    widget (share, newsletter, cookie, comments, related, ad...).
    """

    def __init__(self, content_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.content_only = content_only
        self.chunks: list[str] = []
        self.json_ld: list[str] = []
        self._skipping = 0
        self._in_json_ld = False
        self._chrome: tuple[str, int] | None = None  # the skipped element and its nesting
        self._inside_content = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._chrome is not None:
            if tag == self._chrome[0]:
                self._chrome = (tag, self._chrome[1] + 1)
            return
        if self.content_only and _is_chrome(tag, attrs, self._inside_content > 0):
            self._chrome = (tag, 1)
            return
        self._inside_content += tag in ("article", "main")
        if tag in _SKIP:
            self._skipping += 1
            self._in_json_ld = tag == "script" and _is_json_ld(attrs)
        elif tag in _BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._chrome is not None:
            if tag == self._chrome[0]:
                depth = self._chrome[1] - 1
                self._chrome = (tag, depth) if depth else None
            return
        if tag in ("article", "main"):
            self._inside_content = max(0, self._inside_content - 1)
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
            self._in_json_ld = False
        elif tag in _BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(data)
        elif not (self._skipping or self._chrome):
            self.chunks.append(data)


def _is_json_ld(attrs: list[tuple[str, str | None]]) -> bool:
    return any(k == "type" and (v or "").strip().lower() == "application/ld+json" for k, v in attrs)


def _is_chrome(tag: str, attrs: list[tuple[str, str | None]], in_content: bool) -> bool:
    if tag in _VOID or tag in ("html", "body", "main", "article"):
        return False  # a void element has no end tag to stop skipping at
    if tag in _CHROME or (tag == "header" and not in_content):
        return True
    names = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
    return any(_CHROME_HINT.search(token) for token in names.lower().split())


def _collect(markup: str, content_only: bool = False) -> _TextCollector:
    collector = _TextCollector(content_only)
    collector.feed(markup[:MAX_MARKUP])
    collector.close()
    return collector


def html_to_text(markup: str) -> str:
    """The visible text of `markup` by the stdlib parser, one block element per line."""
    return "".join(_collect(markup).chunks)


def content_text(markup: str) -> str:
    """The stdlib parser's text without page chrome, from the <h1> on when the page has one."""
    lines = [line.strip() for line in "".join(_collect(markup, True).chunks).splitlines()]
    lines = [line for line in lines if line]
    title = _h1_text(markup[:MAX_MARKUP])
    if title in lines:
        lines = lines[lines.index(title) :]
    return "\n".join(lines) if lines else html_to_text(markup)


def main_text(markup: str) -> str:
    """The page's main text, one paragraph per line, title first (see the module docstring)."""
    capped = markup[:MAX_MARKUP]
    if _looks_live(capped):
        return content_text(capped)
    extracted = _trafilatura(capped)
    if not extracted:
        return content_text(capped)
    title = _h1_text(capped)
    return f"{title}\n{extracted}" if title and title not in extracted else extracted


def _looks_live(markup: str) -> bool:
    articles = len(_ARTICLE.findall(markup))
    return articles >= LIVE_MIN_ARTICLES or len(_HEADING.findall(markup)) >= LIVE_MIN_HEADINGS


def _trafilatura(markup: str) -> str:
    try:
        import trafilatura  # deferred: lxml and friends cost ~0.3 s, paid only by HTML input

        text = trafilatura.extract(
            markup,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            deduplicate=False,
        )
    except Exception:  # any failure of the extractor means: use the fallback
        return ""
    return text or ""


def _h1_text(markup: str) -> str:
    found = _H1.search(markup)
    return " ".join(html_to_text(found.group(1)).split()) if found else ""


def live_blog_of(markup: str) -> Page | None:
    """The live blog described by the page's JSON-LD `LiveBlogPosting`, or None.

    Posts are its `liveBlogUpdate` items in the order given (newest first by convention),
    each with `headline`, `articleBody` (plain or HTML; one paragraph per line or block),
    `datePublished` and `url` or `@id` as the post id. Strings are as found: cleaning is the
    caller's job. Invalid JSON, wrong types and missing fields are skipped, never raised.
    """
    for blog in _live_blogs(_collect(markup).json_ld):
        updates = blog.get("liveBlogUpdate")
        items = updates if isinstance(updates, list) else [updates]
        posts = tuple(post for post in map(_post_of, items) if post is not None)
        return Page(_text(blog.get("headline")) or _text(blog.get("name")),
                    _text(blog.get("description")), (), posts)
    return None


def _live_blogs(scripts: list[str]) -> Iterator[dict[str, Any]]:
    for script in scripts:
        if len(script) > MAX_JSON_LD:
            continue
        try:
            document = json.loads(script)
        except (ValueError, RecursionError):
            continue
        for node in _nodes(document):
            kinds = node.get("@type")
            if "LiveBlogPosting" in (kinds if isinstance(kinds, list) else [kinds]):
                yield node


def _nodes(document: Any) -> Iterator[dict[str, Any]]:
    # Only the shapes publishers use: one object, a list of them, or an @graph of them.
    for node in document if isinstance(document, list) else [document]:
        if isinstance(node, dict):
            yield node
            graph = node.get("@graph")
            yield from (item for item in graph if isinstance(item, dict)) if isinstance(
                graph, list
            ) else ()


def _post_of(item: Any) -> Post | None:
    if not isinstance(item, dict):
        return None
    body = _text(item.get("articleBody"))
    if re.search(r"<[a-zA-Z/]", body):
        body = html_to_text(body)
    paragraphs = tuple(line.strip() for line in body.splitlines() if line.strip())
    headline = _text(item.get("headline"))
    if not (headline or paragraphs):
        return None
    published = _text(item.get("datePublished")) or None
    post_id = _text(item.get("url")) or _text(item.get("@id")) or None
    return Post(headline, paragraphs, published, post_id)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
