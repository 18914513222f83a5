"""Loading the shipped sample data: `Store.load` against a plain sqlite3 `executemany` of the same rows.

Both write into a fresh file with the same table and primary key, in one transaction. The store
also compares against existing values and records revisions, so it cannot beat the baseline;
the aim is to stay within reach of it.
"""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from benchmarks.measure import Result, best_of
from indicators import sampledata
from indicators.store import Store

OBSERVATIONS_DDL = (
    "CREATE TABLE observations (indicator TEXT NOT NULL, area TEXT NOT NULL, period TEXT NOT NULL, "
    "breakdown TEXT NOT NULL DEFAULT '', value REAL, unit TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, "
    "provisional INTEGER NOT NULL DEFAULT 0, fetched_at TEXT NOT NULL, "
    "PRIMARY KEY (indicator, area, period, breakdown))"
)


def run() -> list[Result]:
    observations = [o for name in sampledata.SAMPLE_FILES for o in sampledata.read_sample(sampledata.SAMPLE_DIR / name)]
    rows = [(o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source, int(o.provisional), o.fetched_at)
            for o in observations]
    workdir = Path(tempfile.mkdtemp(prefix="faktabot-bench-"))
    counter = iter(range(1_000_000))

    def fresh_path() -> Path:
        return workdir / f"{next(counter)}.db"

    def store_setup() -> Store:
        return Store(fresh_path(), create=True)

    def store_load(store: Store) -> None:
        store.load(observations)
        store.close()

    def plain_setup() -> sqlite3.Connection:
        conn = sqlite3.connect(fresh_path())
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute(OBSERVATIONS_DDL)
        return conn

    def plain_load(conn: sqlite3.Connection) -> None:
        with conn:
            conn.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.close()

    def reload_setup() -> Store:
        store = Store(fresh_path(), create=True)
        store.load(observations)
        return store

    store_seconds = best_of(3, store_setup, store_load)
    plain_seconds = best_of(3, plain_setup, plain_load)
    reload_seconds = best_of(3, reload_setup, store_load)
    n = len(rows)
    return [
        Result(f"sample load, {n:,} rows (rows/s)", n / store_seconds, n / plain_seconds, "rows/s",
               aim="≥ 0.5 of executemany"),
        Result("reload unchanged sample (rows/s)", n / reload_seconds, n / plain_seconds, "rows/s",
               aim="no-op check; ≥ 0.5"),
    ]
