"""StatBank: the POST body, BULK CSV in both period spellings, area codes, errors as messages."""
from __future__ import annotations

import pytest

from indicators.catalogue import default_areas, default_catalogue
from indicators.connectors import SourceError, wanted_from
from indicators.connectors.statbank import Answer, Query, normalise
from tests.replay import Fault, ReplayServer, statbank_connector

CATALOGUE = default_catalogue()
AREAS = default_areas()
FETCHED = "2026-08-01T00:00:00+00:00"


def query(indicator: str, table: str, since_year: int | None = None) -> Query:
    wanted = [w for w in wanted_from(CATALOGUE, "statbank", [indicator]) if w.source.table == table]
    return Query(table, tuple(wanted[0].source.variables.items()), tuple(wanted), since_year)


def test_the_official_seasonally_adjusted_rate_in_danish_quarter_and_month_spellings():
    text = ("\ufeffOMRÅDE;SAESONFAK;TID;INDHOLD\r\n000;9;2026M05;2,9\r\n084;9;2026M05;3,1\r\n151;9;2026M05;3,0\r\n"
            "01;9;2026M05;3,2\r\n997;9;2026M05;..\r\n151;9;2026M06;..\r\n")
    found = {(o.area, o.period): o for o in normalise(Answer(query("ledighedsprocent", "AUS08"), text), AREAS, FETCHED)}
    assert found[("151", "2026-05")].value == 3.0
    assert found[("151", "2026-05")].breakdown == "korrektion=Sæsonkorrigeret"
    assert found[("151", "2026-05")].source == "statbank:AUS08"
    assert found[("151", "2026-06")].value is None  # ".." = not published, never 0
    assert ("001", "2026-05") not in found and len(found) == 4  # landsdel 01 and abroad are not areas


def test_bopkom_codes_without_leading_zeros_and_quarters_in_both_languages():
    text = "TAL;BOPKOM;KØN;TID;INDHOLD\n1010;0;TOT;2018K2;2282679\n1010;84;TOT;2018Q2;739080\n1010;151;1;2018K2;9500\n"
    found = {(o.area, o.breakdown): o for o in normalise(Answer(query("beskaeftigelse", "LBESK69"), text), AREAS, FETCHED)}
    assert found[("000", "")].value == 2282679 and found[("000", "")].period == "2018-Q2"
    assert found[("084", "")].period == "2018-Q2"
    assert found[("151", "køn=Mænd")].value == 9500


def test_a_value_code_the_catalogue_does_not_know_fails():
    text = "TAL;BOPKOM;KØN;TID;INDHOLD\n1010;151;TOT;2018K2;18674\n1010;151;X;2018K2;3\n"
    with pytest.raises(SourceError, match="værdikoden 'X' .*beskaeftigelse"):
        normalise(Answer(query("beskaeftigelse", "LBESK69"), text), AREAS, FETCHED)


def test_an_answer_cut_off_midline_fails_instead_of_storing_half():
    text = "OMRÅDE;KØN;ALDER;TID;INDHOLD\n151;TOT;IALT;2026M01;49800\n461;TOT\n"
    with pytest.raises(SourceError, match="linje 3 har 2 celler.*afbrudt"):
        normalise(Answer(query("befolkning", "FOLK1AM"), text), AREAS, FETCHED)


def test_a_row_given_twice_is_one_figure_and_twice_with_different_figures_fails():
    # Ages 18 and 19 are summed into one breakdown on purpose; the same row twice is not two figures.
    text = ("OMRÅDE;KØN;ALDER;TID;INDHOLD\n151;TOT;IALT;2026M01;53950\n461;TOT;IALT;2026M01;210000\n"
            "151;TOT;IALT;2026M01;53950\n")
    found = {(o.area, o.period): o.value for o in normalise(Answer(query("befolkning", "FOLK1AM"), text), AREAS, FETCHED)}
    assert found == {("151", "2026-01"): 53950, ("461", "2026-01"): 210000}
    with pytest.raises(SourceError, match="område '151', periode 2026M01 står to gange med forskellige tal "
                                          "\\(linje 2 og 4: 53950 og 54000\\); intet er gemt"):
        normalise(Answer(query("befolkning", "FOLK1AM"), text.removesuffix("53950\n") + "54000\n"), AREAS, FETCHED)


def test_the_request_body_selects_codes_and_only_recent_years_when_incremental():
    body = query("ledighedsprocent", "AUS08", since_year=2025).body(this_year=2026)
    assert body["format"] == "BULK" and body["lang"] == "da" and body["valuePresentation"] == "Code"
    assert {"code": "SAESONFAK", "values": ["9"]} in body["variables"]
    assert {"code": "Tid", "values": ["2025*", "2026*"]} in body["variables"]
    assert {"code": "Tid", "values": ["*"]} in query("ledighedsprocent", "AUS08").body(this_year=2026)["variables"]


def test_a_statbank_error_answer_becomes_a_message_with_its_code_and_the_fix():
    with ReplayServer() as server:
        connector = statbank_connector(server)
        bad = Query("AUS99", (("OMRÅDE", "*"), ("Tid", "*")), query("ledighedsprocent", "AUS08").wanted, None)
        with pytest.raises(SourceError) as raised:
            connector.fetch(bad)
    message = str(raised.value)
    assert "HTTP 400 – Tabel findes ikke: AUS99 (EXTRACT-NOTFOUND)" in message
    assert "indicators/catalogue.toml" in message and raised.value.permanent


def test_fetching_population_from_the_stand_in_gives_every_kommune():
    with ReplayServer() as server:
        connector = statbank_connector(server)
        found = normalise(connector.fetch(query("befolkning", "FOLK1AM")), AREAS, FETCHED)
    assert len({o.area for o in found}) == 104  # 98 kommuner, 5 regioner, hele landet
    ballerup = {o.period: o.value for o in found if o.area == "151"}
    assert ballerup["2021-10"] == 49259


def test_a_server_error_then_success_is_retried_transparently():
    with ReplayServer(faults=[Fault("/v1/data", status=500, times=1)]) as server:
        connector = statbank_connector(server)
        found = normalise(connector.fetch(query("befolkning", "FOLK1A")), AREAS, FETCHED)
    assert found and sum(1 for r in server.requests if r.startswith("POST")) == 2
