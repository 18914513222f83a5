"""Loading the shipped sample data: `Store.load` against a plain sqlite3 `executemany` of the same rows.

Both write into a fresh file with the same table and primary key, in one transaction. The store
also compares against existing values and records revisions, so it cannot beat the baseline;
the aim is to stay within reach of it.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.measure import Result, best_of, executemany_seconds
from indicators import sampledata
from indicators.store import Store


def run(quick: bool = False) -> list[Result]:
    observations = [o for name in sampledata.SAMPLE_FILES for o in sampledata.read_sample(sampledata.SAMPLE_DIR / name)]
    if quick:  # a quarter of the rows (the figure gives the count): a check, not the figure of record
        observations = observations[: len(observations) // 4]
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

    def reload_setup() -> Store:
        store = Store(fresh_path(), create=True)
        store.load(observations)
        return store

    repeat = 1 if quick else 3
    store_seconds = best_of(repeat, store_setup, store_load)
    plain_seconds = executemany_seconds(rows, fresh_path, repeat=repeat)
    reload_seconds = best_of(repeat, reload_setup, store_load)
    n = len(rows)
    return [
        Result(f"sample load, {n:,} rows (rows/s)", n / store_seconds, n / plain_seconds, "rows/s",
               aim="≥ 0.5 of executemany"),
        Result("reload unchanged sample (rows/s)", n / reload_seconds, n / plain_seconds, "rows/s",
               aim="no-op check; ≥ 0.5"),
    ]
