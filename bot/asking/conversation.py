"""One question in, one reply out: shared by the terminal chat, `faktabot ask` and Slack.

Parses (pure), answers from the store, renders Danish text and, on request, a chart. The caller
passes `today`; nothing here reads the clock.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from bot.asking.answers import Answer, answer
from bot.asking.queries import NotUnderstood, Query, default_vocabulary, parse
from bot.config import Config
from bot.rendering import charts, render
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store

# A hook the target engine fills in: (query, answer) -> (Danish status line or None, target path).
TargetLookup = Callable[[Query, Answer], tuple[str | None, list[tuple[str, float]]]]


@dataclass(frozen=True)
class Reply:
    """What the bot says to one question: the data for --json, the Danish text, maybe a chart."""

    result: Answer | NotUnderstood | Query
    text: str
    chart: bytes | None = None
    target_path: tuple[tuple[str, float], ...] = ()  # the målsti drawn on the chart, if any

    @property
    def understood(self) -> bool:
        return not isinstance(self.result, NotUnderstood)

    def as_json(self) -> dict:
        result = self.result
        base = {"understood": self.understood, "intent": "unknown", "indicator": None, "area": None,
                "period": None, "value": None, "unit": None, "text": self.text, "source": None,
                "sample_data": False, "suggestions": []}
        if isinstance(result, NotUnderstood):
            return {**base, "suggestions": list(result.suggestions)}
        if isinstance(result, Query):
            return {**base, "intent": result.intent, "indicator": result.indicator}
        obs = result.observation
        return {
            **base,
            "intent": result.query.intent,
            "indicator": result.indicator.id,
            "area": {"code": result.area.code, "name": result.area.name},
            "period": obs.period if obs else None,
            "value": obs.value if obs else None,
            "unit": result.indicator.unit,
            "source": obs.source if obs else None,
            "sample_data": result.sample_data,
        }


def reply(text: str, store: Store, config: Config, today: date, *, area: str | None = None,
          with_chart: bool = False, targets: TargetLookup | None = None,
          target_board: Callable[[Query], str] | None = None) -> Reply:
    """Answer one question exactly as the bot would in Slack."""
    catalogue, areas = default_catalogue(), default_areas()
    parsed = parse(text, default_vocabulary())
    if isinstance(parsed, NotUnderstood):
        names = {i.id: i.name for i in catalogue}
        return Reply(parsed, render.render("not_understood.txt.j2", n=parsed, names=names))
    if area:
        parsed = replace(parsed, area=area)
    if parsed.intent == "help":
        return Reply(parsed, render.render("help.txt.j2", count=len(catalogue), area=areas.get(config.area)))
    if parsed.intent == "vocabulary":
        return Reply(parsed, render.render("vocabulary.txt.j2", pages=catalogue.by_page()))
    if parsed.intent == "target" and parsed.indicator is None:
        if target_board is None:
            return Reply(parsed, render.render("no_targets.txt.j2"))
        return Reply(parsed, target_board(parsed))
    result = answer(parsed, store, catalogue, areas, config.area, today)
    path: list[tuple[str, float]] = []
    if targets is not None and result.observation is not None:
        line, path = targets(parsed, result)
        if line:
            result = replace(result, target=line)
    chart = None
    if with_chart and (spec := charts.spec_for(result, path)) is not None:
        chart = charts.render_png(spec)
    return Reply(result, render.render("answer.txt.j2", a=result), chart, tuple(path))


def development_question(indicator: str, area: str) -> str:
    """The question »Vis udviklingen« asks for a target: »udvikling i <indikator> <område>«."""
    return f"udvikling i {indicator} {default_areas().get(area).name}"
