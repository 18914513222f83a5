"""Issue 12, faults 1-3: no import can poison the store. Bad periods and impossible values are refused
whole before any write, a missing value never replaces a figure, reads skip what slipped in, and
the r001 repair cleans stores older versions let bad rows into."""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from indicators import periods, validation
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import RetryPolicy, wanted_from
from indicators.connectors.files import import_formats
from indicators.refresh import refresh_file, refresh_source
from indicators.store import Store, StoreError, migrations
from indicators.types import Observation
from tests.conftest import run_cli
from tests.replay import Fault, ReplayServer, fingerprint, jobindsats_connector

CATALOGUE = default_catalogue()
AREAS = default_areas()
FORMATS = import_formats(CATALOGUE, AREAS)
NOW = "2026-08-01T00:00:00+00:00"
HEADER = "Måned;Kommune;Målgruppe;Antal samtaler"


def import_csv(store_path, tmp_path, body: str, name: str = "samtaler.csv"):
    path = tmp_path / name
    path.write_text(f"{HEADER}\n{body}", encoding="utf-8")
    with Store(store_path, create=True) as store:
        return refresh_file(store, path, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store.db"
    with Store(path, create=True) as store:
        store.load([Observation("samtaler", "151", "2026-05", 1160.0, "gruppe=Ledige", "samtaler", "file:old.csv")],
                   now=NOW)
    return path


@pytest.mark.parametrize("build,args", [
    (periods.month, (2026, 13)), (periods.month, (2026, 0)), (periods.quarter, (2026, 5)),
    (periods.quarter, (2026, 0)), (periods.year, (0,)), (periods.month, (10000, 1)),
])
def test_period_constructors_refuse_what_cannot_exist(build, args):
    with pytest.raises(periods.PeriodError):
        build(*args)


@pytest.mark.parametrize("text", ["0000-01", "2026-13", "2026-Q5", "2026-00"])
def test_parsing_refuses_impossible_periods(text):
    with pytest.raises(periods.PeriodError):
        periods.parse(text)


def test_the_reproduction_a_csv_with_2026_13_45_is_refused_and_the_store_keeps_working(sample_store_copy, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n2026-13-45;Ballerup;Ledige;10\n", encoding="utf-8")
    before = fingerprint(sample_store_copy)
    result = run_cli("refresh", "--source", "file", "--file", str(bad), db=sample_store_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "bad.csv, linje 2" in result.stderr and "ikke en måned: 2026-13" in result.stderr
    assert fingerprint(sample_store_copy)[:2] == before[:2]  # observations and revisions as they were
    for args in (("status",), ("ask", "samtaler med ledige")):
        after = run_cli(*args, db=sample_store_copy)
        assert after.returncode == 0 and "Traceback" not in after.stderr, after.stderr


@pytest.mark.parametrize("period,value,says", [
    ("maj 2026", "1e308", "værdien 1e+308 ligger uden for 0–100.000.000"),
    ("maj 2026", "inf", "værdien inf er ikke et endeligt tal"),
    ("maj 2026", "NaN", "værdien NaN er ikke et tal"),
    ("maj 2026", "-5", "værdien -5 ligger uden for 0–100.000.000"),
    ("2099-01", "10", "2099-01 ligger i fremtiden"),
    ("9999-12", "10", "9999-12 ligger i fremtiden"),
    ("1985-01", "10", "1985-01 ligger før 1990"),
    ("0000-01", "10", "kolonne 'Måned'"),
])
def test_an_impossible_value_or_period_refuses_the_whole_file(store_path, tmp_path, period, value, says):
    before = fingerprint(store_path)
    result = import_csv(store_path, tmp_path, f"jun 2026;Ballerup;Ledige;12\n{period};Ballerup;Sygemeldte;{value}\n")
    assert not result.ok
    assert says in result.error and "linje 3" in result.error and "intet er gemt" in result.error
    assert fingerprint(store_path)[:2] == before[:2]
    with Store(store_path) as store:
        assert store.get("samtaler", "151", "2026-06", "gruppe=Ledige") is None  # the good line was not kept


def test_a_rate_above_100_is_refused_with_its_unit(store_path, tmp_path):
    path = tmp_path / "prognose.csv"
    path.write_text("År,Område,Prognose,Nøgletal,Forventet ændring\n2026,Hele landet,F.M.,Ledighed,-3500.5\n",
                    encoding="utf-8")
    with Store(store_path) as store:
        result = refresh_file(store, path, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
    assert not result.ok
    assert "værdien -3.500,5 ligger uden for -100–100, det plausible interval for konjunkturprognose (pct.)" in result.error
    # Named by the file, as its other errors are (»file:prognose.csv: …« after »file:prognose.csv: opdateringen
    # mislykkedes« said the source twice); and in Danish figures, not »-3500.5 … -100..100« or »0..1e+08«.
    assert "prognose.csv: 1 række kan ikke gemmes" in result.error and "file:" not in result.error, result.error


def test_many_bad_lines_are_named_ten_at_a_time_with_how_many_more(store_path, tmp_path):
    # 2025's months: those of 2026 after NOW (1 August 2026) have not begun, and a file is refused for that.
    body = "".join(f"2025-{m:02d};Ballerup;Ledige;-{m}\n" for m in range(1, 13))
    body += "".join(f"2024-{m:02d};Ballerup;Ledige;x{m}\n" for m in range(1, 4))
    result = import_csv(store_path, tmp_path, body)
    assert not result.ok
    assert "samtaler.csv: 3 linjer kan ikke importeres" in result.error  # unreadable cells come first
    good_cells = "".join(f"2025-{m:02d};Ballerup;Ledige;-{m}\n" for m in range(1, 13))
    result = import_csv(store_path, tmp_path, good_cells)
    assert "12 rækker kan ikke gemmes" in result.error and "(og 2 mere)" in result.error
    assert "linje 2:" in result.error and "linje 11:" in result.error and "linje 12:" not in result.error


def test_a_row_missing_its_value_keeps_the_stored_figure(store_path, tmp_path):
    result = import_csv(store_path, tmp_path, "maj 2026;Ballerup;Ledige;\nmaj 2026;Ballerup;Øvrige;\n")
    assert result.ok and result.kept_values == 1
    with Store(store_path) as store:
        assert store.get("samtaler", "151", "2026-05", "gruppe=Ledige").value == 1160
        assert store.get("samtaler", "151", "2026-05", "gruppe=Øvrige").value is None  # no figure, none held
        assert store.revision_count() == 0


def test_an_xlsx_formula_without_a_cached_value_keeps_the_stored_figure(store_path, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Måned", "Kommune", "Målgruppe", "Antal samtaler"])
    sheet.append(["maj 2026", "Ballerup", "Ledige", "=1000+160+1"])  # openpyxl stores no cached value
    path = tmp_path / "samtaler.xlsx"
    book.save(path)
    with Store(store_path) as store:
        result = refresh_file(store, path, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
        assert result.ok and result.kept_values == 1
        assert store.get("samtaler", "151", "2026-05", "gruppe=Ledige").value == 1160


def test_an_api_answer_with_an_impossible_value_is_refused_whole(tmp_path):
    def poison(body):
        value = body["columns"].index("Antal ledige fuldtidspersoner")
        body["rows"][3][value] = -40.0
        body["rows"][7][value] = 1e308
        return body

    path = tmp_path / "store.db"
    with ReplayServer(faults=[Fault("data/y25i01", mutate=poison)]) as server, Store(path, create=True) as store:
        connector = jobindsats_connector(server, policy=RetryPolicy(attempts=1, timeout=5))
        result = refresh_source(store, connector, wanted_from(CATALOGUE, "jobindsats", ["ledige"]),
                                catalogue=CATALOGUE, areas=AREAS, now=NOW)
        # Per-table isolation (issue 13): the poisoned y25i01 answer is refused whole; y25i03 lands on its own.
        assert not result.ok and not [o for o in store.iter_observations() if o.source == "jobindsats:y25i01"]
        assert {t.table: t.ok for t in result.tables} == {"y25i01": False, "y25i03": True}
        assert "rækker kan ikke gemmes, så intet er gemt" in result.error
        assert "værdien -40 ligger uden for 0–100.000.000" in result.error and "1e+308" in result.error
        assert store.runs()[0]["status"] == "failed"


def test_the_store_itself_refuses_a_non_finite_value_or_a_bad_period(tmp_path):
    with Store(tmp_path / "store.db", create=True) as store:
        # A NaN after a good figure too: the store's column-wise check must not pass over it.
        for obs in (Observation("ledige", "151", "2026-05", float("inf")),
                    Observation("ledige", "151", "2026-05", float("-inf")),
                    Observation("ledige", "151", "2026-05", float("nan")),
                    Observation("ledige", "151", "2026-13", 1.0), Observation("ledige", "151", "2099-01", 1.0)):
            with pytest.raises(StoreError, match="intet er gemt"):
                store.load([Observation("ledige", "151", "2026-04", 5.0), obs], now=NOW)
        assert store.count() == 0


def _poke(path, *rows):
    """Write rows straight into the file, as another tool or an older version could."""
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO observations VALUES (?, ?, ?, '', ?, 'fuldtidspersoner', 'x', 0, ?)",
                     [(*row, NOW) for row in rows])
    conn.commit()
    conn.close()


def test_reads_skip_a_stored_bad_row_instead_of_crashing(store_path):
    _poke(store_path, ("ledige", "151", "2026-13", 5.0), ("ledige", "151", "2026-04", float("inf")),
          ("ledige", "151", "9999-12", 7.0), ("ledige", "151", "2026-03", 800.0))
    with Store(store_path) as store:
        assert [o.period for o in store.series("ledige", "151")] == ["2026-03"]
        assert store.get("ledige", "151", "2026-13") is None and store.get("ledige", "151", "2026-04") is None
        # Only periods are read here: 2026-04 is a real month (its value is skipped where values are read).
        assert store.newest_period("ledige", "x", [], "month") == "2026-04"
        assert {o.period for o in store.iter_observations()} == {"2026-03", "2026-05"}
        assert sorted(store.source_periods("x")[1]) == ["2026-03", "2026-04"]


def test_the_repair_restores_a_figure_a_null_overwrote_and_quarantines_what_has_no_good_value(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db)  # a store as the last release left it: schema only, no repairs
    db.execute("INSERT INTO areas VALUES ('151', 'Ballerup', 'kommune', '084', '[]')")
    rows = [("ledige", "151", "2026-05", None), ("ledige", "151", "2026-04", float("inf")),
            ("ledige", "151", "2026-13", 3.0), ("ledige", "151", "2026-03", 800.0),
            ("ledighedsprocent", "151", "2026-03", 140.0)]
    db.conn.executemany("INSERT INTO observations VALUES (?, ?, ?, '', ?, 'fuldtidspersoner', 'file:x.csv', 0, ?)",
                        [(*r, NOW) for r in rows])
    db.conn.executemany(
        "INSERT INTO revisions (indicator, area, period, breakdown, old_value, new_value, old_source, new_source, "
        "revised_at) VALUES ('ledige', '151', ?, '', ?, ?, 'jobindsats:y25i01', 'file:x.csv', ?)",
        [("2026-05", 812.0, None, NOW), ("2026-04", 790.0, float("inf"), NOW)])
    db.conn.commit()
    db.close()
    with Store(path) as store:
        assert store.get("ledige", "151", "2026-05").value == 812
        assert store.get("ledige", "151", "2026-04").value == 790
        assert store.get("ledige", "151", "2026-03").value == 800
        assert store.db.execute("SELECT count(*) FROM observations").fetchone()[0] == 3
        reasons = dict(store.db.execute("SELECT period, reason FROM quarantine").fetchall())
    assert set(reasons) == {"2026-05", "2026-04", "2026-13", "2026-03"}
    assert "NULL written over a real value" in reasons["2026-05"] and "ikke en måned" in reasons["2026-13"]
    assert "uden for 0–100" in reasons["2026-03"]


def test_each_indicators_values_are_checked_against_its_own_range_in_whatever_order_they_come():
    catalogue = CATALOGUE

    def row(indicator: str, value, period: str = "2026-05") -> Observation:
        return Observation(indicator, "151", period, value)

    fine = [row("ledige", 812.0), row("ledighedsprocent", 4.1), row("ledige", None, "2026-06"),
            row("ledighedsprocent", 3, "2026-06")]
    validation.check(fine, catalogue, this_year=2026, where="test", source="test", fix="")
    for bad in ([row("ledige", 812.0), row("ledighedsprocent", 101.0)],  # a count's range is no rate's
                [row("ledighedsprocent", 4.1), row("ledige", 812.0), row("ledighedsprocent", float("nan"))],
                [row("ledige", 812.0), row("ledige", 1.0, "2026-13")]):
        with pytest.raises(validation.ValidationError, match="rækk"):
            validation.check(bad, catalogue, this_year=2026, where="test", source="test", fix="")
