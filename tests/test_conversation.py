"""Issue 14: rankings, changes, aggregates, follow-ups, definitions and unused words, answered
from the shipped sample store and checked against the store's own values."""
from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerting.context import TargetContext
from bot.asking.conversation import Conversations, reply
from bot.asking.queries import NotUnderstood, Query, parse
from bot.clock import TIMEZONE
from bot.config import Config, load_config
from bot.rendering.formats import period as format_period
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from tests.conftest import run_cli

TODAY = date(2026, 11, 25)
KOMMUNER = [a.code for a in default_areas().kommuner()]


@pytest.fixture(scope="module")
def store(sample_store_path):
    with Store(sample_store_path) as opened:
        yield opened


def ask(store, text, context=None):
    return reply(text, store, Config(), TODAY, context=context)


def chat(store, *lines):
    """Ask line after line in one conversation, as the terminal chat does."""
    conversation, now, replies = Conversations(), datetime(2026, 11, 25, 9, 0), []
    for line in lines:
        result = ask(store, line, conversation.get("c", now))
        conversation.remember("c", result, now)
        replies.append(result)
    return replies


def test_lowest_unemployment_ranks_kommuner_by_the_rate_with_own_place_and_landet(store):
    result = ask(store, "hvilke kommuner har den laveste ledighed")
    data = result.as_json()
    assert data["intent"] == "ranking" and data["indicator"] == "ledighedsprocent"
    values = {o.area: o.value for o in store.cross_section("ledighedsprocent", [data["period"]], KOMMUNER)}
    expected = sorted(values.items(), key=lambda item: (item[1], default_areas().get(item[0]).name))[:5]
    assert [(r["area"]["code"], r["value"]) for r in data["ranking"]] == expected
    place = sorted(values.values()).index(values["151"]) + 1
    assert f"Ballerup er nr. {data['place']} af {len(values)}" in result.text
    assert abs(data["place"] - place) <= sum(1 for v in values.values() if v == values["151"])
    assert "frem for antallet" in result.text
    national = store.get("ledighedsprocent", "000", data["period"]).value
    assert data["national"] == national and "Hele landet:" in result.text


def test_most_unemployed_keeps_the_count_and_top_n_is_honoured(store):
    data = ask(store, "de 3 kommuner med flest langtidsledige").as_json()
    assert data["indicator"] == "langtidsledige" and len(data["ranking"]) == 3
    values = {o.area: o.value for o in store.cross_section("langtidsledige", [data["period"]], KOMMUNER)}
    assert [r["value"] for r in data["ranking"]] == sorted(values.values(), reverse=True)[:3]
    # the newest period (the two kommuner without it are named in the answer, not ranked)
    assert data["period"] == store.last_periods("langtidsledige", "151", "", "month", 1)[0]


def test_a_change_is_the_difference_with_both_periods_named(store):
    result = ask(store, "hvor mange flere ledige end for et år siden")
    data = result.as_json()
    now, then = store.get("ledige", "151", data["period"]), store.get("ledige", "151", data["compare_period"])
    assert data["intent"] == "change" and data["compare_period"] == "2025-07" and data["period"] == "2026-07"
    assert data["value"] == now.value - then.value
    assert "juli 2025" in result.text and "juli 2026" in result.text and "pct.)" in result.text


def test_a_change_of_a_rate_is_in_percentage_points(store):
    data = ask(store, "ændring i ledighedsprocenten fra maj 2025 til maj 2026").as_json()
    assert (data["period"], data["compare_period"]) == ("2026-05", "2025-05")
    expected = store.get("ledighedsprocent", "151", "2026-05").value - store.get("ledighedsprocent", "151", "2025-05").value
    assert data["value"] == pytest.approx(expected)
    assert "pct.-point" in data["text"]


def test_a_year_of_a_monthly_series_is_the_mean_of_its_twelve_months(store):
    result = ask(store, "gennemsnitlig ledighed i 2025")
    data = result.as_json()
    months = [store.get("ledige", "151", f"2025-{m:02d}").value for m in range(1, 13)]
    assert data["period"] == "2025" and data["value"] == pytest.approx(sum(months) / 12)
    assert "Gennemsnit af 12 måneder" in result.text


def test_a_flow_sums_its_months(store):
    data = ask(store, "samtaler i 2025").as_json()
    months = [store.get("samtaler", "151", f"2025-{m:02d}").value for m in range(1, 13)]
    assert data["value"] == pytest.approx(sum(months))


def test_an_incomplete_year_is_declined_with_the_missing_months(store):
    result = ask(store, "ledighed 2026")
    assert result.as_json()["value"] is None
    assert "mangler tal for 5 af 12 måneder" in result.text and "december 2026" in result.text


@pytest.mark.parametrize(("lines", "indicator", "area", "period", "intent"), [
    (("ledighed maj", "og i Aarhus?"), "ledige", "751", "2026-05", "value"),
    (("ledighed i Aarhus maj 2026", "hvad med året før?"), "ledige", "751", "2025-05", "value"),
    (("ledighed maj 2026", "og ledighedsprocenten?"), "ledighedsprocent", "151", "2026-05", "value"),
    (("ledighedsprocent aarhus", "vis udviklingen"), "ledighedsprocent", "751", "2026-07", "development"),
    (("ledige", "hvorfor?"), "ledige", "151", "2026-07", "change"),
    (("top 5 kommuner med flest ledige", "og i Aarhus?"), "ledige", "751", "2026-07", "ranking"),
    # A month or quarter without a year keeps the year talked about, not the newest June.
    (("ledighed maj 2025", "og juni?"), "ledige", "151", "2025-06", "value"),
    (("sygedagpenge 2024", "og q3?"), "sygedagpenge", "151", "2024-Q3", "value"),
    # »kvartalet før« is a quarter, also after a month: not the month before.
    (("ledighed", "kvartalet før"), "ledige", "151", "2026-Q2", "value"),
    (("ledighed juli 2025", "kvartalet før"), "ledige", "151", "2025-Q2", "value"),
    (("ledighed q2", "kvartalet før"), "ledige", "151", "2026-Q1", "value"),
])
def test_a_follow_up_changes_only_what_it_names(store, lines, indicator, area, period, intent):
    data = chat(store, *lines)[-1].as_json()
    assert (data["indicator"], data["area"]["code"], data["period"], data["intent"]) == (indicator, area, period, intent)


@pytest.mark.parametrize("then", ["hvad med Herlev?", "og hvad med Herlev", "hvad så med Herlev?"])
def test_hvad_med_an_area_asks_that_area_not_a_comparison_with_it(store, then):
    # »hvad med Herlev« after »ledighed i hele landet« answered hele landet with Herlev beside it:
    # »med« before an area read as »sammenlignet med«.
    second = chat(store, "ledighed i hele landet", then)[-1]
    assert second.result.area.code == "163" and second.result.query.compare == ()
    assert second.plain.startswith("Ledige i Herlev")


@pytest.mark.parametrize(("first", "kept"), [
    ("fuldtidspersoner på a-dagpenge i Albertslund", "ydelse=A-dagpenge"),
    ("ledige på a-dagpenge", "ydelse=A-dagpenge"),
])
def test_a_follow_up_naming_a_group_keeps_the_benefit_asked_before(store, first, kept):
    # »og kvinder?« after A-dagpenge dropped A-dagpenge: »ingen tal for fuldtidspersoner (Kvinder)
    # i Albertslund – kilden giver det ikke for det område«, or all ledige.
    second = chat(store, first, "og kvinder?")[-1]
    assert second.result.query.breakdown == kept and second.result.missing_breakdown == "køn=Kvinder"
    assert second.result.observation is not None
    assert chat(store, "ledige kvinder", "og mænd?")[-1].result.query.breakdown in ("", "køn=Mænd")
    listed = chat(store, "ledige på a-dagpenge", "og fordelt på ydelse?")[-1].result
    assert {p.label for p in listed.parts} == {"A-dagpenge", "Kontant- og uddannelseshjælp"}


@pytest.mark.parametrize("then", ["og hvad med os?", "og vores kommune?", "hvad med hos os?"])
def test_a_follow_up_asking_us_is_the_configured_kommune(store, then):
    # »og hvad med os?« after »kontanthjælp i Herlev« answered Herlev again.
    second = chat(store, "kontanthjælp i Herlev", then)[-1]
    assert second.result.area.code == "151" and second.result.query.compare == ()


def test_a_follow_up_comparing_with_us_adds_the_configured_kommune(store):
    # »sammenlignet med os« after »ledighed i Herlev« was »Det forstod jeg ikke«.
    second = chat(store, "ledighed i Herlev", "sammenlignet med os")[-1]
    assert second.result.area.code == "163" and [c.area.code for c in second.result.comparisons] == ["151"]


def test_an_age_span_after_a_listing_by_age_lists_its_groups(store):
    # »og over 50?« after »forsørgertryk fordelt på alder« asked 60+ as a part and listed by age beside it.
    second = chat(store, "forsørgertryk fordelt på alder", "og over 50?")[-1]
    assert {p.label for p in second.result.parts} == {"50-59 år", "60 år og derover"}
    assert second.result.missing_breakdown is None


def test_compared_with_landet_keeps_the_question_and_adds_landet(store):
    _first, second = chat(store, "ledighedsprocent Aarhus maj 2026", "sammenlignet med landet")
    assert second.result.query.compare == ("000",) and second.result.area.code == "751"
    assert "Hele landet:" in second.text and second.as_json()["period"] == "2026-05"


def test_why_says_causes_are_not_in_the_data(store):
    result = ask(store, "hvorfor er ledigheden steget")
    assert "Årsagerne står ikke i tallene" in result.text


@pytest.mark.parametrize(("lines", "part", "national"), [
    (("samtaler maj", "og for sygemeldte?", "hvorfor?"), "gruppe=Sygemeldte", "2026-05"),
    (("ledige på a-dagpenge", "hvorfor?"), "ydelse=A-dagpenge", "2026-07"),
])
def test_why_of_a_part_explains_that_part_not_the_parts_beside_it(store, lines, part, national):
    # »samtaler maj« … »og for sygemeldte?« … »hvorfor?« listed Ledige, Sygemeldte and Øvrige as what
    # moved, and said »er samtaler steget med 12« of the Sygemeldte alone: another question's answer
    *_, why = chat(store, *lines)
    answer = why.result
    assert answer.query.intent == "why" and answer.observation.breakdown == part
    assert answer.movers == ()
    label = part.split("=", 1)[1]
    assert f"er {answer.indicator.name} ({label}) steget med" in why.text
    for other in ("Ledige:", "Øvrige:", "Kontant- og uddannelseshjælp:", f"• {label}:"):
        assert other not in why.text
    # hele landet's change is of the same part
    now, then = store.get(answer.indicator.id, "000", national, part), \
        store.get(answer.indicator.id, "000", str(int(national[:4]) - 1) + national[4:], part)
    assert answer.national_change.absolute == pytest.approx(now.value - then.value)
    assert f"Hele landet i samme periode ({label}): steget med" in why.text
    # of the whole, the parts are still what moved
    assert {key for key, _ in chat(store, "samtaler maj", "hvorfor?")[-1].result.movers} == \
        {"gruppe=Ledige", "gruppe=Sygemeldte", "gruppe=Øvrige"}


def test_the_definite_samtalerne_is_samtaler_not_the_sygemeldte_named_beside_it(store):
    # »hvorfor er samtalerne for sygemeldte steget« answered sygedagpenge, »samtalerne« not understood
    answer = ask(store, "hvorfor er samtalerne for sygemeldte steget").result
    assert (answer.indicator.id, answer.observation.breakdown) == ("samtaler", "gruppe=Sygemeldte")
    assert not answer.query.unused


def test_for_sygemeldte_after_the_samtalehyppighed_is_its_part_held_elsewhere_said(store):
    # »samtalehyppighed« … »og for sygemeldte?« answered sygedagpenge (1.222 personer), the figure that
    # »sygemeldte« names alone, as if it had been asked; the samtalehyppighed has no målgrupper, so
    # samtaler pr. fuldtidsperson of the Sygemeldte is given, said
    _, part = chat(store, "samtalehyppighed", "og for sygemeldte?")
    answer = part.result
    assert (answer.indicator.id, answer.observation.breakdown, answer.observation.period) == \
        ("samtaler_pr_fuldtidsperson", "gruppe=Sygemeldte", "2026-Q2")
    assert "Der er ingen tal for samtalehyppigheden opdelt på målgruppe i Ballerup – tallet her er samtaler pr. " \
           "fuldtidsperson, ikke samtaler pr. person." in part.text
    # after a figure with that part, and after one with no such part at all, as before
    assert chat(store, "samtaler maj", "og for sygemeldte?")[-1].result.observation.breakdown == "gruppe=Sygemeldte"
    assert chat(store, "ledighed", "og for sygemeldte?")[-1].result.indicator.id == "sygedagpenge"


def test_a_follow_up_without_a_question_before_is_declined():
    assert parse("og i Aarhus?").reason == "no_context"


def test_context_expires_after_thirty_minutes_idle(store):
    conversation, now = Conversations(), datetime(2026, 11, 25, 9, 0)
    conversation.remember("t", ask(store, "ledighed maj"), now)
    assert conversation.get("t", now + timedelta(minutes=29)) is not None
    assert conversation.get("t", now + timedelta(minutes=29) + timedelta(minutes=31)) is None


def test_unused_words_are_named_in_the_answer_and_the_json(store):
    result = ask(store, "ledige tandlæger")
    assert result.as_json()["unused"] == ["tandlæger"]
    assert "»tandlæger«" in result.text


def test_a_second_figure_is_not_silently_dropped():
    query = parse("ledighedsprocent og langtidsledige")
    assert isinstance(query, Query) and query.unused == ("langtidsledige",)


def test_definition_answers_the_catalogue_not_a_number(store):
    result = ask(store, "hvad betyder forsørgertryk?")
    assert result.as_json()["intent"] == "definition" and result.as_json()["value"] is None
    assert "Offentligt forsørgede" in result.text


def test_freshness_lists_each_source_with_its_fetch_day(store):
    result = ask(store, "hvornår er tallene opdateret")
    assert result.as_json()["intent"] == "freshness"
    assert "Jobindsats.dk, tabel y25i01: hentet" in result.text and "Danmarks Statistik" in result.text


def test_freshness_shows_the_kommunes_files_as_one_source_with_the_newest_file(sample_store_copy, tmp_path):
    # A file a month: »hvor nye er tallene« listed each as its own source, forever, and said »hentet«.
    for month, count in (("september", "1.160"), ("oktober", "1.170")):
        path = tmp_path / f"samtaler-{month}.csv"
        path.write_text(f"Måned;Kommune;Antal samtaler;Målgruppe\n{month} 2026;Ballerup;{count};Ledige\n",
                        encoding="utf-8")
        assert run_cli("refresh", "--file", str(path), db=sample_store_copy).returncode == 0
    conn = sqlite3.connect(sample_store_copy)
    with conn:  # both imported in one second: the newest import names the file, not either at random
        conn.execute("UPDATE observations SET fetched_at = '2026-12-03T08:00:00+00:00' WHERE source LIKE 'file:%'")
        conn.execute("UPDATE refresh_runs SET started_at = '2026-12-03T08:00:00+00:00' WHERE source LIKE 'file:%'")
    conn.close()
    text = run_cli("ask", "hvor nye er tallene", db=sample_store_copy).stdout
    files = [line for line in text.splitlines() if "Kommunens egne" in line]
    assert len(files) == 1 and "samtaler-september" not in text, text
    assert files[0].startswith("• Kommunens egne filer (seneste: samtaler-oktober.csv): indlæst ")
    assert "nyeste tal oktober 2026; senest opdateret" in files[0]


@pytest.mark.parametrize("question", ["hvor nye er tallene for ledighed", "hvor nye er ledighedstallene"])
def test_how_new_the_figures_of_one_figure_are_is_their_freshness_with_no_word_unused(store, question):
    result = ask(store, question)
    assert result.as_json()["intent"] == "freshness" and result.as_json()["unused"] == []
    assert "Jobindsats.dk, tabel y25i01: hentet" in result.text and "»nye«" not in result.text


def test_seasonally_adjusted_selects_that_series(store):
    data = ask(store, "sæsonkorrigeret ledighed landet").as_json()
    expected = store.get("ledighedsprocent", "000", data["period"], "korrektion=Sæsonkorrigeret")
    assert data["value"] == expected.value and data["source"] == expected.source


def test_partly_sample_answers_name_the_sample_part(store):
    # Ballerup's seasonally adjusted rate is eksempeldata, hele landet's is real (Jobindsats y25i03).
    result = ask(store, "sæsonkorrigeret ledighedsprocent ballerup vs landet")
    sample = [o for o in result.result.shown if o.is_sample]
    assert 0 < len(sample) < len(result.result.shown)
    assert "tallet for Ballerup (juli 2026) er syntetisk" in result.text and "resten er officielle tal" in result.text
    assert result.as_json()["sample_data"] is True


def test_chat_json_carries_context_line_to_line(sample_store_path):
    result = run_cli("chat", "--json", db=sample_store_path, input="ledighed maj\nog i Aarhus?\nhvad med året før?\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(d["area"]["code"], d["period"]) for d in lines] == [("151", "2026-05"), ("751", "2026-05"), ("751", "2025-05")]
    assert all(d["unused"] == [] for d in lines)  # every word of these questions was used


@pytest.mark.parametrize("lines", [
    ("hvilke kommuner har størst fald i ledigheden",),
    ("hvor er ledigheden steget mest",),
    ("hvilke kommuner har flest ledige", "og hvem er steget mest?"),
])
def test_a_ranking_by_how_much_a_figure_moved_is_declined_not_ranked_by_level(store, lines):
    # It ranked the highest ledighedsprocent (or answered Ballerup's own trend) without a word.
    result = chat(store, *lines)[-1]
    assert result.as_json().get("intent") != "ranking"
    assert "Jeg kan ikke rangordne kommunerne efter, hvor meget et tal er steget eller faldet" in result.text


def test_for_a_part_of_the_figure_before_is_that_part_not_another_figure(store):
    # »for kontanthjælp« after »aktiveringsgrad« answered kontanthjælpsmodtagere, without a word.
    _, part, other = chat(store, "aktiveringsgrad", "for kontanthjælp", "og for sygedagpenge")
    assert part.result.query.indicator == "aktiveringsgrad" and part.result.query.breakdown == "ydelse=Kontanthjælp"
    assert other.result.query.breakdown == "ydelse=Sygedagpenge"
    stored = store.get("aktiveringsgrad", "151", part.result.observation.period, "ydelse=Kontanthjælp")
    assert part.result.observation.value == stored.value
    # Asked on its own, »kontanthjælp« is still the figure of that name.
    assert chat(store, "aktiveringsgrad", "kontanthjælp")[-1].result.query.indicator == "kontanthjaelp"


def test_where_we_stand_on_a_count_ranks_its_rate_and_says_so(store):
    # »hvor ligger vi på ledighed« placed Ballerup by the number of ledige, which mostly ranks size.
    result = ask(store, "hvor ligger vi på ledighed")
    data = result.as_json()
    assert data["intent"] == "ranking" and data["indicator"] == "ledighedsprocent"
    assert "frem for antallet" in result.text
    values = {o.area: o.value for o in store.cross_section("ledighedsprocent", [data["period"]], KOMMUNER)}
    below = sum(1 for v in values.values() if v < values["151"])
    assert below < data["place"] <= below + sum(1 for v in values.values() if v == values["151"])
    # After »flest ledige« the follow-up keeps the count it talked about.
    assert chat(store, "hvilke kommuner har flest ledige", "og hvor ligger vi?")[-1].as_json()["indicator"] == "ledige"


def test_a_ranking_of_a_quarter_without_a_year_ranks_the_whole_quarter_not_its_last_month(store):
    # »flest ledige i q1« ranked marts 2026 under the heading »Ledige, marts 2026«.
    data = ask(store, "flest ledige i q1").as_json()
    exact = ask(store, "flest ledige i 1. kvt. 2026").as_json()
    assert data["period"] == "2026-Q1"
    assert data["ranking"] == exact["ranking"] and data["place"] == exact["place"]


def test_in_percent_after_a_count_asks_its_rate(store):
    # »og i procent?« set »procent« aside and repeated the count.
    data = chat(store, "ledighed", "og i procent?")[-1].as_json()
    assert (data["indicator"], data["unused"]) == ("ledighedsprocent", [])


@pytest.mark.parametrize(("first", "indicator"), [("langtidsledige 2025", "langtidsledige"), ("samtaler", "samtaler"),
                                               ("ledighedsprocent", "ledighedsprocent")])
def test_in_percent_after_a_figure_without_a_rate_says_so(store, first, indicator):
    # »i procent?« after langtidsledige (no rate in the catalogue) repeated the count without a word.
    replies = chat(store, first, "i procent?")
    data = replies[-1].as_json()
    assert data["indicator"] == indicator
    if indicator == "ledighedsprocent":  # in pct. already: nothing set aside
        assert data["unused"] == []
    else:
        assert data["unused"] == ["i procent"] and "Tallet opgøres ikke i procent – her er antallet." in replies[-1].text


def test_an_area_after_a_definition_asks_the_figure_there_and_a_figure_its_definition(store):
    # »og i Ballerup?« after »hvad betyder forsørgertryk« repeated the definition.
    assert chat(store, "hvad betyder forsørgertryk", "og i ballerup?")[-1].as_json()["intent"] == "value"
    assert chat(store, "hvad betyder ledighedsprocent", "og aktiveringsgrad?")[-1].result.intent == "definition"


@pytest.mark.parametrize(("text", "expected"), [
    ("ledighed første halvår 2025", "Ledige i Ballerup, januar–juni 2025: 740 fuldtidspersoner"),
    ("gennemsnitlig ledighed 1. halvår 2025", "Ledige i Ballerup, januar–juni 2025: 740 fuldtidspersoner"),
    ("ledighed h1 2025", "Ledige i Ballerup, januar–juni 2025: 740 fuldtidspersoner"),
    ("ledighed andet halvår 2025", "Ledige i Ballerup, juli–december 2025: 738 fuldtidspersoner"),
    ("samtaler 1. halvår 2026", "Samtaler i Ballerup, januar–juni 2026: 9.679 samtaler"),
    ("sygedagpenge sidste halvår 2025", "Sygedagpenge mv. i Ballerup, 3.–4. kvt. 2025: 1.204 personer"),
    ("ledighed 1. halvår 2026 vs 1. halvår 2025", "Ledige i Ballerup, januar–juni 2026: 829 fuldtidspersoner")])
def test_a_half_year_is_its_months_average_or_sum_not_the_year(store, text, expected):
    # It answered 2025's average (or, for »andet halvår«, hele landet's) with »halvår« set aside;
    # then it declined every half-year (»Jeg kan ikke give tal for et halvår«), though a half's
    # months are as easily averaged (a flow's added up) as a quarter's: 740,5 = ledige's mean of
    # januar–juni 2025 in the store, 1.204 the mean of sygedagpenge's 3. and 4. kvt. 2025.
    result = ask(store, text)
    assert expected in result.text and result.understood and not result.as_json()["unused"]
    assert "end i januar–juni 2025" in ask(store, "ledighed 1. halvår 2026").text  # the same half a year before


def test_a_half_year_not_yet_over_is_said_to_lack_its_months_not_answered_by_another_span(store):
    # »ledighed andet halvår 2026« (figures to juli 2026) gave »juli 2025 til juli 2026: 94 flere«
    result = ask(store, "ledighed andet halvår 2026")
    assert result.as_json().get("value") is None
    assert "Jeg kan ikke give gennemsnittet for ledige i Ballerup for juli–december 2026: der mangler tal " \
           "for 5 af 6 måneder" in result.text
    quarterly = ask(store, "sygedagpenge andet halvår 2026")
    assert quarterly.as_json().get("value") is None and "3.–4. kvt. 2026" in quarterly.text


def test_a_change_over_a_span_not_yet_published_says_which_months_it_lacks(store):
    # »ledighed juli til december 2026« (figures to juli 2026) gave »juli 2025 til juli 2026: 94 flere«:
    # its start moved a year back, unsaid; the same for »sygedagpenge 2. kvt. til 4. kvt. 2026«
    result = ask(store, "ledighed juli til december 2026")
    assert result.as_json().get("value") is None and "juli 2025" not in result.text
    assert "Jeg kan ikke give ændringen i ledige i Ballerup for juli–december 2026: der mangler tal for 5 af 6 " \
           "måneder (august 2026, september 2026, oktober 2026, november 2026 og december 2026), og juli 2026 " \
           "er det nyeste tal." in result.text
    quarterly = ask(store, "sygedagpenge 2. kvt. til 4. kvt. 2026")
    assert quarterly.as_json().get("value") is None and "2. kvt. 2025" not in quarterly.text
    assert "der mangler tal for 2 af 3 kvartaler (3. kvt. 2026 og 4. kvt. 2026)" in quarterly.text
    # a start before the newest is still the change to the newest, said (nothing moved)
    said = ask(store, "ledighed fra juni til september 2026").text
    assert "juni 2026 til juli 2026" in said and "Der er ingen tal for september 2026" in said


def test_why_after_a_span_explains_that_span_not_its_end_months(store):
    # »gennemsnitlig ledighed 1. halvår 2026« … »hvorfor?« explained juni 2026 against juni 2025
    # (»Fra juni 2025 (734 fuldtidspersoner) til juni 2026 … steget med 79«), not the half asked
    why = chat(store, "gennemsnitlig ledighed 1. halvår 2026", "hvorfor?")[-1]
    assert why.result.query.intent == "why"
    assert "Fra januar–juni 2025 (740 fuldtidspersoner) til januar–juni 2026 er ledige steget med 88 " \
           "(+11,9 pct.)." in why.text
    assert "Gennemsnit af 6 måneder." in why.text and "juni 2025 (734" not in why.text
    # »ledighed jan-jun 2026« is the change from januar to juni: »hvorfor?« explains that change
    change = chat(store, "ledighed jan-jun 2026", "hvorfor?")[-1].text
    assert "Fra januar 2026 (799 fuldtidspersoner) til juni 2026 er ledige steget med 14" in change
    # a flow's months added up (»samtaler siden januar«): the same months a year before
    summed = chat(store, "samtaler siden januar", "hvorfor?")[-1].text
    assert "Fra januar–juli 2025 (10.611 samtaler) til januar–juli 2026 er samtaler steget med 193" in summed


@pytest.mark.parametrize(("lines", "indicator", "area", "said"), [
    (("gennemsnitlig ledighed 1. halvår 2026", "hvorfor?", "og i Herlev?"), "ledige", "163",
     "Ledige i Herlev, januar–juni 2026: 504 fuldtidspersoner"),
    (("gennemsnitlig ledighed 1. halvår 2026", "hvorfor?", "og for unge?"), "ledige_unge", "151",
     "Ledige unge i Ballerup, januar–juni 2026:"),
    (("samtaler siden januar", "hvorfor?", "og i Albertslund?"), "samtaler", "165",
     "Samtaler i Albertslund, januar–juli 2026:"),
])
def test_a_follow_up_after_why_of_a_span_keeps_the_span(store, lines, indicator, area, said):
    # »gennemsnitlig ledighed 1. halvår 2026« … »hvorfor?« … »og i Herlev?« gave Herlev's juni 2026
    # alone (»Ledige i Herlev, juni 2026: 491«): the why had dropped the span's start from the talk
    *_, then = chat(store, *lines)
    answer = then.result
    assert (answer.indicator.id, answer.area.code) == (indicator, area)
    assert answer.aggregate is not None and answer.aggregate.start[:4] == "2026" and said in then.text
    assert then.as_json()["period_from"] == answer.aggregate.start
    # as it is without the »hvorfor?« between
    direct = chat(store, lines[0], lines[-1])[-1]
    assert direct.text == then.text


def test_a_level_against_landet_of_a_count_is_not_left_as_two_counts(store):
    # »er vi under landsniveau på samtaler« gave 1.125 samtaler beside hele landet's 118.492, no word:
    # the counts of areas of different size say nothing of the level; the figure that can is named
    counts = ask(store, "er vi under landsniveau på samtaler")
    assert "Antallet siger ikke, hvem der klarer sig bedst: Ballerup og hele landet har forskellig størrelse." \
           in counts.text
    named = ask(store, "samtaler pr. fuldtidsperson mod hele landet")
    assert named.result.indicator.id == "samtaler_pr_fuldtidsperson" and named.result.comparisons
    # a count with a rate is judged by its rate; a figure per person by itself
    rate = ask(store, "er vi under landsniveau på ledige").text
    assert "Ballerup klarer sig dårligere end hele landet på ledighedsprocenten: 3,1 pct. mod 3,0 pct." in rate
    own = ask(store, "ligger vi over landet på samtalehyppighed").text
    assert "Ballerup klarer sig dårligere end hele landet på samtalehyppigheden" in own
    both = ask(store, "ligger vi over eller under landet på samtaler").text
    assert "Samtalehyppigheden kan sammenlignes" in both
    # no rate nor figure per person: said, the counts not judged
    assert "sammenlign et tal i procent eller pr. person" in ask(store, "er vi under landsniveau på langtidsledige").text


@pytest.mark.parametrize(("text", "period"), [("er vi under landsniveau på samtaler", "2026-Q2"),
                                              ("er vi under landsniveau på samtaler i januar 2026", "2026-Q1")])
def test_a_count_against_landet_points_to_the_targets_figure_with_its_period(store, text, period):
    # »er vi under landsniveau på samtaler« pointed to samtaler pr. fuldtidsperson, with no figure and
    # no period; the committee's target for samtaler is on the samtalehyppighed (faktabot.example.toml),
    # which has hele landet's figure: it is given, for its own period (a quarter beside a month's count)
    counts = ask(store, text)
    own, land = store.get("samtalehyppighed", "151", period), store.get("samtalehyppighed", "000", period)
    quarter = {"2026-Q2": "2. kvt. 2026", "2026-Q1": "1. kvt. 2026"}[period]
    shown = f"{own.value:.1f}".replace(".", ","), f"{land.value:.1f}".replace(".", ",")
    assert f"Samtalehyppigheden kan sammenlignes: i {quarter} var tallet {shown[0]} samtaler pr. person i Ballerup " \
           f"mod {shown[1]} samtaler pr. person i hele landet (Ballerup ligger 0,2 lavere) – " \
           f"spørg »samtalehyppigheden {quarter} mod hele landet«." in counts.text
    assert "fuldtidsperson" not in counts.text
    # the question suggested works, in the same conversation too: those figures, that period
    asked = re.search(r"spørg »([^«]+)«", counts.text).group(1)
    *_, then = chat(store, text, asked)
    answer = then.result
    assert (answer.indicator.id, answer.area.code, answer.observation.period) == ("samtalehyppighed", "151", period)
    assert answer.observation.value == own.value
    assert [(c.area.code, c.observation.value) for c in answer.comparisons] == [("000", land.value)]


def test_a_count_in_relation_to_landet_in_a_conversation_names_the_figure_that_compares(store):
    # »samtaler maj« … »og for sygemeldte?« … »hvordan er vi i forhold til landet?« gave 434 samtaler
    # beside hele landet's 47.092 with no word, as if the counts compared; now the part's figure per
    # full-time person is given for its own period, and »og Albertslund?« after it the same there
    _, _, placed, other = chat(store, "samtaler maj", "og for sygemeldte?", "hvordan er vi i forhold til landet?",
                               "og Albertslund?")
    for reply_, code, name in ((placed, "151", "Ballerup"), (other, "165", "Albertslund")):
        answer = reply_.result
        assert (answer.area.code, answer.observation.period, answer.observation.breakdown) == \
            (code, "2026-05", "gruppe=Sygemeldte")
        own = store.get("samtaler_pr_fuldtidsperson", code, "2026-Q2", "gruppe=Sygemeldte")
        land = store.get("samtaler_pr_fuldtidsperson", "000", "2026-Q2", "gruppe=Sygemeldte")
        shown = [f"{v:.1f}".replace(".", ",") for v in (own.value, land.value)]
        assert f"har forskellig størrelse. Samtaler pr. fuldtidsperson (Sygemeldte) kan sammenlignes: i 2. kvt. " \
               f"2026 var tallet {shown[0]} samtaler pr. fuldtidsperson i {name} mod {shown[1]} samtaler pr. " \
               f"fuldtidsperson i hele landet" in reply_.text
    asked = re.search(r"spørg »([^«]+)«", placed.text).group(1)
    named = ask(store, asked).result
    # the gap said as the answer to the question suggested says it (not of the rounded values)
    gap = re.search(r"\((Ballerup ligger [0-9,]+ (?:lavere|højere))\) – spørg", placed.text).group(1)
    assert f"({gap})" in ask(store, asked).text
    for text in ("samtaler for øvrige i forhold til landet", "samtaler pr. fuldtidsperson øvrige 2. kvt. 2026 mod hele landet"):
        assert "(Ballerup ligger 0,1 lavere)" in ask(store, text).text
    assert (named.indicator.id, named.observation.breakdown, named.observation.period) == \
        ("samtaler_pr_fuldtidsperson", "gruppe=Sygemeldte", "2026-Q2")
    # the counts' difference asked is the counts' difference, with no such word
    assert "kan sammenlignes" not in ask(store, "flere samtaler end landet").text


def test_a_count_against_landet_falls_back_to_a_figure_that_has_both_areas(sample_store_copy):
    # without hele landet's samtalehyppighed the next figure that compares is given; without any, it
    # is said that there are none for both, not a question that cannot be answered
    with Store(sample_store_copy) as opened:
        opened.db.conn.execute("DELETE FROM observations WHERE indicator = 'samtalehyppighed' AND area = '000'")
        opened.db.conn.commit()
    with Store(sample_store_copy) as opened:
        text = ask(opened, "er vi under landsniveau på samtaler").text
        assert "Samtaler pr. fuldtidsperson kan sammenlignes: i 2. kvt. 2026 var tallet" in text
        assert "spørg »samtaler pr. fuldtidsperson 2. kvt. 2026 mod hele landet«" in text
    with Store(sample_store_copy) as opened:
        opened.db.conn.execute("DELETE FROM observations WHERE indicator = 'samtaler_pr_fuldtidsperson' "
                               "AND area = '000' AND breakdown = 'gruppe=Sygemeldte'")
        opened.db.conn.commit()
    with Store(sample_store_copy) as opened:
        # of a part with no figure of that part for both, the whole's, said to be of all samtaler
        text = ask(opened, "samtaler for sygemeldte i forhold til landet").text
        assert "Samtaler pr. fuldtidsperson – for alle samtaler, ikke kun Sygemeldte – kan sammenlignes: " \
               "i 2. kvt. 2026 var tallet" in text and "spørg »samtaler pr. fuldtidsperson 2. kvt. 2026 mod hele landet«" in text
    with Store(sample_store_copy) as opened:
        opened.db.conn.execute("DELETE FROM observations WHERE indicator = 'samtaler_pr_fuldtidsperson' AND area = '000'")
        opened.db.conn.commit()
    with Store(sample_store_copy) as opened:
        text = ask(opened, "er vi under landsniveau på samtaler").text
        assert "samtalehyppigheden kan sammenligne dem, men der er ingen tal for samtalehyppigheden for både " \
               "Ballerup og hele landet." in text and "spørg" not in text


def test_two_periods_joined_by_til_are_the_change_from_the_first(store):
    # »ledighed maj 2025 til maj 2026« answered maj 2026 and set »maj 2025« aside.
    answered = ask(store, "ledighed maj 2025 til maj 2026").result
    assert answered.query.intent == "change" and answered.query.unused == ()
    assert (answered.change.against.period, answered.observation.period) == ("2025-05", "2026-05")


def test_a_figure_per_month_is_made_and_per_week_is_named_as_set_aside():
    # »jobomsætning pr måned i 2025« gave the year's sum with »pr måned« dropped unsaid: it is the
    # year's average month now; a week is not made, and is said to be set aside.
    per_month = parse("jobomsætning pr måned i 2025")
    assert per_month.mean and per_month.unused == ()
    assert parse("jobomsætning pr uge i 2025").unused == ("pr", "uge")


def test_a_follow_up_keeps_the_average_asked_of_a_flow(sample_store_path):
    now = datetime(2026, 11, 25, 9, 0, tzinfo=TIMEZONE)
    with Store(sample_store_path) as store:
        conversation = Conversations()
        first = reply("gennemsnit samtaler 2025", store, Config(), date(2026, 11, 25))
        conversation.remember("c", first, now)
        then = reply("og i 2024?", store, Config(), date(2026, 11, 25), context=conversation.get("c", now))
        conversation.remember("c", then, now)
        month = reply("og i maj?", store, Config(), date(2026, 11, 25), context=conversation.get("c", now))
        months = [store.get("samtaler", "151", f"2024-{m:02d}").value for m in range(1, 13)]
    assert then.result.observation.period == "2024" and then.result.aggregate.method == "mean"
    assert then.result.observation.value == pytest.approx(sum(months) / 12)
    # a month is a month: nothing to average, and no word the manager did not write named as set aside
    assert month.result.observation.period == "2024-05" and not month.result.query.unused


def test_the_bottom_after_a_top_ranks_the_other_end(store):
    # »og bunden?« repeated the top 5 with »bunden« set aside.
    data = chat(store, "top 5 ledighed", "og bunden?")[-1].as_json()
    top = chat(store, "top 5 ledighed")[-1].as_json()
    assert data["unused"] == [] and data["ranking"][0] != top["ranking"][0]
    assert data["ranking"][0]["value"] <= data["ranking"][-1]["value"]


@pytest.mark.parametrize(("first", "then", "period"), [
    # »hvad med 2024?« after maj 2025 answered 2024's average: a year for a month.
    ("ledighed maj 2025", "hvad med 2024?", "2024-05"),
    ("ledighed 2. kvt 2025", "og i 2024?", "2024-Q2"),
    # the whole year when it is named so, or when the question before named no period
    ("ledighed maj 2025", "og hele 2024?", "2024"),
    ("ledighed", "og i 2024?", "2024"),
])
def test_a_year_after_a_month_or_quarter_is_that_month_or_quarter_of_the_year(store, first, then, period):
    answer = chat(store, first, then)[1].result
    assert answer.observation.period == period and not answer.query.unused


def _mean(store, indicator, months):
    values = [store.get(indicator, "151", month).value for month in months]
    return sum(values) / len(values)


@pytest.mark.parametrize("question", ["ledighed i år", "ledighed år til dato"])
def test_this_year_so_far_is_its_published_months_against_the_same_months_a_year_before(store, question):
    # In November, with figures to juli, »ledighed i år« was declined: 5 of 12 months missing.
    result = ask(store, question)
    answer = result.result
    this_year = [f"2026-{m:02d}" for m in range(1, 8)]
    assert answer.observation.value == pytest.approx(_mean(store, "ledige", this_year))
    assert answer.previous.against.value == pytest.approx(_mean(store, "ledige", [f"2025-{m:02d}" for m in range(1, 8)]))
    assert "Ledige i Ballerup, januar–juli 2026:" in result.text and "Gennemsnit af 7 måneder" in result.text
    assert "end i januar–juli 2025" in result.text
    # the contract's "period" is the year: how far it goes is said, not left to be read as all of it
    assert (result.as_json()["period"], result.as_json()["period_through"]) == ("2026", "2026-07")


def test_this_year_against_last_year_compares_the_same_months(store):
    # »i år vs sidste år« was declined: 2026 is not over; a manager compares the months so far.
    result = ask(store, "ledighed i år vs sidste år")
    answer = result.result
    assert answer.change.against.value == pytest.approx(_mean(store, "ledige", [f"2025-{m:02d}" for m in range(1, 8)]))
    assert answer.observation.value == pytest.approx(_mean(store, "ledige", [f"2026-{m:02d}" for m in range(1, 8)]))
    assert "Ledige i Ballerup, januar–juli 2025 til januar–juli 2026:" in result.text
    # a follow-up keeps the months so far
    follow = ask(store, "og i Aarhus?", result.context).result
    assert follow.area.code == "751" and follow.observation is not None and follow.aggregate.count == 7


def test_the_year_before_this_year_so_far_is_last_year(store):
    # »ledighed i år« … »og året før?« answered juli 2025: the newest month a year back.
    answer = chat(store, "ledighed i år", "og året før?")[1].result
    assert answer.observation.period == "2025" and answer.aggregate.count == 12


@pytest.mark.parametrize(("text", "quarter"), [("ledighed i efteråret 2025", "4. kvt. 2025"),
                                               ("ledighed i sommer", "3. kvt."), ("hvordan var ledigheden i foråret", "2. kvt.")])
def test_a_season_is_declined_not_answered_by_the_year_or_the_newest_month(store, text, quarter):
    # »efteråret 2025« answered 2025's average and »i sommer« juli 2026, the season set aside.
    result = ask(store, text)
    assert not result.understood
    assert "Jeg kan ikke give tal for en årstid" in result.text and f"{quarter}«" in result.text


@pytest.mark.parametrize(("text", "indicator", "area", "examples"), [
    ("sygedagpenge sidste halvår", "sygedagpenge", "151", ["sygedagpenge 1. halvår", "sygedagpenge 2. halvår"]),
    ("ledighed i Herlev seneste halvår", "ledige", "163", ["ledighed i Herlev 1. halvår", "ledighed i Herlev 2. halvår"]),
    ("ledighed i Herlev 1. halvår 2026 vs 1. halvår 2024", "ledige", "163",
     ["ledighed i Herlev 1. halvår 2026 vs 1. halvår 2025"]),
    ("samtaler i sommer 2024", "samtaler", "151",
     ["samtaler juli 2024", "samtaler 3. kvt. 2024", "samtaler juni til august 2024"]),
])
def test_a_half_year_or_season_offers_the_same_question_of_quarters_and_months(store, text, indicator, area, examples):
    # The examples named »ledighed 1. kvt. 2025« and »ledighed september 2025« whatever was asked:
    # »samtaler i sommer 2024« was offered ledighed in 2025, and summer's months as september. A half
    # not said to be the first or second is asked which (two halves compared: which two can be);
    # »ledighed 1. halvår 2026 vs 1. halvår 2024« was offered »ledighed vs 1 halvår 2024 1. kvt. 2026«.
    said = ask(store, text).text
    offered = re.findall(r"»([^«]+)«", said)
    assert offered == examples
    for example in offered:  # each example is a question the bot answers as the one asked
        answered = ask(store, example)
        assert answered.understood and not answered.as_json().get("unused")
        assert answered.as_json()["indicator"].startswith(indicator) and answered.as_json()["area"]["code"] == area


@pytest.mark.parametrize(("lines", "base", "period"), [
    # »og året før?« after »2025 vs 2024« answered »2024 til 2024: samme niveau«
    (("ledighed 2025 vs 2024", "og året før?"), "2023", "2024"),
    # »hvad med juni?« after »juli 2025 vs juli 2026« answered juli 2025 til juni 2026
    (("ledighed juli 2025 vs juli 2026", "hvad med juni?"), "2025-06", "2026-06"),
    (("ledighed juli 2025 vs juli 2026", "og måneden før?"), "2025-06", "2026-06"),
])
def test_a_follow_up_moving_a_change_moves_both_its_periods(store, lines, base, period):
    answer = chat(store, *lines)[-1].result
    assert (answer.change.against.period, answer.observation.period) == (base, period)


def test_why_this_year_compares_the_months_so_far(store):
    # »hvorfor er ledigheden steget i år« was declined: 5 of 12 months missing.
    result = ask(store, "hvorfor er ledigheden steget i år")
    assert result.result.change is not None and result.result.aggregate.so_far
    assert "Fra januar–juli 2025" in result.text and "A-dagpenge" in result.text


@pytest.mark.parametrize("then", ["hvad med kvartalet?", "og for hele kvartalet?"])
def test_the_quarter_after_a_month_is_the_quarter_of_that_month(store, then):
    # »hvad med kvartalet?« after april 2026 answered april 2026 again, »kvartalet« set aside.
    answer = chat(store, "ledighed april 2026", then)[1].result
    assert answer.observation.period == "2026-Q2" and not answer.query.unused


def test_a_ranking_this_year_ranks_the_months_so_far(store):
    # »laveste ledighed i år« was declined in November (5 of 12 months missing).
    result = ask(store, "hvilke kommuner har laveste ledighed i år")
    ranking = result.result.ranking
    assert ranking.aggregate.so_far and ranking.aggregate.count == 7
    own = ranking.rows[ranking.own_place - 1].observation.value
    assert own == pytest.approx(_mean(store, "ledighedsprocent", [f"2026-{m:02d}" for m in range(1, 8)]))
    assert "Ledighedsprocenten, januar–juli 2026 – de 5 kommuner med den laveste:" in result.text


def test_a_quarterly_figure_this_year_is_its_quarters_so_far(store):
    # »sygedagpenge i år« was declined: 2 of 4 quarters missing.
    result = ask(store, "sygedagpenge i år")
    quarters = [store.get("sygedagpenge", "151", q).value for q in ("2026-Q1", "2026-Q2")]
    assert result.result.observation.value == pytest.approx(sum(quarters) / 2)
    assert "januar–juni 2026" in result.text and "Gennemsnit af 2 kvartaler" in result.text


def test_for_a_figure_the_figure_before_has_no_part_of_is_that_figure(store):
    # »og for fleksjob?« after sygedagpenge answered »ingen tal for sygedagpenge mv. opdelt på ydelse
    # (Fleksjob)« and the sygedagpenge total: sygedagpenge's sources have no fleksjob part.
    _, other = chat(store, "når vi målet for sygedagpenge?", "og for fleksjob?")
    assert other.result.query.indicator == "fleksjob" and other.result.query.breakdown == ""
    assert "opdelt på ydelse" not in other.text and "Personer i fleksjob i Ballerup" in other.text


@pytest.mark.parametrize(("text", "reply_starts"), [("tak", "Selv tak!"), ("mange tak!", "Selv tak!"),
                                                    ("tak for hjælpen", "Selv tak!"), ("hej faktabot", "Hej! Jeg svarer"),
                                                    ("hej", "Hej! Jeg svarer"), ("Hejsa", "Hej! Jeg svarer"),
                                                    ("på forhånd tak", "Selv tak!")])
def test_a_greeting_or_thanks_alone_gets_a_reply_and_keeps_the_conversation(store, text, reply_starts):
    # »tak« and »hej« were »Det forstod jeg ikke.«
    _, social, after = chat(store, "ledighed", text, "og i Herlev?")
    assert social.text.startswith(reply_starts) and social.understood
    assert after.result.query.indicator == "ledige" and after.result.area.name == "Herlev"
    # Inside a question the words change nothing.
    assert ask(store, "hej, hvad er ledigheden").result.query.indicator == "ledige"


@pytest.mark.parametrize("text", ["hvorfor?", "vis det som graf", "vis udviklingen"])
def test_why_or_a_chart_with_no_figure_in_the_talk_asks_which_figure(store, text):
    # After the targets' board (no figure), »hvorfor?« was »Det forstod jeg ikke« with
    # »selvforsørgelsesgraden« and two other unrelated figures suggested.
    result = ask(store, text)
    assert result.result.reason == "no_figure" and not result.result.suggestions
    assert result.text.startswith("Hvilket tal tænker du på?")
    assert ask(store, text, context=ask(store, "ledighed").context).result.query.indicator == "ledige"


def test_another_figure_after_a_ranking_of_the_newest_ranks_that_figures_newest(store):
    # »og for sygedagpenge?« after »hvilke kommuner har flest ledige« (juli 2026) said »Der er ingen
    # tal for juli 2026 – her er den nyeste periode, 2. kvt. 2026«: the month was carried over.
    _, then, odense = chat(store, "hvilke kommuner har flest ledige", "og for sygedagpenge?", "og i Odense?")
    assert then.result.ranking.period == "2026-Q2" and then.result.ranking.requested is None
    assert "Der er ingen tal for juli 2026" not in then.text
    assert odense.result.ranking.period == "2026-Q2"  # carried on within the same figure
    # A period the ranking named is kept for the next figure.
    _, named = chat(store, "flest ledige 2025", "og for sygedagpenge?")
    assert named.result.ranking.period == "2025"


def test_a_follow_up_after_a_share_or_a_verdict_asks_the_same_of_the_new_area(store):
    # »og i Herlev?« after »andel af de ledige på dagpenge« gave Herlev's part alone; after »er vi
    # bedre end landet« the figures without the verdict
    _, herlev = chat(store, "hvor stor en andel af de ledige er på dagpenge", "og i Herlev?")
    assert herlev.result.area.name == "Herlev" and herlev.result.share_whole is not None
    assert "pct. af alle ledige i Herlev" in herlev.text
    _, other = chat(store, "er vi bedre end landet på ledighed", "og end Herlev?")
    assert "Ballerup klarer sig" in other.text and "end Herlev på ledighedsprocenten" in other.text


def test_a_peak_asked_as_a_follow_up_then_a_year_is_that_years_peak_and_no_share_word_is_invented(store):
    # After a share and »og i Herlev?«, »hvornår var det højest?« named »andel« as not understood (the
    # share carried over, though not asked), and »og i 2025?« gave the whole series' peak beside
    # juli 2025 (the newest month carried, shifted a year)
    *_, peak, year = chat(store, "hvor stor en andel af de ledige er på dagpenge", "og i Herlev?",
                          "hvornår var det højest?", "og i 2025?")
    assert peak.result.query.unused == () and peak.result.extreme is not None
    assert year.result.extreme.period.startswith("2025") and year.result.extreme_span == ("2025-01", "2025-12")


def test_another_figure_after_the_newest_is_that_figures_newest_and_a_named_period_is_kept(store):
    # »og for ungeledigheden?« after »hvad er målet for sygedagpenge« (2. kvt. 2026 shown) gave
    # 2. kvt. 2026's average of a monthly figure, beside a target line about juli 2026.
    _, young, flex = chat(store, "hvad er målet for sygedagpenge", "og for ungeledigheden?", "og fleksjob?")
    for result, indicator in ((young, "ungeledighed"), (flex, "fleksjob")):
        newest = store.last_periods(indicator, "151", "", "month", 1)[0]
        assert result.result.observation.period == newest and "Gennemsnit" not in result.text
    # Also after a follow-up that kept the newest (»hvorfor?«, »hvad skal der til?«) in between.
    *_, later = chat(store, "sygedagpenge", "hvad skal der til?", "og for fleksjob?")
    assert later.result.observation.period == store.last_periods("fleksjob", "151", "", "month", 1)[0]
    # A period the question named is kept for the next figure, also through a follow-up.
    _, named = chat(store, "sygedagpenge 2. kvt. 2025", "og fleksjob?")
    assert named.result.aggregate.period == "2025-Q2"
    *_, through = chat(store, "sygedagpenge 2. kvt. 2025", "hvorfor?", "og fleksjob?")
    assert through.result.aggregate.period == "2025-Q2"


@pytest.mark.parametrize(("text", "starts"), [
    # »hvad betyder målsti« was »Det forstod jeg ikke«, »hvad er en målsti« the targets' board.
    ("hvad betyder målsti", "En målsti er udvalgets måltal lagt ud over tid"),
    ("hvad er en målsti", "En målsti er udvalgets måltal lagt ud over tid"),
    # without the article it showed the targets' board
    ("hvad er målsti?", "En målsti er udvalgets måltal lagt ud over tid"),
    ("hvad er tolerance", "Tolerancen er målets advarselsbånd"),
    ("hvad betyder i risiko", "»I risiko« er et tidligt varsel"),
    ("hvad betyder pct.-point", "Procentpoint (pct.-point) er forskellen mellem to procenttal"),
    ("hvad betyder tolerance", "Tolerancen er målets advarselsbånd"),
    ("hvad er et mål", "Et mål er udvalgets krav til et nøgletal"),
    # A figure of that name: the word's meaning in one sentence, then the figure's definition.
    ("hvad betyder fuldtidspersoner", "En fuldtidsperson er tiden på en ydelse omregnet til hele personer"),
])
def test_the_meaning_of_a_word_in_the_answers_is_one_sentence_first(store, text, starts):
    result = ask(store, text)
    assert result.as_json()["intent"] == "definition" and result.text.startswith(starts)
    assert ("Faktaside 3, figur 3.1" in result.text) == ("fuldtidspersoner" in text)
    # The figure's own definition is still the catalogue's.
    assert ask(store, "hvad betyder ledighedsprocenten").text.startswith("*Udvikling i ledigheden*")


def test_is_it_sample_data_after_a_figure_is_about_that_figures_sources(store):
    # »er det eksempeldata?« after sygedagpenge was not understood; »hvor kommer tallet fra?« after
    # ledighed listed every source in the store.
    _, sample = chat(store, "sygedagpenge", "er det eksempeldata?")
    assert sample.result.query.indicator == "sygedagpenge" and sample.as_json()["intent"] == "freshness"
    assert "Hvor kommer tallene for sygedagpenge mv. i Ballerup fra" in sample.text
    assert "Eksempeldata (syntetiske tal)" in sample.text and "Jobindsats" not in sample.text
    _, origin = chat(store, "ledighed", "hvor kommer tallet fra?")
    assert origin.result.query.indicator == "ledige" and "y25i01" in origin.text and "AUK01" not in origin.text
    # »tallene« in general are every source.
    _, every = chat(store, "ledighed", "hvornår er tallene opdateret")
    assert every.result.query.indicator is None and "AUK01" in every.text


def test_why_behind_after_a_figure_shows_what_moved(store):
    # »hvorfor er vi bagud?« after sygedagpenge repeated the level with the target's line.
    _, why = chat(store, "sygedagpenge", "hvorfor er vi bagud?")
    assert why.as_json()["intent"] == "change" and "Årsagerne står ikke i tallene" in why.text


def test_what_the_target_is_after_a_figure_is_its_target_not_the_words_meaning(store):
    # »hvad er en målsti« asks the word; »hvad er målet?«, »hvad er loftet?« after a figure its target,
    # and »hvad er en gennemsnitlig ledighed« a figure.
    for text in ("hvad er målet?", "hvad er loftet?"):
        _, target = chat(store, "ungeledighed", text)
        assert target.result.query.intent == "target" and target.result.indicator.id == "ungeledighed"
    assert parse("hvad er en gennemsnitlig ledighed i 2025").intent == "value"


def test_the_development_after_last_year_is_last_years_months(store):
    # »ungeledighed« → »og sidste år?« → »vis udviklingen« answered december 2024 til december 2025
    # under the headline of december 2025's value; it is the development through 2025's months.
    *_, development = chat(store, "ungeledighed", "og sidste år?", "vis udviklingen")
    answer = development.result
    assert answer.query.intent == "development" and answer.indicator.id == "ungeledighed"
    assert (answer.development.against.period, answer.observation.period) == ("2025-01", "2025-12")
    assert "Fra januar 2025 til december 2025" in development.text


def test_the_whole_year_after_a_month_is_that_year(store):
    # »ledighed maj 2025« → »og hele året?« repeated maj 2025 with »året« set aside.
    _, year = chat(store, "ledighed maj 2025", "og hele året?")
    assert year.result.observation.period == "2025" and not year.result.query.unused


@pytest.mark.parametrize("then", ["samme måned sidste år?", "hvad med for et år siden?", "og samme tid sidste år?"])
def test_a_year_ago_after_a_month_is_that_month_a_year_before(store, then):
    # »ledighed maj« → »samme måned sidste år?« answered juli 2025 (the newest month a year back),
    # not maj 2025: the month talked about, a year before.
    _, before = chat(store, "ledighed maj", then)
    assert before.result.observation.period == "2025-05" and not before.result.query.unused


def test_a_year_ago_after_the_newest_figure_is_still_a_year_before_it(store):
    _, before = chat(store, "ledighed", "og for et år siden?")
    assert before.result.observation.period == "2025-07"


@pytest.mark.parametrize(("first", "rate"), [("ledighed", "ledighedsprocent"), ("ledighed maj", "ledighedsprocent")])
def test_and_the_percentage_after_a_count_is_its_rate(store, first, rate):
    # »ledighed« → »og procenten?« repeated the count with »procenten« named as not understood.
    previous, percent = chat(store, first, "og procenten?")
    assert percent.result.indicator.id == rate and not percent.result.query.unused
    assert percent.result.observation.period == previous.result.observation.period


def test_the_year_after_a_month_is_that_year(store):
    # »ledighed maj 2025« → »hvad med året?« repeated maj 2025 with »året« named as not understood.
    _, year = chat(store, "ledighed maj 2025", "hvad med året?")
    assert year.result.observation.period == "2025" and not year.result.query.unused


@pytest.mark.parametrize("then", ["tak, og hvad med de langtidsledige?", "ok og langtidsledige?",
                                  "super, hvad med langtidsledige"])
def test_a_follow_up_after_thanks_keeps_the_area_talked_about(store, then):
    # »ledighed i Herlev« → »tak, og hvad med de langtidsledige?« answered Ballerup's langtidsledige:
    # the »tak« before »og« made it a new question, and the area talked about was lost.
    _, answer = chat(store, "hvordan ser det ud med ledigheden i Herlev?", then)
    assert (answer.result.indicator.id, answer.result.query.area) == ("langtidsledige", "163")


def test_our_place_after_a_ranking_in_the_region_keeps_the_region_and_its_order(store):
    # »hvem har flest i regionen?« → »og hvor ligger vi?« listed all 98 kommuner lowest first
    # (»Ballerup er nr. 65 af 96«) after »Ballerup er nr. 13 af 29« in the region by most.
    _, ranked, place = chat(store, "langtidsledige", "hvem har flest i regionen?", "og hvor ligger vi?")
    assert (place.result.query.order, place.result.query.own_region) == (
        ranked.result.query.order, ranked.result.query.own_region) == ("most", "within")
    assert "Ballerup er nr. 13 af 29" in ranked.text and "Ballerup er nr. 13 af 29" in place.text


@pytest.mark.parametrize("then", ["hvor mange mangler vi?", "hvor mange mangler der?"])
def test_how_many_are_missing_after_a_figure_with_a_target_asks_what_it_takes(store, then):
    # »fleksjob« → »hvor mange mangler vi?« was not understood (»mangler«).
    _, needed = chat(store, "fleksjob", then)
    assert needed.result.query.intent == "target" and needed.result.query.needed


def test_for_the_time_being_is_the_newest_figure(store):
    # »hvordan ser det ud med ledigheden i Herlev for tiden?« named »tiden« as not understood.
    answer = ask(store, "hvordan ser det ud med ledigheden i Herlev for tiden?")
    assert answer.result.query.area == "163" and not answer.result.query.unused


@pytest.mark.parametrize("text", [
    ("Hej, kan du hurtigt fortælle mig, hvordan det står til med sygedagpengene i år sammenlignet med sidste år, "
     "og om vi når målet?"),
    "sygedagpenge i år vs sidste år, og når vi målet?"])
def test_a_change_and_the_target_asked_together_give_the_change_with_the_target_line(store, text):
    # As a target question it declined 2026's average (2 of 4 quarters missing) and gave the target
    # line alone, though »sygedagpenge i år sammenlignet med sidste år« is januar–juni 2025 to 2026;
    # and »når« (in »om vi når målet«) was named as not understood.
    answer = ask(store, text)
    assert answer.result.query.intent == "change" and answer.result.query.target_asked
    assert "januar–juni 2025 til januar–juni 2026" in answer.text
    assert not answer.result.query.unused


def test_back_to_all_ledige_keeps_the_area_and_year_talked_about(store):
    # »… og i Herlev?« → »hvad med sidste år?« → »og for de unge?« → »tilbage til alle ledige« answered
    # Ballerup's newest month with »tilbage« and »alle« named as not understood: a new question.
    *_, back = chat(store, "ledighed", "og i Herlev?", "hvad med sidste år?", "og for de unge?",
                    "tilbage til alle ledige")
    answer = back.result
    assert (answer.indicator.id, answer.query.area, answer.observation.period) == ("ledige", "163", "2025")
    assert not answer.query.unused


def test_back_to_an_area_keeps_the_figure_and_period(store):
    *_, back = chat(store, "ledighedsprocent maj", "og i Herlev?", "tilbage til Ballerup")
    answer = back.result
    assert (answer.indicator.id, answer.area.code, answer.observation.period) == ("ledighedsprocent", "151", "2026-05")
    assert not answer.query.unused


@pytest.mark.parametrize("then", ["er vi bedre?", "klarer vi os bedre?"])
def test_are_we_better_after_a_comparison_says_which_does_better(store, then):
    # »samtalehyppighed« → »sammenlign med landet« → »er vi bedre?« was »Det forstod jeg ikke«.
    *_, better = chat(store, "samtalehyppighed", "sammenlign med landet", then)
    query = better.result.query
    assert (query.indicator, query.compare, query.verdict) == ("samtalehyppighed", ("000",), True)
    assert not query.unused


def test_do_we_do_better_than_an_area_is_the_comparison_not_a_target_question(store):
    # »klarer vi os bedre end Herlev på ledighed?« was read as a target question (»bedre« set aside)
    query = ask(store, "klarer vi os bedre end Herlev på ledighed?").result.query
    assert (query.intent, query.compare, query.verdict, query.target_asked) == ("value", ("163",), True, False)


def test_no_target_for_hele_landet_names_it_in_lower_case(store):
    # »ledige unge i hele landet« → »hvordan går det med målet?« said »… for ledige unge i Hele landet
    # i Faktabot«. (»når vi målet?« is asked of the own kommune: »vi«.)
    _, target = chat(store, "ledige unge i hele landet", "hvordan går det med målet?")
    assert "ikke sat noget mål for ledige unge i hele landet i Faktabot" in target.text


@pytest.mark.parametrize("then", ["hvad med os?", "og i maj?", "og kontanthjælp?"])
def test_a_follow_up_after_a_ranking_in_the_region_stays_in_the_region(store, then):
    # »hvem har flest i regionen?« → »hvad med os?« ranked all 98 kommuner.
    *_, after = chat(store, "langtidsledige", "hvem har flest i regionen?", then)
    assert after.result.query.intent == "ranking" and after.result.query.own_region == "within"
    assert "i Region Hovedstaden" in after.text


@pytest.mark.parametrize("lines", [("ledighed Ballerup vs Herlev", "hvem er bedst?"),
                                   ("ledighed Ballerup vs Herlev", "vis udviklingen", "hvem er bedst?"),
                                   ("samtalehyppighed", "sammenlign med landet", "hvem er dårligst?")])
def test_who_is_best_after_a_comparison_is_which_of_those_areas_does_better(store, lines):
    # It ranked all 98 kommuner by the count, lowest first, after »Ballerup vs Herlev«.
    query = chat(store, *lines)[-1].result.query
    assert (query.intent, query.verdict, query.order) == ("value", True, None) and not query.unused


def test_who_is_best_without_a_comparison_still_ranks_the_kommuner(store):
    _, ranked = chat(store, "ledighedsprocent", "hvem er bedst?")
    assert ranked.result.query.intent == "ranking"


@pytest.mark.parametrize(("lines", "first", "last"), [
    # a quarter of a monthly figure: its months (it repeated the quarter's average unsaid)
    (("ledighed q2 2026", "vis udviklingen"), "2026-04", "2026-06"),
    # a year of a quarterly figure: its quarters
    (("sygedagpenge 2025", "vis udviklingen"), "2025-Q1", "2025-Q4"),
])
def test_the_development_of_a_quarter_or_year_runs_through_its_finer_periods(store, lines, first, last):
    development = chat(store, *lines)[-1].result
    assert development.query.intent == "development" and development.development is not None
    assert (development.development.against.period, development.observation.period) == (first, last)


def test_a_follow_up_after_a_years_development_keeps_the_year(store):
    # »sygedagpenge 2025« → »vis udviklingen« → »og i Albertslund?« gave 4. kvt. 2024 til 4. kvt. 2025.
    *_, there = chat(store, "sygedagpenge 2025", "vis udviklingen", "og i Albertslund?")
    answer = there.result
    assert answer.query.area == "165" and answer.query.intent == "development"
    assert (answer.development.against.period, answer.observation.period) == ("2025-Q1", "2025-Q4")


@pytest.mark.parametrize("then", ["og nu?", "hvad med lige nu?", "og i dag?"])
def test_now_after_an_earlier_period_is_the_newest_again(store, then):
    # »… og for et år siden?« → »og nu?« repeated juli 2025.
    *_, now = chat(store, "kontanthjælp i Herlev", "og for et år siden?", then)
    assert (now.result.query.area, now.result.observation.period) == ("163", "2026-07")


@pytest.mark.parametrize(("text", "base", "period"), [
    # »faldt ledigheden i maj?« answered »fra maj 2025 til maj 2026 steget med 89«: in May (from April)
    # it fell by 34.
    ("faldt ledigheden i maj?", "2026-04", "2026-05"),
    ("ledigheden steg vel i juni?", "2026-05", "2026-06"),
    ("steg sygedagpengene i 2. kvartal?", "2026-Q1", "2026-Q2"),
])
def test_rose_or_fell_in_a_month_is_the_change_from_the_period_before(store, text, base, period):
    answer = ask(store, text).result
    assert answer.query.intent == "change" and not answer.query.unused
    assert (answer.change.against.period, answer.observation.period) == (base, period)


def test_rose_over_a_year_is_still_the_development(store):
    assert ask(store, "er ledigheden steget det seneste år?").result.query.intent == "development"


@pytest.mark.parametrize("then", ["hvad var det sidste år?", "hvad var det i fjor?"])
def test_what_was_it_last_year_is_last_years_figure_not_the_past_twelve_months(store, then):
    # »hvad var det sidste år?« read »det sidste år« (the past twelve months) and answered the
    # development from 2. kvt. 2025 til 2. kvt. 2026.
    _, year = chat(store, "sygedagpenge i Albertslund", then)
    assert (year.result.query.intent, year.result.observation.period) == ("value", "2025")
    assert not year.result.query.unused


def test_how_many_of_them_after_a_figure_asks_its_part(store):
    _, part = chat(store, "sygedagpenge", "hvor mange af dem er på jobafklaring?")
    assert part.result.query.breakdown == "ydelse=Jobafklaringsforløb" and not part.result.query.unused


@pytest.mark.parametrize(("text", "base", "period"), [
    # »… maj og … april« answered »maj 2025 til april 2026«: eleven months, backwards in the year
    ("hvad er ledigheden i maj og hvad var den i april?", "2026-04", "2026-05"),
    ("ledighed juli og juni", "2026-06", "2026-07"),
    ("sygedagpenge 2. kvartal og 1. kvartal", "2026-Q1", "2026-Q2"),
    # over the new year, as written
    ("ledighed december og januar", "2025-12", "2026-01"),
])
def test_two_months_without_a_year_are_the_change_between_the_nearest_pair(store, text, base, period):
    answer = ask(store, text).result
    assert (answer.change.against.period, answer.observation.period) == (base, period)


@pytest.mark.parametrize(("text", "indicator", "other"), [
    ("ledighed sammenlignet med kontanthjælp", "ledige", "kontanthjælp"),
    ("kontanthjælp vs sygedagpenge", "kontanthjaelp", "sygedagpenge"),
    ("kth vs sdp", "kontanthjaelp", "sdp"),
    ("fleksjob vs ledighed", "fleksjob", "ledighed"),
])
def test_a_second_figure_after_a_comparing_word_is_said_not_read_as_a_part(text, indicator, other):
    query = parse(text)
    assert (query.indicator, query.breakdown, query.other_figures) == (indicator, "", (other,))


@pytest.mark.parametrize("text", ["gns ledighed 2025", "ungeledighed ytd", "kan du give mig tallene for fleksjob? tak"])
def test_shorthand_and_polite_words_are_not_named_as_not_understood(text):
    query = parse(text)
    assert isinstance(query, Query) and not query.unused


def test_which_kommuner_are_over_a_level_lists_all_of_them(store):
    # »hvilke kommuner har over 4 pct ledighed« said »6 af 98 kommuner …« and listed 5.
    result = ask(store, "hvilke kommuner har over 4 pct ledighed?")
    ranking = result.result.ranking
    over = [row for row in ranking.rows if round(row.observation.value, 1) > 4.0]
    assert len(over) > 5 and ranking.top == len(over)
    assert all(f"{row.area.name}: " in result.text for row in over)


@pytest.mark.parametrize(("lines", "period", "base"), [
    (("ledighed siden januar", "og sidste år?"), "2025-07", "2025-01"),
    (("ledighed siden maj", "og i 2024?"), "2024-07", "2024-05"),
    (("sygedagpenge siden 1. kvartal", "og sidste år?"), "2025-Q2", "2025-Q1")])
def test_a_year_after_a_change_from_a_month_is_the_same_months_of_that_year(store, lines, period, base):
    # »ledighed siden januar« … »og sidste år?« set 2025's average against januar 2024 (»januar 2024
    # til 2025: 112 flere end januar 2024«), a year against a month.
    answer = chat(store, *lines)[-1].result
    assert answer.query.intent == "change"
    assert (answer.observation.period, answer.change.against.period) == (period, base)
    assert answer.change.against.value == store.get(answer.indicator.id, "151", base).value


def test_a_year_after_a_span_is_the_same_span_that_year(store):
    first, after = chat(store, "hvor mange samtaler siden januar", "og sidste år?")
    assert (after.result.aggregate.start, after.result.observation.period) == ("2025-01", "2025-07")
    assert after.result.observation.value == first.result.last_year.against.value
    assert "Samtaler i Ballerup, januar–juli 2025: " in after.text


@pytest.mark.parametrize("text", ["flest ledige siden januar", "laveste ledighed 2025 vs 2024"])
def test_a_ranking_over_a_span_or_two_periods_is_declined(store, text):
    # »flest ledige siden januar« ranked juli 2026 alone, »siden januar« dropped unsaid; »laveste
    # ledighed 2025 vs 2024« ranked 2025 with »vs 2024« dropped.
    result = ask(store, text)
    assert not result.understood and result.result.reason == "ranking_change"
    assert "kun efter tallet i en periode" in result.text


def test_the_most_events_since_january_are_this_years_so_far(store):
    # »flest samtaler siden januar« ranked juli 2026 (1.125 samtaler in Ballerup) as if since januar.
    data = ask(store, "flest samtaler siden januar").as_json()
    assert (data["intent"], data["period"], data["period_through"]) == ("ranking", "2026", "2026-07")
    assert data["ranking"] == ask(store, "flest samtaler i år").as_json()["ranking"]
    # (a ranking after a change keeps to the ranking: the base before is not ranked)
    assert chat(store, "ledighed siden januar", "og hvem har flest?")[-1].as_json()["period"] == "2026-07"


@pytest.mark.parametrize("first", ["flest samtaler i år", "laveste ledighed i år"])
def test_a_ranking_of_this_year_so_far_is_kept_by_a_follow_up(store, first):
    # »og i regionen?« after it said »Jeg kan ikke rangere kommuner efter summen for 2026: der mangler
    # tal for august 2026, …«: the year so far became the whole year 2026.
    before, after = chat(store, first, "og i regionen?")
    data = after.as_json()
    assert after.understood and data["ranking"] and data["period_through"] == before.as_json()["period_through"]
    assert after.result.ranking.within.code == "084"


def test_per_full_time_person_after_conversations_is_that_figure(store):
    # »samtaler« … »og for sygemeldte?« … »og pr. fuldtidsperson?« answered fuldtidspersoner (målgrupperne,
    # Førtidspension: 1.794), another figure; it is samtaler pr. fuldtidsperson for the sygemeldte.
    answer = chat(store, "samtaler", "og for sygemeldte?", "og pr. fuldtidsperson?")[-1].result
    assert (answer.indicator.id, answer.observation.breakdown) == ("samtaler_pr_fuldtidsperson", "gruppe=Sygemeldte")
    assert answer.observation.value == store.get("samtaler_pr_fuldtidsperson", "151", answer.observation.period,
                                                 "gruppe=Sygemeldte").value
    assert chat(store, "ledighed", "og fuldtidspersoner?")[-1].result.indicator.id == "fuldtidspersoner"


def test_a_place_by_a_count_without_a_rate_says_the_count_follows_size(store):
    # »hvor ligger vi på langtidsledighed« ranked the kommuner by the count (Samsø first with 6) with
    # no word that size decides it, as the rate does for ledighed.
    said = ("Kommuner har forskellig størrelse, og der er ingen andel for langtidsledige at sammenligne på – "
            "rækkefølgen her er efter antallet, så store kommuner har flest.")
    assert said in ask(store, "hvor ligger vi på langtidsledighed").text
    assert "forskellig størrelse" not in ask(store, "flest langtidsledige").text  # (the count asked)


def test_a_part_the_answer_had_no_figures_for_is_not_carried_into_a_follow_up_naming_another_part(store):
    # »ledige kvinder« gave all ledige (no figures by køn); »og for de unge?« then asked young women,
    # and said there were none, though »ledige unge« is a figure of its own
    first, young, herlev = chat(store, "ledige kvinder", "og for de unge?", "og i Herlev?")
    assert first.result.missing_breakdown == "køn=Kvinder"
    assert young.result.indicator.id == "ledige_unge" and young.result.missing_breakdown is None
    assert young.result.observation.value == store.get("ledige_unge", "151", young.result.observation.period).value
    assert young.text.startswith("*Ledige unge i Ballerup")
    # a follow-up naming no part keeps what was asked, and its answer says again what is missing
    _, again = chat(store, "ledige kvinder", "og i Herlev?")
    assert again.result.area.code == "163" and again.result.missing_breakdown == "køn=Kvinder"
    assert "Der er ingen tal for ledige opdelt på køn (Kvinder) i Herlev" in again.text
    assert herlev.result.area.code == "163" and herlev.result.indicator.id == "ledige_unge"


@pytest.mark.parametrize("first", ["ledighedsprocent", "ledighed", "kontanthjælp"])
def test_how_we_lie_against_landet_after_a_figure_is_the_comparison_not_a_ranking(store, first):
    # It listed the 98 kommuner in order (»Billund: 1,2 pct.« first) with hele landet under them,
    # though the same words alone compare Ballerup with hele landet.
    _, compared = chat(store, first, "hvordan ligger vi i forhold til landet")
    assert compared.result.ranking is None
    assert [c.area.code for c in compared.result.comparisons] == ["000"]
    assert compared.result.area.code == "151" and "• Hele landet:" in compared.text


@pytest.mark.parametrize("lines", [("sygedagpenge", "og landet?", "hvorfor er vi bagud?"),
                                   ("sygedagpenge", "og landet?", "hvornår når vi målet?"),
                                   ("fleksjob i Albertslund", "er vi på sporet?")])
def test_we_in_a_question_about_targets_is_the_own_kommune_after_another_area(store, lines):
    # »vi« was a filler word: the area talked about was kept, and the answer was hele landet's
    # (»Der er ikke sat noget mål for sygedagpenge mv. i hele landet«) or Albertslund's.
    answer = chat(store, *lines)[-1]
    assert answer.result.area.code == "151" and answer.result.query.followup
    assert answer.text.split("\n")[0].startswith(("*Sygedagpenge mv. i Ballerup", "*Personer i fleksjob i Ballerup"))


def test_a_target_question_without_we_keeps_the_area_talked_about(store):
    answer = chat(store, "fleksjob i Albertslund", "hvordan går det med målet?")[-1]
    assert answer.result.area.code == "165"


@pytest.mark.parametrize(("first", "then", "verdict"), [
    ("ledighed", "er det godt?", "Ballerup klarer sig dårligere end hele landet på ledighedsprocenten"),
    ("kontanthjælp i Herlev", "er det højt?", "Herlev klarer sig bedre end hele landet på andelen på kontanthjælp"),
    ("sygedagpenge", "er det et problem?", "Antallet siger ikke, hvem der klarer sig bedst"),
    # »meget«, »mange« (fillers in »hvor meget«) were »Det forstod jeg ikke« here
    ("ledighed", "er det meget?", "Ballerup klarer sig dårligere end hele landet på ledighedsprocenten"),
    ("sygedagpenge", "er det mange?", "Antallet siger ikke, hvem der klarer sig bedst"),
])
def test_is_it_good_after_a_figure_compares_it_with_hele_landet(store, first, then, verdict):
    # »Det forstod jeg ikke: »godt««, with »beskæftigelsen«, »fuldtidspersoner« or
    # »kontanthjælpsmodtagere« suggested.
    before, judged = chat(store, first, then)
    assert judged.result.indicator.id == before.result.indicator.id
    assert judged.result.area.code == before.result.area.code
    assert [c.area.code for c in judged.result.comparisons] == ["000"]
    assert verdict in judged.text and not judged.result.query.unused


def test_good_opening_a_follow_up_is_no_judgement(store):
    _, herlev = chat(store, "ledighed", "godt, og Herlev?")
    assert herlev.result.area.code == "163" and not herlev.result.comparisons


@pytest.mark.parametrize("text", ["er ledigheden høj", "er ungeledigheden bekymrende?", "er antallet på sygedagpenge normalt"])
def test_whether_a_level_is_good_is_asked_against_hele_landet(text):
    # »høj«, »bekymrende«, »normalt« were named as not understood beside the level alone.
    query = parse(text)
    assert (query.intent, query.compare, query.verdict, query.unused) == ("value", ("000",), True, ())


@pytest.mark.parametrize("text", ["hvornår kommer de næste tal", "næste tal for sygedagpenge", "hvornår kommer tallene"])
def test_when_the_next_figures_come_says_it_cannot_tell_before_how_new_they_are(store, text):
    # It listed when each source was fetched as if that answered when the next figures come.
    result = ask(store, text)
    assert result.as_json()["intent"] == "freshness"
    assert "Hvornår de næste tal kommer, kan jeg ikke sige – kilderne udgiver efter deres egen kalender." in result.text
    assert "nyeste tal" in result.text


def test_where_the_figures_come_from_is_no_question_about_the_next(store):
    assert "Hvornår de næste tal kommer" not in ask(store, "hvor kommer tallene fra").text


@pytest.mark.parametrize("judged", ["er vi bedre end landet?", "er det godt?"])
def test_a_verdict_carried_into_a_ranking_names_no_word_as_not_understood(store, judged):
    # »Jeg har ikke tal for »bedre« (eller forstod ikke ordet)« under the ranking: a word not typed
    *_, ranking = chat(store, "ledighedsprocent", judged, "hvor er vi placeret?")
    assert ranking.result.ranking is not None and ranking.result.query.unused == ()
    assert "Jeg har ikke tal for" not in ranking.text


@pytest.mark.parametrize("then", ["hvor er vi?", "hvor er vi henne", "og hvor er vi så?"])
def test_where_are_we_after_a_ranking_is_our_place_in_it(store, then):
    # »Det forstod jeg ikke.«
    first, place = chat(store, "hvilke kommuner har lavest ledighed", then)
    assert place.result.ranking is not None and place.result.query.order == first.result.query.order
    assert place.result.ranking.own_place == first.result.ranking.own_place
    assert f"Ballerup er nr. {first.result.ranking.own_place} af 98" in place.text


def test_where_are_we_without_a_ranking_before_is_no_ranking():
    assert isinstance(parse("hvor er vi"), NotUnderstood)
    assert parse("hvor er vi med fleksjob", context=parse("hvilke kommuner har lavest ledighed")).intent != "ranking"


def test_a_follow_up_after_an_area_without_figures_compares_with_what_was_asked(store):
    # »ungeledighed i Herlev sammenlignet med landet« (Herlev has none: hele landet leads, said) →
    # »hvad med Ballerup?« compared Ballerup with Herlev, which has none, not with hele landet
    first, then = chat(store, "ungeledighed i Herlev sammenlignet med landet", "hvad med Ballerup?")
    assert first.result.led_instead.code == "163"
    assert then.result.area.code == "151" and [c.area.code for c in then.result.comparisons] == ["000"]
    assert "Herlev" not in then.text


@pytest.mark.parametrize("then", ["hvor er vi?", "hvor er vi placeret?", "og hvor ligger vi?"])
def test_where_are_we_after_a_ranking_leads_with_the_own_place(store, then):
    # it repeated the top 5 with »Ballerup er nr. 14 af 98« under them: the question before, answered again
    first, place = chat(store, "hvilke kommuner har den højeste ledighed", then)
    own = first.result.ranking.own_place
    rows = place.result.ranking.rows
    assert place.text.startswith(f"*Ledighedsprocenten, juli 2026: Ballerup er nr. {own} af 98 kommuner med ")
    assert rows[0].area.name not in place.text  # no top 5: the places around the own one
    assert f"Nr. {own - 1} {rows[own - 2].area.name}:" in place.text
    assert f"Nr. {own + 1} {rows[own].area.name}:" in place.text


def test_where_are_we_after_another_kommunes_place_is_the_own_kommune(store):
    # »hvor ligger Herlev?« … »hvor er vi placeret?« answered Herlev's place again
    *_, herlev, ours = chat(store, "hvilke kommuner har den højeste ledighed", "hvor ligger Herlev?",
                            "hvor er vi placeret?")
    assert "Herlev er nr." in herlev.text
    assert ours.result.ranking.own.code == "151" and "Ballerup er nr." in ours.text


def test_our_place_asked_after_a_figure_leads_and_stays_in_the_next_follow_up(store):
    # »langtidsledige« … »hvor er vi placeret?« listed the five with the fewest, the own place under
    # them; »og i regionen?« after it did so again
    _, place, region = chat(store, "langtidsledige", "hvor er vi placeret?", "og i regionen?")
    assert place.text.startswith("*Langtidsledige, juli 2026: Ballerup er nr. ")
    assert region.text.startswith("*Langtidsledige, juli 2026: Ballerup er nr. ")
    assert "kommuner i Region Hovedstaden med" in region.text.split("\n")[0]


def test_last_year_after_a_named_month_is_that_month_last_year(store):
    # »ledighed maj« … »og sidste år?« answered 2025's average, though »og 2024?« after it is maj 2024
    _, last, whole = chat(store, "ledighed maj", "og sidste år?", "og hele sidste år?")
    assert last.result.observation.period == "2025-05"
    assert whole.result.observation.period == "2025"
    # after the newest month shown (no month named) the year is the year
    assert chat(store, "ledighed", "og sidste år?")[1].result.observation.period == "2025"


@pytest.mark.parametrize("then", ["hvad med for et år siden", "og i maj 2025?", "og året før?"])
def test_a_period_after_why_asks_the_figure_then_not_why_again(store, then):
    # »ledighed« → »hvorfor?« → »hvad med for et år siden« repeated »Årsagerne står ikke i tallene«
    # with the parts' changes for juli 2025, not the figure a year before.
    *_, before = chat(store, "ledighed", "hvorfor?", then)
    assert before.result.query.intent == "value" and "Årsagerne" not in before.text
    assert before.result.observation.period in ("2025-07", "2025-05")
    # as another area after it (»og i Herlev?«) is that area's figure
    *_, herlev = chat(store, "ledighed", "hvorfor?", "og i Herlev?")
    assert herlev.result.query.intent == "value" and "Årsagerne" not in herlev.text


def test_whole_years_ago_after_a_month_are_that_month_so_many_years_before(store):
    # »ledighed maj« → »og for 2 år siden?« answered november 2024 (from today), where »og for et år
    # siden?« is maj 2025: the month talked about, a year before.
    _, before = chat(store, "ledighed maj", "og for 2 år siden?")
    assert before.result.observation.period == "2024-05" and not before.result.query.unused


def test_another_area_after_a_development_since_a_period_is_that_development(store):
    # »udvikling i ledigheden siden 2022« → »og i Herlev?« gave Herlev's change between the two ends.
    _, herlev = chat(store, "udvikling i ledigheden siden 2022", "og i Herlev?")
    answer = herlev.result
    assert answer.query.intent == "development" and answer.area.code == "163"
    assert (answer.development.against.period, answer.observation.period) == ("2022-01", "2026-07")


@pytest.mark.parametrize(("before", "question"), [
    ("ledighed maj", "hvor mange er på førtidspension"), ("ledighed maj", "jobafklaring"),
    ("ledighed maj", "hvor mange går i job"), ("sygedagpenge", "og ressourceforløb?"),
    ("kontanthjælpsmodtagere", "og jobparate?")])
def test_a_follow_up_naming_a_part_the_figure_before_lacks_is_asked_of_the_figure_holding_it(store, before, question):
    # »ledighed maj« … »hvor mange er på førtidspension« answered all ledige in maj with »Der er ingen
    # tal for ledige opdelt på ydelse (Førtidspension)«; asked alone it is målgruppernes fuldtidspersoner.
    first, followed = chat(store, before, question)
    alone = ask(store, question)
    assert followed.result.query.indicator == alone.result.query.indicator != first.result.query.indicator
    assert followed.result.query.breakdown == alone.result.query.breakdown
    assert "opdelt på ydelse" not in followed.text


@pytest.mark.parametrize(("before", "question", "part"), [
    ("ledige efter ydelse", "og a-dagpenge?", "ydelse=A-dagpenge"),
    ("hvor mange er på førtidspension", "og jobafklaring?", "ydelse=Jobafklaringsforløb"),
    ("sygedagpenge", "og kvinder?", "køn=Kvinder")])
def test_a_follow_up_naming_a_part_the_figure_before_holds_stays_with_that_figure(store, before, question, part):
    first, followed = chat(store, before, question)
    assert followed.result.query.indicator == first.result.query.indicator
    assert part in followed.result.query.breakdown


def test_our_place_after_a_comparison_of_a_count_is_by_its_rate_as_when_asked_alone(store):
    # »sammenlign ledigheden i Ballerup med Albertslund« … »hvordan ligger vi i forhold til regionen?«
    # ranked the region's kommuner by the count of ledige, said to have »ingen andel for ledige at
    # sammenligne på«, though asked alone the same place is by ledighedsprocenten
    _, place = chat(store, "sammenlign ledigheden i Ballerup med Albertslund",
                    "hvordan ligger vi i forhold til regionen?")
    alone = ask(store, "hvordan ligger vi på ledighed i forhold til regionen?")
    assert place.result.indicator.id == alone.result.indicator.id == "ledighedsprocent"
    assert place.result.ranking.own.code == "151"
    assert "ingen andel for ledige" not in place.text
    # after a ranking by the count, »og hvor ligger vi?« still keeps that count
    *_, most = chat(store, "hvilke kommuner har flest ledige", "og hvor ligger vi?")
    assert most.result.indicator.id == "ledige"


@pytest.mark.parametrize(("question", "newest"), [("ledighed 2027", "2026-07"), ("sygedagpenge 2027", "2026-Q2"),
                                                  ("ledighed 1. kvartal 2027", "2026-07")])
def test_a_period_after_the_newest_figure_names_the_newest_and_what_to_ask(store, question, newest):
    # »ledighed 2027« said only »ingen af de 12 måneder er offentliggjort eller hentet«, with no word
    # of what there is (»ledighed 1990« names where the figures begin)
    said = ask(store, question).text
    asked = re.search(r"Det nyeste tal er fra [^–]+ – spørg fx »([^«]+)«", said)
    assert asked is not None, said
    assert ask(store, asked.group(1)).result.observation.period == newest
    assert "Det nyeste tal" not in ask(store, "ledighed 1990").text


def test_a_year_not_over_against_a_month_is_declined_not_a_crash(store):
    # »ledighed 2026 vs maj« (2026 not over) ended in a traceback: »ikke en periode: ''«
    said = ask(store, "ledighed 2026 vs maj").text
    assert "Jeg kan ikke give gennemsnittet for ledige i Ballerup for 2026" in said


def test_a_share_of_eksempeldata_over_real_figures_is_declined(store):
    # »hvor stor en andel af de ledige er unge?« said »Det svarer til 17,8 pct. af alle ledige«: 143
    # ledige unge of eksempeldata over 805 ledige from Jobindsats, a share of two unrelated numbers
    result = ask(store, "hvor stor en andel af de ledige er unge?")
    assert result.result.observation.is_sample and not result.result.share_whole.is_sample
    assert "pct. af alle ledige" not in result.text
    assert ("Jeg kan ikke give andelen: tallet for ledige unge er eksempeldata, men tallet for alle ledige er "
            "et rigtigt tal – de kan ikke sammenholdes.") in result.text
    assert result.as_json()["share"] is None
    # two real figures still give it
    real = ask(store, "hvor stor en andel af de ledige er på a-dagpenge?")
    assert "pct. af alle ledige i Ballerup" in real.text and real.as_json()["share"] is not None



def test_a_gap_between_a_real_figure_and_eksempeldata_is_declined_as_a_share_is(store):
    # »ledighedsprocent i Ballerup sammenlignet med Region Hovedstaden« said »Region Hovedstaden: 3,5
    # pct. (Ballerup ligger 0,4 pct.-point lavere)« and »Ballerup klarer sig bedre«: Jobindsats' rate
    # against the region's eksempeldata, a gap of a real and a synthetic number.
    result = ask(store, "ledighedsprocent i Ballerup sammenlignet med Region Hovedstaden er vi bedre")
    [region] = result.result.comparisons
    assert not result.result.observation.is_sample and region.observation.is_sample
    assert "pct.-point lavere" not in result.text and "klarer sig" not in result.text
    assert "3,1 pct." in result.text and "Region Hovedstaden: 3,5 pct. (eksempeldata)." in result.plain
    assert ("Jeg kan ikke give forskellen: tallet for ledighedsprocenten i Ballerup er et rigtigt tal, men tallet i "
            "Region Hovedstaden er eksempeldata – de kan ikke sammenholdes.") in result.plain
    # The other way round (Ballerup's seasonally adjusted rate is eksempeldata, hele landet's real).
    turned = ask(store, "sæsonkorrigeret ledighedsprocent ballerup vs landet").plain
    assert "Hele landet: 3,1 pct. (rigtige tal)." in turned and "pct.-point højere)" not in turned
    assert "tallet for ledighedsprocenten i Ballerup er eksempeldata, men tallet i hele landet er et rigtigt tal" in turned
    # A count beside it: the region's rate is eksempeldata, hele landet's is real and keeps its gap.
    counted = ask(store, "ledige i Ballerup sammenlignet med Region Hovedstaden og hele landet").plain
    assert "ledighedsprocenten er 3,5 pct. (eksempeldata)." in counted
    assert "(ledighedsprocenten 3,0 pct.; Ballerup ligger 0,1 pct.-point højere)" in counted
    # Two real figures still give it.
    real = ask(store, "ledighedsprocent i Ballerup sammenlignet med hele landet").plain
    assert "Hele landet: 3,0 pct. (Ballerup ligger 0,1 pct.-point højere)." in real and "forskellen" not in real

def test_every_target_asked_after_a_figure_is_the_board_not_that_figures_target(store):
    # »fleksjob« … »hvordan går det med målene?« gave fleksjob's figure with its own target line, and
    # »hvad er status på målene i Albertslund?« fleksjob in Albertslund (»ikke sat noget mål for
    # personer i fleksjob i Albertslund«), as if the figure had been asked again
    _, board, albertslund = chat(store, "fleksjob", "hvordan går det med målene?",
                                 "hvad er status på målene i Albertslund?")
    assert board.text == ask(store, "hvordan går det med målene?").text
    assert albertslund.text == ask(store, "hvad er status på målene i Albertslund?").text
    assert "fleksjob" not in albertslund.text
    # the figure's own target (»målet«, singular) is still asked of the figure talked about
    assert chat(store, "fleksjob", "hvordan går det med målet?")[-1].result.indicator.id == "fleksjob"


@pytest.mark.parametrize(("question", "says"), [
    ("hvad betyder jobafklaring?", "Et jobafklaringsforløb er for sygemeldte"),
    ("hvad er et ressourceforløb?", "Et ressourceforløb er et tværfagligt forløb"),
    ("hvad betyder ledighedsydelse", "Ledighedsydelse får borgere, der er visiteret til fleksjob")])
def test_the_meaning_of_a_benefit_is_explained_alone_and_after_another_figure(store, question, says):
    # »hvad betyder jobafklaring?« gave målgruppernes definition, and after »forsørgertryk« the
    # forsørgertryk's, neither of which says what a jobafklaringsforløb is
    assert says in ask(store, question).text
    after = chat(store, "forsørgertryk", question)[-1]
    assert says in after.text and "Forsørgertryk" not in after.text
    # the benefit alone is still its figure
    assert chat(store, "jobafklaring")[-1].result.query.breakdown == "ydelse=Jobafklaringsforløb"


def test_a_follow_up_after_a_rate_given_for_a_missing_count_asks_the_count_again(store):
    # »hvor mange ledige er der i regionen?« gives ledighedsprocenten (the region has no count);
    # »og i Københavns Kommune?« after it gave København's rate too, though its count is there
    region, city = chat(store, "hvor mange ledige er der i regionen?", "og i Københavns Kommune?")
    assert region.result.indicator.id == "ledighedsprocent" and region.result.rate_instead.id == "ledige"
    assert (city.result.indicator.id, city.result.area.code) == ("ledige", "101")
    assert city.result.observation.value == store.get("ledige", "101", city.result.observation.period).value


@pytest.mark.parametrize("then", ["hvordan er udviklingen det seneste år?", "og de sidste 12 måneder?"])
def test_the_newest_year_asked_after_a_named_month_is_the_newest_twelve_months(store, then):
    # »ledighed maj 2025« … »hvordan er udviklingen det seneste år?« gave »Fra maj 2024 til maj 2025«,
    # the month before carried, though »det seneste år« alone is the newest twelve months
    _, development = chat(store, "ledighed maj 2025", then)
    alone = ask(store, "udviklingen i ledigheden det seneste år")
    assert development.result.observation.period == alone.result.observation.period == "2026-07"
    # »hvordan er udviklingen?« with no period words still keeps the month talked about
    assert chat(store, "ledighed maj 2025", "hvordan er udviklingen?")[-1].result.observation.period == "2025-05"


def test_a_part_missing_in_an_area_names_where_it_is_and_what_to_ask(store):
    # »ressourceforløb i Herlev« said only »i Herlev er der kun tal for fuldtidspersoner (Kontanthjælp)«,
    # with no word of where the part is or what to ask instead
    said = ask(store, "ressourceforløb i Herlev").text
    asked = re.search(r"Ballerup har tallet – spørg fx »([^«]+)«", said)
    assert asked is not None, said
    there = ask(store, asked.group(1)).result
    assert (there.area.code, there.observation.breakdown) == ("151", "ydelse=Ressourceforløb")


@pytest.mark.parametrize(("question", "area", "said"), [
    # »Danmarks« was read as hele landet: Ballerup compared with it, and »ledighedsprocent fra Danmarks
    # Statistik« answered hele landet's Jobindsats rate, the source and the area changed unsaid
    ("ledighed i Ballerup ifølge Danmarks Statistik", "151", "Tallet her er fra Jobindsats.dk, ikke fra Danmarks Statistik."),
    ("ledighedsprocent fra Danmarks Statistik", "151", "Tallet her er fra Jobindsats.dk, ikke fra Danmarks Statistik."),
    ("sygedagpenge ifølge Jobindsats", "151", "Tallet her er eksempeldata, ikke fra Jobindsats."),
    ("beskæftigelse ifølge Danmarks Statistik", "151", None)])  # (it is DST's: nothing to say)
def test_a_source_named_is_no_area_and_the_answer_says_when_its_figure_is_from_another(store, question, area, said):
    result = ask(store, question)
    assert result.result.area.code == area and result.result.comparisons == ()
    assert result.result.query.unused == ()
    if said:
        assert said in result.text
    else:
        assert "Tallet her er" not in result.text


@pytest.mark.parametrize("question", ["hvilken kommune ligner os mest?",
                                      "hvordan ligger vi i forhold til sammenlignelige kommuner?"])
def test_kommuner_alike_are_not_known_and_the_reply_says_so(store, question):
    # after »fleksjob hele landet 2025«, »hvilken kommune ligner os mest?« gave »Personer i fleksjob,
    # 2025 – kommunen med flest« (»mest« read as the order, »ligner« named as not understood)
    for result in (ask(store, question), chat(store, "fleksjob hele landet 2025", question)[-1]):
        assert isinstance(result.result, NotUnderstood) and result.result.reason == "similar"
        assert "Faktabot kender ikke STARs klynger af sammenlignelige kommuner" in result.text


@pytest.mark.parametrize("lines", [("aktiveringsgrad for sygemeldte",), ("aktiveringsgrad", "og for sygemeldte?")])
def test_the_sygemeldte_of_a_figure_split_by_ydelse_are_its_sygedagpenge_part_said(store, lines):
    # »aktiveringsgrad« … »og for sygemeldte?« answered sygedagpenge (another figure); alone it gave the
    # whole aktiveringsgrad with »ingen tal … opdelt på målgruppe«, though its Sygedagpenge part is there.
    conversation, now, result = Conversations(), datetime(2026, 11, 25, 9, 0, tzinfo=TIMEZONE), None
    for line in lines:
        result = reply(line, store, Config(), TODAY, context=conversation.get("u", now))
        conversation.remember("u", result, now)
    expected = store.get("aktiveringsgrad", "151", "2026-07", "ydelse=Sygedagpenge")
    data = result.as_json()
    assert (data["indicator"], result.result.observation.breakdown, data["value"]) == (
        "aktiveringsgrad", "ydelse=Sygedagpenge", expected.value)
    assert "Der er ingen tal for aktiveringsgraden opdelt på målgruppe i Ballerup – her er aktiveringsgraden " \
           "(Sygedagpenge)." in result.text


@pytest.mark.parametrize("first", ["ledighed for hver måned i 1. kvartal 2026", "ledighed januar, februar og marts 2026"])
def test_a_follow_up_after_a_listing_lists_the_same_months(store, first):
    # »og i Herlev?« after the months listed gave Herlev's quarter mean (or januar to februar)
    _, then, development = chat(store, first, "og i Herlev?", "hvordan er udviklingen?")
    items = [line for line in then.text.splitlines() if line.startswith("• ")]
    assert items == [f"• {month} 2026: {store.get('ledige', '163', f'2026-{m:02d}').value:.0f} fuldtidspersoner"
                     for m, month in ((1, "januar"), (2, "februar"), (3, "marts"))]
    assert then.text.startswith("*Ledige i Herlev, ")
    assert development.result.listed is None  # another question: not a listing


@pytest.mark.parametrize("word", ["vejret", "fodbold", "borgmester", "politik", "hej med dig"])
def test_words_far_from_every_figure_get_no_suggestions(word):
    # »vejret« suggested »aktiverede«, »fodbold« forsørgertrykket, »dig« ledige
    result = parse(word)
    assert isinstance(result, NotUnderstood) and result.suggestions == ()


@pytest.mark.parametrize(("word", "indicator"), [
    ("fleksordning", "fleksjob"), ("ledighedsnivauet", "ledige"), ("sygeadgpaneg", "sygedagpenge"),
    ("ugneledgihd", "ungeledighed"), ("kotnnathjalp", "kontanthjaelp"), ("flxejobks", "fleksjob"),
])
def test_misspellings_still_get_their_suggestion(word, indicator):
    result = parse(word)
    assert isinstance(result, NotUnderstood) and indicator in result.suggestions


@pytest.mark.parametrize(("then", "indicator"), [
    ("jobafklaring", "fuldtidspersoner"),  # a part (benefit): read as a follow-up, kept Herlev
    ("fleksjob", "fleksjob"),  # a figure: went back to Ballerup
    ("sygedagpenge", "sygedagpenge"),
    ("hvor mange er i fleksjob i maj", "fleksjob"),
])
def test_a_question_naming_no_area_keeps_the_area_of_the_question_before(store, then, indicator):
    _, later = chat(store, "ledighed i Herlev", then)
    assert later.result.indicator.id == indicator
    assert later.result.area.code == "163" and "Herlev" in later.plain.split("\n", 1)[0]


def test_own_kommune_named_after_another_area_is_the_own_kommune_again(store):
    _, later = chat(store, "ledighed i Herlev", "sygedagpenge hos os")
    assert later.result.area.code == "151" and "Ballerup" in later.plain.split("\n", 1)[0]


@pytest.mark.parametrize(("question", "area", "indicator"), [
    ("er vi under landsniveau på samtaler i Albertslund", "165", "samtaler"),
    ("er vi over landsgennemsnittet på ledighed i Herlev", "163", "ledige"),
    ("ligger Herlev over landsgennemsnittet for ledighed", "163", "ledige"),
])
def test_an_area_after_i_beside_landet_is_the_area_asked_about_against_landet(store, question, area, indicator):
    # »… på samtaler i Herlev« compared Ballerup with landet and Herlev; »ligger« was not understood
    result = ask(store, question)
    assert result.result.indicator.id == indicator and result.result.area.code == area
    assert [c.area.code for c in result.result.comparisons] == ["000"]
    assert not result.result.query.unused


@pytest.mark.parametrize(("question", "word", "splits"), [
    ("ledige ukrainere", "ukrainere", "ledige unge (alder) og ikke-vestlige ledige (herkomst)"),
    ("ledige med handicap", "handicap", "ledige unge (alder) og ikke-vestlige ledige (herkomst)"),
])
def test_a_group_without_figures_is_said_first_and_the_figure_given_as_the_nearest(store, question, word, splits):
    # it led with »Ledige i Ballerup, juli 2026: 805 …« and named the word after the figure
    result = ask(store, question)
    lead, nearest = result.plain.split("\n\n")[:2]
    assert lead.startswith(f"Jeg har ingen tal for ledige opdelt efter »{word}« (eller forstod ikke ordet).")
    # (only the splits the store holds: ledige by køn are in the catalogue, not in any table loaded)
    assert "kan opdeles på ydelse, og der er egne tal for" in lead and splits in lead and "køn" not in lead
    value = store.get("ledige", "151", "2026-07").value
    assert nearest.startswith(f"Det nærmeste tal er alle ledige i Ballerup, juli 2026: {value:.0f} fuldtidspersoner")
    assert "svaret her gælder uden" not in result.plain


def test_the_nearest_rate_is_named_without_alle(store):
    # »ledighed 3 pct« gave »Det nærmeste tal er alle ledighedsprocenten i Ballerup« (»alle« is of a count)
    nearest = ask(store, "ledighedsprocent blåbær").plain.split("\n\n")[1]
    value = store.get("ledighedsprocent", "151", "2026-07").value
    assert nearest == f"Det nærmeste tal er ledighedsprocenten i Ballerup, juli 2026: {value:.1f} pct.".replace(".", ",", 1)


def test_the_count_of_young_ledige_offers_the_youth_rate_in_one_line(store):
    # »og for unge?« after »ledige« gave the count of ledige unge, no word of ungeledigheden
    _, young = chat(store, "ledige", "og for unge?")
    assert young.result.indicator.id == "ledige_unge"
    lines = [line for line in young.plain.split("\n") if "ungeledigheden" in line]
    assert lines == ["Mener du ungeledigheden i pct.? Spørg »ungeledigheden i Ballerup«."]
    asked = ask(store, "ungeledigheden i Ballerup")
    assert asked.result.indicator.id == "ungeledighed" and asked.result.observation is not None
    # a count asked for is not offered the rate
    assert "Mener du" not in ask(store, "hvor mange unge er ledige").plain


def test_which_or_how_many_targets_asked_after_a_figure_is_the_board(store):
    # »fleksjob« … »hvilke mål er i risiko?« gave fleksjob's figure (»risiko« not understood), and
    # »samtalehyppighed« … »hvor mange mål har vi i alt?« the samtalehyppighed: one figure has one target
    _, risk = chat(store, "fleksjob", "hvilke mål er i risiko?")
    assert risk.text == ask(store, "hvilke mål er i risiko?").text
    assert risk.result.intent == "target" and risk.result.indicator is None
    _, count = chat(store, "samtalehyppighed", "hvor mange mål har vi i alt?")
    assert count.result.intent == "target" and count.result.indicator is None
    # the figure's own target (»målet«) is still that figure's
    assert chat(store, "fleksjob", "hvor mange mangler vi til målet?")[-1].result.indicator.id == "fleksjob"


def test_kommuner_counted_against_the_area_after_end_not_the_own_kommune(store):
    # »hvor mange kommuner har lavere ledighed end Herlev?« counted those lower than Ballerup
    result = ask(store, "hvor mange kommuner har lavere ledighed end Herlev?")
    data = result.as_json()
    values = {o.area: o.value for o in store.cross_section("ledighedsprocent", [data["period"]], KOMMUNER)}
    lower = sum(1 for v in values.values() if v < values["163"])
    assert f"{lower} af {len(values)} kommuner ligger lavere end Herlev" in result.text
    assert "end Ballerup" not in result.text


def test_a_follow_up_never_compares_an_area_with_itself(store):
    # »ledighed i Herlev sammenlignet med Ballerup« … »og hvad med os?« said »Ballerup: 805 …; samme
    # niveau som Ballerup«, and after »… lavere ledighed end Ballerup?« »er vi blandt de 10 bedste?«
    # »Ballerup og Ballerup ligger på samme niveau«
    _, own = chat(store, "ledighed i Herlev sammenlignet med Ballerup", "og hvad med os?")
    assert own.result.area.code == "151" and "samme niveau som Ballerup" not in own.text
    assert "• Ballerup" not in own.text


def test_kommuner_counted_against_hele_landet_when_end_landet_is_asked(store):
    # »hvor mange kommuner har højere ledighed end landet?« counted those higher than Ballerup
    result = ask(store, "hvor mange kommuner har højere ledighed end landet?")
    data = result.as_json()
    values = {o.area: o.value for o in store.cross_section("ledighedsprocent", [data["period"]], KOMMUNER)}
    higher = sum(1 for v in values.values() if v > data["national"])
    assert f"{higher} af {len(values)} kommuner ligger højere end hele landet" in result.text
    assert "end Ballerup" not in result.text


def test_same_period_last_year_after_the_year_so_far_is_the_same_months_a_year_before(store):
    # »ledighed år til dato« (januar–juli 2026) … »og samme periode sidste år?« gave juli 2025 alone
    first, same = chat(store, "ledighed år til dato", "og samme periode sidste år?")
    through = first.as_json()["period_through"]
    months = int(through[-2:])
    data = same.as_json()
    assert data["period"] == "2025" and data["period_through"] == f"2025-{months:02d}"
    assert same.plain.startswith("Ledige i Ballerup, januar–")
    values = [store.get("ledige", "151", f"2025-{m:02d}").value for m in range(1, months + 1)]
    assert data["value"] == pytest.approx(sum(values) / months)
    # »og året før?« is still the whole year before
    assert chat(store, "ledighed i år", "og året før?")[-1].as_json()["period"] == "2025"


@pytest.mark.parametrize(("first", "follow_up", "start", "end"), [
    # »ledighed 2026 til nu« (januar–juli 2026) … »og sidste år samme periode?« named »samme periode« as
    # not understood and gave 2025's average; in the other word order it gave »januar 2026 til juli
    # 2025«, the span's start kept where its end moved a year back
    ("ledighed 2026 til nu", "og sidste år samme periode?", "2025-01", "2025-07"),
    ("ledighed siden 2026", "og samme periode sidste år?", "2025-01", "2025-07"),
    ("ledighed fra januar 2025 til nu", "og samme periode sidste år?", "2024-01", "2025-07"),
    ("ledighed fra 2026", "og året før?", "2025-01", "2025-07"),
])
def test_a_span_a_year_back_moves_its_start_with_its_end(store, first, follow_up, start, end):
    before, after = chat(store, first, follow_up)
    assert before.as_json()["period"] == "2026-07"
    data = after.as_json()
    assert (data["intent"], data["period"], data["compare_period"], data["unused"]) == ("change", end, start, [])
    first_value, last_value = (store.get("ledige", "151", p).value for p in (start, end))
    assert data["value"] == last_value - first_value
    assert after.plain.startswith(f"Ledige i Ballerup, {format_period(start)} til {format_period(end)}: ")
    # a month back is still since the start: »… og måneden før?« is januar 2026 til juni 2026
    assert chat(store, "ledighed siden 2026", "og måneden før?")[-1].as_json()["compare_period"] == "2026-01"


@pytest.mark.parametrize("lines", [("ledighed Ballerup vs Herlev", "hvem er bedst?", "og i 2025?"),
                                   ("ledighed", "og i Herlev?", "og i 2025?")])
def test_a_year_after_the_newest_carried_on_is_the_year(store, lines):
    # »ledighed Ballerup vs Herlev« … »hvem er bedst?« … »og i 2025?« gave juli 2025: the newest month
    # carried into the second question was taken for a month named (as after »ledighed maj«)
    last = chat(store, *lines)[-1]
    assert last.as_json()["period"] == "2025" and last.plain.startswith("Ledige i ")
    assert ", 2025: " in last.plain.split("\n", 1)[0]
    # a month named is still that month a year back
    assert chat(store, "ledighed maj", "og i Herlev?", "og i 2025?")[-1].as_json()["period"] == "2025-05"


def test_who_is_highest_after_a_comparison_of_kommuner_ranks_those_kommuner(store):
    # »ledighedsprocent i Ballerup sammenlignet med Herlev og Glostrup« … »hvem er højest?« ranked
    # every kommune (Brøndby first, »Ballerup er nr. 14 af 98«), the three compared unsaid
    before, ranked, in_may, every = chat(store, "ledighedsprocent i Ballerup sammenlignet med Herlev og Glostrup",
                                         "hvem er højest?", "og i maj?", "top 5 kommuner?")
    period = before.as_json()["period"]
    data = ranked.as_json()
    assert (data["intent"], data["indicator"], data["period"]) == ("ranking", "ledighedsprocent", period)
    values = {code: store.get("ledighedsprocent", code, period).value for code in ("151", "163", "161")}
    assert [(r["area"]["code"], r["value"]) for r in data["ranking"]] == \
        sorted(values.items(), key=lambda item: -item[1])
    assert ranked.plain.startswith("Ledighedsprocenten, juli 2026 – Ballerup, Herlev og Glostrup i rækkefølge "
                                   "(nr. 1 har den højeste):")
    place = sorted(values.values(), reverse=True).index(values["151"]) + 1
    assert f"Ballerup er nr. {place} af 3." in ranked.plain
    # a period after it keeps the three; »top 5 kommuner« asks every kommune again
    assert {r["area"]["code"] for r in in_may.as_json()["ranking"]} == {"151", "163", "161"}
    assert in_may.as_json()["period"] == "2026-05"
    assert len(every.as_json()["ranking"]) == 5 and "af 98" in every.plain
    # a ranking asked alone is of every kommune, as before
    assert "af 98" in ask(store, "hvem har den højeste ledighed").plain


def test_who_is_highest_after_a_comparison_with_hele_landet_compares_the_two(store):
    # »ledighed sammenlignet med landet« … »hvem er højest?« ranked the 98 kommuner (Brøndby first)
    before, which = chat(store, "ledighedsprocent sammenlignet med landet", "hvem er højest?")
    data = which.as_json()
    assert (data["intent"], data["indicator"], data["period"]) == ("value", "ledighedsprocent", before.as_json()["period"])
    own, land = (store.get("ledighedsprocent", code, data["period"]).value for code in ("151", "000"))
    worse = "dårligere" if own > land else "bedre"
    assert f"Ballerup klarer sig {worse} end hele landet på ledighedsprocenten" in which.plain
    # »hvilke kommuner …« names the kommuner: every one ranked
    assert "af 98" in chat(store, "ledighedsprocent sammenlignet med landet", "hvilke kommuner har den højeste?")[-1].plain


@pytest.mark.parametrize(("text", "examples"), [
    ("ledighed mellem jul og nytår", ["ledighed december", "ledighed 4. kvt."]),
    ("ledighed i julen 2025", ["ledighed december 2025", "ledighed 4. kvt. 2025"]),
    ("sygedagpenge i påsken", ["sygedagpenge april", "sygedagpenge 2. kvt."]),
    ("ledighed efter sommerferien", ["ledighed juli", "ledighed 3. kvt.", "ledighed juni til august"]),
    # »siden« before it is kept before a month or quarter, and a span is »fra … til« (it offered
    # »ledighed siden juni til august«)
    ("ledighed siden sommerferien", ["ledighed siden juli", "ledighed siden 3. kvt.", "ledighed fra juni til august"]),
    # »op til«, »frem til« before it are left out: »ledighed til december« asks from when
    ("ledighed op til jul", ["ledighed december", "ledighed 4. kvt."]),
    ("ledighed frem til sommer", ["ledighed juli", "ledighed 3. kvt.", "ledighed juni til august"]),
])
def test_a_holiday_is_declined_with_its_months_and_quarter_offered(store, text, examples):
    # »ledighed mellem jul og nytår« gave juli 2025 til januar 2026 (»jul« read as juli, »nytår« as
    # januar), »ledighed i julen« the newest month with »julen« not understood
    result = ask(store, text)
    assert not result.understood
    assert re.findall(r"»([^«]+)«", result.text) == examples
    for example in examples:
        assert ask(store, example).understood


@pytest.mark.parametrize("text", ["ledighed jul 2026", "ledighed jan-jul 2026", "ledighed juni til jul"])
def test_jul_beside_a_year_or_another_month_is_still_juli(store, text):
    assert ask(store, text).as_json()["period"] == "2026-07"


def test_a_fact_page_asked_by_number_lists_that_pages_figures(store):
    # »hvad står der på faktaark side 5?« told when the fact sheet is sent; »hvilke figurer er på side
    # 4?« was not understood
    pages = {number: (title, [i.name for i in indicators]) for number, title, indicators in default_catalogue().by_page()}
    for text, number in [("hvad står der på faktaark side 5?", 5), ("hvilke figurer er på side 4?", 4)]:
        said = ask(store, text).plain
        title, names = pages[number]
        assert said.startswith(f"Faktaside {number} – {title}") and all(name in said for name in names)
        assert not any(name in said for other, (_, more) in pages.items() if other != number for name in more
                       if not any(name in mine for mine in names))
    assert "Der er ingen faktaside 9" in ask(store, "faktaside 9").plain


def test_a_relative_period_after_a_change_of_two_periods_does_not_keep_the_old_base(store):
    # »ledighed Q3 2025 vs Q3 2024« … »hvad med forrige kvartal?« gave »3. kvt. 2024 til 2. kvt. 2026«:
    # the old base kept against the quarter asked, a change over seven quarters nobody asked
    _, previous = chat(store, "ledighed Q3 2025 vs Q3 2024", "hvad med forrige kvartal?")
    data = previous.as_json()
    alone = ask(store, "ledighed forrige kvartal").as_json()
    assert data["period"] == alone["period"]
    assert data["compare_period"] != "2024-Q3" and "3. kvt. 2024" not in previous.text


@pytest.mark.parametrize("overview", ["giv mig et overblik", "hvordan står det til?", "er der noget nyt?"])
def test_an_overview_asked_after_a_figure_is_the_board_as_alone(store, overview):
    # »fleksjob« … »giv mig et overblik« gave fleksjob's figure again; alone it is the targets' board
    _, said = chat(store, "fleksjob", overview)
    assert said.text == ask(store, overview).text
    assert said.result.intent == "target" and said.result.indicator is None
    # »hvordan ser det ud?« after a figure is still about that figure
    assert chat(store, "fleksjob", "hvordan ser det ud?")[-1].result.indicator.id == "fleksjob"


@pytest.mark.parametrize(("text", "indicator", "said"), [
    ("figur 4.1", "ledige", "Figur 4.1 på faktaside 4, »Aktuelt antal ledige ydelses- og kønsfordelt«, viser ledige."),
    ("hvad viser figur 5.2?", "samtaler_pr_fuldtidsperson",
     "Figur 5.2 på faktaside 5, »Antal gennemførte samtaler (kvartalsvist)«, viser samtaler pr. fuldtidsperson."),
    ("faktaark figur 6.2", "aktiveringsgrad", ("Figur 6.2 på faktaside 6, »Aktiveringsgrad og virksomhedsaktivering«, "
                                               "viser aktiveringsgraden og virksomhedsaktiveringsgraden – her er "
                                               "aktiveringsgraden")),
])
def test_a_fact_sheet_figure_by_number_is_its_indicator_with_the_figure_named(store, text, indicator, said):
    # »figur 4.1« was »Det forstod jeg ikke: »4 1««; »faktaark figur 6.2« told when the fact sheet is sent
    answer = ask(store, text)
    assert answer.result.indicator.id == indicator and said in answer.text
    assert not answer.result.query.unused


def test_a_fact_sheet_figure_is_shown_as_the_sheet_draws_it(store):
    # 4.1 is the ledige by ydelse, 4.2 the seasonally adjusted ledighedsprocent
    assert ask(store, "figur 4.1").result.query.by == "ydelse"
    assert ask(store, "figur 4.2").result.query.breakdown == "korrektion=Sæsonkorrigeret"


@pytest.mark.parametrize(("text", "said"), [
    ("figur 4.9", "Der er ingen figur 4.9 – faktaside 4 har figur 4.1–4.4."),
    ("hvad viser figur 9.1", "Der er ingen figur 9.1 – faktaarket har faktasiderne 1–7."),
])
def test_a_figure_number_the_fact_sheet_lacks_is_said_with_the_pages_figures(store, text, said):
    assert ask(store, text).text.startswith(said)


@pytest.mark.parametrize("text", ["samtaler i Albertslund mod hele landet", "samtaler i Albertslund mod Ballerup"])
def test_the_comparable_figures_suggested_question_names_the_area_so_it_asks_the_same_alone(store, text):
    # »… – spørg »samtalehyppigheden 2. kvt. 2026 mod hele landet«« after Albertslund's samtaler: asked
    # alone, that was Ballerup's samtalehyppighed against hele landet
    answer = ask(store, text)
    suggested = re.search(r"spørg »(samtalehyppigheden [^«]*)«", answer.text).group(1)
    again = ask(store, suggested).result
    assert again.indicator.id == "samtalehyppighed" and again.area.code == answer.result.area.code
    assert again.query.compare == answer.result.query.compare and not again.query.unused


def _danish(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _values(store, indicator, area, *periods_):
    return [store.get(indicator, area, period, "").value for period in periods_]


def test_a_development_beside_hele_landet_gives_both_changes_and_says_which_rose_more(store):
    # »er ledigheden steget mere i Ballerup end i landet?«: »mere« was set aside as not understood,
    # and the answer gave both changes without saying which was the larger. Counts of areas of
    # different size compare in pct.
    result = ask(store, "er ledigheden steget mere i Ballerup end i landet?")
    assert "»mere«" not in result.text
    first, last = result.result.development.against.period, result.result.observation.period
    own_first, own_last = _values(store, "ledige", "151", first, last)
    land_first, land_last = _values(store, "ledige", "000", first, last)
    own, land = (own_last / own_first - 1) * 100, (land_last / land_first - 1) * 100
    assert own > land > 0  # (the sample store: Ballerup +13,2 pct., hele landet +4,6 pct.)
    assert (f"Ledige er steget mere i Ballerup end i hele landet fra juli 2025 til juli 2026: "
            f"{_danish(own)} pct. mod {_danish(land)} pct.") in result.text, result.text
    assert "målt i procent, da Ballerup og hele landet har forskellig størrelse" in result.text


def test_a_rate_developing_beside_hele_landet_is_compared_in_points_over_the_same_months(store):
    result = ask(store, "udvikling i ledighedsprocenten Ballerup vs hele landet siden januar")
    own_first, own_last = _values(store, "ledighedsprocent", "151", "2026-01", "2026-07")
    land_first, land_last = _values(store, "ledighedsprocent", "000", "2026-01", "2026-07")
    assert own_last > own_first and land_last < land_first  # (Ballerup up, hele landet down)
    own, land = _danish(own_last - own_first), _danish(land_first - land_last)
    assert (f"Ledighedsprocenten er steget {own} pct.-point i Ballerup, men faldet {land} pct.-point i hele "
            f"landet fra januar 2026 til juli 2026.") in result.text, result.text


def test_an_area_lacking_the_first_or_last_period_is_said_not_compared_over_another_span(sample_store_copy):
    raw = sqlite3.connect(sample_store_copy)
    with raw:
        raw.execute("DELETE FROM observations WHERE indicator = 'ledighedsprocent' AND breakdown = '' "
                    "AND area = '000' AND period = '2026-01'")
        raw.execute("DELETE FROM observations WHERE indicator = 'ledighedsprocent' AND breakdown = '' "
                    "AND area = '147' AND period = '2026-07'")
    raw.close()
    with Store(sample_store_copy) as opened:
        text = ask(opened, "udvikling i ledighedsprocenten Ballerup vs hele landet siden januar").text
        other = ask(opened, "udvikling i ledighedsprocenten Ballerup vs Frederiksberg siden januar").text
    assert ("Jeg kan ikke sammenligne udviklingen med hele landet: der er ingen tal for ledighedsprocenten i "
            "hele landet for januar 2026, så de to områder har ikke tal for samme periode.") in text, text
    assert "i hele landet fra januar" not in text and "mere i" not in text
    assert ("Jeg kan ikke sammenligne udviklingen med Frederiksberg: der er ingen tal for ledighedsprocenten i "
            "Frederiksberg for juli 2026.") in other, other


def test_a_development_of_real_figures_beside_eksempeldata_is_declined_once(store):
    # Ballerup's rate is official, the region's eksempeldata: no comparison of their changes either,
    # said in the one line that declines their gap.
    text = ask(store, "udvikling i ledighedsprocenten Ballerup vs Region Hovedstaden").text
    assert ("Jeg kan ikke give forskellen eller sammenligne udviklingen: tallet for ledighedsprocenten i Ballerup "
            "er et rigtigt tal, men tallet i Region Hovedstaden er eksempeldata") in text, text
    assert text.count("Jeg kan ikke") == 1 and "mere i" not in text


def test_neighbours_named_by_name_are_the_kommuner_compared(store):
    # »sammenlignet med naboerne Albertslund og Glostrup« after a figure said it did not know which
    # kommuner the neighbours were, though they were named; unnamed neighbours are still declined
    said = chat(store, "sygedagpenge", "sammenlignet med naboerne Albertslund og Glostrup?")[-1]
    plain = chat(store, "sygedagpenge", "sammenlignet med Albertslund og Glostrup?")[-1]
    assert said.text == plain.text and said.result.indicator.id == plain.result.indicator.id
    assert "Albertslund" in said.text and "nabokommuner" not in said.text
    assert "nabokommuner" in chat(store, "sygedagpenge", "sammenlignet med naboerne?")[-1].text


@pytest.mark.parametrize("now_asked", ["hvordan ser det ud nu?", "og nu?", "hvordan ser det ud lige nu?"])
def test_the_newest_asked_after_an_earlier_period_is_the_newest_not_the_period_before(store, now_asked):
    # »kontanthjælp« … »og for et år siden?« … »hvordan ser det ud nu?« repeated juli 2025: »nu« was
    # swallowed by the overview phrase »hvordan ser det ud nu«, so the year-old period was carried
    first, _, now = chat(store, "kontanthjælp", "og for et år siden?", now_asked)
    assert now.result.indicator.id == first.result.indicator.id
    assert now.result.observation.period == first.result.observation.period
    # alone it is still the targets' board
    assert ask(store, "hvordan ser det ud nu?").result.intent == "target"


def test_the_target_asked_of_a_part_names_the_part_and_gives_the_whole_figures_target(store):
    # »sygedagpenge« … »hvor mange af dem er på jobafklaring?« … »hvad er målet?« said »Der er ikke sat
    # noget mål for sygedagpenge mv. i Ballerup«, though the whole figure has one (the part has none)
    config = load_config(Path(__file__).parent.parent / "bot" / "faktabot.example.toml")
    lines = TargetContext.load(store, config, datetime(2026, 11, 25, 9, 0, tzinfo=TIMEZONE)).for_answer
    conversation, now, said = Conversations(), datetime(2026, 11, 25, 9, 0), []
    for line in ("sygedagpenge", "hvor mange af dem er på jobafklaring?", "hvad er målet?"):
        said.append(reply(line, store, config, TODAY, targets=lines, context=conversation.get("c", now)))
        conversation.remember("c", said[-1], now)
    whole, part = said[0], said[-1]
    assert part.result.observation.breakdown and not whole.result.observation.breakdown
    assert f"({part.result.observation.breakdown.split('=')[1]})" in part.text
    named = next(t.name for t in config.targets if t.indicator == whole.result.indicator.id and not t.breakdown)
    assert named in whole.text and named in part.text
    assert f"mål for {whole.result.indicator.name.lower()} i Ballerup" not in part.text


@pytest.mark.parametrize("text", ["hvordan ser det ud med de unge?", "hvordan går det med de unge?"])
def test_how_a_part_is_doing_with_no_figure_asks_which_figure_not_the_board(store, text):
    # »hvordan ser det ud med de unge?« showed the targets' board, »de unge« unsaid; it is read as
    # »de unge« alone (which figure?), and »hvordan går det?« alone is still the board
    said = ask(store, text)
    assert isinstance(said.result, NotUnderstood)
    assert said.result.suggestions == ask(store, "de unge").result.suggestions != ()
    assert ask(store, "hvordan går det?").result.intent == "target"


@pytest.mark.parametrize("then", ["og for forsikrede ledige?", "og for de forsikrede ledige?"])
def test_a_part_whose_words_imply_a_figure_is_the_part_of_the_figure_talked_about(store, then):
    # »aktiveringsgraden« … »og for de forsikrede ledige?« answered ledige på A-dagpenge, another figure;
    # it is the aktiveringsgrad of the forsikrede, as »aktiveringsgraden for forsikrede ledige« alone
    said = chat(store, "aktiveringsgraden", then)[-1].result
    alone = ask(store, "aktiveringsgraden for forsikrede ledige").result
    assert (said.indicator.id, said.observation.breakdown) == (alone.indicator.id, alone.observation.breakdown)
    assert said.indicator.id == "aktiveringsgrad" and said.observation.breakdown == "ydelse=A-dagpenge"
    # a figure without that part still gives the figure the words name
    assert chat(store, "sygedagpenge", then)[-1].result.indicator.id == "ledige"


@pytest.mark.parametrize("then", ["hvem er de? alder?", "og alder?"])
def test_alder_alone_asks_the_figure_by_age_not_how_it_fell(store, then):
    # »kontanthjælp« … »hvem er de? alder?« gave the year's development (»alder« read as »falder«),
    # the age unsaid; it is the figure by age, as »fordelt på alder« (here: no such figures, said)
    said = chat(store, "kontanthjælp", then)[-1]
    asked = chat(store, "kontanthjælp", "fordelt på alder?")[-1]
    assert said.result.query.by == asked.result.query.by == "alder"
    assert said.result.query.intent == asked.result.query.intent
    # (»hvem er de?« also asks what the figure is made of: that is said after the same answer)
    assert said.text.startswith(asked.text.split("\n_Kilde")[0])
    assert ("opdelt på grupper" in said.text) == then.startswith("hvem er de")
    assert "opdelt på grupper" not in asked.text


def test_a_follow_up_after_only_the_board_does_not_claim_nothing_was_asked(store):
    # »hvordan går det?« (the board) … »og herlev?« said »der er ikke noget tidligere spørgsmål i
    # samtalen«, though one was asked: none was about a figure, which is what it builds on
    said = chat(store, "hvordan går det?", "og herlev?")[-1]
    assert isinstance(said.result, NotUnderstood)
    assert "ikke noget tidligere spørgsmål om et tal i samtalen" in said.text


def test_a_span_with_no_start_asks_from_when_and_its_example_is_understood(store):
    # »ledighed til og med maj« answered maj alone, »til og med« passed over unsaid
    asked = ask(store, "ledighed til og med maj")
    assert asked.as_json()["understood"] is False
    assert asked.plain.startswith("Fra hvornår? Spørgsmålet siger, at perioden slutter med maj")
    examples = re.findall(r"»([^«]+)«", asked.plain)
    assert examples == ["ledighed fra januar til maj", "ledighed maj"]
    span = ask(store, examples[0]).as_json()
    assert (span["intent"], span["compare_period"], span["period"]) == ("change", "2026-01", "2026-05")
    assert ask(store, examples[1]).as_json()["period"] == "2026-05"


@pytest.mark.parametrize(("first", "follow_up", "start", "end"), [
    # »og til og med juli?« after a month answered juli alone; »og til maj?« after juli the same
    ("ledighed maj", "og til og med juli?", "2026-05", "2026-07"),
    ("ledighed juli 2026", "og til maj?", "2026-05", "2026-07"),  # (in time order, not backwards)
    ("ledighed fra januar til maj", "og til og med juni?", "2026-01", "2026-06"),
    # »og indtil nu?« after a period named answered the newest alone; it is the span from that period
    ("ledighed maj", "og indtil nu?", "2026-05", "2026-07"),
    ("ledighed 2025", "og til nu?", "2025-01", "2026-07"),  # (as »ledighed 2025 til nu«)
])
def test_a_follow_up_ending_a_span_starts_it_at_the_period_before(store, first, follow_up, start, end):
    data = chat(store, first, follow_up)[-1].as_json()
    assert (data["intent"], data["compare_period"], data["period"], data["unused"]) == ("change", start, end, [])


def test_a_follow_up_ending_a_span_after_the_newest_asks_from_when(store):
    last = chat(store, "fleksjob", "og til og med maj?")[-1]
    assert last.as_json()["understood"] is False
    assert "»personer i fleksjob fra januar til maj«" in last.plain


@pytest.mark.parametrize("then", ["hvem er de?", "hvordan fordeler de sig?", "hvad består tallet af?",
                                  "kan tallet opdeles?", "hvordan er de sammensat?"])
def test_who_they_are_lists_the_figure_by_its_first_split_and_names_the_others(store, then):
    # »ledige« … »hvem er de?« was »Det forstod jeg ikke«; »hvordan fordeler de sig?« named »fordeler«
    said = chat(store, "ledige", then)[-1]
    listed = chat(store, "ledige", "fordelt på ydelse?")[-1]
    assert said.result.query.by == "ydelse" and said.result.query.unused == ()
    assert [p.observation.value for p in said.result.parts] == [p.observation.value for p in listed.result.parts]
    assert len(said.result.parts) == 2
    # the other splits held and the part figures are named; køn is in the catalogue but not in the store
    assert "Der er også egne tal for ledige unge (alder) og ikke-vestlige ledige (herkomst)." in said.plain
    assert "køn" not in said.plain


def test_who_they_are_of_a_figure_not_split_says_so_and_where_a_split_is(store):
    said = chat(store, "kontanthjælp", "hvem er de?")[-1]
    assert said.result.query.by is None and not said.result.parts
    assert "Der er ingen tal for kontanthjælpsmodtagere opdelt på grupper i Ballerup – kun tallet i alt." in said.plain
    assert "spørg »kontanthjælpsmodtagere fordelt på visitationskategori«" in said.plain
    pointed = ask(store, "kontanthjælpsmodtagere fordelt på visitationskategori").result
    assert pointed.query.by == "visitation" and pointed.parts


def test_who_they_are_of_a_figure_stored_by_two_keys_together_does_not_list_one(store):
    # aktiverede are stored by ydelse and redskab together: »hvordan fordeler de sig?« said »Der er
    # ingen tal for aktiverede fordelt på ydelse« and then »… kan opdeles på ydelse og aktiveringsredskab«
    said = chat(store, "aktiverede", "hvordan fordeler de sig?")[-1]
    assert said.result.query.by is None and said.result.query.splits == ()
    assert "Der er ingen tal for aktiverede opdelt på grupper i Ballerup – kun tallet i alt." in said.plain
    assert "kan opdeles" not in said.plain


def test_who_they_are_keeps_a_key_asked_and_needs_a_figure(store):
    # »… på køn«: the key asked, said to have no figures, not quietly replaced by ydelse
    said = chat(store, "ledige", "hvordan fordeler de sig på køn?")[-1]
    assert said.result.query.by == "køn" and not said.result.parts
    assert "Der er ingen tal for ledige fordelt på køn i Ballerup." in said.plain
    assert isinstance(ask(store, "hvem er de?").result, NotUnderstood)
    # in one question: the figure's own words between
    alone = ask(store, "hvordan fordeler ledigheden sig").result
    assert (alone.query.indicator, alone.query.by, alone.query.unused) == ("ledige", "ydelse", ())
    # … with the key after it (»ydelse« was named as not understood, then said to be a split)
    keyed = ask(store, "hvordan fordeler ledige sig på ydelse i Herlev i maj").result
    assert (keyed.query.by, keyed.query.area, keyed.observation.period, keyed.query.unused) == \
        ("ydelse", "163", "2026-05", ())
    # and in the past tense
    past = chat(store, "ledige", "hvordan fordelte de sig i maj?")[-1].result
    assert (past.query.by, past.observation.period, past.query.unused) == ("ydelse", "2026-05", ())


def test_how_it_went_after_a_figure_is_its_development_and_alone_the_board(store):
    # »hvordan er det gået?« was »Det forstod jeg ikke«, after a figure and alone
    after = chat(store, "fleksjob", "hvordan er det gået?")[-1]
    asked = ask(store, "udviklingen i fleksjob")
    assert after.result.query.intent == "development" == asked.result.query.intent
    assert after.result.query.indicator == "fleksjob" and after.text == asked.text
    alone, board = ask(store, "hvordan er det gået?"), ask(store, "hvordan går det?")
    assert alone.result.intent == "target" and alone.text == board.text and "Udvalgets mål" in alone.text
    assert ask(store, "hvordan gik det med sygedagpenge i 2025").result.query.intent == "development"


def test_who_they_are_after_a_change_lists_the_last_period_and_after_a_ranking_repeats_it(store):
    # after a change it repeated the change, the question passed over unsaid; after a ranking it gave
    # the own place (no words were left to read, and none was read as »hvor er vi?«)
    after_change = chat(store, "ledighed fra januar til maj", "hvem er de?")[-1].result
    assert (after_change.query.intent, after_change.query.by, after_change.observation.period) == \
        ("value", "ydelse", "2026-05")
    assert after_change.query.base is None and len(after_change.parts) == 2
    ranking, again = chat(store, "top 5 kommuner med flest ledige", "hvem er de?")
    assert again.result.query.intent == "ranking" and not again.result.query.place_asked
    assert again.text == ranking.text


def test_a_ranking_of_one_area_with_a_figure_says_no_place(store):
    # »ledige unge … sammenlignet med Herlev og Glostrup« … »hvem er højest?«: only Ballerup has the
    # figure; it read »Ballerup er nr. 1 af 1«, the two without named after it
    said = chat(store, "ledige unge i Ballerup sammenlignet med Herlev og Glostrup", "hvem er højest?")[-1]
    assert len(said.result.ranking.rows) == 1 and "nr. 1 af 1" not in said.plain
    assert "Glostrup og Herlev har ingen tal for juli 2026 og er ikke med." in said.plain
    # with two or more the place is said as before
    assert "Ballerup er nr. 2 af 3." in chat(store, "ledighedsprocent i Ballerup sammenlignet med Herlev og Glostrup",
                                             "hvem er højest?")[-1].plain


def test_the_part_figures_named_are_those_the_area_has(store):
    # »ledige i Herlev« … »hvem er de?« said »Der er også egne tal for ledige unge …«, which Herlev has none of
    assert store.breakdowns("ledige_unge", "163") == [] and store.breakdowns("ledige_unge", "151")
    herlev = chat(store, "ledige i Herlev", "hvem er de?")[-1]
    assert herlev.result.parts and "ledige unge" not in herlev.plain
    assert "ledige unge (alder)" in chat(store, "ledige", "hvem er de?")[-1].plain
    assert "ledige unge" not in ask(store, "ledige ukrainere i Herlev").plain
