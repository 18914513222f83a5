"""Targets as people read them: a target with its state and catalogue entries (`TargetView`), and
the words for notices, the target board and `targets --json`. Pure apart from rendering templates.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config import Config
from bot.rendering import cards, render
from indicators.catalogue import (
    Areas,
    Catalogue,
    Indicator,
    default_areas,
    default_catalogue,
)
from indicators.periods import parse
from indicators.types import Area
from rules.engine import AT_RISK, BREACHED, NO_DATA, OK, Notice, TargetState
from rules.targets import Target, target_path

STATUS_ORDER = {BREACHED: 0, AT_RISK: 1, NO_DATA: 2, OK: 3}


@dataclass(frozen=True)
class TargetView:
    """One target with its state and the catalogue entries the templates need."""

    target: Target
    state: TargetState
    indicator: Indicator
    area: Area
    compare: Area | None = None
    count_indicator: Indicator | None = None

    @property
    def run_start(self) -> str | None:
        """The first period of the current run past the line (`hver måned siden …`)."""
        if not self.state.period or not self.state.reason.periods:
            return None
        return str(parse(self.state.period).shift(1 - self.state.reason.periods))

    @property
    def last_year_period(self) -> str | None:
        return str(parse(self.state.period).same_period_last_year()) if self.state.period else None

    @property
    def end_is_year_end(self) -> bool:
        forecast = self.state.forecast
        if forecast is None:
            return False
        period = parse(forecast.period)
        return period.start_month + period.length - 1 == 12

    @property
    def snoozed(self) -> bool:
        return self.state.snoozed_until is not None


def views(targets: Sequence[Target], states: dict[str, TargetState], catalogue: Catalogue | None = None,
          areas: Areas | None = None) -> list[TargetView]:
    catalogue, areas = catalogue or default_catalogue(), areas or default_areas()
    out = []
    for target in targets:
        compare = areas.get(target.compare_area) if target.compare_area else None
        count = catalogue.get(target.count_indicator) if target.count_indicator else None
        out.append(TargetView(target, states[target.id], catalogue.get(target.indicator),
                              areas.get(target.area), compare, count))
    return out


def render_notice(view: TargetView, notice: Notice) -> tuple[str, str]:
    """(subject, Slack mrkdwn text) of one notice."""
    subject = render.render("alert_subject.txt.j2", v=view, n=notice)
    return subject, render.render("alert.txt.j2", v=view, n=notice)


def render_notice_email(view: TargetView, notice: Notice) -> str:
    """The plain-text email of one notice: paragraphs, no Slack markup, an action that fits email."""
    return render.render("alert_email.txt.j2", v=view, n=notice)


def target_reason(view: TargetView) -> str:
    """Why a target has its status, with its forecast, as plain text (the summary email's board)."""
    return render.render("target_reason.txt.j2", v=view)


def render_board(target_views: Sequence[TargetView], now: datetime, config: Config) -> str:
    ordered = sorted(target_views, key=lambda v: STATUS_ORDER[v.state.status])
    return render.render("targets.txt.j2", views=ordered, now=now, config_name=config.path.name
                         if config.path else "faktabot.toml")


def as_json(view: TargetView) -> dict:
    """One target in `faktabot targets --json` (contract in DESIGN.md, plus forecast and details)."""
    state, target = view.state, view.target
    forecast = None
    if state.forecast is not None:
        forecast = {**state.forecast.as_dict(), "text": render.render("forecast.txt.j2", v=view)}
    return {
        "target": target.id,
        "name": target.name,
        "indicator": target.indicator,
        "area": {"code": view.area.code, "name": view.area.name},
        "kind": target.kind,
        "status": state.status,
        "period": state.period,
        "actual": state.actual,
        "expected": state.expected,
        "reason": render.render("reason.txt.j2", v=view),
        "reason_data": state.reason.as_dict(),
        "forecast": forecast,
        "since": state.since.isoformat(timespec="seconds"),
        "sample_data": state.sample_data,
        "snoozed_until": state.snoozed_until.isoformat() if state.snoozed_until else None,
        "acknowledged": {"note": state.ack.note, "at": state.ack.at.isoformat(timespec="seconds")}
        if state.ack else None,
        "recipients": list(target.recipients),
    }


def target_line(view: TargetView) -> str:
    """The Danish status line an answer about the target's indicator and area shows."""
    return render.render("target_line.txt.j2", v=view)


def goal_path(target: Target, first: str, last: str) -> list[tuple[str, float]]:
    """The target's goal per period between two store periods, for charts (`[("2026-05", 7.0), …]`)."""
    return [(str(p), value) for p, value in target_path(target, parse(first), parse(last))]


def notice_card(view: TargetView, notice: Notice, subject: str, links: Sequence[tuple[str, str]] = ()) -> dict:
    """The Adaptive Card of one notice for Teams: the subject on a band in the status colour, the
    reason, the forecast, the source, the eksempeldata warning, and the one-click links as buttons."""
    reason = cards.paragraph(cards.card_text(render.render("reason.txt.j2", v=view)))
    parts = render.render("alert_card.txt.j2", v=view, n=notice, links=bool(links)).split("\n\n")
    paragraphs = [reason] + [cards.paragraph(cards.card_text(p.strip()), subtle=True) for p in parts if p.strip()]
    if view.state.sample_data:
        paragraphs.append(cards.paragraph(cards.card_text(render.render("sample_notice.txt.j2")), colour="Warning"))
    return cards.card(subject, style=cards.STATUS_STYLES.get(view.state.status, "emphasis"),
                      paragraphs=paragraphs, links=links)
