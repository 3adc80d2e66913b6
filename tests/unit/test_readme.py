"""The README documents what the code does: every setting, and the two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

from worker.settings import ENVIRONMENT

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
CI = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()


def test_readme_settings_table_lists_every_environment_variable() -> None:
    """Each variable the worker reads has a row in the README's settings table, and no other."""
    rows = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.MULTILINE))
    assert rows == {var.name for var in ENVIRONMENT}


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run calls exactly the test command the README gives a newcomer."""
    assert "make test" in README
    assert "make demo" in README
    assert re.search(r"^make test$", CI, flags=re.MULTILINE)
