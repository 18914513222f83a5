"""Which of the fact sheet's 28 figures rest on official figures (store reads).

A figure rests on official figures for an area when every indicator it shows has stored rows for
that area from a source other than eksempeldata (Jobindsats, StatBank, the municipality's own
files, or a derived value computed from those alone) and none from eksempeldata: a figure that
mixes real and synthetic series counts as eksempeldata, as it does on the fact sheet's first page. `faktabot status` prints the count and the
rest; the fact sheet's first page says the same from its own figures. For a figure in the rest
whose indicator the catalogue declares not computable, the catalogue's reason is given too.
"""
from __future__ import annotations

from dataclasses import dataclass

from indicators import derived
from indicators.catalogue import Catalogue
from indicators.sources_check import figure_numbers
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE


@dataclass(frozen=True)
class Coverage:
    official: tuple[str, ...]  # figure numbers
    rest: tuple[str, ...]  # figure numbers that show eksempeldata or nothing
    # (figure number, indicator, reason) for an indicator of the rest with no official figures, no
    # official table, and a formula the catalogue declares not computable (op not_computable)
    not_computable: tuple[tuple[str, str, str], ...] = ()

    @property
    def total(self) -> int:
        return len(self.official) + len(self.rest)


def coverage(store: Store, catalogue: Catalogue, area: str | None = None) -> Coverage:
    sources = store.indicator_sources(area)
    # Only where no official table could supply the figure instead (forsørgertryk has ptv_a02).
    reasons = {n.indicator: n.reason for n in derived.catalogue_formulas(catalogue)[1]
               if not any(s.kind in ("jobindsats", "statbank") for s in catalogue.get(n.indicator).sources)}
    official, rest, why = [], [], []
    for number in figure_numbers(catalogue):
        ids = [i.id for i in catalogue if number in i.figures]
        missing = [i for i in ids if not sources.get(i, set()) - {SAMPLE_SOURCE}]
        mixed = [i for i in ids if SAMPLE_SOURCE in sources.get(i, set())]
        (rest if missing or mixed else official).append(number)
        why.extend((number, i, reasons[i]) for i in missing if i in reasons)
    return Coverage(tuple(official), tuple(rest), tuple(why))
