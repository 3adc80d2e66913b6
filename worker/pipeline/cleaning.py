"""Cleaning of extracted text: readable clean lines, comparison forms, and sentences.

Owns the repair of what text extraction does to prose (odd whitespace, sentences glued across a
removed tag) and the one sentence splitter every stage shares. Pure functions of strings on the
standard library only: no faust, aiokafka, orjson, logging, clock or environment imports.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from functools import cache

from worker.pipeline.memo import per_line

# Characters that change nothing a reader sees but make two equal texts differ: zero-width
# space and non-joiner, word joiner and invisible operators, BOM, soft hyphen, the Arabic
# letter mark, the Mongolian vowel separator, bidi marks, embeddings, overrides and isolates
# (which also let hostile text display reordered), interlinear annotation marks, and the C0
# and C1 controls except tab and line breaks. The zero-width joiner stays: emoji need it.
_INVISIBLE = re.compile(
    "[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u00ad"
    "\u061c\u180e\ufff9-\ufffb\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Canonical reordering makes NFC quadratic in a run of combining marks after one base
# character (a 200 KB run took 17 s); no script stacks more than a few, so longer runs are cut.
MAX_COMBINING = 8
# A character reference with its semicolon ("&apos;", "&#8217;", "&#x2019;"): text extracted
# from markup often keeps some, and a publisher's switch of encoding is not an edit. Bare
# "&copy" without one stays, as in "&copy=1" or "R&D".
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MARK_RUN = re.compile(rf"[^\w\s]{{{MAX_COMBINING + 1},}}")
# Sentence punctuation (and any closing quotes) then a capitalised word, the words "A" and
# "I", a digit, an opening curly quote, a straight quote before a capital, or a hashtag, with
# no space between: the seam an extractor leaves where two blocks met. `_seam` checks what
# precedes it.
_GLUED = re.compile(r"[.!?…]+[”\u2019)\]]*(?=[^\W\d_][^\W\d_]|[AI] |[\d“\u2018#]|['\"][^\W\d_a-z])")
_LAST_LETTERS = re.compile(r"[^\W\d_]+$")
# A whole word in capitals ("US", "NATO") and then a space or the end of the text.
_ACRONYM = re.compile(r"[^\W\d_]{2,}(?= |$)")
TOKEN_REACH = 200
_URLISH = re.compile(r"://|^www\.|@|/")
_CLOSERS = frozenset("”\u2019\"')]")

# Written as escapes because several look like ASCII in an editor. Single: left and right
# quotes, low-9, reversed-9, single guillemets, prime, backtick, acute accent. Double: curly,
# low-9, reversed-9, guillemets, double prime. Dashes: en, em, figure, minus, hyphen,
# non-breaking hyphen, horizontal bar.
_QUOTES = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2039\u203a\u2032`\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033", '"'),
        **dict.fromkeys("\u2013\u2014\u2012\u2212\u2010\u2011\u2015", "-"),
    }
)

# Words that take a full stop without ending a sentence. Lower-case; matched on the word alone.
ABBREVIATIONS = frozenset(
    {
        *("mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "maj", "cmdr"),
        *("adm", "gov", "sen", "rep", "rev", "st", "mt", "ft", "jr", "sr", "vs", "inc", "ltd"),
        *("co", "corp", "dept", "approx", "al", "jan", "feb", "mar", "apr", "jun", "jul"),
        *("aug", "sep", "sept", "oct", "nov", "dec"),
    }
)
# Abbreviations only before a number: "No. 10" is one, "He said no. Then" ends a sentence.
NUMBERED = frozenset({"no", "nos", "fig", "vol", "art", "p", "pp"})
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]|[^\W\d_]")
# Sentence end: punctuation, closing quotes or brackets, then space before the next sentence.
_END = re.compile(r"[.!?…]+[”\u2019\"»)\]]*(?=\s)")
_OPENERS = "“\u2018\"'«([…. "


@per_line()
def clean_text(text: str) -> str:
    """One readable line: NFC, every whitespace run one space, trimmed, glued sentences parted.

    Line breaks fold to spaces too, so split paragraphs before cleaning them. Character
    references left by extraction ("&apos;", "&#8217;") are decoded. Invisible
    characters (zero-width space, soft hyphen, BOM, bidi controls, control characters) go;
    zero-width joiners stay for emoji. A run of more than MAX_COMBINING combining marks on one
    character is cut to that many, which keeps normalisation linear.
    """
    for _ in range(2):  # twice: "&amp;apos;" is an apostrophe encoded twice
        if "&" not in text:
            break
        text = _ENTITY.sub(_decode, text)
    if text.isascii():  # ASCII is already NFC; only control characters can be invisible
        text = _ASCII_CONTROL.sub("", text)
    else:
        text = _INVISIBLE.sub("", text)
        if _MARK_RUN.search(text):  # combining marks are neither word nor space characters
            text = _combining_runs().sub(r"\1", text)
        text = unicodedata.normalize("NFC", text)
    return _GLUED.sub(_seam, " ".join(text.split()))


def _decode(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


@cache
def _combining_runs() -> re.Pattern[str]:
    """MAX_COMBINING marks of non-zero combining class, then any more of them (built on first
    use: scanning the code points costs about 60 ms, paid only by non-ASCII input)."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    marks = "".join(f"{chr(low)}-{chr(high)}" for low, high in ranges)
    return re.compile(f"([{marks}]{{{MAX_COMBINING}}})[{marks}]+")


def _seam(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    punctuation = match.group(0)
    if start == 0 or not (text[start - 1].isalpha() or text[start - 1] in _CLOSERS):
        return punctuation  # "3.Next", "...Then" at the start: no word ends here
    # The token around the seam, looked for within TOKEN_REACH characters: a text without
    # spaces ("word.Word" repeated) must not be rescanned at every seam.
    stop = text.find(" ", end, end + TOKEN_REACH)
    reach = max(0, start - TOKEN_REACH)
    begin = max(reach, text.rfind(" ", reach, start) + 1)
    token = text[begin : stop if stop >= 0 else min(len(text), end + TOKEN_REACH)]
    if _URLISH.search(token):
        return punctuation  # URLs, e-mail addresses and paths legitimately hold "word.Word"
    letters = _LAST_LETTERS.search(text, max(0, start - 40), start)
    word = letters.group(0) if letters else ""
    sentence_end = word.islower() and len(word) > 2 and word not in NUMBERED
    if not text[end].isalpha():  # "difference.5 things", "said.“We", "today.#storm", ".'Depraved'"
        return punctuation + " " if sentence_end and text[start - 1].isalpha() else punctuation
    acronym = _ACRONYM.match(text, end)
    if acronym and acronym.group(0).isupper() and sentence_end:
        return punctuation + " "  # "the difference.US officials": a sentence, then an acronym
    if not (text[end].isupper() and (text[end + 1].islower() or text[end + 1] == " ")):
        return punctuation  # "Vue.JS", "U.S.A", "e.g.the": not a capitalised word
    if text[start - 1] in _CLOSERS:
        return punctuation + " "
    if not text[start - 1].islower() or len(word) < 2 or word.lower() in ABBREVIATIONS:
        return punctuation  # "U.S.Army", "J.K.Rowling", "e.g.The", "Mr.Smith"
    return punctuation + " "


@per_line()
def comparison_form(text: str) -> str:
    """A folded form for telling whether two versions differ; never shown to readers.

    Curly quotes, guillemets and primes become straight quotes, every dash a hyphen, case is
    folded: a publisher swapping typography or capitalisation has not changed the news.
    """
    folded = clean_text(text).translate(_QUOTES).casefold()
    return " ".join(folded.split())


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
    start = scanned = 0
    quotes = (0, 0, 0)
    for end in _END.finditer(paragraph):
        # Quote counts grow by the newly scanned stretch only, so a long paragraph stays linear.
        quotes = _count_quotes(paragraph[scanned : end.end()], quotes)
        scanned = end.end()
        if _starts_sentence(paragraph, end.end()) and not (
            _inside_quote(quotes) or _after_abbreviation(paragraph, start, end)
        ):
            found.append(paragraph[start : end.end()].strip())
            start, quotes = end.end(), (0, 0, 0)
    rest = paragraph[start:].strip()
    return [*found, rest] if rest else found


def _starts_sentence(paragraph: str, position: int) -> bool:
    following = paragraph[position : position + 16].lstrip(_OPENERS)
    return bool(following) and (
        following[0].isupper() or following[0].isdigit() or following[0] in "#@"
    )


def _count_quotes(stretch: str, counts: tuple[int, int, int]) -> tuple[int, int, int]:
    curly, guillemets, straight = counts
    return (
        curly + stretch.count("“") - stretch.count("”"),
        guillemets + stretch.count("«") - stretch.count("»"),
        straight + stretch.count('"'),
    )


def _inside_quote(counts: tuple[int, int, int]) -> bool:
    curly, guillemets, straight = counts
    return curly > 0 or guillemets > 0 or straight % 2 == 1


def _after_abbreviation(paragraph: str, start: int, end: re.Match[str]) -> bool:
    if end.group(0) != ".":
        return False  # "!", "?", "…" and a stop before a closing quote always end a sentence
    word_start = max(start, paragraph.rfind(" ", start, end.start()) + 1)
    word = paragraph[word_start : end.start()].lstrip(_OPENERS).lower()
    if word in NUMBERED:
        return paragraph[end.end() : end.end() + 2].lstrip()[:1].isdigit()
    return word in ABBREVIATIONS or bool(_INITIALISM.fullmatch(word))
