"""Which of the fact sheet's 28 figures rest on official figures (store reads).

A figure rests on official figures for an area when every indicator it shows has stored rows for
that area from a source other than eksempeldata (Jobindsats, StatBank, the municipality's own
files, or a derived value computed from those alone). `faktabot status` prints the count and the
rest; the fact sheet's first page says the same from its own figures.
"""
from __future__ import annotations

from dataclasses import dataclass

from indicators.catalogue import Catalogue
from indicators.sources_check import figure_numbers
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE


@dataclass(frozen=True)
class Coverage:
    official: tuple[str, ...]  # figure numbers
    rest: tuple[str, ...]  # figure numbers that show eksempeldata or nothing

    @property
    def total(self) -> int:
        return len(self.official) + len(self.rest)


def coverage(store: Store, catalogue: Catalogue, area: str | None = None) -> Coverage:
    sources = store.indicator_sources(area)
    official, rest = [], []
    for number in figure_numbers(catalogue):
        ids = [i.id for i in catalogue if number in i.figures]
        real = all(sources.get(i, set()) - {SAMPLE_SOURCE} for i in ids)
        (official if real else rest).append(number)
    return Coverage(tuple(official), tuple(rest))
