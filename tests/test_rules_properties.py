"""Properties of the lifecycle that must hold for any data: the same inputs never notify twice."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.periods import parse
from indicators.types import Observation
from rules.engine import evaluate
from rules.targets import IndicatorInfo, parse_targets

FACTS = {"ungeledighed": IndicatorInfo("lower", "month", "pct"), "fleksjob": IndicatorInfo("higher", "month", "count")}
AREAS = {"000": "Hele landet", "151": "Ballerup"}
START = datetime(2026, 8, 1, tzinfo=UTC)
MONTHS = [str(parse("2026-01").shift(i)) for i in range(7)]

targets = st.fixed_dictionaries({
    "hold_periods": st.integers(1, 3),
    "tolerance": st.sampled_from([0.0, 0.3, 1.0]),
    "repeat_after_days": st.integers(0, 30),
    "notify_resolved": st.booleans(),
}).flatmap(lambda common: st.sampled_from([
    {"indicator": "ungeledighed", "kind": "ceiling", "limit": 7.0, **common},
    {"indicator": "ungeledighed", "kind": "benchmark", "compare_area": "000", **common},
    {"indicator": "fleksjob", "kind": "trajectory", "points": {"2026-01": 6.0, "2026-12": 7.0}, **common},
]))
values = st.lists(st.one_of(st.none(), st.floats(5.0, 9.0).map(lambda v: round(v, 1))), min_size=0, max_size=7)
steps = st.lists(st.tuples(values, st.integers(0, 40), st.sampled_from(["jobindsats:y", "eksempeldata"])),
                 min_size=1, max_size=8)


def observations(own: list[float | None], source: str) -> list[Observation]:
    rows = [Observation("ungeledighed", "000", m, 6.5, source=source) for m in MONTHS]
    for indicator in ("ungeledighed", "fleksjob"):
        rows += [Observation(indicator, "151", MONTHS[i], v, source=source) for i, v in enumerate(own)]
    return rows


@settings(max_examples=150, deadline=None)
@given(raw=targets, steps=steps)
def test_the_same_inputs_never_yield_two_identical_notifications_in_a_row(raw, steps):
    target = parse_targets([{"id": "t", "area": "151", **raw}], FACTS, AREAS)[0]
    states: dict = {}
    now = START
    last: tuple | None = None
    last_at: datetime | None = None
    for own, gap, source in steps:
        now += timedelta(days=gap)
        data = observations(own, source)
        result = evaluate([target], data, states, now)
        # Running again on the very same inputs says nothing new.
        again = evaluate([target], data, result.states, now)
        assert again.notices == (), again.notices
        assert again.states["t"].status == result.states["t"].status
        for notice in result.notices:
            s = notice.state
            current = (notice.kind, s.status, s.period, s.actual, s.expected)
            if current == last:
                # Only a reminder may say the same thing again, and only when it is due.
                assert notice.kind == "reminder" and target.repeat_after_days
                assert now - last_at >= timedelta(days=target.repeat_after_days)
            last, last_at = current, now
        states = result.states


@settings(max_examples=60, deadline=None)
@given(raw=targets, own=values)
def test_every_notice_key_is_new(raw, own):
    target = parse_targets([{"id": "t", "area": "151", **raw}], FACTS, AREAS)[0]
    states: dict = {}
    keys: list[str] = []
    for day, data in enumerate([own, own[:-1], own, [], own]):
        result = evaluate([target], observations(data, "eksempeldata"), states, START + timedelta(days=day))
        keys += [n.key for n in result.notices]
        states = result.states
    assert len(keys) == len(set(keys))
