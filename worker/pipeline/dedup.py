"""Deduplication: match the updates of one crawl against what the story has already published.

For each update, in order: the crawler's own id when it gave one (a new id is a new update,
unless its text is that of an update whose id this crawl no longer shows); else an exact match
on the hash of the comparison form, against remembered and forgotten updates (the cheap path
most updates of a refresh take); else the nearest unclaimed earlier update by word-shingle
overlap: Jaccard similarity, or containment when one text holds the other (a sentence added
to a short post). A strong match is the same update (cosmetic or material change); a loose one
is a new update. Every comparison looks at most at `STORED_TEXT_MAX_CHARS` of a text, and
shingle overlap is counted through an inverted index, so a crawl costs time linear in its
text and the story's state. Pure: the story's state comes in and nothing here writes to it.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from worker.pipeline.cleaning import comparison_form
from worker.pipeline.fingerprint import exact_hash, shingles
from worker.pipeline.paragraphs import ParagraphCounts, new_on_top, paragraphs
from worker.pipeline.revision import Change, classify
from worker.pipeline.state import STORED_TEXT_MAX_CHARS, StoryState, UpdateRecord

NEAR_DUPLICATE_MIN = 0.5  # word-3-shingle Jaccard at or above which two texts are one update
CONTAINED_MIN = 0.8  # share of the shorter text's shingles found in the longer one
CONTAINED_MIN_SHINGLES = 4  # containment decides only for texts at least this long
SHORT_TEXT_CHARS = 300  # a comparison form this short is also compared character by character
SHORT_TEXT_MIN = 0.85  # difflib ratio at or above which two short texts are one update
ONE_LINER_MIN_WORDS = 4  # a one-line post this long is found again as a longer post's first line
COMMON_SHINGLE = 64  # a shingle in more earlier updates than this says nothing about any one


@dataclass(frozen=True)
class Candidate:
    """One update of a crawl, cleaned, with its comparison form and fingerprints."""

    post_id: str | None
    headline: str
    text: str
    published_at: str | None
    kind: str = "post"

    @cached_property  # the comparison form feeds the hash and the shingles
    def form(self) -> str:
        return comparison_form(self.headline) + "\n" + comparison_form(self.text)

    @cached_property
    def hash(self) -> str:
        return exact_hash(self.form)

    @cached_property
    def features(self) -> frozenset[str]:
        return frozenset(shingles(self.form[:STORED_TEXT_MAX_CHARS]))


@dataclass(frozen=True)
class Decision:
    """What one update of a crawl is: new, the same, or another version of an earlier one."""

    outcome: str  # "created", "revised", "cosmetic", "regrouped" or "unchanged"
    candidate: Candidate
    update_id: str
    method: str  # "id", "exact", "simhash" (near duplicate) or "new"
    similarity: float
    matched: str | None = None
    change: Change | None = None


def _record_form(record: UpdateRecord) -> str:
    return comparison_form(record.headline) + "\n" + comparison_form(record.text)


@lru_cache(maxsize=2048)
def _features(form: str) -> frozenset[str]:
    """The shingles of a remembered update's comparison form: every crawl of a story that
    has an unmatched update looks at all of them again."""
    return frozenset(shingles(form[:STORED_TEXT_MAX_CHARS]))


def _versus(
    candidate: Candidate,
    uid: str,
    record: UpdateRecord | None,
    method: str,
    similarity: float,
    *,
    previous_hash: str | None = None,
) -> Decision:
    """The decision for a candidate matched to `uid`; `record` is None for a forgotten update,
    whose hash alone is known."""
    if record is None:
        if previous_hash == candidate.hash:
            return Decision("unchanged", candidate, uid, method, 1.0, uid)
        change = Change(True, ("text changed (its earlier text is no longer kept)",))
        return Decision("revised", candidate, uid, method, round(similarity, 4), uid, change)
    if record.hash == candidate.hash:
        return Decision("unchanged", candidate, uid, method, 1.0, uid)
    change = classify(
        comparison_form(record.headline),
        comparison_form(record.text[:STORED_TEXT_MAX_CHARS]),
        comparison_form(candidate.headline),
        comparison_form(candidate.text[:STORED_TEXT_MAX_CHARS]),
        beyond_compared=max(len(candidate.text), len(record.text)) >= STORED_TEXT_MAX_CHARS,
    )
    outcome = "revised" if change.material else "cosmetic"
    return Decision(outcome, candidate, uid, method, round(similarity, 4), uid, change)


class _NearIndex:
    """Word-shingle postings of the earlier updates a crawl may still match."""

    def __init__(self, records: dict[str, UpdateRecord]) -> None:
        self.records = records
        self.sizes: dict[str, int] = {}
        self.postings: dict[str, list[str]] = {}
        self.one_liners: dict[str, list[str]] = {}
        for uid, record in records.items():
            lines = [record.headline] if record.headline else []
            lines += paragraphs(record.text)[:2]
            if len(lines) == 1 and len(lines[0].split()) >= ONE_LINER_MIN_WORDS:
                self.one_liners.setdefault(comparison_form(lines[0]), []).append(uid)
            features = _features(_record_form(record))
            self.sizes[uid] = len(features)
            for feature in features:
                self.postings.setdefault(feature, []).append(uid)

    def nearest(self, candidate: Candidate, claimed: set[str]) -> tuple[str, float] | None:
        # A one-line post (a gallery headline, a breaking line) that gained a body since: its
        # line now heads the post, as headline or first paragraph.
        first = paragraphs(candidate.text)[:1]
        for line in [candidate.headline, *first]:
            for uid in self.one_liners.get(comparison_form(line), ()) if line else ():
                if uid not in claimed and self.records[uid].kind == candidate.kind:
                    return uid, 1.0
        shared: Counter[str] = Counter()
        for feature in candidate.features:
            posting = self.postings.get(feature, ())
            if len(posting) <= COMMON_SHINGLE:
                shared.update(posting)
        best: tuple[str, float] | None = None
        mine = len(candidate.features)
        for uid, count in shared.items():
            record = self.records[uid]
            if uid in claimed or record.kind != candidate.kind:
                continue
            score = _similarity(count, mine, self.sizes[uid])
            if score is not None and (best is None or score > best[1]):
                best = (uid, score)
        if best is None and len(candidate.form) <= SHORT_TEXT_CHARS:
            return self._nearest_short(candidate, claimed)
        return best

    def _nearest_short(self, candidate: Candidate, claimed: set[str]) -> tuple[str, float] | None:
        """For a text too short for shingles to tell (a one-line teaser whose first word
        changed shares none), the nearest short earlier update by characters."""
        best: tuple[str, float] | None = None
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(candidate.form)
        for uid, record in self.records.items():
            if uid in claimed or record.kind != candidate.kind:
                continue
            form = _record_form(record)
            if len(form) > SHORT_TEXT_CHARS:
                continue
            matcher.set_seq1(form)
            if (
                matcher.real_quick_ratio() < SHORT_TEXT_MIN
                or matcher.quick_ratio() < SHORT_TEXT_MIN
            ):
                continue
            score = matcher.ratio()
            if score >= SHORT_TEXT_MIN and (best is None or score > best[1]):
                best = (uid, score)
        return best


def _similarity(shared: int, left: int, right: int) -> float | None:
    """Jaccard when it reaches the bar, else containment of the shorter text when it does."""
    jaccard = shared / (left + right - shared) if left + right > shared else 1.0
    if jaccard >= NEAR_DUPLICATE_MIN:
        return jaccard
    shorter = min(left, right)
    if shorter >= CONTAINED_MIN_SHINGLES and shared / shorter >= CONTAINED_MIN:
        return jaccard
    return None


def _by_hash(state: StoryState, excluded: set[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for uid, record in state.updates.items():
        if uid not in excluded:
            index.setdefault(record.hash, []).append(uid)
    for uid, (digest, _) in state.known.items():
        if uid not in excluded:
            index.setdefault(digest, []).append(uid)
    return index


def _regrouped(decision: Decision, counts: ParagraphCounts) -> Decision:
    """A new or revised post made only of paragraphs already published is a regrouping."""
    candidate = decision.candidate
    if (
        decision.outcome in ("created", "revised")
        and candidate.kind == "post"
        and counts.all_published(candidate.headline, candidate.text)
    ):
        return replace(decision, outcome="regrouped")
    return decision


def _unmerged(
    story_id: str, decision: Decision, state: StoryState, counts: ParagraphCounts, taken: set[str]
) -> list[Decision]:
    """A revision that only put new paragraphs on top of an update's unchanged ones is a new
    post glued to an older one (pages list posts newest first): the new paragraphs are created
    as an update of their own, and the older update takes the glued text without an event."""
    record = state.updates.get(decision.update_id)
    candidate = decision.candidate
    if decision.outcome != "revised" or candidate.kind != "post" or record is None:
        return [decision]
    top = new_on_top(candidate.headline, candidate.text, record.headline, record.text, counts)
    if top is None:
        return [decision]
    part = Candidate(None, top[0], top[1], candidate.published_at)
    uid = new_update_id(story_id, part, state, taken)
    taken.add(uid)
    return [replace(decision, outcome="regrouped"), Decision("created", part, uid, "new", 0.0)]


def match(story_id: str, candidates: list[Candidate], state: StoryState) -> list[Decision]:
    """One decision per candidate, in order; no earlier update is matched twice, and no two
    candidates get one id (identical posts on one page are two updates). A post without a
    crawler id (whose ids are the page's own word on its posts) found new or revised whose
    every paragraph the story has already published (a page split differently
    from before) is `regrouped`: remembered, never published again; one revised only by new
    paragraphs on top of its unchanged ones is split, the new paragraphs created on their own
    (a post glued to the one below it). So a candidate may give two decisions."""
    counts = ParagraphCounts(
        [(r.headline, r.text) for r in state.updates.values()],
        [(c.headline, c.text) for c in candidates if c.kind == "post"],
    )
    decisions = _match(story_id, candidates, state)
    taken = {d.update_id for d in decisions}
    found: list[Decision] = []
    for decision in decisions:
        if decision.candidate.post_id is None:
            for part in _unmerged(story_id, decision, state, counts, taken):
                found.append(_regrouped(part, counts))
        else:
            found.append(decision)
    return found


def _match(story_id: str, candidates: list[Candidate], state: StoryState) -> list[Decision]:
    given = {c.post_id for c in candidates if c.post_id is not None}
    by_hash = _by_hash(state, given)
    claimed: set[str] = set()
    decisions: dict[int, Decision] = {}
    pending: list[int] = []
    for index, candidate in enumerate(candidates):
        uid, method = _exact(candidate, state, by_hash, claimed)
        if uid is not None:
            known = state.known.get(uid, ("", 0))[0]
            record = state.updates.get(uid)
            decisions[index] = _versus(candidate, uid, record, method, 1.0, previous_hash=known)
            claimed.add(uid)
        elif candidate.post_id is not None and candidate.post_id not in claimed:
            decisions[index] = Decision("created", candidate, candidate.post_id, "new", 0.0)
            claimed.add(candidate.post_id)
        else:
            pending.append(index)
    if pending:
        eligible = {u: r for u, r in state.updates.items() if u not in claimed and u not in given}
        near = _NearIndex(eligible) if eligible else None
        for index in pending:
            candidate = candidates[index]
            nearest = near.nearest(candidate, claimed) if near else None
            if nearest is None:
                uid = new_update_id(story_id, candidate, state, claimed)
                decisions[index] = Decision("created", candidate, uid, "new", 0.0)
                claimed.add(uid)
            else:
                claimed.add(nearest[0])
                record = state.updates[nearest[0]]
                decisions[index] = _versus(candidate, nearest[0], record, "simhash", nearest[1])
    return [decisions[index] for index in range(len(candidates))]


def _exact(
    candidate: Candidate, state: StoryState, by_hash: dict[str, list[str]], claimed: set[str]
) -> tuple[str | None, str]:
    """The earlier update a candidate is by the crawler's id or by its exact text."""
    pid = candidate.post_id
    if pid is not None and pid not in claimed and (pid in state.updates or pid in state.known):
        return pid, "id"
    for uid in by_hash.get(candidate.hash, ()):
        if uid not in claimed:
            return uid, "exact"
    return None, "new"


def new_update_id(
    story_id: str, candidate: Candidate, state: StoryState, taken: Collection[str] = ()
) -> str:
    """The crawler's id, or one derived from the story and the update's first-seen text; an
    identical text already holding that id (another post, or a forgotten one) takes the next
    occurrence number, so one id never names two updates."""
    if candidate.post_id and candidate.post_id not in taken:
        return candidate.post_id
    occurrence = 0
    while True:
        material = f"{story_id}\n{candidate.hash}" + (f"\n{occurrence}" if occurrence else "")
        uid = "u" + exact_hash(material)[:16]
        if uid not in taken and uid not in state.updates and uid not in state.known:
            return uid
        occurrence += 1


def record_of(decision: Decision, version: int, fetched_at: str) -> UpdateRecord:
    """The state an update leaves in its story: hash, version and its latest text (a prefix
    of a very long one)."""
    candidate = decision.candidate
    return UpdateRecord(
        version=version,
        hash=candidate.hash,
        headline=candidate.headline[:STORED_TEXT_MAX_CHARS],
        text=candidate.text[:STORED_TEXT_MAX_CHARS],
        kind=candidate.kind,
        seen=fetched_at,
    )
