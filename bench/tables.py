"""Plain-text tables and timing helpers shared by the benchmark commands; standard library only."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns two spaces apart, a dashed rule under the header."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    head = "  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))
    return "\n".join(line.rstrip() for line in [head, "  ".join("-" * w for w in widths), *lines])


def per_call_us(function: Callable[[], object], calls: int, repeat: int) -> float:
    """Microseconds per call of the `calls` calls `function` makes, best of `repeat` runs."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` between 0 and 1) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
