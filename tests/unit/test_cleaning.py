"""Cleaning: readable clean lines, comparison forms and sentences, on plain strings."""

from __future__ import annotations

import unicodedata

import pytest

from worker.pipeline.cleaning import MAX_COMBINING, clean_text, comparison_form, sentences

# --- clean_text ---------------------------------------------------------------------------------


def test_clean_text_composes_to_nfc() -> None:
    """A decomposed accent becomes the single composed character."""
    decomposed = unicodedata.normalize("NFD", "Café in Zürich")
    assert clean_text(decomposed) == "Café in Zürich"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))


def test_clean_text_folds_odd_whitespace_to_single_spaces_and_trims() -> None:
    """Non-breaking spaces, tabs, runs of spaces and line breaks become one space; ends trimmed."""
    assert clean_text(" \tGales\u00a0hit   the\u2009coast.\n ") == "Gales hit the coast."


def test_clean_text_removes_invisible_characters() -> None:
    """Zero-width spaces, soft hyphens and byte-order marks are not text."""
    assert clean_text("\ufeffsea\u200bfront re\u00adopened") == "seafront reopened"


def test_clean_text_parts_sentences_glued_by_extraction() -> None:
    """A full stop straight before a capitalised word gets the space extraction lost."""
    glued = "Every gift counts.Emergency crews worked through the night."
    assert clean_text(glued) == "Every gift counts. Emergency crews worked through the night."


@pytest.mark.parametrize(
    ("glued", "parted"),
    [
        ("Is it over?Officials say no.", "Is it over? Officials say no."),
        ("It held!Then it broke.", "It held! Then it broke."),
        ("“It will hold.”Then it broke.", "“It will hold.” Then it broke."),
        ("the “final offer”.Talks ended.", "the “final offer”. Talks ended."),
        ("(see below).Crews arrived.", "(see below). Crews arrived."),
        ("all the difference.A fire is burning.", "all the difference. A fire is burning."),
        ("I was there.I saw it.", "I was there. I saw it."),
    ],
    ids=[
        *("question", "exclamation", "stop-inside-quote", "quote-before-stop", "bracket"),
        *("one-letter-a", "one-letter-i"),
    ],
)
def test_clean_text_parts_glued_sentences_after_any_end_mark(glued: str, parted: str) -> None:
    """Question and exclamation marks, closing quotes and brackets end a glued sentence too."""
    assert clean_text(glued) == parted


@pytest.mark.parametrize(
    "kept",
    [
        "The U.S. Army and the U.S.Navy",
        "small towns, e.g. Tressick, i.e.Lanmouth",
        "inflation of 3.5 per cent",
        "written in Node.js and Vue.JS",
        "see example.com or www.example.org/News.Html",
        "mail press@herald.example.Today",
        "a novel by J.K. Rowling and J.R.R.Tolkien",
        "vitamins B.A and U.S.A to Plan.B",
        "No.10 said Mr.Smith would go",
    ],
    ids=[
        *("initialism", "latin", "decimal", "code", "domain", "email", "initials"),
        *("single-letters", "abbreviation"),
    ],
)
def test_clean_text_leaves_abbreviations_numbers_and_addresses_whole(kept: str) -> None:
    """Dots inside abbreviations, numbers, code names and addresses are not sentence seams."""
    assert clean_text(kept) == kept


def test_clean_text_of_empty_or_blank_is_empty() -> None:
    """Nothing but whitespace cleans to the empty string."""
    assert clean_text("") == ""
    assert clean_text(" \u00a0\t\n") == ""


# --- comparison_form ----------------------------------------------------------------------------


def test_comparison_form_straightens_quotes_and_primes() -> None:
    """Curly quotes, low quotes, guillemets and primes compare equal to straight quotes."""
    # Single quotes and the prime as escapes: they look like ASCII in an editor.
    assert comparison_form("“Stay” \u2018home\u2019 „now‟ «please» 6\u20322″") == (
        '"stay" \'home\' "now" "please" 6\'2"'
    )


def test_comparison_form_turns_every_dash_into_a_hyphen() -> None:
    """En, em, figure and minus dashes and the Unicode hyphen all become "-"."""
    dashes = "a \u2013 b \u2014 c \u2012 d \u2212 e \u2010 f"
    assert comparison_form(dashes) == "a - b - c - d - e - f"


def test_comparison_form_folds_case_and_spacing() -> None:
    """Case, non-breaking spaces and zero-width spaces do not make two versions differ."""
    assert comparison_form("STORM\u00a0Ilsa  Hits\u200b") == comparison_form("storm ilsa hits")


def test_comparison_form_keeps_words_and_numbers() -> None:
    """A changed number still differs after folding."""
    assert comparison_form("42,000 homes") != comparison_form("43,000 homes")


# --- sentences ----------------------------------------------------------------------------------


def test_sentences_split_a_paragraph_at_sentence_ends() -> None:
    """Full stops, question and exclamation marks followed by a capital end sentences."""
    assert sentences("Crews arrived. Was it late? Not at all! The wall held.") == [
        "Crews arrived.",
        "Was it late?",
        "Not at all!",
        "The wall held.",
    ]


def test_sentences_do_not_split_after_abbreviations_or_initials() -> None:
    """Titles, initials, initialisms and "No." before a number end no sentence."""
    text = "Gen. Holt met Mr. Vane and J. K. Ames in the U.S. Capitol at No. 10 on Friday."
    assert sentences(text) == [text]


def test_sentences_split_after_no_as_a_word() -> None:
    """ "no" at the end of a sentence is a word, not the abbreviation of "number"."""
    assert sentences("He said no. Then he left.") == ["He said no.", "Then he left."]


def test_sentences_never_split_inside_a_quotation() -> None:
    """A quotation of several sentences stays whole, and so does its attribution."""
    text = "“The wall held. It will not hold twice,” he said. Crews left."
    assert sentences(text) == ["“The wall held. It will not hold twice,” he said.", "Crews left."]


def test_sentences_keep_a_quote_open_to_the_paragraph_end_whole() -> None:
    """A quote that continues into the next paragraph is never cut."""
    text = "“We will rebuild. Nobody will be left alone. The country is with you."
    assert sentences(text) == [text]


def test_sentences_split_after_a_closed_quote() -> None:
    """A sentence ending inside its closing quote ends there."""
    assert sentences("“We held.” The crews agreed.") == ["“We held.”", "The crews agreed."]


def test_sentences_keep_decimals_and_times_whole() -> None:
    """ "3.5" and "11.40pm" hold no sentence end."""
    text = "The tide reached 3.5 metres at 11.40pm on the quay."
    assert sentences(text) == [text]


def test_sentences_clean_glued_input_first() -> None:
    """Glued sentences are parted before splitting."""
    assert sentences("Every gift counts.Crews worked on.") == [
        "Every gift counts.",
        "Crews worked on.",
    ]


def test_sentences_of_empty_text_is_empty() -> None:
    """No text, no sentences."""
    assert sentences("  ") == []


@pytest.mark.parametrize(
    "hidden",
    [
        "\u202e",
        "\u202a",
        "\u2066",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
        "\x00",
        "\x07",
        "\x1b",
        "\x85",
        "\x9f",
    ],
)
def test_clean_text_removes_bidi_and_control_characters(hidden: str) -> None:
    """Bidi overrides, isolates and marks and C0/C1 controls never reach a reader or a hash."""
    assert clean_text(f"sea{hidden}front reopened") == "seafront reopened"


def test_clean_text_keeps_the_zero_width_joiner_of_emoji() -> None:
    """The joiner inside an emoji sequence is part of the character."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"family {family}") == f"family {family}"


def test_clean_text_caps_a_run_of_combining_marks() -> None:
    """At most MAX_COMBINING marks stay on a character, so normalising stays linear."""
    cleaned = clean_text("a" + "\u0301\u0316" * 50_000 + " b")
    assert len(cleaned) <= 1 + MAX_COMBINING + 2
    assert cleaned.endswith(" b")


def test_clean_text_keeps_ordinary_accents() -> None:
    """A letter with one or two marks composes as before."""
    assert clean_text("Beyonce\u0301 and Nguye\u0302\u0303n") == unicodedata.normalize(
        "NFC", "Beyonce\u0301 and Nguye\u0302\u0303n"
    )


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("There&apos;s a call", "There's a call"),
        ("They&rsquo;ll be back", "They\u2019ll be back"),
        ("It&#8217;s over", "It\u2019s over"),
        ("It&amp;apos;s over", "It's over"),
        ("R&D and AT&T", "R&D and AT&T"),
    ],
)
def test_clean_text_decodes_character_references(encoded: str, decoded: str) -> None:
    """Entities left by extraction are decoded; ampersands in words stay."""
    assert clean_text(encoded) == decoded


@pytest.mark.parametrize(
    ("glued", "parted"),
    [
        ("all the difference.US officials said", "all the difference. US officials said"),
        ("all the difference.5 things to know", "all the difference. 5 things to know"),
        ("the difference.\u201cIt is not", "the difference. \u201cIt is not"),
        ("the difference.#storm trends", "the difference. #storm trends"),
    ],
)
def test_clean_text_parts_a_sentence_glued_to_an_acronym_digit_or_quote(
    glued: str, parted: str
) -> None:
    """The seam after a lower-case word is parted before capitals, digits and curly quotes."""
    assert clean_text(glued) == parted


def test_clean_text_parts_a_sentence_glued_to_a_straight_quote_before_a_capital() -> None:
    """ "...the difference.'Depraved' killer jailed" is two sentences."""
    assert clean_text("the difference.'Depraved' killer") == "the difference. 'Depraved' killer"


def test_a_hashtag_starts_a_sentence() -> None:
    """A sentence may open with a hashtag, so a glued appeal before one is its own sentence."""
    assert sentences("Your support makes all the difference. #storm trends") == [
        "Your support makes all the difference.",
        "#storm trends",
    ]
