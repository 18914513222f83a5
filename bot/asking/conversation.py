"""One question in, one reply out: shared by the terminal chat, `faktabot ask` and Slack.

Parses (pure), answers from the store, renders Danish text and, on request, a chart. A follow-up
("og i Aarhus?") is read against the conversation's previous question, which the caller keeps in
`Conversations` (per Slack thread, DM or terminal chat). The caller passes `today` and `now`;
nothing here reads the clock.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from bot.asking.answers import Answer, Freshness, answer, freshness
from bot.asking.content import answer_content, answer_text, not_understood_content
from bot.asking.queries import (
    NotUnderstood,
    PeriodRequest,
    Query,
    default_vocabulary,
    parse,
)
from bot.config import Config
from bot.rendering import charts, media, render
from bot.rendering.message import Content, Line
from bot.rendering.terminal import for_terminal, without_controls
from indicators import periods
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from indicators.types import parse_breakdown

# A conversation forgets its question after this long without a new one.
CONTEXT_IDLE = timedelta(minutes=30)

# A hook the target engine fills in: (query, answer) -> (the target's status line or None, target path).
TargetLookup = Callable[[Query, Answer], tuple[Line | tuple[Line, ...] | None, list[tuple[str, float]]]]


@dataclass(frozen=True)
class Reply:
    """What the bot says to one question: the data for --json, the Danish text (Slack mrkdwn),
    maybe a chart. An answer (and a question not understood) also has its `content`, the message
    model every medium renders; other replies (help, definitions, the targets board) are text."""

    result: Answer | NotUnderstood | Query | Freshness
    text: str
    chart: bytes | None = None
    target_path: tuple[tuple[str, float], ...] = ()  # the målsti drawn on the chart, if any
    content: Content | None = None

    @classmethod
    def of(cls, result: Answer | NotUnderstood, content: Content, chart: bytes | None = None,
           target_path: tuple[tuple[str, float], ...] = ()) -> Reply:
        """A reply built from its content: the text is the content in Slack mrkdwn."""
        return cls(result, media.mrkdwn(content, buttons=False), chart, target_path, content)

    @property
    def plain(self) -> str:
        """The reply as plain text, no markup: the terminal's and an email's text."""
        if self.content is None:
            return for_terminal(self.text)
        return without_controls(media.text(self.content))

    @property
    def headline(self) -> str:
        """The first thing the reply says, as plain text (a chart's title)."""
        if self.content is not None and self.content.headline:
            return self.content.headline
        return self.plain.split("\n", 1)[0]

    @property
    def understood(self) -> bool:
        return not isinstance(self.result, NotUnderstood)

    @property
    def social(self) -> bool:
        """A greeting or thanks with nothing asked (»Hej,«, »Mvh«): in a mail, not yet the question."""
        return isinstance(self.result, Query) and self.result.intent in ("greeting", "thanks")

    @property
    def context(self) -> Query | None:
        """What a follow-up is read against: the question as answered (its period the one shown)."""
        result = self.result
        if isinstance(result, Answer):
            period = result.observation.period if result.observation is not None else None
            if result.ranking is not None:
                # (a year so far, »flest samtaler i år«, stays »i år«: as the year 2026 »og i
                # regionen?« was declined, its last months missing)
                made = result.ranking.aggregate
                period = None if made is not None and made.so_far else result.ranking.period
            if result.aggregate is not None:
                # (a year so far stays »i år«: as the year 2026 a follow-up was declined, not over)
                # (a span, »siden januar«, ends with its `period`: the follow-up's span ends there too)
                period = None if result.aggregate.so_far else result.aggregate.period
            so_far = result.aggregate is not None and result.aggregate.so_far and result.ranking is None \
                and result.query.period.relative == "this_year"
            query = result.query
            if result.span_base is not None:
                # »gennemsnitlig ledighed 1. halvår 2026« … »hvorfor?« … »og i Herlev?«: still the half
                # (the why was answered without its base, and Herlev was given juni 2026 alone)
                query = replace(query, base=result.span_base)
            if result.led_instead is not None:
                # »ungeledighed i Herlev sammenlignet med landet« led with hele landet (Herlev has none):
                # the talk is still of Herlev beside hele landet, so »hvad med Ballerup?« compares
                # Ballerup with hele landet, not with Herlev
                asked = result.led_instead.code
                query = replace(query, area=asked, compare=(query.area, *(c for c in query.compare if c != asked)))
            if so_far:
                # »ledighed år til dato« (januar–juli 2026) … »og samme periode sidste år?«: januar–juli
                # 2025, its months kept (it answered juli 2025, the newest month a year back)
                query = replace(query, period=PeriodRequest(period=result.aggregate.period, relative="first_months",
                                                            months=result.aggregate.months))
            if result.extreme is not None and (query.period.is_latest or query.newest_shown):
                # »hvornår var det højest?« over the whole series: »og i 2025?« is the peak of 2025, not
                # of the whole series beside juli 2025 (the newest month carried, shifted a year)
                return replace(query, period=PeriodRequest(), indicator=result.indicator.id, period_named=False,
                               newest_shown=False, extreme_period=result.extreme.period)
            if query.intent == "development" and result.development is not None and period \
                    and query.period.period and periods.parse(query.period.period).length > periods.parse(period).length:
                # »sygedagpenge 2025« → »vis udviklingen« (its quarters) → »og i Albertslund?«: 2025's
                # development there, not the 5 quarters to 4. kvt. 2025
                period = query.period.period
            # »hvor mange ledige er der i regionen?« gave ledighedsprocenten (no count for the region):
            # the talk is still of the ledige, so »og i København?« asks their count there (it gave the rate)
            shown = result.rate_instead or result.indicator
            return replace(query, period=PeriodRequest(period=period) if period else query.period,
                           indicator=shown.id if result.ranking is None else query.indicator,
                           # (the newest carried on, »ledighed« … »hvem er bedst?«, is no period named:
                           # »og i 2025?« after it is 2025, not juli 2025)
                           period_named=not query.period.is_latest and not query.newest_shown,
                           # (a ranking too: »og for sygedagpenge?« after »flest ledige« ranks sygedagpenge's
                           # newest quarter; it said »ingen tal for juli 2026«, the month carried over)
                           newest_shown=(query.period.is_latest or query.newest_shown) and period is not None,
                           unheld=result.missing_breakdown or "",
                           extreme_period=result.extreme.period if result.extreme is not None else "")
        if isinstance(result, Query) and result.indicator is not None:
            return result
        if isinstance(result, Freshness) and result.query.indicator is not None:
            return result.query
        return None

    def as_json(self) -> dict:
        """The `ask --json` object of DESIGN.md's contract; `unused` is always there (empty when
        every content word was used)."""
        result = self.result
        base = {"understood": self.understood, "intent": "unknown", "indicator": None, "area": None,
                "period": None, "value": None, "unit": None, "text": self.text, "source": None,
                "sample_data": False, "suggestions": [], "unused": []}
        if isinstance(result, NotUnderstood):
            return {**base, "suggestions": list(result.suggestions), "unused": list(result.unknown)}
        if isinstance(result, Freshness):
            return {**base, "intent": "freshness", "indicator": result.query.indicator,
                    "unused": list(result.query.unused),
                    "sample_data": any(s.source == "eksempeldata" for s in result.sources)}
        if isinstance(result, Query):
            # A greeting's or thanks' reply is a short help: the contract's intents have no other name for it.
            intent = "help" if result.intent in ("greeting", "thanks") else result.intent
            return {**base, "intent": intent, "indicator": result.indicator, "unused": list(result.unused)}
        # »hvornår var ledigheden højest« leads with the peak: that is the figure answered
        obs = result.extreme or result.observation
        data = {
            **base,
            # "why" answers with the change the data shows; the contract knows it as a change.
            "intent": "change" if result.query.intent == "why" else result.query.intent,
            "indicator": result.indicator.id,
            "area": {"code": result.area.code, "name": result.area.name},
            "period": obs.period if obs else (result.aggregate.period if result.aggregate else None),
            "value": obs.value if obs else None,
            "unit": result.indicator.unit,
            "source": obs.source if obs else None,
            "sample_data": result.sample_data,
            "unused": list(result.query.unused),
        }
        made = result.ranking.aggregate if result.ranking is not None else result.aggregate
        if made is not None and made.so_far:
            # »i år« before the year is over: "period" is the year, answered to this month (januar–juli)
            data["period_through"] = f"{made.period}-{made.months:02d}"
        if made is not None and made.start:
            # a span (»samtaler siden januar«): "period" is its last month or quarter, this its first
            data["period_from"] = made.start
        if result.ranking is not None:
            ranking = result.ranking
            data["period"] = ranking.period
            data["ranking"] = [{"area": {"code": r.area.code, "name": r.area.name}, "value": r.observation.value}
                               for r in ranking.rows[:ranking.top]]
            data["place"] = ranking.own_place
            data["of"] = len(ranking.rows)
            data["national"] = ranking.national.value if ranking.national else None
            data["sample_data"] = ranking.sample_data
        if result.share_indicator is not None and obs is not None and obs.value is not None \
                and not result.missing_breakdown:
            # »hvor stor en andel af de ledige er på dagpenge«: the part's share of its figure, in pct.
            whole = result.share_whole
            # (none of eksempeldata over real figures, or the other way round: the reply says so)
            data["share"] = round(100 * obs.value / whole.value, 1) \
                if whole and whole.value and whole.is_sample == obs.is_sample else None
            data["share_of"] = {"indicator": result.share_indicator.id, "value": whole.value if whole else None}
        if result.query.intent in ("change", "why"):
            data["compare_period"] = result.change.against.period if result.change else result.base_missing
            data["value"] = result.change.absolute if result.change else None
            data["relative"] = result.change.relative if result.change else None
            data["level"] = obs.value if obs else None
        return data


@dataclass
class Conversations:
    """The last question of each conversation (a Slack thread, a DM, the terminal chat), for
    follow-ups; forgotten after `idle` without a new question. Safe across threads."""

    idle: timedelta = CONTEXT_IDLE
    _last: dict[Hashable, tuple[Query, datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable, now: datetime) -> Query | None:
        with self._lock:
            found = self._last.get(key)
            if found is None or now - found[1] > self.idle:
                self._last.pop(key, None)
                return None
            return found[0]

    def remember(self, key: Hashable, result: Reply, now: datetime) -> None:
        """Keep the question a reply answered; a reply that answered nothing keeps the one before."""
        context = result.context
        with self._lock:
            # Drop conversations that went idle, so a long-running service does not grow.
            for stale in [k for k, (_, at) in self._last.items() if now - at > self.idle]:
                del self._last[stale]
            if context is not None:
                self._last[key] = (context, now)
            elif key in self._last:
                self._last[key] = (self._last[key][0], now)

    def carry(self, key: Hashable, into: Hashable, now: datetime) -> None:
        """Let conversation `into` go on from `key`'s question (a Slack thread opened on a message
        of a DM: a follow-up there is read against the DM's question before)."""
        with self._lock:
            found = self._last.get(key)
            if found is not None and now - found[1] <= self.idle:
                self._last[into] = (found[0], now)


@lru_cache(maxsize=2048)
def _parse(text: str, context: Query | None) -> Query | NotUnderstood:
    """`parse` is pure and the vocabulary is built once per process: the same words asked again
    (a busy channel's favourite questions, a follow-up to the same question) parse once."""
    return parse(text, default_vocabulary(), context)


def reply(text: str, store: Store, config: Config, today: date, *, area: str | None = None,
          with_chart: bool = False, targets: TargetLookup | None = None,
          target_board: Callable[[Query], str] | None = None, context: Query | None = None) -> Reply:
    """Answer one question exactly as the bot would in Slack; `context` is the conversation's
    previous question (`Reply.context`), for follow-ups."""
    parsed = _parse(text, context)
    if not isinstance(parsed, NotUnderstood) and area:
        parsed = replace(parsed, area=area)
    if isinstance(parsed, NotUnderstood) or parsed.intent in _SAID:
        # A reply made of the question, the configured kommune and the store's data alone: kept
        # with the store's reads like an answer (a reply is immutable, so it is shared).
        return store.remember(("reply", parsed, config.area, today), lambda: _said(parsed, store, config, today))
    if parsed.intent == "target" and parsed.gap and target_board is not None \
            and (board := target_board(parsed)):
        # »hvor mange procent er vi fra målet?« (after »sygedagpenge«, or alone): each target's gap as
        # its line computes it, first; it opened with »Tallet opgøres ikke i procent«
        return Reply(parsed, board)
    if parsed.intent == "target" and parsed.indicator is None:
        if target_board is None:
            return Reply(parsed, render.render("no_targets.txt.j2"))
        return Reply(parsed, target_board(parsed))
    # An answer is a function of the parsed question, the configured kommune, today and the
    # store's data: kept with the store's reads until the data version changes (a refresh, also by
    # another process), with its words, which do not depend on the target line added below.
    result, words = store.remember(("answer", parsed, config.area, today),
                                   lambda: _answered(parsed, store, config.area, today))
    if result.ranking is not None:
        return Reply.of(result, answer_content(result, words))
    path: list[tuple[str, float]] = []
    if targets is not None and (result.observation is not None or parsed.intent == "target"):
        # A target asked about is told also when the period asked has no figure (»hvad er målet for
        # sygedagpenge i 2026« declined 2026's average and said nothing of the target).
        line, path = targets(parsed, result)
        if line:
            result = replace(result, target=line)
    if (parsed.intent == "target" or parsed.target_asked) and result.target is None:
        # »mål for ledighed« with no such target: say so, or the figure reads as the target's answer.
        # The area's targets are named: »mål for samtaler« means the samtalehyppighed's target. Also
        # without a figure (»mål for Herlev« after fleksjob said only that Herlev has no figures).
        others = tuple(dict.fromkeys(t.name for t in config.targets if t.area == result.area.code))
        # »samtaler« … »er vi bagud?«: the target is on the figure that compares samtaler between
        # areas (the samtalehyppighed): named, with its status, not only listed among the others
        on = next((figure for figure in default_vocabulary().compare_on.get(result.indicator.id, ())
                   if any(t.indicator == figure and t.area == result.area.code for t in config.targets)), None)
        # »sygedagpenge« … »hvor mange er på jobafklaring?« … »hvad er målet?«: the target is on the
        # whole figure, not the part shown (it said no target was set for sygedagpenge mv. at all)
        part = parse_breakdown(result.observation.breakdown) if result.observation is not None else {}
        whole = part and on is None and any(t.indicator == result.indicator.id and t.area == result.area.code
                                            and not t.breakdown for t in config.targets)
        status: tuple[Line, ...] = ()
        if (on is not None or whole) and targets is not None:
            # (of the period talked about: a status of the newest figure says it is not that period's)
            asked = replace(parsed, indicator=on or result.indicator.id, breakdown="", by=None, compare=(),
                            area=result.area.code, verdict=False, comparable=())
            line, _ = targets(asked, store.remember(("answer", asked, config.area, today),
                                                    lambda: _answered(asked, store, config.area, today))[0])
            status = (line,) if isinstance(line, Line) else tuple(line or ())
        result = replace(result, target=(Line(render.render(
            "no_target.txt.j2", indicator=result.indicator.name, area=result.area.name,
            land=result.area.kind == "land", others=others, figure=result.observation is not None,
            part=", ".join(part.values()) if whole else "",
            on=default_catalogue().get(on).name if on else "",
            named=tuple(dict.fromkeys(t.name for t in config.targets
                                      if t.indicator == on and t.area == result.area.code)),
            status=bool(status))), *status))
    chart = None
    if with_chart and (spec := charts.spec_for(result, path)) is not None:
        chart = charts.render_png(spec)
    return Reply.of(result, answer_content(result, words), chart, tuple(path))


# The intents whose reply is text from the catalogue, the question and the store (not an answer).
_SAID = frozenset({"help", "vocabulary", "definition", "freshness", "greeting", "thanks", "figure"})


def _said(parsed: Query | NotUnderstood, store: Store, config: Config, today: date) -> Reply:
    """The reply to a question not understood, or to help, vocabulary, definition or freshness."""
    catalogue, areas = default_catalogue(), default_areas()
    if isinstance(parsed, NotUnderstood):
        names = {i.id: i.name for i in catalogue}
        return Reply.of(parsed, not_understood_content(parsed, names))
    if parsed.intent == "help" and parsed.topic == "reports":
        return Reply(parsed, render.render("reports.txt.j2", summary=config.summary, factsheet=config.factsheet))
    if parsed.intent == "help":
        return Reply(parsed, render.render("help.txt.j2", count=len(catalogue), area=areas.get(config.area)))
    if parsed.intent in ("greeting", "thanks"):
        return Reply(parsed, render.render("social.txt.j2", kind=parsed.intent, area=areas.get(config.area)))
    if parsed.intent == "vocabulary":
        pages = catalogue.by_page()
        # (a page asked that the fact sheet has: only its figures; another number: every page, said)
        one = [page for page in pages if page[0] == parsed.page and parsed.page]
        return Reply(parsed, render.render("vocabulary.txt.j2", pages=one or pages, page=parsed.page))
    if parsed.intent == "figure":
        # »figur 4.9«: a number the fact sheet does not have, with the page's own figures
        numbers = sorted((n for n in default_vocabulary().figures if n.split(".")[0] == str(parsed.page)),
                         key=lambda n: int(n.split(".")[1]))
        return Reply(parsed, render.render("no_figure.txt.j2", figure=parsed.figure, page=parsed.page,
                                           numbers=numbers, pages=max(p for p, _, _ in catalogue.by_page())))
    if parsed.intent == "definition":
        ind = catalogue.get(parsed.indicator) if parsed.indicator else None
        also = [catalogue.get(other) for other in parsed.also]
        return Reply(parsed, render.render("definition.txt.j2", q=parsed, ind=ind, also=also))
    found = freshness(parsed, store, catalogue, config.area, today)
    return Reply(found, render.render("freshness.txt.j2", f=found, area=areas.get(parsed.area or config.area)))


def _answered(parsed: Query, store: Store, default_area: str, today: date) -> tuple[Answer, str]:
    """The answer and its »part|text« lines (`content.answer_text`)."""
    result = answer(parsed, store, default_catalogue(), default_areas(), default_area, today)
    return result, answer_text(result)


def development_question(indicator: str, area: str) -> str:
    """The question »Vis udviklingen« asks for a target: »udvikling i <indikator> <område>«."""
    return f"udvikling i {indicator} {default_areas().get(area).name}"


def target_question(indicator: str, area: str) -> str:
    """The question an alert answers, for follow-ups in its thread: »<indikator> <område>«."""
    return f"{indicator} {default_areas().get(area).name}"
