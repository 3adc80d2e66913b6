"""Entities of one update: the NER input, and the linking of the model's mentions.

Owns the `Mention` values the NER model's adapter produces (the model itself never runs here:
its output comes in as an argument), the text sent to it (`ner_input`), and `link_entities`,
which normalises, merges, canonicalises and links mentions, repairs the small model's usual
mislabels of places, and resolves short person names through the story's memory. Pure: no
spaCy, faust, aiokafka, orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from worker.pipeline.gazetteer import (
    NAME_TITLES,
    TITLES,
    AliasTable,
    Place,
    find_place,
    fold,
    is_full_name,
    repairable_place,
    short_names,
)

__all__ = ["KEPT_LABELS", "AliasTable", "Mention", "link_entities", "ner_input"]

KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
# Labels under which the small model files places it does not recognise ("Kursk" as PRODUCT).
MISLABELLED_PLACES = frozenset({"PRODUCT", "WORK_OF_ART"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s)|\n")
_POSSESSIVE = re.compile(r"(?:['\u2019]s|(?<=s)['\u2019])$", re.IGNORECASE)
_INITIALISM = re.compile(r"(?:^|\s)(?:[A-Za-z]\.){2,}$")  # "U.S." keeps its final full stop
_LEADING = "\"'\u201c\u2018([{\u00ab"
_TRAILING = ",;:!?\"'\u201d\u2019)]}\u00bb-\u2013\u2014 "
_REGION_AFTER = re.compile(r"\s+(region|oblast|province|krai)s?\b", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?\s+$")
# "in Bolton", "near the Kursk": a person or a company rarely follows these words.
_PLACE_CUE = re.compile(r"\b(?:in|near|outside|across|around)\s+(?:the\s+)?$", re.IGNORECASE)
_FIRST_NAME_TITLE = re.compile(r"\b(?:Sir|Dame)\s+$")  # "Sir Keir" is Keir Starmer


@dataclass(frozen=True)
class Mention:
    """One entity mention found by the model: offsets into the NER input text."""

    start: int
    end: int
    label: str
    text: str


def ner_input(headline: str, text: str, max_chars: int) -> tuple[str, bool]:
    """The text sent to NER: headline + "\\n\\n" + text (just text when the headline is empty),
    cut at a sentence boundary at or before max_chars; returns (input, truncated)."""
    full = f"{headline}\n\n{text}" if headline.strip() else text
    if len(full) <= max_chars:
        return full, False
    window = full[: max(max_chars, 0)]
    # One character more, so that a full stop right at the limit still sees its space.
    ends = [
        m.end() for m in _SENTENCE_END.finditer(full[: len(window) + 1]) if m.end() <= len(window)
    ]
    cut = ends[-1] if ends else window.rfind(" ")
    # No boundary or space at all (one huge token): a hard cut is the only bounded answer.
    return window[: cut if cut > 0 else len(window)].rstrip(), True


@dataclass(frozen=True)
class _Span:
    """A mention after normalisation: its cleaned name and where that name sits."""

    name: str
    start: int
    end: int
    label: str
    had_the: bool
    titled: bool  # a title stood in or just before the name (Mr, Gen, president...)
    cue: bool = False  # a preposition that introduces places stood just before the name
    knighted: bool = False  # "Sir" or "Dame" stood just before the name

    def key(self) -> tuple[str, str, bool, bool, bool, bool]:
        """All that the resolution of a span depends on: equal keys resolve alike."""
        return (self.name, self.label, self.had_the, self.titled, self.cue, self.knighted)


def _clean(ner_text: str, mention: Any) -> _Span | None:
    """The mention's name without "the", possessive, quotes or trailing punctuation; None for
    a mention whose offsets do not hold its text (a caller's bug: skipped, never guessed)."""
    start, end = getattr(mention, "start", None), getattr(mention, "end", None)
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
        return None
    raw = ner_text[start:end]
    if raw != getattr(mention, "text", None):
        return None
    label = str(getattr(mention, "label", ""))
    start += len(raw) - len(raw.lstrip())
    raw = raw.lstrip().split("\n", 1)[0]  # an entity never spans the headline break
    had_the = False
    while True:
        before = raw
        raw = raw.rstrip()
        raw = _POSSESSIVE.sub("", raw).rstrip(_TRAILING)
        if raw.endswith(".") and not _INITIALISM.search(raw):
            raw = raw[:-1]
        stripped = raw.lstrip().lstrip(_LEADING)
        start += len(raw) - len(stripped)
        raw = stripped
        if raw[:4].lower() == "the " and len(raw) > 4:
            raw, start, had_the = raw[4:], start + 4, True
        if raw == before:
            break
    if not any(char.isupper() for char in raw):
        return None  # "health ministry": a name has a capital letter
    cue = bool(_PLACE_CUE.search(ner_text, max(0, start - 16), start))
    return _Span(" ".join(raw.split()), start, start + len(raw), label, had_the, False, cue)


def _title_before(ner_text: str, start: int) -> bool:
    match = _WORD_BEFORE.search(ner_text[max(0, start - 30) : start])
    return bool(match) and match.group(1).casefold() in TITLES | NAME_TITLES


def _strip_titles(span: _Span, ner_text: str) -> _Span:
    words = span.name.split(" ")
    titled = _title_before(ner_text, span.start)
    start = span.start
    while len(words) > 1 and words[0].rstrip(".").casefold() in TITLES:
        # Step over the title in the text itself: the name may hold collapsed whitespace.
        start = ner_text.find(words[0], start, span.end) + len(words[0])
        words, titled = words[1:], True
    start = ner_text.find(words[0], start, span.end)
    knighted = bool(_FIRST_NAME_TITLE.search(ner_text, max(0, start - 6), start))
    return replace(span, name=" ".join(words), start=start, titled=titled, knighted=knighted)


def _learn(
    spans: Sequence[_Span], known: Mapping[str, str], aliases: AliasTable
) -> tuple[dict[str, str], dict[str, str]]:
    """The memory for this update and its new entries. The first bearer of a surname keeps it:
    a later "Melania Trump" does not turn "Trump" into her."""
    # The memory comes from stored state: anything but str -> str is ignored, not trusted.
    memory = {k: v for k, v in known.items() if isinstance(k, str) and isinstance(v, str)}
    learned: dict[str, str] = {}
    done: set[str] = set()
    for span in spans:
        if span.label != "PERSON" or span.name in done or not is_full_name(span.name):
            continue
        done.add(span.name)
        if fold(span.name) in memory:
            continue
        if _place_for_person(span, aliases) is not None:
            continue
        canonical = aliases.person(span.name)
        for key in short_names(canonical, aliases):
            if key not in memory:
                memory[key] = learned[key] = canonical
    return memory, learned


def _people_named_again(
    spans: Sequence[_Span], known: Mapping[str, str], aliases: AliasTable
) -> list[_Span]:
    """A full name the model labelled ORG or GPE ("Olaf Scholz") is a person when its surname
    stands alone as a PERSON in the same update, or the story already knows it as a person."""
    alone = {fold(s.name) for s in spans if s.label == "PERSON" and " " not in s.name}
    relabelled = []
    for span in spans:
        if span.label != "PERSON" and is_full_name(span.name) and not span.had_the:
            surname = fold(span.name.rsplit(" ", 1)[-1])
            named = surname in alone or known.get(surname) == span.name
            if named and aliases.lookup(span.name) is None and find_place(span.name) is None:
                span = replace(span, label="PERSON")
        relabelled.append(span)
    return relabelled


Linked = tuple[str, str, str | None]  # (label, canonical, id)


def _as_place(place: Place | None) -> Linked | None:
    return None if place is None else ("GPE", place.canonical, place.id)


def _alias(span: _Span, aliases: AliasTable) -> Linked | None:
    names = [f"The {span.name}", span.name] if span.had_the else [span.name]
    for name in names:
        found = aliases.lookup(name, span.label)
        if found is not None:
            canonical, id_, label = found
            return label, canonical, id_
    return None


def _place_for_person(span: _Span, aliases: AliasTable) -> Linked | None:
    """The place a PERSON mention really names ("Rostov", "Kyiv"), if it surely is one.
    Conservative: never a titled name ("Mr Jordan"), nor a given name ("Florence") unless a
    place preposition comes before it ("in Florence")."""
    if span.titled or not (span.cue or aliases.is_repairable(span.name)):
        return None
    found = _alias(span, aliases)
    if found is not None and found[0] != "PERSON":
        return found
    if span.cue:
        return _as_place(find_place(span.name))
    return _as_place(repairable_place(span.name, aliases))


def _by_first_name(span: _Span, memory: Mapping[str, str]) -> str | None:
    """The one remembered full name with this first name, for "Sir Keir" or "Dame Judi"."""
    if " " in span.name or not span.knighted:
        return None
    first = fold(span.name)
    matches = {name for name in memory.values() if fold(name.split(" ")[0]) == first}
    return matches.pop() if len(matches) == 1 else None


def _resolve_person(span: _Span, memory: Mapping[str, str], aliases: AliasTable) -> Linked:
    key = fold(span.name)
    if key in memory:  # a known person wins over a place of the same name
        return "PERSON", memory[key], None
    full_name = _by_first_name(span, memory)
    if full_name is not None:
        return "PERSON", full_name, None
    place = _place_for_person(span, aliases)
    if place is not None:
        return place
    return "PERSON", aliases.person(span.name), None


def _resolve_other(span: _Span, memory: Mapping[str, str], aliases: AliasTable) -> Linked | None:
    found = _alias(span, aliases)
    if found is not None:
        return found
    kept = span.label in KEPT_LABELS
    if aliases.is_ambiguous(span.name):
        return (span.label, span.name, None) if kept else None
    if span.label == "GPE":
        place = find_place(span.name, codes=True)
        if place is not None:
            return _as_place(place)
    elif span.label in PLACE_LABELS:  # a LOC or FAC is a GPE only if surely a country or city
        place = repairable_place(span.name, aliases)
        if place is not None:
            return _as_place(place)
    if fold(span.name) in memory and span.label != "EVENT":
        return "PERSON", memory[fold(span.name)], None  # "Klitschko" tagged NORP, ORG or GPE
    if span.label in MISLABELLED_PLACES | {"ORG", "NORP"}:
        place = find_place(span.name) if span.cue else repairable_place(span.name, aliases)
        # ORG and NORP keep cities (football clubs, "Liverpool") unless "in" comes before;
        # a bare country name is a place.
        mislabelled = span.label in MISLABELLED_PLACES or span.cue
        if place is not None and (mislabelled or place.kind == "country"):
            return _as_place(place)
    return (span.label, span.name, None) if kept else None


def _with_region(span: _Span, ner_text: str, aliases: AliasTable) -> tuple[_Span, Linked] | None:
    """A name followed by "region" ("Kursk region") is the oblast, whatever the model's label."""
    match = _REGION_AFTER.match(ner_text, span.end)
    if match is None:
        return None
    found = aliases.lookup(f"{span.name} {match.group(1)}")
    if found is None:
        return None
    wider = _Span(f"{span.name}{match.group(0)}", span.start, match.end(), "GPE", False, False)
    return wider, (found[2], found[0], found[1])


def _resolve(span: _Span, memory: Mapping[str, str], aliases: AliasTable) -> Linked | None:
    if span.label == "PERSON":
        linked: Linked | None = _resolve_person(span, memory, aliases)
    else:
        linked = _resolve_other(span, memory, aliases)
    return None if linked is None or linked[0] not in KEPT_LABELS else linked


def link_entities(
    ner_text: str, mentions: Sequence[Mention], known: Mapping[str, str], aliases: AliasTable
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Entities of one update: one item per distinct entity, and the new short-name memory
    entries to remember in the story. Each item: {"text": surface form as first written,
    "label", "canonical", "id": str|None, "mentions": [[start, end], ...] (into ner_text, of
    the cleaned name: no "the", possessive or title), "count": n}. `known` maps a normalised
    short name (e.g. "putin") to the canonical full name seen earlier in the story."""
    cleaned = (_clean(ner_text, mention) for mention in mentions)
    spans = sorted(
        (_strip_titles(s, ner_text) if s.label == "PERSON" else s for s in cleaned if s),
        key=lambda s: (s.start, s.end),
    )
    spans = _people_named_again(spans, known, aliases)
    memory, learned = _learn(spans, known, aliases)
    items: dict[tuple[str, str], dict[str, Any]] = {}
    seen: set[tuple[str, str, int, int]] = set()  # duplicate mentions count once
    resolved: dict[tuple[str, str, bool, bool, bool, bool], Linked | None] = {}
    for span in spans:
        found = _with_region(span, ner_text, aliases)
        if found is None:
            # A long update names the same few entities again and again: resolve each once.
            if span.key() not in resolved:
                resolved[span.key()] = _resolve(span, memory, aliases)
            linked = resolved[span.key()]
            found = None if linked is None else (span, linked)
        if found is None:
            continue
        span, (label, canonical, id_) = found
        if (label, canonical, span.start, span.end) in seen:
            continue
        seen.add((label, canonical, span.start, span.end))
        item = items.setdefault(
            (label, canonical),
            {"text": span.name, "label": label, "canonical": canonical, "id": id_, "mentions": []},
        )
        item["mentions"].append([span.start, span.end])
        item["count"] = len(item["mentions"])
    return list(items.values()), learned
