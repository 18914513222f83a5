"""Targets (mål) from `faktabot.toml` as plain frozen dataclasses, checked once when loaded.

Pure, no I/O. The caller passes what the catalogue knows (direction, frequency, format) and the
known areas as plain data; `parse_targets` raises one `TargetError` naming the target, the mistake (a code) and its values.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import ClassVar

from indicators.periods import LENGTH_OF_KIND, Period, PeriodError, parse

LOWER, HIGHER, NEUTRAL = "lower", "higher", "neutral"
SEASON = {"month": 12, "quarter": 4, "year": 1}
# How old the newest period may get (days after it ended) before a target has no usable data.
# Jobindsats publishes a month about two months after it ends and revises back; a quarter later.
STALE_AFTER_DAYS = {"month": 120, "quarter": 210, "year": 550}


class TargetError(ValueError):
    """A target in the config is wrong. `code` names the mistake and `params` hold the offending
    values; rules/ reads no files, so the bot words it in Danish (messages.toml [errors], `target_<code>`)."""

    def __init__(self, code: str, target: str | None = None, position: int | None = None, /,
                 **params: object):
        super().__init__(f"{code} {params!r}")  # for a traceback; users read the bot's wording
        self.code = code
        self.target = target
        self.position = position  # index in the list of [[targets]], to find its line
        self.params = params


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """The catalogue's facts about one indicator that the rules need, as plain data."""

    better: str  # "lower", "higher" or "neutral"
    frequency: str  # "month", "quarter" or "year"
    format: str = "count"  # "count", "pct" or "decimal"
    count_indicator: str | None = None  # the count behind a rate, for the min_count guard
    # The figure's parts: (breakdown key, its values) per key it is split by; None: not known, not checked.
    parts: tuple[tuple[str, tuple[str, ...]], ...] | None = None


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
    named: dict[tuple[str, str], str] = {}  # (name, area) -> the id that has it
    for position, raw in enumerate(raw_tables):
        target = _parse_one(raw, position, known_indicators, known_areas, default_area, default_compare)
        if target.id in seen:
            raise TargetError("twice", target.id, position, id=target.id, first=seen[target.id] + 1,
                              second=position + 1)
        # Messages, the board and answers tell a target by its name and area: two alike are one too many.
        alike = named.setdefault((target.name, target.area), target.id)
        if alike != target.id:
            raise TargetError("name_twice", target.id, position, name=target.name, other=alike)
        seen[target.id] = position
        targets.append(target)
    return tuple(targets)


def _parse_one(raw: Mapping[str, object], position: int, indicators: Mapping[str, IndicatorInfo],
               areas: Mapping[str, str], default_area: str | None, default_compare: str) -> Target:
    if not isinstance(raw, Mapping):
        raise TargetError("not_table", None, position, number=position + 1)
    if "id" not in raw:
        raise TargetError("no_id", None, position, number=position + 1)
    target_id = raw["id"]
    if not isinstance(target_id, str) or not _ID.match(target_id):
        raise TargetError("bad_id", None, position, number=position + 1, value=target_id)

    def fail(code: str, /, **params: object) -> TargetError:
        return TargetError(code, target_id, position, **params)

    kind = raw.get("kind")
    if kind is None:
        raise fail("no_kind", choices=tuple(RULES))
    if kind not in RULES:
        if str(kind).casefold() in DANISH_KINDS:
            raise fail("danish_kind", value=kind, kind=DANISH_KINDS[str(kind).casefold()])
        raise fail("unknown_kind", value=kind, close=_close(kind, RULES), choices=tuple(RULES))
    allowed = COMMON_KEYS | KIND_KEYS[kind]
    for key in raw:
        if key not in allowed:
            other = [k for k, keys in KIND_KEYS.items() if key in keys]
            if other:
                raise fail("wrong_kind_key", key=key, kinds=tuple(other), kind=kind)
            raise fail("unknown_setting", value=key, close=_close(key, allowed))

    indicator = raw.get("indicator")
    if indicator is None:
        raise fail("no_indicator")
    if indicator not in indicators:
        raise fail("unknown_indicator", value=indicator, close=_close(indicator, indicators))
    info = indicators[str(indicator)]
    frequency = info.frequency

    area = _area(raw.get("area", default_area), "area", areas, fail)
    breakdown = _breakdown(_text(raw, "breakdown", "", fail), str(indicator), info, fail)
    better = _better(raw, kind, str(indicator), info, fail)
    rule = _rule(raw, kind, frequency, area, areas, default_compare, fail)

    start = _period(raw, "start", frequency, fail, at_end=False)
    end = _period(raw, "end", frequency, fail, at_end=True)
    if isinstance(rule, Trajectory):
        first, last = rule.points[0][0], rule.points[-1][0]
        if start is not None and start < first:
            raise fail("start_before_points", start=str(start), first=str(first))
        start = start or first
        if end is not None and end < first:
            raise fail("end_before_points", end=str(end), first=str(first), last=str(last))
        end = end or last
    if start is not None and end is not None and end < start:
        raise fail("end_before_start", end=str(end), start=str(start))

    tolerance = _number(raw, "tolerance", 0.0, fail)
    if tolerance < 0:
        raise fail("negative_tolerance", value=tolerance, positive=-tolerance)
    if isinstance(rule, Benchmark) and rule.mode == "ratio" and tolerance >= 1:
        # 0.05 is 5 pct.-point of the other area's level; 1 or more would allow double its level.
        raise fail("ratio_tolerance", value=tolerance, share=tolerance / 100)
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
        breakdown=breakdown,
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
            raise fail("no_limit", kind=kind)
        limit = _number(raw, "limit", 0.0, fail)
        return Ceiling(limit) if kind == "ceiling" else Floor(limit)
    if kind == "trajectory":
        return Trajectory(_points(raw, frequency, fail))
    compare = _area(raw.get("compare_area", default_compare), "compare_area", areas, fail)
    if compare == area:
        raise fail("same_compare_area", area=area)
    if kind == "benchmark":
        mode = raw.get("mode", "difference")
        if mode not in ("difference", "ratio"):
            raise fail("bad_mode", value=mode)
        threshold = _number(raw, "threshold", 0.0 if mode == "difference" else 1.0, fail)
        if mode == "ratio" and threshold <= 0:
            raise fail("bad_ratio", value=threshold)
        return Benchmark(compare, str(mode), threshold)
    return Change(compare, _number(raw, "threshold", 0.0, fail))


def _points(raw, frequency: str, fail) -> tuple[tuple[Period, float], ...]:
    example = _PERIOD_EXAMPLE[frequency]
    points = raw.get("points")
    if points is None:
        raise fail("no_points", example=example)
    if not isinstance(points, Mapping) or len(points) < 2:
        raise fail("few_points", example=example)
    parsed: list[tuple[Period, float]] = []
    for text, value in points.items():
        try:
            period = parse(str(text))
        except PeriodError:
            raise fail("point_not_period", point=text, example=example) from None
        if period.kind != frequency:
            raise fail("point_wrong_kind", point=text, period_kind=period.kind, frequency=frequency, example=example)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail("point_not_number", point=text, value=value)
        if parsed and period <= parsed[-1][0]:
            raise fail("points_order", period=str(period), previous=str(parsed[-1][0]))
        parsed.append((period, float(value)))
    return tuple(parsed)


def _better(raw, kind: str, indicator: str, info: IndicatorInfo, fail) -> str:
    given = raw.get("better")
    if given is not None and given not in (LOWER, HIGHER):
        raise fail("bad_better", value=given)
    if kind in ("ceiling", "floor"):
        implied = LOWER if kind == "ceiling" else HIGHER
        if info.better not in (NEUTRAL, implied):
            other = "floor" if kind == "ceiling" else "ceiling"
            raise fail("against_catalogue", kind=kind, indicator=indicator, direction=info.better, other=other)
        if given is not None and given != implied:
            raise fail("better_contradicts_kind", value=given, kind=kind)
        return implied
    if info.better == NEUTRAL:
        if given is None:
            raise fail("no_direction", indicator=indicator)
        return str(given)
    if given is not None and given != info.better:
        raise fail("better_contradicts_catalogue", value=given, better=info.better, indicator=indicator)
    return info.better


def _breakdown(text: str, indicator: str, info: IndicatorInfo, fail) -> str:
    """A part of the figure ("ydelse=A-dagpenge"), in the store's order (keys sorted); a key or value
    the figure is not split by is refused, since it would match no series and read as »mangler tal«."""
    if not text.strip():
        return ""
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        key, equals, value = (p.strip() for p in piece.partition("="))
        if not equals or not key or not value:
            raise fail("bad_breakdown", value=text)
        parts[key] = value
    if info.parts is not None:
        known = dict(info.parts)
        for key, value in parts.items():
            if not known:
                raise fail("no_parts", indicator=indicator, key=key)
            if key not in known:
                raise fail("unknown_part_key", indicator=indicator, key=key, choices=tuple(known))
            if value not in known[key]:
                raise fail("unknown_part_value", indicator=indicator, key=key, value=value,
                           close=_close(value, known[key]), choices=known[key])
    return ";".join(f"{key}={parts[key]}" for key in sorted(parts))


def _min_count(raw, indicator: str, info: IndicatorInfo, indicators, fail) -> tuple[float | None, str | None]:
    if "min_count" not in raw:
        if "count_indicator" in raw:
            raise fail("count_without_min")
        return None, None
    minimum = _number(raw, "min_count", 0.0, fail)
    if minimum <= 0:
        raise fail("bad_min_count", value=minimum)
    count_indicator = raw.get("count_indicator", info.count_indicator)
    if count_indicator is None:
        if info.format != "count":
            raise fail("min_count_needs_count", indicator=indicator)
        return minimum, indicator
    if count_indicator not in indicators:
        raise fail("unknown_count_indicator", value=count_indicator, close=_close(count_indicator, indicators))
    return minimum, str(count_indicator)


def _area(value: object, key: str, areas: Mapping[str, str], fail) -> str:
    if value is None:
        raise fail("no_area", key=key)
    text = str(value).strip()
    if text in areas:
        return text
    by_name = {name.casefold(): code for code, name in areas.items()}
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    names = {name: code for code, name in areas.items()}
    close = difflib.get_close_matches(text, list(names), n=1, cutoff=0.75)
    if close:
        raise fail("area_close", key=key, value=text, code=names[close[0]], name=close[0])
    raise fail("unknown_area", key=key, value=text)


def _period(raw, key: str, frequency: str, fail, at_end: bool) -> Period | None:
    if key not in raw:
        return None
    try:
        period = parse(str(raw[key]))
    except PeriodError:
        raise fail("not_period", key=key, value=raw[key], example=_PERIOD_EXAMPLE[frequency]) from None
    return _as_frequency(period, frequency, at_end)


def _as_frequency(period: Period, frequency: str, at_end: bool) -> Period:
    """The month, quarter or year that starts (or ends) `period`: 2026 -> 2026-Q4 at the end."""
    length = LENGTH_OF_KIND[frequency]
    if period.length == length:
        return period
    month_index = period.year * 12 + period.start_month - 1 + (period.length - 1 if at_end else 0)
    month_index -= month_index % length
    return Period(month_index // 12, month_index % 12 + 1, length)


def _number(raw, key: str, default: float, fail) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail("not_number", key=key, value=value)
    return float(value)


def _whole(raw, key: str, default: int, fail, minimum: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail("not_whole", key=key, value=value, minimum=minimum)
    return value


def _flag(raw, key: str, default: bool, fail) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise fail("not_flag", key=key, value=value)
    return value


def _text(raw, key: str, default: str, fail) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise fail("not_text", key=key, value=value)
    return value


_SLACK_CHANNEL = re.compile(r"^#[\w.-]{1,80}$|^#?[CG][A-Z0-9]{2,}$")
_SLACK_MEMBER = re.compile(r"^@[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_TEAMS = re.compile(r"^teams:[A-Za-z0-9_-]{1,64}$")


def recipient_problem(recipient: object) -> str | None:
    """Why `recipient` is not a recipient Faktabot can deliver to, as a TargetError code, or None:
    a Slack channel (`#kanal` or its id), a Slack member id (`@U0123ABC`), an email address, or `teams:<navn>`."""
    if not isinstance(recipient, str):
        return "recipient_not_text"
    if any(pattern.match(recipient) for pattern in (_SLACK_CHANNEL, _SLACK_MEMBER, _EMAIL, _TEAMS)):
        return None
    return "recipient_unknown"


def _recipients(raw, fail) -> tuple[str, ...]:
    value = raw.get("recipients", [])
    if not isinstance(value, list):
        raise fail("recipients_not_list", value=value)
    for recipient in value:
        if problem := recipient_problem(recipient):
            raise fail(problem, recipient=recipient)
    return tuple(dict.fromkeys(value))


def _close(value: object, choices) -> str:
    """The known word `value` was probably meant to be (`ledihed` -> `ledige`), or "" when none is close."""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return close[0] if close else ""


def _month_index(period: Period) -> int:
    return period.year * 12 + period.start_month - 1
