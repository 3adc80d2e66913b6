"""Provenance headers: written by the router, read back only when well-formed, never raised."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from worker.codec import DEAD_LETTER_KEY_BYTES
from worker.kafka.origin import (
    ORIGIN_HEADER,
    ORIGIN_KEY_HEADER,
    ORIGIN_KEY_SHA_HEADER,
    ORIGIN_KEY_SIZE_HEADER,
    Origin,
    make_headers,
    read_headers,
)

PLACE = Origin("articles.raw", 3, 1234, b"crawler-key")


def test_headers_carry_place_and_key_back() -> None:
    """What the router writes, the processor reads back as the same origin."""
    assert read_headers(make_headers(PLACE)) == PLACE


def test_a_record_without_a_key_has_no_key_header() -> None:
    """A keyless input record's origin comes back keyless."""
    origin = Origin("articles.raw", 0, 7, None)
    assert [name for name, _ in make_headers(origin)] == [ORIGIN_HEADER]
    assert read_headers(make_headers(origin)) == origin


def test_a_long_key_travels_as_a_prefix_with_its_size_and_hash() -> None:
    """A 3 MB key puts at most DEAD_LETTER_KEY_BYTES into headers; its size and hash survive."""
    key = b"k" * (3 * 1024 * 1024)
    headers = make_headers(Origin("articles.raw", 0, 1, key))
    assert sum(len(value) for _, value in headers) < DEAD_LETTER_KEY_BYTES + 200
    origin = read_headers(headers)
    assert origin is not None
    assert origin.key == key[:DEAD_LETTER_KEY_BYTES]
    assert origin.key_size == len(key)
    assert origin.key_sha256 == hashlib.sha256(key).hexdigest()


def test_headers_as_a_mapping_are_read_too() -> None:
    """Faust may hand headers over as a dict; the origin is the same."""
    assert read_headers(dict(make_headers(PLACE))) == PLACE


def test_other_headers_are_ignored() -> None:
    """A crawler's own headers next to ours change nothing."""
    headers = [("trace-id", b"\xff\xfe"), *make_headers(PLACE), ("news-worker-x", b"y")]
    assert read_headers(headers) == PLACE


def test_no_origin_header_is_no_origin() -> None:
    """A record without our header has no origin to follow."""
    assert read_headers([]) is None
    assert read_headers(None) is None


def test_an_origin_header_of_invalid_utf8_is_malformed_not_a_crash() -> None:
    """Bytes that are not UTF-8 are reported as malformed."""
    assert read_headers([(ORIGIN_HEADER, b"\xff\xfe:\x80:topic")]) is None


def test_malformed_origin_headers_are_none() -> None:
    """Each shape that is not ours (missing parts, signs, bad topic names) is rejected."""
    for where in [b"", b"1:2", b"-1:2:t", b"1:-2:t", b"a:2:t", b"1:2:", b"1:2:a b", b"1:2:t\n"]:
        assert read_headers([(ORIGIN_HEADER, where)]) is None, where
    assert read_headers([(ORIGIN_HEADER, b"1:2:" + b"t" * 250)]) is None


def test_a_key_header_over_the_cap_or_inconsistent_key_facts_are_malformed() -> None:
    """Our headers never carry more than the key cap, nor a size without a hash."""
    where = (ORIGIN_HEADER, b"1:2:articles.raw")
    long_key = (ORIGIN_KEY_HEADER, b"k" * (DEAD_LETTER_KEY_BYTES + 1))
    assert read_headers([where, long_key]) is None
    size_only = [where, (ORIGIN_KEY_HEADER, b"k"), (ORIGIN_KEY_SIZE_HEADER, b"5000")]
    assert read_headers(size_only) is None
    bad_hash = [*size_only, (ORIGIN_KEY_SHA_HEADER, b"z" * 64)]
    assert read_headers(bad_hash) is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [ORIGIN_HEADER, ORIGIN_KEY_HEADER, ORIGIN_KEY_SIZE_HEADER, ORIGIN_KEY_SHA_HEADER]
            )
            | st.text(max_size=30),
            st.binary(max_size=80) | st.none(),
        ),
        max_size=6,
    )
)
def test_reading_any_headers_never_raises(headers: list[tuple[str, bytes | None]]) -> None:
    """Whatever the headers hold, the answer is an origin or None."""
    found = read_headers(headers)
    assert found is None or isinstance(found, Origin)
