"""The indicator catalogue (`catalogue.toml`) and the area table (`areas.toml`), loaded and checked.

Reads two TOML files shipped with the package; no other I/O. Adding an indicator is an edit to
`catalogue.toml`, not code.
"""
from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from indicators import toml_cache
from indicators.types import Area, IndicatorSource
from indicators.wording import wording

HERE = Path(__file__).parent
CATALOGUE_PATH = HERE / "catalogue.toml"
AREAS_PATH = HERE / "areas.toml"

FORMATS = {"count", "pct", "decimal"}
FREQUENCIES = {"month", "quarter", "year"}
DIRECTIONS = {"lower", "higher", "neutral"}
AGGREGATES = {"mean", "sum"}  # how a year or quarter is made of a monthly series: stocks/rates vs flows
SOURCE_KINDS = {"jobindsats", "statbank", "file", "derived"}
CLOSE_ENOUGH = 75  # rapidfuzz ratio (0-100) from which a mistyped id is offered as "mente du …?"


class CatalogueError(ValueError):
    """The catalogue or area file is malformed; the message names the entry and the fix."""


_ASCII = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u"), ("ö", "oe"), ("ä", "ae"))
_PLAIN = (("ø", "o"), ("å", "a"), ("æ", "a"))  # the other way to type without them


def fold_letters(text: str) -> str:
    """NFC, casefold, and spell æ/ø/å as ae/oe/aa."""
    text = unicodedata.normalize("NFC", text).casefold()
    for letter, ascii_ in _ASCII:
        text = text.replace(letter, ascii_)
    return text


def fold(text: str) -> str:
    """Fold letters and treat hyphens and dots as spaces: 'Høje-Taastrup' equals 'hoeje taastrup'."""
    return " ".join(fold_letters(text).replace("-", " ").replace(".", " ").split())


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    title: str
    definition: str
    unit: str
    format: str
    decimals: int
    frequency: str
    better: str
    page: int
    figures: tuple[str, ...]
    breakdowns: tuple[str, ...]
    aliases: tuple[str, ...]
    sources: tuple[IndicatorSource, ...]
    rate: str | None = None  # an indicator shown beside this one ("ledige" -> "ledighedsprocent")
    # the figure nearest to this one, named where this has no figures at all (the official youth rate,
    # computed only once its inputs are fetched -> "ungeledighed", the committee's target figure)
    related: str | None = None
    area_kinds: tuple[str, ...] = ("kommune", "region", "land")
    note: str = ""
    # The range a value must lie in to be stored, when the unit's default does not fit
    # (a forecast's change in pct. may be negative); see indicators/validation.py.
    plausible: tuple[float, float] | None = None
    aggregate: str = "mean"  # "sum" for flows (samtaler started in a month), "mean" for stocks and rates
    # Counted in whole things (samtaler, personer, forløb; `whole = true`): a fraction in a file is
    # refused. Fuldtidspersoner are hours over a norm and may hold one (12,4), as rates do.
    whole: bool = False
    # The breakdown whose parts (those the file source's labels name) are all the parts and add up to
    # the total (`total_is_sum_of = "gruppe"`): a file with every part and no »I alt« gets their sum.
    total_is_sum_of: str = ""
    # The part of the population the whole figure is of ("alder=18-29 år" for ungeledigheden): asked of
    # the figure (»ungeledigheden for de unge«) it is the figure itself, not a part it lacks
    group: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        """Every spelling a user may type for this indicator, folded."""
        return tuple(dict.fromkeys(fold(w) for w in (self.id.replace("_", " "), self.name, *self.aliases)))


@dataclass(frozen=True, slots=True)
class BreakdownKind:
    key: str  # "ydelse", "køn", ...
    name: str
    values: dict[str, str] = field(default_factory=dict)  # folded alias -> canonical value
    # canonical value -> the broader value it is published inside (Kontanthjælp -> Kontant- og
    # uddannelseshjælp): where a figure has only the broader one, that is its figure for the part
    within: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    indicators: dict[str, Indicator]
    breakdowns: dict[str, BreakdownKind]
    pages: dict[int, str] = field(default_factory=dict)  # fact page number -> Danish title

    def by_page(self) -> list[tuple[int, str, list[Indicator]]]:
        """Fact pages 1-7 in order, then the extra series, each with its indicators."""
        order = sorted(self.pages, key=lambda page: (page == 0, page))
        return [(page, self.pages[page], [i for i in self.indicators.values() if i.page == page]) for page in order]

    def __iter__(self):
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, indicator_id: str) -> bool:
        return indicator_id in self.indicators

    def get(self, indicator_id: str) -> Indicator:
        return self.indicators[indicator_id]

    def named(self, word: str) -> Indicator | None:
        """The indicator `word` names exactly: its id, its Danish name or an alias (folded)."""
        if word in self.indicators:
            return self.indicators[word]
        folded = fold(word)
        return next((i for i in self.indicators.values() if folded in i.words), None)

    def closest(self, word: str, among: Iterable[Indicator] | None = None) -> Indicator | None:
        """The indicator of `among` (default: all) a mistyped id, name or alias most likely means
        (»afgangsrat«, »ledigee«), or None when none is close: for "mente du …?" on the command line."""
        from rapidfuzz import fuzz, process  # only for a mistyped id (start-up time)

        spellings = {spelling: indicator for indicator in (self.indicators.values() if among is None else among)
                     for spelling in (indicator.id, *indicator.words)}
        match = process.extractOne(fold(word), list(spellings), scorer=fuzz.ratio, score_cutoff=CLOSE_ENOUGH)
        return spellings[match[0]] if match else None

    def origins(self, indicator_id: str) -> tuple[str, ...]:
        """The kinds of source ("file", "jobindsats", "statbank") a derived indicator is computed
        from: its formula's inputs (itself, where it sums its own breakdowns), followed through
        inputs that are derived themselves. Empty when it has no formula."""

        def inputs(current: str) -> list[str]:
            return [str(term).lstrip("?").partition("[")[0]
                    for source in self.indicators[current].sources if source.kind == "derived"
                    for term in (*source.formula.get("terms", ()), *source.formula.get("denominator", ()))]

        kinds: set[str] = set()
        seen: set[str] = set()
        todo = inputs(indicator_id) if indicator_id in self.indicators else []
        while todo:
            current = todo.pop()
            if current in seen or current not in self.indicators:
                continue
            seen.add(current)
            kinds |= {source.kind for source in self.indicators[current].sources if source.kind != "derived"}
            todo += inputs(current)
        return tuple(sorted(kinds))

    def vocabulary(self) -> dict[str, str]:
        """Folded word -> indicator id, for exact lookups. Ids win over aliases on a clash."""
        words: dict[str, str] = {}
        for indicator in self.indicators.values():
            for word in indicator.words[1:]:
                words.setdefault(word, indicator.id)
        for indicator in self.indicators.values():
            words[indicator.words[0]] = indicator.id
        return words


@dataclass(frozen=True)
class Areas:
    by_code: dict[str, Area]
    # `ranked`'s answers, made once per kind (and region) for the life of the table, which never changes.
    _ranked: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __iter__(self):
        return iter(self.by_code.values())

    def ranked(self, kind: str, region: str | None = None) -> tuple[tuple[Area, ...], tuple[str, ...], dict[str, Area]]:
        """The areas of one kind (kommuner of one region, when `region` is given), in table order,
        with their codes and a code -> area lookup: what every ranking reads, made once, not per
        question (the caller must not change the lookup)."""
        key = (kind, region)
        found = self._ranked.get(key)
        if found is None:
            areas = tuple(a for a in self.by_code.values() if a.kind == kind and (region is None or a.region == region))
            found = self._ranked[key] = (areas, tuple(a.code for a in areas), {a.code: a for a in areas})
        return found

    def __len__(self) -> int:
        return len(self.by_code)

    def get(self, code: str) -> Area:
        return self.by_code[code]

    def kommuner(self) -> list[Area]:
        return [a for a in self.by_code.values() if a.kind == "kommune"]

    def vocabulary(self) -> dict[str, str]:
        """Folded name or alias -> code."""
        words: dict[str, str] = {}
        for area in self.by_code.values():
            for word in (area.code, area.name, *area.names, *area.aliases):
                words.setdefault(fold(word), area.code)
        # Typed without Danish letters the other way (»hoje taastrup«, »rodovre«): ø as o, å and æ
        # as a, after every real name and alias so that none of them is shadowed. (»taastrup«
        # matched Høje-Taastrup and »hoje« was named as not understood.)
        for area in self.by_code.values():
            for word in (area.name, *area.names, *area.aliases):
                plain = word.casefold()
                for letter, ascii_ in _PLAIN:
                    plain = plain.replace(letter, ascii_)
                words.setdefault(fold(plain), area.code)
        return words

    def lookup(self, text: str) -> Area | None:
        code = self.vocabulary().get(fold(text))
        return self.by_code[code] if code else None


def _require(entry: dict, key: str, where: str, kind: type = str):
    if key not in entry:
        raise CatalogueError(wording("catalogue_missing", where=where, key=key, file=CATALOGUE_PATH.name))
    value = entry[key]
    if not isinstance(value, kind):
        raise CatalogueError(wording("catalogue_wrong_type", where=where, key=key, value=value,
                                     kind=wording(f"catalogue_type_{kind.__name__}")))
    return value


def _choice(entry: dict, key: str, allowed: set[str], where: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if value not in allowed:
        raise CatalogueError(wording("catalogue_choice", where=where, key=key, value=value,
                                     choices=", ".join(sorted(allowed))))
    return value


def _source(raw: dict, where: str) -> IndicatorSource:
    kind = _choice(raw, "kind", SOURCE_KINDS, where)
    return IndicatorSource(
        kind=kind,
        table=str(raw.get("table", "")),
        measure=str(raw.get("measure", "")),
        hierarchy=dict(raw.get("hierarchy", {})),
        variables={k: str(v) for k, v in raw.get("variables", {}).items()},
        columns=dict(raw.get("columns", {})),
        breakdowns=dict(raw.get("labels", {})),
        verified=bool(raw.get("verified", True)),
        note=str(raw.get("note", "")),
        formula=dict(raw.get("formula", {})),
    )


def _plausible(entry: dict, where: str) -> tuple[float, float] | None:
    raw = entry.get("plausible")
    if raw is None:
        return None
    if (not isinstance(raw, list) or len(raw) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in raw) or raw[0] >= raw[1]):
        raise CatalogueError(wording("catalogue_plausible", where=where))
    return float(raw[0]), float(raw[1])


def _whole(entry: dict, where: str) -> bool:
    whole = entry.get("whole", False)
    if not isinstance(whole, bool):
        raise CatalogueError(wording("catalogue_wrong_type", where=where, key="whole", value=whole,
                                     kind=wording("catalogue_type_bool")))
    decimals = int(entry.get("decimals", 0))
    if whole and (entry.get("format") != "count" or decimals):
        raise CatalogueError(wording("catalogue_whole", where=where, format=entry.get("format"), decimals=decimals))
    return whole


def _check_sum(indicator: Indicator) -> None:
    """`total_is_sum_of` names a breakdown of a count whose parts the file source's labels list."""
    key = indicator.total_is_sum_of
    if not key:
        return
    parts = {b.partition("=")[2] for s in indicator.sources if s.kind == "file" for b in s.breakdowns.values()
             if b.partition("=")[0] == key and ";" not in b}
    if indicator.format != "count" or key not in indicator.breakdowns or len(parts) < 2:
        raise CatalogueError(wording("catalogue_total_is_sum_of", id=indicator.id, key=key,
                                     breakdowns=", ".join(indicator.breakdowns) or "ingen"))


def parse_catalogue(data: dict) -> Catalogue:
    raw_indicators = data.get("indicator")
    if not isinstance(raw_indicators, dict) or not raw_indicators:
        raise CatalogueError(wording("catalogue_empty"))
    indicators: dict[str, Indicator] = {}
    for indicator_id, entry in raw_indicators.items():
        where = wording("catalogue_where", id=indicator_id)
        indicators[indicator_id] = Indicator(
            id=indicator_id,
            name=_require(entry, "name", where),
            title=_require(entry, "title", where),
            definition=_require(entry, "definition", where),
            unit=_require(entry, "unit", where),
            format=_choice(entry, "format", FORMATS, where),
            decimals=int(entry.get("decimals", 1 if entry.get("format") in ("pct", "decimal") else 0)),
            frequency=_choice(entry, "frequency", FREQUENCIES, where),
            better=_choice(entry, "better", DIRECTIONS, where),
            page=int(_require(entry, "page", where, int)),
            figures=tuple(_require(entry, "figures", where, list)),
            breakdowns=tuple(entry.get("breakdowns", [])),
            aliases=tuple(entry.get("aliases", [])),
            sources=tuple(_source(s, wording("catalogue_where_source", where=where, number=i + 1)) for i, s in enumerate(entry.get("source", []))),
            rate=entry.get("rate"),
            related=entry.get("related"),
            area_kinds=tuple(entry.get("areas", ["kommune", "region", "land"])),
            note=str(entry.get("note", "")),
            plausible=_plausible(entry, where),
            aggregate=_choice(entry, "aggregate", AGGREGATES, where, default="mean"),
            whole=_whole(entry, where),
            total_is_sum_of=str(entry.get("total_is_sum_of", "")),
            group=str(entry.get("group", "")),
        )
    for indicator in indicators.values():
        _check_sum(indicator)
        if indicator.rate and indicator.rate not in indicators:
            raise CatalogueError(wording("catalogue_unknown_rate", id=indicator.id, rate=indicator.rate))
        if indicator.related and indicator.related not in indicators:
            raise CatalogueError(wording("catalogue_unknown_related", id=indicator.id, related=indicator.related))
    breakdowns: dict[str, BreakdownKind] = {}
    for key, entry in data.get("breakdown", {}).items():
        values: dict[str, str] = {}
        for canonical in entry.get("values", []):
            values[fold(canonical)] = canonical
        for alias, canonical in entry.get("aliases", {}).items():
            values[fold(alias)] = canonical
        within = {str(part): str(broader) for part, broader in entry.get("within", {}).items()}
        for part, broader in within.items():
            if part not in entry.get("values", []) or broader not in entry.get("values", []):
                raise CatalogueError(wording("catalogue_unknown_within", key=key, part=part, broader=broader))
        breakdowns[key] = BreakdownKind(key=key, name=entry.get("name", key), values=values, within=within)
    for indicator in indicators.values():
        for key in indicator.breakdowns:
            if breakdowns and key not in breakdowns:
                raise CatalogueError(wording("catalogue_unknown_breakdown", id=indicator.id, key=key))
    pages = {int(number): str(title) for number, title in data.get("pages", {}).items()}
    for indicator in indicators.values():
        if pages and indicator.page not in pages:
            raise CatalogueError(wording("catalogue_page_title", id=indicator.id, page=indicator.page))
    return Catalogue(indicators=indicators, breakdowns=breakdowns, pages=pages)


def parse_areas(data: dict) -> Areas:
    by_code: dict[str, Area] = {}
    for entry in data.get("area", []):
        code = str(entry["code"])
        if code in by_code:
            raise CatalogueError(wording("catalogue_area_twice", code=code, file=AREAS_PATH.name))
        by_code[code] = Area(
            code=code,
            name=entry["name"],
            kind=entry["kind"],
            region=entry.get("region"),
            aliases=tuple(entry.get("aliases", [])),
            names=tuple(entry.get("names", [])),
        )
    return Areas(by_code=by_code)


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    try:
        data = toml_cache.load(path)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(wording("catalogue_not_toml", path=path, error=error)) from None
    return parse_catalogue(data)


def load_areas(path: Path = AREAS_PATH) -> Areas:
    return parse_areas(toml_cache.load(path))


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()


@cache
def default_areas() -> Areas:
    return load_areas()
