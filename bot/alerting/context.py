"""Targets as context for answers, charts, the fact sheet and the summary (read-only).

Evaluates the configured targets against the store without saving states or sending anything,
and hands out what each consumer needs: a status line, a target path, a board.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import alerts
from bot.answers import Answer
from bot.config import Config
from bot.ledger import Ledger
from bot.queries import Query
from bot.summary import BoardRow
from indicators.store import Store

# Target paths cover the fact sheet's and the charts' windows; periods outside a target's own
# points are left out by the rules' path function.
PATH_FIRST, PATH_LAST = "2015-01", "2030-12"


@dataclass
class TargetContext:
    config: Config
    views: list  # alerts.TargetView

    @classmethod
    def load(cls, store: Store, config: Config, now: datetime) -> "TargetContext":
        if not config.targets:
            return cls(config, [])
        evaluation = alerts.assess_all(store, Ledger(store.db), config, now)
        return cls(config, alerts.views(config.targets, evaluation.states))

    def _view(self, indicator: str, area: str):
        return next((v for v in self.views if v.target.indicator == indicator and v.target.area == area), None)

    def for_answer(self, query: Query, answer: Answer) -> tuple[str | None, list[tuple[str, float]]]:
        """The status line and target path for an answer about a targeted indicator and area."""
        view = self._view(answer.indicator.id, answer.area.code)
        if view is None or answer.query.breakdown:
            return None, []
        path = []
        if answer.history:
            path = alerts.goal_path(view.target, answer.history[0].period, answer.history[-1].period)
        return alerts.target_line(view), path

    def path(self, indicator: str, area: str) -> list[tuple[str, float]]:
        view = self._view(indicator, area)
        if view is None:
            return []
        first, last = (PATH_FIRST, PATH_LAST) if view.target.frequency == "month" else ("2015-Q1", "2030-Q4")
        return alerts.goal_path(view.target, first, last)

    def board(self, query: Query | None = None, now: datetime | None = None) -> str:
        views = self.views
        if query is not None and query.indicator:
            views = [v for v in views if v.target.indicator == query.indicator]
        return alerts.render_board(views, now or datetime.now(), self.config)

    def board_rows(self) -> list[BoardRow]:
        ordered = sorted(self.views, key=lambda v: alerts.STATUS_ORDER[v.state.status])
        return [BoardRow(name=v.target.name, status=v.state.status, text=alerts.target_line(v),
                         note=v.state.ack.note if v.state.ack else None) for v in ordered]
