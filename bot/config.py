"""The municipality's configuration file (`faktabot.toml`), read and checked at the edge.

Targets are typed and checked by `rules.targets.parse_targets`, fed the catalogue's facts as plain
data. Errors name the file, the line, the entry and the fix.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from indicators.catalogue import Areas, Catalogue, default_areas, default_catalogue
from rules.targets import IndicatorInfo, Target, TargetError, parse_targets

DEFAULT_AREA = "151"  # Ballerup, the kommune of the fact sheet this product replaces


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    area: str = DEFAULT_AREA
    compare: tuple[str, ...] = ("000",)
    targets: tuple[Target, ...] = ()
    path: Path | None = None
    raw: dict = field(default_factory=dict, repr=False)


def load_config(path: Path, areas: Areas | None = None, catalogue: Catalogue | None = None) -> Config:
    """Read `path`; a missing file gives the defaults (Ballerup, compared with hele landet)."""
    areas = areas or default_areas()
    catalogue = catalogue or default_catalogue()
    if not path.exists():
        return Config(path=None)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    municipality = data.get("municipality", {})
    area = _area(municipality.get("area", DEFAULT_AREA), areas, f"{path}, [municipality] area")
    compare = tuple(_area(c, areas, f"{path}, [municipality] compare") for c in municipality.get("compare", ["000"]))
    raw_targets = data.get("targets", [])
    if not isinstance(raw_targets, list):
        raise ConfigError(f"{path}: targets should be [[targets]] sections, one per target")
    # Names such as "Ballerup" or "Region H" become DST codes before the rules check the codes.
    resolved = [_resolve_areas(t, areas) if isinstance(t, dict) else t for t in raw_targets]
    try:
        targets = parse_targets(resolved, indicator_facts(catalogue), {a.code: a.name for a in areas},
                                default_area=area, default_compare=compare[0] if compare else "000")
    except TargetError as error:
        line = _target_line(path, error.position)
        raise ConfigError(f"{path}{f', line {line}' if line else ''}, {error}") from None
    return Config(area=area, compare=compare, targets=targets, path=path, raw=data)


def indicator_facts(catalogue: Catalogue) -> dict[str, IndicatorInfo]:
    """What the rules need to know of each indicator, as plain data (`rules` cannot read the catalogue)."""
    counts = {i.rate: i.id for i in catalogue if i.rate}  # "ledighedsprocent" is counted by "ledige"
    return {i.id: IndicatorInfo(i.better, i.frequency, i.format, counts.get(i.id)) for i in catalogue}


def _resolve_areas(target: dict, areas: Areas) -> dict:
    resolved = dict(target)
    for key in ("area", "compare_area"):
        value = target.get(key)
        if isinstance(value, str) and value not in areas.by_code and (found := areas.lookup(value)):
            resolved[key] = found.code
    return resolved


def _target_line(path: Path, position: int | None) -> int | None:
    """The line of the `position`-th [[targets]] header, so the message points into the file."""
    if position is None:
        return None
    headers = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if re.match(r"\s*\[\[\s*targets\s*\]\]", line)]
    return headers[position] if position < len(headers) else None


def _area(value: object, areas: Areas, where: str) -> str:
    text = str(value)
    if text in areas.by_code:
        return text
    found = areas.lookup(text)
    if found is None:
        raise ConfigError(f"{where}: unknown area {text!r}; use a DST code such as \"151\" or a kommune name")
    return found.code
