"""Answers: a parsed `Query` + the store -> an `Answer` (data, no words). Reads the store.

Words come later, from `templates/` (see `bot/render.py`). A period without data is answered
with the newest period there is, and the answer says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from indicators import periods
from indicators.catalogue import Areas, Catalogue, Indicator
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Area, Observation
from bot.queries import PeriodRequest, Query

# Which period kinds to prefer for a catalogue frequency when the question names none.
_PREFERENCE = {
    "month": ("month", "quarter", "year"),
    "quarter": ("quarter", "month", "year"),
    "year": ("year", "quarter", "month"),
}


@dataclass(frozen=True, slots=True)
class Change:
    against: Observation
    absolute: float  # in the indicator's unit (pct.-point for rates)
    relative: float | None  # in pct; None for rates and when the base is 0


@dataclass(frozen=True)
class Answer:
    query: Query
    indicator: Indicator
    area: Area
    observation: Observation | None  # None: no data at all for this indicator and area
    requested_period: str | None = None  # set when the asked-for period had no data
    previous: Change | None = None  # against the period before
    last_year: Change | None = None  # against the same period a year earlier
    rate_indicator: Indicator | None = None
    rate: Observation | None = None

    @property
    def shown(self) -> list[Observation]:
        return [o for o in (self.observation, self.rate) if o is not None]

    @property
    def sample_data(self) -> bool:
        return any(o.source == SAMPLE_SOURCE for o in self.shown) or any(
            c.against.source == SAMPLE_SOURCE for c in (self.previous, self.last_year) if c
        )


def _change(current: Observation, base: Observation | None, indicator: Indicator) -> Change | None:
    if base is None or base.value is None or current.value is None:
        return None
    absolute = current.value - base.value
    relative = None
    if indicator.format == "count" and base.value != 0:
        relative = absolute / base.value * 100
    return Change(against=base, absolute=absolute, relative=relative)


def _pick(series: list[Observation], request: PeriodRequest, kind: str) -> tuple[Observation | None, str | None]:
    """The observation that answers `request`, and the requested period if it had to fall back."""
    published = [o for o in series if o.value is not None]
    if not published:
        return None, None
    if request.month is not None:
        months = [o for o in published if kind == "month" and periods.parse(o.period).month == request.month]
        if kind == "quarter":
            q = (request.month - 1) // 3 + 1
            months = [o for o in published if periods.parse(o.period).quarter == q]
        return (months[-1], None) if months else (published[-1], f"month:{request.month}")
    if request.period is not None:
        wanted = periods.parse(request.period)
        for o in reversed(published):
            p = periods.parse(o.period)
            if p == wanted or (p.length >= wanted.length and p.contains(wanted)):
                return o, None
        return published[-1], request.period
    return published[-1], None


def _kind_for(request: PeriodRequest, indicator: Indicator, available: list[str]) -> str | None:
    if not available:
        return None
    if request.period is not None:
        wanted = periods.parse(request.period).kind
        # A month asked of a quarterly figure is answered by its quarter; a year asked of a
        # monthly figure by the yearly series if there is one, else the months of that year.
        order = {"month": ("month", "quarter", "year"), "quarter": ("quarter", "month", "year"),
                 "year": ("year", "month", "quarter")}[wanted]
    elif request.month is not None:
        order = ("month", "quarter")
    else:
        order = _PREFERENCE[indicator.frequency]
    return next((k for k in order if k in available), available[0])


def answer(query: Query, store: Store, catalogue: Catalogue, areas: Areas, default_area: str) -> Answer:
    indicator = catalogue.get(query.indicator)
    area = areas.get(query.area or default_area)
    available = store.period_kinds(indicator.id, area.code, query.breakdown)
    kind = _kind_for(query.period, indicator, available)
    if kind is None:
        return Answer(query=query, indicator=indicator, area=area, observation=None)
    series = store.series(indicator.id, area.code, query.breakdown, kind=kind)
    if query.period.period and kind == "month" and periods.parse(query.period.period).kind == "year":
        # "ledighed 2025" on a monthly series: the newest month of that year.
        year = periods.parse(query.period.period).year
        series = [o for o in series if periods.parse(o.period).year <= year] or series
        current, requested = _pick(series, PeriodRequest(), kind)
        if current and periods.parse(current.period).year != year:
            requested = query.period.period
    else:
        current, requested = _pick(series, query.period, kind)
    if current is None:
        return Answer(query=query, indicator=indicator, area=area, observation=None)
    by_period = {o.period: o for o in series}
    p = periods.parse(current.period)
    previous = _change(current, by_period.get(str(p.shift(-1))), indicator)
    last_year = _change(current, by_period.get(str(p.same_period_last_year())), indicator)
    rate_indicator = catalogue.get(indicator.rate) if indicator.rate else None
    rate = store.get(rate_indicator.id, area.code, current.period, query.breakdown) if rate_indicator else None
    return Answer(
        query=query, indicator=indicator, area=area, observation=current, requested_period=requested,
        previous=previous, last_year=last_year if p.length < 12 else None,
        rate_indicator=rate_indicator, rate=rate if rate and rate.value is not None else None,
    )
