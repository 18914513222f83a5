"""The refresh against a local Jobindsats/StatBank stand-in: it loads every kommune, keeps revisions
and provisional flags right, and on every fault leaves the store exactly as it was."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli.main import build_parser
from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import RetryPolicy, wanted_from
from indicators.refresh import refresh_source, source_status
from indicators.store import Store
from tests.conftest import run_cli
from tests.replay import (
    RECORDED,
    TOKEN,
    Fault,
    ReplayServer,
    fingerprint,
    jobindsats_connector,
    revise_ballerup_june,
    statbank_connector,
)

CATALOGUE = default_catalogue()
AREAS = default_areas()
FAST = RetryPolicy(attempts=3, backoff=0.001, max_wait=0.01, timeout=5)
# Only the timeout fault needs a short timeout; the rest keep a margin for a busy test machine.
SHORT_TIMEOUT = RetryPolicy(attempts=3, backoff=0.001, max_wait=0.01, timeout=0.1)
LEDIGHED = ["ledige", "ledighedsprocent", "langtidsledige"]


def run(path, server, indicators=LEDIGHED, now="2026-08-10T06:00:00+00:00", source="jobindsats", policy=FAST,
        **options):
    with Store(path, create=True) as store:
        connector = (jobindsats_connector(server, policy=policy, **options) if source == "jobindsats"
                     else statbank_connector(server, policy=policy))
        return refresh_source(store, connector, wanted_from(CATALOGUE, source, indicators), catalogue=CATALOGUE,
                              areas=AREAS, now=now)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """A store that has had one full refresh of the unemployment figures."""
    path = tmp_path_factory.mktemp("refreshed") / "store.db"
    with ReplayServer() as server:
        result = run(path, server, now="2026-08-01T06:00:00+00:00")
    assert result.ok, result.error
    return path


@pytest.fixture
def store_path(refreshed, tmp_path):
    path = tmp_path / "store.db"
    shutil.copy(refreshed, path)
    return path


def test_a_full_refresh_loads_every_kommune_region_and_hele_landet_from_the_served_answers(refreshed):
    with Store(refreshed) as store:
        ledige = store.get("ledige", "461", "2026-05")
        assert ledige.value == 4315 and ledige.source == "jobindsats:y25i01"
        areas = {r[0] for r in store.db.execute("SELECT DISTINCT area FROM observations WHERE indicator='ledige'")}
        assert {a.code for a in AREAS.kommuner()} <= areas and "000" in areas
        assert store.get("ledighedsprocent", "000", "2026-07", "korrektion=Sæsonkorrigeret").value > 0
        run_row = store.runs()[0]
        assert (run_row["source"], run_row["status"]) == ("jobindsats", "ok") and run_row["rows"] > 30_000


def test_the_newest_period_is_provisional_until_a_later_refresh_reads_it_again(store_path):
    with Store(store_path) as store:
        assert store.get("ledige", "151", "2026-07").provisional
        assert not store.get("ledige", "151", "2026-06").provisional
    with ReplayServer() as server:
        assert run(store_path, server).ok
    with Store(store_path) as store:
        assert not store.get("ledige", "151", "2026-07").provisional


def test_a_revised_value_is_stored_and_the_old_one_kept_in_revisions(store_path):
    with Store(store_path) as store:
        before = store.get("ledige", "151", "2026-06").value
    with ReplayServer(faults=[Fault("data/y25i01", mutate=revise_ballerup_june)]) as server:
        result = run(store_path, server)
    assert result.ok and result.revisions == 1
    with Store(store_path) as store:
        assert store.get("ledige", "151", "2026-06").value == before + 7
        old, new = store.db.execute("SELECT old_value, new_value FROM revisions").fetchone()
    assert (old, new) == (before, before + 7)


def test_an_incremental_refresh_asks_only_for_the_newest_periods_and_a_few_back(store_path):
    with ReplayServer() as server:
        assert run(store_path, server).ok
    data = [r for r in server.requests if "/data/y25i01" in r]
    by_ydelse = [r for r in data if "_ygrpi09=%2A" in r]
    assert by_ydelse and all("latest%3A3" in r for r in by_ydelse)
    # The køn series were never delivered (the stand-in has no køn figures): their history is asked again.
    assert all("latest%3A60" in r for r in data if "_kon=%2A" in r)


UNKNOWN_LABEL = Fault("data/y25i09", mutate=lambda body: {
    **body, "rows": [[*r[:2], "Seniorjob", *r[3:]] if i == 5 else r for i, r in enumerate(body["rows"])]})
RECORDED_422 = (RECORDED / "error_422_unknown_hierarchy.json").read_bytes()
# A row for November 2026 in an answer fetched on 10 August 2026: no source has such a figure.
NOT_BEGUN = Fault("data/y25i09", mutate=lambda body: {**body, "rows": [*body["rows"], ["2026M11", *body["rows"][0][1:]]]})

FAULTS = {
    "401 (wrong token)": ([], {"token": "expired"}, "HTTP 401", "JOBINDSATS_TOKEN"),
    "422 (recorded body)": ([Fault("data/y25i09", status=422, body=RECORDED_422)], {},
                            "Unknown hierarchies: ['_hele_landet'] (request_id dcaa82ae", "indicators/catalogue.toml"),
    "5xx on every try": ([Fault("data/y25i09", status=503)], {}, "HTTP 503 efter 3 forsøg", "igen senere"),
    "429 on every try": ([Fault("data/y25i09", status=429, headers={"Retry-After": "0"})], {},
                         "HTTP 429 efter 3 forsøg", "igen senere"),
    "timeout": ([Fault("data/y25i09", delay=0.5)], {"policy": SHORT_TIMEOUT}, "intet svar inden for 0.1 sek.", "igen senere"),
    "truncated body": ([Fault("data/y25i09", truncate=True)], {}, "ikke gyldig JSON", "igen senere"),
    "connection dropped": ([Fault("data/y25i09", drop=True)], {}, "forbindelsen svigtede", "igen senere"),
    "malformed JSON": ([Fault("data/y25i09", status=200, body=b"<html><body>Bad gateway</body></html>")], {},
                       "ikke gyldig JSON", "igen senere"),
    "wrong shape": ([Fault("data/y25i09", status=200, body=b'{"message": "maintenance"}')], {},
                    "ikke v3-formen", "JOBINDSATS_API_URL"),
    "unknown label": ([UNKNOWN_LABEL], {}, "mærkatet 'Seniorjob'", "Tilføj det under `labels` i [[indicator.langtidsledige"),
    "a period not begun": ([NOT_BEGUN], {}, ("langtidsledige, 580, 2026-11: perioden var ikke begyndt, da tallene blev "
                                             "hentet (2026-08) – går maskinens ur forkert?"), "udelad indikatoren"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_fault_leaves_the_store_exactly_as_it_was_and_records_the_failed_run(store_path, name):
    faults, options, says, fix = FAULTS[name]
    before = fingerprint(store_path)
    faulted = fingerprint(store_path, ("langtidsledige",))  # y25i09's figures
    # y25i01 answers fine first; the fault comes on the second table, after data was already fetched.
    with ReplayServer(faults=faults, token=TOKEN) as server:
        result = run(store_path, server, token=options.get("token", TOKEN), policy=options.get("policy", FAST))
    assert not result.ok
    if name == "401 (wrong token)":  # a refused token concerns every table: nothing at all was stored
        assert fingerprint(store_path) == before
    else:  # per-table isolation (issue 13): the faulted table's figures are exactly as they were,
        # the tables that answered landed, each in its own transaction
        assert fingerprint(store_path, ("langtidsledige",)) == faulted
        outcomes = {t.table: t.ok for t in result.tables}
        assert outcomes.pop("y25i09") is False and outcomes and all(outcomes.values())
    # The HTTP seam (indicators/connectors/http.py) says its part in Danish too (issue 17).
    assert says in result.error and fix in result.error
    assert "intet er gemt" in result.error
    with Store(store_path) as store:
        last = store.runs()[0]
    assert (last["source"], last["status"]) == ("jobindsats", "failed") and says in last["error"]
    assert "jobindsats, tabel y25" in last["error"]


def test_a_period_id_it_cannot_read_in_a_tables_description_does_not_stop_the_run(store_path):
    def odd_period_id(spec):
        spec["periods"][0]["values"].append({"period_id": "2026M13"})
        return spec

    with ReplayServer(faults=[Fault("table/y25i09", mutate=odd_period_id)]) as server:
        result = run(store_path, server)  # incremental: the description's ids are counted against the stored ones
    assert result.ok and {t.table for t in result.tables} == {"y25i01", "y25i03", "y25i09"}


def test_a_5xx_then_success_and_a_429_with_retry_after_complete_the_run(store_path):
    waits: list[float] = []
    faults = [Fault("data/y25i09", status=500, times=1),
              Fault("data/y25i01", status=429, headers={"Retry-After": "0.002"}, times=1)]
    with ReplayServer(faults=faults) as server:
        result = run(store_path, server, sleep=waits.append)
    assert result.ok and 0.002 in waits and len(waits) == 2


def test_a_statbank_error_leaves_the_store_as_it_was(store_path):
    before = fingerprint(store_path)
    body = json.dumps({"errorTypeCode": "EXTRACT-NOTALLOWED", "message": "Der skal vælges værdier for variabel: OMRÅDE"})
    with ReplayServer(faults=[Fault("/v1/data", status=400, body=body.encode())]) as server:
        result = run(store_path, server, indicators=["befolkning"], source="statbank")
    assert not result.ok and fingerprint(store_path) == before
    assert "statbank, tabel FOLK1AM: HTTP 400 – Der skal vælges værdier for variabel: OMRÅDE (EXTRACT-NOTALLOWED)" \
        in result.error


def test_statbank_does_not_overwrite_what_a_preferred_source_holds_and_fills_what_it_lacks(store_path):
    with ReplayServer() as server:
        assert run(store_path, server, indicators=["befolkning"], source="statbank").ok
    with Store(store_path) as store:
        assert store.get("befolkning", "151", "2021-10").value == 49259
        assert store.get("befolkning", "151", "2021-10").source == "statbank:FOLK1AM"


def test_real_figures_replace_the_eksempeldata_of_the_series_they_cover(sample_store_copy):
    with Store(sample_store_copy) as store:
        assert store.series("ledige", "151", "ydelse=A-dagpenge") or True
        store.db.execute("UPDATE observations SET source = 'eksempeldata' WHERE indicator = 'langtidsledige' "
                         "AND area = '151' AND breakdown = ''")
        store.db.conn.commit()
    with ReplayServer() as server:
        result = run(sample_store_copy, server, indicators=["langtidsledige"])
    assert result.ok and result.replaced_sample > 0
    with Store(sample_store_copy) as store:
        sources = {o.source for o in store.series("langtidsledige", "151")}
    assert sources == {"jobindsats:y25i09"}


def test_status_says_per_source_when_it_last_succeeded_and_whether_it_is_stale(store_path):
    with Store(store_path) as store:
        found = {s.source: s for s in source_status(store, datetime(2026, 8, 20, tzinfo=UTC))}
        later = {s.source: s for s in source_status(store, datetime(2026, 8, 1, tzinfo=UTC)
                                                    + timedelta(days=40))}
    assert found["jobindsats"].last_ok == "2026-08-01T06:00:00+00:00" and not found["jobindsats"].stale
    assert found["jobindsats"].newest == "2026-07" and found["jobindsats"].rows > 30_000
    assert found["statbank"].never_refreshed and found["statbank"].stale
    assert later["jobindsats"].stale


# -- the command line, as a new user meets it ----------------------------------------------------


def test_refresh_then_ask_answers_with_the_served_figure_for_odense(sample_store_copy):
    def revise(body):  # make the served figure differ from the shipped sample, to see it arrive
        value = body["columns"].index("Antal ledige fuldtidspersoner")
        for row in body["rows"]:
            if row[:3] == ["2026M05", "Odense", "Ydelsesgrupper i alt"]:
                row[value] = 4321
        return body

    with ReplayServer(faults=[Fault("data/y25i01", mutate=revise)]) as server:
        env = {"JOBINDSATS_API_URL": server.jobindsats_url, "JOBINDSATS_TOKEN": TOKEN,
               "STATBANK_API_URL": server.statbank_url}
        refreshed = run_cli("refresh", db=sample_store_copy, env=env)
    assert refreshed.returncode == 0, refreshed.stderr
    lines = refreshed.stdout.strip().splitlines()
    assert lines[0].startswith("jobindsats: ") and "99 områder" in lines[0] and "1 revideret" in lines[0]
    assert lines[1].startswith("statbank: ")
    answer = json.loads(run_cli("ask", "ledighed maj 2026", "--area", "Odense", "--json", db=sample_store_copy).stdout)
    assert (answer["period"], answer["value"], answer["source"]) == ("2026-05", 4321, "jobindsats:y25i01")


def refresh_here(capsys, db, *argv, **env):
    """`faktabot refresh ARGS` in this process (the subprocess tests cover the real command line)."""
    from bot.cli.refresh import cmd_refresh
    from bot.config import load_config
    from bot.settings import load_settings
    from tests.conftest import REPO

    args = build_parser().parse_args(["refresh", *argv])
    settings = load_settings({"FAKTABOT_DB": str(db), **env}, dotenv=None)
    code = cmd_refresh(args, settings, load_config(REPO / "faktabot.toml"), policy=FAST)
    out, err = capsys.readouterr()
    return code, out, err


def test_refresh_from_jobindsats_without_a_token_explains_how_to_get_one(store_path, capsys):
    code, out, err = refresh_here(capsys, store_path, "--source", "jobindsats")
    assert code == 1 and out == ""
    assert "Jobindsats.dk → API" in err and "JOBINDSATS_TOKEN" in err and "jobindsats@star.dk" in err


def test_a_failed_refresh_says_the_store_is_unchanged_and_exits_1(store_path, capsys, monkeypatch):
    from bot.cli.main import main

    before = fingerprint(store_path)
    with ReplayServer(token="another") as server:
        for name, value in {"FAKTABOT_DB": str(store_path), "JOBINDSATS_API_URL": server.jobindsats_url,
                            "JOBINDSATS_TOKEN": "wrong"}.items():
            monkeypatch.setenv(name, value)
        code = main(["refresh", "--source", "jobindsats", "--indicator", "ledige"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.startswith("jobindsats: opdateringen mislykkedes, og databasen er uændret. jobindsats, tabel y25i01: "
                          "HTTP 401 – Invalid or missing token; intet er gemt. Jobindsats afviste tokenet: "
                          "tjek JOBINDSATS_TOKEN")
    assert fingerprint(store_path) == before


def test_refresh_imports_a_file_and_status_shows_it(store_path, capsys):
    from bot.cli.refresh import print_status
    from tests.conftest import REPO

    code, out, err = refresh_here(capsys, store_path, "--file", str(REPO / "docs" / "samtaler-eksempel.csv"))
    assert code == 0, err
    assert out.startswith("file:samtaler-eksempel.csv: 24 tal for 1 område indlæst – ")  # read in, not fetched
    with Store(store_path) as store:
        print_status(store, datetime(2026, 8, 20, tzinfo=UTC))
    status = capsys.readouterr().out
    assert "jobindsats               aktuel: seneste vellykkede opdatering 1. aug. 2026" in status
    # a source never fetched says so once (it said »aldrig hentet: seneste vellykkede opdatering aldrig«)
    assert "statbank                 aldrig hentet af Faktabot endnu" in status
    assert "opdatering aldrig" not in status
    assert "kommunens filer          aktuel: seneste fil samtaler-eksempel.csv, indlæst " in status


@pytest.mark.parametrize("argv,says", [
    (["--indicator", "ledihed"], "ukendt indikator 'ledihed'; mente du 'ledige'?"),
    (["--source", "file"], "--source file skal have filen: tilføj --file STI"),
    (["--source", "statbank", "--file", "x.csv"], "--file indlæser en fil og kan ikke kombineres med --source statbank"),
    # (it said »samtaler has no statbank source in indicators/catalogue.toml; import it from a file
    # with --file PATH«, in English, naming a file inside the installed package)
    (["--source", "statbank", "--indicator", "samtaler"],
     ("faktabot: 'samtaler' hentes ikke fra Danmarks Statistik – tallene kommer fra kommunens egen fil: indlæs den "
     "med `faktabot refresh --file STI` (en skabelon får du med `faktabot files template samtaler`)")),
])
def test_mistakes_in_the_options_are_one_line_that_says_what_to_do(store_path, capsys, argv, says):
    code, _out, err = refresh_here(capsys, store_path, *argv)
    assert code == 1 and says in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv,says", [
    # each of these was »… has no <source> source in indicators/catalogue.toml; import it from a file
    # with --file PATH« (or »has no source to fetch from«), in English and with the wrong advice
    (["--source", "statbank", "--indicator", "ledige"],
     ("'ledige' hentes ikke fra Danmarks Statistik, men fra Jobindsats: "
     "kør `faktabot refresh --source jobindsats --indicator ledige`")),
    (["--source", "jobindsats", "--indicator", "kontanthjaelp_netto"],
     ("'kontanthjaelp_netto' (nettoledige kontanthjælpsmodtagere) hentes ikke fra Jobindsats, men fra Danmarks "
     "Statistik: kør `faktabot refresh --source statbank --indicator kontanthjaelp_netto`")),
    (["--indicator", "samtaler"], ("'samtaler' hentes ikke fra Jobindsats eller Danmarks Statistik – tallene kommer "
                                  "fra kommunens egen fil")),
    (["--source", "jobindsats", "--indicator", "paa_kanten"],
     ("'paa_kanten' (borgere på kanten af arbejdsmarkedet) hentes ikke, men beregnes af andre nøgletal fra "
     "Jobindsats: kør `faktabot refresh --source jobindsats`, så beregnes det med")),
    (["--source", "statbank", "--indicator", "ungeledighed_officiel"],
     ("'ungeledighed_officiel' (den officielle ungeledighed) hentes ikke, men beregnes af andre nøgletal fra "
     "Jobindsats og Danmarks Statistik: kør `faktabot refresh`, så beregnes det med")),
    (["--source", "jobindsats", "--indicator", "virksomhedsaktiveringsgrad"],
     ("'virksomhedsaktiveringsgrad' (virksomhedsaktiveringsgraden) hentes ikke – Faktabot har ingen kilde til det "
     "endnu, kun eksempeldata")),
])
def test_an_indicator_the_source_does_not_have_says_in_danish_where_it_comes_from(store_path, capsys, argv, says):
    code, out, err = refresh_here(capsys, store_path, *argv, JOBINDSATS_TOKEN="t")
    assert code == 1 and not out
    assert err.startswith(f"faktabot: {says}")
    assert len(err.strip().splitlines()) == 1 and " has no " not in err


def test_without_a_token_a_jobindsats_figure_is_said_to_come_from_jobindsats(store_path, capsys):
    # it said »ledige has no source to fetch from; import it from a file with --file PATH«
    code, _out, err = refresh_here(capsys, store_path, "--indicator", "ledige")
    assert code == 1
    assert err.strip().splitlines()[-1] == ("faktabot: 'ledige' hentes ikke fra Danmarks Statistik, men fra Jobindsats: "
                                            "kør `faktabot refresh --source jobindsats --indicator ledige`")
    assert "JOBINDSATS_TOKEN er ikke sat" in err


def test_an_indicator_named_beside_one_the_source_has_is_said_and_the_other_fetched(store_path, capsys):
    # »--source statbank --indicator befolkning --indicator samtaler« fetched befolkningen and passed
    # over samtaler without a word
    with ReplayServer() as server:
        code, out, err = refresh_here(capsys, store_path, "--source", "statbank", "--indicator", "befolkning",
                                      "--indicator", "samtaler", STATBANK_API_URL=server.statbank_url)
    assert code == 0, err
    assert out.startswith("statbank: ")
    assert err.strip() == ("faktabot: 'samtaler' hentes ikke fra Danmarks Statistik – tallene kommer fra kommunens "
                           "egen fil: indlæs den med `faktabot refresh --file STI` (en skabelon får du med "
                           "`faktabot files template samtaler`)")
