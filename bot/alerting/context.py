"""Targets as context for answers, charts, the fact sheet and the summary (read-only).

Reads the target states the last evaluation stored (`alert_states`) rather than evaluating every
target per question; a target never evaluated yet (a new store) is evaluated here, in memory,
without saving it or telling anyone. Hands out what each consumer needs: a status line, a target
path, a board.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot import clock
from bot.alerting.views import (
    STATUS_ORDER,
    TargetView,
    answer_line,
    goal_path,
    render_board,
    target_line,
    target_reason,
    views,
)
from bot.asking.answers import Answer, resolve
from bot.asking.conversation import development_question, reply
from bot.asking.queries import Query
from bot.config import Config
from bot.delivery.ledger import Ledger
from bot.rendering import render
from bot.rendering.charts import GoalPath
from bot.rendering.message import Line
from indicators import periods
from indicators.catalogue import default_areas
from indicators.store import Store
from indicators.types import Observation
from rules.engine import AT_RISK, BREACHED, OK, evaluate
from rules.targets import Target

if TYPE_CHECKING:  # start-up time: `ask` needs neither the summary's board rows nor the alerts' charts
    from bot.delivery.channels import Chart
    from bot.reports.summary import BoardRow

# The states a question about targets »bagud« or »på sporet« lists (`Query.status`).
ASKED_STATUSES = {"behind": frozenset({BREACHED, AT_RISK}), "on_track": frozenset({OK})}
# Target paths cover the fact sheet's and the charts' windows; periods outside a target's own
# points are left out by the rules' path function.
PATH_FIRST, PATH_LAST = "2015-01", "2030-12"
# Views loaded per (store file, data version), with the config they were made for. A store's
# data version is per connection, so a handful of entries covers a process's connections.
_LOADED_ENTRIES = 16
# Each entry also keeps the status lines and target paths answers asked of those views: pure
# functions of a view (and the answer's window), so they are made once per data version.
_loaded: dict[tuple[str, tuple[int, int]], tuple[Config, list[TargetView], dict]] = {}


def observations_for(store: Store, targets: Sequence[Target]) -> list[Observation]:
    """Only the series the targets read: own, the other area's and the count behind a rate."""
    wanted: set[tuple[str, str, str, str]] = set()
    for t in targets:
        wanted.add((t.indicator, t.area, t.breakdown, t.frequency))
        if t.compare_area:
            wanted.add((t.indicator, t.compare_area, t.breakdown, t.frequency))
        if t.count_indicator and t.count_indicator != t.indicator:
            wanted.add((t.count_indicator, t.area, t.breakdown, t.frequency))
    return [o for key in sorted(wanted) for o in store.series(key[0], key[1], key[2], kind=key[3])]


@dataclass
class TargetContext:
    config: Config
    views: list[TargetView]
    now: datetime
    _made: dict = field(default_factory=dict, repr=False)  # status lines and paths, per view
    # The store the views were read from: a board asked of a past period is judged again on it.
    store: Store | None = field(default=None, repr=False)

    @classmethod
    def load(cls, store: Store, config: Config, now: datetime) -> TargetContext:
        if not config.targets:
            return cls(config, [], now, store=store)
        # Every question loads the context: the views are kept per store file and config until
        # the store's data version changes (an evaluation saving states, a refresh, an ack).
        key = (str(store.path), store.data_version())
        kept = _loaded.get(key)
        if kept is not None and kept[0] is config:
            return cls(config, kept[1], now, kept[2], store)
        states = Ledger(store.db).states()
        missing = [t for t in config.targets if t.id not in states]
        if missing:
            states = {**states, **evaluate(missing, observations_for(store, missing), {}, now).states}
        found = views(config.targets, states)
        if len(_loaded) >= _LOADED_ENTRIES:
            _loaded.clear()
        made: dict = {}
        _loaded[key] = (config, found, made)
        return cls(config, found, now, made, store)

    def _views(self, indicator: str, area: str, breakdown: str = "") -> list[TargetView]:
        """The targets on this figure, area and part, worst first (a target on ledige på A-dagpenge
        is not one on all ledige; a ceiling and a benchmark on the same figure are both told)."""
        found = [v for v in self.views if v.target.indicator == indicator and v.target.area == area
                 and v.target.breakdown == breakdown]
        return sorted(found, key=lambda v: STATUS_ORDER[v.state.status])

    def _view(self, indicator: str, area: str, breakdown: str = "") -> TargetView | None:
        found = self._views(indicator, area, breakdown)
        return found[0] if found else None

    def for_answer(self, query: Query, answer: Answer) -> tuple[Line | tuple[Line, ...] | None, list[tuple[str, float]]]:
        """The status line (one per target, worst first) and target path for an answer about a
        targeted indicator and area."""
        # The part the answer shows: the one asked, or the whole when the part has no figure of its own.
        shown = answer.observation.breakdown if answer.observation is not None else answer.query.breakdown
        found = self._views(answer.indicator.id, answer.area.code, shown)
        if not found:
            return None, []
        window = (answer.history[0].period, answer.history[-1].period) if answer.history else None
        # the period the question named, when it did (the status line is of the newest figure)
        asked = answer.observation.period if answer.observation is not None and not query.period.is_latest \
            and not query.newest_shown else None
        # The answer says eksempeldata of its own figure; a target resting on other synthetic figures says it itself.
        sample_shown = answer.observation is not None and answer.observation.is_sample
        lines: list[Line] = []
        chart_path: list[tuple[str, float]] = []
        for view in found:
            line, path = self._made_for(view, window, query, view.state.sample_data and not sample_shown)
            if asked is not None and (past := render.render("target_past.txt.j2", v=view, asked=asked).strip()):
                # »var vi på sporet med fleksjob i 2025«: the status of July 2026 read as 2025's
                line = Line(f"{line.text} {past}", label=line.label, status=line.status, note=line.note)
            lines.append(line)
            # The chart draws one goal: the first target's that has a path (a benchmark has none).
            chart_path = chart_path or path
        # A copy: the caller owns its path (a GoalPath keeps its kind for the chart's legend).
        copied = type(chart_path)(chart_path, kind=chart_path.kind) if isinstance(chart_path, GoalPath) \
            else list(chart_path)
        return (lines[0] if len(lines) == 1 else tuple(lines)), copied

    def _made_for(self, view: TargetView, window: tuple[str, str] | None, query: Query,
                  sample_mark: bool) -> tuple[Line, list[tuple[str, float]]]:
        key = (id(view), window, query.needed, sample_mark)
        made = self._made.get(key)
        if made is None:
            path = goal_path(view.target, *window) if window else []
            line = answer_line(view, sample_mark)
            if query.needed and (needed := render.render("target_needed.txt.j2", v=view).strip()):
                # »hvad skal der til?«: how far the newest figure is from the goal at the end.
                line = Line(f"{line.text} {needed}", label=line.label, status=line.status, note=line.note)
            made = self._made[key] = (line, path)
        return made

    def path(self, indicator: str, area: str) -> list[tuple[str, float]]:
        view = self._view(indicator, area)
        if view is None:
            return []
        first, last = (PATH_FIRST, PATH_LAST) if view.target.frequency == "month" else ("2015-Q1", "2030-Q4")
        return goal_path(view.target, first, last)

    def past(self, query: Query) -> str | None:
        """The period a question about the targets asks of, when it is over (»status på målene for et
        kvartal siden«, »i juni 2026«): the store's spelling, or None for today's board. A period
        without a year is its newest that the targets' figures reach."""
        if query.period.is_latest or not self.views:
            return None
        newest = max((periods.parse(v.state.period) for v in self.views if v.state.period),
                     key=lambda p: (p.year * 12 + p.start_month + p.length, -p.length), default=None)
        wanted = resolve(query.period, self.now.date(), newest)
        if wanted.period is None and newest is not None and (wanted.month or wanted.quarter):
            start = wanted.month or (wanted.quarter - 1) * 3 + 1
            length = 1 if wanted.month else 3
            year = newest.year if periods.Period(newest.year, start, length).ends_by(newest) else newest.year - 1
            wanted = replace(wanted, period=str(periods.Period(year, start, length)))
        if wanted.period is None:
            return None
        asked = periods.parse(wanted.period)
        this_month = periods.month(self.now.year, self.now.month)
        # (»i år«, »i december«: a period not yet over is today's board)
        return wanted.period if asked.ends_by(this_month.shift(-1)) else None

    def board(self, query: Query | None = None) -> str:
        as_of = self.past(query) if query is not None and self.store is not None else None
        # »hvad var status på målene for et kvartal siden?«: every target judged again on the figures
        # that period ends by (`_as_of`, as the summary of a past month does); it showed today's board
        # unsaid. Today's views where no target has a figure after it, said so.
        every = self._as_of(self.store, as_of, 1) if as_of is not None else self.views
        past = {"as_of": as_of, "same": every is self.views} if as_of is not None else {}
        shown = every
        if query is not None and query.indicator:
            shown = [v for v in shown if v.target.indicator == query.indicator]
        area = None
        if query is not None and query.area and self.views:
            # »mål for Herlev«: Herlev's targets, or that it has none; it showed Ballerup's as the answer.
            shown = [v for v in shown if v.target.area == query.area]
            area = default_areas().get(query.area)
            if not shown:
                return render.render("no_area_targets.txt.j2", area=area,
                                     places=list(dict.fromkeys(v.area for v in every)))
        if query is not None and query.status:
            # »hvilke mål er vi bagud på«: those, with how many of all they are.
            total = sum(1 for v in every if area is None or v.target.area == area.code)
            shown = [v for v in shown if v.state.status in ASKED_STATUSES[query.status]]
            return render_board(shown, self.now, self.config, asked=query.status, total=total, **past)
        if query is not None and query.gap:
            # »hvor mange procent er vi fra målet?«: each target's gap first; a figure without a target
            # gets "" and is answered as a figure, with its »ingen mål« line
            return render_board(shown, self.now, self.config, gap=True, **past) if shown else ""
        return render_board(shown, self.now, self.config, when_met=query is not None and query.when_met, **past)

    def board_rows(self, store: Store | None = None, month: str | None = None,
                   summary_day: int = 1) -> list[BoardRow]:
        """The targets' board in the monthly summary, worst first. With `store` and `month`, as the
        targets stood on that month's figures: July's summary sent again in December showed
        November's figures under »Udvalgets mål«, beside July's key figures."""
        from bot.reports.summary import BoardRow

        shown = self.views if store is None or month is None else self._as_of(store, month, summary_day)
        ordered = sorted(shown, key=lambda v: STATUS_ORDER[v.state.status])
        return [BoardRow(name=v.target.name, status=v.state.status, text=target_line(v),
                         reason=target_reason(v), note=v.state.ack.note if v.state.ack else None,
                         sample_data=v.state.sample_data) for v in ordered]

    def _as_of(self, store: Store, month: str, summary_day: int) -> list[TargetView]:
        """The views, with every target whose stored state rests on a period after `month` judged
        again on the figures that period ends by, at the moment that month's summary was due (day
        `summary_day` of the month after, so its figures are not stale by today's date). Neither an
        acknowledgement nor a snooze of today is carried back."""
        end = periods.parse(month)
        later = [v.target for v in self.views
                 if v.state.period is not None and not periods.parse(v.state.period).ends_by(end)]
        if not later:
            return self.views
        cut = [o for o in observations_for(store, later) if periods.parse(o.period).ends_by(end)]
        after = end.shift(1)
        due = datetime(after.year, after.start_month, summary_day, 7, tzinfo=clock.TIMEZONE)
        again = {v.target.id: v for v in views(later, evaluate(later, cut, {}, min(due, self.now)).states)}
        return [again.get(v.target.id, v) for v in self.views]

    def chart(self, store: Store, target: Target, now: datetime) -> Chart | None:
        """The chart an alert about `target` carries: its development, as »udvikling i …« answers it."""
        result = reply(development_question(target.indicator, target.area), store, self.config, now.date(),
                       with_chart=True, targets=self.for_answer)
        if result.chart is None:
            return None
        from bot.delivery.channels import Chart

        return Chart(result.chart, result.text.split("\n", 1)[0])
