"""`faktabot factsheet`: build the quarterly fact sheet PDF from the store (composition root part)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from bot import factsheet
from bot.config import Config
from indicators import periods
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store


def current_quarter(today: date) -> str:
    return str(periods.quarter(today.year, (today.month - 1) // 3 + 1))


def parse_quarter(text: str) -> str:
    """`2026-Q2`, `2026Q2` or `2026K2` -> `2026-Q2`; anything else is a user error (ValueError)."""
    try:
        period = periods.parse(periods.normalise(text.strip().upper()))
    except periods.PeriodError:
        period = None
    if period is None or period.kind != "quarter":
        raise ValueError(f"not a quarter: {text!r}; write it as 2026-Q2")
    return str(period)


def make_factsheet(store: Store, config: Config, quarter: str, out: Path, target_paths=None) -> tuple[int, list]:
    """Write the PDF; return (pages, figures) so the caller can report what it holds."""
    catalogue, areas = default_catalogue(), default_areas()
    figures = factsheet.build(quarter, store, catalogue, areas, config.area, target_paths)
    pages = factsheet.write_pdf(figures, quarter, areas.get(config.area).name, catalogue, out)
    return pages, figures
