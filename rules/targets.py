"""Targets (mål) from `faktabot.toml` as plain frozen dataclasses, checked once when loaded.

Pure, no I/O. The caller passes what the catalogue knows (direction, frequency, format) and the
known areas as plain data; `parse_targets` raises one `TargetError` naming the target and the fix.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import ClassVar

from indicators.periods import Period, PeriodError, parse

LOWER, HIGHER, NEUTRAL = "lower", "higher", "neutral"
SEASON = {"month": 12, "quarter": 4, "year": 1}
# How old the newest period may get (days after it ended) before a target has no usable data.
# Jobindsats publishes a month about two months after it ends and revises back; a quarter later.
STALE_AFTER_DAYS = {"month": 120, "quarter": 210, "year": 550}


class TargetError(ValueError):
    """A target in the config is wrong; the message names it and says what to write instead."""

    def __init__(self, message: str, target: str | None = None, position: int | None = None):
        super().__init__(message)
        self.target = target
        self.position = position  # index in the list of [[targets]], to find its line


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """The catalogue's facts about one indicator that the rules need, as plain data."""

    better: str  # "lower", "higher" or "neutral"
    frequency: str  # "month", "quarter" or "year"
    format: str = "count"  # "count", "pct" or "decimal"
    count_indicator: str | None = None  # the count behind a rate, for the min_count guard


@dataclass(frozen=True, slots=True)
class Ceiling:
    """Stay at or under a fixed limit (e.g. ungeledighed under 7 pct.)."""

    kind: ClassVar[str] = "ceiling"
    limit: float


@dataclass(frozen=True, slots=True)
class Floor:
    """Stay at or over a fixed limit."""

    kind: ClassVar[str] = "floor"
    limit: float


@dataclass(frozen=True, slots=True)
class Trajectory:
    """A målsti: måltal at given periods, linearly interpolated between them, flat after the last."""

    kind: ClassVar[str] = "trajectory"
    points: tuple[tuple[Period, float], ...]

    def expected_at(self, period: Period) -> float | None:
        """The måltal at `period`; None before the first point."""
        x = _month_index(period)
        first_x, first_y = _month_index(self.points[0][0]), self.points[0][1]
        if x < first_x:
            return None
        if x == first_x:
            return first_y
        for (p0, y0), (p1, y1) in zip(self.points, self.points[1:]):
            x0, x1 = _month_index(p0), _month_index(p1)
            if x <= x1:
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        return self.points[-1][1]


@dataclass(frozen=True, slots=True)
class Benchmark:
    """At least (or at most) another area's level, as a difference or a ratio."""

    kind: ClassVar[str] = "benchmark"
    compare_area: str
    mode: str  # "difference" (own - other) or "ratio" (own / other)
    threshold: float  # 0.0 for a difference, 1.0 for a ratio: the other area's level itself


@dataclass(frozen=True, slots=True)
class Change:
    """Development since the same period last year, in pct., against another area's development."""

    kind: ClassVar[str] = "change"
    compare_area: str
    threshold: float = 0.0  # pct.-points the own development may differ by (0 = at least as good)


Rule = Ceiling | Floor | Trajectory | Benchmark | Change
RULES: dict[str, type] = {r.kind: r for r in (Ceiling, Floor, Trajectory, Benchmark, Change)}


@dataclass(frozen=True, slots=True)
class Target:
    """One committee target. `better` is the direction judged: from the kind or the catalogue.

    `tolerance` is the at_risk band. For a ceiling or floor it lies on the safe side of the limit,
    in the indicator's unit (a warning before the line is crossed); for a målsti it is pct. of the
    måltal one may be behind; for a benchmark or change, how far behind in the threshold's unit.
    """

    id: str
    name: str
    indicator: str
    area: str
    rule: Rule
    better: str
    frequency: str
    breakdown: str = ""
    tolerance: float = 0.0
    hold_periods: int = 1
    count_provisional: bool = True
    min_count: float | None = None
    count_indicator: str | None = None
    stale_after_days: int = 120
    repeat_after_days: int | None = None
    notify_resolved: bool = True
    recipients: tuple[str, ...] = ()
    start: Period | None = None
    end: Period | None = None

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def compare_area(self) -> str | None:
        return getattr(self.rule, "compare_area", None)

    def goal_at(self, period: Period) -> float | None:
        """The fixed limit or the målsti at `period` (None for relative kinds or before the målsti)."""
        if isinstance(self.rule, (Ceiling, Floor)):
            return self.rule.limit
        if isinstance(self.rule, Trajectory):
            return self.rule.expected_at(period)
        return None


def target_path(target: Target, first: Period, last: Period) -> list[tuple[Period, float]]:
    """The goal per period of the target's frequency from `first` to `last`, for charts.

    Periods before a målsti starts are left out; relative kinds have no path of their own.
    """
    path: list[tuple[Period, float]] = []
    period = _as_frequency(first, target.frequency, at_end=False)
    last = _as_frequency(last, target.frequency, at_end=True)
    while period <= last:
        goal = target.goal_at(period)
        if goal is not None:
            path.append((period, goal))
        period = period.shift(1)
    return path


# --- parsing ---------------------------------------------------------------------------------

COMMON_KEYS = {"id", "name", "indicator", "area", "kind", "breakdown", "better", "tolerance",
               "hold_periods", "count_provisional", "min_count", "count_indicator", "stale_after_days",
               "repeat_after_days", "notify_resolved", "recipients", "start", "end"}
KIND_KEYS = {"ceiling": {"limit"}, "floor": {"limit"}, "trajectory": {"points"},
             "benchmark": {"compare_area", "mode", "threshold"}, "change": {"compare_area", "threshold"}}
# What a Danish user may write for a kind; only used to say how to write it.
DANISH_KINDS = {"loft": "ceiling", "maksimum": "ceiling", "gulv": "floor", "minimum": "floor", "målsti": "trajectory",
                "maalsti": "trajectory", "måltal": "trajectory", "landsniveau": "benchmark", "sammenligning": "benchmark",
                "udvikling": "change", "ændring": "change"}
_ID = re.compile(r"^[\w-]+$")
_PERIOD_EXAMPLE = {"month": "2026-12", "quarter": "2026-Q4", "year": "2026"}
_FREQUENCY_WORD = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


def parse_targets(
    raw_tables: Sequence[Mapping[str, object]],
    known_indicators: Mapping[str, IndicatorInfo],
    known_areas: Mapping[str, str] | AbstractSet[str],
    default_area: str | None = None,
    default_compare: str = "000",
) -> tuple[Target, ...]:
    """Check and type every `[[targets]]` table; the first problem raises `TargetError`.

    `known_areas` maps DST codes to names (names resolve to codes; suggestions use both); a plain
    set of codes works too.
    """
    if not isinstance(known_areas, Mapping):
        known_areas = {code: code for code in known_areas}
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(raw_tables):
        target = _parse_one(raw, position, known_indicators, known_areas, default_area, default_compare)
        if target.id in seen:
            raise TargetError(
                f"target '{target.id}' appears twice (targets {seen[target.id] + 1} and {position + 1}); "
                "give each target its own id", target.id, position)
        seen[target.id] = position
        targets.append(target)
    return tuple(targets)


def _parse_one(raw: Mapping[str, object], position: int, indicators: Mapping[str, IndicatorInfo],
               areas: Mapping[str, str], default_area: str | None, default_compare: str) -> Target:
    if not isinstance(raw, Mapping):
        raise TargetError(f"target {position + 1} is not a table; write it as a [[targets]] section",
                          None, position)
    if "id" not in raw:
        raise TargetError(
            f"target {position + 1} has no id; add id = \"...\" (a short name such as \"sygedagpenge\", "
            "used in `faktabot alerts --ack ID`)", None, position)
    target_id = raw["id"]
    if not isinstance(target_id, str) or not _ID.match(target_id):
        raise TargetError(f"target {position + 1}: id {target_id!r} should be one word of letters, digits, "
                          "- or _ (e.g. \"sygedagpenge\")", None, position)

    def fail(message: str) -> TargetError:
        return TargetError(f"target '{target_id}': {message}", target_id, position)

    kind = raw.get("kind")
    if kind is None:
        raise fail(f"missing 'kind'; use one of {_choices(RULES)}")
    if kind not in RULES:
        if str(kind).casefold() in DANISH_KINDS:
            raise fail(f"kind {kind!r} is written kind = \"{DANISH_KINDS[str(kind).casefold()]}\" in the config")
        raise fail(_unknown("kind", kind, RULES, f"use one of {_choices(RULES)}"))
    allowed = COMMON_KEYS | KIND_KEYS[kind]
    for key in raw:
        if key not in allowed:
            other = [k for k, keys in KIND_KEYS.items() if key in keys]
            if other:
                raise fail(f"'{key}' belongs to kind {' or '.join(repr(k) for k in other)}, not {kind!r}; "
                           f"remove it or change the kind")
            raise fail(_unknown("setting", key, allowed, "remove it"))

    indicator = raw.get("indicator")
    if indicator is None:
        raise fail("missing 'indicator'; use an id from indicators/catalogue.toml, e.g. \"sygedagpenge\"")
    if indicator not in indicators:
        raise fail(_unknown("indicator", indicator, indicators, "use an id from indicators/catalogue.toml"))
    info = indicators[str(indicator)]
    frequency = info.frequency

    area = _area(raw.get("area", default_area), "area", areas, fail)
    better = _better(raw, kind, str(indicator), info, fail)
    rule = _rule(raw, kind, frequency, area, areas, default_compare, fail)

    start = _period(raw, "start", frequency, fail, at_end=False)
    end = _period(raw, "end", frequency, fail, at_end=True)
    if isinstance(rule, Trajectory):
        first, last = rule.points[0][0], rule.points[-1][0]
        if start is not None and start < first:
            raise fail(f"start {start} is before the first point of the målsti ({first}); "
                       "remove start or add a point for it")
        start = start or first
        if end is not None and end < first:
            raise fail(f"end {end} is before the first point of the målsti ({first}); "
                       f"set end to {last} or later")
        end = end or last
    if start is not None and end is not None and end < start:
        raise fail(f"end {end} is before start {start}; set end to a period after {start}")

    tolerance = _number(raw, "tolerance", 0.0, fail)
    if tolerance < 0:
        raise fail(f"tolerance is {tolerance:g}; it is the width of the at_risk band and cannot be negative")
    hold = _whole(raw, "hold_periods", 1, fail, minimum=1)
    repeat = _whole(raw, "repeat_after_days", 0, fail, minimum=0)
    stale = _whole(raw, "stale_after_days", STALE_AFTER_DAYS[frequency], fail, minimum=1)
    min_count, count_indicator = _min_count(raw, str(indicator), info, indicators, fail)

    return Target(
        id=target_id,
        name=_text(raw, "name", target_id, fail),
        indicator=str(indicator),
        area=area,
        rule=rule,
        better=better,
        frequency=frequency,
        breakdown=_text(raw, "breakdown", "", fail),
        tolerance=tolerance,
        hold_periods=hold,
        count_provisional=_flag(raw, "count_provisional", True, fail),
        min_count=min_count,
        count_indicator=count_indicator,
        stale_after_days=stale,
        repeat_after_days=repeat or None,
        notify_resolved=_flag(raw, "notify_resolved", True, fail),
        recipients=_recipients(raw, fail),
        start=start,
        end=end,
    )


def _rule(raw, kind: str, frequency: str, area: str, areas, default_compare: str, fail) -> Rule:
    if kind in ("ceiling", "floor"):
        if "limit" not in raw:
            raise fail(f"missing 'limit'; a {kind} needs limit = <number> in the indicator's unit")
        limit = _number(raw, "limit", 0.0, fail)
        return Ceiling(limit) if kind == "ceiling" else Floor(limit)
    if kind == "trajectory":
        return Trajectory(_points(raw, frequency, fail))
    compare = _area(raw.get("compare_area", default_compare), "compare_area", areas, fail)
    if compare == area:
        raise fail(f"compare_area is the target's own area ({area}); compare with another area, "
                   "e.g. compare_area = \"000\" (hele landet)")
    if kind == "benchmark":
        mode = raw.get("mode", "difference")
        if mode not in ("difference", "ratio"):
            raise fail(f"mode is {mode!r}; use \"difference\" (own minus the other area) or \"ratio\" "
                       "(own divided by the other area)")
        threshold = _number(raw, "threshold", 0.0 if mode == "difference" else 1.0, fail)
        if mode == "ratio" and threshold <= 0:
            raise fail(f"threshold is {threshold:g}; a ratio threshold is positive, e.g. 1.0 for the "
                       "other area's level")
        return Benchmark(compare, str(mode), threshold)
    return Change(compare, _number(raw, "threshold", 0.0, fail))


def _points(raw, frequency: str, fail) -> tuple[tuple[Period, float], ...]:
    example = _PERIOD_EXAMPLE[frequency]
    points = raw.get("points")
    if points is None:
        raise fail(f"missing 'points'; a målsti needs måltal per period, e.g. "
                   f"points = {{ \"{example}\" = 1050, ... }}")
    if not isinstance(points, Mapping) or len(points) < 2:
        raise fail(f"points should hold at least two måltal, e.g. points = {{ \"{example}\" = 1050, ... }}")
    parsed: list[tuple[Period, float]] = []
    for text, value in points.items():
        try:
            period = parse(str(text))
        except PeriodError:
            raise fail(f"point {text!r} is not a period; write it like \"{example}\"") from None
        if period.kind != frequency:
            raise fail(f"point {text!r} is a {period.kind}, but the indicator is {_FREQUENCY_WORD[frequency]}; "
                       f"write the points like \"{example}\"")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(f"point {text!r} has måltal {value!r}; write a number")
        if parsed and period <= parsed[-1][0]:
            raise fail(f"points are out of order: {period} comes after {parsed[-1][0]}; "
                       "list them from the earliest period to the latest")
        parsed.append((period, float(value)))
    return tuple(parsed)


def _better(raw, kind: str, indicator: str, info: IndicatorInfo, fail) -> str:
    given = raw.get("better")
    if given is not None and given not in (LOWER, HIGHER):
        raise fail(f"better is {given!r}; use \"lower\" or \"higher\"")
    if kind in ("ceiling", "floor"):
        implied = LOWER if kind == "ceiling" else HIGHER
        if info.better not in (NEUTRAL, implied):
            other = "floor" if kind == "ceiling" else "ceiling"
            direction = "more" if info.better == HIGHER else "less"
            raise fail(f"a {kind} on '{indicator}' works against the catalogue, where {direction} is "
                       f"better; use kind = \"{other}\"")
        if given is not None and given != implied:
            raise fail(f"better = \"{given}\" contradicts kind {kind!r}; remove better")
        return implied
    if info.better == NEUTRAL:
        if given is None:
            raise fail(f"'{indicator}' has no better direction in the catalogue; add better = \"lower\" "
                       "or better = \"higher\"")
        return str(given)
    if given is not None and given != info.better:
        raise fail(f"better = \"{given}\" contradicts the catalogue ({info.better} is better for "
                   f"'{indicator}'); remove better")
    return info.better


def _min_count(raw, indicator: str, info: IndicatorInfo, indicators, fail) -> tuple[float | None, str | None]:
    if "min_count" not in raw:
        if "count_indicator" in raw:
            raise fail("count_indicator is only used with min_count; add min_count or remove it")
        return None, None
    minimum = _number(raw, "min_count", 0.0, fail)
    if minimum <= 0:
        raise fail(f"min_count is {minimum:g}; write the smallest count worth judging, e.g. min_count = 20")
    count_indicator = raw.get("count_indicator", info.count_indicator)
    if count_indicator is None:
        if info.format != "count":
            raise fail(f"min_count needs the count behind the rate '{indicator}'; add count_indicator = "
                       "\"<indicator id>\"")
        return minimum, indicator
    if count_indicator not in indicators:
        raise fail(_unknown("count_indicator", count_indicator, indicators, "use an indicator id that counts persons"))
    return minimum, str(count_indicator)


def _area(value: object, key: str, areas: Mapping[str, str], fail) -> str:
    if value is None:
        raise fail(f"missing '{key}'; use a DST code such as \"151\" (Ballerup) or \"000\" (hele landet)")
    text = str(value).strip()
    if text in areas:
        return text
    by_name = {name.casefold(): code for code, name in areas.items()}
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    names = {name: code for code, name in areas.items()}
    close = difflib.get_close_matches(text, list(names), n=1, cutoff=0.75)
    if close:
        raise fail(f"unknown {key} {text!r}; did you mean \"{names[close[0]]}\" ({close[0]})?")
    raise fail(f"unknown {key} {text!r}; use a DST code such as \"151\" (Ballerup) or a kommune name")


def _period(raw, key: str, frequency: str, fail, at_end: bool) -> Period | None:
    if key not in raw:
        return None
    try:
        period = parse(str(raw[key]))
    except PeriodError:
        raise fail(f"{key} {raw[key]!r} is not a period; write it like \"{_PERIOD_EXAMPLE[frequency]}\"") from None
    return _as_frequency(period, frequency, at_end)


def _as_frequency(period: Period, frequency: str, at_end: bool) -> Period:
    """The month, quarter or year that starts (or ends) `period`: 2026 -> 2026-Q4 at the end."""
    length = {"month": 1, "quarter": 3, "year": 12}[frequency]
    if period.length == length:
        return period
    month_index = period.year * 12 + period.start_month - 1 + (period.length - 1 if at_end else 0)
    month_index -= month_index % length
    return Period(month_index // 12, month_index % 12 + 1, length)


def _number(raw, key: str, default: float, fail) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(f"{key} is {value!r}; write a number without quotes, e.g. {key} = 7.0")
    return float(value)


def _whole(raw, key: str, default: int, fail, minimum: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(f"{key} is {value!r}; write a whole number of at least {minimum}")
    return value


def _flag(raw, key: str, default: bool, fail) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise fail(f"{key} is {value!r}; write true or false")
    return value


def _text(raw, key: str, default: str, fail) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise fail(f"{key} is {value!r}; write it in quotes")
    return value


_SLACK_CHANNEL = re.compile(r"^#[\w.-]{1,80}$|^#?[CG][A-Z0-9]{2,}$")
_SLACK_MEMBER = re.compile(r"^@[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_TEAMS = re.compile(r"^teams:[A-Za-z0-9_-]{1,64}$")


def recipient_problem(recipient: object) -> str | None:
    """Why `recipient` is not a recipient Faktabot can deliver to, or None: a Slack channel
    (`#kanal` or its id), a Slack member id (`@U0123ABC`), an email address, or `teams:<navn>`."""
    if not isinstance(recipient, str):
        return f"recipient {recipient!r} is not text; write it in quotes, e.g. \"#kanal\" or \"navn@kommune.dk\""
    if any(pattern.match(recipient) for pattern in (_SLACK_CHANNEL, _SLACK_MEMBER, _EMAIL, _TEAMS)):
        return None
    return (f"recipient {recipient!r} is neither a Slack channel (\"#kanal\"), a Slack member id (\"@U0123ABC\"), "
            "an email address (\"navn@kommune.dk\") nor a Teams channel (\"teams:ledelse\")")


def _recipients(raw, fail) -> tuple[str, ...]:
    value = raw.get("recipients", [])
    if not isinstance(value, list):
        raise fail(f"recipients is {value!r}; write a list such as [\"#kanal\", \"navn@kommune.dk\"]")
    for recipient in value:
        if problem := recipient_problem(recipient):
            raise fail(problem)
    return tuple(dict.fromkeys(value))


def _unknown(what: str, value: object, choices, otherwise: str) -> str:
    """`unknown indicator 'ledihed'; did you mean 'ledige'?`, or the general fix when nothing is close."""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    fix = f"did you mean '{close[0]}'?" if close else otherwise
    return f"unknown {what} {value!r}; {fix}"


def _choices(choices) -> str:
    return ", ".join(choices)


def _month_index(period: Period) -> int:
    return period.year * 12 + period.start_month - 1
