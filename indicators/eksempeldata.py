"""Eksempeldata: deterministic made-up series for the figures no public per-kommune source covers.

Pure apart from reading the spec (`sample/eksempeldata.toml`, whose header explains its keys);
`indicators.sampledata` writes the result to `sample/eksempeldata.csv.gz`.
"""
from __future__ import annotations

import itertools
import math
import random
import tomllib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from indicators import periods
from indicators.catalogue import default_areas
from indicators.types import SAMPLE_SOURCE, Observation, canonical_breakdown
from indicators.wording import wording

SPEC_PATH = Path(__file__).parent / "sample" / "eksempeldata.toml"
# Eksempeldata is not fetched from anywhere; it carries the date the sample was made.
SYNTHETIC_STAMP = "2026-08-22T00:00:00+00:00"


class SpecError(ValueError):
    """The spec asks for something the generator cannot make; the message names the entry."""


ANCHOR = periods.month(2026, 1)  # `level` in the spec is the value at the start of 2026
DEFAULT_SPAN = {"month": ("2019-01", "2026-07"), "quarter": ("2019-Q1", "2026-Q2"), "year": ("2019", "2026")}
# Keys the spec may use, so a misspelt key fails instead of silently doing nothing.
INDICATOR_KEYS = {"frequency", "start", "end", "unit", "decimals", "seasonality", "noise", "noise_abs",
                  "persistence", "signed", "total", "sum_of_breakdowns", "area", "breakdown", "split"}
LEVEL_KEYS = {"level", "trend", "path", "like", "scale"}
BREAKDOWN_KEYS = {"parts", "share", "share_trend", "areas", "seasonality", "level", "trend", "path"}

Profiles = dict[str, list[float]]


def build_synthetic(spec_path: Path = SPEC_PATH) -> list[Observation]:
    """Deterministic eksempeldata for every series in the spec (its header explains the keys)."""
    with open(spec_path, "rb") as handle:
        spec = tomllib.load(handle)
    profiles = {name: _profile(values, name) for name, values in spec.get("profiles", {}).items()}
    observations: list[Observation] = []
    for indicator, entry in spec.get("indicator", {}).items():
        observations.extend(_indicator(indicator, entry, profiles, f"{spec_path.name}, indicator {indicator}"))
    return observations


def _indicator(indicator: str, entry: dict, profiles: Profiles, where: str) -> Iterator[Observation]:
    _check_keys(entry, INDICATOR_KEYS, where)
    areas: dict[str, dict] = entry.get("area", {})
    unknown = [code for code in areas if code not in default_areas().by_code]
    if unknown:
        raise SpecError(f"{where}: unknown area codes {unknown}; use codes from areas.toml")
    for code, level in areas.items():
        _check_keys(level, LEVEL_KEYS, f"{where}, area {code}")
    for part in entry.get("breakdown", []):
        _check_keys(part, BREAKDOWN_KEYS, f"{where}, breakdown {part.get('parts')}")
    if entry.get("frequency") not in DEFAULT_SPAN:
        raise SpecError(f"{where}: frequency {entry.get('frequency')!r}; use month, quarter or year")
    first, last = DEFAULT_SPAN[entry["frequency"]]
    span = _span(entry.get("start", first), entry.get("end", last))
    totals = entry.get("total", True)
    total_areas = list(areas) if totals is True else list(totals or [])

    def rows(area: str, parts: dict[str, str], values: dict[periods.Period, float]) -> Iterator[Observation]:
        if not parts and "split" in entry:
            # Ship the inputs, not the total: indicators.derived adds them up again on load, so
            # the sample exercises the real code path and the total is exactly the one made here.
            yield from _split(indicator, area, entry, values, where)
            return
        breakdown = canonical_breakdown(parts)
        for period, value in values.items():
            yield Observation(indicator, area, str(period), value, breakdown, entry["unit"],
                              SAMPLE_SOURCE, False, SYNTHETIC_STAMP)

    for area in areas:
        sums = dict.fromkeys(span, 0.0)
        for part in entry.get("breakdown", []):
            if area not in part.get("areas", list(areas)):
                continue
            level_at = partial(_breakdown_level, areas, area, part, where)
            profile = _pick(profiles, part.get("seasonality", entry.get("seasonality", "flat")), where)
            values = _series(indicator, area, dict(part["parts"]), entry, level_at, profile, span)
            yield from rows(area, part["parts"], values)
            for period, value in values.items():
                sums[period] += value
        if area not in total_areas:
            continue
        if entry.get("sum_of_breakdowns", False):
            yield from rows(area, {}, sums)  # counts by group add up to the total, as in a case-system export
        else:
            level_at = partial(_base, areas, area, where)
            profile = _pick(profiles, entry.get("seasonality", "flat"), where)
            yield from rows(area, {}, _series(indicator, area, {}, entry, level_at, profile, span))


def _split(indicator: str, area: str, entry: dict, values: dict[periods.Period, float],
           where: str) -> Iterator[Observation]:
    """`split = [{parts, share}, …, {parts}]`: the total as parts; the last part takes the rest."""
    split = entry["split"]
    if not split or any("share" not in part for part in split[:-1]) or "share" in split[-1]:
        raise SpecError(f"{where}: split lists parts with a `share`, and a last part without one (the rest)")
    decimals = int(entry.get("decimals", 0))
    for period, total in values.items():
        rest = total
        for number, part in enumerate(split):
            value = rest if number == len(split) - 1 else float(round(total * part["share"], decimals))
            rest = float(round(rest - value, decimals))
            yield Observation(indicator, area, str(period), value, canonical_breakdown(part["parts"]),
                              entry["unit"], SAMPLE_SOURCE, False, SYNTHETIC_STAMP)


def _check_keys(entry: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(entry) - allowed)
    if extra:
        raise SpecError(f"{where}: unknown keys {extra}; allowed: {', '.join(sorted(allowed))}")


def _pick(profiles: Profiles, name: str, where: str) -> list[float]:
    if name not in profiles:
        raise SpecError(f"{where}: no seasonality profile {name!r} under [profiles]")
    return profiles[name]


def _profile(values: list[float], name: str) -> list[float]:
    if len(values) != 12:
        raise SpecError(f"{SPEC_PATH.name}: profile {name!r} needs 12 monthly factors")
    mean = sum(values) / 12  # normalised so seasonality moves values around the level, not the level
    return [v / mean for v in values]


def _span(first: str, last: str) -> list[periods.Period]:
    current, end = periods.parse(first), periods.parse(last)
    out = []
    while current <= end:
        out.append(current)
        current = current.shift(1)
    return out


def _midpoint(period: periods.Period) -> float:
    """Months from ANCHOR to the middle of `period` (a quarter's middle is its second month)."""
    start = (period.year - ANCHOR.year) * 12 + period.start_month - ANCHOR.start_month
    return start + (period.length - 1) / 2


def _seasonal(profile: list[float], period: periods.Period) -> float:
    months = range(period.start_month - 1, period.start_month - 1 + period.length)
    return sum(profile[m] for m in months) / period.length


def _level(entry: dict, where: str, x: float) -> float:
    """`level` + `trend` per year, or piecewise-linear through `path` (flat beyond its ends)."""
    if "path" in entry:
        points = sorted((_midpoint(periods.parse(p)), v) for p, v in entry["path"].items())
        if x <= points[0][0]:
            return points[0][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if x <= x1:
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        return points[-1][1]
    if "level" in entry:
        return entry["level"] + entry.get("trend", 0.0) * x / 12
    raise SpecError(f"{where}: give `level` (and `trend`), `path` or `like` and `scale`")


def _base(areas: dict[str, dict], code: str, where: str, x: float) -> float:
    """The area's level `x` months from ANCHOR; `like` borrows another area's shape, times `scale`."""
    entry = areas.get(code)
    if entry is None:
        raise SpecError(f"{where}: no level for area {code}")
    if "like" in entry:
        return entry.get("scale", 1.0) * _base(areas, entry["like"], where, x)
    return _level(entry, f"{where}, area {code}", x)


def _breakdown_level(areas: dict[str, dict], code: str, part: dict, where: str, x: float) -> float:
    if "level" in part or "path" in part:
        return _level(part, where, x)  # a series of its own (e.g. one forecaster's forecast)
    share = part["share"] * (1 + part.get("share_trend", 0.0) * x / 12)
    return _base(areas, code, where, x) * share


def _series(
    indicator: str, area: str, parts: dict[str, str], entry: dict,
    level_at: Callable[[float], float], profile: list[float], span: list[periods.Period],
) -> dict[periods.Period, float]:
    """Level × seasonality plus AR(1) noise, drawn from a generator seeded by the series key."""
    # A string seed is hashed with SHA-512, so the draws do not depend on PYTHONHASHSEED.
    rng = random.Random(f"{indicator}|{area}|{canonical_breakdown(parts)}")
    absolute = "noise_abs" in entry
    noise = float(entry.get("noise_abs", entry.get("noise", 0.0)))
    persistence = float(entry.get("persistence", 0.5))
    decimals = int(entry.get("decimals", 0))
    shock = 0.0
    values: dict[periods.Period, float] = {}
    for period in span:
        # Persistent noise looks like month-to-month drift rather than independent jitter.
        shock = persistence * shock + math.sqrt(1 - persistence**2) * rng.gauss(0.0, noise)
        clean = level_at(_midpoint(period)) * _seasonal(profile, period)
        value = clean + shock if absolute else clean * (1 + shock)
        if not entry.get("signed", False):
            value = max(value, 0.0)  # counts and shares cannot go below zero; forecasts of change can
        values[period] = float(round(value, decimals))
    return values


# -- eksempeldata for any kommune ------------------------------------------------------------------

# The spec describes Ballerup (151), Albertslund (165), Region Hovedstaden (084) and hele landet;
# another kommune and region borrow the shapes of 151 and 084, scaled to their real size.
TEMPLATE = {"kommune": "151", "region": "084", "land": "000"}
# Rates whose level follows the area's real unemployment rate; other rates keep the template's.
FOLLOWS_UNEMPLOYMENT = {"ledighedsprocent", "ungeledighed"}


def build_for_areas(kommune: str, compare: list[str] | tuple[str, ...], population: dict[str, float],
                    unemployment: dict[str, float], spec_path: Path = SPEC_PATH) -> list[Observation]:
    """Eksempeldata for `kommune` and its comparison areas, scaled from the spec's template areas.

    `population` and `unemployment` (area -> persons, area -> pct.) are the real figures of the
    sample (FOLK1AM, y25i01); counts scale with population, unemployment rates with the real rate,
    other rates keep the template's level. Deterministic: each area draws its own noise.
    """
    with open(spec_path, "rb") as handle:
        spec = tomllib.load(handle)
    areas = default_areas()
    wanted = list(dict.fromkeys([kommune, *compare]))
    for code in wanted:
        if code not in areas.by_code:
            # faktabot.toml's area, already checked by bot/config.py: the one message here a user could meet
            raise SpecError(wording("sample_unknown_area", code=code))
    template_of = {code: TEMPLATE[areas.get(code).kind] for code in wanted}
    profiles = {name: _profile(values, name) for name, values in spec.get("profiles", {}).items()}
    observations: list[Observation] = []
    for indicator, entry in spec.get("indicator", {}).items():
        where = f"{spec_path.name}, indicator {indicator}"
        rewritten = _for_areas(indicator, entry, template_of, population, unemployment, where)
        if rewritten is not None:
            observations.extend(_indicator(indicator, rewritten, profiles, where))
    return observations


def _for_areas(indicator: str, entry: dict, template_of: dict[str, str], population: dict[str, float],
               unemployment: dict[str, float], where: str) -> dict | None:
    spec_areas: dict[str, dict] = entry.get("area", {})
    is_rate = int(entry.get("decimals", 0)) > 0 or entry.get("unit") in ("pct.", "indeks")
    new_areas: dict[str, dict] = {}
    renamed: dict[str, list[str]] = {}
    for code, template in template_of.items():
        source = code if code in spec_areas else template
        if source not in spec_areas:
            continue  # the figure has no series of this kind of area (e.g. samtaler for a region)
        if is_rate:
            scale = 1.0
            if indicator in FOLLOWS_UNEMPLOYMENT and source != code and unemployment.get(source):
                scale = unemployment.get(code, unemployment[source]) / unemployment[source]
        else:
            scale = population.get(code, 0.0) / population[source] if source != code and population.get(source) else 1.0
        new_areas[code] = _scaled(_resolved(spec_areas, source, where), scale)
        renamed.setdefault(source, []).append(code)
    if not new_areas:
        return None
    rewritten = {**entry, "area": new_areas}
    totals = entry.get("total", True)
    if isinstance(totals, list):
        rewritten["total"] = [new for old in totals for new in renamed.get(old, [])]
    parts = []
    for part in entry.get("breakdown", []):
        if "areas" in part:
            part = {**part, "areas": [new for old in part["areas"] for new in renamed.get(old, [])]}
        parts.append(part)
    if parts:
        rewritten["breakdown"] = parts
    return rewritten


def _resolved(spec_areas: dict[str, dict], code: str, where: str) -> dict:
    """An area's entry without `like`: the borrowed level, trend or path times `scale`."""
    entry = spec_areas[code]
    if "like" in entry:
        return _scaled(_resolved(spec_areas, entry["like"], where), entry.get("scale", 1.0))
    return dict(entry)


def _scaled(entry: dict, scale: float) -> dict:
    if scale == 1.0:
        return entry
    out = dict(entry)
    for key in ("level", "trend"):
        if key in out:
            out[key] = out[key] * scale
    if "path" in out:
        out["path"] = {p: v * scale for p, v in out["path"].items()}
    return out
