"""Entity linking: normalisation, merging, aliases, short names, label repair, robustness.

No model runs here: the mentions are the values the spaCy adapter would produce, built by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pycountry
import pytest

from worker.pipeline.entities import (
    KEPT_LABELS,
    AliasTable,
    Mention,
    link_entities,
    ner_input,
)
from worker.pipeline.gazetteer import DEFAULT_ALIASES, city_by_id, find_place

ALIASES = AliasTable.load()
Q = "\u2019"  # the typographic apostrophe news text uses


def mention(text: str, surface: str, label: str, nth: int = 0) -> Mention:
    """The mention of the nth occurrence of `surface` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), label, surface)


def link(
    text: str, *found: tuple[Any, ...], known: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    return link_entities(text, [mention(text, *f) for f in found], known or {}, ALIASES)


def only(items: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(items) == 1, items
    return items[0]


# ner_input


def test_ner_input_is_headline_blank_line_text() -> None:
    assert ner_input("Blasts in Kyiv", "Air defences were active.", 1000) == (
        "Blasts in Kyiv\n\nAir defences were active.",
        False,
    )


def test_ner_input_without_headline_is_the_text() -> None:
    assert ner_input("", "Air defences were active.", 1000) == ("Air defences were active.", False)


def test_ner_input_cuts_at_the_last_sentence_boundary_and_says_so() -> None:
    text = "First sentence here. Second one follows. Third is cut off somewhere."
    cut, truncated = ner_input("", text, 50)
    assert (cut, truncated) == ("First sentence here. Second one follows.", True)


def test_ner_input_keeps_a_full_stop_right_at_the_limit() -> None:
    text = "First sentence here. Second one."
    assert ner_input("", text, len("First sentence here.")) == ("First sentence here.", True)


def test_ner_input_cuts_after_the_headline_when_the_text_is_one_long_sentence() -> None:
    cut, truncated = ner_input("Headline", "word " * 100, 40)
    assert (cut, truncated) == ("Headline", True)


def test_ner_input_without_any_boundary_cuts_at_a_space_or_hard() -> None:
    assert ner_input("", "alpha beta gamma delta", 12) == ("alpha beta", True)
    assert ner_input("", "x" * 50, 10) == ("x" * 10, True)
    assert ner_input("", "some text", 0) == ("", True)


# normalisation and merging


def test_possessive_is_stripped_from_name_and_offsets() -> None:
    text = f"North Korea{Q}s troops and Russia's drones."
    items, _ = link(text, (f"North Korea{Q}s", "GPE"), ("Russia's", "GPE"))
    korea, russia = items
    assert (korea["text"], korea["canonical"], korea["id"]) == ("North Korea", "North Korea", "KP")
    assert korea["mentions"] == [[0, 11]]
    assert (russia["canonical"], russia["id"]) == ("Russia", "RU")


def test_leading_the_and_trailing_punctuation_are_stripped() -> None:
    text = "Officials at the Pentagon spoke to The Kremlin, then to Kyiv."
    items, _ = link(text, ("the Pentagon", "ORG"), ("The Kremlin,", "ORG"), ("Kyiv.", "GPE"))
    assert [(i["text"], i["label"], i["id"]) for i in items] == [
        ("Pentagon", "ORG", "nw:pentagon"),
        ("Kremlin", "ORG", "nw:kremlin"),
        ("Kyiv", "GPE", "703448"),
    ]
    assert text[slice(*items[0]["mentions"][0])] == "Pentagon"


def test_an_initialism_keeps_its_final_full_stop() -> None:
    text = "Troops were confirmed by the U.S."
    item = only(link(text, ("U.S.", "GPE"))[0])
    assert (item["text"], item["canonical"], item["id"]) == ("U.S.", "United States", "US")


def test_mentions_of_one_entity_merge_into_one_item() -> None:
    text = "The U.S. said the US and the United States of America agreed; USA officials too."
    found = [("U.S.", "GPE"), ("US", "GPE"), ("United States of America", "GPE"), ("USA", "GPE")]
    item = only(link(text, *found)[0])
    assert (item["text"], item["canonical"], item["id"], item["count"]) == (
        "U.S.",
        "United States",
        "US",
        4,
    )
    assert [text[s:e] for s, e in item["mentions"]] == [f[0] for f in found]


def test_duplicate_mentions_count_once() -> None:
    text = "Seoul responded."
    items, _ = link(text, ("Seoul", "GPE"), ("Seoul", "GPE"))
    assert only(items)["count"] == 1


# the alias table


def test_dprk_is_north_korea_with_id_kp_whatever_the_model_said() -> None:
    long_form = f"Democratic People{Q}s Republic of Korea"
    text = f"The DPRK and the {long_form} are one."
    item = only(link(text, ("DPRK", "ORG"), (long_form, "GPE"))[0])
    assert (item["label"], item["canonical"], item["id"], item["count"]) == (
        "GPE",
        "North Korea",
        "KP",
        2,
    )


def test_britain_and_uk_are_the_united_kingdom() -> None:
    text = "Britain and the UK are one."
    item = only(link(text, ("Britain", "GPE"), ("UK", "GPE"))[0])
    assert (item["canonical"], item["id"], item["count"]) == ("United Kingdom", "GB", 2)


def test_kiev_is_kyiv_and_nato_spellings_merge() -> None:
    text = "Kiev asked Nato and NATO answered."
    items, _ = link(text, ("Kiev", "GPE"), ("Nato", "ORG"), ("NATO", "ORG"))
    assert [(i["canonical"], i["count"]) for i in items] == [("Kyiv", 1), ("NATO", 2)]


def test_abbreviations_match_only_in_capitals() -> None:
    assert ALIASES.lookup("US") is not None and ALIASES.lookup("us") is None
    assert ALIASES.lookup("WHO") is not None and ALIASES.lookup("Who") is None


def test_america_is_the_united_states_only_as_a_place() -> None:
    text = "America voted, said Bank of America."
    items, _ = link(text, ("America", "GPE"), ("Bank of America", "ORG"))
    assert [(i["label"], i["canonical"]) for i in items] == [
        ("GPE", "United States"),
        ("ORG", "Bank of America"),
    ]
    assert ALIASES.lookup("America", "PERSON") is None


def test_demonyms_are_norp_with_their_country_code() -> None:
    text = "Ukrainians and a Ukrainian, and Martians."
    items, _ = link(text, ("Ukrainians", "NORP"), ("Ukrainian", "NORP"), ("Martians", "NORP"))
    assert [(i["label"], i["canonical"], i["id"], i["count"]) for i in items] == [
        ("NORP", "Ukrainian", "UA", 2),
        ("NORP", "Martians", None, 1),
    ]


def test_the_alias_file_is_reloaded_from_disk_on_every_load(tmp_path: Path) -> None:
    path = tmp_path / "aliases.json"
    entity = {"canonical": "Atlantis", "label": "GPE", "id": "nw:atlantis", "aliases": ["Atl"]}
    path.write_text(json.dumps({"entities": [entity]}), encoding="utf-8")
    assert AliasTable.load(path).lookup("Atl") == ("Atlantis", "nw:atlantis", "GPE")
    entity["aliases"] = ["Poseidonia"]
    path.write_text(json.dumps({"entities": [entity]}), encoding="utf-8")
    table = AliasTable.load(path)
    assert table.lookup("Atl") is None
    assert table.lookup("Poseidonia") == ("Atlantis", "nw:atlantis", "GPE")


def test_an_alias_naming_two_entities_is_refused() -> None:
    data = {
        "entities": [
            {"canonical": "A", "label": "ORG", "id": None, "aliases": ["X"]},
            {"canonical": "B", "label": "ORG", "id": None, "aliases": ["X"]},
        ]
    }
    with pytest.raises(ValueError, match="two entities"):
        AliasTable.from_data(data)


def test_the_shipped_alias_table_has_a_useful_size() -> None:
    assert 60 <= len(ALIASES) <= 160


def test_every_id_in_the_shipped_alias_table_is_a_real_code() -> None:
    continents = {"6255146", "6255147", "6255148", "6255149", "6255150", "6255151", "6255152"}
    entities = json.loads(DEFAULT_ALIASES.read_text(encoding="utf-8"))["entities"]
    for entity in entities:
        code = entity["id"]
        if code is None or code.startswith("nw:") or code in continents:
            continue
        if code.isdigit():
            assert city_by_id(code) is not None, entity
        elif "-" in code:
            assert pycountry.subdivisions.get(code=code) is not None, entity
        else:
            assert pycountry.countries.get(alpha_2=code) is not None, entity


# short names within a story


def test_a_full_name_teaches_its_surname_within_the_update() -> None:
    text = "Vladimir Putin spoke. Later Putin left."
    items, learned = link(text, ("Vladimir Putin", "PERSON"), ("Putin", "PERSON"))
    item = only(items)
    assert (item["canonical"], item["count"], item["text"]) == (
        "Vladimir Putin",
        2,
        "Vladimir Putin",
    )
    assert learned == {"putin": "Vladimir Putin"}


def test_titles_are_stripped_before_matching_known_names() -> None:
    known = {"zelensky": "Volodymyr Zelensky", "baerbock": "Annalena Baerbock"}
    text = "Mr Zelensky met Ms Baerbock."
    items, learned = link(text, ("Mr Zelensky", "PERSON"), ("Ms Baerbock", "PERSON"), known=known)
    assert [(i["canonical"], i["text"]) for i in items] == [
        ("Volodymyr Zelensky", "Zelensky"),
        ("Annalena Baerbock", "Baerbock"),
    ]
    assert text[slice(*items[0]["mentions"][0])] == "Zelensky"
    assert learned == {}


def test_a_title_outside_the_span_and_a_multi_word_title_inside_it() -> None:
    text = "Major General Pat Ryder briefed. Gen Ryder added more."
    item = only(link(text, ("Major General Pat Ryder", "PERSON"), ("Ryder", "PERSON", 1))[0])
    assert (item["canonical"], item["text"], item["count"]) == ("Pat Ryder", "Pat Ryder", 2)


def test_a_surname_the_model_labels_norp_still_resolves_to_the_person() -> None:
    text = "Mayor Vitali Klitschko said so. Klitschko wrote on Telegram."
    items, learned = link(text, ("Vitali Klitschko", "PERSON"), ("Klitschko", "NORP", 1))
    assert only([i for i in items if i["label"] == "PERSON"])["count"] == 2
    assert learned == {"klitschko": "Vitali Klitschko"}


def test_a_headline_short_name_resolves_through_the_full_name_below_it() -> None:
    text = "Putin meets envoy\n\nVladimir Putin met the envoy."
    item = only(link(text, ("Putin", "PERSON"), ("Vladimir Putin", "PERSON"))[0])
    assert (item["canonical"], item["text"], item["count"]) == ("Vladimir Putin", "Putin", 2)


def test_only_new_entries_are_returned_and_the_first_bearer_keeps_a_surname() -> None:
    known = {"trump": "Donald Trump"}
    text = "Melania Trump and Donald Trump arrived; Trump spoke."
    found = [("Melania Trump", "PERSON"), ("Donald Trump", "PERSON"), ("Trump", "PERSON", 2)]
    items, learned = link(text, *found, known=known)
    assert learned == {}
    assert [(i["canonical"], i["count"]) for i in items] == [
        ("Melania Trump", 1),
        ("Donald Trump", 2),
    ]


def test_family_names_written_first_are_remembered() -> None:
    text = "Jeon Ha-kyou and Kim Jong Un. Mr Jeon spoke, then Kim."
    found = [
        ("Jeon Ha-kyou", "PERSON"),
        ("Kim Jong Un", "PERSON"),
        ("Jeon", "PERSON", 1),
        ("Kim", "PERSON", 1),
    ]
    items, learned = link(text, *found)
    assert learned == {"jeon": "Jeon Ha-kyou", "kim": "Kim Jong Un"}
    assert [i["count"] for i in items] == [2, 2]


def test_a_full_name_the_model_labels_org_is_a_person_when_its_surname_follows() -> None:
    text = "Olaf Scholz sacked a minister. Mr Scholz said so."
    item = only(link(text, ("Olaf Scholz", "ORG"), ("Scholz", "PERSON"))[0])
    assert (item["label"], item["canonical"], item["count"]) == ("PERSON", "Olaf Scholz", 2)


def test_sir_and_a_first_name_is_the_knight_seen_earlier() -> None:
    text = "Sir Keir Starmer spoke. Sir Keir left."
    item = only(link(text, ("Keir Starmer", "PERSON"), ("Keir", "PERSON", 1))[0])
    assert (item["canonical"], item["count"]) == ("Keir Starmer", 2)


def test_spelling_variants_of_a_person_come_from_the_alias_table() -> None:
    text = "Volodymyr Zelenskyy said. Zelensky added."
    items, learned = link(text, ("Volodymyr Zelenskyy", "PERSON"), ("Zelensky", "PERSON"))
    assert only(items)["canonical"] == "Volodymyr Zelensky"
    assert learned == {"zelensky": "Volodymyr Zelensky"}


# label repair and gazetteers


def test_a_place_the_model_calls_product_is_a_gpe_with_its_geonames_id() -> None:
    item = only(link("Fighting around Kursk intensified.", ("Kursk", "PRODUCT"))[0])
    assert (item["label"], item["canonical"], item["id"]) == ("GPE", "Kursk", "538560")


def test_a_place_the_model_calls_person_is_a_gpe() -> None:
    item = only(link("Drones hit Rostov overnight.", ("Rostov", "PERSON"))[0])
    assert (item["label"], item["canonical"], item["id"]) == ("GPE", "Rostov-on-Don", "501175")


def test_a_name_followed_by_region_is_the_oblast() -> None:
    text = "The governor of the Rostov region resigned."
    item = only(link(text, ("Rostov", "PERSON"))[0])
    assert (item["label"], item["canonical"], item["id"]) == ("GPE", "Rostov Oblast", "RU-ROS")
    assert text[slice(*item["mentions"][0])] == "Rostov region"


def test_a_plural_region_after_a_name_is_the_oblast_too() -> None:
    item = only(link("Drones from the Kursk regions.", ("Kursk", "PRODUCT"))[0])
    assert (item["canonical"], item["id"]) == ("Kursk Oblast", "RU-KRS")


def test_a_loc_that_is_a_generic_word_stays_a_loc() -> None:
    item = only(link("The West was warned.", ("West", "LOC"))[0])
    assert (item["label"], item["canonical"], item["id"]) == ("LOC", "West", None)


def test_an_org_after_in_that_names_a_city_is_a_place() -> None:
    item = only(link("They won in Durban.", ("Durban", "ORG"))[0])
    assert (item["label"], item["id"]) == ("GPE", "1007311")


def test_a_titled_name_is_never_repaired_to_a_place() -> None:
    item = only(link("Mr Rostov denied it.", ("Mr Rostov", "PERSON"))[0])
    assert (item["label"], item["canonical"]) == ("PERSON", "Rostov")


def test_a_known_person_wins_over_a_place_of_the_same_name() -> None:
    known = {"rostov": "Ivan Rostov"}
    item = only(link("Rostov denied it.", ("Rostov", "PERSON"), known=known)[0])
    assert (item["label"], item["canonical"]) == ("PERSON", "Ivan Rostov")


def test_a_given_name_that_is_a_city_stays_a_person_unless_in_comes_before() -> None:
    assert only(link("Florence said no.", ("Florence", "PERSON"))[0])["label"] == "PERSON"
    item = only(link("Floods in Florence.", ("Florence", "PERSON"))[0])
    assert (item["label"], item["id"]) == ("GPE", None)  # Florence, Italy or Alabama


def test_a_city_name_shared_by_big_cities_is_left_unlinked() -> None:
    item = only(link("Snow in Manchester.", ("Manchester", "GPE"))[0])
    assert (item["label"], item["canonical"], item["id"]) == ("GPE", "Manchester", None)


def test_a_city_far_bigger_than_its_namesakes_is_linked() -> None:
    item = only(link("Paris hosted it.", ("Paris", "GPE"))[0])
    assert item["id"] == "2988507"  # not Paris, Texas


def test_countries_use_short_common_names() -> None:
    for name, common, code in [
        ("Russian Federation", "Russia", "RU"),
        ("Syrian Arab Republic", "Syria", "SY"),
        ("Viet Nam", "Vietnam", "VN"),
        ("Republic of Moldova", "Moldova", "MD"),
        ("Korea, Republic of", "South Korea", "KR"),
    ]:
        item = only(link(f"{name} replied.", (name, "GPE"))[0])
        assert (item["canonical"], item["id"]) == (common, code)


def test_iso_codes_link_only_in_capitals_and_only_as_gpe() -> None:
    assert only(link("RUS won.", ("RUS", "GPE"))[0])["id"] == "RU"
    assert only(link("Rus won.", ("Rus", "GPE"))[0])["id"] is None
    assert only(link("RUS won.", ("RUS", "ORG"))[0])["label"] == "ORG"


def test_subdivisions_link_with_their_iso_3166_2_code() -> None:
    assert only(link("Texas sued.", ("Texas", "GPE"))[0])["id"] == "US-TX"


def test_a_club_named_after_a_city_stays_org_but_a_country_does_not() -> None:
    items, _ = link("Liverpool beat Ukraine.", ("Liverpool", "ORG"), ("Ukraine", "ORG"))
    assert [(i["label"], i["id"]) for i in items] == [("ORG", None), ("GPE", "UA")]


def test_find_place_is_none_for_unknown_names() -> None:
    assert find_place("Qwertyville") is None


# what is dropped, and odd input


def test_only_kept_labels_come_out() -> None:
    text = "On Monday 300 iPhone units reached the health ministry."
    found = [("Monday", "DATE"), ("300", "CARDINAL"), ("iPhone", "PRODUCT")]
    assert link(text, *found, ("health ministry", "ORG"))[0] == []


@pytest.mark.parametrize(
    "bad",
    [
        Mention(-1, 4, "GPE", "Kyiv"),
        Mention(5, 3, "GPE", "Kyiv"),
        Mention(0, 400, "GPE", "Kyiv"),
        Mention(0, 4, "GPE", "Kiev"),  # offsets that hold other text
        Mention(0, 0, "GPE", ""),
        Mention("0", 4, "GPE", "Kyiv"),  # type: ignore[arg-type]
        Mention(0, 4, "GPE", None),  # type: ignore[arg-type]
    ],
)
def test_mentions_with_bad_offsets_are_skipped(bad: Mention) -> None:
    assert link_entities("Kyiv is calm.", [bad], {}, ALIASES) == ([], {})


def test_empty_text_and_no_mentions_give_nothing() -> None:
    assert link_entities("", [], {}, ALIASES) == ([], {})
    assert link_entities("", [Mention(0, 1, "GPE", "K")], {}, ALIASES) == ([], {})


def test_punctuation_only_and_emoji_mentions_do_not_raise() -> None:
    text = f"🇺🇦 Kyiv 🚀 {Q}s , the"
    found = [("🇺🇦", "GPE"), ("Kyiv", "GPE"), ("🚀", "ORG"), (f"{Q}s", "ORG"), (", the", "ORG")]
    items, _ = link(text, *found)
    assert [(i["canonical"], text[slice(*i["mentions"][0])]) for i in items] == [("Kyiv", "Kyiv")]


def test_junk_in_the_story_memory_is_ignored() -> None:
    known: Any = {"putin": 3, 4: "x", "zelensky": "Volodymyr Zelensky"}
    items, _ = link("Zelensky spoke.", ("Zelensky", "PERSON"), known=known)
    assert only(items)["canonical"] == "Volodymyr Zelensky"


def test_a_100_kb_text_with_many_mentions_links_and_keeps_offsets() -> None:
    sentence = "Vladimir Putin met officials in Kursk while the DPRK watched. "
    text = sentence * (100_000 // len(sentence))
    mentions = []
    for i in range(0, len(text), 4 * len(sentence)):
        for surface, label in [("Vladimir Putin", "PERSON"), ("Kursk", "PRODUCT"), ("DPRK", "ORG")]:
            start = text.index(surface, i)
            mentions.append(Mention(start, start + len(surface), label, surface))
    items, learned = link_entities(text, mentions, {}, ALIASES)
    assert sorted(i["canonical"] for i in items) == ["Kursk", "North Korea", "Vladimir Putin"]
    assert all(i["count"] == len(range(0, len(text), 4 * len(sentence))) for i in items)
    assert all(i["label"] in KEPT_LABELS for i in items)
    assert learned == {"putin": "Vladimir Putin"}
