"""Every bench module imports: a constant the core drops cannot silently break a bench."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bench

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(bench.__path__, "bench.")
    if info.name != "bench.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_bench_module_imports(name: str) -> None:
    """The module loads without running anything."""
    importlib.import_module(name)
