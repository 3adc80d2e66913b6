"""HTML reduced to paragraphs of text with the standard library's tolerant parser.

Pure; never raises on malformed markup. Script, style and other non-content elements are dropped.
"""

from __future__ import annotations

from html.parser import HTMLParser

# `head` and `form` are not skipped: their end tags are optional or they wrap whole pages.
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "title", "iframe"})
_BLOCK = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "article",
        "section",
        "blockquote",
        "header",
        "footer",
        "tr",
        "figcaption",
        "pre",
        "ul",
        "ol",
        "table",
    }
)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of `markup`, one block element per line."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return "".join(collector.chunks)
