"""`settle`, the pure step between normalising and the store: precedence between sources and provisional flags."""
from __future__ import annotations

from indicators.refresh import settle
from indicators.types import Observation

RANK = {("ledighedsprocent", "statbank:AUS08"): 0, ("ledighedsprocent", "jobindsats:y01a02"): 1}


def rate(period: str, value: float, source: str, area: str = "151") -> Observation:
    return Observation("ledighedsprocent", area, period, value, unit="pct", source=source,
                       fetched_at="2026-08-10T06:00:00+00:00")


def test_of_two_sources_giving_one_key_in_a_run_the_preferred_wins_in_the_first_ones_place():
    run = [rate("2026-05", 4.0, "jobindsats:y01a02"), rate("2026-06", 4.1, "jobindsats:y01a02"),
           rate("2026-05", 3.9, "statbank:AUS08")]
    kept, set_aside = settle(run, {}, RANK, mark_provisional=False)
    assert [(o.period, o.source) for o in kept] == [("2026-05", "statbank:AUS08"), ("2026-06", "jobindsats:y01a02")]
    assert set_aside == 1


def test_a_key_held_from_the_preferred_source_is_left_alone_and_the_others_land_in_order():
    held = {("ledighedsprocent", "151", "2026-05", ""): (3.9, "pct", "statbank:AUS08", 0)}
    run = [rate("2026-04", 4.2, "jobindsats:y01a02"), rate("2026-05", 4.0, "jobindsats:y01a02"),
           rate("2026-06", 4.1, "jobindsats:y01a02")]
    kept, set_aside = settle(run, held, RANK, mark_provisional=False)
    assert [o.period for o in kept] == ["2026-04", "2026-06"]
    assert set_aside == 1
    # The other way round, the preferred source replaces what the lesser one stored.
    held = {("ledighedsprocent", "151", "2026-05", ""): (4.0, "pct", "jobindsats:y01a02", 0)}
    kept, set_aside = settle([rate("2026-05", 3.9, "statbank:AUS08")], held, RANK, mark_provisional=False)
    assert [o.source for o in kept] == ["statbank:AUS08"] and set_aside == 0


def test_the_newest_period_of_each_series_and_kind_is_provisional_unless_the_store_holds_that_value():
    run = [rate("2026-05", 4.0, "jobindsats:y01a02"), rate("2026-06", 4.1, "jobindsats:y01a02"),
           rate("2026-Q1", 4.2, "jobindsats:y01a02"), rate("2026-Q2", 4.3, "jobindsats:y01a02"),
           rate("2026-06", 5.0, "jobindsats:y01a02", area="101")]
    held = {("ledighedsprocent", "101", "2026-06", ""): (5.0, "pct", "jobindsats:y01a02", 1)}
    kept, _ = settle(run, held, RANK, mark_provisional=True)
    assert [(o.area, o.period) for o in kept if o.provisional] == [("151", "2026-06"), ("151", "2026-Q2")]
    assert [(o.area, o.period) for o in kept] == [(o.area, o.period) for o in run]
