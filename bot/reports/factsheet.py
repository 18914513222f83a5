"""The quarterly fact sheet: seven A4 pages, four figures each, as a PDF (matplotlib PdfPages).

Reads the store (I/O) and `templates/factsheet.toml` (which figure shows what); each figure gets
its chart, "Hvordan er figuren lavet?" from the catalogue and "Hvad viser figuren?" written from
the data by `templates/factsheet_figure.txt.j2`. Figures without data say so instead of a chart.
"""
from __future__ import annotations

import io
import textwrap
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

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

SPEC_PATH = render.TEMPLATE_DIR / "factsheet.toml"
A4 = (8.27, 11.69)
# A target path for an indicator and area: [(period, måltal)], from the rules; empty if none.
TargetPaths = Callable[[str, str], Sequence[tuple[str, float]]]


@dataclass(frozen=True)
class Series:
    label: str
    indicator: Indicator
    area: str
    observations: tuple[Observation, ...]


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

    @property
    def movements(self) -> list[tuple[Series, object]]:
        """Each line's change from its first to its last period (answers.Change or None)."""
        return [(s, change(s.observations[-1], s.observations[0], s.indicator)) for s in self.lines]

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


def load_spec(path: Path = SPEC_PATH) -> list[dict]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)["figure"]


def quarter_end(quarter: str) -> str:
    """The last month of a quarter in the store's spelling: 2026-Q2 -> 2026-06."""
    q = periods.parse(quarter)
    return str(periods.month(q.year, q.start_month + 2))


def _kind(indicator: Indicator, store: Store, area: str, breakdown: str = "") -> str | None:
    available = store.period_kinds(indicator.id, area, breakdown)
    preference = {"month": ("month", "quarter", "year"), "quarter": ("quarter", "month", "year"),
                  "year": ("year", "quarter", "month")}[indicator.frequency]
    return next((kind for kind in preference if kind in available), None)


def _upto(observations: list[Observation], last_month: str) -> list[Observation]:
    end = periods.parse(last_month)
    return [o for o in observations if o.value is not None and periods.parse(o.period).ends_by(end)]


def _area_codes(entry: dict, kommune: str, areas: Areas) -> list[str]:
    codes = [entry.get("area_override", kommune)]
    for code in entry.get("areas", []):
        codes.append(areas.get(kommune).region if code == "region" else code)
    return list(dict.fromkeys(c for c in codes if c))


def _label(areas: Areas, code: str) -> str:
    return areas.get(code).name


def build_figure(entry: dict, store: Store, catalogue: Catalogue, areas: Areas, kommune: str,
                 last_month: str, target_paths: TargetPaths | None = None) -> FigureFacts:
    indicator = catalogue.get(entry["indicator"])
    facts = FigureFacts(number=entry["number"], title=entry["title"], indicator=indicator, chart=None,
                        measure=entry.get("measure", "value"))
    codes = _area_codes(entry, kommune, areas)
    chart = entry["chart"]
    if chart == "lines":
        _lines(facts, entry, store, catalogue, areas, codes, last_month)
        if entry.get("target") and target_paths and facts.lines:
            first, last = facts.lines[0].observations[0].period, facts.lines[0].observations[-1].period
            facts.target = [(p, v) for p, v in target_paths(indicator.id, codes[0]) if first <= p <= last]
    elif chart in ("bars", "change"):
        _bars(facts, entry, store, catalogue, areas, codes, last_month)
    shown = [o for s in facts.lines for o in s.observations]
    facts.sample_data = any(o.source == SAMPLE_SOURCE for o in shown) or "eksempeldata" in facts.sources
    facts.sources |= {o.source for o in shown}
    facts.chart = _chart_spec(facts, entry)
    return facts


def _lines(facts: FigureFacts, entry: dict, store: Store, catalogue: Catalogue, areas: Areas,
           codes: list[str], last_month: str) -> None:
    window = int(entry.get("window", 13))
    indicators = [facts.indicator] + [catalogue.get(i) for i in entry.get("series", [])]
    if entry.get("by"):
        # One line per breakdown value ("samtaler" per målgruppe), kommune only.
        kind = _kind(facts.indicator, store, codes[0])
        for breakdown in store.breakdowns(facts.indicator.id, codes[0]):
            split = parse_breakdown(breakdown)
            if list(split) == [entry["by"]] and kind:
                rows = _upto(store.series(facts.indicator.id, codes[0], breakdown, kind), last_month)[-window:]
                if rows:
                    facts.lines.append(Series(split[entry["by"]], facts.indicator, codes[0], tuple(rows)))
                    facts.newest = max(facts.newest or rows[-1].period, rows[-1].period)
        return
    for indicator in indicators:
        for code in codes:
            kind = _kind(indicator, store, code)
            if kind is None:
                continue
            rows = _upto(store.series(indicator.id, code, "", kind), last_month)[-window:]
            if not rows:
                continue
            label = _label(areas, code) if len(indicators) == 1 else (
                indicator.name if code == codes[0] else f"{indicator.name}, {_label(areas, code)}")
            facts.lines.append(Series(label, indicator, code, tuple(rows)))
    if facts.lines:
        facts.newest = facts.lines[0].observations[-1].period


def _bars(facts: FigureFacts, entry: dict, store: Store, catalogue: Catalogue, areas: Areas,
          codes: list[str], last_month: str) -> None:
    indicator, key = facts.indicator, entry.get("by")
    if entry["chart"] == "change":
        values = []
        for code in codes:
            kind = _kind(indicator, store, code)
            rows = _upto(store.series(indicator.id, code, "", kind), last_month) if kind else []
            if rows:
                current = rows[-1]
                base = next((o for o in rows if o.period == str(periods.parse(current.period).same_period_last_year())), None)
                delta = change(current, base, indicator)
                if delta and delta.relative is not None:
                    values.append((_label(areas, code), delta.relative))
                    facts.sources.add(current.source)
                    facts.newest = current.period
        if values:
            facts.bars.append(("", values))
        facts.measure = "change"
        return
    split_key = entry.get("split")
    for code in codes:
        groups: dict[str, list[tuple[str, float]]] = {}
        for breakdown in store.breakdowns(indicator.id, code):
            split = parse_breakdown(breakdown)
            if key not in split or set(split) - {key, split_key} - ({"ydelse"} if key != "ydelse" else set()):
                continue
            kind = _kind(indicator, store, code, breakdown)
            rows = _upto(store.series(indicator.id, code, breakdown, kind), last_month) if kind else []
            if not rows:
                continue
            current = rows[-1]
            value = current.value
            if facts.measure == "change":
                base = next((o for o in rows if o.period == str(periods.parse(current.period).same_period_last_year())), None)
                delta = change(current, base, indicator)
                if delta is None or delta.relative is None:
                    continue
                value = delta.relative
            group = split.get(split_key, _label(areas, code)) if split_key else _label(areas, code)
            groups.setdefault(group, []).append((split[key], value))
            facts.sources.add(current.source)
            facts.newest = max(facts.newest or current.period, current.period)
        for group, values in groups.items():
            facts.bars.append((group, sorted(values)))


def _chart_spec(facts: FigureFacts, entry: dict):
    indicator = facts.indicator
    watermark = render.render("factsheet_watermark.txt.j2") if facts.sample_data else ""
    unit = "pct." if indicator.format == "pct" else indicator.unit
    if facts.lines:
        lines = [charts.Line(s.label, [(o.period, o.value) for o in s.observations]) for s in facts.lines]
        decimals = indicator.decimals
        if entry.get("index") or (indicator.format == "count" and len({s.area for s in facts.lines}) > 1
                                  and len({s.indicator.id for s in facts.lines}) == 1):
            lines = [charts.Line(line.label, [(p, v / line.points[0][1] * 100) for p, v in line.points])
                     for line in lines if line.points[0][1]]
            unit = render.render("chart_index_label.txt.j2", first=facts.lines[0].observations[0].period)
            decimals = 0
        target = charts.Line(render.render("target_label.txt.j2"), facts.target) if facts.target and decimals == indicator.decimals else None
        return charts.ChartSpec(title="", unit=unit, decimals=decimals, lines=lines, target=target, watermark=watermark)
    if facts.bars:
        categories = sorted({label for _, values in facts.bars for label, _ in values})
        groups = [(area, [dict(values).get(c) for c in categories]) for area, values in facts.bars]
        if facts.measure == "change":
            unit = render.render("factsheet_change_unit.txt.j2")
        return charts.BarSpec(title="", unit=unit, decimals=1 if facts.measure == "change" else indicator.decimals,
                              categories=categories, groups=groups, watermark=watermark)
    return None


def build(quarter: str, store: Store, catalogue: Catalogue, areas: Areas, kommune: str,
          target_paths: TargetPaths | None = None) -> list[FigureFacts]:
    last_month = quarter_end(quarter)
    return [build_figure(entry, store, catalogue, areas, kommune, last_month, target_paths) for entry in load_spec()]


def _draw_text(figure: Figure, x: float, y: float, width_chars: int, text: str, size: float,
               max_lines: int = 200) -> float:
    """Write wrapped text from (x, y) downwards in figure coordinates; return the y below it.

    Lines beyond `max_lines` are dropped and the last kept line ends with an ellipsis, so a long
    definition can never run into the next figure.
    """
    line_height = size / 72 / A4[1] * 1.3
    lines: list[tuple[str, bool, float]] = []
    for paragraph in text.split("\n"):
        bold = paragraph.startswith("**")
        paragraph = paragraph.strip("*")
        fontsize = size * (0.75 if paragraph.startswith("~") else 1)
        paragraph = paragraph.lstrip("~")
        wrapped = textwrap.wrap(paragraph, int(width_chars * size / fontsize),
                                subsequent_indent="  " if paragraph.startswith("•") else "")
        lines += [(line, bold, fontsize) for line in wrapped or [""]]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last, bold, fontsize = lines[-1]
        lines[-1] = (last.rstrip(" .,") + " …", bold, fontsize)
    for line, bold, fontsize in lines:
        figure.text(x, y, line, fontsize=fontsize, va="top", ha="left", fontweight="bold" if bold else "normal")
        y -= line_height * fontsize / size
    return y


def pages(figures: list[FigureFacts], quarter: str, kommune_name: str, catalogue: Catalogue) -> list[Figure]:
    """One A4 matplotlib Figure per fact page (used for the PDF and for PNG previews)."""
    numbered = [(number, title) for number, title, _ in catalogue.by_page() if number]
    result = []
    for number, title in numbered:
        on_page = [f for f in figures if f.number.startswith(f"{number}.")]
        figure = Figure(figsize=A4)
        header = render.render("factsheet_page_header.txt.j2", number=number, title=title, kommune=kommune_name,
                               quarter=quarter, sample=any(f.sample_data for f in on_page),
                               coverage=figures if number == numbered[0][0] else None)  # issue 13: page 1 only
        _draw_text(figure, 0.06, 0.975, 70, header, 12)
        for index, facts in enumerate(on_page[:4]):
            column, row = index % 2, index // 2
            left, top = 0.06 + column * 0.47, 0.90 - row * 0.45
            if facts.chart is not None:
                horizontal = isinstance(facts.chart, charts.BarSpec) and len(facts.chart.categories) > 5
                box = (left + 0.13, top - 0.215, 0.29, 0.175) if horizontal else (left + 0.05, top - 0.215, 0.37, 0.175)
                axes = figure.add_axes(box)
                if isinstance(facts.chart, charts.BarSpec):
                    charts.draw_bars(axes, facts.chart, fontsize=9)
                else:
                    charts.draw_lines(axes, facts.chart, fontsize=9)
            text = render.render("factsheet_figure.txt.j2", f=facts, kommune=kommune_name)
            figure.text(left, top, facts.title, fontsize=10, fontweight="bold", va="top")
            _draw_text(figure, left, top - 0.25, 64, text, 7, max_lines=19)
        footer = render.render("factsheet_page_footer.txt.j2", page=number, pages=len(numbered))
        figure.text(0.5, 0.02, footer, fontsize=7, ha="center", color="#555555")
        result.append(figure)
    return result


def write_pdf(figures: list[FigureFacts], quarter: str, kommune_name: str, catalogue: Catalogue,
              out: Path | io.BytesIO) -> int:
    """Write the seven fact pages as one PDF; return the number of pages."""
    title = render.render("factsheet_pdf_title.txt.j2", kommune=kommune_name, quarter=quarter)
    rendered = pages(figures, quarter, kommune_name, catalogue)
    with PdfPages(out, metadata={"Title": title, "Creator": "Faktabot"}) as pdf:
        for figure in rendered:
            pdf.savefig(figure)
    return len(rendered)


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


def current_quarter(today: date) -> str:
    """The quarter `today` falls in: 2026-11-30 -> `2026-Q4`."""
    return str(periods.quarter(today.year, periods.month(today.year, today.month).quarter))


def previous_quarter(today: date) -> str:
    """The last finished quarter: 2026-11-30 -> `2026-Q3`."""
    return str(periods.parse(current_quarter(today)).shift(-1))


def parse_quarter(text: str) -> str:
    """`2026-Q2`, `2026Q2` or `2026K2` -> `2026-Q2`; anything else is a user error (ValueError)."""
    try:
        period = periods.parse(periods.normalise(text.strip().upper()))
    except periods.PeriodError:
        period = None
    if period is None or period.kind != "quarter":
        raise ValueError(f"not a quarter: {text!r}; write it as 2026-Q2")
    return str(period)

