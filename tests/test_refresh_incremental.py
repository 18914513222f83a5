"""A refresh does only the work its changes need: derived values follow the inputs it changed (in
the areas it changed them), stored rows are read once per run, and eksempeldata of a covered series
goes however old. Real store files, the replay server for the source."""
from __future__ import annotations

from pathlib import Path

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
