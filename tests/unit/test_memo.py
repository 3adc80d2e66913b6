"""The per-line memory: the same answers as the plain function, bounded in size."""

from __future__ import annotations

from worker.pipeline.memo import per_line


def test_a_cached_function_answers_as_the_plain_one_and_computes_a_line_once() -> None:
    calls: list[str] = []

    @per_line(maxsize=4, max_chars=10)
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [shout("a"), shout("a"), shout("b")] == ["A", "A", "B"]
    assert calls == ["a", "b"]


def test_long_strings_bypass_the_cache() -> None:
    @per_line(maxsize=4, max_chars=10)
    def size(text: str) -> int:
        return len(text)

    long_line = "x" * 11
    assert size(long_line) == size(long_line) == 11
    assert size.cache_info().currsize == 0  # type: ignore[attr-defined]


def test_the_cache_holds_at_most_maxsize_lines() -> None:
    @per_line(maxsize=4, max_chars=10)
    def same(text: str) -> str:
        return text

    for number in range(100):
        same(str(number))
    assert same.cache_info().currsize == 4  # type: ignore[attr-defined]
