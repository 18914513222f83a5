"""Answers: a parsed `Query` + the store -> an `Answer` (data, no words). Reads the store.

Words come later, from `templates/` (see `bot/render.py`). A period without data is answered
with the newest period there is, and the answer says so. Relative periods ("sidste måned") are
resolved against `today`, which the caller passes in: nothing here reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from bot.asking.queries import PeriodRequest, Query
from indicators import periods
from indicators.catalogue import Areas, Catalogue, Indicator
from indicators.periods import Period
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Area, Observation, parse_breakdown

# Which period kinds to prefer for a catalogue frequency when the question names none.
_PREFERENCE = {
    "month": ("month", "quarter", "year"),
    "quarter": ("quarter", "month", "year"),
    "year": ("year", "quarter", "month"),
}
# How far back a development answer and its chart look, per period kind.
HISTORY = {"month": 25, "quarter": 9, "year": 10}
DEVELOPMENT = {"month": 13, "quarter": 5, "year": 5}


@dataclass(frozen=True, slots=True)
class Change:
    against: Observation
    absolute: float  # in the indicator's unit (pct.-point for rates)
    relative: float | None  # in pct; None for rates and when the base is 0


@dataclass(frozen=True, slots=True)
class Comparison:
    area: Area
    observation: Observation | None
    history: tuple[Observation, ...] = ()


@dataclass(frozen=True, slots=True)
class Part:
    """One value of a breakdown listing ("ledige efter ydelse")."""

    label: str
    observation: Observation


@dataclass(frozen=True)
class Answer:
    query: Query
    indicator: Indicator
    area: Area
    observation: Observation | None  # None: no data at all for this indicator and area
    requested: PeriodRequest | None = None  # set when the asked-for period had no data
    previous: Change | None = None  # against the period before
    last_year: Change | None = None  # against the same period a year earlier
    rate_indicator: Indicator | None = None
    rate: Observation | None = None
    comparisons: tuple[Comparison, ...] = ()
    parts: tuple[Part, ...] = ()
    history: tuple[Observation, ...] = ()  # the series up to the answered period, for trends and charts
    development: Change | None = None  # first to last period of the development window
    low: Observation | None = None
    high: Observation | None = None
    missing_breakdown: str | None = None  # asked-for breakdown without data; the total is shown
    target: object | None = None  # the target's state where one exists (rules), set by the caller
    extra: dict = field(default_factory=dict)

    @property
    def shown(self) -> list[Observation]:
        shown = [o for o in (self.observation, self.rate) if o is not None]
        shown += [c.observation for c in self.comparisons if c.observation is not None]
        shown += [p.observation for p in self.parts]
        if self.query.intent == "development":
            shown += list(self.history[-DEVELOPMENT.get(self.kind, 13):])
        return shown

    @property
    def kind(self) -> str:
        return periods.parse(self.observation.period).kind if self.observation else "month"

    @property
    def sample_data(self) -> bool:
        changes = [c.against for c in (self.previous, self.last_year) if c]
        return any(o.source == SAMPLE_SOURCE for o in [*self.shown, *changes])


def change(current: Observation, base: Observation | None, indicator: Indicator) -> Change | None:
    if base is None or base.value is None or current.value is None:
        return None
    absolute = current.value - base.value
    relative = None
    if indicator.format == "count" and base.value != 0:
        relative = absolute / base.value * 100
    return Change(against=base, absolute=absolute, relative=relative)


def resolve(request: PeriodRequest, today: date, newest: Period | None) -> PeriodRequest:
    """Turn a relative request into an exact one: "sidste måned" in November 2026 is 2026-10."""
    if request.relative is None:
        return request
    this_month = periods.month(today.year, today.month)
    if request.relative == "previous_month":
        return PeriodRequest(period=str(this_month.shift(-1)))
    if request.relative == "previous_quarter":
        return PeriodRequest(period=str(periods.quarter(today.year, (today.month - 1) // 3 + 1).shift(-1)))
    if request.relative == "this_year":
        return PeriodRequest(period=str(today.year))
    if request.relative == "last_year":
        return PeriodRequest(period=str(today.year - 1))
    if request.relative == "year_ago" and newest is not None:
        return PeriodRequest(period=str(newest.same_period_last_year()))
    return PeriodRequest()


def _kind_for(request: PeriodRequest, indicator: Indicator, available: list[str]) -> str | None:
    if not available:
        return None
    if request.period is not None:
        wanted = periods.parse(request.period).kind
        # A month asked of a quarterly figure is answered by its quarter; a year asked of a
        # monthly figure by the yearly series if there is one, else the newest month of that year.
        order = {"month": ("month", "quarter", "year"), "quarter": ("quarter", "month", "year"),
                 "year": ("year", "month", "quarter")}[wanted]
    elif request.month is not None:
        order = ("month", "quarter")
    elif request.quarter is not None:
        order = ("quarter", "month")
    else:
        order = _PREFERENCE[indicator.frequency]
    return next((k for k in order if k in available), available[0])


def pick(series: list[Observation], request: PeriodRequest) -> tuple[Observation | None, bool]:
    """The observation answering `request`, and whether it had to fall back to the newest."""
    published = [o for o in series if o.value is not None]
    if not published:
        return None, False
    parsed = [(periods.parse(o.period), o) for o in published]
    if request.month is not None:
        hits = [o for p, o in parsed if (p.length == 1 and p.month == request.month)
                or (p.length == 3 and p.quarter == (request.month - 1) // 3 + 1)]
        return (hits[-1], False) if hits else (published[-1], True)
    if request.quarter is not None:
        hits = [o for p, o in parsed if p.length <= 3 and p.quarter == request.quarter]
        return (hits[-1], False) if hits else (published[-1], True)
    if request.period is not None:
        wanted = periods.parse(request.period)
        for p, o in reversed(parsed):
            if p == wanted or (p.length >= wanted.length and p.contains(wanted)) or (
                    wanted.length == 12 and p.year == wanted.year):
                return o, False
        return published[-1], True
    return published[-1], False


def answer(query: Query, store: Store, catalogue: Catalogue, areas: Areas, default_area: str,
           today: date) -> Answer:
    indicator = catalogue.get(query.indicator)
    area = areas.get(query.area or default_area)
    breakdown, missing_breakdown = query.breakdown, None
    available = store.period_kinds(indicator.id, area.code, breakdown)
    if breakdown and not available:
        # "ledige kvinder" where only the total is published: answer the total and say so.
        missing_breakdown, breakdown = query.breakdown, ""
        available = store.period_kinds(indicator.id, area.code, "")
    if not available and not breakdown:
        # No total published (aktiveringsberørte exist per ydelse only; fuldtidspersoner has no
        # sum): answer the largest series there is, and list the rest by the same breakdown.
        candidates = [b for b in store.breakdowns(indicator.id, area.code) if b and ";" not in b]
        if candidates:
            newest = [store.series(indicator.id, area.code, b)[-1] for b in candidates]
            best = max(newest, key=lambda o: (o.period, o.value if o.value is not None else float("-inf")))
            breakdown = best.breakdown
            available = store.period_kinds(indicator.id, area.code, breakdown)
            if len(candidates) > 1 and query.by is None:
                query = replace(query, by=breakdown.split("=", 1)[0])
            query = replace(query, breakdown=breakdown)
    kind = _kind_for(query.period, indicator, available)
    if kind is None:
        return Answer(query=query, indicator=indicator, area=area, observation=None)
    series = store.series(indicator.id, area.code, breakdown, kind=kind)
    newest = periods.parse(series[-1].period) if series else None
    request = resolve(query.period, today, newest)
    current, fell_back = pick(series, request)
    if current is None:
        return Answer(query=query, indicator=indicator, area=area, observation=None)
    p = periods.parse(current.period)
    by_period = {o.period: o for o in series}
    upto = [o for o in series if o.period <= current.period and o.value is not None]
    history = tuple(upto[-HISTORY[kind]:])
    window = upto[-DEVELOPMENT[kind]:]
    rate_indicator = catalogue.get(indicator.rate) if indicator.rate else None
    rate = store.get(rate_indicator.id, area.code, current.period, breakdown) if rate_indicator else None
    comparisons = []
    for code in query.compare:
        other = store.series(indicator.id, code, breakdown, kind=kind)
        comparisons.append(Comparison(
            area=areas.get(code), observation=next((o for o in other if o.period == current.period), None),
            history=tuple(o for o in other if history and history[0].period <= o.period <= current.period),
        ))
    parts = []
    if query.by:
        for candidate in store.breakdowns(indicator.id, area.code):
            split = parse_breakdown(candidate)
            wanted = {k: v for k, v in parse_breakdown(breakdown).items() if k != query.by}
            if query.by in split and {k: v for k, v in split.items() if k != query.by} == wanted:
                found = store.get(indicator.id, area.code, current.period, candidate)
                if found is not None and found.value is not None:
                    parts.append(Part(label=split[query.by], observation=found))
    return Answer(
        query=query, indicator=indicator, area=area, observation=current,
        requested=request if fell_back else None,
        previous=change(current, by_period.get(str(p.shift(-1))), indicator),
        last_year=change(current, by_period.get(str(p.same_period_last_year())), indicator) if p.length < 12 else None,
        rate_indicator=rate_indicator, rate=rate if rate is not None and rate.value is not None else None,
        comparisons=tuple(comparisons), parts=tuple(sorted(parts, key=lambda part: -part.observation.value)),
        history=history,
        development=change(current, window[0], indicator) if len(window) > 1 else None,
        low=min(window, key=lambda o: o.value) if window else None,
        high=max(window, key=lambda o: o.value) if window else None,
        missing_breakdown=missing_breakdown,
    )
