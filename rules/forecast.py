"""Where a series is heading: a projection to a target's end period, with a range. Pure.

Method (seasonal naive plus trend). With s periods in a year (12 months, 4 quarters, 1 year) and a
series y_1 … y_T without gaps:

* the trend D is the mean change from the same period a year earlier over the last s periods,
  D = mean(y_t − y_{t−s} for t = T−s+1 … T); comparing like seasons cancels the seasonal pattern;
* the value h periods ahead, k = ⌈h / s⌉ years ahead, is the value of the same season k years back
  plus k years of trend: ŷ_{T+h} = y_{T+h−ks} + k·D;
* the range is how well this method has done on the series itself: for every past period with
  three years of history, the error of the one-year-ahead projection it would have made then,
  e_t = y_t − (y_{t−s} + D_{t−s}). The 10th and 90th percentiles of those errors, times √k, are
  added to ŷ, so the range holds about 80 pct. of outcomes if the coming years surprise as the
  past ones did.

With less than two years of data the projection is a straight line fitted by least squares and
the range comes from its residuals; with fewer than three periods there is no projection.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from indicators.periods import Period

SEASONAL = "seasonal naive + trend"
LINEAR = "linear trend"
MET, MISSED, UNCERTAIN = "met", "missed", "uncertain"
_SEASON = {1: 12, 3: 4, 12: 1}  # period length in months -> periods per year


@dataclass(frozen=True, slots=True)
class Forecast:
    """The projected value at `period` with its range, and what it means for the goal there."""

    period: str
    value: float
    low: float
    high: float
    horizon: int  # periods ahead of the newest data
    method: str
    basis: int  # periods of data the projection rests on
    goal: float | None = None
    outcome: str | None = None  # "met", "missed" or "uncertain" (the range straddles the goal)

    def as_dict(self) -> dict:
        def clean(number: float | None) -> float | None:
            return round(number, 6) if number is not None else None

        return {"period": self.period, "value": clean(self.value), "low": clean(self.low), "high": clean(self.high),
                "goal": self.goal, "outcome": self.outcome, "horizon": self.horizon,
                "method": self.method, "basis": self.basis}


def forecast(series: Sequence[tuple[Period, float]], until: Period, goal: float | None = None,
             better: str = "lower") -> Forecast | None:
    """Project `series` (ordered by period) to `until` and judge the goal there; None if it cannot."""
    tail = _consecutive_tail(series)
    if len(tail) < 3 or until <= tail[-1][0]:
        return None
    newest = tail[-1][0]
    horizon = _steps(newest, until)
    values = [v for _, v in tail]
    season = _SEASON[newest.length]
    if len(values) >= 2 * season:
        value, low_error, high_error, k = _seasonal(values, season, horizon)
        method = SEASONAL
    else:
        value, low_error, high_error, k = _linear(values, horizon)
        method = LINEAR
    scale = math.sqrt(k)
    low, high = value + low_error * scale, value + high_error * scale
    outcome = None
    if goal is not None:
        good_low, good_high = (low <= goal, high <= goal) if better == "lower" else (high >= goal, low >= goal)
        outcome = MET if good_high else MISSED if not good_low else UNCERTAIN
    return Forecast(str(until), value, low, high, horizon, method, len(values), goal, outcome)


def _seasonal(values: list[float], season: int, horizon: int) -> tuple[float, float, float, int]:
    n = len(values)
    # Running sums of the year-on-year changes, so each window's mean costs O(1).
    sums = [0.0] * (n + 1)
    for t in range(n):
        sums[t + 1] = sums[t] + (values[t] - values[t - season] if t >= season else 0.0)

    def drift(end: int) -> float:
        """Mean year-on-year change over the `season` periods ending at index `end`."""
        return (sums[end + 1] - sums[end + 1 - season]) / season

    k = math.ceil(horizon / season)
    value = values[n - 1 + horizon - k * season] + k * drift(n - 1)
    errors = [values[t] - (values[t - season] + drift(t - season)) for t in range(3 * season - 1, n)]
    if len(errors) < 4:
        # Too short a history to score the method: use how much the yearly changes vary instead.
        d = drift(n - 1)
        errors = [values[t] - values[t - season] - d for t in range(season, n)]
    low, high = _range(errors)
    return value, low, high, k


def _linear(values: list[float], horizon: int) -> tuple[float, float, float, int]:
    xs = list(range(len(values)))
    slope, intercept = statistics.linear_regression(xs, values)
    value = intercept + slope * (len(values) - 1 + horizon)
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, values)]
    low, high = _range(residuals)
    return value, low, high, horizon


def _range(errors: list[float]) -> tuple[float, float]:
    if len(errors) < 2:
        return 0.0, 0.0
    deciles = statistics.quantiles(errors, n=10, method="inclusive")
    return min(deciles[0], 0.0), max(deciles[-1], 0.0)


def _consecutive_tail(series: Sequence[tuple[Period, float]]) -> list[tuple[Period, float]]:
    """The newest run of periods without a gap (a gap would shift the seasons)."""
    if not series:
        return []
    length = series[-1][0].length
    start = len(series) - 1
    following = _month_index(series[-1][0])
    while start > 0:
        index = _month_index(series[start - 1][0])
        if following - index != length:
            break
        start, following = start - 1, index
    return list(series[start:])


def _month_index(period: Period) -> int:
    return period.year * 12 + period.start_month - 1


def _steps(first: Period, last: Period) -> int:
    months = (last.year - first.year) * 12 + last.start_month - first.start_month
    return months // first.length
