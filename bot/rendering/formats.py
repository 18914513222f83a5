"""Danish number, period and date formats (as babel gives them for da_DK), used as jinja2 filters. Pure
(the month names are read once, from templates/messages.toml).

`1540` -> `1.540`; `3.14` -> `3,1 pct.`; `2026-05` -> `maj 2026`; `2026-Q2` -> `2. kvt. 2026`.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache

from bot import clock
from indicators import periods
from indicators.catalogue import Indicator
from indicators.wording import messages

LOCALE = "da_DK"
# Month names from templates/messages.toml (CLDR's Danish), by number: 5 -> "maj".
MONTHS = dict(enumerate(messages()["months"], start=1))
SHORT_MONTHS = dict(enumerate(messages()["months_short"], start=1))
# Danish separators: Python's "1,540.5" is Danish "1.540,5" (babel's da_DK; tests compare the two).
_DANISH_SEPARATORS = str.maketrans(",.", ".,")


@lru_cache(maxsize=8192)
def number(value: float, decimals: int = 0, signed: bool = False) -> str:
    """Danish grouping and decimal comma; `signed` puts + on positive numbers, none on a value that
    rounds to zero (»faldet med 3 (0,0 pct.)«, not »+0,0«). Kept per value.
    Formatted as babel formats da_DK, without loading babel's locale data (start-up time)."""
    rounded = round(value, decimals) + 0.0  # + 0.0: no "-0"
    signed = signed and rounded != 0
    if not math.isfinite(rounded):  # babel's own words for these
        from babel.numbers import format_decimal

        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(rounded, format=f"+{pattern};-{pattern}" if signed else pattern, locale=LOCALE)
    return f"{rounded:{'+' if signed else ''},.{decimals}f}".translate(_DANISH_SEPARATORS)


def value(value: float | None, indicator: Indicator, with_unit: bool = True) -> str:
    """A value as the catalogue says it is shown: `796 fuldtidspersoner`, `3,1 pct.`."""
    if value is None:
        return "ikke offentliggjort"
    text = number(value, indicator.decimals)
    if not with_unit:
        return text
    return f"{text} {indicator.unit}"


@lru_cache(maxsize=8192)
def period(text: str, short: bool = False) -> str:
    """`2026-05` -> `maj 2026`, `2026-Q2` -> `2. kvt. 2026`, `2026` -> `2026`."""
    p = periods.parse(text)
    if p.kind == "month":
        name = MONTHS[p.month]
        return f"{name[:3] + '.' if short and len(name) > 4 else name} {p.year}"
    if p.kind == "quarter":
        return f"{p.quarter}. kvt. {p.year}"
    return str(p.year)


def period_span(end: str, months: int) -> str:
    """The `months` months that end with period `end`: `maj–juli 2026`, `september 2025–juli 2026`,
    `1.–2. kvt. 2026`."""
    last = periods.parse(end)
    first = last.span_start(months)
    if first.year != last.year:
        return f"{period(str(first))}–{period(end)}"
    if last.kind == "month":
        return f"{MONTHS[first.month]}–{MONTHS[last.month]} {last.year}"
    return f"{first.quarter}.–{last.quarter}. kvt. {last.year}"


@lru_cache(maxsize=1024)
def day(moment: str | date | datetime) -> str:
    """An ISO date or timestamp as `22. aug. 2026`."""
    if isinstance(moment, str):
        moment = date.fromisoformat(moment) if len(moment) == 10 else clock.local(moment)
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:  # stored in UTC, shown as the day it was in Copenhagen
            moment = moment.astimezone(clock.TIMEZONE)
        moment = moment.date()
    return f"{moment.day}. {SHORT_MONTHS[moment.month]} {moment.year}"  # babel's "d. MMM y" in Danish


def moment(when: str | datetime) -> str:
    """A stored timestamp or an aware moment as a person reads a time, in Copenhagen:
    `2026-08-10T06:00:00+00:00` -> `10. aug. 2026 kl. 08:00`."""
    local = clock.local(when) if isinstance(when, str) else when.astimezone(clock.TIMEZONE)
    return messages()["day_at_time"].format(day=day(local), time=f"{local:%H:%M}")


def long_day(moment: date) -> str:
    """A date with the month written out, `31. december 2026` (babel's "d. MMMM y" in Danish): a
    day named in a sentence, as the end of a quarter."""
    return f"{moment.day}. {MONTHS[moment.month]} {moment.year}"


def change(delta: float, decimals: int = 1) -> str:
    """A signed change with Danish formatting: `+12`, `-0,4`."""
    return number(delta, decimals, signed=True)
