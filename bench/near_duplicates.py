"""SimHash or MinHash: which tells two versions of one update from two different updates better?

Labelled pairs of update texts (comparison forms, as `dedup.Candidate.form` builds them) come
from the refresh fixture: positives are two versions of one post (the fixture's own edits and
synthetic ones), negatives are two different posts of the blog, which share its topic words.
Each method is scored at its best threshold and at the one the code uses, against exact Jaccard
of word 3-shingles as the reference. Run `python -m bench.near_duplicates`; a command, not a test.
"""

from __future__ import annotations

import argparse
import itertools
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tests.fixtures import refreshes
from tests.fixtures.refreshes import Post
from worker.pipeline.cleaning import sentences
from worker.pipeline.dedup import NEAR_DUPLICATE_MIN, SIMHASH_MAX_BITS, Candidate
from worker.pipeline.fingerprint import (
    hamming,
    jaccard,
    minhash,
    minhash_similarity,
    shingles,
    simhash,
    simhash_similarity,
)

SIMHASH_MIN = 1 - SIMHASH_MAX_BITS / 64  # the prefilter as a similarity: 0.625
FIXTURE_EDITS = {
    "p02": "number changed",
    "p03": "quotes and spaces",
    "p04": "typo fixed",
    "p05": "sentence added",
    "p06": "headline reworded",
    "p08": "first letter restored",
    "summary": "number changed",
}
ADDED = "A further statement is expected later this afternoon."


@dataclass(frozen=True)
class Pair:
    same: bool  # True: two versions of one update
    kind: str
    left: str
    right: str


def form(headline: str, paragraphs: Sequence[str], kind: str = "post") -> str:
    return Candidate(None, headline, "\n\n".join(paragraphs), None, kind).form


def fixture_pairs() -> list[Pair]:
    """Each edit the fixture makes between two refreshes, as (before, after)."""
    history: dict[str, list[str]] = {}
    for refresh in range(len(refreshes.PUBLISHED)):
        texts = {p.key: form(p.headline, p.paragraphs) for p in refreshes.posts_at(refresh)}
        texts["summary"] = form("", refreshes.summary_at(refresh), "summary")
        raw = {p.key: (p.headline, p.paragraphs) for p in refreshes.posts_at(refresh)}
        raw["summary"] = ("", refreshes.summary_at(refresh))
        for key, text in texts.items():
            versions = history.setdefault(key, [])
            if not versions or versions[-1][0] != raw[key]:
                versions.append((raw[key], text))
    return [
        Pair(True, f"fixture {key}: {FIXTURE_EDITS.get(key, 'edit')}", a[1], b[1])
        for key, versions in history.items()
        for a, b in itertools.pairwise(versions)
    ]


def _number(headline: str, body: list[str]) -> tuple[str, list[str]] | None:
    text = "\n".join(body)
    found = re.search(r"\d+", text)
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
        found = re.search(r"(?<=[a-z,] )[A-Z][a-z]+", paragraph)
        if found:
            changed = paragraph[: found.start()] + "Hartley" + paragraph[found.end() :]
            return headline, [*body[:index], changed, *body[index + 1 :]]
    return None


def _typo(headline: str, body: list[str]) -> tuple[str, list[str]] | None:
    """A one-letter typo; the pair is then (typo, fixed), the order a correction comes in."""
    text = "\n".join(body) or headline
    found = re.search(r"\b[a-z]{7,}\b", text)
    if not found:
        return None
    cut = found.start() + 3
    typo = text[:cut] + text[cut + 1 :]
    return (headline, typo.split("\n")) if body else (typo, [])


SYNTHETIC: dict[str, Callable[[str, list[str]], tuple[str, list[str]] | None]] = {
    "number replaced": _number,
    "sentence appended": _append,
    "sentence dropped": _drop,
    "name changed": _name,
    "one-letter typo": _typo,
}


def synthetic_pairs(posts: list[Post]) -> list[Pair]:
    pairs = []
    for post, (label, edit) in itertools.product(posts, SYNTHETIC.items()):
        edited = edit(post.headline, list(post.paragraphs))
        if edited is not None:
            original, changed = form(post.headline, post.paragraphs), form(*edited)
            left, right = (changed, original) if label == "one-letter typo" else (original, changed)
            pairs.append(Pair(True, f"synthetic {post.key}: {label}", left, right))
    return pairs


def negative_pairs(posts: list[Post]) -> list[Pair]:
    """Every two different posts, and each post against the next one quoting its first sentence."""
    texts = {p.key: form(p.headline, p.paragraphs) for p in posts}
    pairs = [
        Pair(False, f"posts {a}/{b}", texts[a], texts[b])
        for a, b in itertools.combinations(texts, 2)
    ]
    for post, other in zip(posts, posts[1:] + posts[:1], strict=True):
        if post.paragraphs:
            shared = sentences(post.paragraphs[0])[0]
            quoting = form(other.headline, [*other.paragraphs, shared])
            pairs.append(
                Pair(False, f"shared sentence {post.key}/{other.key}", texts[post.key], quoting)
            )
    return pairs


def fingerprints(texts: set[str]) -> dict[str, tuple[set[str], int, tuple[int, ...]]]:
    return {t: (s := shingles(t), simhash(s), minhash(s)) for t in texts}


def scores(pairs: list[Pair], prints: dict) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"jaccard": [], "simhash": [], "minhash": []}
    for pair in pairs:
        (ls, lsh, lmh), (rs, rsh, rmh) = prints[pair.left], prints[pair.right]
        found["jaccard"].append(jaccard(ls, rs))
        found["simhash"].append(simhash_similarity(lsh, rsh))
        found["minhash"].append(minhash_similarity(lmh, rmh))
    return found


def quality(labels: list[bool], predicted: list[bool]) -> tuple[float, float, float]:
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    precision = tp / max(1, sum(predicted))
    recall = tp / max(1, sum(labels))
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def best_range(labels: list[bool], values: list[float]) -> tuple[float, float, float]:
    """The interval (low, high] of thresholds `score >= t` with the best F1, and that F1."""
    levels = sorted(set(values))
    f1s = [quality(labels, [v >= t for v in values])[2] for t in levels]
    top = max(f1s)
    winners = [i for i, f1 in enumerate(f1s) if f1 == top]
    return (levels[winners[0] - 1] if winners[0] else 0.0), levels[winners[-1]], top


def per_call_us(function: Callable[[], object], calls: int, repeat: int) -> float:
    best = min(_timed(function) for _ in range(repeat))
    return best / calls * 1e6


def _timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def timings(pairs: list[Pair], prints: dict, repeat: int) -> dict[str, tuple[float, float]]:
    """Per method: microseconds per comparison and per fingerprint (shingling included)."""
    texts = list(prints)
    sides = [(prints[p.left], prints[p.right]) for p in pairs]
    compare = {
        "jaccard": lambda: [jaccard(a[0], b[0]) for a, b in sides],
        "simhash": lambda: [simhash_similarity(a[1], b[1]) for a, b in sides],
        "minhash": lambda: [minhash_similarity(a[2], b[2]) for a, b in sides],
    }
    build = {
        "jaccard": lambda: [shingles(t) for t in texts],
        "simhash": lambda: [simhash(shingles(t)) for t in texts],
        "minhash": lambda: [minhash(shingles(t)) for t in texts],
    }
    return {
        name: (
            per_call_us(compare[name], len(sides), repeat),
            per_call_us(build[name], len(texts), max(1, repeat // 4)),
        )
        for name in compare
    }


def row(name: str, threshold: str, labels: list[bool], predicted: list[bool], extra: list[str]):
    precision, recall, f1 = quality(labels, predicted)
    return [name, threshold, f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}", *extra]


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def method_rows(labels, found, times) -> list[list[str]]:
    code = {"jaccard": NEAR_DUPLICATE_MIN, "simhash": SIMHASH_MIN, "minhash": NEAR_DUPLICATE_MIN}
    rows = []
    for name, values in found.items():
        mae = sum(abs(v - j) for v, j in zip(values, found["jaccard"], strict=True)) / len(values)
        low, high, _ = best_range(labels, values)
        extra = [f"{mae:.3f}", f"{times[name][0]:.2f}", f"{times[name][1]:.1f}"]
        rows.append(
            row(name, f"best ({low:.3f}, {high:.3f}]", labels, [v >= high for v in values], extra)
        )
        rows.append(
            row(name, f"code >= {code[name]:.3f}", labels, [v >= code[name] for v in values], extra)
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timing repetitions (best kept)")
    args = parser.parse_args(argv)
    posts = refreshes.posts_at(len(refreshes.PUBLISHED) - 1)
    fixture, synthetic, negative = fixture_pairs(), synthetic_pairs(posts), negative_pairs(posts)
    pairs = fixture + synthetic + negative
    prints = fingerprints({t for p in pairs for t in (p.left, p.right)})
    labels = [p.same for p in pairs]
    found = scores(pairs, prints)
    rows = method_rows(labels, found, timings(pairs, prints, args.repeat))
    passes = [hamming(prints[p.left][1], prints[p.right][1]) <= SIMHASH_MAX_BITS for p in pairs]
    pipeline = [
        ok and j >= NEAR_DUPLICATE_MIN for ok, j in zip(passes, found["jaccard"], strict=True)
    ]
    rows.append(
        row(
            "simhash+jaccard", f"<= {SIMHASH_MAX_BITS} bits, >= 0.5", labels, pipeline, ["", "", ""]
        )
    )
    header = [
        "method",
        "threshold",
        "precision",
        "recall",
        "F1",
        "MAE vs J",
        "us/compare",
        "us/print",
    ]
    print(table(rows, header))
    print()
    report(pairs, found, passes, pipeline, (fixture, synthetic, negative))


def report(pairs, found, passes, pipeline, groups) -> None:
    fixture, synthetic, negative = groups
    labels = [p.same for p in pairs]
    shared = sum(p.kind.startswith("shared") for p in negative)
    print(
        f"pairs: {len(fixture) + len(synthetic)} positive ({len(fixture)} fixture edits, "
        f"{len(synthetic)} synthetic), {len(negative)} negative ({len(negative) - shared} "
        f"different posts, {shared} sharing a sentence)"
    )
    through = sum(ok and not same for ok, same in zip(passes, labels, strict=True))
    kept = sum(ok and same for ok, same in zip(passes, labels, strict=True))
    print(
        f"simhash prefilter (hamming <= {SIMHASH_MAX_BITS}): lets {through}/{len(negative)} "
        f"negatives through to the Jaccard check; keeps {kept}/{sum(labels)} positives "
        f"(prefilter recall {kept / sum(labels):.3f})"
    )
    for index, pair in enumerate(pairs):
        if pipeline[index] != pair.same:
            verdict = "missed" if pair.same else "false match"
            j, s, m = (found[n][index] for n in ("jaccard", "simhash", "minhash"))
            print(f"  {verdict}: {pair.kind} (jaccard {j:.3f}, simhash {s:.3f}, minhash {m:.3f})")
    print(conclusion(labels, found))


def conclusion(labels: list[bool], found: dict[str, list[float]]) -> str:
    best = {name: best_range(labels, values)[2] for name, values in found.items()}
    mae = {
        name: sum(abs(v - j) for v, j in zip(found[name], found["jaccard"], strict=True))
        / len(labels)
        for name in ("simhash", "minhash")
    }
    winner = max(("simhash", "minhash"), key=lambda n: (best[n], -mae[n]))
    return (
        f"conclusion: {winner} is more accurate here (best F1 simhash {best['simhash']:.3f}, "
        f"minhash {best['minhash']:.3f}, exact jaccard {best['jaccard']:.3f}; MAE vs jaccard "
        f"simhash {mae['simhash']:.3f}, minhash {mae['minhash']:.3f})"
    )


if __name__ == "__main__":
    main()
