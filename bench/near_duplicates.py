"""SimHash or MinHash: which tells two versions of one update from two different updates better?

Scores the labelled pairs of `bench.pairs` (two versions of one update against two different
posts of the same live blog) with exact Jaccard, SimHash and MinHash over word 3-shingles.
Each method is scored at its best threshold and at the one the code uses, against exact Jaccard
of word 3-shingles as the reference. Run `python -m bench.near_duplicates`; a command, not a test.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bench.pairs import Pair, fixture_pairs, negative_pairs, synthetic_pairs
from bench.tables import per_call_us, table
from tests.fixtures import refreshes
from worker.pipeline.dedup import NEAR_DUPLICATE_MIN
from worker.pipeline.fingerprint import (
    hamming,
    jaccard,
    minhash,
    minhash_similarity,
    shingles,
    simhash,
    simhash_similarity,
)

# The SimHash prefilter the core used until it counted shingle overlap through an inverted
# index (exact, and linear in the story's text); kept here to score the method it measured.
SIMHASH_MAX_BITS = 24
METHODS = ("jaccard", "simhash", "minhash")
# MinHash estimates the Jaccard similarity, so it borrows the Jaccard threshold.
CODE = {"jaccard": NEAR_DUPLICATE_MIN, "simhash": 1 - SIMHASH_MAX_BITS / 64, "minhash": 0.5}
Prints = dict[str, tuple[set[str], int, tuple[int, ...]]]


def fingerprints(texts: set[str]) -> Prints:
    return {t: (s := shingles(t), simhash(s), minhash(s)) for t in texts}


def scores(pairs: list[Pair], prints: Prints) -> dict[str, list[float]]:
    sides = [(prints[p.left], prints[p.right]) for p in pairs]
    return {
        "jaccard": [jaccard(a[0], b[0]) for a, b in sides],
        "simhash": [simhash_similarity(a[1], b[1]) for a, b in sides],
        "minhash": [minhash_similarity(a[2], b[2]) for a, b in sides],
    }


def timings(pairs: list[Pair], prints: Prints, repeat: int) -> dict[str, tuple[float, float]]:
    """Per method: microseconds per comparison, and per fingerprint (shingling included)."""
    texts = list(prints)
    build: dict[str, Callable[[str], object]] = {
        "jaccard": shingles,
        "simhash": lambda t: simhash(shingles(t)),
        "minhash": lambda t: minhash(shingles(t)),
    }
    sides = [(prints[p.left], prints[p.right]) for p in pairs]
    one = {
        "jaccard": lambda: [jaccard(a[0], b[0]) for a, b in sides],
        "simhash": lambda: [simhash_similarity(a[1], b[1]) for a, b in sides],
        "minhash": lambda: [minhash_similarity(a[2], b[2]) for a, b in sides],
    }
    return {
        name: (
            per_call_us(one[name], len(sides), repeat),
            per_call_us(lambda f=build[name]: [f(t) for t in texts], len(texts), repeat // 4),
        )
        for name in METHODS
    }


def quality(labels: list[bool], predicted: list[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of `predicted` against `labels`."""
    hits = sum(p and y for p, y in zip(predicted, labels, strict=True))
    precision, recall = hits / max(1, sum(predicted)), hits / max(1, sum(labels))
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


def best_range(labels: list[bool], values: list[float]) -> tuple[float, float, float]:
    """The thresholds t in (low, high] for which `score >= t` has the best F1, and that F1."""
    levels = sorted(set(values))
    f1s = [quality(labels, [v >= t for v in values])[2] for t in levels]
    winners = [i for i, f1 in enumerate(f1s) if f1 == max(f1s)]
    return (levels[winners[0] - 1] if winners[0] else 0.0), levels[winners[-1]], max(f1s)


def auc(labels: list[bool], values: list[float]) -> float:
    """The chance that a positive pair scores above a negative one (ties count half)."""
    pos = [v for v, y in zip(values, labels, strict=True) if y]
    neg = [v for v, y in zip(values, labels, strict=True) if not y]
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def mae(values: list[float], reference: list[float]) -> float:
    return sum(abs(v - r) for v, r in zip(values, reference, strict=True)) / len(values)


def rows_of(pairs: list[Pair], found: dict[str, list[float]], times: dict) -> list[tuple]:
    """(name, threshold, predictions, figures after F1) per table row."""
    labels = [p.same for p in pairs]
    rows = []
    for name in METHODS:
        values = found[name]
        low, high, _ = best_range(labels, values)
        extra = [f"{auc(labels, values):.3f}", f"{mae(values, found['jaccard']):.3f}"]
        extra += [f"{times[name][0]:.2f}", f"{times[name][1]:.1f}"]
        rows.append((name, f"best ({low:.3f}, {high:.3f}]", [v >= high for v in values], extra))
        code = [v >= CODE[name] for v in values]
        rows.append((name, f"code >= {CODE[name]:.3f}", code, extra))
    return rows


def errors(pairs: list[Pair], predicted: list[bool], found: dict[str, list[float]]) -> list[str]:
    """The misclassified pairs, named, with their three scores."""
    return [
        f"{'missed' if pair.same else 'false match'} {pair.kind} "
        f"(J {found['jaccard'][i]:.3f}, S {found['simhash'][i]:.3f}, M {found['minhash'][i]:.3f})"
        for i, pair in enumerate(pairs)
        if predicted[i] != pair.same
    ]


def conclusion(labels: list[bool], found: dict[str, list[float]]) -> str:
    """Accuracy against the reference (MAE) names the winner; the best F1s say if it matters."""
    error = {name: mae(found[name], found["jaccard"]) for name in ("simhash", "minhash")}
    winner, other = sorted(error, key=error.get)
    f1 = {name: best_range(labels, found[name])[2] for name in METHODS}
    low, high, _ = best_range(labels, found["simhash"])
    return (
        f"conclusion: {winner} is the more accurate (mean error vs exact jaccard "
        f"{error[winner]:.3f}, {other} {error[other]:.3f}); as classifiers all three nearly "
        f"separate these pairs (best F1 jaccard {f1['jaccard']:.3f}, simhash {f1['simhash']:.3f} "
        f"in a {round((high - low) * 64)}-bit window, minhash {f1['minhash']:.3f})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timing runs; the best is kept")
    args = parser.parse_args(argv)
    posts = refreshes.posts_at(len(refreshes.PUBLISHED) - 1)
    fixture, synthetic, negative = fixture_pairs(), synthetic_pairs(posts), negative_pairs(posts)
    pairs = fixture + synthetic + negative
    prints = fingerprints({text for p in pairs for text in (p.left, p.right)})
    labels, found = [p.same for p in pairs], scores(pairs, prints)
    rows = rows_of(pairs, found, timings(pairs, prints, args.repeat))
    passes = [hamming(prints[p.left][1], prints[p.right][1]) <= SIMHASH_MAX_BITS for p in pairs]
    both = [ok and j >= NEAR_DUPLICATE_MIN for ok, j in zip(passes, found["jaccard"], strict=True)]
    rows.append(
        ("simhash+jaccard", f"<= {SIMHASH_MAX_BITS} bits, >= {NEAR_DUPLICATE_MIN}", both, [])
    )
    header = ["method", "threshold", "precision", "recall", "F1", "AUC", "MAE vs J"]
    header += ["us/compare", "us/print", "errors"]
    print(table(header, [_cells(row, labels, pairs, found) for row in rows]))
    print()
    shared = sum(p.kind.startswith("shared") for p in negative)
    print(
        f"pairs: {len(fixture) + len(synthetic)} positive ({len(fixture)} fixture edits, "
        f"{len(synthetic)} synthetic), {len(negative)} negative ({len(negative) - shared} "
        f"different posts, {shared} sharing a sentence)"
    )
    through = sum(ok and not y for ok, y in zip(passes, labels, strict=True))
    kept = sum(ok and y for ok, y in zip(passes, labels, strict=True))
    print(
        f"simhash prefilter (hamming <= {SIMHASH_MAX_BITS}): lets {through}/{len(negative)} "
        f"negatives through to the Jaccard check, keeps {kept}/{sum(labels)} positives "
        f"(prefilter recall {kept / sum(labels):.3f})"
    )
    for name, threshold, predicted, _ in rows:
        wrong = errors(pairs, predicted, found)
        for line in wrong[:4]:
            print(f"  {name} {threshold}: {line}")
        if len(wrong) > 4:
            print(f"  {name} {threshold}: ... and {len(wrong) - 4} more")
    print(conclusion(labels, found))


def _cells(row: tuple, labels: list[bool], pairs: list[Pair], found: dict) -> list[str]:
    name, threshold, predicted, extra = row
    precision, recall, f1 = quality(labels, predicted)
    figures = [f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}", *(extra or [""] * 4)]
    return [name, threshold, *figures, str(len(errors(pairs, predicted, found)))]


if __name__ == "__main__":
    main()
