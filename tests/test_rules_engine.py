"""The rules engine on hand-made series: every kind, every status, hold periods, revisions, guards.

Pure tests: targets come from `parse_targets` with a small made-up catalogue, observations are
built here, `now` is fixed.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from indicators.periods import parse
from indicators.types import Observation
from rules.engine import (
    AT_RISK,
    BREACHED,
    NO_DATA,
    OK,
    Acknowledgement,
    SeriesIndex,
    assess,
    evaluate,
)
from rules.targets import IndicatorInfo, parse_targets

FACTS = {
    "ledige": IndicatorInfo("lower", "month", "count"),
    "ledighedsprocent": IndicatorInfo("lower", "month", "pct", count_indicator="ledige"),
    "fleksjob": IndicatorInfo("higher", "month", "count"),
    "sygedagpenge": IndicatorInfo("lower", "quarter", "count"),
    "samtalehyppighed": IndicatorInfo("higher", "quarter", "decimal"),
}
AREAS = {"000": "Hele landet", "151": "Ballerup", "165": "Albertslund"}
NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
REAL = "jobindsats:test"


def make_target(**raw):
    return parse_targets([{"id": "t", "area": "151", **raw}], FACTS, AREAS)[0]


def series(indicator: str, first: str, values: list[float | None], area: str = "151", source: str = REAL,
           provisional_last: bool = False) -> list[Observation]:
    period = parse(first)
    out = []
    for i, value in enumerate(values):
        out.append(Observation(indicator, area, str(period.shift(i)), value, source=source,
                               provisional=provisional_last and i == len(values) - 1))
    return out


CEILING = {"indicator": "ledighedsprocent", "kind": "ceiling", "limit": 7.0, "tolerance": 0.3, "hold_periods": 2}
FLOOR = {"indicator": "fleksjob", "kind": "floor", "limit": 600, "tolerance": 10}
PATH_DOWN = {"indicator": "sygedagpenge", "kind": "trajectory", "tolerance": 2.0,
             "points": {"2025-Q4": 1000, "2026-Q4": 900}}  # 2026-Q1: 975, 2026-Q2: 950
PATH_UP = {"indicator": "fleksjob", "kind": "trajectory", "tolerance": 2.0,
           "points": {"2026-03": 500, "2026-09": 560}}  # 10 more a month: 2026-06: 530, 2026-07: 540
BENCH = {"indicator": "samtalehyppighed", "kind": "benchmark", "compare_area": "000", "tolerance": 0.1}
RATIO = {"indicator": "ledighedsprocent", "kind": "benchmark", "mode": "ratio", "threshold": 1.0, "tolerance": 0.05}
CHANGE = {"indicator": "ledige", "kind": "change", "compare_area": "000", "tolerance": 1.0}

NATIONAL_SAMTALER = series("samtalehyppighed", "2025-Q1", [3.3, 3.3, 3.3, 3.3, 3.3, 3.3], "000")
NATIONAL_RATE = series("ledighedsprocent", "2026-01", [5.0] * 7, "000")
NATIONAL_LEDIGE = series("ledige", "2025-01", [10000] * 7 + [10500] * 12, "000")  # +5 pct. in 2026-07

CASES = [
    # name, target, observations, status, reason code, periods past the line
    ("ceiling well under", CEILING, series("ledighedsprocent", "2026-05", [5.0, 5.1, 5.2]), OK, "on_track", 0),
    ("ceiling close to the limit", CEILING, series("ledighedsprocent", "2026-05", [5.0, 6.5, 6.8]), AT_RISK, "near_limit", 0),
    ("ceiling exactly at the limit", CEILING, series("ledighedsprocent", "2026-05", [5.0, 6.5, 7.0]), AT_RISK, "near_limit", 0),
    ("ceiling crossed once: pending", CEILING, series("ledighedsprocent", "2026-05", [5.0, 6.5, 7.4]), AT_RISK, "pending", 1),
    ("ceiling crossed twice: breached", CEILING, series("ledighedsprocent", "2026-05", [5.0, 7.2, 7.4]), BREACHED, "behind", 2),
    ("ceiling crossed long ago, now fine", CEILING, series("ledighedsprocent", "2026-04", [7.5, 7.6, 7.7, 6.0]), OK, "on_track", 0),
    ("floor above", FLOOR, series("fleksjob", "2026-06", [640, 650]), OK, "on_track", 0),
    ("floor close", FLOOR, series("fleksjob", "2026-06", [640, 605]), AT_RISK, "near_limit", 0),
    ("floor under", FLOOR, series("fleksjob", "2026-06", [590, 580]), BREACHED, "behind", 2),
    ("målsti down: under the path", PATH_DOWN, series("sygedagpenge", "2026-Q2", [940]), OK, "on_track", 0),
    ("målsti down: a little over", PATH_DOWN, series("sygedagpenge", "2026-Q2", [960]), AT_RISK, "within_tolerance", 0),
    ("målsti down: well over", PATH_DOWN, series("sygedagpenge", "2026-Q1", [1000, 1000]), BREACHED, "behind", 2),
    ("målsti up: over the path", PATH_UP, series("fleksjob", "2026-06", [535, 550]), OK, "on_track", 0),
    ("målsti up: a little under", PATH_UP, series("fleksjob", "2026-06", [535, 535]), AT_RISK, "within_tolerance", 0),
    ("målsti up: well under", PATH_UP, series("fleksjob", "2026-06", [510, 520]), BREACHED, "behind", 2),
    ("benchmark: over the national level", BENCH,
     series("samtalehyppighed", "2026-Q1", [3.4, 3.5]) + NATIONAL_SAMTALER, OK, "on_track", 0),
    ("benchmark: just under", BENCH,
     series("samtalehyppighed", "2026-Q1", [3.4, 3.25]) + NATIONAL_SAMTALER, AT_RISK, "within_tolerance", 0),
    ("benchmark: well under", BENCH,
     series("samtalehyppighed", "2025-Q4", [3.0, 3.1, 3.0]) + NATIONAL_SAMTALER, BREACHED, "behind", 3),
    ("ratio: 2 pct. over the national rate", RATIO,
     series("ledighedsprocent", "2026-06", [5.1]) + NATIONAL_RATE, AT_RISK, "within_tolerance", 0),
    ("ratio: 10 pct. over the national rate", RATIO,
     series("ledighedsprocent", "2026-06", [5.5, 5.5]) + NATIONAL_RATE, BREACHED, "behind", 2),
    ("change: grew less than the nation", CHANGE,
     series("ledige", "2025-07", [1000] + [1010] * 11 + [1040]) + NATIONAL_LEDIGE, OK, "on_track", 0),
    ("change: grew a little more", CHANGE,
     series("ledige", "2025-07", [1000] + [1010] * 11 + [1055]) + NATIONAL_LEDIGE, AT_RISK, "within_tolerance", 0),
    ("change: grew much more", CHANGE,
     series("ledige", "2025-07", [1000] + [1010] * 11 + [1100]) + NATIONAL_LEDIGE, BREACHED, "behind", 1),
    ("no observations at all", CEILING, series("ledige", "2026-05", [5.0]), NO_DATA, "no_observations", 0),
    ("not published (None) is no data", CEILING, series("ledighedsprocent", "2026-05", [None]), NO_DATA,
     "no_observations", 0),
    ("stale: newest month ended eight months ago", CEILING, series("ledighedsprocent", "2025-11", [7.5, 7.6]),
     NO_DATA, "stale", 0),
    ("eksempeldata never goes stale", CEILING,
     series("ledighedsprocent", "2025-11", [7.5, 7.6], source="eksempeldata"), BREACHED, "behind", 2),
    ("benchmark without the other area", BENCH, series("samtalehyppighed", "2026-Q2", [3.0]), NO_DATA,
     "no_comparison", 0),
    ("benchmark falls back to the newest period both have", BENCH,
     series("samtalehyppighed", "2025-Q4", [3.0, 3.1, 3.6]) + NATIONAL_SAMTALER[:5], BREACHED, "behind", 2),
    ("change without last year's figure", CHANGE, series("ledige", "2026-06", [1000, 1100]) + NATIONAL_LEDIGE,
     NO_DATA, "no_observations", 0),
    ("a gap breaks the run", CEILING,
     series("ledighedsprocent", "2026-04", [7.5]) + series("ledighedsprocent", "2026-06", [7.6]), AT_RISK,
     "pending", 1),
    ("a målsti that has not started", {**PATH_DOWN, "start": "2026-Q3"}, series("sygedagpenge", "2026-Q2", [990]),
     NO_DATA, "not_started", 0),
    ("periods after the end are not judged", {**CEILING, "end": "2026-06"},
     series("ledighedsprocent", "2026-05", [7.5, 7.6, 5.0]), BREACHED, "behind", 2),
]


@pytest.mark.parametrize("name, raw, observations, status, code, periods", CASES, ids=[c[0] for c in CASES])
def test_status_and_reason_for_every_kind(name, raw, observations, status, code, periods):
    target = make_target(**raw)
    result = assess(target, SeriesIndex(observations), NOW)
    assert (result.status, result.reason.code, result.reason.periods) == (status, code, periods)


def test_reasons_carry_the_numbers():
    trajectory = assess(make_target(**PATH_DOWN), SeriesIndex(series("sygedagpenge", "2026-Q2", [969])), NOW)
    assert trajectory.expected == pytest.approx(950)
    assert trajectory.reason.deviation == pytest.approx(19)
    assert trajectory.reason.deviation_pct == pytest.approx(2.0)
    bench = assess(make_target(**BENCH), SeriesIndex(series("samtalehyppighed", "2026-Q2", [3.0])
                                                     + NATIONAL_SAMTALER), NOW)
    assert (bench.expected, bench.reason.compare_value) == (3.3, 3.3)
    change = assess(make_target(**CHANGE), SeriesIndex(series("ledige", "2025-07", [1000] + [1010] * 11 + [1100])
                                                       + NATIONAL_LEDIGE), NOW)
    assert change.reason.own_change == pytest.approx(10.0)
    assert change.reason.compare_change == pytest.approx(5.0)
    assert change.expected == pytest.approx(1050)  # what last year's 1000 would be with the nation's +5 pct.
    stale = assess(make_target(**CEILING), SeriesIndex(series("ledighedsprocent", "2025-11", [7.5, 7.6])), NOW)
    assert (stale.reason.newest_period, stale.reason.age_days) == ("2025-12", (NOW.date() - date(2025, 12, 31)).days)


def test_min_count_guard_on_a_rate_reads_the_count_behind_it():
    target = make_target(**CEILING, min_count=20)
    rates = series("ledighedsprocent", "2026-06", [9.0, 9.5])
    few = assess(target, SeriesIndex(rates + series("ledige", "2026-06", [25, 12])), NOW)
    assert (few.status, few.reason.code, few.reason.count, few.reason.min_count) == (NO_DATA, "too_few", 12, 20)
    enough = assess(target, SeriesIndex(rates + series("ledige", "2026-06", [25, 30])), NOW)
    assert enough.status == BREACHED
    missing = assess(target, SeriesIndex(rates), NOW)
    assert (missing.status, missing.reason.code, missing.reason.count) == (NO_DATA, "too_few", None)


def test_min_count_guard_on_a_count_reads_the_value_itself():
    target = make_target(indicator="ledige", kind="ceiling", limit=10, min_count=20)
    result = assess(target, SeriesIndex(series("ledige", "2026-07", [15])), NOW)
    assert (result.status, result.reason.code) == (NO_DATA, "too_few")


def test_a_provisional_newest_period_is_skipped_when_it_does_not_count():
    observations = series("ledighedsprocent", "2026-05", [5.0, 7.5, 7.6], provisional_last=True)
    counted = assess(make_target(**CEILING), SeriesIndex(observations), NOW)
    assert (counted.status, counted.period, counted.reason.provisional) == (BREACHED, "2026-07", True)
    skipped = assess(make_target(**CEILING, count_provisional=False), SeriesIndex(observations), NOW)
    assert (skipped.status, skipped.period) == (AT_RISK, "2026-06")


def test_forecast_is_made_for_limits_and_trajectories_with_an_end():
    values = [6.0 + 0.05 * i for i in range(30)]
    with_end = assess(make_target(**CEILING, end="2026-12"), SeriesIndex(series("ledighedsprocent", "2024-01", values)), NOW)
    assert with_end.forecast is not None and with_end.forecast.period == "2026-12"
    without_end = assess(make_target(**CEILING), SeriesIndex(series("ledighedsprocent", "2024-01", values)), NOW)
    assert without_end.forecast is None
    path = assess(make_target(**PATH_DOWN), SeriesIndex(series("sygedagpenge", "2024-Q3", [1000] * 8)), NOW)
    # The målsti ends with its last point, 2026-Q4: two quarters ahead of the newest data.
    assert (path.forecast.period, path.forecast.goal, path.forecast.outcome) == ("2026-Q4", 900, "missed")
    ended = make_target(**{**PATH_DOWN, "points": {"2025-Q2": 1000, "2026-Q2": 900}})
    assert assess(ended, SeriesIndex(series("sygedagpenge", "2024-Q3", [1000] * 8)), NOW).forecast is None


# --- the lifecycle: what is told, and when -----------------------------------------------------

def run(target, steps):
    """Evaluate `steps` of (observations, now) in turn; returns the notice kinds of each step."""
    states, kinds = {}, []
    for observations, now in steps:
        result = evaluate([target], observations, states, now)
        states = result.states
        kinds.append([n.kind for n in result.notices])
    return kinds, states


def days(n: int) -> datetime:
    return NOW + timedelta(days=n)


OK_DATA = series("ledighedsprocent", "2026-06", [5.0, 5.0])
WARN_DATA = series("ledighedsprocent", "2026-06", [5.0, 6.9])
PENDING_DATA = series("ledighedsprocent", "2026-06", [5.0, 7.5])
BREACH_DATA = series("ledighedsprocent", "2026-06", [7.5, 7.5])
HIGHER_DATA = series("ledighedsprocent", "2026-06", [7.5, 7.9])

LIFECYCLES = [
    ("on track at first sight: silent", CEILING, [OK_DATA], [[]]),
    ("warning, breach, resolution", CEILING, [WARN_DATA, BREACH_DATA, OK_DATA],
     [["at_risk"], ["breached"], ["resolved"]]),
    ("hold periods: one period over is an early warning, two a breach", CEILING, [PENDING_DATA, BREACH_DATA],
     [["at_risk"], ["breached"]]),
    ("breach then back within the band: improved", CEILING, [BREACH_DATA, WARN_DATA], [["breached"], ["improved"]]),
    ("no resolution messages when the committee does not want them", {**CEILING, "notify_resolved": False},
     [BREACH_DATA, OK_DATA, HIGHER_DATA], [["breached"], [], ["breached"]]),
    ("a flicker back to exactly what was said is not said again", {**CEILING, "notify_resolved": False},
     [BREACH_DATA, OK_DATA, BREACH_DATA], [["breached"], [], []]),
    ("missing data is said once, and a return to a breach is said again", CEILING,
     [BREACH_DATA, [], [], BREACH_DATA], [["breached"], ["no_data"], [], ["breached"]]),
    ("no data then on track: silent", CEILING, [[], OK_DATA], [["no_data"], []]),
    ("an early warning that passes is resolved", CEILING, [WARN_DATA, OK_DATA], [["at_risk"], ["resolved"]]),
    ("straight from on track to breached", {**CEILING, "hold_periods": 1}, [OK_DATA, PENDING_DATA],
     [[], ["breached"]]),
    ("from on track to no data", CEILING, [OK_DATA, []], [[], ["no_data"]]),
    ("a breach resolved, then breached again with new numbers", CEILING, [BREACH_DATA, OK_DATA, HIGHER_DATA],
     [["breached"], ["resolved"], ["breached"]]),
    ("the same data again: silent", CEILING, [BREACH_DATA, BREACH_DATA, BREACH_DATA], [["breached"], [], []]),
]


@pytest.mark.parametrize("name, raw, data, expected", LIFECYCLES, ids=[c[0] for c in LIFECYCLES])
def test_notices_only_on_transitions(name, raw, data, expected):
    kinds, _ = run(make_target(**raw), [(d, days(i)) for i, d in enumerate(data)])
    assert kinds == expected


def test_a_breach_is_repeated_after_repeat_after_days_and_not_before():
    target = make_target(**CEILING, repeat_after_days=30)
    kinds, states = run(target, [(BREACH_DATA, days(0)), (BREACH_DATA, days(29)), (BREACH_DATA, days(30)),
                                 (BREACH_DATA, days(31)), (BREACH_DATA, days(60))])
    assert kinds == [["breached"], [], ["reminder"], [], ["reminder"]]
    assert states["t"].since == days(0) and states["t"].notified_at == days(60)


def test_transitions_are_reported_with_old_and_new_status():
    target = make_target(**CEILING)
    first = evaluate([target], WARN_DATA, {}, days(0))
    second = evaluate([target], BREACH_DATA, first.states, days(1))
    third = evaluate([target], BREACH_DATA, second.states, days(2))
    assert [(t.old, t.new) for t in first.transitions] == [(None, AT_RISK)]
    assert [(t.old, t.new, t.period) for t in second.transitions] == [(AT_RISK, BREACHED, "2026-07")]
    assert third.transitions == ()


def test_a_snooze_holds_messages_back_until_its_date_and_then_delivers_the_news():
    target = make_target(**CEILING)
    first = evaluate([target], OK_DATA, {}, days(0))
    snoozed = {"t": replace(first.states["t"], snoozed_until=days(10).date())}
    during = evaluate([target], BREACH_DATA, snoozed, days(3))
    assert during.notices == () and during.states["t"].status == BREACHED
    still = evaluate([target], BREACH_DATA, during.states, days(9))
    assert still.notices == ()
    after = evaluate([target], BREACH_DATA, still.states, days(10))
    assert [n.kind for n in after.notices] == ["breached"]
    assert after.states["t"].snoozed_until is None


def test_an_acknowledgement_silences_reminders_until_the_status_changes():
    target = make_target(**CEILING, repeat_after_days=7)
    first = evaluate([target], BREACH_DATA, {}, days(0))
    ack = Acknowledgement("Handleplan vedtaget", days(1), BREACHED)
    acked = {"t": replace(first.states["t"], ack=ack)}
    later = evaluate([target], BREACH_DATA, acked, days(20))
    assert later.notices == () and later.states["t"].ack == ack
    better = evaluate([target], OK_DATA, later.states, days(21))
    assert [n.kind for n in better.notices] == ["resolved"] and better.states["t"].ack is None


def test_an_acknowledgement_before_the_first_message_means_it_is_not_sent():
    target = make_target(**CEILING)
    seen = evaluate([target], BREACH_DATA, {}, days(0)).states["t"]
    acked = replace(seen, announced=None, notified_at=None, ack=Acknowledgement("Kendt", days(0), BREACHED))
    assert evaluate([target], BREACH_DATA, {"t": acked}, days(1)).notices == ()


def test_a_revision_of_a_past_period_completes_a_breach():
    target = make_target(**CEILING)  # hold_periods = 2
    before = evaluate([target], series("ledighedsprocent", "2026-06", [6.0, 7.5]), {}, days(0))
    assert before.states["t"].status == AT_RISK and before.states["t"].reason.code == "pending"
    # Jobindsats revises June up over the limit: two months in a row now.
    revised = evaluate([target], series("ledighedsprocent", "2026-06", [7.2, 7.5]), before.states, days(1))
    assert revised.states["t"].status == BREACHED
    assert [n.kind for n in revised.notices] == ["breached"]


def test_a_revision_of_a_past_period_can_undo_a_breach():
    target = make_target(**CEILING)
    before = evaluate([target], series("ledighedsprocent", "2026-06", [7.2, 7.5]), {}, days(0))
    revised = evaluate([target], series("ledighedsprocent", "2026-06", [6.0, 7.5]), before.states, days(1))
    assert (revised.states["t"].status, revised.states["t"].reason.code) == (AT_RISK, "pending")
    assert [n.kind for n in revised.notices] == ["improved"]


def test_a_revision_of_the_newest_period_is_noted_in_the_reason():
    target = make_target(**CEILING)
    before = evaluate([target], series("ledighedsprocent", "2026-06", [7.2, 7.5]), {}, days(0))
    revised = evaluate([target], series("ledighedsprocent", "2026-06", [7.2, 7.8]), before.states, days(1))
    assert revised.states["t"].reason.revised_from == 7.5
    assert revised.notices == ()  # still breached: a revision alone is no news


def test_notice_keys_are_unique_per_episode():
    target = make_target(**CEILING)
    kinds_keys = []
    states = {}
    for i, data in enumerate([BREACH_DATA, OK_DATA, BREACH_DATA]):
        result = evaluate([target], data, states, days(i))
        states = result.states
        kinds_keys += [n.key for n in result.notices]
    assert len(kinds_keys) == len(set(kinds_keys)) == 3
