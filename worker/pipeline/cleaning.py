"""Cleaning of extracted text: readable clean lines, comparison forms, and sentences.

Owns the repair of what text extraction does to prose (odd whitespace, sentences glued across a
removed tag) and the one sentence splitter every stage shares. Pure functions of strings on the
standard library only: no faust, aiokafka, orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
# Sentence punctuation (and any closing quotes) right after a letter or closing quote, then a
# capitalised word with no space between: the seam an extractor leaves where two blocks met.
_GLUED = re.compile(r"(?:(?<=[^\W\d_])|(?<=[”’\"')\]]))[.!?…]+[”’)\]]*(?=[^\W\d_][^\W\d_])")
_LAST_LETTERS = re.compile(r"[^\W\d_]+$")
_URLISH = re.compile(r"://|^www\.|@|/")
_CLOSERS = frozenset("”’\"')]")

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛‹›′`´", "'"),
        **dict.fromkeys("“”„‟«»″", '"'),
        **dict.fromkeys("–—‒−‐‑―", "-"),
    }
)

# Words that take a full stop without ending a sentence. Lower-case; matched on the word alone.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt maj cmdr adm gov sen rep rev st mt ft jr sr
    vs inc ltd co corp dept approx al jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Abbreviations only before a number: "No. 10" is one, "He said no. Then" ends a sentence.
NUMBERED = frozenset({"no", "nos", "fig", "vol", "art", "p", "pp"})
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]|[^\W\d_]")
# Sentence end: punctuation, closing quotes or brackets, then space before the next sentence.
_END = re.compile(r"[.!?…]+[”’\"»)\]]*(?=\s)")
_OPENERS = "“‘\"'«([…. "


def clean_text(text: str) -> str:
    """One readable line: NFC, every whitespace run one space, trimmed, glued sentences parted.

    Line breaks fold to spaces too, so split paragraphs before cleaning them. Invisible
    characters (zero-width space, soft hyphen, BOM) go; zero-width joiners stay for emoji.
    """
    flat = _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text))).strip()
    return _GLUED.sub(_seam, flat)


def _seam(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    punctuation = match.group(0)
    stop = text.find(" ", end)
    token = text[text.rfind(" ", 0, start) + 1 : stop if stop >= 0 else len(text)]
    if _URLISH.search(token):
        return punctuation  # URLs, e-mail addresses and paths legitimately hold "word.Word"
    if not (text[end].isupper() and text[end + 1].islower()):
        return punctuation  # "Node.JS", "U.S.A", "e.g.the": not a capitalised word
    if text[start - 1] in _CLOSERS:
        return punctuation + " "
    letters = _LAST_LETTERS.search(text, max(0, start - 40), start)
    word = letters.group(0) if letters else ""
    if not text[start - 1].islower() or len(word) < 2 or word.lower() in ABBREVIATIONS:
        return punctuation  # "U.S.Army", "J.K.Rowling", "e.g.The", "Mr.Smith"
    return punctuation + " "


def comparison_form(text: str) -> str:
    """A folded form for telling whether two versions differ; never shown to readers.

    Curly quotes, guillemets and primes become straight quotes, every dash a hyphen, case is
    folded: a publisher swapping typography or capitalisation has not changed the news.
    """
    folded = clean_text(text).translate(_QUOTES).casefold()
    return _SPACES.sub(" ", folded).strip()


def sentences(text: str) -> list[str]:
    """The sentences of one paragraph, in order, cleaned.

    A sentence ends at `.`, `!`, `?` or `…` (with any closing quotes) followed by a space and
    a capital letter, digit or opening quote. It does not end after an abbreviation ("Mr.",
    "No."), an initial or initialism ("J.", "U.S.", "e.g."), nor inside a quotation: a quote
    still open at the end of the paragraph runs to its end, because news paragraphs quote
    several sentences in a row and a quote is never cut.
    """
    paragraph = clean_text(text)
    found: list[str] = []
    start = 0
    for end in _END.finditer(paragraph):
        candidate = paragraph[start : end.end()]
        if _starts_sentence(paragraph, end.end()) and not (
            _inside_quote(candidate) or _after_abbreviation(paragraph, start, end)
        ):
            found.append(candidate.strip())
            start = end.end()
    rest = paragraph[start:].strip()
    return [*found, rest] if rest else found


def _starts_sentence(paragraph: str, position: int) -> bool:
    following = paragraph[position:].lstrip(_OPENERS)
    return bool(following) and (following[0].isupper() or following[0].isdigit())


def _inside_quote(segment: str) -> bool:
    curly = segment.count("“") - segment.count("”")
    guillemets = segment.count("«") - segment.count("»")
    return curly > 0 or guillemets > 0 or segment.count('"') % 2 == 1


def _after_abbreviation(paragraph: str, start: int, end: re.Match[str]) -> bool:
    if end.group(0) != ".":
        return False  # "!", "?", "…" and a stop before a closing quote always end a sentence
    words = paragraph[start : end.start()].split()
    word = words[-1].lstrip("“‘\"'«([").lower() if words else ""
    if word in NUMBERED:
        return paragraph[end.end() :].lstrip()[:1].isdigit()
    return word in ABBREVIATIONS or bool(_INITIALISM.fullmatch(word))
