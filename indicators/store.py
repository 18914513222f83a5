"""The SQLite store: observations, revisions, refresh runs and areas (I/O).

All of the data side's SQL lives here. Tables are created and changed by sqlite-utils
migrations; each load runs in one transaction, so a failed refresh leaves the store as it was.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from typing import Self

from indicators import periods, validation
from indicators.catalogue import Areas, default_areas, default_catalogue
from indicators.database import Database, Migrations
from indicators.types import SAMPLE_SOURCE, Observation, file_name, observations_of_rows
from indicators.wording import wording

log = logging.getLogger(__name__)

MIGRATION_SET = "faktabot-indicators"
migrations = Migrations(MIGRATION_SET)
# Data repairs are a set of their own, applied after the schema: they change rows, not tables.
repairs = Migrations(MIGRATION_SET + "-repairs")
# The tables a complete store has once the migrations ran; a file lacking one is not a store.
REQUIRED_TABLES = frozenset({"observations", "revisions", "refresh_runs", "areas"})

# Period kinds as SQL predicates on the store's spelling (2026-05, 2026-Q2, 2026).
_PERIOD_KIND_SQL = {
    "month": "length(period) = 7 AND substr(period, 6, 1) <> 'Q'",
    "quarter": "substr(period, 6, 1) = 'Q'",
    "year": "length(period) = 4",
}


# The hot statements, named so that tests/test_query_plans.py checks the product's own SQL with
# EXPLAIN QUERY PLAN: each must search an index, never scan observations.
OBSERVATION_COLUMNS = "indicator, area, period, breakdown, value, unit, source, provisional, fetched_at"
SERIES_SQL = (f"SELECT {OBSERVATION_COLUMNS} FROM observations "
              "WHERE indicator = ? AND area = ? AND breakdown = ?")
GET_SQL = (f"SELECT {OBSERVATION_COLUMNS} FROM observations "
           "WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ?")
DELETE_OBSERVATION_SQL = "DELETE FROM observations WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ?"
# A load's removal of eksempeldata from a series real figures now cover: one range of the series key.
DELETE_SAMPLE_SERIES_SQL = ("DELETE FROM observations WHERE indicator = ? AND area = ? AND breakdown = ? "
                            f"AND source = '{SAMPLE_SOURCE}'")


def _marks(count: int) -> str:
    return ", ".join("?" * count)


# What a refresh compares against, per series it brings: the stored rows from the series' first
# period in the run on (a range of the series key), not the series' whole history. The series
# of one indicator and breakdown that start alike are read together, one range per area.
def stored_series_sql(areas: int) -> str:
    return ("SELECT area, period, value, unit, source, provisional FROM observations "
            f"WHERE indicator = ? AND breakdown = ? AND period >= ? AND area IN ({_marks(areas)})")


# Areas per statement: below SQLite's smallest limit on bound parameters (999 before 3.32).
STORED_SERIES_AREAS = 500


def sample_series_sql(indicators: int, areas: int, breakdowns: int) -> str:
    """Which of these series hold eksempeldata (the partial index of eksempeldata rows answers it)."""
    return (f"SELECT DISTINCT indicator, area, breakdown FROM observations WHERE source = '{SAMPLE_SOURCE}' "
            f"AND indicator IN ({_marks(indicators)}) AND area IN ({_marks(areas)}) "
            f"AND breakdown IN ({_marks(breakdowns)})")


def held_sql(indicators: int, areas: int | None = None, breakdowns: int | None = None) -> str:
    """What the refresh settles against: (value, source) of `indicators` indicators' rows; with
    `areas` and `breakdowns`, of those series only (a seek per series in the series key)."""
    return ("SELECT indicator, area, period, breakdown, value, source FROM observations "
            f"WHERE indicator IN ({_marks(indicators)})"
            + (f" AND area IN ({_marks(areas)}) AND breakdown IN ({_marks(breakdowns)})"
               if areas is not None and breakdowns is not None else ""))


# The statements an answer runs are made once per shape (kind, number of areas …), not per answer: the
# text of a ranking's read of 98 kommuner took 11 µs to build, and sqlite3 finds its prepared statement
# by that text (a string made once also keeps its hash).
@lru_cache(maxsize=256)
def series_sql(kind: str | None = None) -> str:
    """An answer's or a rule's read of one series (indicator, area, breakdown), optionally of one period kind."""
    return SERIES_SQL + (f" AND {_PERIOD_KIND_SQL[kind]}" if kind else "") + " ORDER BY period"


@lru_cache(maxsize=256)
def series_tail_sql(kind: str | None = None) -> str:
    """A series' newest rows (of one period kind), newest first: a backwards range of the series
    index, the last few years of a series without reading its whole history."""
    return SERIES_SQL + (f" AND {_PERIOD_KIND_SQL[kind]}" if kind else "") + " ORDER BY period DESC LIMIT ?"


def period_kind_sql(kind: str) -> str:
    """Whether a series has any period of `kind`."""
    return (f"SELECT 1 FROM observations WHERE indicator = ?1 AND area = ?2 AND breakdown = ?3 "
            f"AND {_PERIOD_KIND_SQL[kind]} LIMIT 1")


# Which period kinds a series has, in one statement: an index probe per kind, not a statement each.
PERIOD_KINDS_SQL = "SELECT " + ", ".join(f"EXISTS ({period_kind_sql(kind)})" for kind in _PERIOD_KIND_SQL)


@lru_cache(maxsize=256)
def newest_sql(breakdowns: int) -> str:
    """The newest row (by period, as a series orders it) of each of `breakdowns` series of one
    indicator and area: one backwards seek per series on the series key (?1, ?2, then the
    breakdowns), not a read of every row of every series."""
    return " UNION ALL ".join(
        f"SELECT * FROM (SELECT {OBSERVATION_COLUMNS} FROM observations WHERE indicator = ?1 AND area = ?2 "
        f"AND breakdown = ?{number} ORDER BY period DESC LIMIT 1)" for number in range(3, breakdowns + 3))


# Series per newest statement: below SQLite's limit of 500 terms in a compound SELECT.
NEWEST_BREAKDOWNS = 100


# Breakdowns per statement of `values_sql`: below SQLite's smallest limit on bound parameters.
LISTED_BREAKDOWNS = 500
# `fullest_period` checks at most this many periods that the few lacking areas all have, one count
# each (about 0.08 ms for 98 kommuner), before it counts rows per period instead.
FULLEST_PROBES = 4
# SQLite's sum() adds with Neumaier's compensation from 3.43 on, Python's sum() of floats from 3.12 on:
# where both do or neither does, a sum in SQL is bit for bit Python's over the same values in order.
SQL_SUMS_AS_PYTHON = (sqlite3.sqlite_version_info >= (3, 43)) == (sys.version_info >= (3, 12))


@lru_cache(maxsize=256)
def values_sql(breakdowns: int) -> str:
    """One period's row of `breakdowns` series of one indicator and area (a breakdown listing)."""
    return (f"SELECT {OBSERVATION_COLUMNS} FROM observations WHERE indicator = ? AND area = ? AND period = ? "
            f"AND breakdown IN ({_marks(breakdowns)})")


# The breakdowns of one indicator and area, in order: one index seek per breakdown (the next one
# after the last found), not a read of every row of every breakdown, which grows with the years.
BREAKDOWNS_SQL = (
    "WITH RECURSIVE found(breakdown) AS ("
    "SELECT min(breakdown) FROM observations WHERE indicator = ?1 AND area = ?2 "
    "UNION ALL SELECT (SELECT min(breakdown) FROM observations WHERE indicator = ?1 AND area = ?2 "
    "AND breakdown > found.breakdown) FROM found WHERE found.breakdown IS NOT NULL) "
    "SELECT breakdown FROM found WHERE breakdown IS NOT NULL")


# The distinct areas of indicator ?1 (and a last NULL), by skipping from one area to the next in the series key.
_AREAS_FOUND = ("found(area) AS (SELECT min(area) FROM observations WHERE indicator = ?1 "
                "UNION ALL SELECT (SELECT min(area) FROM observations WHERE indicator = ?1 AND area > found.area) "
                "FROM found WHERE found.area IS NOT NULL)")


# The derived engine's columns of an input row, in `indicators.derived._Inputs`' order.
INPUT_COLUMNS = "area, period, value, source, provisional, unit"


def series_inputs_sql(areas: int | None, since: bool = False) -> str:
    """The derived engine's read of one series (?1 the indicator, then the areas, the breakdown and,
    with `since`, the first period): in `areas` areas, or with None in every area the indicator has,
    found by skipping from one to the next in the series key (with no area named, the key's area
    between indicator and breakdown made SQLite read every row of every breakdown of the indicator:
    at scale, a million rows of fuldtidspersoner for the tenth of them wanted). Only the columns the
    formulas use, as `_Inputs` keeps them: no tuple is made again per row."""
    return ((f"WITH RECURSIVE {_AREAS_FOUND} " if areas is None else "")
            + f"SELECT {INPUT_COLUMNS} FROM observations WHERE indicator = ?1 AND area IN "
            + ("(SELECT area FROM found WHERE area IS NOT NULL)" if areas is None else f"({_marks(areas)})")
            + " AND breakdown = ?" + (" AND period >= ?" if since else ""))


def derived_keys_sql(indicators: int, areas: int | None = None) -> str:
    """The keys (and formula) of the stored rows a formula made, of `indicators` (in `areas`): the
    provenance rows first, each checked by a seek on its full key. As a join, SQLite could begin at
    observations and read every row of the indicators (at scale, a second for a thousand keys)."""
    return ("SELECT d.indicator, d.area, d.period, d.breakdown, d.formula FROM derived_inputs d "
            f"WHERE d.indicator IN ({_marks(indicators)})"
            + (f" AND d.area IN ({_marks(areas)})" if areas is not None else "")
            + " AND EXISTS (SELECT 1 FROM observations WHERE indicator = d.indicator AND area = d.area "
              "AND breakdown = d.breakdown AND period = d.period)")


ANY_OBSERVATION_SQL = "SELECT 1 FROM observations LIMIT 1"
# Whether a series (indicator and breakdown) has a value in any area: a seek per known area on the
# series key, the area between indicator and breakdown in its key.
HAS_SERIES_SQL = ("SELECT 1 FROM observations WHERE indicator = ? AND area IN (SELECT code FROM areas) "
                  "AND breakdown = ? LIMIT 1")
# Table fingerprints (indicators.refresh): a seek on the key; a write forgets those of the series
# it wrote (indicator and breakdown; a row per fetched table, a few dozen: scanned, not indexed).
FINGERPRINT_SQL = "SELECT fingerprint, summary FROM table_fingerprints WHERE source = ? AND table_id = ?"
FORGET_FINGERPRINTS_SQL = ("DELETE FROM table_fingerprints WHERE EXISTS (SELECT 1 FROM json_each(series) AS i "
                           "WHERE i.value IN (SELECT value FROM json_each(?)))")
# The first row's unit of a series in some areas, in the series key's order: one seek.
FIRST_UNIT_SQL = ("SELECT unit FROM observations WHERE indicator = ? AND breakdown = ? AND area IN ({areas}) "
                  "ORDER BY area, period LIMIT 1")
# Whether a series holds a row that is not eksempeldata: a range of the series key.
REAL_FIGURE_SQL = ("SELECT 1 FROM observations WHERE indicator = ? AND area = ? AND breakdown = ? "
                   f"AND source <> '{SAMPLE_SOURCE}' LIMIT 1")
# Whether a formula has stored any value yet: a seek on derived_inputs' key.
DERIVED_ANY_SQL = "SELECT 1 FROM derived_inputs WHERE indicator = ? LIMIT 1"


# The distinct areas of an indicator by skipping from one area to the next in the series key.
AREAS_OF_SQL = f"WITH RECURSIVE {_AREAS_FOUND} SELECT area FROM found WHERE area IS NOT NULL LIMIT ?2"


@lru_cache(maxsize=256)
def cross_section_sql(periods: int, areas: int) -> str:
    """A ranking's read: one indicator's values for `periods` periods across `areas` areas. Only
    the columns the parameters do not already say (not the indicator and breakdown, nor the period
    when it is one): each column of 98 rows is a Python object made per row."""
    return (f"SELECT area, {'period, ' if periods > 1 else ''}value, unit, source, provisional, fetched_at "
            "FROM observations WHERE indicator = ? AND breakdown = ? "
            f"AND value IS NOT NULL AND period IN ({_marks(periods)}) AND area IN ({_marks(areas)}) "
            "ORDER BY area, period")


@lru_cache(maxsize=256)
def cross_section_values_sql(kind: str, areas: int) -> str:
    """A ranking's read of a year made of months: only what the averages need (area, period, value,
    source) of every period of one kind from one to another across `areas` areas, in area and period
    order; a range of the series key per area, not a seek per area and period."""
    return ("SELECT area, period, value, source FROM observations WHERE indicator = ? AND breakdown = ? "
            f"AND value IS NOT NULL AND period >= ? AND period <= ? AND {_PERIOD_KIND_SQL[kind]} "
            f"AND area IN ({_marks(areas)}) ORDER BY area, period")


@lru_cache(maxsize=256)
def complete_totals_sql(kind: str, areas: int, one_year: bool = False) -> str:
    """A ranking's read of a year made of months, summed in SQL: per area of `areas` the sum of its
    published values of one kind from one period to another when it has as many as asked (NULL
    otherwise), whether any of them is eksempeldata, and the row of the last period (unit, source,
    provisional flag, fetch time; NULLs where the area has none). 98 rows instead of 1,200 values
    through Python. Each area's sum is one range of the series key, walked in period order, so it
    adds them as Python's `sum()` over `cross_section_values` does (see `SQL_SUMS_AS_PYTHON`); a
    correlated sum per area, not a GROUP BY over every area's rows, which compared each row's area
    with the one before and counted the eksempeldata row by row: a third more work per row (the
    year ranking's read was half of its answer). Whether one is eksempeldata is a seek in the partial
    index of eksempeldata rows (named: SQLite would test each row's source in the table instead); of
    an area with every value, each row in the range is a published value.
    Parameters: indicator, breakdown, first, last, how many values make it whole, then the areas;
    the rows are in the areas' order. `one_year`: the first and last period are of one year, so no
    other kind's spelling sorts between them ('2025' < '2025-01' … '2025-12' < '2025-Q1') and the
    range needs no test of each period's kind."""
    in_range = ("indicator = ?1 AND area = a.column1 AND breakdown = ?2 AND period >= ?3 AND period <= ?4"
                + ("" if one_year else f" AND {_PERIOD_KIND_SQL[kind]}"))
    listed = ", ".join(f"(?{number})" for number in range(6, areas + 6))
    return (f"SELECT a.column1, (SELECT CASE WHEN count(value) = ?5 THEN sum(value) END FROM observations "
            f"WHERE {in_range}), EXISTS (SELECT 1 FROM observations INDEXED BY idx_observations_sample WHERE {in_range} "
            f"AND source = '{SAMPLE_SOURCE}'), o.unit, o.source, o.provisional, o.fetched_at "
            f"FROM (VALUES {listed}) AS a LEFT JOIN observations AS o ON o.indicator = ?1 AND o.area = a.column1 "
            "AND o.period = ?4 AND o.breakdown = ?2 AND o.value IS NOT NULL")


@lru_cache(maxsize=256)
def last_periods_sql(kind: str) -> str:
    """A series' newest periods of one kind, newest first, from the series key alone."""
    return ("SELECT period, value FROM observations WHERE indicator = ? AND area = ? AND breakdown = ? "
            f"AND {_PERIOD_KIND_SQL[kind]} ORDER BY period DESC LIMIT ?")


@lru_cache(maxsize=256)
def rows_per_period_sql(kind: str, areas: int, since: bool = False) -> str:
    """How many of `areas` areas have a row (published or not) per period of one kind (`since`:
    from a period on), newest first: one range of the series key per area, counted in place (an
    upper bound of the coverage)."""
    return ("SELECT period, count(*) FROM observations WHERE indicator = ? AND breakdown = ? "
            f"AND {_PERIOD_KIND_SQL[kind]} AND area IN ({_marks(areas)}) " + ("AND period >= ? " if since else "")
            + "GROUP BY period ORDER BY period DESC")


@lru_cache(maxsize=256)
def held_by_all_sql(kind: str, areas: int) -> str:
    """The periods of one kind in which every one of `areas` (a few) has a published value, newest
    first: where a ranking's newest period with every kommune can be, when these few lack one."""
    return ("SELECT period FROM observations WHERE indicator = ? AND breakdown = ? AND value IS NOT NULL "
            f"AND {_PERIOD_KIND_SQL[kind]} AND area IN ({_marks(areas)}) GROUP BY period HAVING count(*) = ? "
            "ORDER BY period DESC")


@lru_cache(maxsize=256)
def published_in_period_sql(areas: int) -> str:
    """How many of `areas` areas have a published value for one period."""
    return ("SELECT count(*) FROM observations WHERE indicator = ? AND breakdown = ? AND period = ? "
            f"AND value IS NOT NULL AND area IN ({_marks(areas)})")


@lru_cache(maxsize=256)
def period_coverage_sql(kind: str, areas: int) -> str:
    """How many of `areas` areas have a value per period of one kind (a ranking's period choice)."""
    return ("SELECT period, count(DISTINCT area) FROM observations WHERE indicator = ? AND breakdown = ? "
            f"AND value IS NOT NULL AND {_PERIOD_KIND_SQL[kind]} AND area IN ({_marks(areas)}) "
            "GROUP BY period ORDER BY period DESC")


class StoreError(Exception):
    """The store cannot be used; the message says why and what to do.

    `reason` is the why alone, without the advice, for a caller whose advice differs: a refused
    backup needs another backup, not the live store's repair (`restore`).
    """

    def __init__(self, message: str, *, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


class StoreMissing(StoreError):
    pass


class NotAStore(StoreError):
    pass


class StoreCorrupt(StoreError):
    pass


def _operational(error: sqlite3.OperationalError, path: Path) -> StoreError | None:
    """A read-only or full disk, or a store another process keeps locked, as one line that says what
    to do; None for anything else."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        # SQLite's own words (»unable to open database file«, English) say no more than the message.
        return StoreError(wording("store_not_writable", path=path, name=path.name))
    if (busy := busy_store(error, path)) is not None:
        return busy
    if "disk is full" in text or "disk i/o error" in text:
        return StoreError(
            wording("store_disk_full", path=path, error=error)
        )
    if "malformed" in text or "not a database" in text:
        return _damaged(path, error)
    return None


def busy_store(error: sqlite3.OperationalError, path: Path) -> StoreError | None:
    """SQLite's »database is locked« as one line that says what to do; None for another error.

    Another process (the service's refresh, a second `faktabot refresh`, an upgrade's migration) held
    its write lock past busy_timeout, and this one's transaction was rolled back: nothing was written.
    """
    text = str(error).lower()
    if "database is locked" in text or "database table is locked" in text:
        return StoreError(wording("store_busy", path=path))
    return None


def sqlite_said(error: Exception) -> str:
    """SQLite's own words for a file it cannot read (English: »file is not a database«, »database disk
    image is malformed«) in Danish; anything else as SQLite says it."""
    text = str(error)
    if "malformed" in text:
        return wording("store_error_malformed")
    if "not a database" in text:
        return wording("store_error_not_sqlite")
    return text


def _corrupt_message(path: Path, detail: str) -> str:
    return wording("store_damaged", path=path, detail=detail, name=path.name)


def _damaged(path: Path, error: Exception) -> StoreCorrupt:
    """A file SQLite finds damaged, said with what to do and SQLite's reason in Danish."""
    said = sqlite_said(error)
    return StoreCorrupt(_corrupt_message(path, said), reason=wording("store_reason_damaged", detail=said))


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


@migrations()
def m006_sample_series_index(db: Database) -> None:
    # A refresh removes eksempeldata from every series real figures now cover; this partial index
    # (eksempeldata rows only, nothing for real figures to maintain) finds those series at once.
    db.execute(f"CREATE INDEX idx_observations_sample ON observations (indicator, area, breakdown, period) "
               f"WHERE source = '{SAMPLE_SOURCE}'")


@migrations()
def m007_observations_clustered_by_series(db: Database) -> None:
    # The observations live in their series' order: a WITHOUT ROWID table whose primary key is
    # (indicator, area, breakdown, period). Every read of answers, rankings and rules seeks that
    # order and finds the whole row there, with no second lookup in a rowid table; every write
    # maintains one B-tree instead of three (rowid table, primary key, series index). The key's
    # columns are the same four, so what is unique is unchanged. A store's rows are copied once.
    db.execute(
        """
        CREATE TABLE observations_by_series (
            indicator TEXT NOT NULL,
            area TEXT NOT NULL,
            period TEXT NOT NULL,
            breakdown TEXT NOT NULL DEFAULT '',
            value REAL,
            unit TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            provisional INTEGER NOT NULL DEFAULT 0,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (indicator, area, breakdown, period)
        ) WITHOUT ROWID
        """
    )
    db.execute("INSERT INTO observations_by_series (indicator, area, period, breakdown, value, unit, source, "
               "provisional, fetched_at) SELECT indicator, area, period, breakdown, value, unit, source, provisional, "
               "fetched_at FROM observations ORDER BY indicator, area, breakdown, period")
    db.execute("DROP TABLE observations")  # its indexes go with it
    db.execute("ALTER TABLE observations_by_series RENAME TO observations")
    db.execute(f"CREATE INDEX idx_observations_sample ON observations (indicator, area, breakdown, period) "
               f"WHERE source = '{SAMPLE_SOURCE}'")


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
                moment = moment.replace(tzinfo=UTC)
            fixed = moment.astimezone(UTC).isoformat(timespec="seconds")
            db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [fixed, value])


# The derived engine's provenance table has its own migration set, so it can be added to and
# removed from a store without renumbering the observation store's migrations.
DERIVED_MIGRATION_SET = "faktabot-indicators-derived"
derived_migrations = Migrations(DERIVED_MIGRATION_SET)


@derived_migrations()
def m001_derived_inputs(db: Database) -> None:
    # Provenance of derived values (indicators.derived): which formula made a row and from which
    # sources; a row computed from eksempeldata has source `eksempeldata` in observations.
    db.execute(
        """
        CREATE TABLE derived_inputs (
            indicator TEXT NOT NULL,
            area TEXT NOT NULL,
            period TEXT NOT NULL,
            breakdown TEXT NOT NULL,
            formula TEXT NOT NULL,
            inputs TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (indicator, area, period, breakdown)
        )
        """
    )


@derived_migrations()
def m002_derived_formulas(db: Database) -> None:
    # The formulas computed in every area at least once (indicators.derived.never_stored). A formula
    # whose every value yields to another source (eksempeldata of the indicator itself, say) stores
    # none: without this row, every refresh computed it everywhere again, from its inputs' whole history.
    db.execute("CREATE TABLE derived_formulas (indicator TEXT PRIMARY KEY, computed_at TEXT NOT NULL)")


@derived_migrations()
def m003_derived_owed(db: Database) -> None:
    # What the derived step still owes (indicators.derived): per input (indicator, area) a load
    # changed, the earliest year it changed. Written in the load's own transaction and cleared in the
    # derived step's, so a crash between the two leaves the work owed, not forgotten: the next
    # refresh or `faktabot run`'s start-up does it. Empty but for that moment.
    db.execute(
        """
        CREATE TABLE derived_owed (
            indicator TEXT NOT NULL,
            area TEXT NOT NULL,
            since TEXT NOT NULL,
            PRIMARY KEY (indicator, area)
        )
        """
    )


# The outcome of each table (or file) of a refresh run, a set of its own like the derived one.
# When a table last landed (`refresh_tables` status ok), also when a run read it again unchanged
# and wrote nothing: the start of the newest such run. `faktabot status` and an answer's source line
# both date a table by this, so the two never disagree. Newest run first, by the index on the runs'
# starts: the first run probed has the table, so it is a few seeks however long the history grows.
TABLE_LAST_READ_SQL = ("SELECT r.started_at FROM refresh_runs r JOIN refresh_tables o ON o.run_id = r.id "
                       "WHERE r.source = {source} AND o.source = {source} AND o.table_id = {table} "
                       "AND o.status = 'ok' ORDER BY r.started_at DESC LIMIT 1")

ONE_TABLE_LAST_READ_SQL = TABLE_LAST_READ_SQL.format(source="?1", table="?2")

TABLES_MIGRATION_SET = "faktabot-indicators-tables"
tables_migrations = Migrations(TABLES_MIGRATION_SET)


@tables_migrations()
def m001_refresh_tables(db: Database) -> None:
    # One row per table of a source run (indicators.refresh): each table lands or fails on its own.
    db.execute(
        """
        CREATE TABLE refresh_tables (
            run_id INTEGER NOT NULL,
            source TEXT NOT NULL,
            table_id TEXT NOT NULL,
            status TEXT NOT NULL,
            rows INTEGER NOT NULL DEFAULT 0,
            inserted INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            finished_at TEXT NOT NULL,
            PRIMARY KEY (run_id, table_id)
        )
        """
    )


@tables_migrations()
def m002_table_fingerprints(db: Database) -> None:
    # What produced each table's stored rows when its last load changed nothing (indicators.refresh):
    # a run whose answer gives the same fingerprint again skips normalising, settling and the load.
    # `series` lists the table's "indicator[breakdown]"s: any write to one of them removes the row
    # (Store._forget_fingerprints), so a skip can never hide a change made since; it lives in the
    # store file, so a backup carries it with its rows.
    db.execute(
        """
        CREATE TABLE table_fingerprints (
            source TEXT NOT NULL,
            table_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            series TEXT NOT NULL,
            summary TEXT NOT NULL,
            PRIMARY KEY (source, table_id)
        )
        """
    )


@tables_migrations()
def m003_refresh_runs_started(db: Database) -> None:
    # A table's last read (TABLE_LAST_READ_SQL) walks its source's runs newest first.
    db.execute("CREATE INDEX idx_refresh_runs_started ON refresh_runs (source, started_at)")


# What the newest `faktabot sources --check` found of each unverified catalogue source, a set of
# its own like the derived one: the scheduled refresh fetches a guess once a check confirmed it.
CHECKS_MIGRATION_SET = "faktabot-indicators-checks"
checks_migrations = Migrations(CHECKS_MIGRATION_SET)


@checks_migrations()
def m001_source_checks(db: Database) -> None:
    # One row per unverified source (indicators.connectors.source_key): the key names the table,
    # measure and hierarchies, so a new catalogue guess is unconfirmed until it is checked.
    db.execute(
        """
        CREATE TABLE source_checks (
            source_key TEXT PRIMARY KEY,
            indicator TEXT NOT NULL,
            found INTEGER NOT NULL,
            checked_at TEXT NOT NULL
        )
        """
    )


@repairs()
def r001_repair_bad_rows(db: Database) -> None:
    """Repair what older versions let in: impossible periods, non-finite or implausible values, and
    NULLs written over a real value. A value is restored from its revisions when one was good;
    otherwise the row is moved to `quarantine`, with the reason, for an operator to inspect."""
    db.execute(
        """
        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            indicator TEXT, area TEXT, period TEXT, breakdown TEXT, value REAL, unit TEXT,
            source TEXT, provisional INTEGER, fetched_at TEXT,
            reason TEXT NOT NULL,
            quarantined_at TEXT NOT NULL
        )
        """
    )
    repair_bad_rows(db, utc_now())


def repair_bad_rows(db: Database, now: str) -> tuple[int, int]:
    """Restore (from revisions) or quarantine every stored row that cannot hold a figure; returns both counts."""
    catalogue = default_catalogue()
    this_year = int(now[:4])
    conn = db.conn
    restored = quarantined = 0
    rows = conn.execute(
        "SELECT indicator, area, period, breakdown, value, unit, source, provisional, fetched_at FROM observations"
    ).fetchall()
    for indicator, area, period, breakdown, value, unit, source, provisional, fetched_at in rows:
        # A row is addressed by its key (the table has no rowid; the key is unique and NOT NULL).
        key = [indicator, area, period, breakdown]
        obs = Observation(indicator, area, str(period), value, breakdown, unit, source, bool(provisional), fetched_at)
        reason = (validation.observation_problem(obs, catalogue, this_year) if isinstance(period, str)
                  else f"period {period!r} is not text")
        if reason is None and value is None:
            # A NULL is "not published"; it is wrong only when it replaced a real value.
            last = conn.execute(
                "SELECT old_value FROM revisions WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ? "
                "ORDER BY id DESC LIMIT 1", [indicator, area, period, breakdown]).fetchone()
            if last is not None and last[0] is not None:
                reason = "NULL written over a real value"
        if reason is None:
            continue
        good = None
        if not validation.period_problem(str(period), this_year):
            for old_value, old_source in conn.execute(
                    "SELECT old_value, old_source FROM revisions WHERE indicator = ? AND area = ? AND period = ? "
                    "AND breakdown = ? ORDER BY id DESC", [indicator, area, period, breakdown]):
                candidate = Observation(indicator, area, period, old_value, breakdown, unit, old_source or source)
                if old_value is not None and validation.observation_problem(candidate, catalogue, this_year) is None:
                    good = (old_value, old_source or source)
                    break
        conn.execute(
            "INSERT INTO quarantine (indicator, area, period, breakdown, value, unit, source, provisional, "
            "fetched_at, reason, quarantined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [indicator, area, period, breakdown, value, unit, source, provisional, fetched_at, reason, now],
        )
        if good is not None:
            conn.execute("UPDATE observations SET value = ?, source = ? WHERE indicator = ? AND area = ? "
                         "AND period = ? AND breakdown = ?", [*good, *key])
            restored += 1
        else:
            conn.execute("DELETE FROM observations WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ?",
                         key)
            quarantined += 1
        log.warning("store repair: %s %s %s %r: %s; %s", indicator, area, period, breakdown, reason,
                    "restored the last good value" if good is not None else "moved to quarantine")
    if (restored or quarantined) and db["table_fingerprints"].exists():
        conn.execute("DELETE FROM table_fingerprints")  # the repaired rows no longer match what made them
    return restored, quarantined


def _series_name(series: tuple[str, str]) -> str:
    """(indicator, breakdown) as the catalogue spells a term: ledighed, fuldtidspersoner[ydelse=Kontanthjælp]."""
    return f"{series[0]}[{series[1]}]" if series[1] else series[0]


@dataclass(frozen=True, slots=True)
class LoadResult:
    rows: int
    inserted: int
    updated: int
    replaced_sample: int = 0  # eksempeldata rows removed because real figures now cover the series
    # (indicator, area) of every row this load inserted, changed or removed: what derived values follow.
    changed: frozenset[tuple[str, str]] = frozenset()
    # The earliest year of each of those (the year's text, which sorts before each of its periods: 2026
    # < 2026-01 < 2026-Q1); "" where eksempeldata was removed, however far back (`indicators.derived`
    # recomputes each area from there on).
    since: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def unchanged(self) -> int:
        return self.rows - self.inserted - self.updated


class StoredRows(dict):
    """Stored rows by key, `(value, unit, source, provisional)`, read at SQLite's `data_version`
    `version`: a load may use them instead of reading again while no other connection committed."""

    def __init__(self, version: int):
        super().__init__()
        self.version = version
        # The keys whose source is eksempeldata, by series (indicator, area, breakdown).
        self.samples: dict[tuple[str, str, str], set[tuple[str, str, str, str]]] = {}

    def sample(self, key: tuple[str, str, str, str]) -> None:
        self.samples.setdefault((key[0], key[1], key[3]), set()).add(key)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _open_to_check(path: Path) -> sqlite3.Connection:
    """A read-only connection to the file at `path`, for looking at its tables only."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as error:
        conn.close()
        if "unable to open" not in str(error):
            raise
    # A store in WAL mode cannot be opened even to read where its folder or file may not be written
    # (SQLite makes the -shm file first): that is a store Faktabot may not write, not a foreign file.
    # Its tables are read as an unchanging file instead, so the opening after this check says what
    # it is (store_not_writable), and a backup on a read-only share is checked as any other.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        conn.close()
        if "unable to open" not in str(error):
            raise
        # Not even readable (its permissions): no file to judge, and nothing to say it is foreign.
        raise StoreError(wording("store_not_readable", path=path, name=path.name)) from None
    return conn


def _check_is_store(path: Path, *, create: bool) -> None:
    """Refuse a file that is not a complete Faktabot store without writing a byte to it.

    Only a path with no file at all may become a new store (with `create`): an empty or table-less
    file is more likely a store lost to a full disk or a bad copy than a wish for a new one.
    """
    if not path.exists():
        return
    if path.is_dir():
        raise NotAStore(wording("store_is_folder", path=path), reason=wording("store_reason_folder"))
    if path.stat().st_size == 0:
        raise NotAStore(
            wording("store_empty_file", path=path, name=path.name), reason=wording("store_reason_empty")
        )
    try:
        conn = _open_to_check(path)
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
        if "malformed" in str(error):  # a cut-off copy: damaged, with the backup as the way back
            raise _damaged(path, error) from None
        raise NotAStore(
            wording("store_foreign", path=path, error=sqlite_said(error)),
            reason=wording("store_reason_foreign", error=sqlite_said(error)),
        ) from None
    if tables and not ours:
        listed = ", ".join(sorted(tables)[:5])
        raise NotAStore(
            wording("store_foreign_sqlite", path=path, tables=listed),
            reason=wording("store_reason_foreign_sqlite", tables=listed),
        )
    if not tables and not create:
        raise NotAStore(
            wording("store_no_tables", path=path, name=path.name), reason=wording("store_reason_no_tables")
        )
    missing = sorted(REQUIRED_TABLES - tables) if ours else []
    if missing:
        raise NotAStore(
            wording("store_incomplete", path=path, tables=", ".join(missing), name=path.name),
            reason=wording("store_reason_incomplete", tables=", ".join(missing)),
        )


def restore(source: Path, target: Path) -> int:
    """Put the backup at `source` in place of the store at `target`; returns its observation count.

    The backup is checked first on a scratch copy (a Faktabot store, complete, migrated to this
    version, `quick_check` clean), so a foreign or damaged file never touches the live store. The
    copy then goes in through SQLite's backup API, in one locked step, so a running service sees
    either the old store or the restored one, never a mix.
    """
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise StoreMissing(wording("store_no_backup", path=source))
    try:
        _check_is_store(source, create=False)  # NotAStore for an empty, foreign or incomplete file
    except (NotAStore, StoreCorrupt) as error:
        raise _refused_backup(source, target, error) from None
    scratch = target.with_name(target.name + ".restoring")
    scratch.unlink(missing_ok=True)
    try:
        shutil.copyfile(source, scratch)
        try:
            with Store(scratch) as checked:
                checked.quick_check()
                count = checked.count()
                checked.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except (NotAStore, StoreCorrupt) as error:
            # The scratch copy's fault is the backup's: its messages would name the scratch file
            # and tell the operator to repair the live store, which is untouched.
            raise _refused_backup(source, target, error) from None
        if not target.exists():
            _create_private(target)
        incoming = sqlite3.connect(scratch)
        live = sqlite3.connect(target)
        try:
            live.execute("PRAGMA busy_timeout = 10000")  # wait for a running service's write to finish
            incoming.backup(live)
        except sqlite3.OperationalError as error:
            found = _operational(error, target)
            raise (found or StoreError(wording("store_cannot_restore", path=target, error=error))) from None
        finally:
            live.close()
            incoming.close()
    finally:
        for leftover in (scratch, scratch.with_name(scratch.name + "-wal"), scratch.with_name(scratch.name + "-shm")):
            leftover.unlink(missing_ok=True)
    return count


def _refused_backup(source: Path, target: Path, error: StoreError) -> NotAStore:
    return NotAStore(wording("store_backup_refused", path=source, reason=error.reason, store=target))


def _create_private(path: Path) -> None:
    """Create the store file readable by its owner only; SQLite gives -wal and -shm the same mode."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as error:
        # The operating system's own words (»No such file or directory«) are English.
        reason = ("store_no_folder" if isinstance(error, FileNotFoundError)
                  else "store_not_allowed" if isinstance(error, PermissionError) else None)
        said = wording(reason, folder=path.parent) if reason else error.strerror
        raise StoreError(wording("store_cannot_create", path=path, error=said)) from None


# How many distinct reads a Store keeps (each a series of at most a few hundred small rows).
READ_CACHE_ENTRIES = 4096


# Pieces of a store row (indicator, area, period, breakdown, value, unit, source, provisional,
# fetched_at), taken in C by a load's column-wise steps instead of a Python loop per row.
_KEY, _HELD, _SERIES, _PLACE = itemgetter(0, 1, 2, 3), itemgetter(4, 5, 6, 7), itemgetter(0, 3), itemgetter(0, 1)
_SERIES_KEY = itemgetter(0, 1, 3)  # (indicator, area, breakdown)
_SOURCE, _VALUE, _PERIOD, _FETCHED_AT = (itemgetter(i) for i in (6, 4, 2, 8))


def _year_of(row: tuple) -> str:
    return row[2][:4]


def _all_storable(rows: list[tuple], this_year: int) -> bool:
    """True when every row passes `validation.store_problem`, decided per column: each distinct period
    once, the values by type, sum and bounds. False sends the load to the check row by row (which
    names the rows), so a False here refuses nothing by itself."""
    limit = validation.ABSOLUTE_LIMIT
    if not validation.figures_within(list(map(_VALUE, rows)), -limit, limit):
        return False
    found = set(map(_PERIOD, rows))
    return validation.storable_periods(found, this_year) == found


class Store:
    """One connection to the store; open one per thread (sqlite3 connections are thread-bound)."""

    def __init__(self, path: str | Path, *, create: bool = False, areas: Areas | None = None,
                 read_cache: int = READ_CACHE_ENTRIES):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreMissing(wording("store_missing", path=self.path))
        _check_is_store(self.path, create=create)
        new = not self.path.exists()
        if new:
            _create_private(self.path)
        # Reads that answers repeat (a series, its period kinds), kept until the store changes.
        self._reads: OrderedDict[tuple, object] = OrderedDict()
        self._read_version: tuple[int, int] | None = None
        self._read_cache = read_cache
        self._reading = 0  # how many `_cached` reads are under way (nested: an answer's own reads)
        # Period spellings found storable, per current year (plausibility depends on it): every
        # series repeats the same few hundred periods, so each is checked once per connection.
        self._good_periods: tuple[int, set[str]] = (0, set())
        try:
            # No sqlite-utils plugins: the store wants none, and looking for them reads every installed
            # package's metadata on each opening (a tenth of a command's start-up).
            self.db = Database(self.path, execute_plugins=False)
        except sqlite3.Error as error:
            raise StoreError(wording("store_cannot_open", path=self.path, error=error)) from None
        try:
            with self.translated():
                self.db.execute("PRAGMA busy_timeout = 5000")
                if self.db.journal_mode != "wal":
                    self.db.enable_wal()
                migrations.apply(self.db)
                derived_migrations.apply(self.db)
                tables_migrations.apply(self.db)
                checks_migrations.apply(self.db)
                repairs.apply(self.db)
                if create or self.db.execute("SELECT count(*) FROM areas").fetchone()[0] == 0:
                    self._sync_areas(areas or default_areas())
        except BaseException:
            self.db.close()
            raise

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Turn a read-only, full or damaged disk into a StoreError with a one-line fix."""
        try:
            yield
        except sqlite3.OperationalError as error:
            found = _operational(error, self.path)
            if found is None:
                raise
            raise found from None
        except sqlite3.DatabaseError as error:
            if "malformed" in str(error) or "not a database" in str(error):
                raise _damaged(self.path, error) from None
            raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction (nested ones are savepoints), its errors translated as above."""
        with self.translated(), self.db.atomic():
            yield

    @contextmanager
    def synced_once(self) -> Iterator[None]:
        """Commits inside neither wait for the disk nor checkpoint: WAL with `synchronous = NORMAL` and
        no automatic checkpoint. The first commit after it (the connection's settings back) makes
        them all durable with its one fsync and checkpoints them once. Each commit stays all or
        nothing and survives a crash of the process; only a power cut before that commit can lose
        them, which for a refresh's tables is the run interrupted a moment earlier (nothing of a
        table half kept). A full Jobindsats refresh commits a table at a time: 39 fsyncs, and its
        pages copied to the database by a checkpoint after each of the later tables, became 10."""
        execute = self.db.conn.execute
        before = execute("PRAGMA synchronous").fetchone()[0]
        checkpoint = execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        execute(f"PRAGMA synchronous = {min(int(before), 1)}")  # NORMAL, or OFF if it was
        execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            execute(f"PRAGMA synchronous = {int(before)}")
            execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")

    @contextmanager
    def page_cache(self, mebibytes: int) -> Iterator[None]:
        """A page cache of up to `mebibytes` inside (SQLite's default is 2 MiB), back as it was after,
        its pages freed. For a refresh's writes: its rows come in the answers' order, not the
        table's, and a table several times the default cache had its pages spilled to the WAL and
        read back mid-insert (a tenth less CPU for the inserts of a full Jobindsats refresh)."""
        before = self.db.conn.execute("PRAGMA cache_size").fetchone()[0]
        wanted = -1024 * mebibytes  # negative: KiB
        if before < 0 and before <= wanted or before > 0 and before * 4096 >= mebibytes * 1024 * 1024:
            yield  # already as large (a positive size is pages; 4 KiB the store's page size)
            return
        self.db.conn.execute(f"PRAGMA cache_size = {wanted}")
        try:
            yield
        finally:
            self.db.conn.execute(f"PRAGMA cache_size = {int(before)}")

    def quick_check(self) -> None:
        """Run SQLite's `PRAGMA quick_check`; raise StoreCorrupt, saying what to do, if the file is damaged."""
        try:
            found = [row[0] for row in self.db.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as error:
            raise _damaged(self.path, error) from None
        if found != ["ok"]:
            # SQLite may put many problems in one row, a line each: the message stays one line.
            lines = [line.strip() for row in found for line in str(row).splitlines()
                     if line.strip() and not line.startswith("***")]
            detail = "; ".join(lines[:3]) + (wording("store_damaged_more", count=len(lines) - 3) if len(lines) > 3 else "")
            raise StoreCorrupt(_corrupt_message(self.path, f"quick_check: {detail}"),
                               reason=wording("store_reason_damaged", detail=f"quick_check: {detail}"))

    def repair(self, now: str | None = None) -> tuple[int, int]:
        """Restore or quarantine stored rows that cannot hold a figure (the r001 repair, on demand)."""
        with self.transaction():
            return repair_bad_rows(self.db, now or utc_now())

    def close(self) -> None:
        self.db.close()

    def backup(self, target: Path) -> None:
        """A consistent copy of the whole store at `target` (a new file), taken while others write:
        `VACUUM INTO` reads one snapshot of the WAL database and writes a compact copy."""
        target = Path(target)
        if target.exists():
            stamp = datetime.now().strftime("%Y-%m-%d-%H%M")  # the server's clock, as its cron
            raise StoreError(wording("store_backup_exists", path=target, example=f"store-{stamp}.db"))
        if not target.parent.is_dir():
            raise StoreError(wording("store_backup_no_folder", path=target.parent))
        # The copy holds what the store holds (recipients, questions asked, deliveries): readable by
        # its owner only, as the store is. VACUUM INTO writes into an empty file it is given.
        _create_private(target)
        try:
            with self.translated():
                self.db.execute("VACUUM INTO ?", [str(target)])
        except BaseException:
            target.unlink(missing_ok=True)
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writes ---------------------------------------------------------------------------

    def _sync_areas(self, areas: Areas) -> None:
        rows = [
            (a.code, a.name, a.kind, a.region, json.dumps([*a.names, *a.aliases], ensure_ascii=False))
            for a in areas
        ]
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO areas (code, name, kind, region, aliases) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                "region = excluded.region, aliases = excluded.aliases",
                rows,
            )

    def load(self, observations: Iterable[Observation], *, now: str | None = None,
             replace_sample: bool = False, stored: StoredRows | None = None) -> LoadResult:
        """Insert new values, update changed ones (recording a revision), skip equal ones.

        With `replace_sample`, eksempeldata of every series this load touches is removed first, so
        real figures never share a series with synthetic ones. All in one transaction: if anything
        fails, nothing of this load is kept. `stored`: the rows of these series as `stored_rows`
        read them; used (and kept up to date with this load's writes) unless another connection
        has committed since, when they are read again.
        """
        now = now or utc_now()
        # The flag as an int: sqlite3 binds a bool only after looking for an adapter (a third slower
        # executemany, measured), and attrgetter gained nothing over this comprehension.
        rows = [
            (o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source, int(o.provisional),
             o.fetched_at or now)
            for o in observations
        ]
        return self.load_rows(rows, now=now, replace_sample=replace_sample, stored=stored)

    def load_rows(self, rows: list[tuple], *, now: str | None = None, replace_sample: bool = False,
                  stored: StoredRows | None = None, keep_up: bool = True,
                  clear_sample: Iterable[tuple[str, str, str]] = ()) -> LoadResult:
        """`load` of rows in the store's column order (`types.rows_of`: the flag an int), the refresh's
        path, which builds no Observation per value. `keep_up=False`: `stored` is used but not updated
        with this load's writes, for a caller whose later loads share no key with this one (a
        refresh's tables, settled together, each key in one table). `clear_sample`: with
        `replace_sample`, further (indicator, area, breakdown) series whose eksempeldata goes too
        (a total beside a file's complete real parts: indicators.totals)."""
        now = now or utc_now()
        if not all(map(_FETCHED_AT, rows)):  # as `load`: a row with no time of its own gets now's
            rows = [row if row[8] else (*row[:8], now) for row in rows]
        # The last guard, without a catalogue: the refresh checked each unit's range before.
        this_year = int(now[:4])
        if not _all_storable(rows, this_year):
            good = validation.storable_periods((r[2] for r in rows), this_year)
            limit = validation.ABSOLUTE_LIMIT
            bad = [(i, problem) for i, r in enumerate(rows, start=1)
                   if not (type(r[2]) is str and r[2] in good
                           and (r[4] is None or (type(r[4]) is float and -limit <= r[4] <= limit)))
                   and (problem := validation.store_problem(r[2], r[4], this_year))]
            if bad:
                listed = "; ".join(wording("store_row", index=i, indicator=rows[i - 1][0], area=rows[i - 1][1],
                                           period=rows[i - 1][2], problem=problem)
                                   for i, problem in bad[:validation.MAX_REPORTED])
                raise StoreError(wording("store_rows_refused", bad=len(bad), total=len(rows), listed=listed))
        keys = list(map(_KEY, rows))
        if len(set(keys)) != len(rows):
            raise StoreError(wording("store_load_twice"))
        with self.transaction():
            conn = self.db.conn
            # What is stored for these indicators, read once: the rows are sorted into new, changed
            # and unchanged here, and only the first two reach a write.
            # A snapshot the caller holds is used and kept up to date; one read here is not kept.
            follow = stored is not None and self._commits_by_others() == stored.version
            if not follow:
                stored = self.stored_rows(rows)
            replaced = 0
            emptied: list[tuple[str, str, str]] = []
            if replace_sample:
                touched = (set(map(_SERIES_KEY, rows)) if SAMPLE_SOURCE not in set(map(_SOURCE, rows))
                           else {(r[0], r[1], r[3]) for r in rows if r[6] != SAMPLE_SOURCE}) | set(clear_sample)
                for series in self._sample_series(touched):
                    replaced += conn.execute(DELETE_SAMPLE_SERIES_SQL, series).rowcount
                    emptied.append(series)
                    for key in stored.samples.pop(series, ()):
                        del stored[key]
            new: list[tuple] = []
            changed: list[tuple] = []
            revisions: list[tuple] = []
            if stored.keys().isdisjoint(keys):
                new = rows  # nothing of these keys is stored (a new series, a new store): every row is new
            else:
                for row in rows:
                    key = row[:4]
                    held = stored.get(key)
                    if held is None:
                        new.append(row)
                        continue
                    # A changed value is a revision (Jobindsats revises back months); a provisional value
                    # confirmed unchanged is not, but its flag is cleared by the update.
                    if held[0] != row[4]:
                        revisions.append((*key, held[0], row[4], held[2], row[6], now))
                    elif held[1] == row[5] and held[2] == row[6] and held[3] == row[7]:
                        continue  # unchanged: not written, its fetched_at stays
                    changed.append((row[4], row[5], row[6], row[7], row[8], *key))
            conn.executemany(
                "INSERT INTO revisions (indicator, area, period, breakdown, old_value, new_value, "
                "old_source, new_source, revised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", revisions)
            conn.executemany("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", new)
            conn.executemany(
                "UPDATE observations SET value = ?, unit = ?, source = ?, provisional = ?, fetched_at = ? "
                "WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ?", changed)
            if new or changed or emptied:
                self._forget_fingerprints(set(map(_SERIES, new)) | {(r[5], r[8]) for r in changed}
                                          | {(s[0], s[2]) for s in emptied})
            # The snapshot follows this load's own writes, so the next table's load may use it too.
            follow = follow and keep_up
            if follow and new:
                stored.update(zip(map(_KEY, new), map(_HELD, new)))
                if SAMPLE_SOURCE in set(map(_SOURCE, new)):
                    for row in new:
                        if row[6] == SAMPLE_SOURCE:
                            stored.sample(row[:4])
            for value, unit, source, provisional, _, *key in changed if follow else ():
                held = stored[tuple(key)]
                stored[tuple(key)] = (value, unit, source, provisional)
                if source == SAMPLE_SOURCE and held[2] != SAMPLE_SOURCE:
                    stored.sample(tuple(key))
                elif held[2] == SAMPLE_SOURCE and source != SAMPLE_SOURCE:
                    stored.samples.get((key[0], key[1], key[3]), set()).discard(tuple(key))
        since: dict[tuple[str, str], str] = {}
        for place, year in chain(zip(map(_PLACE, new), map(_year_of, new)),
                                 (((row[5], row[6]), row[7][:4]) for row in changed)):
            if year < since.get(place, "\uffff"):
                since[place] = year
        since.update(((series[0], series[1]), "") for series in emptied)
        return LoadResult(rows=len(rows), inserted=len(new), updated=len(changed), replaced_sample=replaced,
                          changed=frozenset(since), since=since)

    def _forget_fingerprints(self, series: set[tuple[str, str]]) -> None:
        """A write to these (indicator, breakdown) series: the fingerprints of the tables that deliver
        them no longer describe the stored rows (called inside the write's transaction)."""
        self.db.conn.execute(FORGET_FINGERPRINTS_SQL, [json.dumps(sorted(map(_series_name, series)))])

    def fingerprint(self, source: str, table: str) -> tuple[str, dict] | None:
        """The fingerprint kept for a table of a source and the summary of its stored rows, or None."""
        row = self.db.conn.execute(FINGERPRINT_SQL, [source, table]).fetchone()
        return None if row is None else (row[0], json.loads(row[1]))

    def keep_fingerprint(self, source: str, table: str, fingerprint: str | None, *,
                         series: Iterable[tuple[str, str]] = (), summary: dict | None = None) -> None:
        """Keep (or, with None, forget) what produced a table's stored rows of these (indicator,
        breakdown) series; inside the table's transaction, so rows and fingerprint commit together."""
        with self.transaction():
            if fingerprint is None:
                self.db.conn.execute("DELETE FROM table_fingerprints WHERE source = ? AND table_id = ?",
                                     [source, table])
                return
            self.db.conn.execute(
                "INSERT INTO table_fingerprints (source, table_id, fingerprint, series, summary) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, table_id) DO UPDATE SET "
                "fingerprint = excluded.fingerprint, series = excluded.series, summary = excluded.summary",
                [source, table, fingerprint, json.dumps(sorted(set(map(_series_name, series)))),
                 json.dumps(summary or {})])

    def _commits_by_others(self) -> int:
        """SQLite's `data_version`: it changes only when another connection commits."""
        return self.db.conn.execute("PRAGMA data_version").fetchone()[0]

    def stored_rows(self, keys: Iterable[tuple]) -> StoredRows:
        """(indicator, area, period, breakdown) -> (value, unit, source, provisional) of the stored rows
        that share a series with `keys` (tuples starting with indicator, area, period, breakdown), from
        each series' first period among them on: at least every stored row of those keys, and the
        series' older history not at all, however long the store's is. What a refresh settles against
        and its loads compare with."""
        found = StoredRows(self._commits_by_others())
        if self.db.conn.execute(ANY_OBSERVATION_SQL).fetchone() is None:
            return found  # a new store: nothing to read (the sample's first load)
        first: dict[tuple[str, str, str], str] = {}
        for key in keys:
            series, period = (key[0], key[1], key[3]), key[2]
            # Text order bounds every period kind of a year from below: 2019 < 2019-01 < 2019-Q1.
            if period < first.get(series, "\uffff"):
                first[series] = period[:4]
        execute = self.db.conn.execute
        # A statement per indicator, breakdown and first year rather than per series: a run's
        # series of one indicator mostly start alike in every area (thousands of statements to tens).
        areas_of: dict[tuple[str, str, str], list[str]] = {}
        for (indicator, area, breakdown), since in first.items():
            areas_of.setdefault((indicator, breakdown, since), []).append(area)
        for (indicator, breakdown, since), places in areas_of.items():
            for start in range(0, len(places), STORED_SERIES_AREAS):
                chunk = places[start:start + STORED_SERIES_AREAS]
                for area, period, value, unit, source, provisional in execute(
                        stored_series_sql(len(chunk)), (indicator, breakdown, since, *chunk)):
                    key = (indicator, area, period, breakdown)
                    found[key] = (value, unit, source, provisional)
                    if source == SAMPLE_SOURCE:
                        found.sample(key)
        return found

    def _sample_series(self, series: set[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        """Which of these series (indicator, area, breakdown) hold eksempeldata, sorted."""
        if not series:
            return []
        wanted, places, kinds = (sorted({s[i] for s in series}) for i in range(3))
        found = self.db.conn.execute(sample_series_sql(len(wanted), len(places), len(kinds)),
                                     [*wanted, *places, *kinds])
        return sorted(s for s in map(tuple, found) if s in series)

    def start_run(self, source: str, *, started_at: str | None = None) -> int:
        """Record a run as `running` (committed at once), so a run that dies midway stays visible.

        A `running` row left by an earlier run of the same source is marked `interrupted`: that
        process was killed or crashed, and its transaction was rolled back by SQLite.
        """
        started_at = started_at or utc_now()
        with self.transaction():
            self.db.execute(
                "UPDATE refresh_runs SET status = 'interrupted', finished_at = ?, error = ? "
                "WHERE source = ? AND status = 'running'",
                [started_at, wording("run_interrupted"), source],
            )
            cursor = self.db.execute(
                "INSERT INTO refresh_runs (source, started_at, status) VALUES (?, ?, 'running')",
                [source, started_at],
            )
        return cursor.lastrowid

    def finish_run(self, run_id: int, *, status: str, rows: int = 0, inserted: int = 0, updated: int = 0,
                   error: str | None = None, finished_at: str | None = None) -> None:
        """Close a run; call it inside the load's transaction so data and run commit together."""
        with self.transaction():
            self.db.execute(
                "UPDATE refresh_runs SET status = ?, rows = ?, inserted = ?, updated = ?, error = ?, "
                "finished_at = ? WHERE id = ?",
                [status, rows, inserted, updated, error, finished_at or utc_now(), run_id],
            )

    def record_table(self, run_id: int, source: str, table: str, *, status: str, rows: int = 0, inserted: int = 0,
                     updated: int = 0, error: str | None = None, finished_at: str | None = None) -> None:
        """The outcome of one table of a run; inside the table's load transaction when it landed."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO refresh_tables (run_id, source, table_id, status, rows, inserted, updated, error, "
                "finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, table_id) DO UPDATE SET "
                "status = excluded.status, rows = excluded.rows, inserted = excluded.inserted, "
                "updated = excluded.updated, error = excluded.error, finished_at = excluded.finished_at",
                [run_id, source, table, status, rows, inserted, updated, error, finished_at or utc_now()],
            )

    def record_source_checks(self, found: dict[str, tuple[str, bool]], *, now: str | None = None) -> None:
        """What one `sources --check` found: source key -> (indicator, found); replaces earlier rows."""
        checked_at = now or utc_now()
        with self.transaction():
            self.db.conn.executemany(
                "INSERT INTO source_checks (source_key, indicator, found, checked_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (source_key) DO UPDATE SET indicator = excluded.indicator, found = excluded.found, "
                "checked_at = excluded.checked_at",
                [(key, indicator, int(ok), checked_at) for key, (indicator, ok) in found.items()])

    # -- reads ----------------------------------------------------------------------------

    def run_tables(self, run_id: int) -> list[dict]:
        """The tables of one run, in the order they finished."""
        return list(self.db.query(
            "SELECT table_id, status, rows, inserted, updated, error, finished_at FROM refresh_tables "
            "WHERE run_id = ? ORDER BY rowid", [run_id]))

    def table_outcomes(self, source: str) -> list[dict]:
        """Per table of `source`: its latest outcome and when it last landed (None: never)."""
        return list(self.db.query(
            "SELECT t.table_id, t.status, t.error, t.finished_at, "
            f"({TABLE_LAST_READ_SQL.format(source='t.source', table='t.table_id')}) AS last_ok FROM refresh_tables t WHERE t.source = ? AND t.rowid = (SELECT max(rowid) "
            "FROM refresh_tables x WHERE x.source = t.source AND x.table_id = t.table_id) ORDER BY t.table_id",
            [source]))

    def table_read(self, source: str) -> str | None:
        """When the table a row names as its source (`jobindsats:y25i01`) last landed, as
        `table_outcomes` says it, unchanged or not; None when no refresh read it (eksempeldata, a
        kommune file, a derived figure). Kept until the data version changes: every answer's
        source line asks, and a no-change refresh writes no row, so a row's `fetched_at` stays old."""
        connector, _, table = source.partition(":")
        if not table:
            return None

        def read() -> str | None:
            row = self.db.conn.execute(ONE_TABLE_LAST_READ_SQL, [connector, table]).fetchone()
            return row[0] if row else None

        return self._cached(("table_read", source), read)

    def table_reads(self, sources: Iterable[str]) -> dict[str, str]:
        """`table_read` of each of these sources that a refresh read: source -> when."""
        return {source: read for source in set(sources) if (read := self.table_read(source)) is not None}

    def source_checks(self) -> dict[str, tuple[bool, str]]:
        """Source key -> (found by the newest check that asked about it, when it asked)."""
        return {r[0]: (bool(r[1]), r[2]) for r in self.db.execute(
            "SELECT source_key, found, checked_at FROM source_checks")}

    def confirmed_sources(self) -> frozenset[str]:
        """The keys of the unverified sources the newest check found (the refresh fetches these)."""
        return frozenset(r[0] for r in self.db.execute("SELECT source_key FROM source_checks WHERE found = 1"))

    def areas_of(self, indicator: str, limit: int = -1) -> list[str]:
        """The areas holding any row of `indicator`, in code order, at most `limit` of them (-1: all):
        one seek per area in the series key, not a read of every row (a figure of 98 kommuner has
        thousands; reading them made a no-figures answer 3 ms)."""
        return [r[0] for r in self.db.execute(AREAS_OF_SQL, [indicator, limit])]

    def indicator_sources(self, area: str | None = None) -> dict[str, set[str]]:
        """indicator -> the sources its stored rows come from (for one area, or all)."""
        sql = "SELECT DISTINCT indicator, source FROM observations"
        rows = self.db.execute(sql + (" WHERE area = ?" if area else ""), [area] if area else [])
        found: dict[str, set[str]] = {}
        for indicator, source in rows:
            found.setdefault(indicator, set()).add(source)
        return found

    def newest_period(self, indicator: str, source: str, breakdowns: Iterable[str], kind: str) -> str | None:
        """The newest stored period of `kind` from `source` in any of `breakdowns` (all if empty)."""
        wanted = list(breakdowns)
        sql = (f"SELECT DISTINCT period FROM observations WHERE indicator = ? AND source = ? "
               f"AND {_PERIOD_KIND_SQL[kind]}")
        if wanted:
            sql += f" AND breakdown IN ({', '.join('?' * len(wanted))})"
        rows = self.db.execute(sql + " ORDER BY period DESC", [indicator, source, *wanted])
        return next((r[0] for r in self._readable(rows, 0, None)), None)

    def held(self, indicators: Iterable[str], areas: Iterable[str] | None = None,
             breakdowns: Iterable[str] | None = None) -> dict[tuple[str, str, str, str], tuple[float | None, str]]:
        """(indicator, area, period, breakdown) -> (value, source) for the given indicators; with
        `areas` and `breakdowns`, of those series only (a run asks about its own keys: the store
        may hold many more)."""
        wanted = sorted(set(indicators))
        if not wanted:
            return {}
        if areas is None or breakdowns is None:
            rows = self.db.execute(held_sql(len(wanted)), wanted)
        else:
            places, kinds = sorted(set(areas)), sorted(set(breakdowns))
            rows = self.db.execute(held_sql(len(wanted), len(places), len(kinds)), [*wanted, *places, *kinds])
        return {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in self._readable(rows)}

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

    def table_has_landed(self, source: str, table: str) -> bool:
        """Whether a refresh of `source` ever stored rows of `table` (`jobindsats`, `y25i01`)."""
        return self.db.execute("SELECT 1 FROM refresh_tables WHERE source = ? AND table_id = ? AND status = 'ok' "
                               "AND rows > 0 LIMIT 1", [source, table]).fetchone() is not None

    def source_periods(self, prefix: str) -> tuple[int, list[str]]:
        """Rows and distinct periods of the sources called `prefix` or `prefix:…`."""
        where = "source = ? OR source LIKE ?"
        args = [prefix, prefix + ":%"]
        count = self.db.execute(f"SELECT count(*) FROM observations WHERE {where}", args).fetchone()[0]
        found = [r[0] for r in self._readable(
            self.db.execute(f"SELECT DISTINCT period FROM observations WHERE {where}", args), 0, None)]
        return count, found

    def data_version(self) -> tuple[int, int]:
        """Changes whenever the store's data may have: SQLite's `data_version` counts commits by
        other connections (a refresh in another process), `total_changes` this connection's own."""
        conn = self.db.conn
        return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes

    def _cached(self, key: tuple, read: Callable[[], object]) -> object:
        """`read()`, remembered under `key` until the data version changes; least recently used
        entries go first past `read_cache` entries. A Store is used by one thread, so no lock."""
        reads = self._reads
        if not self._reading:
            # The version is checked once per outermost read: the reads an answer makes while it
            # is being made (a ranking's dozen, a breakdown listing's thirty) are one question's
            # reads, and a PRAGMA each was a tenth of such an answer.
            version = self.data_version()
            if version != self._read_version:
                reads.clear()
                self._read_version = version
        if key in reads:
            reads.move_to_end(key)
            return reads[key]
        self._reading += 1
        try:
            found = reads[key] = read()
        finally:
            self._reading -= 1
        if len(reads) > self._read_cache:
            reads.popitem(last=False)
        return found

    def remember(self, key: tuple, read: Callable[[], object]) -> object:
        """A result made from the store's data (an answer, say), kept with the store's own reads
        and forgotten with them when the data version changes: a refresh, even by another
        process, is seen by the next question. `key` must name everything the result depends on
        besides the store's data."""
        return self._cached(("remembered", *key), read)

    def forget(self) -> None:
        """Drop every read and result this connection keeps, as a change of the data would."""
        self._reads.clear()

    def _observation(self, row: tuple) -> Observation:
        # Positional, in Observation's field order (value before breakdown, unlike the columns):
        # a third cheaper than keywords, on every row an answer reads.
        return Observation(row[0], row[1], row[2], row[4], row[3], row[5], row[6], bool(row[7]), row[8])

    def _readable(self, rows: Iterable[tuple], period_at: int = 2, value_at: int | None = 4) -> Iterator[tuple]:
        """Skip, with a warning, a stored row no figure can have (a bad period, a non-finite value).

        Validation keeps such rows out and the r001 repair removed older ones; this keeps one
        that still slips in (another tool, a hand-written UPDATE) from crashing every answer.
        """
        this_year = datetime.now(UTC).year
        storable = validation.storable
        if self._good_periods[0] != this_year:
            self._good_periods = (this_year, set())
        good = self._good_periods[1]  # periods found storable: most rows repeat a few periods
        limit = validation.ABSOLUTE_LIMIT
        for row in rows:
            value = row[value_at] if value_at is not None else None
            if row[period_at] in good and (value is None or (type(value) is float and -limit <= value <= limit)):
                yield row
                continue
            if storable(row[period_at], value, this_year):
                good.add(row[period_at])
                yield row
                continue
            problem = validation.store_problem(row[period_at], row[value_at] if value_at is not None else None,
                                               this_year)
            if problem:
                log.warning("skipped a stored row that cannot hold a figure (%s): %s; run `faktabot init` "
                            "or restore a backup if this repeats", ", ".join(map(str, row[:4])), problem)
                continue
            yield row

    def series(self, indicator: str, area: str, breakdown: str = "", kind: str | None = None) -> list[Observation]:
        """One series ordered by period; `kind` limits it to months, quarters or years."""
        return list(self._cached(("series", indicator, area, breakdown, kind),
                                 lambda: tuple(self._series(indicator, area, breakdown, kind))))

    def _series(self, indicator: str, area: str, breakdown: str, kind: str | None) -> list[Observation]:
        rows = self.db.conn.execute(series_sql(kind), (indicator, area, breakdown)).fetchall()
        return observations_of_rows(self._readable(rows))

    def series_tail(self, indicator: str, area: str, breakdown: str = "", kind: str | None = None,
                    count: int = 1) -> tuple[list[Observation], bool]:
        """The end of `series(...)`: its rows of the newest `count` stored periods, in period order
        (a stored row no figure can have is skipped, as `series` skips it), and whether that is
        the whole series (it has no older period)."""
        rows, whole = self._cached(("series_tail", indicator, area, breakdown, kind, count),
                                   lambda: self._series_tail(indicator, area, breakdown, kind, count))
        return list(rows), whole

    def _series_tail(self, indicator: str, area: str, breakdown: str, kind: str | None,
                     count: int) -> tuple[tuple[Observation, ...], bool]:
        rows = self.db.conn.execute(series_tail_sql(kind), (indicator, area, breakdown, count)).fetchall()
        whole = len(rows) < count
        rows.reverse()
        return tuple(observations_of_rows(self._readable(rows))), whole

    def get(self, indicator: str, area: str, period: str, breakdown: str = "") -> Observation | None:
        return self._cached(("get", indicator, area, period, breakdown),
                            lambda: self._get(indicator, area, period, breakdown))

    def _get(self, indicator: str, area: str, period: str, breakdown: str) -> Observation | None:
        row = self.db.conn.execute(GET_SQL, (indicator, area, period, breakdown)).fetchone()
        return next((self._observation(r) for r in self._readable([row] if row else [])), None)

    def cross_section(self, indicator: str, periods: Iterable[str], areas: Iterable[str],
                      breakdown: str = "") -> list[Observation]:
        """Every listed area's published values of one indicator for `periods`, in one query: what
        a ranking across the 98 kommuner reads, instead of one series per kommune."""
        wanted_periods, wanted_areas = tuple(periods), tuple(areas)
        if not wanted_periods or not wanted_areas:
            return []
        return list(self._cached(("cross_section", indicator, wanted_periods, wanted_areas, breakdown),
                                 lambda: tuple(self._cross_section(indicator, wanted_periods, wanted_areas, breakdown))))

    def _cross_section(self, indicator: str, wanted_periods: tuple[str, ...], wanted_areas: tuple[str, ...],
                       breakdown: str) -> list[Observation]:
        rows = self.db.conn.execute(cross_section_sql(len(wanted_periods), len(wanted_areas)),
                                    (indicator, breakdown, *wanted_periods, *wanted_areas)).fetchall()
        if len(wanted_periods) == 1:
            period = wanted_periods[0]
            return observations_of_rows([(indicator, area, period, breakdown, value, unit, source, provisional, fetched)
                                         for area, value, unit, source, provisional, fetched in rows])
        return observations_of_rows([(indicator, area, period, breakdown, value, unit, source, provisional, fetched)
                                     for area, period, value, unit, source, provisional, fetched in rows])

    def cross_section_values(self, indicator: str, first: str, last: str, kind: str, areas: Iterable[str],
                             breakdown: str = "") -> list[tuple[str, str, float, str]]:
        """(area, period, value, source) of the published values of every period of `kind` from
        `first` to `last` (the months of a year, say) across `areas`, in area and period order:
        `cross_section`'s rows for those periods. A year's averages across the kommuner read 1,200
        values, and need no observation built for each."""
        wanted = tuple(areas)
        if not wanted:
            return []
        sql = cross_section_values_sql(kind, len(wanted))
        return list(self._cached(("cross_section_values", indicator, first, last, kind, wanted, breakdown),
                                 lambda: tuple(self.db.conn.execute(sql, (indicator, breakdown, first, last, *wanted)))))

    def complete_totals(self, indicator: str, first: str, last: str, kind: str, count: int, areas: Iterable[str],
                        breakdown: str = "", sums_in_sql: bool = SQL_SUMS_AS_PYTHON,
                        ) -> list[tuple[str, float, bool, tuple]]:
        """(area, sum, any eksempeldata, `last`'s row) of each of `areas` that has `count` published
        values of `kind` from `first` to `last` (every period of a year, say), in area order: what
        `cross_section_values` holds of those areas, added up per area in period order as Python's
        `sum()` adds them, without its 1,200 rows (`sums_in_sql` false: with them, Python adding).
        `last`'s row is its stored (unit, source, provisional, fetched_at): the caller makes the one
        observation it needs of it. An area lacking a value is left out."""
        wanted = tuple(areas)
        if not wanted:
            return []

        def read() -> tuple[tuple[str, float, bool, tuple], ...]:
            one_year = first[:4] == last[:4] and len(first) == len(last) == 7
            rows = [r for r in self.db.conn.execute(complete_totals_sql(kind, len(wanted), one_year),
                                                    (indicator, breakdown, first, last, count, *wanted))
                    if r[1] is not None]
            rows.sort(key=itemgetter(0))  # in area order, as `cross_section_values` reads them
            if sums_in_sql:
                return tuple((r[0], r[1], r[2] > 0, r[3:]) for r in rows)
            # SQLite and Python add differently here: Python adds the values, as before
            values = self.cross_section_values(indicator, first, last, kind, [r[0] for r in rows], breakdown)
            sums = [sum(v for _, _, v, _ in part) for _, part in groupby(values, key=itemgetter(0))]
            return tuple((r[0], total, r[2] > 0, r[3:]) for r, total in zip(rows, sums, strict=True))

        return list(self._cached(("complete_totals", indicator, first, last, kind, count, wanted, breakdown,
                                  sums_in_sql), read))

    def last_periods(self, indicator: str, area: str, breakdown: str, kind: str, count: int) -> list[str]:
        """The newest `count` periods of one kind of a series, newest first (rows with or without
        a value, as `series` lists them): the last few of `series`, without reading it whole."""

        def read() -> tuple[str, ...]:
            rows = self.db.conn.execute(last_periods_sql(kind), (indicator, area, breakdown, count)).fetchall()
            readable = [r[0] for r in self._readable(rows, 0, 1)]
            if len(readable) < len(rows):  # a row no figure can have was skipped: as `series` skips it
                return tuple(o.period for o in reversed(self.series(indicator, area, breakdown, kind)[-count:]))
            return tuple(readable)

        return list(self._cached(("last_periods", indicator, area, breakdown, kind, count), read))

    def published_in(self, indicator: str, period: str, areas: Iterable[str], breakdown: str = "") -> int:
        """How many of `areas` have a published value for `period`: `len(cross_section(...))`
        without building the observations."""
        wanted = tuple(areas)
        if not wanted:
            return 0
        return self._cached(("published_in", indicator, period, wanted, breakdown), lambda: self.db.conn.execute(
            published_in_period_sql(len(wanted)), (indicator, breakdown, period, *wanted)).fetchone()[0])

    def fullest_period(self, indicator: str, kind: str, areas: Iterable[str], breakdown: str = "",
                       since: str | None = None, lacking: Iterable[str] = ()) -> tuple[str, int] | None:
        """The newest period of one kind in which the most of `areas` have a published value, and
        how many: `period_coverage`'s first period with its highest count, usually without reading
        a row of the table. Rows per period (the series key alone) bound the published values
        from above; when the newest period with the most rows has a value in every one of them, no
        other period can have more, nor a newer one as many. Otherwise every value is counted.

        `since` (a period spelling) is a first guess: the periods from it on are looked at first,
        and if one of them has a value in every area, the newest such is the answer and the older
        periods (years of them in a big store) are not counted.

        `lacking` (a few of `areas` without a value in some period, the newest say) is a second
        guess: a period every area has is one each of these has, so only the periods they all have
        are checked, newest first, a count of one period each (a handful: then as above)."""
        wanted = tuple(areas)
        if not wanted:
            return None
        few = tuple(sorted(set(lacking).intersection(wanted)))

        def everywhere(bounds: list[tuple[str, int]]) -> tuple[str, int] | None:
            period = next((p for p, n in bounds if n == len(wanted)), None)
            if period is not None and self.published_in(indicator, period, wanted, breakdown) == len(wanted):
                return period, len(wanted)
            return None

        def read() -> tuple[str, int] | None:
            everyone = True  # whether a period may have a value in every area
            if few:
                shared = self.db.conn.execute(held_by_all_sql(kind, len(few)),
                                              (indicator, breakdown, *few, len(few))).fetchall()
                for (period,) in shared[:FULLEST_PROBES]:
                    if self.published_in(indicator, period, wanted, breakdown) == len(wanted):
                        return period, len(wanted)
                everyone = len(shared) > FULLEST_PROBES
            if since is not None and everyone:
                recent = self.db.conn.execute(rows_per_period_sql(kind, len(wanted), since=True),
                                              (indicator, breakdown, *wanted, since)).fetchall()
                if (found := everywhere(recent)) is not None:
                    return found
            rows = self.db.conn.execute(rows_per_period_sql(kind, len(wanted)), (indicator, breakdown, *wanted))
            bounds = rows.fetchall()
            if not bounds:
                return None
            most = max(n for _, n in bounds)
            period = next(p for p, n in bounds if n == most)
            if self.published_in(indicator, period, wanted, breakdown) == most:
                return period, most
            coverage = self.period_coverage(indicator, kind, wanted, breakdown)
            if not coverage:
                return None
            best = max(n for _, n in coverage)
            return next((p, n) for p, n in coverage if n == best)

        return self._cached(("fullest_period", indicator, kind, wanted, breakdown, since, few), read)

    def period_coverage(self, indicator: str, kind: str, areas: Iterable[str],
                        breakdown: str = "") -> list[tuple[str, int]]:
        """(period, how many of `areas` have a published value), newest period first."""
        wanted = tuple(areas)
        if not wanted:
            return []
        return list(self._cached(("period_coverage", indicator, kind, wanted, breakdown),
                                 lambda: tuple(self._period_coverage(indicator, kind, wanted, breakdown))))

    def _period_coverage(self, indicator: str, kind: str, wanted: tuple[str, ...],
                         breakdown: str) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.db.execute(period_coverage_sql(kind, len(wanted)),
                                                     [indicator, breakdown, *wanted])]

    def period_kinds(self, indicator: str, area: str, breakdown: str = "") -> list[str]:
        """Which period kinds a series has, e.g. ['month', 'year'] for ledighedsprocent."""
        return list(self._cached(("period_kinds", indicator, area, breakdown),
                                 lambda: tuple(self._period_kinds(indicator, area, breakdown))))

    def _period_kinds(self, indicator: str, area: str, breakdown: str) -> list[str]:
        found = self.db.conn.execute(PERIOD_KINDS_SQL, (indicator, area, breakdown)).fetchone()
        return [kind for kind, has in zip(_PERIOD_KIND_SQL, found, strict=True) if has]

    def newest(self, indicator: str, area: str, breakdowns: Iterable[str]) -> dict[str, Observation]:
        """Each listed series' last observation (`series(...)[-1]`), in one query instead of
        reading every series whole."""
        wanted = tuple(breakdowns)
        return dict(self._cached(("newest", indicator, area, wanted),
                                 lambda: tuple(self._newest(indicator, area, wanted).items())))

    def _newest(self, indicator: str, area: str, wanted: tuple[str, ...]) -> dict[str, Observation]:
        if not wanted:
            return {}
        rows = []
        for start in range(0, len(wanted), NEWEST_BREAKDOWNS):
            part = wanted[start:start + NEWEST_BREAKDOWNS]
            rows += self.db.conn.execute(newest_sql(len(part)), (indicator, area, *part)).fetchall()
        found = {o.breakdown: o for o in observations_of_rows(self._readable(rows))}
        # A newest row no figure can have was skipped: that series' last readable row, as `series` has it.
        for breakdown in wanted:
            if breakdown not in found and (series := self.series(indicator, area, breakdown)):
                found[breakdown] = series[-1]
        return found

    def get_each(self, indicator: str, area: str, period: str, breakdowns: Iterable[str]) -> None:
        """Read one period of several series of one indicator and area in one statement, and keep
        each as `get` would have read it: a breakdown listing's parts then cost no statement each."""
        wanted = tuple(dict.fromkeys(breakdowns))
        for start in range(0, len(wanted), LISTED_BREAKDOWNS):
            part = wanted[start:start + LISTED_BREAKDOWNS]
            rows = self.db.conn.execute(values_sql(len(part)), (indicator, area, period, *part)).fetchall()
            found = {o.breakdown: o for o in observations_of_rows(self._readable(rows))}
            for breakdown in part:
                self._cached(("get", indicator, area, period, breakdown), lambda b=breakdown, f=found: f.get(b))

    def breakdowns(self, indicator: str, area: str) -> list[str]:
        return list(self._cached(("breakdowns", indicator, area), lambda: tuple(self._breakdowns(indicator, area))))

    def _breakdowns(self, indicator: str, area: str) -> list[str]:
        rows = self.db.conn.execute(BREAKDOWNS_SQL, (indicator, area)).fetchall()
        return [r[0] for r in rows]

    def iter_observations(self) -> Iterator[Observation]:
        cursor = self.db.execute(
            "SELECT indicator, area, period, breakdown, value, unit, source, provisional, fetched_at "
            "FROM observations ORDER BY indicator, area, breakdown, period"
        )
        for row in self._readable(cursor):
            yield self._observation(row)

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM observations").fetchone()[0]

    def sources_summary(self, over_by: periods.Period | None = None, files_together: bool = False) -> list[dict]:
        """Per source: rows, newest period, newest fetch; eksempeldata is one of them.

        The newest period is the latest to end of each kind's newest (as text '2026-Q2' sorts after
        '2026-07', which ends later). `over_by` (`periods.last_whole_month`): a period that has not
        ended by then (a forecast's 2026 or 2027) is no newest figure. `files_together`: every
        `file:<name>` is one source, `file`, with `latest` the file of its newest fetch (for
        `faktabot status`: a line per monthly file grew without end)."""
        kind = "CASE WHEN ?1 AND source LIKE 'file:%' THEN 'file' ELSE source END"
        rows = self.db.execute(
            f"SELECT {kind} AS kind, count(*), max(fetched_at), source FROM observations GROUP BY kind ORDER BY kind",
            (files_together,)).fetchall()  # (SQLite: a bare column beside max() is of the row with the max)
        newest: dict[str, periods.Period] = {}
        for source, period in self.db.execute(
                f"SELECT {kind} AS kind, max(period) FROM observations WHERE ?2 IS NULL OR substr(period, 1, 4) <= ?2 "
                "GROUP BY kind, length(period), instr(period, 'Q') > 0",
                (files_together, None if over_by is None else str(over_by.year))):
            try:
                found = periods.parse(period)
            except periods.PeriodError:
                continue
            if over_by is not None and not found.ends_by(over_by):
                continue  # not over (a kind whose newest is not over is left out: rare, and said by none)
            if source not in newest or not found.ends_by(newest[source]):
                newest[source] = found
        # The file of the newest import with rows, as `faktabot status` names it: two files imported
        # in one second have the same fetch time, and the bare column above picked either.
        latest = self.db.execute(
            "SELECT substr(source, 6) FROM refresh_runs WHERE source LIKE 'file:%' AND status = 'ok' AND rows > 0 "
            "ORDER BY started_at DESC, id DESC LIMIT 1").fetchone() if files_together else None
        return [
            {"source": r[0], "rows": r[1], "newest_period": str(newest[r[0]]) if r[0] in newest else None,
             "fetched_at": r[2], "sample_data": r[0] == SAMPLE_SOURCE,
             **({"latest": latest[0] if latest else file_name(r[3])} if r[0] == "file" and files_together
                else {})}
            for r in rows
        ]

    def revision_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM revisions").fetchone()[0]

    # -- derived values (indicators.derived) ----------------------------------------------------

    def series_inputs(self, series: Iterable[tuple[str, str]], areas: Iterable[str] | None = None,
                      since: dict[str, str] | None = None) -> dict[tuple[str, str], list[tuple]]:
        """The derived engine's read: (indicator, breakdown) -> its rows as `INPUT_COLUMNS`, in area and
        period order, of each series named (hundreds of thousands of input rows at scale), a statement
        per series: in `areas` (every area with None), and with `since` (area -> the first period to
        read there, "" for all) from there on, the areas that start alike read together."""
        places = None if areas is None else sorted(set(areas))
        starting: dict[str, list[str]] = {}
        for area in places or ():
            starting.setdefault("" if since is None else since.get(area, ""), []).append(area)
        execute = self.db.conn.execute
        found: dict[tuple[str, str], list[tuple]] = {}
        for indicator, breakdown in sorted(set(series)):
            if places is None:
                found[(indicator, breakdown)] = execute(series_inputs_sql(None), [indicator, breakdown]).fetchall()
                continue
            rows: list[tuple] = []
            for start, group in sorted(starting.items()):
                for first in range(0, len(group), STORED_SERIES_AREAS):
                    part = group[first:first + STORED_SERIES_AREAS]
                    rows += execute(series_inputs_sql(len(part), bool(start)),
                                    [indicator, *part, breakdown, *([start] if start else [])]).fetchall()
            found[(indicator, breakdown)] = rows
        return found

    def derived_keys(self, indicators: Iterable[str], areas: Iterable[str] | None = None
                     ) -> dict[tuple[str, str, str, str], str]:
        """(indicator, area, period, breakdown) -> formula (`derived:<id>`) of the rows a formula made
        (in `areas`, when named)."""
        wanted = sorted(set(indicators))
        places = None if areas is None else sorted(set(areas))
        if not wanted or places == []:
            return {}
        rows = self.db.execute(derived_keys_sql(len(wanted), None if places is None else len(places)),
                               [*wanted, *(places or [])])
        return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}

    def has_series(self, indicator: str, breakdown: str) -> bool:
        """Whether any area has a value of `indicator` in `breakdown`."""
        return self.db.execute(HAS_SERIES_SQL, [indicator, breakdown]).fetchone() is not None

    def has_derived(self, indicator: str) -> bool:
        """Whether a formula has stored any value of `indicator`."""
        return self.db.execute(DERIVED_ANY_SQL, [indicator]).fetchone() is not None

    def first_unit(self, indicator: str, breakdown: str, areas: Iterable[str]) -> str | None:
        """The unit of a series' first stored row (by area, then period) in these areas; None if none."""
        places = sorted(set(areas))
        row = self.db.execute(FIRST_UNIT_SQL.format(areas=_marks(len(places))), [indicator, breakdown, *places]).fetchone()
        return None if row is None else row[0]

    def holding_real_figures(self, series: Iterable[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        """Which of these series (indicator, area, breakdown) hold a row that is not eksempeldata."""
        execute = self.db.conn.execute
        return {key for key in sorted(set(series)) if execute(REAL_FIGURE_SQL, key).fetchone() is not None}

    def computed_everywhere(self) -> set[str]:
        """The derived indicators whose formula has been computed in every area at least once."""
        return {row[0] for row in self.db.execute("SELECT indicator FROM derived_formulas")}

    def record_computed_everywhere(self, indicators: Iterable[str], *, now: str) -> None:
        """These derived indicators' formulas were computed in every area (in the caller's transaction)."""
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO derived_formulas VALUES (?, ?) ON CONFLICT (indicator) DO UPDATE SET "
                "computed_at = excluded.computed_at", [(indicator, now) for indicator in sorted(set(indicators))])

    def owe_derived(self, since: dict[tuple[str, str], str]) -> None:
        """Record the derived step's work for a load's changes ((indicator, area) -> earliest year,
        `LoadResult.since`), in the load's transaction; an earlier year already owed is kept."""
        if since:
            with self.db.atomic():
                self.db.conn.executemany(
                    "INSERT INTO derived_owed VALUES (?, ?, ?) ON CONFLICT (indicator, area) DO UPDATE SET "
                    "since = min(since, excluded.since)", [(*pair, year) for pair, year in since.items()])

    def derived_owed(self) -> dict[tuple[str, str], str]:
        """The derived step's owed work: (indicator, area) -> the earliest year to recompute from."""
        return {(row[0], row[1]): row[2] for row in self.db.execute("SELECT indicator, area, since FROM derived_owed")}

    def settle_owed(self, owed: dict[tuple[str, str], str]) -> None:
        """Clear owed work the derived step has done (in its transaction); a row a load made earlier
        since it was read stays owed."""
        if owed:
            with self.db.atomic():
                self.db.conn.executemany("DELETE FROM derived_owed WHERE indicator = ? AND area = ? AND since = ?",
                                         [(*pair, year) for pair, year in owed.items()])

    def derived_inputs(self, indicator: str, area: str, period: str, breakdown: str = "") -> dict | None:
        """The formula and input sources behind one derived value, or None if no formula made it."""
        row = self.db.execute(
            "SELECT formula, inputs, computed_at FROM derived_inputs "
            "WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ?",
            [indicator, area, period, breakdown],
        ).fetchone()
        return {"formula": row[0], "inputs": row[1].split(",") if row[1] else [], "computed_at": row[2]} if row else None

    def record_derived(self, rows: Iterable[tuple[str, str, str, str, str, str]], *, now: str) -> None:
        """(indicator, area, period, breakdown, formula, inputs) per derived row, replacing older records."""
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO derived_inputs VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (indicator, area, period, breakdown) DO UPDATE SET "
                "formula = excluded.formula, inputs = excluded.inputs, computed_at = excluded.computed_at",
                [(*row, now) for row in rows],
            )

    def forget_derived(self, keys: Iterable[tuple[str, str, str, str]]) -> None:
        """Remove derived values whose inputs are gone, with their provenance."""
        keys = list(keys)
        with self.db.atomic():
            if keys:
                self._forget_fingerprints({(key[0], key[3]) for key in keys})
            for table in ("observations", "derived_inputs"):
                self.db.conn.executemany(
                    f"DELETE FROM {table} WHERE indicator = ? AND area = ? AND period = ? AND breakdown = ?", keys
                )
