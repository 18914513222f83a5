"""The projection to a target's end period: seasonal naive plus trend, its range and its verdict."""
from __future__ import annotations

import math
import random

import pytest

from indicators.periods import Period, month, parse, quarter
from rules.forecast import LINEAR, MET, MISSED, SEASONAL, UNCERTAIN, forecast

SEASON = [1.08, 1.07, 1.04, 1.00, 0.97, 0.96, 0.97, 0.96, 0.95, 0.95, 0.97, 1.02]


def monthly(first: Period, values: list[float]) -> list[tuple[Period, float]]:
    return [(first.shift(i), v) for i, v in enumerate(values)]


def test_a_clean_seasonal_series_with_a_trend_is_projected_exactly():
    # Level 100 + 1 a month, plus a fixed seasonal swing: the method's own model, no noise.
    values = [100 + i + 10 * (SEASON[i % 12] - 1) * 10 for i in range(48)]
    series = monthly(month(2022, 1), values)
    result = forecast(series, month(2026, 6))
    truth = 100 + 53 + 10 * (SEASON[5] - 1) * 10
    assert result.method == SEASONAL and result.horizon == 6
    assert result.value == pytest.approx(truth)
    assert result.low == pytest.approx(truth) and result.high == pytest.approx(truth)


def test_quarterly_without_trend_is_last_years_same_quarter():
    values = [10, 20, 30, 40] * 3
    result = forecast(monthly(quarter(2023, 1), values), quarter(2026, 3))
    assert result.value == pytest.approx(30)
    assert (result.period, result.horizon) == ("2026-Q3", 3)


def test_two_years_ahead_adds_two_years_of_trend_and_a_wider_range():
    rng = random.Random(7)
    values = [50 + 0.5 * i + 3 * math.sin(i / 12 * 2 * math.pi) + rng.gauss(0, 1) for i in range(60)]
    series = monthly(month(2021, 1), values)
    one = forecast(series, month(2026, 6))
    two = forecast(series, month(2027, 6))
    assert two.value - one.value == pytest.approx(12 * 0.5, abs=1.5)
    assert (two.high - two.low) == pytest.approx((one.high - one.low) * math.sqrt(2))


def test_the_range_holds_most_outcomes_on_a_noisy_series():
    # Back-test: cut a long noisy seasonal series at many points and project six months ahead.
    rng = random.Random(2026)
    values = [200 + 0.8 * i + 15 * (SEASON[i % 12] - 1) * 10 + rng.gauss(0, 3) for i in range(150)]
    inside = total = 0
    for cut in range(48, 144):
        result = forecast(monthly(month(2010, 1), values[:cut]), month(2010, 1).shift(cut + 5))
        inside += result.low <= values[cut + 5] <= result.high
        total += 1
    assert 0.65 <= inside / total <= 0.97, inside / total


def test_less_than_two_years_falls_back_to_a_straight_line():
    series = monthly(month(2026, 1), [10, 12, 14, 16, 18])
    result = forecast(series, month(2026, 8))
    assert result.method == LINEAR and result.value == pytest.approx(24)


def test_too_little_data_or_an_end_already_passed_gives_no_projection():
    assert forecast(monthly(month(2026, 1), [1, 2]), month(2026, 12)) is None
    assert forecast(monthly(month(2024, 1), list(range(30))), month(2026, 6)) is None


def test_a_gap_restarts_the_series():
    before = monthly(month(2020, 1), [1000.0] * 24)
    after = monthly(month(2024, 1), [10, 12, 14, 16])
    result = forecast(before + after, month(2024, 6))
    assert result.basis == 4 and result.value == pytest.approx(20)


@pytest.mark.parametrize("values, goal, better, outcome", [
    ([100.0] * 24, 90, "lower", MISSED),
    ([100.0] * 24, 110, "lower", MET),
    ([100.0] * 24, 110, "higher", MISSED),
    ([100.0] * 24, 90, "higher", MET),
    ([100.0 + random.Random(i).gauss(0, 5) for i in range(24)], 100, "lower", UNCERTAIN),
])
def test_the_verdict_compares_the_whole_range_with_the_goal(values, goal, better, outcome):
    result = forecast(monthly(month(2024, 1), values), month(2026, 3), goal, better)
    assert (result.goal, result.outcome) == (goal, outcome)


def test_on_the_shipped_sygedagpenge_shape():
    # Rising about 30 a year from 1.160 with a winter peak: the end of 2026 lands well above 1.050.
    quarters = [1160 + 7.5 * i + (12 if i % 4 == 0 else 0) for i in range(30)]
    result = forecast(monthly(parse("2019-Q1"), quarters), parse("2026-Q4"), 1050, "lower")
    assert result.outcome == MISSED and result.low > 1050
