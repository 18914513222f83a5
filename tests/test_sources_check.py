"""`faktabot sources --check` against the local replay server (issue 13, item 4): per figure, ready,
not found (with the closest names the source offers), file import needed or eksempeldata only."""
from __future__ import annotations

from indicators.catalogue import default_catalogue
from indicators.connectors import RetryPolicy, jobindsats, statbank
from indicators.sources_check import check_sources, closest
from tests.conftest import run_cli
from tests.replay import TOKEN, Fault, ReplayServer

CATALOGUE = default_catalogue()
FAST = RetryPolicy(attempts=2, backoff=0.001, max_wait=0.01, timeout=5)


def rename_table(body):
    for subject in body:
        for group in subject["table_groups"]:
            for table in group["tables"]:
                if table["table_id"] == "y25i09":
                    table["table_id"] = "y25i09b"
    return body


def rename_measure(body):
    for group in body["mgroups"]:
        group["measures"] = ["Antal ledige fuldtidspersoner (ny)" if m == "Antal ledige fuldtidspersoner" else m
                             for m in group["measures"]]
    return body


RENAMED = [Fault("v3/tables", mutate=rename_table), Fault("v3/table/y25i01", mutate=rename_measure)]


def check(server):
    job = jobindsats.client(server.jobindsats_url, TOKEN, policy=FAST)
    stat = statbank.client(server.statbank_url, policy=FAST)
    try:
        return check_sources(CATALOGUE, jobindsats=job, statbank=stat)
    finally:
        job.close()
        stat.close()


def test_everything_the_catalogue_names_is_found_at_the_replay_and_each_figure_has_a_state():
    with ReplayServer() as server:
        report = check(server)
    assert report.ok and report.problems == []
    states = {f.number: f.state for f in report.figures}
    assert len(states) == 28
    assert states["4.1"] == "ready" and states["3.3"] == "ready"  # sygedagpenge: y07a02 + y12a02
    assert states["5.1"] == "file" and states["7.4"] == "file"
    assert states["6.2"] == "sample"  # virksomhedsaktiveringsgrad: no computable source
    assert any("/v1/tableinfo/AUS08" in r for r in server.requests)


def test_a_renamed_table_and_a_renamed_measure_are_named_with_the_closest_names():
    with ReplayServer(faults=RENAMED) as server:
        report = check(server)
    assert not report.ok
    found = {(p.source, p.what, p.name): p.closest for p in report.problems}
    assert found[("jobindsats y25i09", "tabel", "y25i09")][0] == "y25i09b"
    assert found[("jobindsats y25i01", "måling", "Antal ledige fuldtidspersoner")][0] == \
        "Antal ledige fuldtidspersoner (ny)"
    states = {f.number: f.state for f in report.figures}
    assert states["4.1"] == "ready"  # ledige also comes from y25i03, which is found
    assert states["4.3"] == "missing"  # langtidsledige (y25i09) and ledige_unge (y25i01's measure)


def test_a_statbank_table_or_value_that_does_not_exist_is_named():
    def drop_value(body):
        for variable in body["variables"]:
            if variable["id"] == "SAESONFAK":
                variable["values"] = [v for v in variable["values"] if v["id"] != "9"] + [{"id": "8", "text": "x"}]
        return body

    with ReplayServer(faults=[Fault("tableinfo/AUS08", mutate=drop_value),
                              Fault("tableinfo/LBESK69", status=400, body=b'{"errorTypeCode": "TABLE-NOTFOUND"}')]) \
            as server:
        report = check(server)
    found = {(p.source, p.what, p.name) for p in report.problems}
    assert ("statbank AUS08", "værdi", "SAESONFAK=9") in found
    assert ("statbank LBESK69", "tabel", "LBESK69") in found
    assert {f.number: f.state for f in report.figures}["1.1"] == "missing"


def test_an_answer_in_another_shape_is_reported_as_not_found_not_a_traceback():
    def hierarchies_as_text(body):
        for dimension in body["dimensions"]:
            dimension["hierarchies"] = [h["hierarchy_id"] for h in dimension["hierarchies"]]
        return body

    def values_null(body):
        for variable in body["variables"]:
            variable["values"] = None
        return body

    with ReplayServer(faults=[Fault("v3/table/y01a02", mutate=hierarchies_as_text),
                              Fault("tableinfo/AUS08", mutate=values_null)]) as server:
        report = check(server)
    found = {(p.source, p.what, p.name) for p in report.problems}
    assert ("jobindsats y01a02", "hierarki", "_aldera") in found
    assert ("statbank AUS08", "værdi", "SAESONFAK=9") in found


def test_closest_folds_case_and_accents():
    assert closest("Antal Ledige Fuldtidspersoner", ["antal ledige fuldtidspersoner", "Andel"]) == \
        ("antal ledige fuldtidspersoner",)


def test_the_command_prints_per_figure_and_exits_1_on_a_renamed_table(tmp_path):
    with ReplayServer(faults=RENAMED) as server:
        env = {"JOBINDSATS_API_URL": server.jobindsats_url, "JOBINDSATS_TOKEN": TOKEN,
               "STATBANK_API_URL": server.statbank_url}
        done = run_cli("sources", "--check", db=tmp_path / "none.db", env=env)
        clean = ReplayServer()
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("4.3") and "IKKE FUNDET" in line for line in lines)
    assert "jobindsats y25i09: tabel »y25i09« findes ikke (bruges af langtidsledige). " \
           "Nærmeste navne hos kilden: »y25i09b«" in done.stdout
    assert any(line.startswith("5.1") and "kræver filimport (samtaler" in line for line in lines)
    # It said »skabelon: faktabot files template ID« with a literal ID: the command to run is named.
    (samtaler,) = [line for line in lines if line.startswith("5.1")]
    assert "kræver filimport (samtaler; skabelon: `faktabot files template samtaler`)" in samtaler, samtaler
    assert not any("template ID" in line for line in lines)
    # ungeledighed (4.4) follows the notat (a02 tables by age, incl. aktivitetsparate), not y25i01's
    # renamed measure: it stays ready.
    assert any(line.startswith("4.4") and "officiel kilde klar" in line for line in lines)
    assert lines[-1].startswith("17 af 28 figurer har en officiel kilde klar; 1 ikke fundet")
    with clean as server:
        env = {"JOBINDSATS_API_URL": server.jobindsats_url, "JOBINDSATS_TOKEN": TOKEN,
               "STATBANK_API_URL": server.statbank_url}
        assert run_cli("sources", "--check", db=tmp_path / "none.db", env=env).returncode == 0


def test_without_a_token_jobindsats_is_not_checked_and_the_exit_is_1(tmp_path):
    with ReplayServer() as server:
        done = run_cli("sources", "--check", db=tmp_path / "none.db", env={"STATBANK_API_URL": server.statbank_url})
    assert done.returncode == 1
    assert "JOBINDSATS_TOKEN er ikke sat" in done.stderr
    assert any(line.startswith("4.1") and "ikke tjekket" in line for line in done.stdout.splitlines())


def rename_age_hierarchy(body):
    for dimension in body["dimensions"]:
        for hierarchy in dimension["hierarchies"]:
            if hierarchy["hierarchy_id"] == "_aldera":
                hierarchy["hierarchy_id"] = "_alder5i30"
    return body


def test_an_unknown_age_hierarchy_in_an_a02_table_is_named_under_ungeledighed_with_the_alternatives():
    """The a02 tables' age hierarchy is a guess (verified = false): when y01a02 calls it otherwise,
    4.4 loses its only source of young people on a-dagpenge and names the hierarchy the table has."""
    with ReplayServer(faults=[Fault("v3/table/y01a02", mutate=rename_age_hierarchy)]) as server:
        report = check(server)
    figure = next(f for f in report.figures if f.number == "4.4")
    assert figure.state == "file"  # the municipality's own file is the fallback
    assert [(p.source, p.what, p.name, p.closest) for p in figure.problems] == \
        [("jobindsats y01a02", "hierarki", "_aldera", ("_alder5i30",))]
    assert next(f for f in report.figures if f.number == "6.2").problems == []


def test_a_source_that_cannot_be_reached_says_to_run_the_check_again_not_a_refresh(tmp_path, capsys):
    """The check's network error said »kør `faktabot refresh` igen senere«: another command than the
    one the IT person had run, and one that does not check anything."""
    import socket

    from bot.cli.sources import cmd_sources
    from bot.settings import load_settings

    with socket.socket() as unused:  # a port nothing listens on: the connection is refused
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = load_settings({"FAKTABOT_DB": str(tmp_path / "none.db"),
                              "STATBANK_API_URL": f"http://127.0.0.1:{port}/v1/"}, dotenv=None)
    assert cmd_sources(None, settings, None, policy=FAST) == 1
    said = capsys.readouterr().err
    assert "Kilderne kunne ikke tjekkes" in said and f"http://127.0.0.1:{port}/v1/ (STATBANK_API_URL)" in said
    assert "kør `faktabot sources --check` igen senere" in said and "faktabot refresh" not in said
