"""Revisions: a changed number, name, sentence or headline is material; style and typos are not."""

from __future__ import annotations

import pytest

from worker.pipeline.cleaning import comparison_form as fold
from worker.pipeline.revision import classify, diff, edit_distance

HEAD = "Ferries cancelled"
TEXT = (
    "All ferry crossings from Port Alder have been cancelled, operator Brightline said. "
    "\u201cSafety comes first,\u201d a spokesperson said. About 1,200 passengers were affected."
)


def verdict(new_text: str, new_head: str = HEAD):
    return classify(fold(HEAD), fold(TEXT), fold(new_head), fold(new_text))


@pytest.mark.parametrize(
    ("name", "new_text"),
    [
        ("straight quotes", TEXT.replace("\u201c", '"').replace("\u201d", '"')),
        ("whitespace", TEXT.replace(" said.", "  said.").replace("All", "All\u00a0")),
        ("case", TEXT.replace("Safety", "SAFETY")),
        ("one-letter typo", TEXT.replace("crossings", "crosings")),
        ("two-letter typo", TEXT.replace("spokesperson", "spoksperon")),
        ("lost first letter", TEXT.replace("All ferry", "ll ferry")),
        ("dash style", TEXT.replace("Port Alder", "Port\u2013Alder").replace("\u2013", "-")),
    ],
)
def test_cosmetic_edits_are_not_material(name: str, new_text: str) -> None:
    """Quote style, whitespace, case and small typo fixes never make a revision."""
    assert not verdict(new_text).material, name


@pytest.mark.parametrize(
    ("name", "new_text", "new_head", "reason"),
    [
        ("number", TEXT.replace("1,200", "1,400"), HEAD, "number changed"),
        ("name", TEXT.replace("Brightline", "Seaways"), HEAD, "word changed"),
        ("sentence added", TEXT + " Services resume tomorrow.", HEAD, "words added or removed"),
        ("sentence removed", TEXT.rsplit(" About", 1)[0], HEAD, "words added or removed"),
        ("headline", TEXT, "All ferries called off", "headline reworded"),
    ],
)
def test_material_edits_are_revisions(name: str, new_text: str, new_head: str, reason: str) -> None:
    """A number, a name, a sentence or the headline changed is material, and says why."""
    change = verdict(new_text, new_head)
    assert change.material, name
    assert reason in change.reasons


def test_many_small_edits_add_up_to_a_revision() -> None:
    """Typo fixes have a budget per update: a rewrite made of small edits is material."""
    new_text = (
        TEXT.replace("crossings", "crosings")
        .replace("cancelled", "canceled")
        .replace("operator", "operater")
        .replace("spokesperson", "spokesprson")
        .replace("passengers", "pasengers")
    )
    assert verdict(new_text).material


def test_diff_names_sentences_and_numbers() -> None:
    """The diff quotes the readable sentences added and removed and the numbers changed."""
    new_text = TEXT.replace("1,200", "1,400") + " Services resume tomorrow."
    change = verdict(new_text)
    result = diff(TEXT, new_text, change, fold=fold)
    assert result["numbers_changed"] == [{"from": "1,200", "to": "1,400"}]
    assert "Services resume tomorrow." in result["sentences_added"]
    assert result["sentences_removed"] == ["About 1,200 passengers were affected."]


def test_edit_distance_stops_at_its_limit() -> None:
    """Edit distance is exact below the limit and capped at it."""
    assert edit_distance("south", "outh") == 1
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("a", "completely different") == 3
