"""Plain value types shared by the data side and the rules engine.

No I/O here: `rules` may import this module and nothing else from `indicators`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SAMPLE_SOURCE = "eksempeldata"


@dataclass(frozen=True, slots=True)
class Observation:
    """One value of one indicator for one area, period and breakdown."""

    indicator: str
    area: str  # DST code as text: "000", "084", "151"
    period: str  # "YYYY-MM", "YYYY-Qn" or "YYYY"
    value: float | None  # None = not published (discretionised), never 0
    breakdown: str = ""  # "" for the total, else "key=value;key=value", keys sorted
    unit: str = ""
    source: str = ""  # "jobindsats:y25i01", "statbank:AUS08", "file:<name>", "eksempeldata"
    provisional: bool = False
    fetched_at: str = ""  # ISO 8601 timestamp

    @property
    def is_sample(self) -> bool:
        # A derived value computed from any eksempeldata input is stored with this source too
        # (indicators.derived), so every check of "is this eksempeldata?" sees it.
        return self.source == SAMPLE_SOURCE


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str
    kind: str  # "land", "region" or "kommune"
    region: str | None = None  # parent region code for a kommune
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # spellings used by the sources ("Copenhagen", "All Denmark")


def canonical_breakdown(parts: dict[str, str]) -> str:
    """`{"ydelse": "A-dagpenge", "køn": "Kvinder"}` -> `"ydelse=A-dagpenge;køn=Kvinder"` (keys sorted)."""
    return ";".join(f"{key}={parts[key]}" for key in sorted(parts))


def parse_breakdown(text: str) -> dict[str, str]:
    if not text:
        return {}
    return dict(part.split("=", 1) for part in text.split(";"))


@dataclass(frozen=True, slots=True)
class IndicatorSource:
    """Where one source keeps an indicator: a Jobindsats table, a StatBank table or a file column."""

    kind: str  # "jobindsats", "statbank", "file", "derived"
    table: str = ""
    measure: str = ""
    hierarchy: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    breakdowns: dict[str, str] = field(default_factory=dict)  # source label -> canonical breakdown
    verified: bool = True
    note: str = ""
    formula: dict = field(default_factory=dict)  # a derived source's formula (indicators.derived)
