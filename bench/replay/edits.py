"""Edits a publisher makes to a post between crawls, each with its kind.

Cosmetic edits (quote style, whitespace, a typo fixed, HTML-entity encoding, a first letter
lost in extraction) must emit nothing;
material edits (a number, a name, a sentence added) must emit one `update.revised`. Every edit
is deterministic given the `random.Random` passed in.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from bench.replay.blogs import Version

COSMETIC = ("quotes", "whitespace", "typo", "entities", "initial")
MATERIAL = ("number", "name", "sentence")
_NUMBER = re.compile(r"\b\d+\b")
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}\b")
_SWAP = str.maketrans({"'": "\u2019", "\u2019": "'", "\u2018": "'", '"': "“", "“": '"'})
_SPARE_NAMES = ("Harrowgate", "Pellbrook", "Mossvale", "Tarrington", "Quillon", "Ashmere")
_SENTENCES = (
    "{name} said a fuller statement would follow within {n} hours.",
    "A spokesperson for {name} confirmed the figure of {n} shortly afterwards.",
    "{name} added that {n} more people had been contacted by mid-afternoon.",
    "Officials in {name} said they expected to review the decision in {n} days.",
)


def _paragraph_index(version: Version, rng: random.Random, pattern: re.Pattern[str]) -> int:
    found = [i for i, p in enumerate(version.paragraphs) if pattern.search(p)]
    return rng.choice(found) if found else -1


def _with(version: Version, index: int, text: str, change: str, note: str) -> Version:
    paragraphs = list(version.paragraphs)
    paragraphs[index] = text
    return replace(version, paragraphs=tuple(paragraphs), change=change, note=note)


def cosmetic(version: Version, rng: random.Random, typo_at: str | None) -> Version | None:
    """A cosmetic edit of `version`, or None when none applies (no paragraph)."""
    if not version.paragraphs:
        return None
    kind = "typo" if typo_at else rng.choice(("quotes", "whitespace", "entities", "initial"))
    if kind == "typo":
        broken, fixed = typo_at.split("\x00")
        for i, p in enumerate(version.paragraphs):
            if broken in p:
                return _with(version, i, p.replace(broken, fixed, 1), "cosmetic", "typo fixed")
        kind = "whitespace"
    if kind == "entities":
        return replace(version, entities=not version.entities, change="cosmetic", note=kind)
    i = rng.randrange(len(version.paragraphs))
    p = version.paragraphs[i]
    if kind == "initial" and len(p) > 20 and p[0].isalpha() and p[1].isalpha():
        # Extraction lost the paragraph's first letter ("outh Korean" for "South Korean").
        return _with(version, i, p[1:], "cosmetic", "first letter lost")
    if kind == "quotes" and re.search("['\"\u2019\u2018“”]", p):
        swapped = p.translate(_SWAP)
        return _with(version, i, swapped, "cosmetic", "quote style")
    words = p.split(" ")
    if len(words) > 3:
        j = rng.randrange(1, len(words))
        spaced = " ".join(words[:j]) + "  " + " ".join(words[j:]) + " "
        return _with(version, i, spaced, "cosmetic", "whitespace")
    return replace(version, entities=not version.entities, change="cosmetic", note="entities")


def material(version: Version, rng: random.Random, names: list[str]) -> Version:
    """A material edit of `version`: a number changed, a name changed or a sentence added."""
    kind = rng.choice(MATERIAL)
    if kind == "number" and (i := _paragraph_index(version, rng, _NUMBER)) >= 0:
        p = version.paragraphs[i]
        match = rng.choice(list(_NUMBER.finditer(p)))
        new = str(int(match.group()) + rng.randint(1, 9))
        text = p[: match.start()] + new + p[match.end() :]
        return _with(version, i, text, "material", f"number {match.group()} -> {new}")
    if kind in ("number", "name") and (i := _paragraph_index(version, rng, _NAME)) >= 0:
        p = version.paragraphs[i]
        match = rng.choice(list(_NAME.finditer(p)))
        other = [n for n in names + list(_SPARE_NAMES) if n != match.group() and n not in p]
        new = rng.choice(other)
        text = p[: match.start()] + new + p[match.end() :]
        return _with(version, i, text, "material", f"name {match.group()} -> {new}")
    name = rng.choice(names or list(_SPARE_NAMES))
    sentence = rng.choice(_SENTENCES).format(name=name, n=rng.randint(2, 48))
    if not version.paragraphs:
        return replace(version, paragraphs=(sentence,), change="material", note="sentence added")
    i = len(version.paragraphs) - 1
    text = version.paragraphs[i].rstrip() + " " + sentence
    return _with(version, i, text, "material", "sentence added")


def with_typo(version: Version, rng: random.Random) -> tuple[Version, str] | None:
    """`version` with one letter dropped from a long word, and the marker to fix it later."""
    for i in rng.sample(range(len(version.paragraphs)), len(version.paragraphs)):
        words = [w for w in re.findall(r"\b[a-z]{7,}\b", version.paragraphs[i])]
        if words:
            word = rng.choice(words)
            cut = rng.randrange(2, len(word) - 2)
            broken = word[:cut] + word[cut + 1 :]
            text = version.paragraphs[i].replace(word, broken, 1)
            return _with(version, i, text, "original", ""), f"{broken}\x00{word}"
    return None


def names_in(paragraphs: list[str]) -> list[str]:
    """Capitalised words seen mid-sentence: the names a blog already uses."""
    return sorted({m.group() for p in paragraphs for m in _NAME.finditer(p)})[:50]
