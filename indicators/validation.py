"""Validation at the edge: what a run may write to the store, checked before any write (pure).

Every observation a source run, a file import or a sample load would store is checked here:
its period must be well-formed and plausible (1990 to next year), its value finite and within its
unit's plausible range (rates 0–100, counts from 0 to a ceiling; an indicator may set its own
`plausible = [low, high]` in catalogue.toml). A run with any invalid row is refused whole; the
error names the first rows and why, never other file content.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from operator import attrgetter, itemgetter

from indicators import periods
from indicators.catalogue import Catalogue, Indicator
from indicators.connectors.http import SourceError
from indicators.types import Observation, observations_of_rows
from indicators.wording import wording

# Far above any Danish count of persons, cases or conversations in one period (the population is
# about 6 million), far below what breaks number formatting (babel fails near 1e28).
COUNT_CEILING = 100_000_000.0
DECIMAL_CEILING = 1_000_000.0  # ratios such as "samtaler pr. person" and indices
RANGES: dict[str, tuple[float, float]] = {
    "pct": (0.0, 100.0),
    "count": (0.0, COUNT_CEILING),
    "decimal": (0.0, DECIMAL_CEILING),
}
# What the store itself refuses and skips, knowing no catalogue: nothing a figure can be.
ABSOLUTE_LIMIT = 1e12
MAX_REPORTED = 10


@dataclass(frozen=True, slots=True)
class Problem:
    row: str  # "line 7" for a file, "row 12 (ledige, 151, 2026-05)" for an API answer
    reason: str

    def __str__(self) -> str:
        return f"{self.row}: {self.reason}"


class ValidationError(SourceError):
    """An answer or a file holds rows that cannot be stored; nothing of it was stored."""

    def __init__(self, message: str, problems: Sequence[Problem], *, source: str, table: str = ""):
        super().__init__(message, source=source, table=table, permanent=True)
        self.problems = list(problems)


def plausible_range(indicator: Indicator) -> tuple[float, float]:
    return indicator.plausible or RANGES.get(indicator.format, (-ABSOLUTE_LIMIT, ABSOLUTE_LIMIT))


def danish_number(value: float) -> str:
    """A value in Danish spelling, as users read figures: 100.000.000, -3.500,5 (not 1e+08, -3500.5).
    A value beyond any figure (1e+308, inf) keeps Python's short form, where digits would be noise."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:g}"
    if value == int(value):
        english = f"{int(value):,}"
    else:
        english = f"{value:,.6f}".rstrip("0").rstrip(".")
    return english.translate(str.maketrans(",.", ".,"))


def value_problem(value: float | None, low: float = -ABSOLUTE_LIMIT, high: float = ABSOLUTE_LIMIT,
                  unit: str = "") -> str | None:
    """Why a value cannot be stored (None if it can). A missing value (None) is "no figure", not a problem."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return wording("value_not_a_number", value=value)
    if math.isnan(value):
        return wording("value_nan")
    if math.isinf(value):
        return wording("value_infinite", value=danish_number(value))
    if not low <= value <= high:
        what = wording("value_implausible_unit", unit=unit) if unit else ""
        return wording("value_implausible", value=danish_number(value), low=danish_number(low), high=danish_number(high), unit=what)
    return None


@lru_cache(maxsize=8192)
def period_problem(text: str, this_year: int) -> str | None:
    """Why a stored period spelling cannot hold a figure (None if it can)."""
    try:
        period = periods.parse(text)
    except periods.PeriodError as error:
        return str(error)
    if str(period) != text:
        return wording("period_not_store_spelling", text=text, period=period)
    return periods.plausible(period, this_year)


@lru_cache(maxsize=8192)
def fetched_period_problem(text: str, this_year: int, fetched_in: str | None) -> str | None:
    """`period_problem`, and for a figure a source sent in the month `fetched_in` (`2026-08`): its
    period must have begun by then. No source publishes a figure for a month to come; such a row
    would become the newest figure every answer gives. None for `fetched_in` checks the period only
    (a file may hold a forecast for next year)."""
    found = period_problem(text, this_year)
    if found or fetched_in is None:
        return found
    period, fetched = periods.parse(text), periods.parse(fetched_in)
    if (period.year, period.start_month) > (fetched.year, fetched.start_month):
        return wording("period_not_begun", month=fetched_in)
    return None


def storable(period: object, value: object, this_year: int) -> bool:
    """True when `store_problem` would find nothing; the fast test of the common case (a float in
    range, a well-spelled period), asked first on every row the store writes or reads."""
    return ((value is None or (type(value) is float and -ABSOLUTE_LIMIT <= value <= ABSOLUTE_LIMIT))
            and type(period) is str and period_problem(period, this_year) is None)


def storable_periods(found: Iterable[object], this_year: int) -> set[str]:
    """Those of the distinct periods `found` that `store_problem` accepts: checked once per period,
    not once per row, by loops over many rows of few periods."""
    return {p for p in set(found) if type(p) is str and period_problem(p, this_year) is None}


def store_problem(period: str, value: float | None, this_year: int) -> str | None:
    """What the store checks without a catalogue, on every write and every read."""
    if not isinstance(period, str):
        return wording("period_not_text", period=period)
    return period_problem(period, this_year) or value_problem(value)


def observation_problem(obs: Observation, catalogue: Catalogue, this_year: int,
                        fetched_in: str | None = None) -> str | None:
    found = fetched_period_problem(obs.period, this_year, fetched_in) if isinstance(obs.period, str) else wording("period_shown", period=obs.period)
    if found:
        return found
    if obs.indicator in catalogue:
        indicator = catalogue.get(obs.indicator)
        low, high = plausible_range(indicator)
        return value_problem(obs.value, low, high, f"{indicator.id} ({indicator.unit})")
    return value_problem(obs.value)


def _range_of(indicator: str, catalogue: Catalogue) -> tuple[float, float]:
    return plausible_range(catalogue.get(indicator)) if indicator in catalogue else (-ABSOLUTE_LIMIT, ABSOLUTE_LIMIT)


def describe(obs: Observation) -> str:
    parts = [obs.indicator, obs.area, obs.period] + ([obs.breakdown] if obs.breakdown else [])
    return ", ".join(parts)


def problems_in(observations: Iterable[Observation], catalogue: Catalogue, this_year: int,
                row: Callable[[int, Observation], str] | None = None,
                fetched_in: str | None = None) -> tuple[list[Problem], int]:
    """The first MAX_REPORTED problems and how many rows have one."""
    row = row or (lambda index, obs: wording("row_of_answer", index=index, what=describe(obs)))
    found: list[Problem] = []
    count = 0
    ranges: dict[str, tuple[float, float]] = {}  # per indicator, looked up once, not per row
    for index, obs in enumerate(observations, start=1):
        value, period = obs.value, obs.period
        low, high = ranges.get(obs.indicator) or ranges.setdefault(obs.indicator, _range_of(obs.indicator, catalogue))
        if ((value is None or (type(value) is float and low <= value <= high))
                and type(period) is str and fetched_period_problem(period, this_year, fetched_in) is None):
            continue  # the common case, decided without building a message
        reason = observation_problem(obs, catalogue, this_year, fetched_in)
        if reason:
            count += 1
            if len(found) < MAX_REPORTED:
                found.append(Problem(row(index, obs), reason))
    return found, count


def summary(where: str, problems: Sequence[Problem], count: int, fix: str) -> str:
    """One message for a refused answer or file: how many rows, the first ten, the fix."""
    listed = "; ".join(str(p) for p in problems)
    more = wording("rows_more", count=count - len(problems)) if count > len(problems) else ""
    return wording("rows_refused_one" if count == 1 else "rows_refused_many", where=where, count=count, listed=listed,
                   more=more, fix=fix)


_INDICATOR_VALUE = attrgetter("indicator", "value")
_PERIOD = attrgetter("period")
_ROW_INDICATOR_VALUE = itemgetter(0, 4)  # of a row in the store's column order (types.rows_of)
_ROW_PERIOD = itemgetter(2)
_VALUE = itemgetter(1)


def all_plausible(observations: Sequence[Observation], catalogue: Catalogue, this_year: int,
                  fetched_in: str | None = None) -> bool:
    """True when `problems_in` would find nothing, decided per column: each distinct period once, and
    each run of one indicator's values by type, sum and bounds against its range. False only sends
    the caller to the row-by-row check, which names the rows; it refuses nothing by itself."""
    return _plausible(observations, _PERIOD, _INDICATOR_VALUE, catalogue, this_year, fetched_in)


def _plausible(items: Sequence, period_of: Callable, indicator_value_of: Callable, catalogue: Catalogue,
               this_year: int, fetched_in: str | None) -> bool:
    """`all_plausible` of observations or of rows, by the getters of their period and (indicator, value)."""
    try:
        found = set(map(period_of, items))
    except TypeError:  # an unhashable period: the row-by-row check names it
        return False
    if not all(type(p) is str and fetched_period_problem(p, this_year, fetched_in) is None for p in found):
        return False
    ranges: dict[str, tuple[float, float]] = {}
    for indicator, run in groupby(map(indicator_value_of, items), key=itemgetter(0)):
        low, high = ranges.get(indicator) or ranges.setdefault(indicator, _range_of(indicator, catalogue))
        if not figures_within(list(map(_VALUE, run)), low, high):
            return False
    return True


_FIGURE_TYPES = frozenset({float, type(None)})


def figures_within(values: list, low: float, high: float) -> bool:
    """True when every value is a float or None and the floats lie in [low, high], decided per column
    (type set, sum, min and max): a NaN or an infinity makes the sum NaN or infinite, and figures
    within the bounds cannot overflow it. The column-wise test of `all_plausible` and of the store's
    last guard (`Store.load`)."""
    if not set(map(type, values)) <= _FIGURE_TYPES:
        return False
    figures = [v for v in values if v is not None]
    return not figures or (math.isfinite(sum(figures)) and low <= min(figures) and max(figures) <= high)


def check(observations: Sequence[Observation], catalogue: Catalogue, *, this_year: int, where: str, source: str,
          fix: str, row: Callable[[int, Observation], str] | None = None, fetched_in: str | None = None) -> None:
    """Raise ValidationError naming the first rows that cannot be stored; return if every row can.
    `fetched_in`: the month a source sent the rows in (see `fetched_period_problem`)."""
    if all_plausible(observations, catalogue, this_year, fetched_in):
        return
    found, count = problems_in(observations, catalogue, this_year, row, fetched_in)
    if count:
        raise ValidationError(summary(where, found, count, fix), found, source=source)


def check_rows(rows: Sequence[tuple], catalogue: Catalogue, *, this_year: int, where: str, source: str, fix: str,
               row: Callable[[int, Observation], str] | None = None, fetched_in: str | None = None) -> None:
    """`check` of rows in the store's column order (`types.rows_of`), the refresh's path: decided per
    column on the rows; only when that fails are they made observations, for `check`'s own messages."""
    if _plausible(rows, _ROW_PERIOD, _ROW_INDICATOR_VALUE, catalogue, this_year, fetched_in):
        return
    check(observations_of_rows(rows), catalogue, this_year=this_year, where=where, source=source, fix=fix, row=row,
          fetched_in=fetched_in)
