"""Memory for the pure text functions that every refresh calls on the same lines again.

A re-crawl repeats almost every line of the story's last crawl, so the cleaning, the rule
verdict and the fingerprint of a line are worked out once per process, not once per refresh.
The caches are bounded LRUs; strings longer than `max_chars` bypass them, so a cache holds at
most `maxsize` keys of at most `max_chars` characters whatever the traffic. Only functions of
one string that return an immutable value may be wrapped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")
LINE_CACHE_SIZE = 8192
LINE_MAX_CHARS = 1000


def per_line(
    maxsize: int = LINE_CACHE_SIZE, max_chars: int = LINE_MAX_CHARS
) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Decorate a pure `str -> T` function with a bounded LRU for strings up to `max_chars`."""

    def decorate(function: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(function)

        @wraps(function)
        def call(text: str) -> T:
            return cached(text) if len(text) <= max_chars else function(text)

        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate
