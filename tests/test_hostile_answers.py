"""Hostile answers from the sources (the local replay server, changing copies of recorded answers):
an empty answer, an HTML error page with HTTP 200, a body cut off mid-way, periods in another
format, numbers as Danish text, negative counts, a row twice with different figures, an answer for
other areas than asked. Each either lands exactly what was meant, or fails its table: recorded in
`refresh_runs` with a Danish error, named by `faktabot refresh` and `faktabot status`, and the
table's stored figures stay as they were."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import wanted_from
from indicators.refresh import refresh_source
from indicators.store import Store
from tests.conftest import run_cli
from tests.replay import TOKEN, Fault, ReplayServer, jobindsats_connector, statbank_connector

CATALOGUE = default_catalogue()
AREAS = default_areas()
FIRST = "2026-08-10T06:00:00+00:00"
NEXT = "2026-08-11T06:00:00+00:00"
INDICATORS = ["ledige", "langtidsledige"]


def refresh(path: Path, server: ReplayServer, now: str, source: str = "jobindsats", indicators=INDICATORS):
    connector = jobindsats_connector(server) if source == "jobindsats" else statbank_connector(server)
    with Store(path, create=True) as store:
        return refresh_source(store, connector, wanted_from(CATALOGUE, source, indicators),
                              catalogue=CATALOGUE, areas=AREAS, now=now)


def stored(path: Path, source: str) -> dict:
    with Store(path) as store:
        return {(o.indicator, o.area, o.period, o.breakdown): (o.value, o.provisional, o.fetched_at)
                for o in store.iter_observations() if o.source == source}


def last_run_tables(path: Path, source: str) -> dict[str, dict]:
    with Store(path) as store:
        run = next(r for r in store.runs() if r["source"] == source)
        return {t["table_id"]: {**t, "run_status": run["status"], "run_error": run["error"]}
                for t in store.run_tables(run["id"])}


def rows_only_of(area: str, rename: str | None = None):
    def mutate(body: dict) -> dict:
        rows = [r for r in body["rows"] if r[1] == area]
        return {**body, "rows": [[r[0], rename or r[1], *r[2:]] for r in rows]}
    return mutate


def landet_as_ballerup(body: dict) -> dict:
    if not any(r[1] == "Hele landet" for r in body["rows"]):
        return body  # the kommune selection: as it was
    return {**body, "rows": [[r[0], "Ballerup", *r[2:]] for r in body["rows"]]}


def landet_repeated_differently(body: dict) -> dict:
    """The kommune selection's answer with a Hele landet row of its own, with another figure."""
    twin = [body["rows"][-1][0], "Hele landet", *body["rows"][-1][2:]]
    twin[measure_at(body)] = 99999
    return {**body, "rows": [*body["rows"], twin]}


def each_row(change):
    return lambda body: {**body, "rows": [change(list(r)) for r in body["rows"]]}


def measure_at(body: dict) -> int:
    return body["columns"].index("Antal langtidsledige personer") if "Antal langtidsledige personer" in body[
        "columns"] else len(body["columns"]) - 1


def negative(body: dict) -> dict:
    at = measure_at(body)
    rows = [list(r) for r in body["rows"]]
    rows[0][at] = -5
    return {**body, "rows": rows}


def twice_differently(body: dict) -> dict:
    at = measure_at(body)
    twin = list(body["rows"][0])
    twin[at] = (twin[at] or 0) + 100
    return {**body, "rows": [*body["rows"], twin]}


HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Vedligeholdelse</title></head>"
             b"<body><h1>Jobindsats er lukket for vedligeholdelse</h1></body></html>")

# (fault on the y25i09 answers, a fragment of the Danish error the operator reads)
HOSTILE = {
    "empty rows in every selection": (Fault("data/y25i09", mutate=lambda b: {**b, "rows": []}), "ingen rækker med tal"),
    "the kommune selection empty": (Fault("data/y25i09", mutate=lambda b: {**b, "rows": []}, times=1),
                                    "svaret på hierarchy._nykom=* (HTTP 200) har ingen rækker med tal"),
    "html error page with 200": (Fault("data/y25i09", status=200, body=HTML_PAGE), "svaret er ikke gyldig JSON"),
    "json cut off mid-way": (Fault("data/y25i09", truncate=True), "svaret er ikke gyldig JSON"),
    "period spelled 2026-05": (Fault("data/y25i09", mutate=each_row(lambda r: [r[0][:4] + "-" + r[0][5:], *r[1:]])),
                               "er ikke et periode-id som 2026M05"),
    "a negative count": (Fault("data/y25i09", mutate=negative), "uden for 0–100.000.000"),
    "one row twice with different figures": (Fault("data/y25i09", mutate=twice_differently),
                                             "to rækker for samme område, periode og opdeling har forskellige tal"),
    "hele landet twice with different figures": (Fault("data/y25i09", mutate=landet_repeated_differently, times=1),
                                                 "to rækker for samme område, periode og opdeling har forskellige"),
    "every kommune answered as hele landet": (Fault("data/y25i09", mutate=rows_only_of("Ballerup", "Hele landet"),
                                                    times=1),
                                              "svaret på hierarchy._nykom=* gælder andre områder (Hele landet) end dem, der blev spurgt om (kommunerne)"),
    "hele landet asked, a kommune answered": (Fault("data/y25i09", mutate=landet_as_ballerup, times=2),
                                         "svaret på hierarchy._nykom=/ gælder andre områder (Ballerup) end dem, der blev spurgt om (hele landet)"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_answer_fails_its_table_records_why_and_keeps_the_stored_figures(tmp_path, case):
    fault, said = HOSTILE[case]
    path = tmp_path / "store.db"
    with ReplayServer() as server:
        assert refresh(path, server, FIRST).ok
    before = stored(path, "jobindsats:y25i09")
    assert before
    with ReplayServer(faults=[fault]) as server:
        result = refresh(path, server, NEXT)
    outcome = {t.table: t for t in result.tables}
    assert not result.ok and outcome["y25i01"].ok and not outcome["y25i09"].ok
    assert said in outcome["y25i09"].error
    # The stored figures of the table are those of the first run, to the fetch time and the flag.
    assert stored(path, "jobindsats:y25i09") == before
    recorded = last_run_tables(path, "jobindsats")
    assert recorded["y25i09"]["status"] == "failed" and said in recorded["y25i09"]["error"]
    assert recorded["y25i01"]["status"] == "ok"
    assert recorded["y25i09"]["run_status"] == "failed" and said in recorded["y25i09"]["run_error"]


def test_an_empty_answer_is_refused_on_the_command_line_and_in_status(tmp_path):
    path = tmp_path / "store.db"
    with ReplayServer() as server:
        assert refresh(path, server, FIRST).ok
    before = stored(path, "jobindsats:y25i09")
    with ReplayServer(faults=[Fault("data/y25i09", mutate=lambda b: {**b, "rows": []})]) as server:
        env = {"JOBINDSATS_API_URL": server.jobindsats_url, "JOBINDSATS_TOKEN": TOKEN}
        done = run_cli("refresh", "--source", "jobindsats", *[a for i in INDICATORS for a in ("--indicator", i)],
                       db=path, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "jobindsats: 1 af 3 tabeller fejlede (y25i09); resten er gemt." in done.stderr
    assert "De gemte tal for tabellen er uændrede" in done.stderr
    assert stored(path, "jobindsats:y25i09") == before
    status = run_cli("status", db=path)
    assert "tabel y25i09 fejlede ved seneste kørsel" in status.stdout, status.stdout + status.stderr
    assert "svaret på hierarchy._nykom=* (HTTP 200) har ingen rækker med tal" in status.stdout
    machine = json.loads(run_cli("status", "--json", db=path, env=env).stdout)
    assert {s["source"]: s["last_status"] for s in machine["sources"]}["jobindsats"] == "failed"
    assert any("ingen rækker med tal" in json.dumps(f, ensure_ascii=False) for f in machine["findings"]), machine


def test_an_empty_answer_fails_again_next_run_though_it_is_the_same_answer(tmp_path):
    """The same empty answer twice is no "unchanged table" to skip: it fails each time it comes."""
    path = tmp_path / "store.db"
    with ReplayServer() as server:
        assert refresh(path, server, FIRST).ok
    empty = Fault("data/y25i09", mutate=lambda b: {**b, "rows": []})
    for now in (NEXT, "2026-08-12T06:00:00+00:00"):
        with ReplayServer(faults=[empty]) as server:
            result = refresh(path, server, now)
        assert [t.table for t in result.failed_tables] == ["y25i09"]


def test_an_empty_answer_for_a_table_that_never_had_figures_is_no_failure(tmp_path):
    """A catalogue table that answers with no rows and never gave any (the replay's
    tables without an extract) gives nothing, as before; coverage and `sources --check` tell of it."""
    path = tmp_path / "store.db"
    with ReplayServer(faults=[Fault("data/y25i09", mutate=lambda b: {**b, "rows": []})]) as server:
        result = refresh(path, server, FIRST)
    assert result.ok and {t.table: t.rows for t in result.tables}["y25i09"] == 0


def test_numbers_as_danish_text_land_as_the_same_figures(tmp_path):
    """Jobindsats may write numbers as Danish text ("1.234,5"): read as the number, not refused."""
    plain, danish = tmp_path / "plain.db", tmp_path / "danish.db"

    def as_text(body: dict) -> dict:
        at = measure_at(body)

        def spelled(value):
            if value is None:
                return None
            whole, _, decimals = f"{value:,.1f}".partition(".")
            return whole.replace(",", ".") + "," + decimals
        return {**body, "rows": [[*r[:at], spelled(r[at]), *r[at + 1:]] for r in body["rows"]]}

    with ReplayServer() as server:
        assert refresh(plain, server, FIRST).ok
    with ReplayServer(faults=[Fault("data/y25i09", mutate=as_text)]) as server:
        assert refresh(danish, server, FIRST).ok
    figures = {k: v[0] for k, v in stored(plain, "jobindsats:y25i09").items()}
    assert figures and {k: v[0] for k, v in stored(danish, "jobindsats:y25i09").items()} == figures
    assert any(v is not None and v >= 1000 for v in figures.values())  # the thousands point was met


# -- StatBank ------------------------------------------------------------------------------------

STATBANK_INDICATORS = ["beskaeftigelse"]


@pytest.mark.parametrize("body, said", [
    (b"\xef\xbb\xbfTAL;BOPKOM;K\xc3\x98N;TID;INDHOLD\r\n", "har kun overskriften"),
    (HTML_PAGE, "svaret har ingen TID- og INDHOLD-kolonne"),
    (b"\xef\xbb\xbfTAL;BOPKOM;K\xc3\x98N;TID;INDHOLD\r\n1010;151;TOT;2025-3;18674\r\n",
     "er ikke et periode-id som 2026M05 eller 2026K2"),
    (b"\xef\xbb\xbfTAL;BOPKOM;K\xc3\x98N;TID;INDHOLD\r\n1010;151;TOT;2025K3;-18674\r\n", "uden for 0–100.000.000"),
    (b"\xef\xbb\xbfTAL;BOPKOM;K\xc3\x98N;TID;INDHOLD\r\n1010;151;TOT;2025K3;18674\r\n1010;151;TOT;2025K3;18000\r\n",
     "står to gange med forskellige tal"),
    (b"\xef\xbb\xbfTAL;BOPKOM;K\xc3\x98N;TID;INDHOLD\r\n1010;151;TOT;2025", "har 4 celler"),
], ids=["header only", "html page", "period 2025-3", "negative count", "twice differently", "cut off"])
def test_a_hostile_statbank_answer_fails_the_table_and_keeps_its_figures(tmp_path, body, said):
    path = tmp_path / "store.db"
    with ReplayServer() as server:
        first = refresh(path, server, FIRST, "statbank", STATBANK_INDICATORS)
    assert first.ok and first.rows
    before = stored(path, "statbank:LBESK69")
    assert before
    with ReplayServer(faults=[Fault("v1/data", status=200, body=body)]) as server:
        result = refresh(path, server, NEXT, "statbank", STATBANK_INDICATORS)
    assert not result.ok and [t.table for t in result.failed_tables] == ["LBESK69"]
    assert said in result.failed_tables[0].error, result.failed_tables[0].error
    assert stored(path, "statbank:LBESK69") == before
    recorded = last_run_tables(path, "statbank")
    assert recorded["LBESK69"]["status"] == "failed" and said in recorded["LBESK69"]["error"]


# -- the municipality's own files (the inbox) ----------------------------------------------------

OWN = "Måned;Kommune;Målgruppe;Antal samtaler\nmaj 2026;Ballerup;Ledige;785\nmaj 2026;Ballerup;I alt;1.540\n"
FILE_NOW = "2026-08-10T06:00:00+00:00"


def xlsx(rows: list[list]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HOSTILE_FILES = {
    "empty csv": ("samtaler.csv", b"", "samtaler.csv er tom"),
    "blank lines only": ("samtaler.csv", b"\r\n\r\n  \r\n", "samtaler.csv er tom"),
    "header only csv": ("samtaler.csv", "Måned;Kommune;Målgruppe;Antal samtaler\n".encode(),
                        "har kun overskriftsrækken og ingen linjer med tal"),
    "every row rejected": ("samtaler.csv", "Måned;Kommune;Målgruppe;Antal samtaler\nmaj 2026;Ballerup;Ledige;mange\n"
                           "13-2026;Ballerup;I alt;1.540\nmaj 2026;Atlantis;I alt;3\n".encode(),
                           "3 linjer kan ikke importeres, så intet er gemt – linje 2"),
    "empty xlsx": ("samtaler.xlsx", xlsx([]), "arket er tomt"),
    "header only xlsx": ("samtaler.xlsx", xlsx([["Måned", "Kommune", "Målgruppe", "Antal samtaler"]]),
                         "har kun overskriftsrækken og ingen linjer med tal"),
    "a negative count": ("samtaler.csv", "Måned;Kommune;Målgruppe;Antal samtaler\nmaj 2026;Ballerup;I alt;-1.540\n"
                         .encode(), "uden for 0–100.000.000"),
    "an export of tables no figure uses": (
        "samtaler.csv", (b"tabel;omraade;periode;ydelsesgruppe;maaling;opdeling;vaerdi\n"
                         b"y99x99;Ballerup;2026M05;I alt;Antal;;12\ny99x99;Ballerup;2026M06;I alt;Antal;;14\n"),
        "ingen af de 2 linjer er en tabel og måling, kataloget bruger (y99x99)"),
}


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_a_hostile_file_is_rejected_recorded_and_leaves_the_stored_figures(tmp_path, case):
    from indicators.connectors.files import import_formats
    from indicators.inbox import import_inbox

    name, content, said = HOSTILE_FILES[case]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = tmp_path / "store.db"
    formats = import_formats(CATALOGUE, AREAS)
    (inbox / "samtaler.csv").write_text(OWN, encoding="utf-8")
    with Store(path, create=True) as store:
        [good] = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=formats, now=FILE_NOW, settle=0)
    assert good.imported
    before = stored(path, "file:samtaler.csv")
    assert before
    (inbox / name).write_bytes(content)
    with Store(path) as store:
        [done] = import_inbox(store, inbox, catalogue=CATALOGUE, areas=AREAS, formats=formats, now=NEXT, settle=0)
        run = next(r for r in store.runs() if r["source"] == f"file:{name}")
    assert not done.imported and said in done.result.error, done.result.error
    assert (inbox / "rejected" / name).exists() and said in (inbox / "rejected" / f"{name}.fejl.txt").read_text("utf-8")
    assert run["status"] == "failed" and said in run["error"]
    assert stored(path, "file:samtaler.csv") == before


def test_status_names_a_rejected_file_and_its_reason(tmp_path):
    path = tmp_path / "store.db"
    good, empty = tmp_path / "samtaler.csv", tmp_path / "tom" / "samtaler.csv"
    good.write_text(OWN, encoding="utf-8")
    assert run_cli("refresh", "--file", str(good), db=path).returncode == 0
    empty.parent.mkdir()
    empty.write_text("Måned;Kommune;Målgruppe;Antal samtaler\n", encoding="utf-8")
    done = run_cli("refresh", "--file", str(empty), db=path)
    assert done.returncode == 1 and "har kun overskriftsrækken og ingen linjer med tal" in done.stderr
    status = run_cli("status", db=path)
    line = next(line for line in status.stdout.splitlines() if "samtaler.csv" in line)
    assert "har kun overskriftsrækken" in status.stdout, status.stdout
    assert line


def test_statbank_numbers_in_danish_spelling_land_as_the_figures_they_are(tmp_path):
    path = tmp_path / "store.db"
    body = "\ufeffTAL;BOPKOM;KØN;TID;INDHOLD\r\n1010;151;TOT;2025K3;18.674\r\n1010;151;1;2025K3;9.120,5\r\n".encode()
    with ReplayServer(faults=[Fault("v1/data", status=200, body=body)]) as server:
        result = refresh(path, server, FIRST, "statbank", STATBANK_INDICATORS)
    assert result.ok, result.error
    figures = {k[3]: v[0] for k, v in stored(path, "statbank:LBESK69").items() if k[1:3] == ("151", "2025-Q3")}
    assert figures[""] == 18674 and 9120.5 in figures.values(), figures
