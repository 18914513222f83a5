"""The rules engine: targets, observations, previous states and `now` in; states, transitions, notices out.

Pure: it never reads the clock, the database or the network; the bot passes `now` and persists
what comes back. Modelled on Prometheus' pending → firing (`hold_periods` is its `for:`, counted in
data periods) and Alertmanager's reasons to notify: a message is due on a change of status, a
resolution or a reminder (`repeat_after_days`), never merely because an evaluation ran.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from indicators.periods import Period, parse
from indicators.types import Observation
from rules.forecast import Forecast, forecast
from rules.targets import LOWER, Benchmark, Ceiling, Change, Floor, Target, Trajectory

OK, AT_RISK, BREACHED, NO_DATA = "ok", "at_risk", "breached", "no_data"
STATUSES = (OK, AT_RISK, BREACHED, NO_DATA)

# Reason codes (the words are the templates' business).
ON_TRACK = "on_track"  # ok
NEAR_LIMIT = "near_limit"  # at_risk: within `tolerance` of a ceiling or floor, still on the safe side
WITHIN_TOLERANCE = "within_tolerance"  # at_risk: behind a målsti or benchmark, but within tolerance
PENDING = "pending"  # at_risk: past the line for fewer than `hold_periods` periods
BEHIND = "behind"  # breached
NO_OBSERVATIONS, NOT_STARTED, STALE, TOO_FEW, NO_COMPARISON = (
    "no_observations", "not_started", "stale", "too_few", "no_comparison")

# Notice kinds, and the Alertmanager-style words logged with them.
NOTICE_WHY = {
    BREACHED: "first notification", AT_RISK: "early warning", NO_DATA: "no data",
    "improved": "some alerts resolved", "resolved": "resolved", "reminder": "repeat interval elapsed",
}
NOTICE_KINDS = frozenset(NOTICE_WHY)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a target has its status, as numbers; templates turn it into Danish."""

    code: str
    periods: int = 0  # consecutive periods past the line, newest first
    hold_periods: int = 1
    tolerance: float = 0.0
    deviation: float | None = None  # actual - expected, in the indicator's unit
    deviation_pct: float | None = None  # the same in pct. of expected
    compare_value: float | None = None  # the other area's value (benchmark, change)
    own_change: float | None = None  # pct. since the same period last year (change)
    compare_change: float | None = None
    last_year: float | None = None  # own value a year earlier (change)
    newest_period: str | None = None  # no_data: the newest period there is
    age_days: int | None = None  # stale: days since the newest period ended
    stale_after_days: int | None = None
    count: float | None = None  # too_few: the count, and the guard
    min_count: float | None = None
    revised_from: float | None = None  # the value this period had at the previous evaluation
    provisional: bool = False

    def as_dict(self) -> dict:
        """The set fields, floats rounded to 6 decimals (0.7, not 0.7000000000000002)."""
        out: dict = {"code": self.code}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name != "code" and value is not None and value is not False:
                out[name] = round(value, 6) if isinstance(value, float) else value
        return out


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """A person saw the problem and wrote what is being done; silences repeats of this status."""

    note: str
    at: datetime
    status: str


@dataclass(frozen=True, slots=True)
class TargetState:
    """Where one target stands after an evaluation, plus what recipients have been told."""

    target: str
    status: str
    since: datetime  # when this status began
    evaluated_at: datetime
    period: str | None = None
    actual: float | None = None
    expected: float | None = None
    reason: Reason = field(default_factory=lambda: Reason(NO_OBSERVATIONS))
    forecast: Forecast | None = None
    sample_data: bool = False
    source: str = ""  # where the judged value came from ("jobindsats:y25i01", "eksempeldata")
    fetched_at: str = ""
    announced: str | None = None  # the status recipients were last told of (or need no word about)
    notified_at: datetime | None = None
    last_notice: str | None = None  # what the last notice said, so the same news is never sent twice running
    snoozed_until: date | None = None
    ack: Acknowledgement | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    target: str
    old: str | None
    new: str
    at: datetime
    period: str | None


@dataclass(frozen=True, slots=True)
class Notice:
    """A message that is due: `kind` is breached, at_risk, no_data, improved, resolved or reminder."""

    target: str
    kind: str
    why: str
    previous: str | None  # the status recipients knew before
    state: TargetState
    key: str  # stable dedup key: one notice, one key


class Evaluation(NamedTuple):
    states: dict[str, TargetState]
    transitions: tuple[Transition, ...]
    notices: tuple[Notice, ...]


def evaluate(targets: Sequence[Target], observations: Iterable[Observation],
             previous_states: Mapping[str, TargetState], now: datetime) -> Evaluation:
    """Judge every target on `observations` at `now`, carrying snoozes, acks and what was told."""
    index = SeriesIndex(observations)
    states: dict[str, TargetState] = {}
    transitions: list[Transition] = []
    notices: list[Notice] = []
    for target in targets:
        previous = previous_states.get(target.id)
        assessed = assess(target, index, now, previous)
        state, transition, notice = advance(target, previous, assessed, now)
        states[target.id] = state
        if transition:
            transitions.append(transition)
        if notice:
            notices.append(notice)
    return Evaluation(states, tuple(transitions), tuple(notices))


# --- observations by series -------------------------------------------------------------------

class SeriesIndex:
    """Observations grouped by (indicator, area, breakdown) and period kind, ordered by period.

    Built once per evaluation; the usable part of each series is kept, since many targets (every
    kommune against hele landet) read the same one.
    """

    def __init__(self, observations: Iterable[Observation]):
        periods: dict[str, tuple[Period, str]] = {}
        grouped: dict[tuple[str, str, str, str], list[tuple[Period, Observation]]] = defaultdict(list)
        for obs in observations:
            known = periods.get(obs.period)
            if known is None:
                period = parse(obs.period)
                known = periods[obs.period] = (period, period.kind)
            grouped[(obs.indicator, obs.area, obs.breakdown, known[1])].append((known[0], obs))
        for series in grouped.values():
            series.sort(key=lambda item: item[0])
        self._series = dict(grouped)
        self._usable: dict[tuple, tuple[list[tuple[Period, Observation]], dict[Period, Observation]]] = {}

    def series(self, indicator: str, area: str, breakdown: str, kind: str) -> list[tuple[Period, Observation]]:
        return self._series.get((indicator, area, breakdown, kind), [])

    def usable(self, indicator: str, area: str, breakdown: str, kind: str,
               provisional: bool) -> tuple[list[tuple[Period, Observation]], dict[Period, Observation]]:
        """Published values only (and no provisional ones unless they count), as a list and by period."""
        key = (indicator, area, breakdown, kind, provisional)
        found = self._usable.get(key)
        if found is None:
            rows = [(p, o) for p, o in self.series(indicator, area, breakdown, kind)
                    if o.value is not None and (provisional or not o.provisional)]
            found = self._usable[key] = (rows, dict(rows))
        return found


# --- judging one target -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Assessment:
    status: str
    reason: Reason
    period: str | None = None
    actual: float | None = None
    expected: float | None = None
    forecast: Forecast | None = None
    sample_data: bool = False
    source: str = ""
    fetched_at: str = ""


@dataclass(frozen=True, slots=True)
class _Judgement:
    actual: float
    expected: float
    behind: float  # how far on the wrong side, in the comparison's unit; > 0 is behind
    beyond: bool  # past the line that counts towards a breach
    warning: bool  # inside the at_risk band
    sample: bool
    extra: dict | None = None  # the other area's numbers (benchmark, change)


@dataclass(frozen=True, slots=True)
class _Missing:
    code: str
    fallback: bool  # an older period may be judged instead (the other area publishes later)
    reason: Reason


class _Series:
    """One target's usable data: own, the other area's and the count behind a rate, by period."""

    def __init__(self, target: Target, index: SeriesIndex):
        def usable(indicator: str, area: str):
            return index.usable(indicator, area, target.breakdown, target.frequency, target.count_provisional)

        self.own, self.own_at = usable(target.indicator, target.area)
        compare = target.compare_area
        self.other_at = usable(target.indicator, compare)[1] if compare else {}
        self.count_at: dict[Period, Observation] = {}
        if target.min_count is not None and target.count_indicator != target.indicator:
            self.count_at = usable(target.count_indicator or "", target.area)[1]


def assess(target: Target, index: SeriesIndex, now: datetime,
           previous: TargetState | None = None) -> Assessment:
    """The status of one target on the data alone (no lifecycle): newest judgeable period first."""
    data = _Series(target, index)
    # data.own is ordered by period, so the target's start..end window is a slice.
    first = bisect_left(data.own, (target.start,)) if target.start is not None else 0
    last = bisect_left(data.own, (target.end.shift(1),)) if target.end is not None else len(data.own)
    window = data.own[first:last]
    if not window:
        if data.own and target.start is not None and data.own[-1][0] < target.start:
            return Assessment(NO_DATA, Reason(NOT_STARTED, newest_period=str(data.own[-1][0])))
        newest = str(data.own[-1][0]) if data.own else None
        return Assessment(NO_DATA, Reason(NO_OBSERVATIONS, newest_period=newest))

    judged: tuple[int, _Judgement] | None = None
    first_missing: _Missing | None = None
    for i in range(len(window) - 1, -1, -1):
        result = _judge(target, window[i][0], window[i][1], data)
        if isinstance(result, _Judgement):
            judged = (i, result)
            break
        first_missing = first_missing or result
        if not result.fallback:
            break
    if judged is None:
        assert first_missing is not None
        newest = window[-1][1]
        return Assessment(NO_DATA, replace(first_missing.reason, code=first_missing.code),
                          period=str(window[-1][0]), sample_data=newest.is_sample, source=newest.source,
                          fetched_at=newest.fetched_at)

    i, j = judged
    period, obs = window[i]
    if not obs.is_sample and period != target.end:
        # Eksempeldata is a fixed snapshot, never fetched, so it cannot go stale; every message
        # that shows it says it is eksempeldata.
        age = (now.date() - _last_day(period)).days
        if age > target.stale_after_days:
            return Assessment(NO_DATA, Reason(STALE, newest_period=str(period), age_days=age,
                                              stale_after_days=target.stale_after_days),
                              period=str(period), actual=j.actual, expected=j.expected,
                              source=obs.source, fetched_at=obs.fetched_at)

    run = 0
    if j.beyond:
        run, later = 1, period
        for k in range(i - 1, -1, -1):
            earlier, earlier_obs = window[k]
            if earlier.shift(1) != later:
                break
            older = _judge(target, earlier, earlier_obs, data)
            if not isinstance(older, _Judgement) or not older.beyond:
                break
            run, later = run + 1, earlier
    if j.beyond and run >= target.hold_periods:
        status, code = BREACHED, BEHIND
    elif j.beyond:
        status, code = AT_RISK, PENDING
    elif j.warning:
        status, code = AT_RISK, NEAR_LIMIT if isinstance(target.rule, (Ceiling, Floor)) else WITHIN_TOLERANCE
    else:
        status, code = OK, ON_TRACK
    revised = None
    if previous is not None and previous.period == str(period) and previous.actual is not None \
            and not math.isclose(previous.actual, j.actual, rel_tol=1e-9, abs_tol=1e-9):
        revised = previous.actual
    reason = _reason(target, j, code=code, periods=run, revised_from=revised, provisional=obs.provisional)
    return Assessment(status, reason, str(period), j.actual, j.expected,
                      _forecast(target, data, period), j.sample, obs.source, obs.fetched_at)


def _judge(target: Target, period: Period, obs: Observation, data: _Series) -> _Judgement | _Missing:
    """Compare one period with the target. Hot path (every period of a run): no Reason built here."""
    actual = float(obs.value)  # usable() dropped the None values
    sign = 1.0 if target.better == LOWER else -1.0
    if target.min_count is not None:
        count_obs = obs if target.count_indicator == target.indicator else data.count_at.get(period)
        count = count_obs.value if count_obs is not None else None
        if count is None or count < target.min_count:
            return _Missing(TOO_FEW, False, _base(target, period, count=count, min_count=target.min_count))
    rule = target.rule
    sample = obs.is_sample
    if isinstance(rule, (Ceiling, Floor)):
        expected = rule.limit
        behind = sign * (actual - expected)
        beyond = behind > 0
        # The band lies on the safe side of the limit: a warning before the line is crossed.
        return _Judgement(actual, expected, behind, beyond, not beyond and behind > -target.tolerance, sample)
    extra: dict | None = None
    if isinstance(rule, Trajectory):
        goal = rule.expected_at(period)
        if goal is None:
            return _Missing(NOT_STARTED, False, _base(target, period))
        expected = goal
        behind = sign * (actual - expected) / abs(expected) * 100 if expected else sign * (actual - expected)
    elif isinstance(rule, Benchmark):
        other = data.other_at.get(period)
        if other is None or (rule.mode == "ratio" and not other.value):
            return _Missing(NO_COMPARISON, True, _base(target, period))
        compare_value = float(other.value)
        sample = sample or other.is_sample
        extra = {"compare_value": compare_value}
        if rule.mode == "difference":
            expected = compare_value + rule.threshold
            behind = sign * (actual - expected)
        else:
            expected = compare_value * rule.threshold
            behind = sign * (actual / compare_value - rule.threshold)
    else:
        assert isinstance(rule, Change)
        before = period.same_period_last_year()
        own_before, other_now, other_before = data.own_at.get(before), data.other_at.get(period), data.other_at.get(before)
        if own_before is None or not own_before.value:
            return _Missing(NO_OBSERVATIONS, True, _base(target, period))
        if other_now is None or other_before is None or not other_before.value:
            return _Missing(NO_COMPARISON, True, _base(target, period))
        last_year, compare_value = float(own_before.value), float(other_now.value)
        own_change = (actual / last_year - 1) * 100
        compare_change = (compare_value / other_before.value - 1) * 100
        sample = sample or other_now.is_sample
        required = compare_change + rule.threshold
        expected = last_year * (1 + required / 100)
        behind = sign * (own_change - required)
        extra = {"compare_value": compare_value, "own_change": own_change, "compare_change": compare_change,
                 "last_year": last_year}
    # For a målsti, benchmark or change the band lies behind the line: a little behind is at_risk.
    beyond = behind > target.tolerance
    return _Judgement(actual, expected, behind, beyond, not beyond and behind > 0, sample, extra)


def _base(target: Target, period: Period, **numbers) -> Reason:
    return Reason("", hold_periods=target.hold_periods, tolerance=target.tolerance, newest_period=str(period),
                  **numbers)


def _reason(target: Target, j: _Judgement, **fields) -> Reason:
    pct = (j.actual - j.expected) / abs(j.expected) * 100 if j.expected else None
    return Reason(hold_periods=target.hold_periods, tolerance=target.tolerance, deviation=j.actual - j.expected,
                  deviation_pct=pct, **(j.extra or {}), **fields)


def _forecast(target: Target, data: _Series, period: Period) -> Forecast | None:
    if target.end is None or period >= target.end or not isinstance(target.rule, (Ceiling, Floor, Trajectory)):
        return None
    series = [(p, float(o.value)) for p, o in data.own if p <= period]
    return forecast(series, target.end, target.goal_at(target.end), target.better)


def _last_day(period: Period) -> date:
    index = period.year * 12 + period.start_month - 1 + period.length
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


# --- the lifecycle: what to tell whom, and when ---------------------------------------------

def advance(target: Target, previous: TargetState | None, assessed: Assessment,
            now: datetime) -> tuple[TargetState, Transition | None, Notice | None]:
    """The new state, the transition (if the status changed) and the notice that is due, if any.

    Recipients are told when the status differs from the one they were last told of
    (`announced`), so a notice held back by a snooze goes out when the snooze ends, and the same
    inputs never give the same notice twice. A breach is repeated after `repeat_after_days`.
    """
    status = assessed.status
    changed = previous is None or previous.status != status
    since = now if changed else previous.since
    announced = previous.announced if previous else None
    notified_at = previous.notified_at if previous else None
    snoozed_until = previous.snoozed_until if previous else None
    if snoozed_until is not None and now.date() >= snoozed_until:
        snoozed_until = None
    ack = previous.ack if previous and previous.ack and previous.ack.status == status else None

    kind = _notice_kind(target, status, announced, notified_at, now)
    said = _said(assessed)
    last_notice = previous.last_notice if previous else None
    if kind not in (None, "reminder") and said == last_notice:
        # The last message said exactly this (the status flickered in between): treat it as told,
        # which leaves only a reminder, if one is due.
        announced = status
        kind = _notice_kind(target, status, announced, notified_at, now)
    notice_due = False
    if kind is None:
        announced = status  # nothing to say: on track at first sight, data back on track, or no news
    elif kind in ("resolved", "improved") and not target.notify_resolved:
        announced = status  # the committee asked not to hear about improvements
    elif ack is not None:
        announced = status  # acknowledged: someone is on it, so no repeats of this status
    elif snoozed_until is not None:
        pass  # held back; still differs from `announced` when the snooze ends
    else:
        notice_due = True
        announced, notified_at, last_notice = status, now, said

    state = TargetState(
        target=target.id, status=status, since=since, evaluated_at=now, period=assessed.period,
        actual=assessed.actual, expected=assessed.expected, reason=assessed.reason,
        forecast=assessed.forecast, sample_data=assessed.sample_data, source=assessed.source,
        fetched_at=assessed.fetched_at, announced=announced,
        notified_at=notified_at, last_notice=last_notice, snoozed_until=snoozed_until, ack=ack,
    )
    transition = Transition(target.id, previous.status if previous else None, status, now,
                            assessed.period) if changed else None
    notice = None
    if notice_due and kind is not None:
        stamp = now if kind == "reminder" else since
        notice = Notice(target.id, kind, NOTICE_WHY[kind], previous.announced if previous else None, state,
                        f"{target.id}:{kind}:{stamp.isoformat(timespec='seconds')}")
    return state, transition, notice


def _said(assessed: Assessment) -> str:
    return f"{assessed.status}|{assessed.period}|{assessed.actual!r}|{assessed.expected!r}"


def _notice_kind(target: Target, status: str, announced: str | None, notified_at: datetime | None,
                 now: datetime) -> str | None:
    if status == announced:
        if (status == BREACHED and target.repeat_after_days and notified_at is not None
                and now - notified_at >= timedelta(days=target.repeat_after_days)):
            return "reminder"
        return None
    if status == BREACHED:
        return BREACHED
    if status == AT_RISK:
        return "improved" if announced == BREACHED else AT_RISK
    if status == NO_DATA:
        return NO_DATA
    return "resolved" if announced in (BREACHED, AT_RISK) else None
