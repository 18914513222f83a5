"""The municipality's configuration file (`faktabot.toml`), read and checked at the edge.

Targets are kept as raw tables here; `rules` turns them into typed targets. Errors name the
file, the entry and the fix.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from indicators.catalogue import Areas, Catalogue, default_areas, default_catalogue

DEFAULT_AREA = "151"  # Ballerup, the kommune of the fact sheet this product replaces


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    area: str = DEFAULT_AREA
    compare: tuple[str, ...] = ("000",)
    targets: tuple[dict, ...] = ()
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
    targets = tuple(data.get("targets", []))
    for number, target in enumerate(targets, 1):
        name = target.get("id", f"#{number}")
        indicator = target.get("indicator")
        if indicator not in catalogue:
            raise ConfigError(
                f"{path}, target '{name}': unknown indicator {indicator!r}; use an id from indicators/catalogue.toml"
            )
        _area(target.get("area", area), areas, f"{path}, target '{name}'")
    return Config(area=area, compare=compare, targets=targets, path=path, raw=data)


def _area(value: object, areas: Areas, where: str) -> str:
    text = str(value)
    if text in areas.by_code:
        return text
    found = areas.lookup(text)
    if found is None:
        raise ConfigError(f"{where}: unknown area {text!r}; use a DST code such as \"151\" or a kommune name")
    return found.code
