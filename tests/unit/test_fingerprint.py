"""Fingerprints: stable across processes, near texts near, unrelated texts far."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from worker.pipeline.fingerprint import (
    _hash64,
    exact_hash,
    jaccard,
    minhash,
    minhash_similarity,
    shingles,
    simhash,
    simhash_similarity,
    words,
)

BASE = (
    "around 40 firefighters are now tackling the blaze at the timber warehouse on the east "
    "quay, station manager rhian osei said, and crews from kessing have been called in"
)
NEAR = BASE.replace("40", "60")
OTHER = (
    "brightline has suspended its ferry crossings from port alder until further notice, "
    "citing poor visibility in the harbour mouth and strong winds"
)


def test_exact_hash_is_stable_and_content_sensitive() -> None:
    """The exact hash is a fixed function of the text (no per-process salt)."""
    assert exact_hash("abc") == exact_hash("abc")
    assert len(exact_hash("abc")) == 24
    assert exact_hash("abc") != exact_hash("abd")


def test_words_keep_numbers_whole() -> None:
    """Numbers keep their separators, so a changed figure is one changed token."""
    assert words("more than 10,000 troops and 3.5 tonnes") == [
        "more",
        "than",
        "10,000",
        "troops",
        "and",
        "3.5",
        "tonnes",
    ]


def test_a_short_text_is_one_shingle() -> None:
    """Texts shorter than the shingle size still have a fingerprint."""
    assert shingles("two words") == {"two words"}
    assert shingles("") == set()


def test_near_texts_have_near_fingerprints() -> None:
    """One changed number leaves SimHash, MinHash and Jaccard close to 1; unrelated text not."""
    near, other = shingles(NEAR), shingles(OTHER)
    base = shingles(BASE)
    assert jaccard(base, near) > 0.8 > 0.1 > jaccard(base, other)
    near_bits = simhash_similarity(simhash(base), simhash(near))
    assert near_bits > 0.75 > simhash_similarity(simhash(base), simhash(other))
    assert minhash_similarity(minhash(base), minhash(near)) > 0.7
    assert minhash_similarity(minhash(base), minhash(other)) < 0.2


def test_simhash_is_the_same_in_every_process() -> None:
    """Fingerprints go into shared state, so they must not depend on PYTHONHASHSEED."""
    code = (
        "from worker.pipeline.fingerprint import shingles, simhash, exact_hash;"
        f"print(simhash(shingles({BASE!r})), exact_hash({BASE!r}))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {f"{simhash(shingles(BASE))} {exact_hash(BASE)}\n"}


def _textbook_simhash(features: set[str]) -> int:
    """Charikar's definition, bit by bit: +1 for a set bit, -1 for a clear one, keep the
    positive weights. Stored states hold SimHashes, so the fast version must equal this."""
    weights = [0] * 64
    for feature in features:
        value = _hash64(feature)
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 7, 40, 400])
def test_simhash_equals_the_textbook_definition(size: int) -> None:
    rng = random.Random(size)
    vocabulary = [f"w{n}" for n in range(60)]  # few words: ties in the weights happen
    for _ in range(25):
        features = shingles(" ".join(rng.choice(vocabulary) for _ in range(size)))
        assert simhash(features) == _textbook_simhash(features)
