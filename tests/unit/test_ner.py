"""The spaCy extractor, in this process and in a child process of its own."""

from __future__ import annotations

from worker.ner import ProcessExtractor, SpacyExtractor

TEXTS = [
    "Rhian Osei of the Port Alder fire service spoke in Cardiff on Tuesday.",
    "",
    "The United Nations said North Korea fired a missile towards Japan.",
]


def test_the_child_process_finds_what_this_process_finds() -> None:
    """Same mentions, same token count: only where spaCy runs differs."""
    here = SpacyExtractor()
    there = ProcessExtractor()
    try:
        assert there.extract(TEXTS) == here.extract(TEXTS)
        assert there.extract(TEXTS[:1]) == here.extract(TEXTS[:1])
        assert there.tokens == here.tokens > 0
    finally:
        there.close()
    assert any(mention.label == "PERSON" for mention in here.extract(TEXTS)[0])
