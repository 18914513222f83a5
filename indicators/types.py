"""Plain value types shared by the data side and the rules engine.

No I/O here: `rules` may import this module and nothing else from `indicators`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat

SAMPLE_SOURCE = "eksempeldata"
# A file's total that Faktabot computed as the sum of the file's parts (indicators.totals) keeps the
# file's source with this after its name, `file:samtaler.csv/sum`, so an answer can say it was summed:
# a file name holds no »/«, and every check of `file:` still sees the kommune's own figure.
SUMMED = "/sum"


def summed_source(source: str) -> str:
    """`file:samtaler.csv` -> `file:samtaler.csv/sum`: the source of a total summed from its parts."""
    return source + SUMMED


def is_summed(source: str) -> bool:
    """Whether `source` is that of a file's total Faktabot summed from the file's parts."""
    return source.startswith("file:") and source.endswith(SUMMED)


def file_name(source: str) -> str:
    """The file a `file:` source names: `file:samtaler.csv/sum` -> `samtaler.csv`."""
    return source.partition(":")[2].removesuffix(SUMMED)


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one indicator for one area, period and breakdown."""

    indicator: str
    area: str  # DST code as text: "000", "084", "151"
    period: str  # "YYYY-MM", "YYYY-Qn" or "YYYY"
    value: float | None  # None = not published (discretionised), never 0
    breakdown: str = ""  # "" for the total, else "key=value;key=value", keys sorted
    unit: str = ""
    source: str = ""  # "jobindsats:y25i01", "statbank:AUS08", "file:<name>" (a summed total "file:<name>/sum"), "eksempeldata"
    provisional: bool = False
    fetched_at: str = ""  # ISO 8601 timestamp

    @property
    def is_sample(self) -> bool:
        # A derived value computed from any eksempeldata input is stored with this source too
        # (indicators.derived), so every check of "is this eksempeldata?" sees it.
        return self.source == SAMPLE_SOURCE


# The slots of Observation, set directly: the frozen dataclass's __init__ goes through
# object.__setattr__ per field, about two thirds of the cost of building one from columns.
_OBSERVATION_SLOTS = tuple(Observation.__dict__[name].__set__ for name in (
    "indicator", "area", "period", "value", "breakdown", "unit", "source", "provisional", "fetched_at"))


def observations_of_columns(indicator: str, areas: Iterable[str], periods: Iterable[str],
                            values: Iterable[float | None], breakdowns: Iterable[str], *, unit: str, source: str,
                            fetched_at: str, provisional: bool = False) -> list[Observation]:
    """One indicator's observations from parallel columns; equal to calling `Observation(...)` per row."""
    return observations_of_rows(rows_of_columns(indicator, areas, periods, values, breakdowns, unit=unit,
                                                source=source, fetched_at=fetched_at, provisional=provisional))


def rows_of_columns(indicator: str, areas: Iterable[str], periods: Iterable[str],
                    values: Iterable[float | None], breakdowns: Iterable[str], *, unit: str, source: str,
                    fetched_at: str, provisional: bool = False) -> list[tuple]:
    """One indicator's rows in the store's column order from parallel columns, the flag as an int:
    what a refresh carries from normalising to the store, with no Observation built per value."""
    # The columns zipped into the store's row order in C (`repeat` for the constant ones).
    return list(zip(repeat(indicator), areas, periods, breakdowns, values, repeat(unit), repeat(source),
                    repeat(int(provisional)), repeat(fetched_at)))


def rows_of(observations: Iterable[Observation]) -> list[tuple]:
    """Observations as rows in the store's column order (indicator, area, period, breakdown, value,
    unit, source, provisional as an int, fetched_at): `observations_of_rows` undone."""
    return [(o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source, int(o.provisional),
             o.fetched_at) for o in observations]


def observations_of_rows(rows: Iterable[tuple]) -> list[Observation]:
    """Observations from the store's rows, in its column order (indicator, area, period, breakdown,
    value, unit, source, provisional, fetched_at); equal to calling `Observation(...)` per row."""
    new = object.__new__
    set_indicator, set_area, set_period, set_value, set_breakdown, set_unit, set_source, set_provisional, \
        set_fetched_at = _OBSERVATION_SLOTS
    built = []
    append = built.append
    for indicator, area, period, breakdown, value, unit, source, provisional, fetched_at in rows:
        observation = new(Observation)
        set_indicator(observation, indicator)
        set_area(observation, area)
        set_period(observation, period)
        set_value(observation, value)
        set_breakdown(observation, breakdown)
        set_unit(observation, unit)
        set_source(observation, source)
        set_provisional(observation, bool(provisional))
        set_fetched_at(observation, fetched_at)
        append(observation)
    return built


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    kind: str  # "land", "region" or "kommune"
    region: str | None = None  # parent region code for a kommune
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # spellings used by the sources ("Copenhagen", "All Denmark")


def canonical_breakdown(parts: dict[str, str]) -> str:
    """`{"ydelse": "A-dagpenge", "køn": "Kvinder"}` -> `"ydelse=A-dagpenge;køn=Kvinder"` (keys sorted)."""
    return ";".join(f"{key}={parts[key]}" for key in sorted(parts))


def parse_breakdown(text: str) -> dict[str, str]:
    if not text:
        return {}
    return dict(part.split("=", 1) for part in text.split(";"))


@dataclass(frozen=True, slots=True)
class IndicatorSource:
    """Where one source keeps an indicator: a Jobindsats table, a StatBank table or a file column."""

    kind: str  # "jobindsats", "statbank", "file", "derived"
    table: str = ""
    measure: str = ""
    hierarchy: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    breakdowns: dict[str, str] = field(default_factory=dict)  # source label -> canonical breakdown
    verified: bool = True
    note: str = ""
    formula: dict = field(default_factory=dict)  # a derived source's formula (indicators.derived)
