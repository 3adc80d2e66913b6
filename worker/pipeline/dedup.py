"""Deduplication: match the updates of one crawl against what the story has already published.

For each update, in order: the crawler's own id when it gave one; else an exact match on the
hash of the comparison form (the cheap path most updates of a refresh take); else the nearest
unclaimed earlier update by the Jaccard similarity of word shingles, with a SimHash prefilter
when there are many of them (usually there are none or one: the others matched exactly). A
strong match is the same update (cosmetic or material change); a loose one is a new update.
Pure: the story's records come in as a dict and nothing here writes to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from worker.pipeline.cleaning import comparison_form
from worker.pipeline.fingerprint import exact_hash, hamming, jaccard, shingles, simhash
from worker.pipeline.revision import Change, classify

SIMHASH_MAX_BITS = 24  # prefilter: wider than needed, the Jaccard check decides
NEAR_DUPLICATE_MIN = 0.5  # word-3-shingle Jaccard at or above which two texts are one update
SIMHASH_PREFILTER_FROM = 8  # with more unclaimed earlier updates than this, SimHash first


@dataclass(frozen=True)
class Candidate:
    """One update of a crawl, cleaned, with its comparison form and fingerprints."""

    post_id: str | None
    headline: str
    text: str
    published_at: str | None
    kind: str = "post"

    @cached_property  # the comparison form feeds the hash, the SimHash and the Jaccard check
    def form(self) -> str:
        return comparison_form(self.headline) + "\n" + comparison_form(self.text)

    @cached_property
    def hash(self) -> str:
        return exact_hash(self.form)


@dataclass(frozen=True)
class Decision:
    """What one update of a crawl is: new, the same, or another version of an earlier one."""

    outcome: str  # "created", "revised", "cosmetic" or "unchanged"
    candidate: Candidate
    update_id: str
    method: str  # "id", "exact", "simhash" or "new"
    similarity: float
    matched: str | None = None
    change: Change | None = None


def new_update_id(story_id: str, candidate: Candidate) -> str:
    """The crawler's id, or one derived from the story and the update's first-seen text."""
    return candidate.post_id or "u" + exact_hash(f"{story_id}\n{candidate.hash}")[:16]


def _versus(
    candidate: Candidate, uid: str, record: Mapping[str, Any], method: str, similarity: float
) -> Decision:
    if record["h"] == candidate.hash:
        return Decision("unchanged", candidate, uid, method, 1.0, uid)
    change = classify(
        comparison_form(record["hl"]),
        comparison_form(record["t"]),
        comparison_form(candidate.headline),
        comparison_form(candidate.text),
    )
    outcome = "revised" if change.material else "cosmetic"
    return Decision(outcome, candidate, uid, method, round(similarity, 4), uid, change)


@lru_cache(maxsize=8192)
def signature(form: str) -> int:
    """The SimHash of a comparison form, computed once per text (matching and recording both
    need it, and it is the costliest step of dedup)."""
    return simhash(shingles(form))


def _nearest(
    candidate: Candidate, records: Mapping[str, Mapping[str, Any]], claimed: set[str]
) -> tuple[str, float] | None:
    # Only earlier updates of the same kind that no other update of this crawl matched; in a
    # refresh that is usually none, and then no fingerprint is computed at all.
    eligible = [
        (uid, record)
        for uid, record in records.items()
        if uid not in claimed and record.get("k", "post") == candidate.kind
    ]
    if not eligible:
        return None
    features = shingles(candidate.form)
    prefilter = len(eligible) > SIMHASH_PREFILTER_FROM  # a SimHash costs ~10 Jaccard checks
    mine = signature(candidate.form) if prefilter else 0
    best: tuple[str, float] | None = None
    for uid, record in eligible:
        stored = comparison_form(record["hl"]) + "\n" + comparison_form(record["t"])
        if prefilter:
            theirs = int(record["sh"], 16) if "sh" in record else signature(stored)
            if hamming(mine, theirs) > SIMHASH_MAX_BITS:
                continue
        score = jaccard(features, shingles(stored))
        if score >= NEAR_DUPLICATE_MIN and (best is None or score > best[1]):
            best = (uid, score)
    return best


def match(
    story_id: str, candidates: list[Candidate], records: Mapping[str, Mapping[str, Any]]
) -> list[Decision]:
    """One decision per candidate, in order; no earlier update is matched twice."""
    by_hash = {record["h"]: uid for uid, record in records.items()}
    claimed: set[str] = set()
    decisions: dict[int, Decision] = {}
    pending: list[int] = []
    for index, candidate in enumerate(candidates):
        uid = candidate.post_id if candidate.post_id in records else by_hash.get(candidate.hash)
        if uid is not None and uid not in claimed:
            method = "id" if uid == candidate.post_id else "exact"
            decisions[index] = _versus(candidate, uid, records[uid], method, 1.0)
            claimed.add(uid)
        elif candidate.post_id is not None:
            decisions[index] = Decision("created", candidate, candidate.post_id, "new", 0.0)
        else:
            pending.append(index)
    for index in pending:
        candidate = candidates[index]
        nearest = _nearest(candidate, records, claimed)
        if nearest is None:
            uid = new_update_id(story_id, candidate)
            decisions[index] = Decision("created", candidate, uid, "new", 0.0)
        else:
            claimed.add(nearest[0])
            decisions[index] = _versus(
                candidate, nearest[0], records[nearest[0]], "simhash", nearest[1]
            )
    return [decisions[index] for index in range(len(candidates))]


def record_of(decision: Decision, version: int, fetched_at: str) -> dict[str, Any]:
    """The compact state an update leaves in its story: hash, latest text, version. Its SimHash
    is worked out from the text when a later crawl needs it (states written before kept it
    as "sh", which is still used)."""
    candidate = decision.candidate
    return {
        "v": version,
        "h": candidate.hash,
        "hl": candidate.headline,
        "t": candidate.text,
        "k": candidate.kind,
        "at": fetched_at,
    }
