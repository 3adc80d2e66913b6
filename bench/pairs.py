"""Labelled pairs of update texts from the refresh fixture, for the near-duplicate bench.

A positive pair is two versions of one update: an edit the fixture itself makes between two
refreshes, or a synthetic one (a number, a sentence, a name, a typo). A negative pair is two
different posts of the blog, which share its topic words, some also a sentence. Texts are
comparison forms, as `dedup.Candidate.form` builds them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.fixtures import refreshes
from tests.fixtures.refreshes import Post
from worker.pipeline.cleaning import sentences
from worker.pipeline.dedup import Candidate

FIXTURE_EDITS = {
    **dict.fromkeys(("p02", "summary"), "number changed"),
    **{"p03": "quotes and spaces", "p04": "typo fixed", "p05": "sentence added"},
    **{"p06": "headline reworded", "p08": "first letter restored"},
}
ADDED = "A further statement is expected later this afternoon."
Edit = Callable[[str, list[str]], tuple[str, list[str]] | None]


@dataclass(frozen=True)
class Pair:
    same: bool  # True: two versions of one update
    kind: str
    left: str
    right: str


def form(headline: str, paragraphs: Sequence[str], kind: str = "post") -> str:
    return Candidate(None, headline, "\n\n".join(paragraphs), None, kind).form


def fixture_pairs() -> list[Pair]:
    """Each edit the fixture makes to a post (or the summary) between two refreshes."""
    pairs: list[Pair] = []
    last: dict[str, tuple[str, tuple[str, ...], str]] = {}
    for refresh in range(len(refreshes.PUBLISHED)):
        versions = {p.key: (p.headline, p.paragraphs, "post") for p in refreshes.posts_at(refresh)}
        versions["summary"] = ("", refreshes.summary_at(refresh), "summary")
        for key, version in versions.items():
            if key in last and last[key] != version:
                kind = f"fixture {key} r{refresh - 1}->r{refresh}: {FIXTURE_EDITS[key]}"
                pairs.append(Pair(True, kind, form(*last[key]), form(*version)))
            last[key] = version
    return pairs


def _number(headline: str, body: list[str]) -> tuple[str, list[str]] | None:
    found = re.search(r"\d+", text := "\n".join(body))
    if not found:
        return None
    changed = text[: found.start()] + str(int(found.group()) + 7) + text[found.end() :]
    return headline, changed.split("\n")


def _append(headline: str, body: list[str]) -> tuple[str, list[str]] | None:
    return headline, [*body[:-1], body[-1] + " " + ADDED] if body else [ADDED]


def _drop(headline: str, body: list[str]) -> tuple[str, list[str]] | None:
    found = [s for paragraph in body for s in sentences(paragraph)]
    return (headline, [" ".join(found[:-1])]) if len(found) > 1 else None


def _name(headline: str, body: list[str]) -> tuple[str, list[str]] | None:
    for index, paragraph in enumerate(body):
        found = re.search(r"(?<=[a-z,] )[A-Z][a-z]+", paragraph)  # capitalised mid-sentence
        if found:
            changed = paragraph[: found.start()] + "Hartley" + paragraph[found.end() :]
            return headline, [*body[:index], changed, *body[index + 1 :]]
    return None


def _typo(headline: str, body: list[str]) -> tuple[str, list[str]] | None:
    """A letter dropped from the first long word; the pair is (typo, fixed), as fixes come."""
    found = re.search(r"\b[a-z]{7,}\b", text := "\n".join(body) or headline)
    if not found:
        return None
    typo = text[: found.start() + 3] + text[found.start() + 4 :]
    return (headline, typo.split("\n")) if body else (typo, [])


SYNTHETIC: dict[str, Edit] = {
    "number replaced": _number,
    "sentence appended": _append,
    "sentence dropped": _drop,
    "name changed": _name,
    "one-letter typo": _typo,
}


def synthetic_pairs(posts: list[Post]) -> list[Pair]:
    pairs = []
    for post, (label, edit) in itertools.product(posts, SYNTHETIC.items()):
        if (edited := edit(post.headline, list(post.paragraphs))) is not None:
            original, changed = form(post.headline, post.paragraphs), form(*edited)
            left, right = (changed, original) if edit is _typo else (original, changed)
            pairs.append(Pair(True, f"synthetic {post.key}: {label}", left, right))
    return pairs


def negative_pairs(posts: list[Post]) -> list[Pair]:
    """Every two different posts; and each post against the next one quoting its first sentence."""
    texts = {p.key: form(p.headline, p.paragraphs) for p in posts}
    pairs = [
        Pair(False, f"posts {a}/{b}", texts[a], texts[b])
        for a, b in itertools.combinations(texts, 2)
    ]
    for post, other in zip(posts, posts[1:] + posts[:1], strict=True):
        if post.paragraphs:
            quoting = form(other.headline, [*other.paragraphs, sentences(post.paragraphs[0])[0]])
            kind = f"shared sentence {post.key}/{other.key}"
            pairs.append(Pair(False, kind, texts[post.key], quoting))
    return pairs
