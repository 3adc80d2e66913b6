"""Fingerprints of update text: exact hashes, word shingles, SimHash and MinHash.

Everything hashes with blake2b, never Python's `hash()` (salted per process), so fingerprints
are the same in every worker and in every run. Inputs are comparison forms (see `cleaning`).
Pure; standard library only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+(?:[.,'\u2019][^\W_]+)*", re.UNICODE)
SHINGLE = 3
MINHASH_PERMUTATIONS = 64
_MERSENNE = (1 << 61) - 1
_MASK64 = (1 << 64) - 1


def exact_hash(text: str) -> str:
    """A 12-byte hex digest of a comparison form: equal text, equal hash."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def line_hash(line: str) -> str:
    """An 8-byte hex digest of a raw line: which lines of a page were there last time."""
    return hashlib.blake2b(line.encode("utf-8"), digest_size=8).hexdigest()


def words(text: str) -> list[str]:
    """Word tokens; numbers keep their inner separators ("10,000", "3.5")."""
    return _WORD.findall(text)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Overlapping word n-grams; a text shorter than `size` words is one shingle."""
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(left: set[str], right: set[str]) -> float:
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def _hash64(item: str) -> int:
    return int.from_bytes(hashlib.blake2b(item.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(features: Iterable[str]) -> int:
    """Charikar's 64-bit SimHash: near texts differ in few bits.

    A bit is set when more than half the features' hashes have it set (its weight, +1 per
    set and -1 per clear, is positive). The hashes are counted column by column as binary
    strings, so the 64 x features loop runs in C, not in Python.
    """
    values = [_hash64(feature) for feature in features]
    half = len(values) / 2
    result = 0
    for column in zip(*(format(value, "064b") for value in values), strict=True):  # high bit first
        result = result << 1 | (column.count("1") > half)
    return result


def hamming(left: int, right: int) -> int:
    return (left ^ right).bit_count()


def simhash_similarity(left: int, right: int) -> float:
    """1.0 for identical fingerprints, about 0.5 for unrelated texts."""
    return 1.0 - hamming(left, right) / 64


_PERMUTATIONS = [
    (_hash64(f"a{i}") % _MERSENNE | 1, _hash64(f"b{i}") % _MERSENNE)
    for i in range(MINHASH_PERMUTATIONS)
]


def minhash(features: Iterable[str]) -> tuple[int, ...]:
    """A MinHash signature; the share of equal slots estimates the Jaccard similarity."""
    hashes = [_hash64(feature) & _MASK64 for feature in features]
    if not hashes:
        return tuple([_MERSENNE] * MINHASH_PERMUTATIONS)
    return tuple(min((a * h + b) % _MERSENNE for h in hashes) for a, b in _PERMUTATIONS)


def minhash_similarity(left: tuple[int, ...], right: tuple[int, ...]) -> float:
    return sum(1 for a, b in zip(left, right, strict=True) if a == b) / len(left)
