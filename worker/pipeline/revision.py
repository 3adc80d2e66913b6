"""Revisions: tell a material change of an update from a cosmetic one, and describe it.

Cosmetic (no event): whitespace, quote and dash style, case, non-breaking spaces, and small
typo fixes: a word changed by at most two characters (a dropped or restored first letter
included), at most four characters over the whole update. Material (an `update.revised`): a
number changed, a word replaced by a different word (a name), words or sentences added or
removed, or the headline reworded. Inputs are comparison forms; the diff quotes readable text.
Every step is linear in the texts, or capped: a word longer than `WORD_MAX_CHARS` is never a
typo of another, and only the stretch between the first and last differing word, at most
`DIFF_WINDOW_WORDS` long, is aligned word by word (difflib is quadratic and worse on repetitive
text); a longer stretch is a rewrite, material by itself. Pure; standard library only.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from worker.pipeline.cleaning import sentences
from worker.pipeline.fingerprint import words

TYPO_MAX_PER_WORD = 2
TYPO_MAX_TOTAL = 4
WORD_MAX_CHARS = 40  # no real word is longer; a longer token changed is a changed word
DIFF_WINDOW_WORDS = 400
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Change:
    """The verdict on one update against its previous version."""

    material: bool
    reasons: tuple[str, ...] = ()
    numbers_changed: tuple[tuple[str, str], ...] = field(default=())


def edit_distance(left: str, right: str, limit: int = TYPO_MAX_PER_WORD + 1) -> int:
    """Levenshtein distance, giving up (returning `limit`) once it must exceed `limit - 1`."""
    if abs(len(left) - len(right)) >= limit:
        return limit
    if max(len(left), len(right)) > WORD_MAX_CHARS:  # the loop below is quadratic
        return 0 if left == right else limit
    previous = list(range(len(right) + 1))
    for i, lchar in enumerate(left, 1):
        current = [i]
        for j, rchar in enumerate(right, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (lchar != rchar))
            )
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)


def _is_number(token: str) -> bool:
    return bool(_NUMBER.search(token))


def compare_words(old: str, new: str) -> Change:
    """Classify the word-level difference between two comparison forms."""
    old_words, new_words = _differing(words(old), words(new))
    reasons: set[str] = set()
    if max(len(old_words), len(new_words)) > DIFF_WINDOW_WORDS:
        return Change(True, ("text rewritten",))
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    numbers: list[tuple[str, str]] = []
    typo_budget = TYPO_MAX_TOTAL
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag != "replace" or i2 - i1 != j2 - j1:
            reasons.add("words added or removed")
            continue
        for before, after in zip(old_words[i1:i2], new_words[j1:j2], strict=True):
            if _is_number(before) or _is_number(after):
                numbers.append((before, after))
                reasons.add("number changed")
                continue
            distance = edit_distance(before, after)
            typo_budget -= distance
            if distance > TYPO_MAX_PER_WORD:
                reasons.add("word changed")
    if typo_budget < 0:
        reasons.add("many small edits")
    return Change(bool(reasons), tuple(sorted(reasons)), tuple(numbers))


def _differing(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """The two word lists without their common beginning and end."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return old[start : len(old) - end], new[start : len(new) - end]


def classify(
    old_headline: str,
    old_text: str,
    new_headline: str,
    new_text: str,
    *,
    beyond_compared: bool = False,
) -> Change:
    """Material or cosmetic, for the comparison forms of two versions of one update.

    `beyond_compared`: the texts are prefixes of longer ones known to differ; if the prefixes
    do not, the change lies past them, and is counted as material (unseen, it may be)."""
    body = compare_words(old_text, new_text)
    head = compare_words(old_headline, new_headline)
    reasons = set(body.reasons)
    if beyond_compared and not body.material and old_text == new_text:
        reasons.add("text changed after the compared part")
    if head.material:
        reasons.add("headline reworded")
    return Change(
        bool(reasons), tuple(sorted(reasons)), body.numbers_changed + head.numbers_changed
    )


def diff(old_text: str, new_text: str, change: Change, *, fold: Any) -> dict[str, Any]:
    """A compact diff: sentences added and removed (readable text), numbers changed."""
    old_sentences = sentences(old_text)
    new_sentences = sentences(new_text)
    old_keys = {fold(s) for s in old_sentences}
    new_keys = {fold(s) for s in new_sentences}
    return {
        "reasons": list(change.reasons),
        "sentences_added": [s for s in new_sentences if fold(s) not in old_keys],
        "sentences_removed": [s for s in old_sentences if fold(s) not in new_keys],
        "numbers_changed": [{"from": a, "to": b} for a, b in change.numbers_changed],
    }
