"""Cleaning, boilerplate rules and splitting cost time linear in their input, whatever it holds.

Each property builds an input from a short unit that hypothesis draws from the characters that
make regular expressions and normalisation backtrack (punctuation runs, quotes, combining marks,
long tokens, rule words), at two sizes eight times apart, and compares the best of a few timed
runs. Linear work grows about 8x, quadratic work 64x; the bound (SLOWER) and an absolute slack
(NOISE) leave room for a busy machine. Every run gets fresh text so no per-line cache answers.
"""

from __future__ import annotations

import gc
import itertools
import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.pipeline.boilerplate import boilerplate_rule, strip_boilerplate
from worker.pipeline.cleaning import clean_text, comparison_form, sentences
from worker.pipeline.page import page_of
from worker.pipeline.shapes import is_headline
from worker.pipeline.splitting import split_live_blog

GROWTH = 8
RUNS = 5
ATTEMPTS = 3
SLOWER = 24  # linear: ~8x; quadratic: ~64x
NOISE = 0.004  # seconds
BASE_CHARS = 2_000
BASE_LINES = 150
_salt = itertools.count()

# Characters and words that trip up patterns: sentence ends, quotes, seams, marks, rule words.
ALPHABET = ".!?…:;,-“”\"'\u2018\u2019«»()[]#@/ aA1\u0301\u0316\u202e&"
UNITS = st.one_of(
    st.text(alphabet=ALPHABET, min_size=1, max_size=12),
    st.sampled_from(
        [
            "you agree ",
            "newsletter ",
            "share on facebook ",
            "your support helps ",
            "Comments (1,028) ",
            "word.Word",
            "difference.US ",
            "&amp;apos;",
            "2.56am GMT ",
            "Photograph: ",
            "\u0301" * 9,
        ]
    ),
)
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def best_time(function: Callable[[str], object], build: Callable[[str], str]) -> float:
    spent = []
    for _ in range(RUNS):
        text = build(f" s{next(_salt)}")
        gc.disable()  # a collection inside one timed run is noise, not cost
        try:
            start = time.perf_counter()
            function(text)
            spent.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(spent)


def grows_linearly(function: Callable[[str], object], build: Callable[[int, str], str]) -> None:
    # Measured again when over the bound: other processes stall a run now and then, a
    # quadratic cost is over it every time.
    for _ in range(ATTEMPTS):
        small = best_time(function, lambda salt: build(1, salt))
        large = best_time(function, lambda salt: build(GROWTH, salt))
        if large <= SLOWER * small + NOISE:
            return
    raise AssertionError(f"{GROWTH}x the input took {large / small:.0f}x the time: {large:.4f} s")


def one_line(unit: str) -> Callable[[int, str], str]:
    repeats = max(1, BASE_CHARS // len(unit))
    return lambda factor, salt: unit * repeats * factor + salt


def many_lines(unit: str) -> Callable[[int, str], str]:
    line = unit * max(1, 60 // len(unit))
    return lambda factor, salt: "\n".join(f"{line}{salt}{i}" for i in range(BASE_LINES * factor))


@SETTINGS
@given(UNITS)
def test_cleaning_a_line_is_linear(unit: str) -> None:
    """clean_text, comparison_form and sentences on one long line grow linearly."""
    grows_linearly(clean_text, one_line(unit))
    grows_linearly(comparison_form, one_line(unit))
    grows_linearly(sentences, one_line(unit))


@SETTINGS
@given(UNITS)
def test_boilerplate_rules_on_a_line_are_linear(unit: str) -> None:
    """Every rule, the sentence split behind them and the headline shape grow linearly."""
    grows_linearly(boilerplate_rule, one_line(unit))
    grows_linearly(lambda text: strip_boilerplate([text]), one_line(unit))
    grows_linearly(lambda text: is_headline(text, 10**9, 10**9), one_line(unit))


@SETTINGS
@given(UNITS)
def test_splitting_a_page_is_linear_in_its_lines(unit: str) -> None:
    """Cleaning and splitting a page of many lines grow linearly with the number of lines."""
    grows_linearly(lambda text: split_live_blog(text.splitlines()), many_lines(unit))
    grows_linearly(
        lambda text: page_of({"text": text, "url": "https://news.example/live/x"}),
        many_lines(unit),
    )


def test_a_page_of_time_lines_and_headlines_is_linear() -> None:
    """The shapes that drive splitting (time lines, headline runs, key labels) stay linear."""
    unit = "16:23\nHarbour wall holds overnight\nCrews worked through the night.\nKey events\n"
    grows_linearly(
        lambda text: split_live_blog(text.splitlines()),
        lambda factor, salt: "".join(
            unit.replace("night.", f"night {salt}{i}.") for i in range(BASE_LINES * factor)
        ),
    )


def test_a_page_of_headline_led_posts_is_linear() -> None:
    """Headline runs and the evidence they give stay linear in the number of posts."""
    unit = "Harbour wall holds through the night\nCrews worked for hours to hold the old wall {}.\n"
    grows_linearly(
        lambda text: split_live_blog(text.splitlines()),
        lambda factor, salt: "".join(unit.format(f"{salt}{i}") for i in range(BASE_LINES * factor)),
    )
