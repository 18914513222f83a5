"""The monthly summary: key figures per fact page, the target board and the largest changes.

Reads the store (I/O) and builds a `Summary` (data), then one message model (`summary_content`) that
`bot.rendering.media` renders for Slack, the email's text and HTML parts and Teams; the words are in
`templates/_summary.j2`. Charts are PNG bytes for inline images.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date

from bot.asking.answers import Answer, Change, answer, change
from bot.asking.queries import PeriodRequest, Query
from bot.config import Config
from bot.rendering import charts, formats, media, message, render
from indicators import periods
from indicators.catalogue import Areas, Catalogue, Indicator
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Observation, parse_breakdown

SPEC_PATH = render.TEMPLATE_DIR / "summary.toml"


@dataclass(frozen=True)
class RealPart:
    """A part (one breakdown value) of a figure shown as eksempeldata that holds real figures."""

    label: str  # the breakdown's value, as the catalogue spells it: "Ledige"
    observation: Observation

    @property
    def own(self) -> bool:
        """From the kommune's own file, not from Jobindsats or Danmarks Statistik."""
        return self.observation.source.startswith("file:")


@dataclass(frozen=True)
class KeyFigure:
    indicator: Indicator
    observation: Observation
    previous: Change | None
    last_year: Change | None
    # With an eksempeldata total: the parts that hold real figures (samtaler for Ledige from the
    # kommune's file), so the line tells the reader which of the figure is real.
    real_parts: tuple[RealPart, ...] = ()

    @property
    def sample_data(self) -> bool:
        return self.observation.source == SAMPLE_SOURCE


@dataclass(frozen=True)
class BoardRow:
    """One target on the board, already in words (the rules engine's reason through its template)."""

    name: str
    status: str  # ok, at_risk, breached, no_data
    text: str  # Slack mrkdwn: icon, name, status and reason in one line
    note: str | None = None  # an acknowledgement's note
    reason: str = ""  # plain text for email: why, and the forecast, without the name or the status
    sample_data: bool = False  # the target's figure is eksempeldata: the line says so


@dataclass(frozen=True)
class SummaryChart:
    cid: str
    title: str
    png: bytes
    alt: str
    spec: charts.ChartSpec | None = None  # what was drawn: the lines and the målsti


@dataclass
class Summary:
    month: str
    kommune: str
    pages: list[tuple[int, str, list[KeyFigure]]]
    movers: list[KeyFigure]
    board: list[BoardRow] = field(default_factory=list)
    charts: list[SummaryChart] = field(default_factory=list)

    @property
    def sample_data(self) -> bool:
        # A target on eksempeldata counts too: its board line is marked, so the banner must explain it.
        return (any(f.sample_data for _, _, figures in self.pages for f in figures)
                or any(row.sample_data for row in self.board))

    @property
    def figures(self) -> list[KeyFigure]:
        return [f for _, _, figures in self.pages for f in figures]


def load_spec() -> dict:
    with open(SPEC_PATH, "rb") as handle:
        return tomllib.load(handle)


def _key_figure(store: Store, indicator: Indicator, area: str, month: str) -> KeyFigure | None:
    """The newest value at or before the end of `month`, with its changes on the period before and
    the same period last year. A real figure wins over eksempeldata: when the newest value is
    synthetic, the newest published one of the last year is shown instead (in the indicator's other
    frequency too, e.g. a quarter where the months are synthetic); only without one is eksempeldata shown."""
    end = periods.parse(month)
    too_old = end.same_period_last_year()
    kinds = {"month": ("month", "quarter"), "quarter": ("quarter", "month"), "year": ("year",)}[indicator.frequency]
    found = []
    for kind in kinds:
        series = [o for o in store.series(indicator.id, area, "", kind)
                  if o.value is not None and periods.parse(o.period).ends_by(end)]
        if series:
            found.append(series)
    if not found:
        return None

    series, current = next(((s, o) for s in found if (o := _newest_real(s, too_old)) is not None),
                           (found[0], found[0][-1]))
    by_period = {o.period: o for o in series}
    p = periods.parse(current.period)
    parts = _real_parts(store, indicator, area, kinds, end) if current.source == SAMPLE_SOURCE else ()
    return KeyFigure(indicator, current, change(current, by_period.get(str(p.shift(-1))), indicator),
                     change(current, by_period.get(str(p.same_period_last_year())), indicator), parts)


def _newest_real(series: list[Observation], too_old: periods.Period) -> Observation | None:
    """The newest figure of a series that is not eksempeldata and lies within the last year."""
    return next((o for o in reversed(series) if o.source != SAMPLE_SOURCE
                 and not periods.parse(o.period).ends_by(too_old)), None)


def _real_parts(store: Store, indicator: Indicator, area: str, kinds: tuple[str, ...],
                end: periods.Period) -> tuple[RealPart, ...]:
    """The one-key breakdowns of a figure whose total is eksempeldata that hold a real figure of
    the last year: a series never mixes the two, so the kommune's file with samtaler for Ledige
    leaves the total synthetic beside a real part, and the summary must not call it all eksempeldata."""
    parts = []
    for breakdown in store.breakdowns(indicator.id, area):
        split = parse_breakdown(breakdown)
        if len(split) != 1:
            continue
        for kind in kinds:
            series = [o for o in store.series(indicator.id, area, breakdown, kind)
                      if o.value is not None and periods.parse(o.period).ends_by(end)]
            if (real := _newest_real(series, end.same_period_last_year())) is not None:
                parts.append(RealPart(next(iter(split.values())), real))
                break
    return tuple(parts)


def _mover_score(figure: KeyFigure) -> float:
    """How much a figure moved since the same period last year: pct. for counts, pct.-point x 10 for
    rates. Against last year, not the month before, so July's holiday dip is no news every summer."""
    if figure.last_year is None:
        return 0.0
    if figure.last_year.relative is not None:
        return abs(figure.last_year.relative)
    return abs(figure.last_year.absolute) * 10


def movers(figures: list[KeyFigure], count: int) -> list[KeyFigure]:
    """The `count` figures that moved most on a year; real figures before eksempeldata, which only
    fill the list when too few real figures moved."""
    moved = [f for f in figures if _mover_score(f) > 0]
    return sorted(moved, key=lambda f: (f.sample_data, -_mover_score(f)))[:count]


def build_summary(month: str, store: Store, config: Config, catalogue: Catalogue, areas: Areas,
                  board: list[BoardRow] | None = None, today: date | None = None,
                  with_charts: bool = True, target_paths=None) -> Summary:
    spec = load_spec()
    titles = {number: title for number, title, _ in catalogue.by_page()}
    pages = []
    for number, ids in spec["pages"].items():
        figures = [f for i in ids if (f := _key_figure(store, catalogue.get(i), config.area, month))]
        pages.append((int(number), titles[int(number)], figures))
    everything = [f for i in catalogue if (f := _key_figure(store, i, config.area, month))]
    summary = Summary(month=month, kommune=areas.get(config.area).name, pages=pages,
                      movers=movers(everything, int(spec.get("movers", 3))), board=board or [])
    if with_charts:
        for indicator_id in spec.get("charts", []):
            query = Query(intent="development", indicator=indicator_id, period=PeriodRequest(period=month),
                          compare=("000",))
            result: Answer = answer(query, store, catalogue, areas, config.area, today or date.today())
            path = target_paths(indicator_id, config.area) if target_paths else ()
            chart_spec = charts.spec_for(result, path)
            if chart_spec is None:
                continue
            alt = render.render("summary_chart_alt.txt.j2", a=result, first=charts.chart_span(result)[0])
            summary.charts.append(SummaryChart(cid=f"chart-{indicator_id}", title=chart_spec.title,
                                               png=charts.render_png(chart_spec), alt=alt, spec=chart_spec))
    return summary


def sheet_quarter(month: str) -> str:
    """The quarter whose fact sheet goes with a month's summary: the newest complete one by the end
    of that month (July 2026 -> 2026-Q2; June 2026 -> 2026-Q2), never a quarter with months to come."""
    m = periods.parse(month)
    own = periods.quarter(m.year, m.quarter)
    return str(own if m.month % 3 == 0 else own.shift(-1))


def summary_content(summary: Summary) -> message.Content:
    """The summary as the message model: the board (each target once, with its status), the largest
    movers, the key figures per fact page, the charts and the sources; each medium renders it."""
    def word(name: str, *args: object) -> str:
        return render.macro("_summary.j2", name, *args)

    sections = []
    drawn = tuple(message.Figure(c.cid, c.title, c.alt) for c in summary.charts)
    if summary.board:
        sections.append(message.Section(word("board_heading"), tuple(
            message.Line(word("board_line", row), label=row.name, status=row.status, note=row.note or "")
            for row in summary.board), bullets=True))
    if summary.movers:
        sections.append(message.Section(word("movers_heading"),
                                        tuple(message.Line(word("mover", f)) for f in summary.movers), bullets=True))
    # The charts after the board and the movers, before the key figures of every page.
    sections.append(message.Section(figures=drawn))
    for number, title, figures in summary.pages:
        if figures:
            sections.append(message.Section(word("page_heading", number, title),
                                            tuple(message.Line(word("figure", f)) for f in figures), bullets=True))
    return message.Content(
        headline=word("headline", summary), subtitle=formats.period(summary.month), sections=tuple(sections),
        sample_data=summary.sample_data, source=word("sources"), attachment=True,
        attachment_period=sheet_quarter(summary.month))


def render_summary(summary: Summary) -> tuple[str, str, str, str]:
    """(subject, Slack mrkdwn, email text, email HTML) in Danish, all from one `summary_content`."""
    content = summary_content(summary)
    return (render.render("summary_subject.txt.j2", s=summary), media.mrkdwn(content, buttons=False),
            media.text(content), media.html(content))
