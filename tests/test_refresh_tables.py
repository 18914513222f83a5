"""Refresh isolation per table (issue 13, item 3): against the local replay server, a table that
fails (a 422, as when Jobindsats renames or retires a table) keeps what the store had for it, is
recorded with its error, named by `refresh`, `status` and the staleness notice, and asked again next
run, while the source's other tables land; derived values are computed from what landed."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import wanted_from
from indicators.refresh import refresh_source, source_status
from indicators.store import Store
from tests.conftest import run_cli
from tests.replay import (
    RECORDED,
    TOKEN,
    Fault,
    ReplayServer,
    input_value,
    jobindsats_connector,
)

CATALOGUE = default_catalogue()
AREAS = default_areas()
NOW = "2026-08-10T06:00:00+00:00"
RECORDED_422 = (RECORDED / "error_422_unknown_hierarchy.json").read_bytes()
RENAMED = Fault("data/y25i09", status=422, body=RECORDED_422)


def refresh(path: Path, server: ReplayServer, indicators: list[str], now: str = NOW):
    with Store(path, create=True) as store:
        return refresh_source(store, jobindsats_connector(server), wanted_from(CATALOGUE, "jobindsats", indicators),
                              catalogue=CATALOGUE, areas=AREAS, now=now)


def test_a_422_on_one_table_leaves_the_others_stored_and_records_each_tables_outcome(tmp_path):
    path = tmp_path / "store.db"
    with ReplayServer(faults=[RENAMED]) as server:
        result = refresh(path, server, ["ledige", "langtidsledige"])
    assert not result.ok and result.landed
    assert {t.table: t.ok for t in result.tables} == {"y25i01": True, "y25i03": True, "y25i09": False}
    assert "Unknown hierarchies: ['_hele_landet']" in result.failed_tables[0].error
    with Store(path) as store:
        assert store.get("ledige", "151", "2026-05").source == "jobindsats:y25i01"
        assert store.series("langtidsledige", "151") == []
        run = store.runs()[0]
        assert run["status"] == "failed" and run["rows"] == result.rows > 0
        assert "jobindsats, tabel y25i09: HTTP 422" in run["error"]
        tables = {t["table_id"]: t for t in store.run_tables(run["id"])}
    assert tables["y25i01"]["status"] == "ok" and tables["y25i01"]["rows"] > 1000
    assert tables["y25i09"]["status"] == "failed" and "HTTP 422" in tables["y25i09"]["error"]


def test_the_failed_table_is_asked_again_next_run_and_lands_then(tmp_path):
    path = tmp_path / "store.db"
    with ReplayServer(faults=[RENAMED]) as server:
        assert not refresh(path, server, ["ledige", "langtidsledige"]).ok
    with ReplayServer() as server:
        again = refresh(path, server, ["ledige", "langtidsledige"], now="2026-08-11T06:00:00+00:00")
    assert again.ok, again.error
    assert any("/data/y25i09" in r for r in server.requests)
    with Store(path) as store:
        assert store.get("langtidsledige", "151", "2026-05").source == "jobindsats:y25i09"
        assert [s.failed_tables for s in source_status(store, datetime(2026, 8, 12, tzinfo=UTC))
                if s.source == "jobindsats"] == [()]


def test_derived_values_are_computed_from_the_tables_that_landed(tmp_path):
    path = tmp_path / "store.db"
    with ReplayServer(faults=[Fault("data/y08a02", status=422, body=RECORDED_422)]) as server:
        result = refresh(path, server, ["sygedagpenge", "fleksjob"])
    assert [t.table for t in result.failed_tables] == ["y08a02"]
    assert result.derived > 0
    with Store(path) as store:
        total = store.get("sygedagpenge", "151", "2026-Q2")
        assert total.source == "derived:sygedagpenge"
        assert total.value == sum(input_value(t, "151", "2026Q02", "Antal personer") for t in ("y07a02", "y12a02"))
        assert store.series("fleksjob", "151") == []


def test_a_table_that_keeps_failing_makes_the_source_stale_and_the_notice_names_it(tmp_path):
    from bot.rendering import media
    from bot.service.jobs import stale_content

    path = tmp_path / "store.db"
    with ReplayServer() as server:
        assert refresh(path, server, ["ledige", "langtidsledige"], now="2026-07-10T06:00:00+00:00").ok
    with ReplayServer(faults=[RENAMED]) as server:
        assert not refresh(path, server, ["ledige", "langtidsledige"]).ok
    with Store(path) as store:
        soon = {s.source: s for s in source_status(store, datetime(2026, 8, 11, tzinfo=UTC))}["jobindsats"]
        later = {s.source: s for s in source_status(store, datetime(2026, 8, 20, tzinfo=UTC))}["jobindsats"]
    assert soon.last_ok == NOW and not soon.stale  # y25i01 landed on the 10th; y25i09 last landed 10 July
    assert [t[:2] for t in soon.failed_tables] == [("y25i09", "2026-07-10T06:00:00+00:00")]
    assert later.stale  # y25i09's figures are more than 35 days old by then
    text = media.mrkdwn(stale_content(later))
    assert "y25i09 (sidst opdateret 10. jul. 2026)" in text and "HTTP 422" in text


def test_a_table_that_failed_once_is_named_as_failed_but_does_not_make_the_source_stale(tmp_path):
    """Stale means figures older than the threshold; a table that has never landed has no figures
    to be old, so the source stays current and status names the table with its error instead."""
    path = tmp_path / "store.db"
    with ReplayServer(faults=[RENAMED]) as server:
        assert not refresh(path, server, ["ledige", "langtidsledige"]).ok
    with Store(path) as store:
        status = {s.source: s for s in source_status(store, datetime(2026, 8, 11, tzinfo=UTC))}["jobindsats"]
    assert not status.stale and not status.never_refreshed
    assert [(table, when) for table, when, _ in status.failed_tables] == [("y25i09", None)]
    assert "HTTP 422" in status.failed_tables[0][2]


def test_refresh_and_status_name_the_failed_table_and_exit_1(tmp_path):
    path = tmp_path / "store.db"
    with ReplayServer(faults=[RENAMED]) as server:
        env = {"JOBINDSATS_API_URL": server.jobindsats_url, "JOBINDSATS_TOKEN": TOKEN}
        done = run_cli("refresh", "--source", "jobindsats", "--indicator", "ledige", "--indicator", "langtidsledige",
                       db=path, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("jobindsats: ") and "tal for 99 områder hentet" in done.stdout
    assert "jobindsats: 1 af 3 tabeller fejlede (y25i09); resten er gemt." in done.stderr
    assert "jobindsats, tabel y25i09: ikke opdateret – tabellens tal i databasen er uændrede" in done.stderr
    assert "databasen er uændret." not in done.stderr
    status = run_cli("status", db=path)
    assert "tabel y25i09 fejlede ved seneste kørsel (sidst opdateret aldrig): jobindsats, tabel y25i09: HTTP 422" \
        in status.stdout, status.stdout + status.stderr
    from bot.rendering.terminal import messages

    source_line = next(line for line in status.stdout.splitlines() if line.split()[:1] == ["jobindsats"])
    assert messages()["status_state_fresh"] in source_line and messages()["status_state_stale"] not in status.stdout


def test_the_tables_commit_without_waiting_for_the_disk_and_the_runs_record_syncs_them(tmp_path):
    # A commit per table, each with its fsync (and a checkpoint after each once the WAL had grown),
    # was a tenth of a full refresh. The tables commit in WAL with synchronous NORMAL and no
    # automatic checkpoint (each still all or nothing, kept across a crash of the process); the
    # run's record commits with FULL again, and its one fsync makes them all durable.
    statements: list[str] = []
    with ReplayServer() as server, Store(tmp_path / "store.db", create=True) as store:
        store.db.conn.set_trace_callback(statements.append)
        result = refresh_source(store, jobindsats_connector(server),
                                wanted_from(CATALOGUE, "jobindsats", ["ledige", "langtidsledige"]),
                                catalogue=CATALOGUE, areas=AREAS, now=NOW)
        store.db.conn.set_trace_callback(None)
        assert result.ok, result.error
        assert store.db.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL, as it was
        assert store.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    mode, written, commits = 2, [], []
    for sql in statements:
        if sql.upper().startswith("PRAGMA SYNCHRONOUS ="):
            mode = {"NORMAL": 1, "FULL": 2}.get(sql.split("=")[1].strip().upper()) or int(sql.split("=")[1])
        elif sql.upper() in ("BEGIN", "BEGIN IMMEDIATE"):  # the store begins IMMEDIATE
            written = []
        elif sql.upper() == "COMMIT":
            commits.append((mode, written))
        else:
            written.append(sql)
    tables = [m for m, sqls in commits if any(s.startswith("INSERT INTO observations") for s in sqls)
              and any(s.startswith("INSERT INTO refresh_tables") for s in sqls)]
    records = [m for m, sqls in commits if any(s.startswith("UPDATE refresh_runs SET status = 'ok'") for s in sqls)]
    assert len(tables) == 3 and set(tables) == {1}  # NORMAL: y25i01, y25i03, y25i09
    assert records == [2]  # FULL
