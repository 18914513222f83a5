"""A file's total made of its parts: a file that gives every part of a figure's breakdown (samtaler for
Ledige, Sygemeldte and Øvrige) but no »I alt« row. Pure; `indicators.refresh.refresh_file` calls it.

Where the catalogue says the parts add up to the total (`total_is_sum_of = "gruppe"` on the indicator),
the total is their sum. Otherwise the kommune's parts say nothing of the total, and an eksempeldata
total of that area must not stand beside them as if it belonged to them: it is removed. Either way
the import says which; a summed total's source says it too (`file:<name>/sum`, `types.SUMMED`). A file with only some of the parts is left as it is (answers say that its
total is eksempeldata beside real parts).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from indicators.catalogue import Catalogue, Indicator
from indicators.types import SAMPLE_SOURCE, Observation, summed_source


@dataclass(frozen=True)
class TotalSaid:
    """What the import did for one indicator's missing totals, for its summary line."""

    indicator: str
    parts: tuple[str, ...]  # the parts' values, as the catalogue names them: Ledige, Sygemeldte, Øvrige
    computed: int = 0  # totals computed as the sum of the parts (one per area and period)
    removed: int = 0  # areas whose eksempeldata total was removed instead


@dataclass(frozen=True)
class Completed:
    observations: list[Observation]  # the file's, with the computed totals
    said: tuple[TotalSaid, ...]
    # (indicator, area, "") series whose eksempeldata must go: real parts, no total to put there
    without_total: frozenset[tuple[str, str, str]]


def all_parts(indicator: Indicator) -> dict[str, frozenset[str]]:
    """Per breakdown key, every part the indicator's file sources name (`gruppe` -> Ledige, …)."""
    parts: dict[str, set[str]] = defaultdict(set)
    for source in indicator.sources:
        if source.kind != "file":
            continue
        for breakdown in source.breakdowns.values():
            key, _, value = breakdown.partition("=")
            if value and ";" not in breakdown and key in indicator.breakdowns:
                parts[key].add(value)
    return {key: frozenset(values) for key, values in parts.items() if len(values) > 1}


def with_totals(observations: list[Observation], catalogue: Catalogue,
             sample_totals: frozenset[tuple[str, str, str]] = frozenset()) -> Completed:
    """The file's observations with a total for every area and period that has all the parts of a
    summed breakdown and no total; `sample_totals`: the (indicator, area, "") series that hold
    eksempeldata now, of which those left beside a complete set of real parts are named to go."""
    # Only figures whose file sources name their parts are grouped (a Jobindsats export's 100.000
    # rows name none: no grouping, no memory).
    parts_of = {i: all_parts(catalogue.get(i)) for i in {o.indicator for o in observations} if i in catalogue}
    groups: dict[tuple[str, str, str], dict[str, Observation]] = defaultdict(dict)
    for obs in observations:
        if parts_of.get(obs.indicator) and obs.source != SAMPLE_SOURCE:  # an example row is no part of it
            groups[(obs.indicator, obs.area, obs.period)][obs.breakdown] = obs
    added: list[Observation] = []
    computed: dict[str, int] = defaultdict(int)
    uncovered: set[tuple[str, str, str]] = set()
    named: dict[str, tuple[str, ...]] = {}
    for (indicator_id, area, period), rows in groups.items():
        if "" in rows:
            continue
        indicator = catalogue.get(indicator_id)
        for key, parts in parts_of[indicator_id].items():
            found = {breakdown.partition("=")[2]: obs for breakdown, obs in rows.items()
                     if breakdown.partition("=")[0] == key and ";" not in breakdown}
            if not parts <= set(found):
                continue  # only some of the parts: nothing is known of the total
            named[indicator_id] = tuple(sorted(parts))
            values = [found[part].value for part in parts]
            if indicator.total_is_sum_of == key and all(v is not None for v in values):
                first = found[min(parts)]
                # marked as summed (`types.SUMMED`): the answers say so, not »kommunens egne data« alone
                added.append(replace(first, breakdown="", value=float(sum(values)), source=summed_source(first.source)))
                computed[indicator_id] += 1
            else:
                uncovered.add((indicator_id, area, ""))
            break
    removed: dict[str, int] = defaultdict(int)
    # A period computed elsewhere in the same area fills the total series: nothing to remove there.
    filled = {(obs.indicator, obs.area, "") for obs in added}
    without = frozenset(s for s in uncovered - filled if s in sample_totals)
    for indicator_id, _, _ in without:
        removed[indicator_id] += 1
    said = tuple(TotalSaid(i, named[i], computed.get(i, 0), removed.get(i, 0))
                 for i in sorted(set(computed) | set(removed)))
    return Completed(observations + added, said, without)
