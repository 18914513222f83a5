"""The rules engine at national scale: every target kind for all 98 kommuner over the sample data.

Six targets per kommune (ceiling with a forecast, floor, målsti, benchmark as a ratio, change
against hele landet, a ceiling behind a min_count guard) on the real Jobindsats and Danmarks
Statistik series, read from the store and evaluated in one call. The baseline, in the same run,
is what a hand-written check would do: one SQL query for the same series and a plain loop that
compares each newest value with its limit, path or benchmark (no hold periods, no guards, no
forecasts, no lifecycle).
"""
from __future__ import annotations

import sqlite3
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.measure import Result, sample_store
from bot.alerting.context import observations_for
from bot.config import indicator_facts
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from rules.engine import evaluate
from rules.targets import parse_targets

NOW = datetime(2026, 9, 1, tzinfo=UTC)  # a month after the sample's newest month
REPEAT = 7


def targets_for(kommuner: list[str]) -> list[dict]:
    raw = []
    for code in kommuner:
        common = {"area": code, "tolerance": 0.2, "hold_periods": 2}
        raw += [
            {"id": f"ceiling-{code}", "indicator": "ledighedsprocent", "kind": "ceiling", "limit": 3.0,
             "end": "2026-12", **common},
            # LBESK69 in the sample ends with 2025-Q3, so this one accepts older figures.
            {"id": f"floor-{code}", "indicator": "beskaeftigelse", "kind": "floor", "limit": 10000, "area": code,
             "stale_after_days": 400},
            {"id": f"trajectory-{code}", "indicator": "ledige", "kind": "trajectory", "tolerance": 2.0,
             "points": {"2024-01": 1000, "2026-12": 900}, "area": code},
            {"id": f"benchmark-{code}", "indicator": "ledighedsprocent", "kind": "benchmark", "mode": "ratio",
             "threshold": 1.0, "tolerance": 0.05, "area": code},
            {"id": f"change-{code}", "indicator": "ledige", "kind": "change", "compare_area": "000",
             "tolerance": 1.0, "area": code},
            {"id": f"guarded-{code}", "indicator": "ledighedsprocent", "kind": "ceiling", "limit": 3.0,
             "min_count": 500, "area": code},
        ]
    return raw


def baseline_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT indicator, area, period, value FROM observations WHERE breakdown = '' AND value IS NOT NULL "
        "AND indicator IN ('ledighedsprocent', 'ledige', 'beskaeftigelse') ORDER BY indicator, area, period"
    ).fetchall()
    conn.close()
    return rows


def baseline(path: Path, kommuner: list[str]) -> dict[str, str]:
    """The same comparisons straight from SQL rows: newest value against limit, path or benchmark."""
    return baseline_compare(baseline_rows(path), kommuner)


def baseline_compare(rows: list[tuple], kommuner: list[str]) -> dict[str, str]:
    series: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for indicator, area, period, value in rows:
        series[(indicator, area)][period] = value
    verdicts: dict[str, str] = {}
    for code in kommuner:
        rate, count, jobs = series[("ledighedsprocent", code)], series[("ledige", code)], series[("beskaeftigelse", code)]
        month = max(p for p in rate if "Q" not in p and len(p) == 7)
        before = f"{month[:5]}{int(month[5:]) - 1:02d}" if month[5:] != "01" else f"{int(month[:4]) - 1}-12"
        verdicts[f"ceiling-{code}"] = "breached" if rate[month] > 3.0 and rate[before] > 3.0 else "ok"
        quarter = max(p for p in jobs if "Q" in p)
        verdicts[f"floor-{code}"] = "breached" if jobs[quarter] < 10000 else "ok"
        newest = max(count)
        months = (int(newest[:4]) - 2024) * 12 + int(newest[5:]) - 1
        goal = 1000 - 100 * months / 35
        verdicts[f"trajectory-{code}"] = "breached" if count[newest] > goal * 1.02 else "ok"
        national = series[("ledighedsprocent", "000")]
        verdicts[f"benchmark-{code}"] = "breached" if rate[month] / national[month] > 1.05 else "ok"
        last_year = f"{int(newest[:4]) - 1}{newest[4:]}"
        nation = series[("ledige", "000")]
        own_change = count[newest] / count[last_year] - 1
        nation_change = nation[newest] / nation[last_year] - 1
        verdicts[f"change-{code}"] = "breached" if (own_change - nation_change) * 100 > 1.0 else "ok"
        verdicts[f"guarded-{code}"] = "no_data" if count[month] < 500 else verdicts[f"ceiling-{code}"]
    return verdicts


def run(quick: bool = False) -> list[Result]:
    repeat = 2 if quick else REPEAT
    path = Path(tempfile.mkdtemp(prefix="faktabot-bench-")) / "store.db"
    sample_store(path)
    kommuner = [a.code for a in default_areas().kommuner()]
    facts, names = indicator_facts(default_catalogue()), {a.code: a.name for a in default_areas()}
    targets = parse_targets(targets_for(kommuner), facts, names)

    engine, plain, engine_only, plain_only = [], [], [], []
    with Store(path) as store:
        for _ in range(repeat):
            started = time.perf_counter()
            evaluation = evaluate(targets, observations_for(store, targets), {}, NOW)
            engine.append(time.perf_counter() - started)
        observations = observations_for(store, targets)
    for _ in range(repeat):
        started = time.perf_counter()
        evaluate(targets, observations, {}, NOW)
        engine_only.append(time.perf_counter() - started)
    for _ in range(repeat):
        started = time.perf_counter()
        verdicts = baseline(path, kommuner)
        plain.append(time.perf_counter() - started)
    rows = baseline_rows(path)
    for _ in range(repeat):
        started = time.perf_counter()
        baseline_compare(rows, kommuner)
        plain_only.append(time.perf_counter() - started)
    # The engine must at least agree with the plain loop where both judge the same thing.
    agree = sum(1 for t in targets if t.id.startswith(("ceiling-", "floor-", "benchmark-"))
                and (evaluation.states[t.id].status == "breached") == (verdicts[t.id] == "breached"))
    checked = sum(1 for t in targets if t.id.startswith(("ceiling-", "floor-", "benchmark-")))
    ms = 1000
    return [
        Result(f"targets: {len(targets)} (6 kinds × {len(kommuner)} kommuner), store → states (ms)",
               min(engine) * ms, min(plain) * ms, "ms", aim=f"< 200 ms; agrees {agree}/{checked}",
               higher_is_better=False),
        Result("targets: evaluate() alone, observations in memory (ms)", min(engine_only) * ms,
               min(plain_only) * ms, "ms", aim="pure engine; < 100 ms", higher_is_better=False),
    ]
