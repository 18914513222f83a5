"""A source row's cells: labels to canonical breakdowns, value cells to numbers (pure).

Labels follow the catalogue's convention (its header): the parts of every listed label a row
carries are merged; a row with no listed label is skipped (a sub-level such as "Privat virksomhedspraktik",
or a selection another source entry covers). Totals ("I alt", "Køn i alt", "TOT") are neutral.
A row that mixes listed labels with one the catalogue does not know is an error: summing it into
a listed series would silently change a published figure.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from indicators.catalogue import fold
from indicators.types import canonical_breakdown, parse_breakdown
from indicators.wording import wording

_TOTAL_WORDS = {"i alt", "ialt", "tot", "total", "alle"}


def is_total(label: str) -> bool:
    """A dimension's total: "I alt", "Ydelsesgrupper i alt", "Age, total", "TOT"."""
    folded = " ".join(label.casefold().replace(",", " ").split())
    return folded in _TOTAL_WORDS or folded.endswith((" i alt", " total"))


@dataclass(frozen=True)
class Placed:
    breakdown: str | None  # None: the row is skipped
    unknown: tuple[str, ...] = ()  # labels that make the row an error


class LabelMap:
    """One source entry's `labels`, looked up exactly or by folded spelling."""

    def __init__(self, labels: Mapping[str, str]):
        self.exact = dict(labels)
        self.folded = {fold(label): breakdown for label, breakdown in labels.items()}

    def get(self, label: str) -> str | None:
        found = self.exact.get(label)
        return found if found is not None else self.folded.get(fold(label))

    def place(self, labels: Sequence[str], neutral: frozenset[str] = frozenset(), *, strict: bool = False) -> Placed:
        """Where a row with these labels goes. `neutral` labels (fixed selections) never count.

        `strict`: an unknown label is an error even in a row with no listed label (StatBank has no
        sub-levels to skip: every value code of a selected variable should be listed).
        """
        parts: dict[str, str] = {}
        listed = False
        unknown: list[str] = []
        for label in labels:
            if label == "":
                continue
            breakdown = self.get(label)
            if breakdown is None:
                if label not in neutral and not is_total(label):
                    unknown.append(label)
                continue
            listed = True
            for key, value in parse_breakdown(breakdown).items():
                if parts.setdefault(key, value) != value:
                    unknown.append(label)  # two listed labels disagree about one key
        if not listed:
            return Placed(None, tuple(unknown) if strict else ())
        if unknown:
            return Placed(None, tuple(unknown))
        return Placed(canonical_breakdown(parts))


# "Not published" as the sources write it: JSON null, StatBank "..", an empty or dashed cell.
NOT_PUBLISHED = {"", "..", ".", "-", "–", "x"}
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$")
# A Danish decimal comma: dots, if any, only as thousands before it ("1.234,5", "3,1").
_DANISH_DECIMAL = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d*),\d+$")


class ValueProblem(ValueError):
    pass


def parse_value(cell: object, *, decimal_comma: bool = True) -> float | None:
    """A value cell: a JSON number, or text in Danish ("1.234,5") or plain ("1234.5") spelling.

    None means not published (discretionised), never 0. With `decimal_comma`, a text of digits in
    groups of three after a dot ("1.234") is a thousands separator, as Jobindsats and Excel write it.
    """
    if cell is None:
        return None
    kind = type(cell)
    if kind is int or kind is float:  # the common case first: JSON numbers
        return float(cell)
    if isinstance(cell, bool):
        raise ValueProblem(wording("value_not_number", cell=cell))
    if isinstance(cell, (int, float)):
        return float(cell)
    text = str(cell).strip().replace("\u00a0", "").replace(" ", "")
    if text.casefold() in NOT_PUBLISHED:
        return None
    if "," in text and decimal_comma:
        if not _DANISH_DECIMAL.match(text):
            # »1,160.5« (English spelling in a semicolon file) was read as 1,1605 and stored; a comma
            # and dots that are not Danish thousands cannot be read without guessing.
            raise ValueProblem(wording("value_mixed_separators", cell=cell))
        text = text.replace(".", "").replace(",", ".")
    elif decimal_comma and _THOUSANDS.match(text):
        text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        raise ValueProblem(wording("value_not_number", cell=cell)) from None


_ABSENT = object()


class Tally:
    """One source entry's values by (area, period, breakdown).

    Rows that land on the same key are summed (ledige_unge = 16-24 år + 25-29 år); if any part is
    not published, neither is the sum.
    """

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, str], float | None] = {}

    def add(self, area: str, period: str, breakdown: str, value: float | None) -> None:
        key = (area, period, breakdown)
        values = self.values
        if key not in values:
            values[key] = value
        else:
            old = values[key]
            values[key] = None if old is None or value is None else old + value

    def add_all(self, keys: Iterable[tuple[str, str, str]], values: Iterable[float | None]) -> None:
        """`add` of each (area, period, breakdown) key and its value, in one loop."""
        found = self.values
        absent = found.get
        for key, value in zip(keys, values):
            old = absent(key, _ABSENT)
            if old is _ABSENT:
                found[key] = value
            else:
                found[key] = None if old is None or value is None else old + value

    def __len__(self) -> int:
        return len(self.values)
