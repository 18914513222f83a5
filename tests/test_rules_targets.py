"""Targets as the config writes them: the shipped ones parse, and every mistake says what to fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, indicator_facts, load_config
from indicators.catalogue import default_areas, default_catalogue
from indicators.periods import parse
from rules.targets import (
    Benchmark,
    Ceiling,
    TargetError,
    Trajectory,
    parse_targets,
    target_path,
)
from tests.conftest import REPO


@pytest.fixture(scope="module")
def facts():
    return indicator_facts(default_catalogue())


@pytest.fixture(scope="module")
def areas():
    return {a.code: a.name for a in default_areas()}


def parse_one(facts, areas, **raw):
    return parse_targets([{"id": "t", **raw}], facts, areas, default_area="151")[0]


def test_the_shipped_targets_parse_with_their_numbers():
    config = load_config(REPO / "faktabot.toml")
    by_id = {t.id: t for t in config.targets}
    assert list(by_id) == ["ungeledighed", "sygedagpenge", "fleksjob", "samtalehyppighed"]
    assert by_id["ungeledighed"].rule == Ceiling(7.0) and by_id["ungeledighed"].end == parse("2026-12")
    assert by_id["ungeledighed"].better == "lower" and by_id["ungeledighed"].hold_periods == 2
    syg = by_id["sygedagpenge"]
    assert isinstance(syg.rule, Trajectory) and syg.frequency == "quarter" and syg.end == parse("2026-Q4")
    assert by_id["fleksjob"].better == "higher"
    assert by_id["samtalehyppighed"].rule == Benchmark("000", "difference", 0.0)
    assert by_id["samtalehyppighed"].recipients[0] == "#beskaeftigelse-ledelse"


def test_a_trajectory_is_linear_between_its_points_and_flat_after():
    rule = Trajectory(((parse("2024-Q1"), 1150.0), (parse("2025-Q1"), 1120.0), (parse("2026-Q4"), 1050.0)))
    assert rule.expected_at(parse("2023-Q4")) is None
    assert rule.expected_at(parse("2024-Q1")) == 1150
    assert rule.expected_at(parse("2024-Q3")) == pytest.approx(1135)
    assert rule.expected_at(parse("2026-Q2")) == pytest.approx(1070)
    assert rule.expected_at(parse("2027-Q2")) == 1050


def test_target_path_gives_the_goal_per_period_for_charts(facts, areas):
    target = parse_one(facts, areas, indicator="fleksjob", kind="trajectory",
                       points={"2024-01": 560, "2026-12": 620})
    path = target_path(target, parse("2023-11"), parse("2024-03"))
    assert [(str(p), round(v, 2)) for p, v in path] == [
        ("2024-01", 560.0), ("2024-02", 561.71), ("2024-03", 563.43)]
    ceiling = parse_one(facts, areas, indicator="ungeledighed", kind="ceiling", limit=7.0)
    assert [v for _, v in target_path(ceiling, parse("2026"), parse("2026"))] == [7.0] * 12


def test_names_resolve_and_an_end_given_as_a_year_means_its_last_quarter(facts, areas):
    target = parse_one(facts, areas, indicator="sygedagpenge", kind="ceiling", limit=1000, area="Albertslund",
                       end="2026", start="2025-05")
    assert (target.area, str(target.end), str(target.start)) == ("165", "2026-Q4", "2025-Q2")


MISTAKES = [
    ({"indicator": "sygedagpenne", "kind": "ceiling", "limit": 1}, "unknown indicator 'sygedagpenne'; did you mean 'sygedagpenge'?"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 1, "area": "Balerup"}, "unknown area 'Balerup'; did you mean \"151\" (Ballerup)?"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 1, "area": "999"}, "unknown area '999'; use a DST code"),
    ({"indicator": "ledige", "kind": "celing", "limit": 1}, "unknown kind 'celing'; did you mean 'ceiling'?"),
    ({"indicator": "ledige", "limit": 1}, "missing 'kind'"),
    ({"indicator": "ledige", "kind": "ceiling"}, "missing 'limit'; a ceiling needs limit = <number>"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": "7"}, "limit is '7'; write a number"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "tolerence": 1}, "unknown setting 'tolerence'; did you mean 'tolerance'?"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "points": {}}, "'points' belongs to kind 'trajectory'"),
    ({"indicator": "fleksjob", "kind": "ceiling", "limit": 7}, "use kind = \"floor\""),
    ({"indicator": "sygedagpenge", "kind": "trajectory"}, "missing 'points'"),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2026-Q4": 1050, "2024-Q1": 1150}},
     "points are out of order: 2024-Q1 comes after 2026-Q4; list them from the earliest period to the latest"),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2024-01": 1150, "2026-12": 1050}},
     "point '2024-01' is a month, but the indicator is quarterly; write the points like \"2026-Q4\""),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2024-Q1": 1150}}, "at least two måltal"),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2024-Q1": 1150, "2026-Q4": 1050},
      "end": "2023-Q4"}, "end 2023-Q4 is before the first point of the målsti (2024-Q1)"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "start": "2026-05", "end": "2025-12"},
     "end 2025-12 is before start 2026-05; set end to a period after 2026-05"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "end": "december"}, "end 'december' is not a period"),
    ({"indicator": "samtalehyppighed", "kind": "benchmark", "compare_area": "151"}, "compare_area is the target's own area"),
    ({"indicator": "samtalehyppighed", "kind": "benchmark", "mode": "procent"}, "mode is 'procent'"),
    ({"indicator": "ledighedsprocent", "kind": "ceiling", "limit": 5, "min_count": 20, "count_indicator": "ledig"},
     "unknown count_indicator 'ledig'; did you mean 'ledige'?"),
    ({"indicator": "ungeledighed", "kind": "ceiling", "limit": 7, "min_count": 20}, "min_count needs the count behind the rate"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "hold_periods": 0}, "hold_periods is 0; write a whole number of at least 1"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "tolerance": -1}, "cannot be negative"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "recipients": ["ledelsen"]},
     "recipient 'ledelsen' is neither a Slack channel"),
    ({"indicator": "ledige", "kind": "trajectory", "points": {"2024-01": 1, "2025-01": 2}, "better": "higher"},
     "better = \"higher\" contradicts the catalogue"),
]


@pytest.mark.parametrize("raw, message", MISTAKES, ids=[m[1][:40] for m in MISTAKES])
def test_every_mistake_names_the_target_and_the_fix(facts, areas, raw, message):
    with pytest.raises(TargetError) as caught:
        parse_one(facts, areas, **raw)
    assert str(caught.value).startswith("target 't': ")
    assert message in str(caught.value)
    assert caught.value.target == "t" and caught.value.position == 0


def test_a_missing_or_repeated_id_is_named_by_position(facts, areas):
    with pytest.raises(TargetError, match=r"target 2 has no id; add id = "):
        parse_targets([{"id": "a", "indicator": "ledige", "kind": "ceiling", "limit": 1}, {"indicator": "ledige"}],
                      facts, areas, "151")
    with pytest.raises(TargetError, match=r"target 'a' appears twice \(targets 1 and 2\)"):
        parse_targets([{"id": "a", "indicator": "ledige", "kind": "ceiling", "limit": 1}] * 2, facts, areas, "151")


def test_a_config_error_points_at_the_file_and_line(tmp_path: Path):
    text = (REPO / "faktabot.toml").read_text(encoding="utf-8")
    broken = tmp_path / "faktabot.toml"
    broken.write_text(text.replace('"2025-Q1" = 1120, "2026-Q4" = 1050', '"2026-Q4" = 1050, "2025-Q1" = 1120'),
                      encoding="utf-8")
    line = next(i for i, row in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1)
                if row.startswith("[[targets]]") and 'id = "sygedagpenge"' in broken.read_text().splitlines()[i])
    with pytest.raises(ConfigError) as caught:
        load_config(broken)
    assert str(caught.value) == (
        f"{broken}, linje {line}, target 'sygedagpenge': points are out of order: 2025-Q1 comes after 2026-Q4; "
        "list them from the earliest period to the latest")


def test_known_areas_may_be_a_plain_set_of_codes(facts):
    target = parse_targets([{"id": "t", "indicator": "samtalehyppighed", "kind": "benchmark"}], facts, {"151", "000"},
                           default_area="151")[0]
    assert (target.area, target.compare_area) == ("151", "000")
    with pytest.raises(TargetError, match="unknown area '999'"):
        parse_targets([{"id": "t", "indicator": "ledige", "kind": "ceiling", "limit": 1, "area": "999"}], facts,
                      {"151", "000"})
