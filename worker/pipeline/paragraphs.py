"""Paragraph-level memory: dedup that holds when a page is split into posts another way.

A story's published content is also seen paragraph by paragraph (comparison forms), so a post
cut out of, or glued from, updates already published is recognised, and new paragraphs glued
on top of an older update are found. Counts, not sets: a page that shows a paragraph more often
than the story ever published it (a second copy of a recurring post) shows something new.
Pure; standard library and the cleaning module only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from worker.pipeline.cleaning import comparison_form
from worker.pipeline.state import STORED_TEXT_MAX_CHARS

Post = tuple[str, str]  # (headline, text with paragraphs joined by blank lines)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of an update's text, in order, without empty ones."""
    return [part for part in text[:STORED_TEXT_MAX_CHARS].split("\n\n") if part.strip()]


def forms_of(headline: str, text: str) -> set[str]:
    """The comparison forms of an update's headline and paragraphs."""
    found = {comparison_form(part) for part in paragraphs(text)}
    if headline:
        found.add(comparison_form(headline))
    found.discard("")
    return found


class ParagraphCounts:
    """How often each paragraph appears in the story's remembered updates and on this page,
    counted when first asked."""

    def __init__(self, published: Iterable[Post], shown: Iterable[Post]) -> None:
        self._sources = (published, shown)
        self._counts: tuple[Counter[str], Counter[str]] | None = None

    def _tally(self) -> tuple[Counter[str], Counter[str]]:
        if self._counts is None:
            published, shown = (Counter[str](), Counter[str]())
            for headline, text in self._sources[0]:
                published.update(forms_of(headline, text))
            for headline, text in self._sources[1]:
                shown.update(forms_of(headline, text))
            self._counts = published, shown
        return self._counts

    def published(self, form: str) -> bool:
        return self._tally()[0][form] > 0

    def all_published(self, headline: str, text: str) -> bool:
        """True when every paragraph of a post is published at least as often as the page
        shows it."""
        published, shown = self._tally()
        mine = forms_of(headline, text)
        return bool(mine) and all(shown[form] <= published[form] for form in mine)


def new_on_top(
    headline: str, text: str, old_headline: str, old_text: str, counts: ParagraphCounts
) -> Post | None:
    """The new post on top of an older update, when a post's text is some paragraphs the story
    never published followed by the older update's paragraphs, unchanged (and perhaps other
    published ones); else None. The headline goes with the new part unless it is the older
    update's own."""
    old = forms_of("", old_text)
    parts = paragraphs(text)
    forms = [comparison_form(part) for part in parts]
    top = 0
    while top < len(forms) and forms[top] not in old and not counts.published(forms[top]):
        top += 1
    rest = forms[top:]
    if not top or not old or not old <= set(rest):
        return None
    if not all(form in old or counts.published(form) for form in rest):
        return None
    same_headline = comparison_form(headline) == comparison_form(old_headline)
    return ("" if same_headline else headline), "\n\n".join(parts[:top])
