"""Issue 18: answers are kept per store connection until the store's data version changes. A value
refreshed by another connection (another process's refresh) or by the same one is in the very
next answer to the same question, its ranking and its follow-ups."""
from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.alerting.context import TargetContext
from bot.asking.conversation import Conversations, reply
from bot.clock import TIMEZONE
from bot.config import Config, load_config
from indicators.catalogue import default_areas
from indicators.store import OBSERVATION_COLUMNS, Store
from indicators.types import SAMPLE_SOURCE, Observation

REPO = Path(__file__).resolve().parents[1]

TODAY = date(2026, 11, 25)


def _newest(store: Store, indicator: str, area: str) -> object:
    return [o for o in store.series(indicator, area, kind="month") if o.value is not None][-1]


def _refresh(path, observation, value: float) -> None:
    """Another connection, as a refresh in another process: one value changed, committed."""
    with Store(path) as other:
        other.load([replace(observation, value=value)], now="2026-11-25T09:00:00+00:00")


def test_a_value_refreshed_by_another_connection_is_in_the_next_answer_to_the_same_question(sample_store_copy):
    with Store(sample_store_copy) as store:
        first = reply("ledighedsprocent", store, Config(), TODAY)
        assert reply("ledighedsprocent", store, Config(), TODAY) is not first  # a reply of its own each time
        newest = _newest(store, "ledighedsprocent", "151")
        assert first.as_json()["value"] == newest.value and first.as_json()["period"] == newest.period
        _refresh(sample_store_copy, newest, 42.5)
        again = reply("ledighedsprocent", store, Config(), TODAY)
    assert again.as_json()["value"] == 42.5 and again.as_json()["period"] == newest.period
    assert "42,5" in again.text and "42,5" not in first.text


def test_a_value_loaded_through_the_same_connection_is_in_the_next_answer(sample_store_copy):
    with Store(sample_store_copy) as store:
        reply("ledige", store, Config(), TODAY)
        newest = _newest(store, "ledige", "151")
        store.load([replace(newest, value=12345.0)], now="2026-11-25T09:00:00+00:00")
        assert reply("ledige", store, Config(), TODAY).as_json()["value"] == 12345.0


def test_a_refreshed_kommune_moves_in_the_kept_ranking(sample_store_copy):
    question = "hvilke kommuner har den laveste ledighed"
    with Store(sample_store_copy) as store:
        before = reply(question, store, Config(), TODAY).as_json()
        assert before["ranking"][0]["area"]["code"] != "101"
        copenhagen = store.get("ledighedsprocent", "101", before["period"])
        _refresh(sample_store_copy, copenhagen, 0.1)
        after = reply(question, store, Config(), TODAY).as_json()
    assert after["period"] == before["period"]
    assert after["ranking"][0] == {"area": {"code": "101", "name": "København"}, "value": 0.1}


def test_a_follow_up_after_a_refresh_answers_from_the_new_value(sample_store_copy):
    now = datetime(2026, 11, 25, 9, 0, tzinfo=TIMEZONE)
    with Store(sample_store_copy) as store:
        conversation = Conversations()
        conversation.remember("c", reply("ledighed maj", store, Config(), TODAY), now)
        context = conversation.get("c", now)
        before = reply("og i Aarhus?", store, Config(), TODAY, context=context).as_json()
        may = store.get("ledige", "751", before["period"])
        _refresh(sample_store_copy, may, 4321.0)
        after = reply("og i Aarhus?", store, Config(), TODAY, context=context).as_json()
    assert before["area"]["code"] == after["area"]["code"] == "751" and after["period"] == before["period"]
    assert before["value"] != 4321.0 and after["value"] == 4321.0


def test_the_targets_status_line_is_added_to_a_kept_answer_and_left_off_without_targets(sample_store_copy):
    config = load_config(REPO / "faktabot.toml")
    now = datetime(2026, 11, 25, 9, 0, tzinfo=TIMEZONE)
    with Store(sample_store_copy) as store:
        context = TargetContext.load(store, config, now)
        targeted = next(v for v in context.views if not v.target.breakdown and v.target.frequency == "month")
        question = f"{targeted.indicator.name} {targeted.area.name}"
        plain = reply(question, store, config, TODAY)
        with_line = reply(question, store, config, TODAY, targets=context.for_answer)
        plain_again = reply(question, store, config, TODAY)
    assert targeted.target.name in with_line.plain and targeted.target.name not in plain.plain
    assert plain_again.plain == plain.plain
    assert with_line.plain.startswith(plain.plain.split("\n", 1)[0])


def test_a_kept_freshness_reply_sees_a_refresh_run_recorded_by_another_connection(sample_store_copy):
    question = "hvornår er ledige opdateret"
    with Store(sample_store_copy) as store:
        before = reply(question, store, Config(), TODAY).result
        with Store(sample_store_copy) as other:
            run = other.start_run("jobindsats", started_at="2026-11-25T08:00:00+00:00")
            # the run read the answer's table (unchanged: no row written), as a refresh records it
            other.record_table(run, "jobindsats", "y25i01", status="ok", finished_at="2026-11-25T08:00:30+00:00")
            other.finish_run(run, status="ok", finished_at="2026-11-25T08:01:00+00:00")
        after = reply(question, store, Config(), TODAY).result
    assert [s.refreshed_at for s in before.sources] != [s.refreshed_at for s in after.sources]
    assert "2026-11-25T08:00:00+00:00" in [s.refreshed_at for s in after.sources]


def test_newest_of_each_breakdown_is_the_last_of_its_series(sample_store_path):
    with Store(sample_store_path) as store:
        for indicator in ("fuldtidspersoner", "ledige", "ledighedsprocent"):
            breakdowns = store.breakdowns(indicator, "151")
            assert breakdowns
            newest = store.newest(indicator, "151", breakdowns)
            assert newest == {b: store.series(indicator, "151", b)[-1] for b in breakdowns}
        assert store.newest("ledige", "151", []) == {}


def test_observations_read_from_the_store_have_every_column_in_its_field(sample_store_path):
    raw = sqlite3.connect(sample_store_path)
    try:
        rows = raw.execute(f"SELECT {OBSERVATION_COLUMNS} FROM observations WHERE indicator = 'ledige' "
                           "AND area = '151' AND breakdown = '' ORDER BY period").fetchall()
    finally:
        raw.close()
    columns = OBSERVATION_COLUMNS.split(", ")
    expected = [Observation(**{**dict(zip(columns, row, strict=True)), "provisional": bool(row[7])}) for row in rows]
    with Store(sample_store_path) as store:
        assert rows and store.series("ledige", "151") == expected


def test_forget_drops_what_a_connection_keeps(tmp_path):
    """`Store.forget` (the benchmark's first answers) drops the kept results, as a data change does."""
    made = []
    with Store(tmp_path / "store.db", create=True) as store:
        for _ in range(2):
            store.remember(("k",), lambda: made.append(1) or len(made))
        assert made == [1]
        store.forget()
        assert store.remember(("k",), lambda: made.append(1) or len(made)) == 2


def test_reads_made_inside_a_kept_read_follow_a_change_at_the_next_question(sample_store_copy):
    """The data version is checked once per outermost read (an answer's own reads are not each
    checked): a refresh by another connection between two questions is still in the second, and
    a read that fails leaves the store checking again."""
    with Store(sample_store_copy) as store:
        newest = _newest(store, "ledige", "151")

        def answered() -> float:
            return store.get("ledige", "151", newest.period).value

        assert store.remember(("q",), answered) == newest.value
        _refresh(sample_store_copy, newest, 777.0)
        assert store.remember(("q",), answered) == 777.0
        with pytest.raises(ZeroDivisionError):
            store.remember(("fails",), lambda: 1 / 0)
        _refresh(sample_store_copy, newest, 778.0)
        assert store.get("ledige", "151", newest.period).value == 778.0


def obs(period: str, value: float | None, area: str) -> Observation:
    return Observation("ledige", area, period, value, unit="fuldtidspersoner", source="jobindsats:y25i01",
                       fetched_at="2026-08-22T00:00:00+00:00")


def test_values_read_together_are_those_read_one_by_one(sample_store_path, tmp_path):
    """`Store.get_each` (a breakdown listing's parts in one statement) keeps what `get` reads."""
    with Store(sample_store_path) as alone:
        breakdowns = [*alone.breakdowns("fuldtidspersoner", "151"), "ydelse=Ingen sådan"]
        expected = {b: alone.get("fuldtidspersoner", "151", "2026-05", b) for b in breakdowns}
    assert expected["ydelse=Ingen sådan"] is None and sum(v is not None for v in expected.values()) > 3
    with Store(sample_store_path) as together:
        together.get_each("fuldtidspersoner", "151", "2026-05", breakdowns)
        statements: list[str] = []
        together.db.conn.set_trace_callback(statements.append)
        assert {b: together.get("fuldtidspersoner", "151", "2026-05", b) for b in breakdowns} == expected
        together.db.conn.set_trace_callback(None)
        assert not [s for s in statements if "FROM observations" in s]  # every part kept, none read again


def test_values_read_together_follow_a_change_of_the_data(sample_store_copy):
    with Store(sample_store_copy) as store:
        store.get_each("fuldtidspersoner", "151", "2026-05", ["ydelse=A-dagpenge"])
        kept = store.get("fuldtidspersoner", "151", "2026-05", "ydelse=A-dagpenge")
        _refresh(sample_store_copy, kept, 4321.0)
        store.get_each("fuldtidspersoner", "151", "2026-05", ["ydelse=A-dagpenge"])
        assert store.get("fuldtidspersoner", "151", "2026-05", "ydelse=A-dagpenge").value == 4321.0


def test_period_kinds_of_a_series_in_one_statement(sample_store_path):
    with Store(sample_store_path) as store:
        for indicator in ("ledighedsprocent", "ledige", "befolkning"):
            kinds = store.period_kinds(indicator, "151")
            periods = {o.period for o in store.series(indicator, "151")}
            by_kind = {"month": any(len(p) == 7 and p[5] != "Q" for p in periods),
                       "quarter": any(len(p) == 7 and p[5] == "Q" for p in periods),
                       "year": any(len(p) == 4 for p in periods)}
            assert kinds == [k for k, has in by_kind.items() if has], indicator


def _coverage_choice(store: Store, codes: list[str]) -> tuple[str, int] | None:
    coverage = store.period_coverage("ledige", "month", codes)
    most = max((n for _, n in coverage), default=None)
    return next(((p, n) for p, n in coverage if n == most), None)


@pytest.mark.parametrize("lacking", [(), ("151",), ("101", "147"), ("101", "147", "151")])
@pytest.mark.parametrize("since", [None, "2026", "2026-05", "2026-06", "2027"])
def test_the_fullest_period_is_the_newest_with_the_most_published_values(tmp_path, since, lacking):
    """`Store.fullest_period` bounds the counts by the index and checks one period; a row without a
    value (not published) in the newest period makes it count every value, with the same choice.
    A first guess of recent periods (`since`) or of the areas to look at (`lacking`, right or
    wrong) changes nothing but the work."""
    codes = ["101", "147", "151"]

    def fullest(store: Store) -> tuple[str, int] | None:
        return store.fullest_period("ledige", "month", codes, since=since, lacking=lacking)

    with Store(tmp_path / "s.db", create=True) as store:
        assert fullest(store) is None
        store.load([obs("2026-05", 10.0, area=code) for code in codes] + [obs("2026-06", 11.0, area=c) for c in codes[:2]])
        assert fullest(store) == ("2026-05", 3) == _coverage_choice(store, codes)
        store.load([obs("2026-06", None, area="151")])  # a row, but no published value
        assert fullest(store) == ("2026-05", 3) == _coverage_choice(store, codes)
        store.load([obs("2026-04", 9.0, area=code) for code in codes] + [obs("2026-05", None, area="101")])
        assert fullest(store) == ("2026-04", 3) == _coverage_choice(store, codes)
        store.load([obs("2026-04", None, area="147")])  # no period with all three: the newest with two
        assert fullest(store) == ("2026-06", 2) == _coverage_choice(store, codes)


def test_the_areas_lacking_the_newest_period_find_the_fullest_with_a_few_counts(sample_store_path):
    # langtidsledige: two kommuner lack the newest months, and only 2024-03 has all 98. The periods
    # those two share are checked one by one, instead of counting rows per period of every kommune.
    kommuner = [a.code for a in default_areas().kommuner()]
    with Store(sample_store_path) as store:
        for indicator in ("langtidsledige", "ledige", "ledighedsprocent", "aktiverede", "loentimer"):
            newest = store.last_periods(indicator, kommuner[0], "", "month", 1)
            held = {o.area for o in store.cross_section(indicator, newest, kommuner)}
            lacking = sorted(set(kommuner) - held)
            expected = store.fullest_period(indicator, "month", kommuner, since="2024")
            assert store.fullest_period(indicator, "month", kommuner, since="2024", lacking=lacking[:10]) == expected
            assert expected == _coverage_choice_of(store, indicator, kommuner), indicator
        store.forget()
        statements: list[str] = []
        store.db.conn.set_trace_callback(statements.append)
        found = store.fullest_period("langtidsledige", "month", kommuner, since="2024", lacking=["563", "825"])
        store.db.conn.set_trace_callback(None)
    assert found == ("2024-03", 98)
    assert not [s for s in statements if "GROUP BY period ORDER BY" in s and "count(*) FROM" in s], statements


def _coverage_choice_of(store: Store, indicator: str, codes: list[str]) -> tuple[str, int] | None:
    coverage = store.period_coverage(indicator, "month", codes)
    most = max((n for _, n in coverage), default=None)
    return next(((p, n) for p, n in coverage if n == most), None)


def test_a_series_last_periods_are_the_end_of_the_series(sample_store_path):
    with Store(sample_store_path) as store:
        for kind in ("month", "quarter", "year"):
            series = store.series("ledige", "151", "", kind)
            assert store.last_periods("ledige", "151", "", kind, 3) == [o.period for o in reversed(series[-3:])]


def test_a_series_tail_is_the_end_of_the_series_and_says_when_it_is_all_of_it(sample_store_path):
    with Store(sample_store_path) as store:
        for kind in ("month", "quarter", "year", None):
            series = store.series("ledige", "151", "", kind)
            for count in (1, 5, len(series), len(series) + 1):
                assert store.series_tail("ledige", "151", "", kind, count) == (series[-count:], count > len(series))


def _months(first_year: int, count: int) -> list[str]:
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


@pytest.mark.parametrize("unpublished", [0, 3, 14, 30])
def test_the_newest_figure_answered_from_the_series_end_is_the_whole_series_answer(tmp_path, unpublished):
    """An answer of the newest figure reads the series' last three years or so (`_series_read`); when
    many of its newest periods are unpublished that end falls short, and the whole series is read:
    the history (25 published months), the month and the year before are always those of the whole."""
    months = _months(2020, 78)
    rows = [obs(p, None if i >= len(months) - unpublished else 100.0 + i, area)
            for area in ("151", "000") for i, p in enumerate(months)]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows, now="2026-08-22T00:00:00+00:00")
        published = [o for o in store.series("ledige", "151", "", "month") if o.value is not None]
        store.forget()
        answered = reply("udvikling i ledige", store, Config(), TODAY)
        compared = reply("ledige vs landet", store, Config(), TODAY)
    assert answered.result.history == tuple(published[-25:])
    assert answered.result.previous.against == published[-2]
    assert answered.result.last_year.against == published[-13]
    assert compared.result.comparisons[0].history == tuple(o for o in rows[len(months):] if o.value is not None)[-25:]


@pytest.mark.parametrize("back", [0, 10, 25, 30, 60])
@pytest.mark.parametrize("unpublished", [0, 14])
def test_a_month_asked_is_answered_with_the_history_of_the_whole_series(tmp_path, back, unpublished):
    """A month of the series' own kind is answered from its end when the end holds the month's
    history, the month and the year before; an older month (or an end of unpublished months) reads
    the whole series: either way the answer is the whole series' answer."""
    months = _months(2020, 78)
    rows = [obs(p, None if i >= len(months) - unpublished else 100.0 + i, "151") for i, p in enumerate(months)]
    published = [o for o in rows if o.value is not None]
    asked = published[-1 - back]
    month_names = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
                   "oktober", "november", "december"]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows, now="2026-08-22T00:00:00+00:00")
        answered = reply(f"ledige {month_names[int(asked.period[5:]) - 1]} {asked.period[:4]}", store, Config(), TODAY)
    upto = [o for o in published if o.period <= asked.period]
    assert answered.result.observation == asked and answered.result.history == tuple(upto[-25:])
    assert answered.result.previous.against == upto[-2]
    assert (answered.result.last_year.against == upto[-13]) if len(upto) > 12 else answered.result.last_year is None


def test_published_in_a_period_counts_what_the_cross_section_reads(sample_store_path):
    kommuner = [a.code for a in default_areas().kommuner()]
    with Store(sample_store_path) as store:
        for period in [o.period for o in store.series("langtidsledige", "151", "", "month")[-4:]]:
            assert store.published_in("langtidsledige", period, kommuner) == len(
                store.cross_section("langtidsledige", [period], kommuner))
        assert store.published_in("langtidsledige", "2026-05", []) == 0


def test_breakdowns_found_seek_by_seek_are_every_distinct_one_in_order(sample_store_path):
    raw = sqlite3.connect(sample_store_path)
    try:
        pairs = raw.execute("SELECT DISTINCT indicator, area FROM observations WHERE area IN ('000', '151')").fetchall()
        expected = {pair: [r[0] for r in raw.execute("SELECT DISTINCT breakdown FROM observations WHERE indicator = ? "
                                                    "AND area = ? ORDER BY breakdown", pair)] for pair in pairs}
    finally:
        raw.close()
    with Store(sample_store_path) as store:
        assert len(expected) > 20 and {pair: store.breakdowns(*pair) for pair in pairs} == expected
        assert store.breakdowns("ledige", "no such area") == []


def test_a_range_of_periods_reads_what_the_cross_section_of_its_periods_reads(sample_store_path):
    kommuner = [a.code for a in default_areas().kommuner()]
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    ranges = [("ledighedsprocent", "month", months), ("ledighedsprocent", "month", months[3:6]),
              ("ledige", "month", months), ("afsluttede_forloeb", "quarter", [f"2025-Q{q}" for q in range(1, 5)])]
    with Store(sample_store_path) as store:
        for indicator, kind, parts in ranges:
            expected = [(o.area, o.period, o.value, o.source) for o in store.cross_section(indicator, parts, kommuner)]
            assert expected and store.cross_section_values(indicator, parts[0], parts[-1], kind, kommuner) == expected
        assert len(store.cross_section_values("ledighedsprocent", months[0], months[-1], "month", kommuner)) > 1000
        assert store.cross_section_values("ledighedsprocent", months[0], months[-1], "month", []) == []


def test_a_range_of_periods_totals_add_up_what_the_cross_section_of_its_periods_reads(sample_store_path):
    # Bit for bit: the sums are what Python's sum() makes of the same values in period order.
    kommuner = [a.code for a in default_areas().kommuner()]
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    across = [f"2024-{m:02d}" for m in range(7, 13)] + months[:6]  # 2024-Q3, 2024-Q4 and 2025 sort in between
    ranges = [("ledighedsprocent", "month", months), ("ledige", "month", months[3:6]),
              ("ledighedsprocent", "month", across), ("afsluttede_forloeb", "quarter", ["2024-Q4", "2025-Q1"]),
              ("langtidsledige", "month", months), ("afsluttede_forloeb", "quarter", [f"2025-Q{q}" for q in range(1, 5)]),
              # the newest month, which two kommuner lack: they are left out
              ("langtidsledige", "month", [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)][:31])]
    with Store(sample_store_path) as store:
        for indicator, kind, parts in ranges:
            read = store.cross_section(indicator, parts, kommuner)
            expected = []
            for area in sorted({o.area for o in read}):
                own = [o for o in read if o.area == area]
                if len(own) == len(parts):
                    expected.append((area, sum(o.value for o in own), any(o.source == SAMPLE_SOURCE for o in own),
                                     (own[-1].unit, own[-1].source, own[-1].provisional, own[-1].fetched_at)))
            totals = store.complete_totals(indicator, parts[0], parts[-1], kind, len(parts), kommuner)
            assert expected and totals == expected
            # where SQLite's sum() adds unlike Python's, Python adds: the same totals
            assert store.complete_totals(indicator, parts[0], parts[-1], kind, len(parts), kommuner,
                                         sums_in_sql=False) == expected
            if indicator == "langtidsledige":  # some kommuner lack a month: left out
                assert len(totals) < len({o.area for o in read})
        assert store.complete_totals("ledighedsprocent", months[0], months[-1], "month", 12, []) == []


def _reads_whole_series(statements: list[str]) -> list[str]:
    """The statements that read a series whole (`Store.series`), not its end (`series_tail`)."""
    return [s for s in statements if s.startswith("SELECT") and "FROM observations" in s and s.endswith("ORDER BY period")]


def _answered_with_statements(store: Store, question: str) -> tuple[object, list[str]]:
    store.forget()
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        return reply(question, store, Config(), TODAY), statements
    finally:
        store.db.conn.set_trace_callback(None)


MONTH_NAMES = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
               "november", "december"]


@pytest.mark.parametrize("back", [0, 5, 11, 12, 20])
@pytest.mark.parametrize("unpublished", [0, 14])
def test_a_month_named_without_a_year_is_the_newest_such_month_of_the_whole_series(tmp_path, back, unpublished):
    """»ledige maj«: the series' last published May, with the whole series' history, month before and
    year before; read from the series' end when the end holds that May (issue 18: no whole series)."""
    months = _months(2020, 78)
    rows = [obs(p, None if i >= len(months) - unpublished else 100.0 + i, "151") for i, p in enumerate(months)]
    published = [o for o in rows if o.value is not None]
    month = int(published[-1 - back].period[5:])
    asked = [o for o in published if int(o.period[5:]) == month][-1]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows, now="2026-08-22T00:00:00+00:00")
        answered, statements = _answered_with_statements(store, f"ledige {MONTH_NAMES[month - 1]}")
    upto = [o for o in published if o.period <= asked.period]
    assert answered.result.observation == asked and answered.result.history == tuple(upto[-25:])
    assert answered.result.previous.against == upto[-2] and answered.result.last_year.against == upto[-13]
    if not unpublished:  # the end (25 + 13 months) holds the May, its history and the May before
        assert not _reads_whole_series(statements), statements


@pytest.mark.parametrize("back", [13, 20, 30])
def test_an_older_month_asked_reads_an_end_reaching_back_to_it_not_the_whole_series(tmp_path, back):
    """»ledige marts 2025«, further back than the newest figure's end: a longer end holding the month's
    history is read, not every year stored; the answer is the whole series' answer."""
    months = _months(2014, 150)
    rows = [obs(p, 100.0 + i, "151") for i, p in enumerate(months)]
    asked = rows[-1 - back]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows, now="2026-08-22T00:00:00+00:00")
        answered, statements = _answered_with_statements(
            store, f"ledige {MONTH_NAMES[int(asked.period[5:]) - 1]} {asked.period[:4]}")
    upto = [o for o in rows if o.period <= asked.period]
    assert answered.result.observation == asked and answered.result.history == tuple(upto[-25:])
    assert answered.result.previous.against == upto[-2] and answered.result.last_year.against == upto[-13]
    assert not _reads_whole_series(statements), statements


@pytest.mark.parametrize("question", ["ledige i 2025", "ledige 2. kvt 2025", "gennemsnit ledige 2025",
                                      "hvorfor steg ledigheden i 2025"])
def test_a_year_made_of_months_reads_its_months_not_the_whole_series(tmp_path, question):
    """A year or quarter made of a monthly series' parts needs the parts and the series' newest period:
    the whole series is not read, and the answer is the one made of the parts."""
    months = _months(2014, 150)
    rows = [obs(p, 100.0 + i, area) for area in ("151", "000") for i, p in enumerate(months)]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows, now="2026-08-22T00:00:00+00:00")
        answered, statements = _answered_with_statements(store, question)
    made = answered.result
    wanted = [o for o in rows[:len(months)] if o.period.startswith("2025-")]
    if "kvt" in question:
        wanted = wanted[3:6]
    assert made.aggregate is not None and not made.aggregate.missing
    assert made.observation.value == pytest.approx(sum(o.value for o in wanted) / len(wanted))
    assert not _reads_whole_series(statements), statements


def test_a_year_missing_a_month_still_says_where_the_whole_series_begins(tmp_path):
    """A year asked before the figures begin is not made of parts: the whole series is read, and the
    answer says where its figures begin (the series' end alone would name a later first month)."""
    months = _months(2014, 150)
    rows = [obs(p, 100.0 + i, "151") for i, p in enumerate(months)]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows, now="2026-08-22T00:00:00+00:00")
        answered, _ = _answered_with_statements(store, "ledige 2013")
    assert answered.result.first == "2014-01" and "januar 2014" in answered.text


def test_this_year_so_far_reads_its_months_not_the_whole_series(tmp_path):
    """»ledige i år« in November with figures to juli: januar–juli made of its months, as before,
    without reading the whole series."""
    months = _months(2014, 151)  # januar 2014 to juli 2026
    rows = [obs(p, 100.0 + i, "151") for i, p in enumerate(months)]
    with Store(tmp_path / "store.db", create=True) as store:
        store.load(rows, now="2026-08-22T00:00:00+00:00")
        answered, statements = _answered_with_statements(store, "ledige i år")
    made = answered.result
    wanted = [o for o in rows if o.period.startswith("2026-")]
    assert made.aggregate.so_far and made.aggregate.months == 7 == len(wanted)
    assert made.observation.value == pytest.approx(sum(o.value for o in wanted) / len(wanted))
    assert not _reads_whole_series(statements), statements


def test_a_year_made_of_months_follows_a_refreshed_month_at_the_next_question(sample_store_copy):
    """The months a year is made of are kept reads: a month refreshed by another connection is in
    the next answer of the year (»ledige i 2025«, read without the whole series)."""
    with Store(sample_store_copy) as store:
        before = reply("ledige i 2025", store, Config(), TODAY).as_json()
        may = store.get("ledige", "151", "2025-05")
        _refresh(sample_store_copy, may, may.value + 1200.0)
        after = reply("ledige i 2025", store, Config(), TODAY).as_json()
    assert before["period"] == after["period"] == "2025"
    assert after["value"] == pytest.approx(before["value"] + 100.0)
