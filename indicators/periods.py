"""Periods: the store's spelling (`2026-05`, `2026-Q2`, `2026`) and the sources' spellings.

Pure functions; no I/O. Jobindsats writes `2026M05`, `2026Q02`, `2026QMAT02`; StatBank writes
`2026M05`, `2026K2` (lang=da) or `2026Q2` (lang=en).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from indicators.wording import wording

_STORE = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")
_SOURCE = re.compile(r"^(\d{4})(?:M(\d{2})|(?:Q|K|QMAT)0?([1-4]))?$")


# The store spells a year with four digits; plausibility (1990 to next year) is checked at the edge,
# by `plausible`, because only the caller knows today's date.
MIN_YEAR, MAX_YEAR = 1000, 9999
FIRST_PLAUSIBLE_YEAR = 1990


# A period's kind and its length in months, the one place both are named.
LENGTH_OF_KIND = {"month": 1, "quarter": 3, "year": 12}
_KIND_OF_LENGTH = {length: kind for kind, length in LENGTH_OF_KIND.items()}


class PeriodError(ValueError):
    pass


def _check_year(year_number: int) -> None:
    if not MIN_YEAR <= year_number <= MAX_YEAR:
        raise PeriodError(wording("period_not_year", year=year_number))


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A month, quarter or year. Orders by start month, then by length (month < quarter < year)."""

    year: int
    start_month: int  # 1..12
    length: int  # 1 = month, 3 = quarter, 12 = year

    @property
    def kind(self) -> str:
        return _KIND_OF_LENGTH[self.length]

    @property
    def month(self) -> int:
        return self.start_month

    @property
    def quarter(self) -> int:
        return (self.start_month - 1) // 3 + 1

    def __str__(self) -> str:
        if self.length == 1:
            return f"{self.year:04d}-{self.start_month:02d}"
        if self.length == 3:
            return f"{self.year:04d}-Q{self.quarter}"
        return f"{self.year:04d}"

    def shift(self, steps: int) -> Period:
        """The period `steps` periods of the same kind later (negative: earlier)."""
        index = self.year * 12 + self.start_month - 1 + steps * self.length
        return Period(index // 12, index % 12 + 1, self.length)

    def span_start(self, months: int) -> Period:
        """The first part (of this period's length) of the `months` months that end with this period:
        2026-07 over 3 months is 2026-05; 2026-Q2 over 6 months is 2026-Q1."""
        return self.shift(-(months // self.length - 1))

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.start_month, self.length)

    def ends_by(self, other: Period) -> bool:
        """Whether this period is over when `other` ends: 2026-Q2 ends by 2026-06, not by 2026-05."""
        end = self.year * 12 + self.start_month + self.length
        return end <= other.year * 12 + other.start_month + other.length

    def contains(self, other: Period) -> bool:
        start = self.year * 12 + self.start_month
        other_start = other.year * 12 + other.start_month
        return start <= other_start and other_start + other.length <= start + self.length


def month(year: int, month_number: int) -> Period:
    _check_year(year)
    if not 1 <= month_number <= 12:
        raise PeriodError(wording("period_not_month", text=f"{year:04d}-{month_number:02d}"))
    return Period(year, month_number, 1)


def quarter(year: int, quarter_number: int) -> Period:
    _check_year(year)
    if not 1 <= quarter_number <= 4:
        raise PeriodError(wording("period_not_quarter", text=f"{year:04d}-Q{quarter_number}"))
    return Period(year, (quarter_number - 1) * 3 + 1, 3)


def year(year_number: int) -> Period:
    _check_year(year_number)
    return Period(year_number, 1, 12)


def last_whole_month(day: date) -> Period:
    """The newest month that is over on `day` (a period still running then has no final figure)."""
    return month(day.year, day.month).shift(-1)


def plausible(period: Period, this_year: int) -> str | None:
    """Why a well-formed period cannot hold a figure (None if it can): before 1990 or after next year.

    `this_year` is a parameter because this module never reads the clock.
    """
    if period.year < FIRST_PLAUSIBLE_YEAR:
        return wording("period_too_early", period=period, first=FIRST_PLAUSIBLE_YEAR)
    if period.year > this_year + 1:
        return wording("period_in_future", period=period, year=this_year + 1)
    return None


def parse(text: str) -> Period:
    """Parse the store's spelling: `2026-05`, `2026-Q2` or `2026`."""
    return _read(_STORE, text, "period_not_store")


def from_source(text: str) -> Period:
    """Parse a source's spelling: `2026M05`, `2026Q02`, `2026K2`, `2026Q2`, `2020QMAT02`, `2026`.

    A QMAT period (four quarters' moving average) is stored as the quarter it ends with.
    """
    return _read(_SOURCE, text, "period_not_source")


def _read(spelling: re.Pattern[str], text: str, problem: str) -> Period:
    """The period `text` names in `spelling` (groups: year, month, quarter); month and quarter
    numbers are range-checked by `month` and `quarter`. `problem` is the error's key in messages.toml."""
    match = spelling.match(text.strip())
    if not match:
        raise PeriodError(wording(problem, text=text))
    y, m, q = match.groups()
    if m is not None:
        if not 1 <= int(m) <= 12:
            raise PeriodError(wording("period_not_month", text=repr(text)))
        return month(int(y), int(m))
    if q is not None:
        return quarter(int(y), int(q))
    return year(int(y))


def normalise(text: str) -> str:
    """Any accepted spelling to the store's spelling."""
    try:
        return str(parse(text))
    except PeriodError:
        return str(from_source(text))
