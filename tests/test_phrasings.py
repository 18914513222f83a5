"""Table-driven: the phrasings managers write (tests/data/phrasings.txt) parse to the intended query."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.asking.queries import PeriodRequest, Query, parse
from indicators.catalogue import default_catalogue

TABLE = Path(__file__).parent / "data" / "phrasings.txt"


def rows() -> list[tuple[str, ...]]:
    found = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cells = [cell.strip() for cell in line.split("|")]
            found.append(tuple(cells) + ("value",) * (5 - len(cells)))
    return found


def expected_period(cell: str) -> PeriodRequest:
    if cell == "-":
        return PeriodRequest()
    if cell.startswith("m") and cell[1:].isdigit():
        return PeriodRequest(month=int(cell[1:]))
    if cell.startswith("q") and cell[1:].isdigit():
        return PeriodRequest(quarter=int(cell[1:]))
    if cell.startswith("rel:"):
        return PeriodRequest(relative=cell[4:])
    return PeriodRequest(period=cell)


def test_the_table_is_large_and_covers_every_indicator():
    table = rows()
    assert len(table) >= 150
    assert {row[1] for row in table} >= set(default_catalogue().indicators)


@pytest.mark.parametrize(("text", "indicator", "area", "period", "intent"), rows(), ids=[r[0] for r in rows()])
def test_phrasing_parses_to_the_intended_question(text, indicator, area, period, intent):
    query = parse(text)
    assert isinstance(query, Query), f"not understood: {query}"
    assert query.indicator == indicator
    assert query.area == (None if area == "-" else area)
    assert query.period == expected_period(period)
    assert query.intent == intent
