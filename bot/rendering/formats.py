"""Danish number, period and date formats (babel), used as jinja2 filters. Pure.

`1540` -> `1.540`; `3.14` -> `3,1 pct.`; `2026-05` -> `maj 2026`; `2026-Q2` -> `2. kvt. 2026`.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

from bot import clock
from indicators import periods
from indicators.catalogue import Indicator

LOCALE = "da_DK"
MONTHS = dict(get_month_names("wide", locale="da"))


@lru_cache(maxsize=8192)
def number(value: float, decimals: int = 0, signed: bool = False) -> str:
    """Danish grouping and decimal comma; `signed` puts + on positive numbers. Kept per value:
    babel parses the pattern and looks up the locale on every call, most of an answer's time."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(round(value, decimals) + 0.0, format=pattern, locale=LOCALE)


def value(value: float | None, indicator: Indicator, with_unit: bool = True) -> str:
    """A value as the catalogue says it is shown: `796 fuldtidspersoner`, `3,1 pct.`."""
    if value is None:
        return "ikke offentliggjort"
    text = number(value, indicator.decimals)
    if not with_unit:
        return text
    return f"{text} {indicator.unit}"


def period(text: str, short: bool = False) -> str:
    """`2026-05` -> `maj 2026`, `2026-Q2` -> `2. kvt. 2026`, `2026` -> `2026`."""
    p = periods.parse(text)
    if p.kind == "month":
        name = MONTHS[p.month]
        return f"{name[:3] + '.' if short and len(name) > 4 else name} {p.year}"
    if p.kind == "quarter":
        return f"{p.quarter}. kvt. {p.year}"
    return str(p.year)


@lru_cache(maxsize=1024)
def day(moment: str | date | datetime) -> str:
    """An ISO date or timestamp as `22. aug. 2026`."""
    if isinstance(moment, str):
        moment = date.fromisoformat(moment) if len(moment) == 10 else clock.local(moment)
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:  # stored in UTC, shown as the day it was in Copenhagen
            moment = moment.astimezone(clock.TIMEZONE)
        moment = moment.date()
    return format_date(moment, format="d. MMM y", locale="da")


def change(delta: float, decimals: int = 1) -> str:
    """A signed change with Danish formatting: `+12`, `-0,4`."""
    return number(delta, decimals, signed=True)
