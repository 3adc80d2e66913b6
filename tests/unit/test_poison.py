"""The poison corpus through the pure core: each bad record gets its error class, cheaply.

No timed assertions: the guards below show that size and depth limits stop the work on the
largest inputs before any parser could spend super-linear time on them.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import orjson
import pytest

from tests.fixtures import poison, refreshes
from worker.codec import decode_article
from worker.errors import BadInput
from worker.offline import process_lines
from worker.pipeline import process_article
from worker.pipeline.html import MAX_JSON_LD, MAX_MARKUP, html_to_text, live_blog_of, read_html
from worker.settings import Settings

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
CORPUS = poison.corpus()


def outcome_of(value: bytes | None):
    article = decode_article(value, poison.MAX_VALUE_BYTES)
    return process_article(article, {}, NOW)


def test_the_corpus_holds_over_a_hundred_distinct_records() -> None:
    """Names and values are unique, so each dead letter maps back to one poison record."""
    assert len(CORPUS) >= 100
    assert len({p.name for p in CORPUS}) == len(CORPUS)
    assert len({p.value for p in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("record", CORPUS, ids=[p.name for p in CORPUS])
def test_each_poison_record_gets_its_error_class(record: poison.Poison) -> None:
    """Every bad record raises the BadInput subclass the fixture names, with a reason."""
    with pytest.raises(BadInput) as caught:
        outcome_of(record.value)
    assert caught.value.error_class == record.error_class
    assert 0 < len(caught.value.reason) <= 400


@pytest.mark.parametrize("record", poison.tolerated(), ids=lambda p: p.name)
def test_hostile_but_readable_records_give_one_event(record: poison.Poison) -> None:
    """Deep nesting and entity declarations cost nothing special: the article comes through."""
    events = outcome_of(record.value).events
    assert [event["type"] for event in events] == ["update.created"]
    assert events[0]["text"].startswith("Crews fought the fire")
    assert "lollol" not in events[0]["text"]  # the declared entity was never expanded


def test_size_is_checked_before_parsing() -> None:
    """A value over the limit is Oversize even when it is not JSON: it was never parsed."""
    with pytest.raises(BadInput) as caught:
        decode_article(b"[" * (poison.MAX_VALUE_BYTES + 1), poison.MAX_VALUE_BYTES)
    assert caught.value.error_class == "Oversize"


def test_json_parsing_stops_at_the_depth_limit() -> None:
    """100,000 levels of nesting are refused after the first kilobyte, not explored."""
    with pytest.raises(BadInput) as caught:
        decode_article(b'{"a":' * 100_000 + b"}" * 100_000, poison.MAX_VALUE_BYTES)
    assert "depth limit exceeded" in caught.value.reason
    assert "(char 5121)" in caught.value.reason


def test_html_parsers_see_at_most_max_markup_characters() -> None:
    """Markup past MAX_MARKUP is never read, so a page's cost is bounded whatever its size."""
    nested = "<div>" * (MAX_MARKUP // 5) + "<p>beyond the cap</p>"
    assert "beyond the cap" not in html_to_text(nested)
    assert "beyond the cap" not in read_html(f"<html><body>{nested}</body></html>")


def test_oversized_json_ld_is_not_parsed() -> None:
    """A JSON-LD block over MAX_JSON_LD is skipped before json.loads sees it."""
    blog = {"@type": "LiveBlogPosting", "headline": "Fire", "description": "x" * MAX_JSON_LD}
    script = f'<script type="application/ld+json">{orjson.dumps(blog).decode()}</script>'
    assert live_blog_of(script) is None
    assert live_blog_of(script.replace("x" * MAX_JSON_LD, "x")) is not None


def test_poison_between_good_lines_changes_no_event() -> None:
    """Offline, the good lines give the same events with or without the poison between them."""
    good = refreshes.lines()
    settings = Settings(max_value_bytes=poison.MAX_VALUE_BYTES)

    def run(lines: list[bytes | None]) -> tuple[list[bytes], int]:
        out, dead = io.BytesIO(), io.BytesIO()
        values = [b"" if value is None else value for value in lines]
        counts = process_lines(values, out, dead, settings=settings, clock=lambda: NOW)
        return out.getvalue().splitlines(), counts["dead_letters"]

    clean, _ = run(list(good))
    mixed, dead_letters = run(poison.interleaved(good, CORPUS))
    assert mixed == clean
    blank = [p for p in CORPUS if not (p.value or b"").strip()]  # offline skips blank lines
    assert dead_letters == len(CORPUS) - len(blank)


def test_the_hostile_class_has_distinct_records_each_with_an_expectation() -> None:
    """Names are unique, each (value, key) pair too, and pending checks name their owner."""
    hostile = poison.hostile()
    assert len({h.name for h in hostile}) == len(hostile)
    assert len({(h.value, h.key) for h in hostile}) == len(hostile)
    for record in hostile:
        assert record.expect in {"", "any"} or record.expect[0].isupper()
        assert record.expect != "" or (record.url and record.marker)
        assert not record.pending or record.pending.split(":")[0] in {"lead", "split"}
