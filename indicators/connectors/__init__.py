"""Connectors: one per source, behind one small protocol (data in).

`plan()` is pure: it turns the catalogue's source entries into the queries to send. `fetch()`
does the I/O, through `indicators.connectors.http` only. `normalise()` is pure again: a fetched
answer becomes a list of `Observation`s, or a `SourceError` that says what the catalogue lacks.
A connector may also offer `normalise_rows()`, the same as rows in the store's column order
(`types.rows_of`); the refresh uses it where it exists, and builds no Observation per value then.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from indicators.catalogue import Areas, Catalogue, Indicator
from indicators.connectors.http import HttpClient, RetryPolicy, SourceError
from indicators.types import IndicatorSource, Observation
from indicators.wording import wording

__all__ = ["Connector", "HttpClient", "Newest", "RetryPolicy", "SourceError", "Wanted", "source_key",
           "wanted_from"]


@dataclass(frozen=True, slots=True)
class Wanted:
    """One `[[indicator.X.source]]` entry the run should deliver, with its place in the preference order."""

    indicator: Indicator
    source: IndicatorSource
    rank: int  # 0 = the indicator's preferred source

    @property
    def where(self) -> str:
        return wording("catalogue_source", indicator=self.indicator.id, rank=self.rank + 1)


# (indicator, source string, breakdowns, period kind) -> newest stored period, or None.
Newest = Callable[[str, str, Sequence[str], str], "str | None"]


class Connector(Protocol):
    """What `indicators.refresh` needs from a source."""

    name: str

    def plan(self, wanted: Sequence[Wanted], newest: Newest, *, full: bool = False) -> list[Any]:
        """The queries that deliver `wanted`; pure apart from asking `newest` what is stored."""

    def fetch(self, query: Any) -> Any:
        """Send one query (I/O); raises `SourceError`."""

    def normalise(self, answer: Any, areas: Areas, fetched_at: str) -> list[Observation]:
        """One fetched answer as observations (pure); raises `SourceError` on what it cannot place."""


def source_key(indicator: str, source: IndicatorSource) -> str:
    """One catalogue source as a stable string: indicator, source, table, measure, hierarchies and
    variables. `faktabot sources --check` stores what it found under this key; a catalogue that
    changes its guess gets a new key, so the new guess waits for a check of its own."""
    parts = [indicator, f"{source.kind}:{source.table}", source.measure,
             ",".join(f"{k}={v}" for k, v in sorted(source.hierarchy.items())),
             ",".join(f"{k}={v}" for k, v in sorted(source.variables.items()))]
    return "|".join(parts)


def wanted_from(catalogue: Catalogue, kind: str, indicator_ids: Sequence[str] = (),
                include_unverified: bool = False, confirmed: Collection[str] = ()) -> list[Wanted]:
    """The catalogue's sources of `kind`, for the given indicators (default: all).

    Sources marked `verified = false` guess a table or a measure; they are fetched only when their
    indicator is named, or when the newest `faktabot sources --check` found them (`confirmed`: their
    `source_key`s, from `Store.confirmed_sources()`), so one guess cannot fail every scheduled refresh.
    """
    unknown = [i for i in indicator_ids if i not in catalogue]
    if unknown:
        raise KeyError(unknown[0])
    chosen = [catalogue.get(i) for i in indicator_ids] if indicator_ids else list(catalogue)
    return [
        Wanted(indicator, source, rank)
        for indicator in chosen
        for rank, source in enumerate(indicator.sources)
        if source.kind == kind and (source.verified or include_unverified or indicator_ids
                                    or source_key(indicator.id, source) in confirmed)
    ]
