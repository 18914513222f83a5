"""The store: migrations, idempotent loads, revisions, all-or-nothing loads, refusing foreign files."""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from indicators.store import (
    MIGRATION_SET,
    NotAStore,
    Store,
    StoreError,
    StoreMissing,
    migrations,
)
from indicators.types import Observation


def obs(period: str, value: float | None, indicator: str = "ledige", area: str = "151", source: str = "jobindsats:y25i01"):
    return Observation(indicator, area, period, value, unit="fuldtidspersoner", source=source,
                       fetched_at="2026-08-22T00:00:00+00:00")


def test_loading_the_same_rows_twice_changes_nothing(tmp_path):
    with Store(tmp_path / "s.db", create=True) as store:
        rows = [obs(f"2026-0{m}", 800 + m) for m in range(1, 8)]
        first = store.load(rows)
        second = store.load(rows)
        assert (first.inserted, first.updated) == (7, 0)
        assert (second.inserted, second.updated, second.unchanged) == (0, 0, 7)
        assert store.revision_count() == 0


def test_a_changed_value_is_updated_and_kept_as_a_revision(tmp_path):
    with Store(tmp_path / "s.db", create=True) as store:
        store.load([obs("2026-05", 812), obs("2026-06", 790)])
        result = store.load([obs("2026-05", 815), obs("2026-06", 790)], now="2026-09-01T00:00:00+00:00")
        assert (result.inserted, result.updated) == (0, 1)
        assert store.get("ledige", "151", "2026-05").value == 815
        revision = store.db.execute("SELECT old_value, new_value, revised_at FROM revisions").fetchall()
        assert revision == [(812.0, 815.0, "2026-09-01T00:00:00+00:00")]


def test_a_value_becoming_unpublished_is_a_revision_not_a_zero(tmp_path):
    with Store(tmp_path / "s.db", create=True) as store:
        store.load([obs("2026-05", 12)])
        store.load([obs("2026-05", None)])
        assert store.get("ledige", "151", "2026-05").value is None
        assert store.revision_count() == 1


def test_a_failed_load_leaves_the_store_as_it_was(tmp_path):
    with Store(tmp_path / "s.db", create=True) as store:
        store.load([obs("2026-05", 812)])
        bad = [obs("2026-05", 999), obs("2026-06", 1), obs("2026-06", 2)]  # the same key twice
        with pytest.raises(StoreError, match="to gange"):
            store.load(bad)
        assert store.count() == 1
        assert store.get("ledige", "151", "2026-05").value == 812
        assert store.revision_count() == 0


def test_the_loads_column_wise_guard_refuses_what_the_row_check_refuses_and_passes_the_rest(tmp_path):
    with Store(tmp_path / "s.db", create=True) as store:
        for value in (2e12, -2e12, "812"):
            with pytest.raises(StoreError, match="intet er gemt"):
                store.load([obs("2026-04", 5.0), obs("2026-05", value)])
        # An integer is a figure, and a row without fetched_at is stamped with the load's `now`.
        store.load([obs("2026-04", 5.0), obs("2026-05", 7), Observation("ledige", "151", "2026-06", None)],
                   now="2026-09-01T00:00:00+00:00")
        assert store.get("ledige", "151", "2026-05").value == 7
        assert store.get("ledige", "151", "2026-06").fetched_at == "2026-09-01T00:00:00+00:00"
        assert store.db.execute("SELECT DISTINCT typeof(provisional) FROM observations").fetchall() == [("integer",)]


def test_the_store_uses_wal_and_keeps_the_areas(tmp_path):
    with Store(tmp_path / "s.db", create=True) as store:
        assert store.db.journal_mode == "wal"
        assert store.db.execute("SELECT name FROM areas WHERE code = '151'").fetchone() == ("Ballerup",)
        assert store.db.execute("SELECT count(*) FROM areas WHERE kind = 'kommune'").fetchone() == (98,)


def test_migrating_an_existing_store_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    # A store as an earlier release left it: everything up to, not including, the series index.
    db = Database(path)
    migrations.apply(db, stop_before="m003_series_index")
    db.execute(
        "INSERT INTO observations VALUES ('ledige', '151', '2026-05', '', 812, 'fuldtidspersoner', "
        "'jobindsats:y25i01', 0, '2026-08-22')"
    )
    db.close()
    with Store(path) as store:
        assert store.get("ledige", "151", "2026-05").value == 812
        # The rows now live in series order: the primary key is (indicator, area, breakdown, period)
        # of a table without rowid, and the old series index went with the old table.
        key = sorted((row[5], row[1]) for row in store.db.execute("PRAGMA table_info(observations)") if row[5])
        assert [name for _, name in key] == ["indicator", "area", "breakdown", "period"]
        assert "WITHOUT ROWID" in store.db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'observations'").fetchone()[0]
        indexes = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "idx_observations_series" not in indexes and "idx_observations_sample" in indexes
        applied = [m.name for m in migrations.applied(store.db)]
        assert applied == ["m001_observations", "m002_areas", "m003_series_index", "m005_timestamps_in_utc",
                           "m006_sample_series_index", "m007_observations_clustered_by_series"]
    with Store(path) as store:  # opening again applies nothing twice
        assert store.count() == 1


def test_a_missing_store_says_to_run_init(tmp_path):
    with pytest.raises(StoreMissing, match="faktabot init"):
        Store(tmp_path / "nothing.db")
    assert not (tmp_path / "nothing.db").exists()


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"Referat fra udvalgsmoedet\n" * 200)
    before = path.read_bytes()
    with pytest.raises(NotAStore, match="ikke rørt"):
        Store(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_another_programs_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE borgere (cpr TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotAStore, match="ikke en Faktabot-database"):
        Store(path, create=True)
    assert path.read_bytes() == before
    assert MIGRATION_SET not in before.decode("latin-1")


def test_a_migration_rewrites_timestamps_in_copenhagen_time_as_utc(tmp_path):
    """Service refreshes once stored +01:00 beside UTC; catch-up compared them as text."""
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m005_timestamps_in_utc")
    db.execute("INSERT INTO refresh_runs (source, started_at, finished_at, status) "
               "VALUES ('statbank', '2026-11-25T07:45:00+01:00', '2026-11-25T06:46:00+00:00', 'ok')")
    db.close()
    with Store(path) as store:
        assert store.runs()[0]["started_at"] == "2026-11-25T06:45:00+00:00"
        assert store.runs()[0]["finished_at"] == "2026-11-25T06:46:00+00:00"
        assert store.last_successful_runs() == {"statbank": "2026-11-25T06:45:00+00:00"}


def test_a_repeated_read_comes_from_memory_until_anyone_writes(tmp_path):
    path = tmp_path / "s.db"
    with Store(path, create=True) as store, Store(path) as other:
        store.load([obs("2026-05", 812)])
        first = store.series("ledige", "151")
        assert store.series("ledige", "151") == first
        version = store.data_version()
        assert store.data_version() == version  # reading changes nothing
        other.load([obs("2026-06", 790)])  # another connection: another process's refresh
        assert store.data_version() != version
        assert [o.period for o in store.series("ledige", "151")] == ["2026-05", "2026-06"]
        assert store.period_kinds("ledige", "151") == ["month"]
        store.load([obs("2026-06", 795)])  # this connection's own write
        assert store.get("ledige", "151", "2026-06").value == 795
        assert [o.value for o in other.series("ledige", "151")] == [812, 795]


def test_the_read_cache_keeps_at_most_its_bound(tmp_path):
    with Store(tmp_path / "s.db", create=True, read_cache=3) as store:
        store.load([obs("2026-05", 812, area=code) for code in ("101", "147", "151", "153", "155")])
        for code in ("101", "147", "151", "153", "155"):
            assert store.series("ledige", code)[0].area == code
        assert len(store._reads) == 3


def test_a_transaction_that_reads_before_it_writes_waits_for_another_writer_instead_of_failing(tmp_path):
    """The service's alert run read the targets' states, then saved them in one transaction; a Slack
    answer's record committed by another connection in between, and the save failed at once with
    »database is locked« (a read snapshot out of date cannot become a write; SQLite does not wait).
    The store's transactions now take the write lock at their start; the other writer waits."""
    import threading

    path = tmp_path / "store.db"
    with Store(path, create=True) as store:
        other = sqlite3.connect(path, timeout=10, check_same_thread=False)
        wrote: list[str] = []

        def write_elsewhere() -> None:
            other.execute("CREATE TABLE elsewhere (x)")
            other.commit()
            wrote.append("elsewhere")

        with store.transaction():
            store.db.execute("SELECT count(*) FROM areas").fetchone()  # this transaction's snapshot
            writer = threading.Thread(target=write_elsewhere)
            writer.start()
            writer.join(0.5)  # the other connection writes now, or waits for this transaction
            store.db.execute("CREATE TABLE mine (x)")
            wrote.append("mine")
        writer.join(10)
        other.close()
        assert wrote == ["mine", "elsewhere"]
        assert {"mine", "elsewhere"} <= set(store.db.table_names())
