"""The municipality's own files (issue 13, item 6): `faktabot files template ID`, the inbox folder the
service imports from, and example figures stored as eksempeldata, never as the municipality's own."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime

import pytest

from bot.cli.compose import build_service
from bot.config import load_config
from bot.service.scheduler import DEFAULT_SCHEDULE, schedule
from bot.settings import load_settings
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors.files import import_formats
from indicators.examples import SHIPPED_EXAMPLES
from indicators.inbox import file_indicators, import_inbox
from indicators.refresh import refresh_file
from indicators.store import Store
from tests.conftest import REPO, run_cli
from tests.replay import ReplayServer

CATALOGUE = default_catalogue()
AREAS = default_areas()
FORMATS = import_formats(CATALOGUE, AREAS)
NOW = "2026-08-10T06:00:00+00:00"
WHEN = "10. aug. 2026 kl. 08:00"  # NOW in Copenhagen (summer time)
EXAMPLE = REPO / "docs" / "samtaler-eksempel.csv"
OWN = "Måned;Kommune;Målgruppe;Antal samtaler\nmaj 2026;Ballerup;Ledige;785\nmaj 2026;Ballerup;I alt;1.540\n"


def test_the_shipped_example_hashes_are_the_files_in_docs():
    assert {hashlib.sha256((REPO / p).read_bytes()).hexdigest(): p for p in SHIPPED_EXAMPLES.values()} \
        == SHIPPED_EXAMPLES


@pytest.mark.parametrize("indicator", [i.id for i in file_indicators(CATALOGUE)])
def test_every_template_is_a_file_the_import_reads_and_its_example_row_is_eksempeldata(tmp_path, indicator):
    out = tmp_path / f"{indicator}.csv"
    done = run_cli("files", "template", indicator, "--out", str(out), db=tmp_path / "none.db")
    assert done.returncode == 0, done.stderr
    assert "Eksempeldata" in out.read_text(encoding="utf-8-sig").splitlines()[0]
    with Store(tmp_path / "store.db", create=True) as store:
        result = refresh_file(store, out, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
        assert result.ok and result.rows == 1, result.error
        stored = [o for o in store.iter_observations() if o.indicator == indicator]
    assert stored and {o.source for o in stored} == {"eksempeldata"}


def test_files_template_lists_the_ids_and_refuses_one_that_is_not_a_file_figure(tmp_path):
    listed = run_cli("files", "template", db=tmp_path / "none.db")
    assert listed.returncode == 0 and "samtalehyppighed" in listed.stdout and "positive_skift" in listed.stdout
    wrong = run_cli("files", "template", "ledige", db=tmp_path / "none.db", cwd=tmp_path)
    assert wrong.returncode == 1 and "'ledige' er ikke en figur, kommunen leverer som fil" in wrong.stderr
    assert not list(tmp_path.glob("*.csv"))


def test_a_template_out_path_that_cannot_take_a_csv_is_refused_in_one_line(tmp_path):
    """»--out nodir/x.csv« ended in a FileNotFoundError traceback; »--out afgangsrate.xlsx« wrote a CSV
    under a workbook's name, which the import then refused as a broken workbook."""
    missing = run_cli("files", "template", "samtaler", "--out", str(tmp_path / "nodir" / "x.csv"), db=tmp_path / "none.db")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f"mappen {tmp_path / 'nodir'} findes ikke" in missing.stderr
    workbook = run_cli("files", "template", "afgangsrate", "--out", str(tmp_path / "a.xlsx"), db=tmp_path / "none.db")
    assert workbook.returncode == 1 and "giv --out et navn, der ender på .csv" in workbook.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_the_readme_example_file_is_eksempeldata_and_never_replaces_the_municipalitys_own(tmp_path):
    own = tmp_path / "fasit-maj.csv"
    own.write_text(OWN, encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        assert refresh_file(store, own, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW).ok
        result = refresh_file(store, EXAMPLE, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
        assert result.ok, result.error
        assert store.get("samtaler", "151", "2026-05", "gruppe=Ledige").source == "file:fasit-maj.csv"
        assert store.get("samtaler", "151", "2026-05", "gruppe=Ledige").value == 785
        assert store.get("samtaler", "151", "2026-01", "gruppe=Ledige").source == "eksempeldata"


def test_a_marked_row_is_eksempeldata_and_the_unmarked_rows_are_the_municipalitys(tmp_path):
    path = tmp_path / "samtaler.csv"
    path.write_text("Måned;Kommune;Målgruppe;Antal samtaler;Eksempeldata\nmaj 2026;Ballerup;Ledige;1.160;ja\n"
                    "juni 2026;Ballerup;Ledige;800;\n", encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        assert refresh_file(store, path, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW).ok
        assert store.get("samtaler", "151", "2026-05", "gruppe=Ledige").source == "eksempeldata"
        assert store.get("samtaler", "151", "2026-06", "gruppe=Ledige").source == "file:samtaler.csv"


def test_the_inbox_imports_good_files_and_rejects_the_rest_with_a_danish_reason(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fasit-maj.csv").write_text(OWN, encoding="utf-8")
    (inbox / "forkert.csv").write_text("Måned;Kommune;Målgruppe;Antal samtaler\nmaj 2026;Atlantis;Ledige;5\n",
                                       encoding="utf-8")
    (inbox / "noter.docx").write_bytes(b"PK\x03\x04")
    shutil.copy(EXAMPLE, inbox / "samtaler-eksempel.csv")
    with Store(tmp_path / "store.db", create=True) as store:
        done = {f.name: f for f in import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS,
                                                now=NOW, when=WHEN, settle=0)}
        assert store.get("samtaler", "151", "2026-05").value == 1540
        assert store.get("samtaler", "151", "2026-01").source == "eksempeldata"
    assert {n: f.imported for n, f in done.items()} == {"fasit-maj.csv": True, "forkert.csv": False,
                                                          "noter.docx": False, "samtaler-eksempel.csv": True}
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []
    assert sorted(p.name for p in (inbox / "imported").iterdir()) == ["fasit-maj.csv", "samtaler-eksempel.csv"]
    reason = (inbox / "rejected" / "forkert.csv.fejl.txt").read_text(encoding="utf-8")
    assert reason.startswith("Filen forkert.csv blev ikke indlæst") and "Atlantis" in reason
    # when, as the Danish reader reads a time (it was »(2026-12-02T10:09:00+00:00)«)
    assert reason.startswith(f"Filen forkert.csv blev ikke indlæst ({WHEN})"), reason
    assert "hverken en CSV- eller en XLSX-fil" in (inbox / "rejected" / "noter.docx.fejl.txt").read_text("utf-8")
    # The same name again later: kept beside the first, not overwritten.
    (inbox / "fasit-maj.csv").write_text(OWN, encoding="utf-8")
    with Store(tmp_path / "store.db") as store:
        import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, settle=0)
    assert (inbox / "imported" / "fasit-maj-2.csv").exists()


def test_a_link_in_the_inbox_is_rejected_unread_so_no_secret_reaches_the_reason_file(tmp_path):
    # Anyone who may drop files could link to a file only the service reads (a credential): the
    # import read it and the reason file quoted its first line as the columns.
    secret = tmp_path / "credentials" / "jobindsats_token"
    secret.parent.mkdir()
    secret.write_text("s3cr3t-token-value\n", encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "samtaler.csv").symlink_to(secret)
    with Store(tmp_path / "store.db", create=True) as store:
        done = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, settle=0)
    assert [(f.name, f.imported) for f in done] == [("samtaler.csv", False)]
    reason = (inbox / "rejected" / "samtaler.csv.fejl.txt").read_text(encoding="utf-8")
    assert "er en genvej (et symbolsk link)" in reason and "s3cr3t" not in reason
    assert secret.read_text(encoding="utf-8") == "s3cr3t-token-value\n"


def test_a_file_still_being_written_waits_for_the_next_round(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fasit.csv").write_text(OWN, encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        assert import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW,
                            settle=60) == []
    assert (inbox / "fasit.csv").exists()


def test_the_service_job_imports_the_inbox_from_the_setting_and_runs_every_15_minutes(sample_store_copy, tmp_path):
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    path = inbox / "fasit.csv"
    path.write_text(OWN, encoding="utf-8")
    old = datetime(2026, 1, 1).timestamp()
    os.utime(path, (old, old))
    settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), "FAKTABOT_OUTBOX": str(tmp_path / "outbox"),
                              "FAKTABOT_INBOX": str(inbox)}, dotenv=None)
    assert settings.inbox == inbox and load_settings({}, dotenv=None).inbox.name == "inbox"
    config = load_config(REPO / "faktabot.toml")
    service = build_service(settings, config)
    outcome = service.import_inbox(datetime(2026, 8, 10, 6, tzinfo=UTC))
    # (the eksempeldata the kommune's figures replace is said, as `faktabot refresh --file` says it)
    assert outcome.ok and outcome.text.startswith("1 imported, 0 rejected; fasit.csv: 182 eksempeldata er fjernet")
    assert (inbox / "imported" / "fasit.csv").exists()
    with Store(sample_store_copy) as store:
        assert store.get("samtaler", "151", "2026-05").source == "file:fasit.csv"
    assert DEFAULT_SCHEDULE["inbox"] == "*/15 * * * *" and "inbox" in schedule(config)


def test_the_start_up_catch_up_imports_the_inbox_once_rejecting_a_broken_file_as_the_job_does(
        sample_store_copy, tmp_path, statbank):
    """A file dropped while the service was down waited for the next scheduled import; the catch-up
    at start-up now imports it, moves a broken one to rejected/ with its reason, and a second start
    imports nothing again."""
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    (inbox / "fasit.csv").write_text(OWN, encoding="utf-8")
    (inbox / "broken.csv").write_text("Måned;Kommune;Målgruppe;Antal samtaler\nmaj 2026;Ballerup;Ledige;mange\n",
                                      encoding="utf-8")
    old = datetime(2026, 1, 1).timestamp()
    for path in inbox.iterdir():
        os.utime(path, (old, old))
    settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), "FAKTABOT_OUTBOX": str(tmp_path / "outbox"),
                              "FAKTABOT_INBOX": str(inbox), "STATBANK_API_URL": statbank}, dotenv=None)
    service = build_service(settings, load_config(REPO / "faktabot.toml"))
    now = datetime(2026, 11, 25, 8, tzinfo=UTC)
    first = {o.job: o for o in service.catch_up(now)}
    assert first["inbox"].text.startswith("1 imported, 1 rejected") and not first["inbox"].ok
    assert (inbox / "imported" / "fasit.csv").exists()
    assert (inbox / "rejected" / "broken.csv").exists()
    reason = (inbox / "rejected" / "broken.csv.fejl.txt").read_text(encoding="utf-8")
    assert reason.startswith("Filen broken.csv blev ikke indlæst (25. nov. 2026 kl. 09:00)") and "Årsag:" in reason
    with Store(sample_store_copy) as store:
        assert store.get("samtaler", "151", "2026-05").source == "file:fasit.csv"
        runs = store.db.execute("SELECT count(*) FROM refresh_runs WHERE source LIKE 'file:%'").fetchone()[0]
    again = {o.job: o for o in service.catch_up(now)}
    assert again["inbox"].ok and again["inbox"].text == "0 imported, 0 rejected"
    with Store(sample_store_copy) as store:
        assert store.db.execute("SELECT count(*) FROM refresh_runs WHERE source LIKE 'file:%'").fetchone()[0] == runs
    assert sorted(p.name for p in (inbox / "imported").iterdir()) == ["fasit.csv"]


def test_the_start_up_catch_up_evaluates_the_targets_once_after_its_refresh_and_its_inbox_import(
        sample_store_copy, tmp_path):
    """The catch-up's refresh and its inbox import each evaluated the targets on their new figures,
    and its alerts step did so a third time; they now only import, and the alerts step evaluates
    once on all of it, sending each due notice once."""
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    (inbox / "fasit.csv").write_text(OWN, encoding="utf-8")
    old = datetime(2026, 1, 1).timestamp()
    os.utime(inbox / "fasit.csv", (old, old))
    with ReplayServer() as server:
        settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), "FAKTABOT_OUTBOX": str(tmp_path / "outbox"),
                                  "FAKTABOT_INBOX": str(inbox), "STATBANK_API_URL": server.statbank_url},
                                 dotenv=None)
        service = build_service(settings, load_config(REPO / "faktabot.toml"))
        outcomes = service.catch_up(datetime(2026, 11, 25, 8, tzinfo=UTC))
    jobs = [o.job for o in outcomes]
    assert jobs == ["refresh statbank", "inbox", "alerts", "summary", "factsheet", "staleness"], jobs
    refreshed = outcomes[0]
    assert refreshed.ok and " 0 new or changed" not in refreshed.text, refreshed.text  # the refresh brought figures
    assert outcomes[1].text.startswith("1 imported, 0 rejected; fasit.csv:")  # and so did the inbox
    assert [o.job for o in service.outcomes].count("alerts") == 1, [o.text for o in service.outcomes]
    with Store(sample_store_copy) as store:
        keys = store.db.execute("SELECT key, recipient, count(*) FROM deliveries GROUP BY key, recipient "
                                "HAVING count(*) > 1").fetchall()
    assert keys == []


def test_files_a_share_holds_beside_the_exports_are_left_where_they_are_unread(sample_store_copy, tmp_path):
    """Office's »~$samtaler.xlsx« (there while someone has the workbook open), Explorer's Thumbs.db and
    desktop.ini and a copy under way (».filepart«) were moved to rejected/ with a reason, a failed
    inbox job each time; they are now left in place, and the real file beside them is imported."""
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    (inbox / "fasit.csv").write_text(OWN, encoding="utf-8")
    others = ["~$samtaler.xlsx", "Thumbs.db", "desktop.ini", "samtaler-juni.csv.filepart", "eksport.tmp"]
    for name in others:
        (inbox / name).write_bytes(b"\x00owner file")
    old = datetime(2026, 1, 1).timestamp()
    for path in inbox.iterdir():
        os.utime(path, (old, old))
    with Store(sample_store_copy) as store:
        done = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW)
    assert [(f.name, f.imported) for f in done] == [("fasit.csv", True)]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == sorted(others)
    assert not (inbox / "rejected").exists()


def test_a_file_gone_before_it_is_taken_is_skipped_calmly_and_nothing_of_it_is_stored(tmp_path, caplog):
    """A colleague moved the file, or a sync client renamed it, between the listing and the read: the
    run crashed with FileNotFoundError (or, gone mid-read, recorded a failed import). It is now
    skipped with one calm log line; the other files are imported."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-flyttet.csv").write_text(OWN, encoding="utf-8")
    (inbox / "b-omdoebt.csv").write_text(OWN.replace("maj", "juni"), encoding="utf-8")
    (inbox / "c-fasit.csv").write_text(OWN.replace("maj", "juli"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def someone_else(path):
        if path.name == "a-flyttet.csv":
            path.replace(elsewhere / path.name)  # moved out of the inbox
        elif path.name == "b-omdoebt.csv":
            path.rename(path.with_name("b-omdoebt (1).csv"))  # a sync client's conflict copy

    caplog.set_level("INFO", logger="indicators.inbox")
    with Store(tmp_path / "store.db", create=True) as store:
        done = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, settle=0,
                            before_taking=someone_else)
        assert [(f.name, f.imported) for f in done] == [("c-fasit.csv", True)]
        assert store.get("samtaler", "151", "2026-07").source == "file:c-fasit.csv"
        assert store.get("samtaler", "151", "2026-05") is None
        assert [r["source"] for r in store.runs()] == ["file:c-fasit.csv"]  # no failed run of the others
    assert not (inbox / "rejected").exists()
    assert (elsewhere / "a-flyttet.csv").read_text(encoding="utf-8") == OWN  # not touched
    assert [r.levelname for r in caplog.records] == ["INFO", "INFO"]
    assert "a-flyttet.csv was moved or renamed before it could be read; skipped" in caplog.text
    # The renamed copy is a new file in the inbox: the next round imports it.
    with Store(tmp_path / "store.db") as store:
        again = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, settle=0)
        assert [(f.name, f.imported) for f in again] == [("b-omdoebt (1).csv", True)]
        assert store.get("samtaler", "151", "2026-06").value == 1540
    assert sorted(p.name for p in inbox.iterdir()) == ["imported"]  # no empty hidden .importing/ left


def test_a_file_a_stopped_run_had_taken_is_imported_by_the_next_run(tmp_path):
    """A service killed while it read a file left it in inbox/.importing/ (and stored nothing of it):
    the next run puts it back and imports it, rather than leaving it where no one looks."""
    inbox = tmp_path / "inbox"
    (inbox / ".importing").mkdir(parents=True)
    (inbox / ".importing" / "fasit.csv").write_text(OWN, encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        done = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, settle=0)
        assert [(f.name, f.imported) for f in done] == [("fasit.csv", True)]
        assert store.get("samtaler", "151", "2026-05").value == 1540
    assert not (inbox / ".importing").exists()
    assert (inbox / "imported" / "fasit.csv").exists()


def test_status_shows_the_kommunes_files_as_one_line_with_the_latest_file_and_the_newest_refused(tmp_path):
    """Every file that came through the inbox was a source of its own in `faktabot status`, twice
    (samtaler-2026-05.csv, samtaler-2026-06.csv, … a line each, for good); the files are now one
    line, »kommunens filer«, with the latest file, when, and a refused file until it lands."""
    inbox, db = tmp_path / "inbox", tmp_path / "store.db"
    inbox.mkdir()
    months = [("2026-01", "januar"), ("2026-02", "februar"), ("2026-03", "marts"), ("2026-04", "april")]
    with Store(db, create=True) as store:
        for number, (period, month) in enumerate(months):
            (inbox / f"samtaler-{period}.csv").write_text(OWN.replace("maj", month), encoding="utf-8")
            import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS,
                         now=f"2026-0{number + 5}-03T07:00:00+00:00", settle=0)
        (inbox / "samtaler-2026-05.csv").write_text(OWN.replace("1.540", "mange"), encoding="utf-8")
        import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS,
                     now="2026-09-03T07:00:00+00:00", settle=0)
    status = run_cli("status", db=db)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    for old in ("samtaler-2026-01.csv", "samtaler-2026-02.csv", "samtaler-2026-03.csv"):
        assert old not in status.stdout
    assert [line.split()[:2] for line in lines if "kommunens filer" in line] == [["kommunens", "filer"]] * 2
    stored, source = (line for line in lines if "kommunens filer" in line)
    assert stored.split() == ["kommunens", "filer", "8", "rækker,", "nyeste", "periode", "april", "2026,", "senest",
                              "indlæst", "3.", "aug.", "2026", "(samtaler-2026-04.csv)"]
    assert source.startswith("  kommunens filer          ")
    assert ("seneste fil samtaler-2026-04.csv, indlæst 3. aug. 2026 kl. 09:00; 8 rækker i alt, nyeste periode "
            "april 2026; seneste afviste fil samtaler-2026-05.csv (3. sep. 2026 kl. 09:00): linje 3: kolonne "
            "'Antal samtaler': ikke et tal") in source, source
    machine = run_cli("status", "--json", db=db)
    files = next(s for s in json.loads(machine.stdout)["sources"] if s["source"] == "file")
    assert files["latest_file"] == "samtaler-2026-04.csv" and files["last_status"] == "failed"
    assert files["last_failure"]["file"] == "samtaler-2026-05.csv"
    # The refused file delivered again, fixed: it is the latest, and no refusal is left to name.
    (inbox / "samtaler-2026-05.csv").write_text(OWN, encoding="utf-8")
    with Store(db) as store:
        import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS,
                     now="2026-09-04T07:00:00+00:00", settle=0)
    again = run_cli("status", db=db).stdout
    assert "seneste fil samtaler-2026-05.csv, indlæst 4. sep. 2026 kl. 09:00; 10 rækker i alt" in again
    assert "afvist" not in again and "fejlede" not in again


def test_the_importing_folder_goes_once_empty_but_never_while_another_run_has_a_file_in_it(tmp_path):
    """An import left inbox/.importing/ behind, an empty hidden folder an IT person wonders about. It
    is removed when empty; a file another run has taken into it meanwhile keeps it, untouched."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "fasit.csv").write_text(OWN, encoding="utf-8")
    with Store(tmp_path / "store.db", create=True) as store:
        done = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, settle=0)
    assert [(f.name, f.imported) for f in done] == [("fasit.csv", True)]
    assert sorted(p.name for p in inbox.iterdir()) == ["imported"]

    (inbox / "juni.csv").write_text(OWN.replace("maj", "juni"), encoding="utf-8")

    def another_run_takes_one(path):  # a second process takes its own file just as this run goes on
        (inbox / ".importing").mkdir(exist_ok=True)
        (inbox / ".importing" / "andet.csv").write_text(OWN, encoding="utf-8")

    with Store(tmp_path / "store.db") as store:
        done = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=FORMATS, now=NOW, settle=0,
                            before_taking=another_run_takes_one)
    assert [(f.name, f.imported) for f in done] == [("juni.csv", True)]
    assert (inbox / ".importing" / "andet.csv").read_text(encoding="utf-8") == OWN


def test_the_inbox_job_says_the_totals_it_summed_in_the_words_refresh_file_prints(
        sample_store_copy, tmp_path, caplog):
    """`faktabot refresh --file` said that a file with every group and no »I alt« got the groups' sum as
    its total; the inbox job importing the same file logged only »1 imported, 0 rejected«. Its line
    now says the same, in the same words, after the file's name."""
    groups = ("Måned;Kommune;Målgruppe;Antal samtaler\nseptember 2026;Ballerup;Ledige;700\n"
              "september 2026;Ballerup;Sygemeldte;300\nseptember 2026;Ballerup;Øvrige;100\n")
    by_hand = tmp_path / "by-hand.db"
    shutil.copy(sample_store_copy, by_hand)
    (tmp_path / "samtaler-sep.csv").write_text(groups, encoding="utf-8")
    printed = run_cli("refresh", "--file", str(tmp_path / "samtaler-sep.csv"), db=by_hand)
    assert printed.returncode == 0, printed.stderr
    summed = ("Filen har ingen »I alt«-række for samtaler, men alle delene (Ledige, Sygemeldte, Øvrige), som "
              "tilsammen er det samlede tal: det samlede tal er beregnet som deres sum (1 tal).")
    assert summed in printed.stdout
    notes = printed.stdout.split(" sek.).", 1)[1].strip()  # every note after the summary line's counts

    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    (inbox / "samtaler-sep.csv").write_text(groups, encoding="utf-8")
    old = datetime(2026, 1, 1).timestamp()
    os.utime(inbox / "samtaler-sep.csv", (old, old))
    settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), "FAKTABOT_OUTBOX": str(tmp_path / "outbox"),
                              "FAKTABOT_INBOX": str(inbox)}, dotenv=None)
    service = build_service(settings, load_config(REPO / "faktabot.toml"))
    caplog.set_level("INFO", logger="faktabot.service")
    outcome = service.import_inbox(datetime(2026, 11, 10, 6, tzinfo=UTC))
    assert outcome.ok and outcome.text == f"1 imported, 0 rejected; samtaler-sep.csv: {notes}", outcome.text
    assert summed in outcome.text
    assert f"inbox: 1 imported, 0 rejected; samtaler-sep.csv: {notes}" in caplog.text
