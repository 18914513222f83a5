"""The refresh's row path: rows in the store's column order from normalising to the store, the same
observations, precedence, provisional flags, checks and writes as the Observation path."""
from __future__ import annotations

import pytest

from indicators.connectors.jobindsats import normalise, normalise_rows
from indicators.refresh import keep_figures, keep_figures_rows, settle, settle_rows
from indicators.store import Store
from indicators.types import Observation, observations_of_rows, rows_of
from indicators.validation import ValidationError, check, check_rows
from tests.test_connectors_jobindsats import AREAS, CATALOGUE, FETCHED, answer, entry, recorded

RANK = {("ledighedsprocent", "statbank:AUS08"): 0, ("ledighedsprocent", "jobindsats:y01a02"): 1}
NOW = "2026-08-10T06:00:00+00:00"


def rate(period: str, value: float | None, source: str, area: str = "151") -> Observation:
    return Observation("ledighedsprocent", area, period, value, unit="pct", source=source, fetched_at=NOW)


def test_a_recorded_answer_normalised_as_rows_is_the_same_observations_with_the_flag_an_int():
    query = answer([entry("ledige", "y25i01"), entry("ledighedsprocent", "y25i01")],
                   recorded("unemployment_total.json"))
    rows = normalise_rows(query, AREAS, FETCHED)
    assert observations_of_rows(rows) == normalise(query, AREAS, FETCHED)
    assert rows and {type(r[7]) for r in rows} == {int}  # sqlite3 binds an int without an adapter lookup
    assert rows_of(normalise(query, AREAS, FETCHED)) == rows


def test_rows_settle_as_observations_do_precedence_and_the_newest_period_provisional():
    run = [rate("2026-05", 4.0, "jobindsats:y01a02"), rate("2026-06", 4.1, "jobindsats:y01a02"),
           rate("2026-05", 3.9, "statbank:AUS08"), rate("2026-06", 5.0, "jobindsats:y01a02", area="101")]
    held = {("ledighedsprocent", "101", "2026-06", ""): (5.0, "pct", "jobindsats:y01a02", 1)}
    kept, set_aside = settle_rows(rows_of(run), held, RANK, mark_provisional=True)
    assert (observations_of_rows(kept), set_aside) == settle(run, held, RANK, mark_provisional=True)
    assert [(r[1], r[2], r[6], r[7]) for r in kept] == [
        ("151", "2026-05", "statbank:AUS08", 1), ("151", "2026-06", "jobindsats:y01a02", 1),
        ("101", "2026-06", "jobindsats:y01a02", 0)]


def test_a_row_with_no_figure_yields_to_a_stored_figure_as_an_observation_does():
    run = [rate("2026-05", None, "jobindsats:y01a02"), rate("2026-06", None, "jobindsats:y01a02")]
    held = {("ledighedsprocent", "151", "2026-05", ""): (4.0, "pct", "jobindsats:y01a02", 0)}
    kept, dropped = keep_figures_rows(rows_of(run), held)
    assert (observations_of_rows(kept), dropped) == keep_figures(run, held) == ([run[1]], 1)


def test_rows_out_of_range_are_refused_with_the_same_message_as_observations():
    run = [rate("2026-05", 4.0, "jobindsats:y01a02"), rate("2026-06", 140.0, "jobindsats:y01a02")]
    messages = []
    for checking, given in ((check, run), (check_rows, rows_of(run))):
        with pytest.raises(ValidationError) as refused:
            checking(given, CATALOGUE, this_year=2026, where="y01a02", source="jobindsats", fix="ret det")
        messages.append(str(refused.value))
    assert messages[0] == messages[1] and "140" in messages[0]
    check_rows(rows_of(run[:1]), CATALOGUE, this_year=2026, where="y01a02", source="jobindsats", fix="ret det")


def test_loading_rows_stores_what_loading_observations_stores_and_keeps_revisions(tmp_path):
    first = [rate(f"2026-0{m}", 4.0 + m / 10, "jobindsats:y01a02", area) for area in ("151", "101") for m in (3, 1, 2)]
    again = [rate("2026-02", 4.5, "jobindsats:y01a02"), rate("2026-03", 4.3, "jobindsats:y01a02")]
    stores = []
    for name, load in (("obs", lambda s, o: s.load(o, now=NOW)), ("rows", lambda s, o: s.load_rows(rows_of(o), now=NOW))):
        store = Store(tmp_path / f"{name}.db", create=True)
        results = [load(store, first), load(store, again)]
        stores.append(([(r.inserted, r.updated, r.changed) for r in results], list(store.iter_observations()),
                       store.revision_count()))
        store.close()
    assert stores[0] == stores[1]
    assert stores[1][0][1][:2] == (0, 1) and stores[1][2] == 1


def test_a_load_that_does_not_keep_up_leaves_the_callers_snapshot_as_read(tmp_path):
    with Store(tmp_path / "s.db", create=True) as store:
        store.load([rate("2026-04", 4.0, "jobindsats:y01a02")], now=NOW)
        rows = rows_of([rate("2026-05", 4.1, "jobindsats:y01a02")])
        held = store.stored_rows(rows)
        before = dict(held)
        assert store.load_rows(rows, now=NOW, stored=held, keep_up=False).inserted == 1
        assert dict(held) == before
        store.load_rows(rows_of([rate("2026-06", 4.2, "jobindsats:y01a02")]), now=NOW, stored=held)
        assert ("ledighedsprocent", "151", "2026-06", "") in held  # the default keeps the snapshot up


def test_series_inputs_reads_the_named_series_and_not_one_indicators_breakdown_in_another(tmp_path):
    def row(indicator: str, breakdown: str, area: str = "151", period: str = "2026-05") -> Observation:
        return Observation(indicator, area, period, 10.0, breakdown, "personer", "jobindsats:y01a02",
                           False, NOW)

    with Store(tmp_path / "s.db", create=True) as store:
        store.load([row("ledige", ""), row("ledige", "ydelse=A-dagpenge"), row("fuldtidspersoner", ""),
                    row("fuldtidspersoner", "ydelse=A-dagpenge"), row("ledige", "", area="101"),
                    row("ledige", "", area="101", period="2024-05")], now=NOW)
        named = {("ledige", ""), ("fuldtidspersoner", "ydelse=A-dagpenge")}
        everywhere = store.series_inputs(named)
        assert {key: [(r[0], r[1]) for r in rows] for key, rows in everywhere.items()} == {
            ("ledige", ""): [("101", "2024-05"), ("101", "2026-05"), ("151", "2026-05")],
            ("fuldtidspersoner", "ydelse=A-dagpenge"): [("151", "2026-05")]}
        assert everywhere[("ledige", "")][0] == ("101", "2024-05", 10.0, "jobindsats:y01a02", 0, "personer")
        assert {key: [r[0] for r in rows] for key, rows in store.series_inputs(named, ["151"]).items()} == {
            ("ledige", ""): ["151"], ("fuldtidspersoner", "ydelse=A-dagpenge"): ["151"]}
        assert [(r[0], r[1]) for r in store.series_inputs(named, ["101", "151"], {"101": "2025"})[("ledige", "")]] \
            == [("151", "2026-05"), ("101", "2026-05")]  # 151 from its start, then 101 from 2025 on
