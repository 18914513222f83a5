"""Timing helpers for the benchmarks: best-of-N wall time, and the result row."""
from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    figure: str
    value: float
    baseline: float
    unit: str
    aim: str = ""
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        """value / baseline: for rates, 0.5 means half the baseline's speed."""
        return self.value / self.baseline if self.baseline else float("nan")

    @property
    def value_text(self) -> str:
        return f"{self.value:,.0f} {self.unit}" if self.value >= 100 else f"{self.value:.3g} {self.unit}"

    @property
    def baseline_text(self) -> str:
        return f"{self.baseline:,.0f} {self.unit}" if self.baseline >= 100 else f"{self.baseline:.3g} {self.unit}"


def best_of(repeat: int, setup: Callable[[], object], action: Callable[[object], object]) -> float:
    """The fastest of `repeat` runs of `action(setup())`, in seconds; setup is not timed."""
    best = float("inf")
    for _ in range(repeat):
        state = setup()
        started = time.perf_counter()
        action(state)
        best = min(best, time.perf_counter() - started)
    return best


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


_DDL: list[str] = []


def observations_ddl() -> str:
    """The store's own observations table as a fresh store creates it (columns, primary key, and
    WITHOUT ROWID), for the plain-sqlite3 baseline: the same table, without the store's extra
    index for eksempeldata. Read from a new store once per process, so the baseline follows any
    migration of the table."""
    if not _DDL:
        from indicators.store import Store

        folder = Path(tempfile.mkdtemp(prefix="faktabot-bench-ddl-"))
        try:
            with Store(folder / "store.db", create=True) as store:
                _DDL.append(store.db.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'observations'").fetchone()[0])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return _DDL[0]


def executemany_seconds(rows: list[tuple], fresh_path: Callable[[], Path], repeat: int = 3) -> float:
    """The baseline of the load benchmarks: a plain sqlite3 `executemany` of `rows` into a fresh
    WAL file with the store's observations table, in one transaction; best of `repeat`."""
    ddl = observations_ddl()

    def setup() -> sqlite3.Connection:
        conn = sqlite3.connect(fresh_path())
        conn.execute("PRAGMA journal_mode=wal")
        conn.execute(ddl)
        return conn

    def load(conn: sqlite3.Connection) -> None:
        with conn:
            conn.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.close()

    return best_of(repeat, setup, load)


_SAMPLE_STORE: list[Path] = []  # the process's sample store, built on first use


def sample_store(path: Path) -> Path:
    """A new store at `path` holding the shipped sample data: built once per process (seconds of
    loading and deriving), then copied for every module that asks, with SQLite's backup API.
    Building the store is never part of a figure; copying only spares the rebuilding."""
    from indicators import sampledata  # the benchmarks' own imports stay light for `--help`
    from indicators.store import Store

    if not _SAMPLE_STORE:
        folder = Path(tempfile.mkdtemp(prefix="faktabot-bench-sample-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        built = folder / "store.db"
        with Store(built, create=True) as store:
            sampledata.load_into(store)
        _SAMPLE_STORE.append(built)
    source, target = sqlite3.connect(_SAMPLE_STORE[0]), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return path
