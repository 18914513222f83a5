"""Every hot read of observations searches an index: EXPLAIN QUERY PLAN on the store's own statements.

The statements come from indicators.store (no copies), run against the shipped sample store after
ANALYZE-free defaults, as a new install has them. A full SCAN of observations would make answers,
rankings, the rules' series reads and the refresh's comparison grow with the whole store.
"""
from __future__ import annotations

import sqlite3

import pytest

from indicators import store as store_sql
from indicators.store import Store

KOMMUNER = ["101", "147", "151", "153", "155"]
KINDS = ["month", "quarter", "year"]

# (name, statement, parameters): parameters are placeholders' values; the plan does not depend on them.
HOT: list[tuple[str, str, list]] = [
    ("value (get)", store_sql.GET_SQL, ["ledige", "151", "2026-05", ""]),
    ("series", store_sql.series_sql(), ["ledige", "151", ""]),
    *[(f"series of {kind}s (answers, rules)", store_sql.series_sql(kind), ["ledige", "151", ""]) for kind in KINDS],
    *[(f"a series' end of {kind}s (answers of the newest figure)", store_sql.series_tail_sql(kind),
       ["ledige", "151", "", 38]) for kind in KINDS],
    *[(f"has {kind}s (period kinds)", store_sql.period_kind_sql(kind), ["ledige", "151", ""]) for kind in KINDS],
    ("period kinds of a series, in one statement", store_sql.PERIOD_KINDS_SQL, ["ledige", "151", ""]),
    ("one period of several breakdowns (a listing's parts)", store_sql.values_sql(2),
     ["fuldtidspersoner", "151", "2026-05", "ydelse=A-dagpenge", "ydelse=Kontanthjælp"]),
    ("breakdowns", store_sql.BREAKDOWNS_SQL, ["ledige", "151"]),
    ("areas of an indicator (an answer with no figures names the few that have it)", store_sql.AREAS_OF_SQL,
     ["ledige", 6]),
    ("newest of each breakdown (answers without a total)", store_sql.newest_sql(2),
     ["fuldtidspersoner", "151", "ydelse=A-dagpenge", "ydelse=Kontanthjælp"]),
    ("ranking (cross section)", store_sql.cross_section_sql(2, len(KOMMUNER)),
     ["ledige", "", "2026-04", "2026-05", *KOMMUNER]),
    ("ranking (cross section of one period)", store_sql.cross_section_sql(1, len(KOMMUNER)),
     ["ledige", "", "2026-05", *KOMMUNER]),
    *[(f"ranking period choice ({kind})", store_sql.period_coverage_sql(kind, len(KOMMUNER)),
       ["ledige", "", *KOMMUNER]) for kind in KINDS],
    *[(f"ranking of a longer period made of {kind}s (values only)", store_sql.cross_section_values_sql(kind, len(KOMMUNER)),
       ["ledighedsprocent", "", "2025-01", "2025-12", *KOMMUNER]) for kind in ("month", "quarter")],
    *[(f"ranking of a longer period made of {kind}s (totals per area)",
       store_sql.complete_totals_sql(kind, len(KOMMUNER), one_year),
       ["ledighedsprocent", "", "2025-01", "2025-12", 12, *KOMMUNER]) for kind in ("month", "quarter")
      for one_year in (False, True)],
    *[(f"a series' newest {kind}s (a ranking's first guess)", store_sql.last_periods_sql(kind),
       ["ledige", "151", "", 3]) for kind in KINDS],
    *[(f"rows per period of {kind}s (a ranking's period, bounded)", store_sql.rows_per_period_sql(kind, len(KOMMUNER)),
       ["ledige", "", *KOMMUNER]) for kind in KINDS],
    ("rows per recent period (a ranking's period, first guess)", store_sql.rows_per_period_sql("month", len(KOMMUNER), True),
     ["ledige", "", *KOMMUNER, "2024"]),
    *[(f"periods of {kind}s a few kommuner all have (a ranking's period, second guess)",
       store_sql.held_by_all_sql(kind, 2), ["ledige", "", "101", "151", 2]) for kind in KINDS],
    ("published values in one period (a ranking's period, checked)", store_sql.published_in_period_sql(len(KOMMUNER)),
     ["ledige", "", "2026-05", *KOMMUNER]),
    ("refresh: held values", store_sql.held_sql(2), ["ledige", "ledighedsprocent"]),
    ("refresh: held values of a run's series", store_sql.held_sql(2, 2, 2),
     ["ledige", "ledighedsprocent", "101", "151", "", "ydelse=A-dagpenge"]),
    ("refresh: stored rows of the series a load compares with", store_sql.stored_series_sql(2),
     ["ledige", "", "2025", "101", "151"]),
    ("refresh: which series hold eksempeldata", store_sql.sample_series_sql(2, 2, 2),
     ["ledige", "ledighedsprocent", "101", "151", "", "ydelse=A-dagpenge"]),
    ("derived: stored keys a formula made", store_sql.derived_keys_sql(2), ["ledige", "sygedagpenge"]),
    ("derived: stored keys a formula made in the areas a refresh changed", store_sql.derived_keys_sql(2, 2),
     ["ledige", "sygedagpenge", "101", "151"]),
    ("derived: an input series in every area it has", store_sql.series_inputs_sql(None),
     ["fuldtidspersoner", "ydelse=A-dagpenge"]),
    ("derived: an input series in the areas a refresh changed", store_sql.series_inputs_sql(2),
     ["fuldtidspersoner", "101", "151", "ydelse=A-dagpenge"]),
    ("derived: an input series from the periods a refresh changed on", store_sql.series_inputs_sql(2, True),
     ["fuldtidspersoner", "101", "151", "ydelse=A-dagpenge", "2025"]),
    ("derived: the unit of a sum's first input", store_sql.FIRST_UNIT_SQL.format(areas="?, ?"),
     ["sygedagpenge", "ydelse=Sygedagpenge", "101", "151"]),
    ("derived: whether a series holds real figures", store_sql.REAL_FIGURE_SQL, ["ledige", "151", ""]),
    ("derived: whether an input series of a formula has any value", store_sql.HAS_SERIES_SQL,
     ["fuldtidspersoner", "ydelse=Kontanthjælp"]),
    ("refresh: eksempeldata of a series real figures now cover", store_sql.DELETE_SAMPLE_SERIES_SQL,
     ["ledige", "151", ""]),
]


def plan(conn: sqlite3.Connection, sql: str, parameters: list) -> list[str]:
    return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", parameters)]


@pytest.mark.parametrize(("name", "sql", "parameters"), HOT, ids=[h[0] for h in HOT])
def test_hot_query_searches_an_index_never_scans_observations(sample_store_path, name, sql, parameters):
    conn = sqlite3.connect(f"{sample_store_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        steps = plan(conn, sql, parameters)
    finally:
        conn.close()
    scans = [step for step in steps if step.startswith("SCAN") and "observations" in step]
    assert not scans, f"{name}: {sql}\nplan: {steps}"
    assert any(step.startswith("SEARCH") and "observations" in step for step in steps), f"{name}: {steps}"


def test_a_plain_scan_is_caught(sample_store_path):
    # The check itself: a read by value alone has no index, and the plan says SCAN.
    conn = sqlite3.connect(f"{sample_store_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        steps = plan(conn, "SELECT * FROM observations WHERE value > ?", [1.0])
    finally:
        conn.close()
    assert any(step.startswith("SCAN") and "observations" in step for step in steps)


@pytest.mark.parametrize("kind", KINDS)
def test_a_rankings_period_bound_reads_the_index_alone(sample_store_path, kind):
    # Counting rows per period over every kommune must not look each row up a second time: that is
    # its point. The observations table has no rowid, so its primary key holds the rows themselves
    # in series order; a search of it (or of a covering index) reads each row once, in place.
    conn = sqlite3.connect(f"{sample_store_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        steps = plan(conn, store_sql.rows_per_period_sql(kind, len(KOMMUNER)), ["ledige", "", *KOMMUNER])
        steps += plan(conn, store_sql.rows_per_period_sql(kind, len(KOMMUNER), True), ["ledige", "", *KOMMUNER, "2024"])
    finally:
        conn.close()
    searches = [step for step in steps if step.startswith("SEARCH") and "observations" in step]
    assert searches and all("COVERING INDEX" in step or "USING PRIMARY KEY" in step for step in searches), steps


@pytest.mark.parametrize("one_year", [False, True])
@pytest.mark.parametrize("kind", ["month", "quarter"])
def test_a_longer_periods_totals_follow_the_index_with_no_sorter(sample_store_path, kind, one_year):
    # The totals add each area's values in period order only if each sum walks the index:
    # a temporary B-tree would sort the rows and the sums could differ in their last bit.
    conn = sqlite3.connect(f"{sample_store_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        steps = plan(conn, store_sql.complete_totals_sql(kind, len(KOMMUNER), one_year),
                     ["ledighedsprocent", "", "2025-01", "2025-12", 12, *KOMMUNER])
    finally:
        conn.close()
    assert not any("TEMP B-TREE" in step for step in steps), steps


def _observation_seeks(conn: sqlite3.Connection, sql: str) -> list[str]:
    """The searches of observations in a statement's plan that read rows for its answer: those of
    a recursive CTE (`found`, one seek per area for the next area's code) are left out."""
    rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    parent = {row[0]: row[1] for row in rows}
    detail = {row[0]: row[3] for row in rows}

    def in_cte(node: int) -> bool:
        while node in parent:
            if detail[node].startswith(("CO-ROUTINE found", "MATERIALIZE found")):
                return True
            node = parent[node]
        return False

    return [detail[i] for i in detail if detail[i].startswith("SEARCH observations ") and not in_cte(i)]


def test_the_derived_steps_reads_seek_each_area_never_every_row_of_an_indicator(sample_store_copy):
    # The derived step names a few series of an indicator that has many (at scale, 80 breakdowns of
    # fuldtidspersoner). A search on the indicator alone reads all of its rows to keep a tenth: each
    # read of observations must seek an area too, also when no area is named (a formula new in this
    # release is computed everywhere) and when it checks the keys a formula made.
    statements: list[str] = []
    with Store(sample_store_copy) as store:
        store.db.conn.set_trace_callback(statements.append)
        store.series_inputs([("fuldtidspersoner", "ydelse=A-dagpenge")])
        store.series_inputs([("fuldtidspersoner", "ydelse=A-dagpenge")], ["101", "151"])
        store.derived_keys(["sygedagpenge", "forsoergertryk_udvikling"])
        store.derived_keys(["sygedagpenge", "forsoergertryk_udvikling"], ["101", "151"])
        store.db.conn.set_trace_callback(None)
        reads = [sql for sql in statements if "FROM observations" in sql or "FROM derived_inputs" in sql]
        assert len(reads) == 4, statements
        for sql in reads:
            seeks = _observation_seeks(store.db.conn, sql)
            assert seeks and all("area=" in step for step in seeks), f"{sql}\nplan: {seeks}"
