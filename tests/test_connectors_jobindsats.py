"""Jobindsats v3: the plan, the queries sent, and normalise() on recorded real answers."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import SourceError, Wanted, wanted_from
from indicators.connectors.jobindsats import (
    Answer,
    JobindsatsConnector,
    Query,
    choose_periods,
    normalise,
    parse_spec,
)
from indicators.types import Observation, observations_of_columns
from tests.replay import RECORDED, ReplayServer, jobindsats_connector

CATALOGUE = default_catalogue()
AREAS = default_areas()
FETCHED = "2026-08-01T00:00:00+00:00"


def entry(indicator: str, table: str, number: int = 0) -> Wanted:
    found = [w for w in wanted_from(CATALOGUE, "jobindsats", [indicator]) if w.source.table == table]
    return found[number]


def answer(wanted: list[Wanted], *bodies: dict) -> Answer:
    first = wanted[0].source
    query = Query(first.table, tuple(sorted(first.hierarchy.items())), "month", tuple(wanted), None)
    return Answer(query, bodies)


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def test_the_recorded_national_answer_becomes_ledige_and_ledighedsprocent_for_hele_landet():
    body = recorded("unemployment_total.json")
    found = normalise(answer([entry("ledige", "y25i01"), entry("ledighedsprocent", "y25i01")], body), AREAS, FETCHED)
    by_key = {(o.indicator, o.area, o.period, o.breakdown): o for o in found}
    ledige = by_key[("ledige", "000", "2025-05", "")]
    assert ledige.value == 83555 and ledige.unit == "fuldtidspersoner" and ledige.source == "jobindsats:y25i01"
    assert by_key[("ledighedsprocent", "000", "2025-05", "")].value == 2.8
    assert len(found) == 2 * len(body["rows"])


def test_sub_levels_of_a_hierarchy_are_skipped_and_listed_labels_become_breakdowns():
    # y01c01's recorded answer lists every tilbud and its sub-levels (AMU, AVU, …).
    source = entry("aktiveringsmoenster", "y01c02").source
    wanted = Wanted(CATALOGUE.get("aktiveringsmoenster"), replace(source, table="y01c01", measure="Antal aktiverede"), 0)
    found = normalise(answer([wanted], recorded("activation.json")), AREAS, FETCHED)
    may = {o.breakdown: o.value for o in found if o.period == "2025-05"}
    assert may["ydelse=A-dagpenge"] == 22681
    assert may["redskab=Vejledning og opkvalificering;ydelse=A-dagpenge"] == 16612
    assert not any("AMU" in b or "AVU" in b for b in may)


def test_null_is_stored_as_not_published_never_zero_and_danish_number_text_is_read():
    body = {"columns": ["Periode", "Område", "Ydelsesgrupper", "A-kasse", "Antal ledige fuldtidspersoner"],
            "rows": [["2026M05", "Læsø", "Ydelsesgrupper i alt", "I alt", None],
                     ["2026M05", "Aarhus", "Ydelsesgrupper i alt", "I alt", "9.876"],
                     ["2026M05", "Hele landet", "Ydelsesgrupper i alt", "I alt", "89.613,5"]]}
    found = {o.area: o.value for o in normalise(answer([entry("ledige", "y25i01")], body), AREAS, FETCHED)}
    assert found == {"825": None, "751": 9876.0, "000": 89613.5}


def test_a_label_the_catalogue_does_not_know_fails_and_names_where_to_add_it():
    body = recorded("unemployment_total.json")
    body["rows"][3][2] = "Seniorjob"
    with pytest.raises(SourceError) as raised:
        normalise(answer([entry("ledige", "y25i01")], body), AREAS, FETCHED)
    message = str(raised.value)
    assert "mærkatet 'Seniorjob'" in message and "[[indicator.ledige.source]] nummer 1" in message
    assert "intet er gemt" in message


def test_a_measure_missing_from_the_answer_names_the_columns_and_the_catalogue_entry():
    body = recorded("longterm_total.json")
    with pytest.raises(SourceError, match="ingen kolonne .Antal ledige fuldtidspersoner.*Ret `measure` i \\[\\[indicator.ledige.source\\]\\]"):
        normalise(answer([entry("ledige", "y25i01")], body), AREAS, FETCHED)


def test_an_area_name_not_in_the_area_table_fails():
    body = recorded("unemployment_total.json")
    body["rows"][0][1] = "Gotham"
    with pytest.raises(SourceError, match="område 'Gotham' findes ikke i indicators/areas.toml"):
        normalise(answer([entry("ledige", "y25i01")], body), AREAS, FETCHED)


def test_rows_landing_on_one_breakdown_are_summed_and_a_missing_part_makes_the_sum_missing():
    body = {"columns": ["Periode", "Område", "Ydelsesgrupper", "A-kasse", "Alder", "Antal ledige fuldtidspersoner"],
            "rows": [["2026M05", "Ballerup", "Ydelsesgrupper i alt", "I alt", "16-24 år", 100],
                     ["2026M05", "Ballerup", "Ydelsesgrupper i alt", "I alt", "25-29 år", 50],
                     ["2026M05", "Ballerup", "Ydelsesgrupper i alt", "I alt", "Alder i alt", 800],
                     ["2026M06", "Ballerup", "Ydelsesgrupper i alt", "I alt", "16-24 år", 90],
                     ["2026M06", "Ballerup", "Ydelsesgrupper i alt", "I alt", "25-29 år", None]]}
    found = {o.period: o.value for o in normalise(answer([entry("ledige_unge", "y25i01")], body), AREAS, FETCHED)}
    assert found == {"2026-05": 150.0, "2026-06": None}


@pytest.mark.parametrize("at, cell", [(0, ["2026M05"]), (1, {"navn": "Ballerup"}), (2, ["I alt"]), (3, 5)])
def test_a_list_object_or_number_where_text_belongs_fails_with_the_row_not_a_traceback(at, cell):
    row = ["2026M05", "Ballerup", "Ydelsesgrupper i alt", "I alt", 805]
    row[at] = cell
    body = {"columns": ["Periode", "Område", "Ydelsesgrupper", "A-kasse", "Antal ledige fuldtidspersoner"],
            "rows": [["2026M05", "Herlev", "Ydelsesgrupper i alt", "I alt", 590], row]}
    column = body["columns"][at]
    with pytest.raises(SourceError, match=f"kolonnen '{column}' skal rumme tekst, men en række har .*; intet er gemt"):
        normalise(answer([entry("ledige", "y25i01")], body), AREAS, FETCHED)


@pytest.mark.parametrize("columns, says", [
    (["Periode", "Antal ledige fuldtidspersoner", "Område"], "område 5.0 findes ikke"),
    (["Antal ledige fuldtidspersoner", "Område", "Periode"], "periode 5.0 er ikke et periode-id"),
])
def test_a_measure_named_as_the_period_or_area_column_fails_the_table_not_with_a_traceback(columns, says):
    row = {"Periode": "2026M05", "Område": "Ballerup", "Antal ledige fuldtidspersoner": 5.0}
    body = {"columns": columns, "rows": [[row[c] for c in columns]]}
    with pytest.raises(SourceError, match=says):
        normalise(answer([entry("ledige", "y25i01")], body), AREAS, FETCHED)


@pytest.mark.parametrize("periods", [["M"], [{"periodtype_id": "M", "values": None}]])
def test_a_table_description_in_another_shape_says_it_offers_no_periods(periods):
    spec = parse_spec({"table_id": "y25i01", "periods": periods, "dimensions": "_omrade"}, "y25i01")
    query = Query("y25i01", (), "month", (entry("ledige", "y25i01"),), "2026-06")
    with pytest.raises(SourceError, match="tabellen har ingen måneds-, kvartals- eller årsperioder"):
        choose_periods(spec, query)


def test_a_period_id_written_as_a_number_in_the_description_is_read_as_text():
    spec = parse_spec({"periods": [{"periodtype_id": "M", "values": [{"period_id": "2026M06"}, {"period_id": 202607}]}],
                       "dimensions": [{"dimension_id": "_omrade", "hierarchies": None}]}, "y25i01")
    assert spec.periods == {"M": ["2026M06", "202607"]} and spec.area_hierarchies == ()
    query = Query("y25i01", (), "month", (entry("ledige", "y25i01"),), "2026-06")
    assert choose_periods(spec, query) == ("M", 2)  # the unreadable id counts as new; its rows would fail by name


def test_a_moving_average_over_four_quarters_is_not_stored_as_the_quarter():
    body = {"columns": ["Periode", "Område", "Ydelsesgrupper", "A-kasse", "Antal ledige fuldtidspersoner"],
            "rows": [["2026QMAT02", "Ballerup", "Ydelsesgrupper i alt", "I alt", 790]]}
    with pytest.raises(SourceError, match="periode '2026QMAT02' er et glidende gennemsnit over fire kvartaler, ikke "
                                          "kvartalets eget tal; intet er gemt. Vælg i indicators/catalogue.toml"):
        normalise(answer([entry("ledige", "y25i01")], body), AREAS, FETCHED)


def test_one_area_twice_in_an_answer_is_one_figure_and_with_different_figures_fails():
    columns = ["Periode", "Område", "Ydelsesgrupper", "A-kasse", "Antal ledige fuldtidspersoner"]
    rows = [["2026M05", "Ballerup", "Ydelsesgrupper i alt", "I alt", 805],
            ["2026M05", "Herlev", "Ydelsesgrupper i alt", "I alt", 590],
            ["2026M05", "151", "Ydelsesgrupper i alt", "I alt", "805"]]  # Ballerup again, by its code
    found = {o.area: o.value for o in normalise(answer([entry("ledige", "y25i01")], {"columns": columns, "rows": rows}),
                                                AREAS, FETCHED)}
    assert found == {"151": 805.0, "163": 590.0}  # not 1.610
    rows[2][4] = 812
    with pytest.raises(SourceError, match="to rækker for samme område, periode og opdeling har forskellige tal: "
                                          r"\['2026M05', 'Ballerup', .*805\] og \['2026M05', '151', .*812\]; intet er gemt"):
        normalise(answer([entry("ledige", "y25i01")], {"columns": columns, "rows": rows}), AREAS, FETCHED)


def test_the_plan_groups_entries_sharing_a_query_and_reads_history_only_for_new_series():
    wanted = wanted_from(CATALOGUE, "jobindsats", ["ledige", "ledighedsprocent"])
    stored = {("ledige", "jobindsats:y25i01"): "2026-07", ("ledighedsprocent", "jobindsats:y25i01"): "2026-07"}
    plan = JobindsatsConnector(http=None).plan(
        wanted, lambda indicator, source, breakdowns, kind: stored.get((indicator, source)))
    y25i01 = [q for q in plan if q.table == "y25i01" and dict(q.hierarchy).get("_ygrpi09") == "*"]
    assert len(y25i01) == 1 and {w.indicator.id for w in y25i01[0].wanted} == {"ledige", "ledighedsprocent"}
    assert y25i01[0].since == "2026-07"
    assert all(q.since is None for q in plan if q.table == "y25i03")


def test_fetch_asks_for_new_periods_plus_a_few_back_for_every_kommune_and_hele_landet():
    wanted = [entry("ledige", "y25i01")]
    with ReplayServer() as server:
        connector = jobindsats_connector(server)
        query = Query("y25i01", (("_akassebl", "/"), ("_ygrpi09", "*")), "month", tuple(wanted), "2026-06")
        fetched = connector.fetch(query)
        found = normalise(fetched, AREAS, FETCHED)
    data = [r for r in server.requests if "/data/" in r]
    assert len(data) == 2 and all("period.M=latest%3A4" in r for r in data)
    assert any("hierarchy._nykom=%2A" in r for r in data) and any("hierarchy._nykom=%2F" in r for r in data)
    assert {o.period for o in found} == {"2026-04", "2026-05", "2026-06", "2026-07"}
    assert len({o.area for o in found}) == 99


def test_the_replay_server_replays_the_recorded_answer_for_its_recorded_query():
    source = replace(entry("ledige", "y25i01").source, hierarchy={"_ygrpi09": "/", "_akassebl": "/"})
    wanted = Wanted(CATALOGUE.get("ledige"), source, 0)
    with ReplayServer() as server:
        connector = jobindsats_connector(server)
        query = Query("y25i01", (("_akassebl", "/"), ("_ygrpi09", "/")), "month", (wanted,), None)
        found = normalise(connector.fetch(query), AREAS, FETCHED)
    assert {o.value for o in found if o.area == "000" and o.period == "2025-05"} == {83555}


def test_observations_built_from_columns_equal_those_built_one_by_one():
    built = observations_of_columns("ledige", ["101", "000"], ["2026-05", "2026-Q2"], [12.5, None],
                                    ["", "køn=Kvinder"], unit="personer", source="jobindsats:y01a02",
                                    fetched_at="2026-08-10T06:00:00+00:00")
    assert built == [
        Observation("ledige", "101", "2026-05", 12.5, "", "personer", "jobindsats:y01a02", False,
                    "2026-08-10T06:00:00+00:00"),
        Observation("ledige", "000", "2026-Q2", None, "køn=Kvinder", "personer", "jobindsats:y01a02", False,
                    "2026-08-10T06:00:00+00:00"),
    ]
    assert hash(built[0]) == hash(Observation("ledige", "101", "2026-05", 12.5, "", "personer", "jobindsats:y01a02",
                                              False, "2026-08-10T06:00:00+00:00"))
    with pytest.raises(AttributeError):  # still frozen
        built[0].value = 1.0
