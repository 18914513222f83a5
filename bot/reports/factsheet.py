"""The quarterly fact sheet: seven A4 pages, four figures each, as a PDF (matplotlib PdfPages).

Reads the store (I/O) and `templates/factsheet.toml` (which figure shows what); each figure gets
its chart, "Hvordan er figuren lavet?" from the catalogue and "Hvad viser figuren?" written from
the data by `templates/factsheet_figure.txt.j2`. Figures without data say so instead of a chart.
"""
from __future__ import annotations

import gc
import io
import re
import textwrap
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.asking.answers import change
from bot.config import Config
from bot.rendering import charts, render
from indicators import periods
from indicators.catalogue import (
    Areas,
    Catalogue,
    Indicator,
    default_areas,
    default_catalogue,
)
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Observation, parse_breakdown
from indicators.wording import wording

if TYPE_CHECKING:  # matplotlib is imported where pages are drawn: it costs most of a second
    from matplotlib.figure import Figure

SPEC_PATH = render.TEMPLATE_DIR / "factsheet.toml"
A4 = (8.27, 11.69)
NUMBER_AND_UNIT = re.compile(r"(\d) (pct\.)")
# A target path for an indicator and area: [(period, måltal)], from the rules; empty if none.
TargetPaths = Callable[[str, str], Sequence[tuple[str, float]]]


@dataclass(frozen=True)
class Series:
    """One plotted line: an indicator in an area (or one breakdown value), newest last."""

    label: str
    indicator: Indicator
    area: str
    observations: tuple[Observation, ...]
    role: str = "kommune"  # "kommune", "region", "land" or "breakdown": picks the colour
    year_ago: Observation | None = None  # the same period a year before the newest, for the text
    secondary: bool = False  # on the right-hand axis (a country's count beside a kommune's)

    @property
    def synthetic(self) -> bool:
        return any(o.source == SAMPLE_SOURCE for o in self.observations)

    @property
    def newest(self) -> Observation:
        return self.observations[-1]

    @property
    def short(self) -> bool:
        """Too few periods to draw as a line (the store holds no more: a window is longer): written
        as its value and first period instead (the first month of the kommune's own file)."""
        return len(self.observations) < charts.LINE_POINTS

    @property
    def yearly(self):
        """The change against the same period last year (answers.Change) or None."""
        return change(self.newest, self.year_ago, self.indicator)


@dataclass(frozen=True)
class Bar:
    """One bar: a category (breakdown value or area) in a group, with last year's value if held."""

    group: str
    category: str
    value: float
    year_ago: float | None = None
    synthetic: bool = False
    role: str = "breakdown"  # the kommune's breakdown, or an area ("kommune", "region", "land") in 1.2
    own: bool = False  # from the kommune's own file


@dataclass
class FigureFacts:
    """What one figure shows, as data for the chart and for the "Hvad viser figuren?" text."""

    number: str
    title: str
    indicator: Indicator
    chart: charts.ChartSpec | charts.BarSpec | None
    lines: list[Series] = field(default_factory=list)
    bars: list[tuple[str, list[tuple[str, float]]]] = field(default_factory=list)  # (area, [(label, value)])
    measure: str = "value"
    target: list[tuple[str, float]] = field(default_factory=list)
    sample_data: bool = False
    sources: set[str] = field(default_factory=set)
    newest: str | None = None
    how: str = ""  # "Hvordan er figuren lavet?", this figure's own, naming only what it shows
    missing: list[str] = field(default_factory=list)  # breakdowns the seed shows that the store lacks
    shown_breakdowns: list[str] = field(default_factory=list)
    bar_details: list[Bar] = field(default_factory=list)
    total: Series | None = None  # the kommune's total beside a breakdown (4.1: all ledige)
    also: Series | None = None  # a related series the text names (4.2: the actual rate beside the adjusted)
    target_rule: str = ""  # "path" (a målsti) or "national" (at least the national level)
    target_kind: str = "trajectory"  # the target's kind: a trajectory (målsti), a ceiling (loft) or a floor
    trends: list[tuple[Series, float]] = field(default_factory=list)  # (series, change per year in pct.)
    group_roles: dict[str, str] = field(default_factory=dict)
    quarter: str = ""  # the fact sheet's quarter (2026-Q2)
    later: str | None = None  # without a figure by the quarter's end: the first period the store holds after it
    # Lines of a breakdown held only after the quarter (5.1's Ledige from the kommune's file, begun in
    # September, on the sheet for 2. kvt.): (label, first period), so the group is not silently gone.
    later_parts: list[tuple[str, str]] = field(default_factory=list)
    forecast: bool = False  # 1.3: forecasts for the year under way, not measured changes
    index: bool = False  # 2.2: every line drawn as an index (its first period = 100)

    @property
    def behind(self) -> list[tuple[str, str, bool]]:
        """(label, newest period, whether it lies inside the quarter) of each shown figure that ends
        before the quarter's last month: the text says so, so that an older period never reads as the
        quarter's (3. kvt. 2025 on a sheet for 2. kvt. 2026; July alone on one for 3. kvt.). Lines of
        the kommune by their label; bars as one, with an empty label."""
        if not self.quarter:
            return []
        quarter = periods.parse(self.quarter)
        before = periods.parse(quarter_end(self.quarter)).shift(-1)
        if self.lines:
            shown = [(s.label, s.newest.period) for s in self.lines if s.area == self.lines[0].area]
        else:
            shown = [("", self.newest)] if self.newest and self.bar_details else []
        return [(label, period, quarter.contains(periods.parse(period))) for label, period in shown
                if periods.parse(period).ends_by(before)]

    @property
    def official_parts(self) -> list[tuple[str, str, bool]]:
        """(label, role, from the kommune's own file) of the parts on real figures in a chart that also
        holds eksempeldata (3.1: Kontanthjælp among ten synthetic ydelser; 5.1: samtaler for Ledige
        from the kommune's file beside synthetic Sygemeldte and Øvrige), so that the text's
        eksempeldata line names them: one group of bars has no legend to mark them, and a line
        too short to draw has none either."""
        if self.lines:
            if not any(s.synthetic for s in self.lines):
                return []
            return [(s.label, s.role, all(o.source.startswith("file:") for o in s.observations))
                    for s in self.lines if not s.synthetic]
        if not any(b.synthetic for b in self.bar_details):
            return []
        parts: dict[str, Bar] = {}
        for b in self.bar_details:  # a category's first bar is the kommune's
            parts.setdefault(b.category, b)
        return [(c, b.role, b.own) for c, b in parts.items()
                if not any(other.synthetic for other in self.bar_details if other.category == c)]

    @property
    def empty(self) -> bool:
        """Whether the figure shows no figures for the quarter (it is then no figure on official figures)."""
        return not self.lines and not self.bar_details

    @property
    def year_ago(self) -> str | None:
        """The period a year before the newest shown (1.2's change bars run from it to the newest)."""
        return str(periods.parse(self.newest).same_period_last_year()) if self.newest else None

    @property
    def behind_all(self) -> bool:
        """Whether every figure the text lists is older than the quarter (one sentence without names)."""
        shown = [s for s in self.lines if s.area == self.lines[0].area] if self.lines else [None]
        return len(self.behind) == len(shown)

    @property
    def movements(self) -> list[tuple[Series, object]]:
        """Each line's change from its first to its last period (answers.Change or None)."""
        return [(s, change(s.observations[-1], s.observations[0], s.indicator)) for s in self.lines]

    @property
    def main(self) -> Series | None:
        return self.lines[0] if self.lines else None

    @property
    def comparisons(self) -> list[tuple[Series, float, float]]:
        """(other area's series, its value, kommune minus it) at the kommune's newest period, for
        rates only: a kommune's count beside the country's says nothing."""
        main = self.main
        if main is None or main.indicator.format == "count" or main.role != "kommune":
            return []
        result = []
        for s in self.lines[1:]:
            if s.role in ("region", "land") and s.indicator.id == main.indicator.id:
                other = next((o for o in s.observations if o.period == main.newest.period), None)
                if other is not None and other.value is not None:
                    result.append((s, other.value, main.newest.value - other.value))
        return result

    @property
    def moved_most(self) -> dict | None:
        """The breakdown (line or bar) that changed most against the same period last year:
        {"label", "absolute", "relative"}; relative is None for rates. None with fewer than two, and
        for forecasts: this year's forecast against last year's is no change of anything."""
        if self.forecast:
            return None
        candidates = []
        for s in self.lines:
            if s.role == "breakdown" and s.yearly is not None:
                candidates.append({"label": s.label, "absolute": s.yearly.absolute, "relative": s.yearly.relative})
        for bar in self.bar_details:
            if bar.role != "breakdown":
                continue
            if self.measure == "change":
                candidates.append({"label": bar.category, "absolute": bar.value, "relative": bar.value})
            elif bar.year_ago is not None:
                absolute = bar.value - bar.year_ago
                relative = absolute / bar.year_ago * 100 if self.indicator.format == "count" and bar.year_ago else None
                candidates.append({"label": bar.category, "absolute": absolute, "relative": relative})
        if len(candidates) < 2:
            return None
        return max(candidates, key=lambda c: abs(c["relative"] if c["relative"] is not None else c["absolute"]))

    @property
    def target_gap(self) -> float | None:
        """The newest value minus the target path at the same period, if both exist."""
        if not self.target or not self.lines:
            return None
        last = self.lines[0].observations[-1]
        expected = dict(self.target).get(last.period)
        return None if expected is None else last.value - expected

    @property
    def target_expected(self) -> float | None:
        if not self.target or not self.lines:
            return None
        return dict(self.target).get(self.lines[0].observations[-1].period)

    @property
    def source_kinds(self) -> list[str]:
        """Where the shown figures come from; a derived figure by the sources it is computed from."""
        kinds: set[str] = set()
        for source in self.sources:
            kind, _, table = source.partition(":")
            kinds |= set(default_catalogue().origins(table)) if kind == "derived" else {kind}
        return sorted(kinds)

    @property
    def own_data(self) -> bool:
        """Whether a shown figure comes from the kommune's own file (real, but no official statistic)."""
        return any(source.startswith("file:") for source in self.sources)

    @property
    def computed(self) -> bool:
        """Whether a shown figure is computed by Faktabot from other figures (a derived indicator)."""
        return any(source.startswith("derived:") for source in self.sources)

    @property
    def alt_text(self) -> str:
        """A one-sentence description of the chart for readers who cannot see it."""
        return render.render("factsheet_alt.txt.j2", f=self)


def load_spec(path: Path = SPEC_PATH) -> list[dict]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)["figure"]


def quarter_end(quarter: str) -> str:
    """The last month of a quarter in the store's spelling: 2026-Q2 -> 2026-06."""
    q = periods.parse(quarter)
    return str(periods.month(q.year, q.start_month + 2))


def _kind(indicator: Indicator, store: Store, area: str, breakdown: str = "", wanted: str | None = None) -> str | None:
    available = store.period_kinds(indicator.id, area, breakdown)
    preference = {"month": ("month", "quarter", "year"), "quarter": ("quarter", "month", "year"),
                  "year": ("year", "quarter", "month")}[wanted or indicator.frequency]
    return next((kind for kind in preference if kind in available), None)


def _upto(observations: list[Observation], last_month: str) -> list[Observation]:
    end = periods.parse(last_month)
    return [o for o in observations if o.value is not None and periods.parse(o.period).ends_by(end)]


def _year_ago(rows: Sequence[Observation]) -> Observation | None:
    if not rows:
        return None
    wanted = str(periods.parse(rows[-1].period).same_period_last_year())
    return next((o for o in reversed(rows) if o.period == wanted), None)


def _area_codes(entry: dict, kommune: str, areas: Areas) -> list[str]:
    codes = [entry.get("area_override", kommune)]
    for code in entry.get("areas", []):
        codes.append(areas.get(kommune).region if code == "region" else code)
    return list(dict.fromkeys(c for c in codes if c))


def _label(areas: Areas, code: str) -> str:
    return areas.get(code).name


def _after_comma(areas: Areas, code: str) -> str:
    """An area named after a comma in a label: »Aktiveringsgraden, hele landet«, as the texts write it."""
    name = _label(areas, code)
    return name[:1].lower() + name[1:] if areas.get(code).kind == "land" else name


def _role(areas: Areas, code: str) -> str:
    kind = areas.get(code).kind
    return kind if kind in ("region", "land") else "kommune"


def _keys(entry: dict) -> list[str]:
    by = entry.get("by", [])
    return [by] if isinstance(by, str) else list(by)


def _breakdown_name(keys: Sequence[str]) -> str:
    return " og ".join(render.breakdown_key(k) for k in keys)


def _held_key_sets(store: Store, indicator: str, code: str) -> set[frozenset[str]]:
    return {frozenset(parse_breakdown(b)) for b in store.breakdowns(indicator, code) if b}


def build_figure(entry: dict, store: Store, catalogue: Catalogue, areas: Areas, kommune: str,
                 last_month: str, target_paths: TargetPaths | None = None) -> FigureFacts:
    indicator = catalogue.get(entry["indicator"])
    facts = FigureFacts(number=entry["number"], title=entry["title"], indicator=indicator, chart=None,
                        measure=entry.get("measure", "value"), forecast=bool(entry.get("forecast")),
                        index=bool(entry.get("index")))
    end = periods.parse(last_month)
    facts.quarter = str(periods.quarter(end.year, end.quarter))
    if facts.forecast:
        # A forecast is for the year under way (the quarter's year), not the last year that is over.
        last_month = str(periods.month(periods.parse(last_month).year, 12))
    codes = _area_codes(entry, kommune, areas)
    chart = entry["chart"]
    if chart == "lines":
        _lines(facts, entry, store, catalogue, areas, codes, last_month)
        if entry.get("target") == "national":
            facts.target_rule = "national"
        elif entry.get("target") and target_paths and facts.lines:
            first, last = facts.lines[0].observations[0].period, facts.lines[0].observations[-1].period
            path = target_paths(indicator.id, codes[0])
            facts.target = [(p, v) for p, v in path if first <= p <= last]
            facts.target_kind = getattr(path, "kind", "trajectory")
            facts.target_rule = "path" if facts.target else ""
    elif chart in ("bars", "change"):
        _bars(facts, entry, store, catalogue, areas, codes, last_month)
    _expected(facts, entry, store, codes[0])
    shown = [o for s in facts.lines for o in s.observations]
    facts.sample_data = (any(o.source == SAMPLE_SOURCE for o in shown) or "eksempeldata" in facts.sources
                         or any(b.synthetic for b in facts.bar_details))
    facts.sources |= {o.source for o in shown}
    facts.how = render.environment().from_string(entry.get("how", indicator.definition)).render(
        kommune=_label(areas, kommune), shown=facts.shown_breakdowns, f=facts).strip()
    if facts.empty:
        _later(facts, store, codes[0], last_month)
    facts.chart = _chart_spec(facts, entry)
    return facts


def _later(facts: FigureFacts, store: Store, code: str, last_month: str) -> None:
    """A figure with nothing by the quarter's end may still hold later figures (6.4: July only, on a
    sheet for 2. kvt.): note the first such period and its source, so the text does not say the
    store has no figures at all."""
    end = periods.parse(last_month)
    after = [o for breakdown in dict.fromkeys(["", *store.breakdowns(facts.indicator.id, code)])
             for o in store.series(facts.indicator.id, code, breakdown)
             if o.value is not None and not periods.parse(o.period).ends_by(end)]
    if after:
        first = min(after, key=lambda o: periods.parse(o.period))
        facts.later = first.period
        facts.sources |= {o.source for o in after}


def _expected(facts: FigureFacts, entry: dict, store: Store, code: str) -> None:
    """Note each breakdown the seed figure shows that the store holds no figures for."""
    held = _held_key_sets(store, facts.indicator.id, code)
    wanted: list[tuple[list[str], str]] = [([k], entry.get("by_name", render.breakdown_key(k))) for k in _keys(entry)]
    wanted += [(list(e["keys"]), e["name"]) for e in entry.get("expects", [])]
    extra = {"ydelse", entry.get("split", "ydelse")}
    for keys, name in wanted:
        found = any(set(keys) <= key_set and key_set - set(keys) <= extra for key_set in held)
        if not found:
            facts.missing.append(name)
        elif name not in facts.shown_breakdowns:
            facts.shown_breakdowns.append(name)


def _series_rows(store: Store, indicator: Indicator, code: str, breakdown: str, last_month: str,
                 wanted_kind: str | None = None) -> list[Observation]:
    kind = _kind(indicator, store, code, breakdown, wanted_kind)
    return _upto(store.series(indicator.id, code, breakdown, kind), last_month) if kind else []


def _lines(facts: FigureFacts, entry: dict, store: Store, catalogue: Catalogue, areas: Areas,
           codes: list[str], last_month: str) -> None:
    window = int(entry.get("window", 13))
    wanted_kind = entry.get("kind")
    indicators = [facts.indicator] + [catalogue.get(i) for i in entry.get("series", [])]
    keys = _keys(entry)
    if keys:
        # One line per breakdown value ("samtaler" per målgruppe), kommune only.
        key = keys[0]
        values = catalogue.breakdowns[key].values if key in catalogue.breakdowns else {}
        order = list(dict.fromkeys(values.values()))
        found = []
        for breakdown in store.breakdowns(facts.indicator.id, codes[0]):
            split = parse_breakdown(breakdown)
            if list(split) == [key]:
                rows = _series_rows(store, facts.indicator, codes[0], breakdown, last_month, wanted_kind)
                if rows:
                    found.append(Series(split[key], facts.indicator, codes[0], tuple(rows[-window:]), "breakdown",
                                        _year_ago(rows)))
                elif first := _first_after(store.series(facts.indicator.id, codes[0], breakdown), last_month):
                    facts.later_parts.append((split[key], first))
        found.sort(key=lambda s: order.index(s.label) if s.label in order else len(order))
        facts.later_parts.sort(key=lambda part: order.index(part[0]) if part[0] in order else len(order))
        facts.lines.extend(found)
        if not found:
            # The breakdown is missing: show the kommune's total, and the figure says what is missing.
            rows = _series_rows(store, facts.indicator, codes[0], "", last_month, wanted_kind)
            if rows:
                facts.lines.append(Series(_label(areas, codes[0]), facts.indicator, codes[0], tuple(rows[-window:]),
                                          "kommune", _year_ago(rows)))
        if entry.get("trend"):
            facts.trends = [(s, slope) for s in facts.lines if (slope := _trend(s)) is not None]
        if facts.lines:
            facts.newest = max(s.newest.period for s in facts.lines)
        return
    breakdown = entry.get("breakdown", "")
    for indicator in indicators:
        for code in codes:
            rows = _series_rows(store, indicator, code, breakdown, last_month, wanted_kind) if breakdown else []
            if breakdown and not rows and indicator is facts.indicator:
                # The wanted measure (4.2: seasonally adjusted) is not held for this area: say so
                # on the figure rather than plot another measure under its name.
                facts.missing.append(entry.get("missing_name", "{area}").format(area=_label(areas, code)))
                continue
            if not breakdown:
                rows = _series_rows(store, indicator, code, "", last_month, wanted_kind)
            if not rows:
                continue
            name = indicator.name[:1].upper() + indicator.name[1:]
            label = _label(areas, code) if len(indicators) == 1 else (
                name if code == codes[0] else f"{name}, {_after_comma(areas, code)}")
            role = _role(areas, code) if len(codes) > 1 or len(indicators) == 1 else "breakdown"
            secondary = bool(entry.get("secondary")) and code != codes[0]
            facts.lines.append(Series(label, indicator, code, tuple(rows[-window:]), role, _year_ago(rows), secondary))
    if "also" in entry:
        rows = _series_rows(store, facts.indicator, codes[0], entry["also"], last_month, wanted_kind)
        if rows:
            facts.also = Series(_label(areas, codes[0]), facts.indicator, codes[0], tuple(rows[-window:]),
                                "kommune", _year_ago(rows))
    if facts.lines:
        facts.newest = facts.lines[0].observations[-1].period


def _first_after(observations: Sequence[Observation], last_month: str) -> str | None:
    """The first period with a figure after `last_month`, if any."""
    end = periods.parse(last_month)
    after = [o for o in observations if o.value is not None and not periods.parse(o.period).ends_by(end)]
    return min(after, key=lambda o: periods.parse(o.period)).period if after else None


def _trend(series: Series) -> float | None:
    """The least-squares slope of a line, in pct. of its mean per year (None for fewer than 4 points)."""
    points = [(charts._x(o.period), o.value) for o in series.observations]
    if len(points) < 4:
        return None
    n = len(points)
    mean_x, mean_y = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    denominator = sum((x - mean_x) ** 2 for x, _ in points)
    if not denominator or not mean_y:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / denominator
    return slope / mean_y * 100


def _bar_value(rows: list[Observation], entry: dict, last_month: str) -> tuple[Observation, float, float | None] | None:
    """The newest value of a breakdown (or its mean over the quarter, `period = "quarter"`) and the
    value a year before, if held."""
    if not rows:
        return None
    current = rows[-1]
    if entry.get("period") == "quarter":
        # 6.4 shows the whole quarter: the mean of the quarter's months, not one month of it.
        quarter = periods.parse(last_month).quarter
        year = periods.parse(last_month).year
        inside = [o for o in rows if periods.parse(o.period).kind == "month"
                  and periods.parse(o.period).year == year and periods.parse(o.period).quarter == quarter]
        if not inside:
            return None
        before = [o for o in rows if periods.parse(o.period).kind == "month"
                  and periods.parse(o.period).year == year - 1 and periods.parse(o.period).quarter == quarter]
        mean = sum(o.value for o in inside) / len(inside)
        return inside[-1], mean, (sum(o.value for o in before) / len(before) if before else None)
    base = _year_ago(rows)
    return current, current.value, base.value if base is not None else None


def _bars(facts: FigureFacts, entry: dict, store: Store, catalogue: Catalogue, areas: Areas,
          codes: list[str], last_month: str) -> None:
    indicator, keys = facts.indicator, _keys(entry)
    details: list[Bar] = []
    if entry["chart"] == "change":
        facts.measure = "change"
        wanted = [(code, "", _label(areas, code), _role(areas, code)) for code in codes]
        # The breakdowns (køn, herkomst, alder) of the kommune, after the areas.
        for breakdown in store.breakdowns(indicator.id, codes[0]):
            split = parse_breakdown(breakdown)
            if len(split) == 1 and next(iter(split)) in keys:
                wanted.append((codes[0], breakdown, next(iter(split.values())), "breakdown"))
        for code, breakdown, label, role in wanted:
            rows = _series_rows(store, indicator, code, breakdown, last_month)
            if not rows:
                continue
            current = rows[-1]
            delta = change(current, _year_ago(rows), indicator)
            if delta and delta.relative is not None:
                details.append(Bar("", label, delta.relative, None, current.source == SAMPLE_SOURCE, role,
                                   current.source.startswith("file:")))
                facts.sources.add(current.source)
                facts.newest = max(facts.newest or current.period, current.period)
        facts.group_roles[""] = "kommune"
        facts.bar_details = details
        if details:
            facts.bars.append(("", [(b.category, b.value) for b in details]))
        return
    split_key = entry.get("split")
    for code in codes:
        for breakdown in store.breakdowns(indicator.id, code):
            split = parse_breakdown(breakdown)
            key = next((k for k in keys if k in split), None)
            if key is None or set(split) - {key, split_key} - ({"ydelse"} if key != "ydelse" else set()):
                continue
            rows = _series_rows(store, indicator, code, breakdown, last_month)
            picked = _bar_value(rows, entry, last_month)
            if picked is None:
                continue
            current, value, before = picked
            if facts.measure == "change":
                if not before:
                    continue
                value, before = (value - before) / before * 100, None
            if split_key and split_key in split:
                group = split[split_key] if code == codes[0] else f"{split[split_key]}, {_after_comma(areas, code)}"
                facts.group_roles.setdefault(group, "breakdown" if code == codes[0] else "land")
            else:
                group = _label(areas, code)
                facts.group_roles.setdefault(group, _role(areas, code))
            details.append(Bar(group, split[key], value, before, current.source == SAMPLE_SOURCE,
                               "breakdown" if code == codes[0] else _role(areas, code), current.source.startswith("file:")))
            facts.sources.add(current.source)
            facts.newest = max(facts.newest or current.period, current.period)
        if code == codes[0] and details:
            rows = _series_rows(store, indicator, code, "", last_month)
            if rows and rows[-1].period == facts.newest:
                facts.total = Series(_label(areas, code), indicator, code, tuple(rows[-13:]), "kommune", _year_ago(rows))
    order = _category_order(catalogue, keys)
    details.sort(key=lambda b: (order.index(b.category) if b.category in order else len(order), b.category))
    facts.bar_details = details
    for group in dict.fromkeys(b.group for b in details):
        facts.bars.append((group, [(b.category, b.value) for b in details if b.group == group]))


def _category_order(catalogue: Catalogue, keys: Sequence[str]) -> list[str]:
    order: list[str] = []
    for key in keys:
        kind = catalogue.breakdowns.get(key)
        if kind:
            order += list(dict.fromkeys(kind.values.values()))
    return order


def _colour(role: str, index: int) -> str:
    if role in charts.AREA_COLOURS:
        return charts.AREA_COLOURS[role]
    return charts.BREAKDOWN_COLOURS[index % len(charts.BREAKDOWN_COLOURS)]


def _chart_spec(facts: FigureFacts, entry: dict):
    indicator = facts.indicator
    unit = charts.unit_of(indicator)
    note = render.render("factsheet_missing.txt.j2", f=facts) if facts.missing else ""
    if facts.lines:
        # The eksempeldata mark goes on the synthetic lines only; across the whole chart only when
        # every line in it is synthetic.
        every = all(s.synthetic for s in facts.lines)
        watermark = render.render("factsheet_watermark.txt.j2") if every else ""
        mark = render.render("factsheet_sample_label.txt.j2")
        short = [s for s in facts.lines if s.short]
        if len(short) == len(facts.lines):
            return _first_bars(facts, unit, note, watermark, "" if every else mark)
        if facts.later_parts:
            later = render.render("factsheet_later_parts.txt.j2", f=facts)
            note = f"{note}. {later}" if note else later
        if short:
            # A series of a period or two is written beside the lines, not drawn as a lone dot.
            first = render.render("factsheet_first.txt.j2", lines=short, mark="" if every else mark, bars=False)
            note = f"{note}. {first}" if note else first
        lines = []
        indicators = list(dict.fromkeys(s.indicator.id for s in facts.lines))
        for index, s in enumerate(facts.lines):
            if s.short:
                continue
            role_index = sum(1 for t in facts.lines[:index] if t.role == "breakdown")
            lines.append(charts.Line(
                s.label + (f" {mark}" if s.synthetic and not every else "") + (
                    " " + render.render("factsheet_right_axis.txt.j2") if s.secondary else ""),
                [(o.period, o.value) for o in s.observations],
                dashed=indicators.index(s.indicator.id) > 0 and s.role != "breakdown",
                colour=_colour(s.role, role_index), secondary=s.secondary))
        for s, _ in facts.trends:
            points = [(o.period, o.value) for o in s.observations]
            xs = [charts._x(p) for p, _ in points]
            n = len(xs)
            mean_x, mean_y = sum(xs) / n, sum(v for _, v in points) / n
            slope = sum((x - mean_x) * (v - mean_y) for x, (_, v) in zip(xs, points)) / sum((x - mean_x) ** 2 for x in xs)
            index = [t for t in facts.lines if t.role == "breakdown"].index(s) if s.role == "breakdown" else 0
            lines.append(charts.Line("", [(p, mean_y + slope * (x - mean_x)) for (p, _), x in zip(points, xs)],
                                     colour=_colour(s.role, index), thin=True))
        decimals = indicator.decimals
        secondary_unit = ""
        if entry.get("index"):
            lines = [charts.Line(line.label, [(p, v / line.points[0][1] * 100) for p, v in line.points],
                                 colour=line.colour, dashed=line.dashed)
                     for line in lines if line.points[0][1]]
            drawn = next(s for s in facts.lines if not s.short)
            unit = render.render("chart_index_label.txt.j2", first=drawn.observations[0].period)
            decimals = 0
        elif any(s.secondary and not s.short for s in facts.lines):
            secondary_unit = unit
        # The målsti follows the kommune's line: without that line drawn, it would stand alone.
        target = charts.Line(charts.goal_label(charts.GoalPath(facts.target, facts.target_kind)), facts.target) if (
            facts.target and decimals == indicator.decimals and not facts.lines[0].short) else None
        return charts.ChartSpec(title="", unit=unit, decimals=decimals, lines=lines, target=target, watermark=watermark,
                                note=note, secondary_unit=secondary_unit)
    if facts.bars:
        categories = list(dict.fromkeys(b.category for b in facts.bar_details))
        groups = [(area, [dict(values).get(c) for c in categories]) for area, values in facts.bars]
        short = entry.get("short_labels", {})
        categories = [short.get(c, c) for c in categories]
        every = all(b.synthetic for b in facts.bar_details)
        watermark = render.render("factsheet_watermark.txt.j2") if every else ""
        mark = render.render("factsheet_sample_label.txt.j2")
        synthetic_groups = {b.group for b in facts.bar_details if b.synthetic}
        labels = [g + (f" {mark}" if g in synthetic_groups and not every else "") for g, _ in groups]
        real = {label for label, _, _ in facts.official_parts}
        if real and all(b.synthetic == (b.category not in real) for b in facts.bar_details):
            # Eksempeldata but for whole categories (3.1: Kontanthjælp among ten synthetic ydelser; 6.3
            # the same in both areas): one group of bars has no legend to mark, and a group's mark
            # would call the real bars eksempeldata too, so the note names the real categories.
            labels = [g if len(groups) > 1 else "" for g, _ in groups]  # one group: the note is its legend
            parts = render.render("factsheet_sample_parts.txt.j2", f=facts)
            note = f"{note}. {parts}" if note else parts
        breakdown_index = [g for g, _ in groups if facts.group_roles.get(g) == "breakdown"]
        colours = [_colour(facts.group_roles.get(g, "kommune"),
                           breakdown_index.index(g) + 1 if g in breakdown_index else 0) for g, _ in groups]
        if facts.measure == "change":
            unit = render.render("factsheet_change_unit.txt.j2")
            colours = [charts.AREA_COLOURS["kommune"]]
        return charts.BarSpec(title="", unit=unit, decimals=1 if facts.measure == "change" else indicator.decimals,
                              categories=categories, groups=list(zip(labels, [v for _, v in groups])),
                              watermark=watermark, colours=colours, note=note)
    return None


def _first_bars(facts: FigureFacts, unit: str, note: str, watermark: str, mark: str) -> charts.BarSpec:
    """Every series of a line figure too short to draw (the first month or two of the kommune's own
    file): their newest values as bars, one per series, with their periods in the note."""
    first = render.render("factsheet_first.txt.j2", lines=facts.lines, mark=mark, bars=True)
    categories = [s.label + (f" {mark}" if s.synthetic and mark else "") for s in facts.lines]
    return charts.BarSpec(title="", unit=unit, decimals=facts.indicator.decimals, categories=categories,
                          groups=[("", [s.newest.value for s in facts.lines])], watermark=watermark,
                          colours=[_colour(facts.lines[0].role, 0)], note=f"{note}. {first}" if note else first)


def build(quarter: str, store: Store, catalogue: Catalogue, areas: Areas, kommune: str,
          target_paths: TargetPaths | None = None) -> list[FigureFacts]:
    last_month = quarter_end(quarter)
    return [build_figure(entry, store, catalogue, areas, kommune, last_month, target_paths) for entry in load_spec()]


def _draw_text(figure: Figure, x: float, y: float, width_chars: int, text: str, size: float,
               max_lines: int = 200) -> float:
    """Write wrapped text from (x, y) downwards in figure coordinates; return the y below it.

    Lines beyond `max_lines` are dropped and the last kept line ends with an ellipsis, so a long
    definition can never run into the next figure; the last paragraph is kept whole (it is the
    eksempeldata mark on a figure that has one, which must never be the line cut).
    """
    line_height = size / 72 / A4[1] * 1.25
    lines: list[tuple[str, bool, float]] = []
    last_paragraph = 0
    for paragraph in text.split("\n"):
        last_paragraph = len(lines)
        bold = paragraph.startswith("**")
        paragraph = paragraph.strip("*")
        fontsize = size * (0.75 if paragraph.startswith("~") else 1)
        # A number keeps its »pct.« on its line (1.3 broke »ledighed +1,9« from »pct.«): a no-break
        # space, which textwrap does not split at.
        paragraph = NUMBER_AND_UNIT.sub("\\1\u00a0\\2", paragraph.lstrip("~"))
        wrapped = textwrap.wrap(paragraph, int(width_chars * size / fontsize),
                                subsequent_indent="  " if paragraph.startswith("•") else "")
        lines += [(line, bold, fontsize) for line in wrapped or [""]]
    if len(lines) > max_lines:
        tail = lines[last_paragraph:] if len(lines) - last_paragraph < max_lines else []
        lines = lines[:max_lines - len(tail)]
        last, bold, fontsize = lines[-1]
        lines[-1] = (last.rstrip(" .,") + " …", bold, fontsize)
        lines += tail
    for line, bold, fontsize in lines:
        figure.text(x, y, line, fontsize=fontsize, va="top", ha="left", fontweight="bold" if bold else "normal")
        y -= line_height * fontsize / size
    return y


# The page grid, in figure coordinates of an A4 page: four rows, each a text column on the left
# (as the hand-made note has it) and the chart on the right, its legend above the plot.
ROW_TOP, ROW_HEIGHT = 0.915, 0.2175
TEXT_LEFT, TEXT_CHARS = 0.05, 56
CHART_LEFT, CHART_RIGHT = 0.515, 0.95
TEXT_PT, TITLE_PT, CHART_PT = 8, 10, 12  # CHART_PT is the charts' base size: ticks and legend at 8 pt
# The legend rows the room above a plot holds below the figure's title, and a row's height (8 pt
# text and the space between rows, about 12.5 pt) in figure coordinates.
LEGEND_ROWS, LEGEND_ROW = 3, 12.5 / 72 / A4[1]


def pages(figures: list[FigureFacts], quarter: str, kommune_name: str, catalogue: Catalogue) -> Iterator[Figure]:
    """One A4 matplotlib Figure per fact page, drawn as it is asked for: a page is written and let go
    before the next is drawn, so the seven pages' 28 charts are never all in memory at once."""
    from matplotlib.figure import Figure  # start-up time: matplotlib loads only to draw

    numbered = [(number, title) for number, title, _ in catalogue.by_page() if number]
    for number, title in numbered:
        on_page = [f for f in figures if f.number.startswith(f"{number}.")]
        figure = Figure(figsize=A4)
        header = render.render("factsheet_page_header.txt.j2", number=number, title=title, kommune=kommune_name,
                               quarter=quarter, sample=any(f.sample_data for f in on_page),
                               coverage=figures if number == numbered[0][0] else None)  # issue 13: page 1 only
        _draw_text(figure, TEXT_LEFT, 0.975, 80, header, 12)
        for index, facts in enumerate(on_page[:4]):
            top = ROW_TOP - index * ROW_HEIGHT
            figure.text(TEXT_LEFT, top, f"{facts.number} {facts.title}", fontsize=TITLE_PT, fontweight="bold", va="top")
            _draw_chart(figure, facts, top)
            text = render.render("factsheet_figure.txt.j2", f=facts, kommune=kommune_name)
            _draw_text(figure, TEXT_LEFT, top - 0.022, TEXT_CHARS, text, TEXT_PT, max_lines=16)
        footer = render.render("factsheet_page_footer.txt.j2", page=number, pages=len(numbered))
        figure.text(0.5, 0.015, footer, fontsize=TEXT_PT, ha="center", color="#555555")
        yield figure


def _draw_chart(figure: Figure, facts: FigureFacts, top: float) -> None:
    """The figure's chart in its row; without data, a framed box that says what is missing."""
    horizontal = isinstance(facts.chart, charts.BarSpec) and len(facts.chart.categories) > 5
    left = CHART_LEFT + (0.15 if horizontal else 0.0)
    # Room above the plot for the title line and up to three legend rows; below for the tick labels.
    # Lying bars (3.1's eleven målgrupper) take the legend's room when they have no legend.
    # (a one-line note alone, the eksempeldata of 3.1's bars, takes one row).
    lone = horizontal and len(facts.chart.groups) == 1
    # A legend of more than three rows (6.2's four lines, two areas with a note of two lines) grew
    # up beside the figure's title: the plot gives up a row's height for each row more.
    rows = charts.legend_rows(facts.chart, (1 - left) * A4[0] * 72, CHART_PT) if facts.chart is not None else 0
    above = (0.035 if not facts.chart.note else 0.05 if len(facts.chart.note) <= 48 else 0.075) if lone else (
        0.075 + max(0, rows - LEGEND_ROWS) * LEGEND_ROW)
    bottom, height = top - ROW_HEIGHT + 0.035, ROW_HEIGHT - 0.035 - above
    axes = figure.add_axes((left, bottom, CHART_RIGHT - left, height))
    axes.set_gid(f"chart-{facts.number}")
    if isinstance(facts.chart, charts.BarSpec):
        charts.draw_bars(axes, facts.chart, fontsize=CHART_PT, legend_above=True)
    elif facts.chart is not None:
        charts.draw_lines(axes, facts.chart, fontsize=CHART_PT, legend_above=True)
        # A right-hand axis takes its labels' room from the plot, not from beyond the page's edge.
        overflow = charts.right_axis_room(axes) / 72 / A4[0] - (1 - CHART_RIGHT - 0.01)
        if overflow > 0:
            for each in axes.get_shared_x_axes().get_siblings(axes):
                each.set_position((left, bottom, CHART_RIGHT - left - overflow, height))
    else:
        axes.set_xticks([])
        axes.set_yticks([])
        for spine in axes.spines.values():
            spine.set_color("#999999")
        message = render.render("factsheet_missing.txt.j2", f=facts) if facts.missing else render.render(
            "factsheet_no_data.txt.j2", f=facts)
        axes.text(0.5, 0.5, "\n".join(textwrap.wrap(message, 40)), ha="center", va="center",
                  fontsize=TEXT_PT + 1, color="#555555", transform=axes.transAxes)


def write_pdf(figures: list[FigureFacts], quarter: str, kommune_name: str, catalogue: Catalogue,
              out: Path | io.BytesIO) -> int:
    """Write the seven fact pages as one PDF; return the number of pages.

    The text is real text (TrueType fonts, not paths), and the document carries its title, author,
    subject, keywords and language, so screen readers and search find it.
    """
    import matplotlib  # start-up time: matplotlib loads only to draw
    from matplotlib.backends.backend_pdf import PdfPages

    metadata = document_metadata(quarter, kommune_name)
    buffer = io.BytesIO()
    count = 0
    # Everything alive before the first page (modules, matplotlib's caches, the store) is set aside
    # from the cycle collector while the pages are drawn: each collection below, and the automatic
    # full ones that drawing triggers, then look at the pages' objects only, not the whole process
    # (they cost a fifth of the fact sheet's time). Set back, so collectable, when the PDF is done.
    gc.freeze()
    try:
        with (matplotlib.rc_context({"pdf.fonttype": 42}),
              PdfPages(buffer, metadata={k: v for k, v in metadata.items() if k != "Lang"}) as pdf):
            for figure in pages(figures, quarter, kommune_name, catalogue):
                pdf.savefig(figure)
                count += 1
                # A figure is a web of reference cycles that only the cycle collector frees, and it seldom
                # runs while a PDF is drawn: without this the pages pile up (peak memory of the service).
                del figure
                gc.collect()
    finally:
        gc.unfreeze()
    data = _with_language(buffer.getvalue(), metadata["Lang"])
    if isinstance(out, io.BytesIO):
        out.write(data)
    else:
        Path(out).write_bytes(data)
    return count


def document_metadata(quarter: str, kommune_name: str) -> dict[str, str]:
    """Title, author, subject, keywords and language of the fact sheet's PDF (templates' words)."""
    words = render.render("factsheet_pdf_metadata.txt.j2", kommune=kommune_name, quarter=quarter).split("\n")
    title = render.render("factsheet_pdf_title.txt.j2", kommune=kommune_name, quarter=quarter)
    author, subject, keywords = (words + ["", "", ""])[:3]
    return {"Title": title, "Author": author, "Subject": subject, "Keywords": keywords,
            "Creator": "Faktabot", "Lang": "da-DK"}


def _with_language(pdf: bytes, language: str) -> bytes:
    """Set the document's language (/Lang in the catalogue), which matplotlib cannot write."""
    from pypdf import PdfReader, PdfWriter  # only when a PDF is written
    from pypdf.generic import NameObject, TextStringObject

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer._root_object[NameObject("/Lang")] = TextStringObject(language)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class FactSheetPdf:
    """The built fact sheet: the PDF's bytes, its pages and the figures it shows."""

    pdf: bytes
    pages: int
    figures: list[FigureFacts]


def make_pdf(store: Store, config: Config, quarter: str, target_paths: TargetPaths | None = None) -> FactSheetPdf:
    """The one way the fact sheet is built: for `faktabot factsheet`, the service and the summary."""
    catalogue, areas = default_catalogue(), default_areas()
    figures = build(quarter, store, catalogue, areas, config.area, target_paths)
    buffer = io.BytesIO()
    pages = write_pdf(figures, quarter, areas.get(config.area).name, catalogue, buffer)
    return FactSheetPdf(buffer.getvalue(), pages, figures)


def newest_complete_quarter(store: Store, today: date, kommune: str) -> str:
    """The newest finished quarter whose figures are in: the quarter before `today`'s, or earlier
    while fewer than half of the fact sheet's figures that hold data reach the quarter's end
    (on 30 November, 3. kvt. is finished but its quarterly figures are not yet published)."""
    catalogue = default_catalogue()
    newest: list[periods.Period] = []
    for entry in load_spec():
        indicator = catalogue.get(entry["indicator"])
        code = entry.get("area_override", kommune)
        kind = _kind(indicator, store, code)
        rows = store.series(indicator.id, code, "", kind) if kind else []
        if rows:
            newest.append(periods.parse(rows[-1].period))
    quarter = periods.parse(previous_quarter(today))
    for _ in range(8):
        reaching = sum(1 for p in newest if periods.parse(quarter_end(str(quarter))).ends_by(p) or p.kind == "year")
        if not newest or reaching * 2 >= len(newest):
            break
        quarter = quarter.shift(-1)
    return str(quarter)


def current_quarter(today: date) -> str:
    """The quarter `today` falls in: 2026-11-30 -> `2026-Q4`."""
    return str(periods.quarter(today.year, periods.month(today.year, today.month).quarter))


def previous_quarter(today: date) -> str:
    """The last finished quarter: 2026-11-30 -> `2026-Q3`."""
    return str(periods.parse(current_quarter(today)).shift(-1))


def unfinished(quarter: str, today: date) -> str | None:
    """Why `quarter` cannot have a fact sheet on `today`: "not_begun" (2027-Q2 in December 2026),
    "not_over" (the quarter under way: its figures come only after its end), or None when it is over."""
    current = current_quarter(today)
    if quarter > current:  # the store's spelling sorts as time does (2026-Q4 < 2027-Q1)
        return "not_begun"
    return "not_over" if quarter == current else None


def parse_quarter(text: str) -> str:
    """`2026-Q2`, `2026Q2` or `2026K2` -> `2026-Q2`; anything else is a user error (ValueError)."""
    try:
        period = periods.parse(periods.normalise(text.strip().upper()))
    except periods.PeriodError:
        period = None
    if period is None or period.kind != "quarter":
        raise ValueError(wording("factsheet_not_a_quarter", text=text))
    return str(period)

