"""Text normalisation shared by every stage: Unicode NFC and tidy whitespace.

Pure functions of strings; no project imports.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def normalise_line(text: str) -> str:
    """NFC, every run of whitespace (non-breaking included) folded to one space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).replace("\n", " ")).strip()


def normalise_paragraphs(text: str) -> list[str]:
    """Split on line breaks into normalised, non-empty paragraphs."""
    nfc = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return [line for line in (normalise_line(part) for part in nfc.split("\n")) if line]
