"""A refresh does only the work its changes need: derived values follow the inputs it changed (in
the areas it changed them), stored rows are read once per run, and eksempeldata of a covered series
goes however old. Real store files, the replay server for the source."""
from __future__ import annotations

from pathlib import Path

import pytest

from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import wanted_from
from indicators.derived import refresh_derived
from indicators.refresh import refresh_source
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Observation
from tests.replay import ReplayServer, jobindsats_connector

CATALOGUE = default_catalogue()
NOW = "2026-08-01T06:00:00+00:00"
LATER = "2026-08-02T06:00:00+00:00"
PARTS = ("ydelse=Sygedagpenge", "ydelse=Jobafklaringsforløb")


def obs(area, period, value, breakdown, source="jobindsats:y07a02", indicator="sygedagpenge"):
    return Observation(indicator, area, period, value, breakdown, "personer", source, False, NOW)


def test_a_refresh_that_changes_nothing_computes_no_derived_value_and_writes_nothing(tmp_path: Path):
    wanted = wanted_from(CATALOGUE, "jobindsats", ["sygedagpenge"])
    with ReplayServer() as server, Store(tmp_path / "store.db", create=True) as store:
        for _ in range(2):  # the second run confirms the provisional values
            first = refresh_source(store, jobindsats_connector(server), wanted, catalogue=CATALOGUE,
                                   areas=default_areas(), now=NOW)
            assert first.ok, first.error
        assert store.get("sygedagpenge", "151", "2026-Q2").source == "derived:sygedagpenge"
        computed_at = store.derived_inputs("sygedagpenge", "151", "2026-Q2")["computed_at"]
        again = refresh_source(store, jobindsats_connector(server), wanted, catalogue=CATALOGUE,
                               areas=default_areas(), now=LATER)
        assert again.ok and again.rows > 0
        assert (again.inserted, again.updated, again.revisions, again.derived) == (0, 0, 0, 0)
        assert store.derived_inputs("sygedagpenge", "151", "2026-Q2")["computed_at"] == computed_at
        assert store.db.execute("SELECT count(*) FROM observations WHERE fetched_at = ?", [LATER]).fetchone()[0] == 0


def test_derived_values_are_recomputed_in_the_areas_whose_inputs_changed_and_kept_elsewhere(tmp_path: Path):
    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs(area, "2026-Q1", value, part) for area in ("151", "153")
                    for value, part in zip((700, 250), PARTS)], now=NOW)
        refresh_derived(store, CATALOGUE, touched={"sygedagpenge"}, now=NOW)
        loaded = store.load([obs("151", "2026-Q1", 260, PARTS[1], "jobindsats:y12a02")], now=LATER)
        assert loaded.changed == {("sygedagpenge", "151")}
        run = refresh_derived(store, CATALOGUE, touched={"sygedagpenge"}, areas={"151"}, now=LATER)
        assert (run.written, run.revised, run.removed) == (1, 1, 0)
        assert store.get("sygedagpenge", "151", "2026-Q1").value == 960
        # 153 was not read, not removed as stale, not recomputed: its provenance is the first run's.
        assert store.get("sygedagpenge", "153", "2026-Q1").value == 950
        assert store.derived_inputs("sygedagpenge", "153", "2026-Q1")["computed_at"] == NOW


def test_a_load_reads_again_when_another_connection_committed_after_the_stored_rows_were_read(tmp_path: Path):
    path = tmp_path / "store.db"
    with Store(path, create=True) as store:
        store.load([obs("151", "2026-Q1", 700, PARTS[0])], now=NOW)
        held = store.stored_rows([("sygedagpenge", "151", "2026-Q1", PARTS[0])])
        with Store(path) as other:
            other.load([obs("151", "2026-Q1", 710, PARTS[0])], now=NOW)
        loaded = store.load([obs("151", "2026-Q1", 720, PARTS[0])], now=LATER, stored=held)
        assert (loaded.inserted, loaded.updated) == (0, 1)
        revisions = store.db.execute("SELECT old_value, new_value FROM revisions ORDER BY id").fetchall()
        assert revisions == [(700.0, 710.0), (710.0, 720.0)]


def test_real_figures_remove_the_series_eksempeldata_however_far_back_it_goes(tmp_path: Path):
    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs("151", f"{year}-Q1", 1, PARTS[0], SAMPLE_SOURCE) for year in range(2010, 2027)]
                   + [obs("153", "2010-Q1", 1, PARTS[0], SAMPLE_SOURCE)], now=NOW)
        keys = [("sygedagpenge", "151", "2026-Q1", PARTS[0])]
        loaded = store.load([obs("151", "2026-Q1", 700, PARTS[0])], now=LATER, replace_sample=True,
                            stored=store.stored_rows(keys))
        assert (loaded.replaced_sample, loaded.inserted, loaded.updated) == (17, 1, 0)
        assert [o.period for o in store.series("sygedagpenge", "151", PARTS[0])] == ["2026-Q1"]
        assert store.get("sygedagpenge", "153", "2010-Q1", PARTS[0]).is_sample  # another series: kept


def test_a_formula_that_has_stored_nothing_yet_is_computed_by_a_run_that_changes_nothing(tmp_path: Path):
    """A formula new in this release finds its inputs stored already: the next refresh computes it
    everywhere, though it changes no input; after that a no-change run leaves it alone again."""
    wanted = wanted_from(CATALOGUE, "jobindsats", ["sygedagpenge"])
    with ReplayServer() as server, Store(tmp_path / "store.db", create=True) as store:
        for _ in range(2):
            assert refresh_source(store, jobindsats_connector(server), wanted, catalogue=CATALOGUE,
                                  areas=default_areas(), now=NOW).ok
        made = store.db.execute("SELECT count(*) FROM derived_inputs WHERE indicator = 'sygedagpenge'").fetchone()[0]
        assert made > 0
        # As before the formula existed: its values, their provenance and its having been computed
        # everywhere gone, the inputs kept.
        store.db.execute("DELETE FROM observations WHERE source = 'derived:sygedagpenge'")
        store.db.execute("DELETE FROM derived_inputs WHERE indicator = 'sygedagpenge'")
        store.db.execute("DELETE FROM derived_formulas WHERE indicator = 'sygedagpenge'")
        assert store.get("sygedagpenge", "151", "2026-Q2") is None
        again = refresh_source(store, jobindsats_connector(server), wanted, catalogue=CATALOGUE,
                               areas=default_areas(), now=LATER)
        assert again.ok and (again.inserted, again.updated) == (0, 0) and again.derived == made
        assert store.get("sygedagpenge", "151", "2026-Q2").source == "derived:sygedagpenge"
        last = refresh_source(store, jobindsats_connector(server), wanted, catalogue=CATALOGUE,
                              areas=default_areas(), now=LATER)
        assert last.derived == 0


def test_a_formula_still_missing_an_input_is_not_read_again_by_every_run(tmp_path: Path):
    from indicators.derived import never_stored

    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs("151", "2026-Q1", value, part) for value, part in zip((700, 250), PARTS)], now=NOW)
        waiting = never_stored(store, CATALOGUE)
        assert "sygedagpenge" in waiting  # its inputs are stored, its values not yet
        assert "ungeledighed" not in waiting  # no input of it is stored: nothing to compute from
        refresh_derived(store, CATALOGUE, touched={"sygedagpenge"}, now=NOW)
        assert "sygedagpenge" not in never_stored(store, CATALOGUE)


def test_a_formula_waits_for_the_breakdown_it_reads_not_just_for_its_indicator(tmp_path: Path):
    from indicators.derived import never_stored

    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs("151", "2026-Q1", 700, PARTS[0])], now=NOW)
        # sygedagpenge sums both parts: one breakdown stored is not every input.
        assert "sygedagpenge" not in never_stored(store, CATALOGUE)
        store.load([obs("151", "2026-Q1", 250, PARTS[1])], now=NOW)
        assert "sygedagpenge" in never_stored(store, CATALOGUE)


def test_a_formula_whose_values_all_yield_to_another_source_is_computed_everywhere_once(tmp_path: Path):
    """Its inputs are eksempeldata and the official figure holds its key: it stores nothing, and used
    to be computed everywhere again by every refresh, from its inputs' whole history."""
    from indicators.derived import never_stored

    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs("151", "2026-Q1", value, part, SAMPLE_SOURCE) for value, part in zip((700, 250), PARTS)]
                   + [obs("151", "2026-Q1", 900, "")], now=NOW)
        assert "sygedagpenge" in never_stored(store, CATALOGUE)
        run = refresh_derived(store, CATALOGUE, touched=set(), now=NOW, outputs=never_stored(store, CATALOGUE))
        assert (run.computed, run.written, run.kept_other) == (1, 0, 1)
        assert store.get("sygedagpenge", "151", "2026-Q1").value == 900
        assert "sygedagpenge" not in never_stored(store, CATALOGUE)
        # A run in some areas only is not every area: it does not count.
        store.db.execute("DELETE FROM derived_formulas")
        refresh_derived(store, CATALOGUE, touched={"sygedagpenge"}, areas={"151"}, now=NOW)
        assert "sygedagpenge" in never_stored(store, CATALOGUE)


def test_after_the_sample_data_no_formula_waits_to_be_computed_everywhere(sample_store_copy: Path):
    # `faktabot init` computed every formula everywhere; paa_kanten's and aktiveringsgrad's values
    # all yield to the sample's own, and every refresh computed both again in every area.
    from indicators.derived import never_stored

    with Store(sample_store_copy) as store:
        assert never_stored(store, CATALOGUE) == []


def _history(areas=("151", "153", "157")) -> list[Observation]:
    """Inputs of a sum, a quarter's mean of a sum, an index (base 2019-01) and a ratio, 2018 on."""
    months = [f"{year}-{month:02d}" for year in range(2018, 2027) for month in range(1, 13)][:-6]
    quarters = [f"{year}-Q{quarter}" for year in range(2018, 2027) for quarter in range(1, 5)][:-2]
    found = []
    for number, area in enumerate(areas):
        source = SAMPLE_SOURCE if area == "157" else "jobindsats:y07a02"
        for index, quarter in enumerate(quarters):
            unit = "fuldtidspersoner" if quarter < "2020" else "personer"  # the first row's unit is the sum's
            found += [Observation("sygedagpenge", area, quarter, 700.0 + index + number, PARTS[0], unit, source,
                                  False, NOW),
                      Observation("sygedagpenge", area, quarter, 250.0 + index, PARTS[1], unit, source, False, NOW)]
        for index, month in enumerate(months):
            value = 100.0 + (index * 7 + number) % 13
            found += [Observation("fuldtidspersoner", area, month, value + shift, breakdown, "fuldtidspersoner",
                                  source, False, NOW)
                      for shift, breakdown in enumerate(("visitation=Aktivitetsparat;ydelse=Kontanthjælp",
                                                         "ydelse=Selvforsørgelses- og hjemrejseydelse",
                                                         "ydelse=Ressourceforløb",
                                                         "alder=18-29 år;ydelse=A-dagpenge",
                                                         "alder=18-29 år;ydelse=Kontanthjælp"))]
            found += [Observation("forsoergertryk", area, month, 20.0 + (index % 5) / 3, "", "pct.", source, False, NOW),
                      Observation("befolkning", area, month, 9000.0 + index, "alder=18-29 år", "personer", source,
                                  False, NOW)]
    # An official figure of the sum in 157 in 2018: the eksempeldata computed there must stay out of it.
    found.append(Observation("sygedagpenge", "157", "2018-Q1", 5.0, "", "personer", "jobindsats:y07a02", False, NOW))
    return found


def _dump(store: Store) -> tuple[list, list, list]:
    return (store.db.execute("SELECT * FROM observations ORDER BY 1, 2, 3, 4").fetchall(),
            store.db.execute("SELECT indicator, area, period, breakdown, formula, inputs FROM derived_inputs "
                             "ORDER BY 1, 2, 3, 4").fetchall(),
            store.db.execute("SELECT indicator, area, period, breakdown, old_value, new_value, old_source, new_source, "
                             "revised_at FROM revisions ORDER BY 1, 2, 3, 4, 9").fetchall())


CHANGES = {  # what a refresh brings: (indicator, area, period, breakdown) -> value, for three cases
    # 151: revisions of late 2025 and a new quarter and months of 2026: recomputed from 2025 on.
    ("sygedagpenge", "151", "2025-Q4", PARTS[0]): 800.0, ("sygedagpenge", "151", "2026-Q3", PARTS[0]): 810.0,
    ("sygedagpenge", "151", "2026-Q3", PARTS[1]): 300.0,
    ("fuldtidspersoner", "151", "2025-11", "ydelse=Ressourceforløb"): 140.0,
    ("forsoergertryk", "151", "2026-06", ""): 25.0, ("befolkning", "151", "2026-07", "alder=18-29 år"): 9100.0,
    ("fuldtidspersoner", "151", "2026-07", "alder=18-29 år;ydelse=A-dagpenge"): 90.0,
    ("fuldtidspersoner", "151", "2026-07", "alder=18-29 år;ydelse=Kontanthjælp"): 95.0,
    # 153: the index's base month revised: every month of its index changes, however old.
    ("forsoergertryk", "153", "2019-01", ""): 30.0, ("sygedagpenge", "153", "2026-Q1", PARTS[1]): 1.0,
    # 157 (eksempeldata inputs, a real figure of the sum in 2018): a new eksempeldata quarter.
    ("sygedagpenge", "157", "2026-Q3", PARTS[0]): 1.0, ("sygedagpenge", "157", "2026-Q3", PARTS[1]): 2.0,
}


def test_the_derived_step_after_a_refresh_of_recent_periods_stores_what_a_full_recomputation_does(tmp_path: Path):
    """Recomputed from each area's earliest change on (not over its inputs' whole history), the
    derived values, their provenance and the revisions are those of computing everything again."""
    stores = []
    for name in ("window", "full"):
        store = Store(tmp_path / f"{name}.db", create=True)
        store.load(_history(), now=NOW)
        refresh_derived(store, CATALOGUE, now=NOW)
        rows = [Observation(i, a, p, v, b, "pct." if i == "forsoergertryk" else "personer" if i in
                            ("sygedagpenge", "befolkning") else "fuldtidspersoner",
                            SAMPLE_SOURCE if a == "157" else "jobindsats:y07a02", False, LATER)
                for (i, a, p, b), v in CHANGES.items()]
        loaded = store.load(rows, now=LATER, replace_sample=True)
        assert loaded.since == {("sygedagpenge", "151"): "2025", ("fuldtidspersoner", "151"): "2025",
                                ("forsoergertryk", "151"): "2026", ("befolkning", "151"): "2026",
                                ("forsoergertryk", "153"): "2019", ("sygedagpenge", "153"): "2026",
                                ("sygedagpenge", "157"): "2026"}
        stores.append((store, loaded))
    (window, loaded), (full, _) = stores
    try:
        touched = {indicator for indicator, _ in loaded.since}
        ran = refresh_derived(window, CATALOGUE, touched=touched, areas={a for _, a in loaded.since}, now=LATER,
                              since=loaded.since)
        everything = refresh_derived(full, CATALOGUE, now=LATER)
        assert _dump(window) == _dump(full)
        assert ran.written == everything.written > 0 and ran.revised == everything.revised > 0
        assert ran.computed < everything.computed / 2  # the periods before each area's change: not again
        assert window.get("sygedagpenge", "151", "2026-Q3").unit == "fuldtidspersoner"
        assert window.get("sygedagpenge", "157", "2026-Q3") is None  # eksempeldata, beside a real figure
        assert window.get("forsoergertryk_udvikling", "153", "2018-06").value == full.get(
            "forsoergertryk_udvikling", "153", "2018-06").value != 100 * 21 / 30  # re-based, before the window
    finally:
        window.close()
        full.close()


def test_a_load_says_from_which_year_it_changed_each_series_and_all_of_it_where_eksempeldata_went(tmp_path: Path):
    with Store(tmp_path / "store.db", create=True) as store:
        store.load([obs("151", "2020-Q1", 1, PARTS[0], SAMPLE_SOURCE), obs("153", "2024-Q1", 700, PARTS[0]),
                    obs("153", "2025-Q1", 700, PARTS[0])], now=NOW)
        loaded = store.load([obs("151", "2026-Q1", 700, PARTS[0]), obs("153", "2024-Q1", 700, PARTS[0]),
                             obs("153", "2025-Q1", 710, PARTS[0]), obs("153", "2026-Q1", 720, PARTS[0])],
                            now=LATER, replace_sample=True)
        assert loaded.since == {("sygedagpenge", "151"): "", ("sygedagpenge", "153"): "2025"}
        assert loaded.changed == {("sygedagpenge", "151"), ("sygedagpenge", "153")}


class _Stopped(Exception):
    """A refresh stopped between its loads and its derived step (a crash, a kill, a full disk)."""


def _stop() -> None:
    raise _Stopped


def _values(store: Store) -> tuple[list, list]:
    """The store's figures and the derived values' provenance, without the times they were written."""
    return (store.db.execute("SELECT indicator, area, period, breakdown, value, unit, source, provisional "
                             "FROM observations ORDER BY 1, 2, 3, 4").fetchall(),
            store.db.execute("SELECT indicator, area, period, breakdown, formula, inputs FROM derived_inputs "
                             "ORDER BY 1, 2, 3, 4").fetchall())


def _revised_source(server, path: Path, run) -> tuple[str, str]:
    """A store refreshed twice, then set back to before Jobindsats revised one input of the derived sum
    sygedagpenge in 151 (its derived value computed from the old input): the next refresh revises it."""
    store = Store(path, create=True)
    for _ in range(2):  # the second run confirms the provisional values
        assert run(store, NOW).ok
    period, breakdown = store.db.execute(
        "SELECT period, breakdown FROM observations WHERE indicator = 'sygedagpenge' AND area = '151' "
        "AND breakdown <> '' AND source LIKE 'jobindsats:%' ORDER BY period DESC LIMIT 1").fetchone()
    with store.transaction():
        store.db.execute("UPDATE observations SET value = value - 50 WHERE indicator = 'sygedagpenge' AND area = '151' "
                         "AND period = ? AND breakdown = ?", [period, breakdown])
        store.db.execute("DELETE FROM table_fingerprints")  # the stored rows are no longer the answer's
    refresh_derived(store, CATALOGUE, touched={"sygedagpenge"}, areas={"151"}, now=NOW)
    store.close()
    return period, breakdown


def test_a_refresh_stopped_before_its_derived_step_leaves_the_work_owed_and_the_next_one_does_it(tmp_path: Path):
    """A crash between a refresh's loads and its derived step left the derived sum stale until some
    later change in that area. The loads now record the owed work; the next refresh (here of another
    figure, changing nothing sygedagpenge is made of) does it, ending where an uninterrupted run ends."""
    wanted = wanted_from(CATALOGUE, "jobindsats", ["sygedagpenge"])
    other = wanted_from(CATALOGUE, "jobindsats", ["ledige"])
    later = "2026-08-03T06:00:00+00:00"
    with ReplayServer() as server:
        def run(store: Store, now: str, after_load=None, asked=wanted):
            return refresh_source(store, jobindsats_connector(server), asked, catalogue=CATALOGUE,
                                  areas=default_areas(), now=now, after_load=after_load)

        period, _ = _revised_source(server, tmp_path / "stopped.db", run)
        _revised_source(server, tmp_path / "whole.db", run)
        with Store(tmp_path / "stopped.db") as stopped, Store(tmp_path / "whole.db") as whole:
            with pytest.raises(_Stopped):
                run(stopped, LATER, after_load=_stop)
            total = stopped.get("sygedagpenge", "151", period).value
            parts = stopped.db.execute("SELECT sum(value) FROM observations WHERE indicator = 'sygedagpenge' "
                                       "AND area = '151' AND period = ? AND breakdown <> ''", [period]).fetchone()[0]
            assert total == parts - 50  # the input is revised, the derived sum is not (yet)
            assert stopped.derived_owed() == {("sygedagpenge", "151"): period[:4]}

            assert run(stopped, later, asked=other).ok
            assert run(whole, LATER).ok and run(whole, later, asked=other).ok
            assert stopped.get("sygedagpenge", "151", period).value == parts
            assert stopped.derived_owed() == {} and whole.derived_owed() == {}
            assert _values(stopped) == _values(whole)


def test_the_start_up_does_the_derived_work_a_stopped_refresh_left_owed(tmp_path: Path):
    """`faktabot run`'s catch-up (and `faktabot refresh`) first complete what a stopped refresh owes."""
    from indicators.derived import complete_owed

    wanted = wanted_from(CATALOGUE, "jobindsats", ["sygedagpenge"])
    with ReplayServer() as server:
        def run(store: Store, now: str, after_load=None):
            return refresh_source(store, jobindsats_connector(server), wanted, catalogue=CATALOGUE,
                                  areas=default_areas(), now=now, after_load=after_load)

        _revised_source(server, tmp_path / "stopped.db", run)
        _revised_source(server, tmp_path / "whole.db", run)
        with Store(tmp_path / "stopped.db") as stopped, Store(tmp_path / "whole.db") as whole:
            with pytest.raises(_Stopped):
                run(stopped, LATER, after_load=_stop)
            assert run(whole, LATER).ok
            done = complete_owed(stopped, CATALOGUE, now=LATER)
            assert done is not None and done.written == 1 and stopped.derived_owed() == {}
            assert complete_owed(stopped, CATALOGUE, now=LATER) is None  # nothing owed: nothing done
            assert _values(stopped) == _values(whole)
