"""Periods: the store's spellings, the sources' spellings, and when a period is over."""
from __future__ import annotations

import pytest

from indicators.periods import PeriodError, from_source, normalise, parse


@pytest.mark.parametrize(("text", "store"), [("2026M05", "2026-05"), ("2026Q02", "2026-Q2"), ("2026K2", "2026-Q2"),
                                             ("2020QMAT02", "2020-Q2"), ("2026", "2026")])
def test_source_spellings_become_the_stores(text, store):
    assert str(from_source(text)) == store
    assert normalise(text) == store


@pytest.mark.parametrize(("period", "month", "over"), [("2026-Q2", "2026-06", True), ("2026-Q2", "2026-05", False),
                                                        ("2026", "2026-12", True), ("2026", "2026-11", False),
                                                        ("2026-05", "2026-05", True), ("2026-06", "2026-05", False)])
def test_a_period_ends_by_the_end_of_a_month(period, month, over):
    assert parse(period).ends_by(parse(month)) is over


def test_a_bad_period_is_refused_with_the_expected_spelling():
    with pytest.raises(PeriodError, match="ÅÅÅÅ-MM"):
        parse("maj")
