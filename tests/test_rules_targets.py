"""Targets as the config writes them: the shipped ones parse, and every mistake says what to fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, indicator_facts, load_config, target_error_text
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
from tests.test_one_language import english_in


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


# Each mistake: the raw target, the code rules/ raises, and what the bot then says in Danish.
MISTAKES = [
    ({"indicator": "sygedagpenne", "kind": "ceiling", "limit": 1}, "unknown_indicator",
     "ukendt indikator 'sygedagpenne'; mente du 'sygedagpenge'?"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 1, "area": "Balerup"}, "area_close",
     "ukendt area 'Balerup'; mente du \"151\" (Ballerup)?"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 1, "area": "999"}, "unknown_area",
     "ukendt area '999'; brug en DST-kode"),
    ({"indicator": "ledige", "kind": "celing", "limit": 1}, "unknown_kind", "ukendt `kind` 'celing'; mente du 'ceiling'?"),
    ({"indicator": "ledige", "limit": 1}, "no_kind",
     "`kind` mangler; brug en af ceiling, floor, trajectory, benchmark eller change"),
    ({"indicator": "ledige", "kind": "ceiling"}, "no_limit",
     "`limit` mangler; kind = \"ceiling\" skal have limit = <tal>"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": "7"}, "not_number", "limit er '7'; skriv et tal"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "tolerence": 1}, "unknown_setting",
     "ukendt nøgle 'tolerence'; mente du 'tolerance'?"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "points": {}}, "wrong_kind_key",
     "`points` hører til kind trajectory, ikke 'ceiling'"),
    ({"indicator": "fleksjob", "kind": "ceiling", "limit": 7}, "against_catalogue",
     "hvor mere er bedre; brug kind = \"floor\""),
    ({"indicator": "sygedagpenge", "kind": "trajectory"}, "no_points", "`points` mangler"),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2026-Q4": 1050, "2024-Q1": 1150}}, "points_order",
     ("punkterne står i forkert rækkefølge: 2024-Q1 kommer efter 2026-Q4; skriv dem fra den tidligste periode til "
      "den seneste")),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2024-01": 1150, "2026-12": 1050}},
     "point_wrong_kind",
     "punktet '2024-01' er en måned, men indikatoren er kvartalsvis; skriv punkterne som \"2026-Q4\""),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2024-Q1": 1150}}, "few_points",
     "mindst to måltal"),
    ({"indicator": "sygedagpenge", "kind": "trajectory", "points": {"2024-Q1": 1150, "2026-Q4": 1050},
      "end": "2023-Q4"}, "end_before_points", "end 2023-Q4 ligger før målstiens første punkt (2024-Q1)"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "start": "2026-05", "end": "2025-12"}, "end_before_start",
     "end 2025-12 ligger før start 2026-05; sæt end til en periode efter 2026-05"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "end": "december"}, "not_period",
     "end 'december' er ikke en periode"),
    ({"indicator": "samtalehyppighed", "kind": "benchmark", "compare_area": "151"}, "same_compare_area",
     "compare_area er målets eget område"),
    ({"indicator": "samtalehyppighed", "kind": "benchmark", "mode": "procent"}, "bad_mode", "mode er 'procent'"),
    ({"indicator": "ledighedsprocent", "kind": "ceiling", "limit": 5, "min_count": 20, "count_indicator": "ledig"},
     "unknown_count_indicator", "ukendt count_indicator 'ledig'; mente du 'ledige'?"),
    ({"indicator": "ungeledighed", "kind": "ceiling", "limit": 7, "min_count": 20}, "min_count_needs_count",
     "min_count skal bruge antallet bag raten"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "hold_periods": 0}, "not_whole",
     "hold_periods er 0; skriv et helt tal, mindst 1"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "tolerance": -1}, "negative_tolerance",
     "tolerance er -1; den er bredden af at_risk-båndet og kan ikke være negativ; skriv tolerance = 1"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 7, "recipients": ["ledelsen"]}, "recipient_unknown",
     "modtageren 'ledelsen' er hverken en Slack-kanal"),
    ({"indicator": "ledige", "kind": "trajectory", "points": {"2024-01": 1, "2025-01": 2}, "better": "higher"},
     "better_contradicts_catalogue", "better = \"higher\" modsiger kataloget"),
    # A ratio's tolerance is a share of the other area's level: 5 means 500 pct.-point, never meant.
    ({"indicator": "ledighedsprocent", "kind": "benchmark", "mode": "ratio", "tolerance": 5}, "ratio_tolerance",
     "tolerance er 5; for mode = \"ratio\" er den en andel af det andet områdes niveau; skriv tolerance = 0.05 for 5 pct."),
    # A part the figure lacks would never match a series: refused, not judged as »mangler tal«.
    ({"indicator": "ledighedsprocent", "kind": "ceiling", "limit": 4, "breakdown": "køn=Mænd"}, "unknown_part_key",
     "'ledighedsprocent' er ikke opdelt på 'køn'; brug ydelse eller korrektion"),
    ({"indicator": "fleksjob", "kind": "floor", "limit": 600, "breakdown": "ydelse=Fleksjob"}, "no_parts",
     "'fleksjob' er ikke opdelt på 'ydelse'; fjern breakdown"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 700, "breakdown": "ydelse=Adagpenge"}, "unknown_part_value",
     "ydelse 'Adagpenge' er ikke en del af 'ledige'; mente du 'A-dagpenge'?"),
    ({"indicator": "ledige", "kind": "ceiling", "limit": 700, "breakdown": "A-dagpenge"}, "bad_breakdown",
     "breakdown 'A-dagpenge' skal skrives som nøgle=værdi"),
]


@pytest.mark.parametrize("raw, code, message", MISTAKES, ids=[m[1] for m in MISTAKES])
def test_every_mistake_names_the_target_and_the_fix(facts, areas, raw, code, message):
    with pytest.raises(TargetError) as caught:
        parse_one(facts, areas, **raw)
    assert caught.value.code == code
    assert caught.value.target == "t" and caught.value.position == 0
    said = target_error_text(caught.value)
    assert said.startswith("mål 't': ") and message in said, said
    assert not english_in(said), said


def test_a_part_is_written_in_the_stores_order_whatever_order_the_config_gives(facts, areas):
    target = parse_one(facts, areas, indicator="ledige", kind="ceiling", limit=300,
                       breakdown="ydelse=A-dagpenge; køn=Kvinder")
    assert target.breakdown == "køn=Kvinder;ydelse=A-dagpenge"


def test_two_targets_with_the_same_name_in_the_same_area_are_refused(facts, areas):
    # Messages, the board and answers name a target by its name and area: two alike cannot be told apart.
    same = {"indicator": "ledige", "kind": "ceiling", "name": "Færre ledige"}
    with pytest.raises(TargetError) as caught:
        parse_targets([{"id": "a", "limit": 800, **same}, {"id": "b", "limit": 700, **same}], facts, areas, "151")
    assert (caught.value.target, caught.value.position) == ("b", 1)
    assert target_error_text(caught.value) == (
        "mål 'b': navnet 'Færre ledige' har mål 'a' også i samme område; giv hvert mål sit eget navn")
    # The same name for another kommune is another target, told with its area.
    parse_targets([{"id": "a", "limit": 800, **same}, {"id": "b", "limit": 700, "area": "101", **same}], facts, areas,
                  "151")


def test_a_missing_or_repeated_id_is_named_by_position(facts, areas):
    with pytest.raises(TargetError) as caught:
        parse_targets([{"id": "a", "indicator": "ledige", "kind": "ceiling", "limit": 1}, {"indicator": "ledige"}],
                      facts, areas, "151")
    assert target_error_text(caught.value).startswith("mål 2 har intet id; tilføj id = ")
    with pytest.raises(TargetError) as caught:
        parse_targets([{"id": "a", "indicator": "ledige", "kind": "ceiling", "limit": 1}] * 2, facts, areas, "151")
    assert target_error_text(caught.value).startswith("mål 'a': står der to gange (mål 1 og 2); giv hvert mål sit eget id")


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
        f"{broken}, linje {line}, mål 'sygedagpenge': punkterne står i forkert rækkefølge: 2025-Q1 kommer efter "
        "2026-Q4; skriv dem fra den tidligste periode til den seneste")


def test_known_areas_may_be_a_plain_set_of_codes(facts):
    target = parse_targets([{"id": "t", "indicator": "samtalehyppighed", "kind": "benchmark"}], facts, {"151", "000"},
                           default_area="151")[0]
    assert (target.area, target.compare_area) == ("151", "000")
    with pytest.raises(TargetError) as caught:
        parse_targets([{"id": "t", "indicator": "ledige", "kind": "ceiling", "limit": 1, "area": "999"}], facts,
                      {"151", "000"})
    assert (caught.value.code, caught.value.params) == ("unknown_area", {"key": "area", "value": "999"})
