"""The SQLite store: observations, revisions, refresh runs and areas (I/O).

All of the data side's SQL lives here. Tables are created and changed by sqlite-utils
migrations; each load runs in one transaction, so a failed refresh leaves the store as it was.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database, Migrations

from indicators.catalogue import Areas, default_areas
from indicators.types import SAMPLE_SOURCE, Observation

MIGRATION_SET = "faktabot-indicators"
migrations = Migrations(MIGRATION_SET)

# Period kinds as SQL predicates on the store's spelling (2026-05, 2026-Q2, 2026).
_PERIOD_KIND_SQL = {
    "month": "length(period) = 7 AND substr(period, 6, 1) <> 'Q'",
    "quarter": "substr(period, 6, 1) = 'Q'",
    "year": "length(period) = 4",
}


class StoreError(Exception):
    """The store cannot be used; the message says why and what to do."""


class StoreMissing(StoreError):
    pass


class NotAStore(StoreError):
    pass


@migrations()
def m001_observations(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE observations (
            indicator TEXT NOT NULL,
            area TEXT NOT NULL,
            period TEXT NOT NULL,
            breakdown TEXT NOT NULL DEFAULT '',
            value REAL,
            unit TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            provisional INTEGER NOT NULL DEFAULT 0,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (indicator, area, period, breakdown)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            indicator TEXT NOT NULL,
            area TEXT NOT NULL,
            period TEXT NOT NULL,
            breakdown TEXT NOT NULL,
            old_value REAL,
            new_value REAL,
            old_source TEXT,
            new_source TEXT NOT NULL,
            revised_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE refresh_runs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            rows INTEGER NOT NULL DEFAULT 0,
            inserted INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            error TEXT
        )
        """
    )


@migrations()
def m002_areas(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE areas (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            region TEXT,
            aliases TEXT NOT NULL DEFAULT '[]'
        )
        """
    )


@migrations()
def m003_series_index(db: Database) -> None:
    # Answers read one series (indicator, area, breakdown) ordered by period; the primary key
    # orders period before breakdown, so it cannot serve that read alone.
    db.execute(
        "CREATE INDEX idx_observations_series ON observations (indicator, area, breakdown, period)"
    )
    db.execute("CREATE INDEX idx_revisions_key ON revisions (indicator, area, period)")


@migrations()
def m005_timestamps_in_utc(db: Database) -> None:
    # Service refreshes once wrote Copenhagen time (+01:00) beside UTC; text comparisons of the two
    # (the catch-up's "last successful run") were wrong. One convention from here: UTC, +00:00.
    normalise_timestamps(db, {"observations": ["fetched_at"], "revisions": ["revised_at"],
                              "refresh_runs": ["started_at", "finished_at"]})


def normalise_timestamps(db: Database, columns_by_table: dict[str, list[str]]) -> None:
    """Rewrite every stored timestamp in these tables' columns as UTC ISO 8601 with its offset, the
    one way timestamps are stored (the migrations of every owner of a table use this)."""
    for table, column in ((t, c) for t, columns in columns_by_table.items() for c in columns):
        found = db.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} LIKE '____-__-__T%' "
                           f"AND {column} NOT LIKE '%+00:00'").fetchall()
        for (value,) in found:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue  # not a timestamp after all; left as it is
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            fixed = moment.astimezone(timezone.utc).isoformat(timespec="seconds")
            db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [fixed, value])


@dataclass(frozen=True, slots=True)
class LoadResult:
    rows: int
    inserted: int
    updated: int
    replaced_sample: int = 0  # eksempeldata rows removed because real figures now cover the series

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _check_is_store(path: Path) -> None:
    """Refuse a file that is not a Faktabot store without writing a byte to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    uri = f"file:{path.resolve()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            ours = False
            if Migrations.migrations_table in tables:
                ours = bool(
                    conn.execute(
                        f"SELECT 1 FROM {Migrations.migrations_table} WHERE migration_set = ?",
                        [MIGRATION_SET],
                    ).fetchone()
                )
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise NotAStore(
            f"{path} is not a Faktabot store ({error}); it was left untouched. "
            "Point FAKTABOT_DB at another file, or move this one away and run `faktabot init`."
        ) from None
    if tables and not ours:
        raise NotAStore(
            f"{path} is an SQLite file but not a Faktabot store (tables: {', '.join(sorted(tables)[:5])}); "
            "it was left untouched. Point FAKTABOT_DB at another file and run `faktabot init`."
        )


class Store:
    """One connection to the store; open one per thread (sqlite3 connections are thread-bound)."""

    def __init__(self, path: str | Path, *, create: bool = False, areas: Areas | None = None):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreMissing(
                f"no store at {self.path}; run `faktabot init` to create it with the sample data"
            )
        _check_is_store(self.path)
        self.db = Database(self.path)
        self.db.execute("PRAGMA busy_timeout = 5000")
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        migrations.apply(self.db)
        if create or self.db.execute("SELECT count(*) FROM areas").fetchone()[0] == 0:
            self._sync_areas(areas or default_areas())

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writes ---------------------------------------------------------------------------

    def _sync_areas(self, areas: Areas) -> None:
        rows = [
            (a.code, a.name, a.kind, a.region, json.dumps([*a.names, *a.aliases], ensure_ascii=False))
            for a in areas
        ]
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO areas (code, name, kind, region, aliases) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                "region = excluded.region, aliases = excluded.aliases",
                rows,
            )

    def load(self, observations: Iterable[Observation], *, now: str | None = None,
             replace_sample: bool = False) -> LoadResult:
        """Insert new values, update changed ones (recording a revision), skip equal ones.

        With `replace_sample`, eksempeldata of every series this load touches is removed first, so
        real figures never share a series with synthetic ones. All in one transaction: if anything
        fails, nothing of this load is kept.
        """
        now = now or utc_now()
        rows = [
            (o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source, int(o.provisional),
             o.fetched_at or now)
            for o in observations
        ]
        with self.db.atomic():
            conn = self.db.conn
            conn.execute("DROP TABLE IF EXISTS temp.incoming")
            conn.execute(
                "CREATE TEMP TABLE incoming (indicator TEXT, area TEXT, period TEXT, breakdown TEXT, "
                "value REAL, unit TEXT, source TEXT, provisional INTEGER, fetched_at TEXT, "
                "PRIMARY KEY (indicator, area, period, breakdown))"
            )
            try:
                conn.executemany("INSERT INTO temp.incoming VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError:
                raise StoreError("one load holds the same (indicator, area, period, breakdown) twice") from None
            replaced = 0
            if replace_sample:
                before = conn.total_changes
                conn.execute(
                    "DELETE FROM observations WHERE source = ? AND EXISTS (SELECT 1 FROM temp.incoming i "
                    "WHERE i.indicator = observations.indicator AND i.area = observations.area "
                    "AND i.breakdown = observations.breakdown AND i.source <> ?)",
                    [SAMPLE_SOURCE, SAMPLE_SOURCE],
                )
                replaced = conn.total_changes - before
            inserted = conn.execute(
                "SELECT count(*) FROM temp.incoming i WHERE NOT EXISTS (SELECT 1 FROM observations o "
                "WHERE o.indicator = i.indicator AND o.area = i.area AND o.period = i.period "
                "AND o.breakdown = i.breakdown)"
            ).fetchone()[0]
            # A changed value is a revision (Jobindsats revises back months); a provisional value
            # confirmed unchanged is not, but its flag is cleared by the upsert below.
            conn.execute(
                "INSERT INTO revisions (indicator, area, period, breakdown, old_value, new_value, "
                "old_source, new_source, revised_at) "
                "SELECT o.indicator, o.area, o.period, o.breakdown, o.value, i.value, o.source, i.source, ? "
                "FROM temp.incoming i JOIN observations o USING (indicator, area, period, breakdown) "
                "WHERE o.value IS NOT i.value",
                [now],
            )
            before = conn.total_changes
            conn.execute(
                "INSERT INTO observations SELECT * FROM temp.incoming WHERE true "
                "ON CONFLICT (indicator, area, period, breakdown) DO UPDATE SET "
                "value = excluded.value, unit = excluded.unit, source = excluded.source, "
                "provisional = excluded.provisional, fetched_at = excluded.fetched_at "
                "WHERE observations.value IS NOT excluded.value "
                "OR observations.provisional IS NOT excluded.provisional "
                "OR observations.source IS NOT excluded.source "
                "OR observations.unit IS NOT excluded.unit"
            )
            written = conn.total_changes - before
            conn.execute("DROP TABLE temp.incoming")
        return LoadResult(rows=len(rows), inserted=inserted, updated=written - inserted, replaced_sample=replaced)

    def start_run(self, source: str, *, started_at: str | None = None) -> int:
        """Record a run as `running` (committed at once), so a run that dies midway stays visible.

        A `running` row left by an earlier run of the same source is marked `interrupted`: that
        process was killed or crashed, and its transaction was rolled back by SQLite.
        """
        started_at = started_at or utc_now()
        with self.db.atomic():
            self.db.execute(
                "UPDATE refresh_runs SET status = 'interrupted', finished_at = ?, error = "
                "'the run stopped before it finished (killed or crashed); nothing of it was kept' "
                "WHERE source = ? AND status = 'running'",
                [started_at, source],
            )
            cursor = self.db.execute(
                "INSERT INTO refresh_runs (source, started_at, status) VALUES (?, ?, 'running')",
                [source, started_at],
            )
        return cursor.lastrowid

    def finish_run(self, run_id: int, *, status: str, rows: int = 0, inserted: int = 0, updated: int = 0,
                   error: str | None = None, finished_at: str | None = None) -> None:
        """Close a run; call it inside the load's transaction so data and run commit together."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE refresh_runs SET status = ?, rows = ?, inserted = ?, updated = ?, error = ?, "
                "finished_at = ? WHERE id = ?",
                [status, rows, inserted, updated, error, finished_at or utc_now(), run_id],
            )

    # -- reads ----------------------------------------------------------------------------

    def newest_period(self, indicator: str, source: str, breakdowns: Iterable[str], kind: str) -> str | None:
        """The newest stored period of `kind` from `source` in any of `breakdowns` (all if empty)."""
        wanted = list(breakdowns)
        sql = (f"SELECT max(period) FROM observations WHERE indicator = ? AND source = ? "
               f"AND {_PERIOD_KIND_SQL[kind]}")
        if wanted:
            sql += f" AND breakdown IN ({', '.join('?' * len(wanted))})"
        return self.db.execute(sql, [indicator, source, *wanted]).fetchone()[0]

    def held(self, indicators: Iterable[str]) -> dict[tuple[str, str, str, str], tuple[float | None, str]]:
        """(indicator, area, period, breakdown) -> (value, source) for the given indicators."""
        wanted = sorted(set(indicators))
        if not wanted:
            return {}
        rows = self.db.execute(
            "SELECT indicator, area, period, breakdown, value, source FROM observations "
            f"WHERE indicator IN ({', '.join('?' * len(wanted))})",
            wanted,
        )
        return {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows}

    def runs(self, limit: int = 1000) -> list[dict]:
        """The newest refresh runs first."""
        return list(self.db.query(
            "SELECT id, source, started_at, finished_at, status, rows, inserted, updated, error "
            "FROM refresh_runs ORDER BY started_at DESC, id DESC LIMIT ?", [limit]
        ))

    def last_successful_runs(self) -> dict[str, str]:
        """Per source, when its newest successful run started (UTC, ISO 8601)."""
        return {r["source"]: r["started_at"] for r in self.db.query(
            "SELECT source, max(started_at) AS started_at FROM refresh_runs WHERE status = 'ok' GROUP BY source")}

    def source_periods(self, prefix: str) -> tuple[int, list[str]]:
        """Rows and distinct periods of the sources called `prefix` or `prefix:…`."""
        where = "source = ? OR source LIKE ?"
        args = [prefix, prefix + ":%"]
        count = self.db.execute(f"SELECT count(*) FROM observations WHERE {where}", args).fetchone()[0]
        found = [r[0] for r in self.db.execute(f"SELECT DISTINCT period FROM observations WHERE {where}", args)]
        return count, found

    def _observation(self, row: tuple) -> Observation:
        return Observation(
            indicator=row[0], area=row[1], period=row[2], breakdown=row[3], value=row[4],
            unit=row[5], source=row[6], provisional=bool(row[7]), fetched_at=row[8],
        )

    def series(self, indicator: str, area: str, breakdown: str = "", kind: str | None = None) -> list[Observation]:
        """One series ordered by period; `kind` limits it to months, quarters or years."""
        sql = (
            "SELECT indicator, area, period, breakdown, value, unit, source, provisional, fetched_at "
            "FROM observations WHERE indicator = ? AND area = ? AND breakdown = ?"
        )
        if kind:
            sql += f" AND {_PERIOD_KIND_SQL[kind]}"
        rows = self.db.execute(sql + " ORDER BY period", [indicator, area, breakdown]).fetchall()
        return [self._observation(r) for r in rows]

    def get(self, indicator: str, area: str, period: str, breakdown: str = "") -> Observation | None:
        row = self.db.execute(
            "SELECT indicator, area, period, breakdown, value, unit, source, provisional, fetched_at "
            "FROM observations WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ?",
            [indicator, area, period, breakdown],
        ).fetchone()
        return self._observation(row) if row else None

    def cross_section(self, indicator: str, periods: Iterable[str], areas: Iterable[str],
                      breakdown: str = "") -> list[Observation]:
        """Every listed area's published values of one indicator for `periods`, in one query: what
        a ranking across the 98 kommuner reads, instead of one series per kommune."""
        wanted_periods, wanted_areas = list(periods), list(areas)
        if not wanted_periods or not wanted_areas:
            return []
        rows = self.db.execute(
            "SELECT indicator, area, period, breakdown, value, unit, source, provisional, fetched_at "
            "FROM observations WHERE indicator = ? AND breakdown = ? AND value IS NOT NULL "
            f"AND period IN ({', '.join('?' * len(wanted_periods))}) "
            f"AND area IN ({', '.join('?' * len(wanted_areas))}) ORDER BY area, period",
            [indicator, breakdown, *wanted_periods, *wanted_areas],
        ).fetchall()
        return [self._observation(r) for r in rows]

    def period_coverage(self, indicator: str, kind: str, areas: Iterable[str],
                        breakdown: str = "") -> list[tuple[str, int]]:
        """(period, how many of `areas` have a published value), newest period first."""
        wanted = list(areas)
        if not wanted:
            return []
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT period, count(DISTINCT area) FROM observations WHERE indicator = ? AND breakdown = ? "
            f"AND value IS NOT NULL AND {_PERIOD_KIND_SQL[kind]} AND area IN ({', '.join('?' * len(wanted))}) "
            "GROUP BY period ORDER BY period DESC",
            [indicator, breakdown, *wanted],
        )]

    def period_kinds(self, indicator: str, area: str, breakdown: str = "") -> list[str]:
        """Which period kinds a series has, e.g. ['month', 'year'] for ledighedsprocent."""
        return [
            kind for kind, predicate in _PERIOD_KIND_SQL.items()
            if self.db.execute(
                f"SELECT 1 FROM observations WHERE indicator = ? AND area = ? AND breakdown = ? AND {predicate} LIMIT 1",
                [indicator, area, breakdown],
            ).fetchone()
        ]

    def breakdowns(self, indicator: str, area: str) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT breakdown FROM observations WHERE indicator = ? AND area = ? ORDER BY breakdown",
            [indicator, area],
        ).fetchall()
        return [r[0] for r in rows]

    def iter_observations(self) -> Iterator[Observation]:
        cursor = self.db.execute(
            "SELECT indicator, area, period, breakdown, value, unit, source, provisional, fetched_at "
            "FROM observations ORDER BY indicator, area, breakdown, period"
        )
        for row in cursor:
            yield self._observation(row)

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM observations").fetchone()[0]

    def sources_summary(self) -> list[dict]:
        """Per source: rows, newest period, newest fetch; eksempeldata is one of them."""
        rows = self.db.execute(
            "SELECT source, count(*), max(period), max(fetched_at) FROM observations "
            "GROUP BY source ORDER BY source"
        ).fetchall()
        return [
            {"source": r[0], "rows": r[1], "newest_period": r[2], "fetched_at": r[3],
             "sample_data": r[0] == SAMPLE_SOURCE}
            for r in rows
        ]

    def revision_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM revisions").fetchone()[0]
