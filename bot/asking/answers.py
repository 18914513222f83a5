"""Answers: a parsed `Query` + the store -> an `Answer` (data, no words). Reads the store.

Words come later, from `templates/` (see `bot/render.py`). A period without data is answered
with the newest period there is, and the answer says so. Relative periods ("sidste måned") are
resolved against `today`, which the caller passes in: nothing here reads the clock.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from itertools import combinations

from bot.asking.queries import PeriodRequest, Query
from indicators import periods
from indicators.catalogue import Areas, BreakdownKind, Catalogue, Indicator, fold
from indicators.periods import LENGTH_OF_KIND, Period
from indicators.store import Store
from indicators.types import SAMPLE_SOURCE, Area, Observation, file_name, observations_of_rows, parse_breakdown

# Which period kinds to prefer for a catalogue frequency when the question names none.
_PREFERENCE = {
    "month": ("month", "quarter", "year"),
    "quarter": ("quarter", "month", "year"),
    "year": ("year", "quarter", "month"),
}
# A ranking asked by a level (»hvilke kommuner har over 4 pct ledighed«) lists every kommune on that
# side up to this many.
THRESHOLD_LISTED = 15
LISTED_MOST = 24  # »ledighed hver måned siden 2020«: beyond this many periods none are listed, said
# How far back a development answer and its chart look, per period kind.
HISTORY = {"month": 25, "quarter": 9, "year": 10}
DEVELOPMENT = {"month": 13, "quarter": 5, "year": 5}
# An answer of the newest figure reads the series' last HISTORY + this many periods: room for the
# year before and a few unpublished periods (see `_series_read`).
TAIL_SLACK = {"month": 13, "quarter": 5, "year": 2}
# A ranking's newest common period is looked for in the years from this many before the newest on
# first (any period found there is the same as counting every period would find).
RECENT_YEARS = 2
# When this few of the ranked areas lack the newest period, it is ranked without them (named, or
# counted). More lacking (a month most kommuner have yet to publish), the newest period held by all
# is ranked, and the note says which is newer: the period before is likely that one, counted first.
FEW_LACKING = 10
NAMED_LACKING = 5  # areas without a value named in a ranking, up to this many (else counted)
# A newest figure this many months older than today (its period's end) is unusually old: the answer
# looks whether another area has newer figures (monthly figures come 2-4 months after, quarters 3-6).
STOPPED_MONTHS = {"month": 7, "quarter": 10, "year": 24}
# What a rate is of, as its definition says it: »… i pct. af arbejdsstyrken 16-66 år.«
# »i pct. af arbejdsstyrken 16-66 år.«, »i pct. af de 18-29-årige i befolkningen, fulgt mod målet jf. …«
_RATE_WHOLE = re.compile(r"\bi pct\. af (.+?)(?=[.,;()]| og |$)")
# The sources whose rows name the table a refresh read them from (»jobindsats:y25i01«).
TABLE_SOURCES = ("jobindsats", "statbank")
# A store's periods are few and Period is immutable: each spelling is read once per process.
_period = lru_cache(maxsize=8192)(periods.parse)


def _within(period: str, span: periods.Period) -> bool:
    """Whether `period` lies inside `span` (maj 2025 in 2. kvt. 2025 and in 2025)."""
    p = _period(period)
    return p.year == span.year and span.start_month <= p.start_month \
        and p.start_month + p.length <= span.start_month + span.length


@lru_cache(maxsize=1024)
def _parts(wanted: Period, length: int) -> tuple[str, ...]:
    """The periods of `length` months a longer period is made of (a year's 12 months, its 4
    quarters), in order: pure, so spelled once per process, not twice per ranking of a year."""
    return tuple(str(periods.Period(wanted.year, wanted.start_month, length).shift(i))
                 for i in range(wanted.length // length))


@dataclass(frozen=True, slots=True)
class Change:
    against: Observation
    absolute: float  # in the indicator's unit (pct.-point for rates)
    relative: float | None  # in pct; None for rates and when the base is 0


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A year or quarter made of a finer series: the mean (stocks, rates) or sum (flows) of its
    months, only when every month is there."""

    period: str  # the store's spelling: "2025", "2025-Q2"
    method: str  # "mean" or "sum"
    count: int  # how many months (or quarters) it is made of
    kind: str  # "month" or "quarter": what it is made of
    missing: tuple[str, ...] = ()  # the parts without data; non-empty = no value
    # This year so far (»ledighed i år« before the year is over): its first `count` months, named
    # »januar–juli 2026«, compared with the same months of other years. `period` is the year.
    so_far: bool = False
    # A span named (»siden januar«, »de sidste 3 måneder«): its first part; `period` is then its last
    # part (the store has no spelling for a span), named »maj–juli 2026« from the two.
    start: str = ""

    @property
    def months(self) -> int:
        """How many months it spans: a year so far of two quarters is januar–juni."""
        return self.count * (3 if self.kind == "quarter" else 1)


@dataclass(frozen=True, slots=True)
class ListedPeriod:
    period: str  # the store's spelling: "2026-01", "2026-Q1"
    observation: Observation | None  # None: no published figure
    later: bool = False  # after the series' newest figure (»ingen tal endnu«), not a gap in it


@dataclass(frozen=True, slots=True)
class Listed:
    """»ledighed for hver måned i 1. kvartal 2026« (Query.each): each period of the span asked with its
    value, none left out: a period without a figure is listed as such."""

    kind: str  # "month" or "quarter": what is listed
    first: str  # the span's first and last period listed
    last: str
    rows: tuple[ListedPeriod, ...] = ()
    coarser: bool = False  # months asked of a figure made per quarter: its quarters are listed, said
    too_many: int = 0  # the span has this many periods, more than `most`: none listed, said
    most: int = LISTED_MOST

    @property
    def months(self) -> int:
        """How many months the span runs, from the start of `first` to the end of `last`."""
        first, last = _period(self.first), _period(self.last)
        return _month_index(last) + last.length - _month_index(first)


@dataclass(frozen=True, slots=True)
class Ranked:
    area: Area
    observation: Observation


_SET_RANKED_AREA, _SET_RANKED_OBSERVATION = Ranked.area.__set__, Ranked.observation.__set__


def _ranked_rows(pairs: Iterable[tuple[Area, Observation]]) -> tuple[Ranked, ...]:
    """`Ranked(area, observation)` of each pair, built as `observations_of_rows` builds observations
    (its slots set directly): a ranking makes one per area, 98 of them."""
    new = object.__new__
    built = []
    for area, observation in pairs:
        row = new(Ranked)
        _SET_RANKED_AREA(row, area)
        _SET_RANKED_OBSERVATION(row, observation)
        built.append(row)
    return tuple(built)


@dataclass(frozen=True, slots=True)
class Comparable:
    """Two areas of different size on a figure per person, where their counts say nothing of the
    level (»er vi under landsniveau på samtaler«): both values of the newest period both have."""

    indicator: Indicator
    area: Area  # the area compared with
    own: Observation
    other: Observation


@dataclass(frozen=True)
class Ranking:
    """Areas of one kind ordered by one indicator for one period."""

    indicator: Indicator
    period: str | None
    order: str  # high, low, most, fewest, place
    descending: bool
    rows: tuple[Ranked, ...]  # every ranked area, in the asked order
    top: int
    own: Area | None  # the user's kommune (or the one asked about)
    own_place: int | None  # 1-based; None when it has no value
    national: Observation | None
    ranked_from: Indicator | None  # the count the question named, ranked by its rate
    area_kind: str = "kommune"
    within: Area | None = None  # the region whose kommuner are ranked ("i regionen"); None: all
    without_data: int = 0  # areas of the kind with no value for the period
    aggregate: Aggregate | None = None
    requested: PeriodRequest | None = None  # set when the asked-for period had no data
    # The newest period some ranked area has, when the one ranked is older because not every area
    # has it (»marts 2024« for langtidsledige, where two kommuner lack juli 2026), and who lacks it.
    newer: str | None = None
    newer_lacking: tuple[str, ...] = ()
    # The ranked areas with no value for the period, by name, when they are few enough to name
    # (»Fanø og Læsø har ingen tal for juli 2026 og er ikke med«).
    lacking_names: tuple[str, ...] = ()
    # The kommuner compared before, by name in the order asked, when only they are ranked (»hvem er
    # højest?« after »Ballerup sammenlignet med Herlev og Glostrup«); empty: every area of the kind
    among: tuple[str, ...] = ()

    @property
    def shown(self) -> list[Observation]:
        rows = [r.observation for r in self.rows[:self.top]]
        if self.own_place and self.own_place > self.top:
            rows.append(self.rows[self.own_place - 1].observation)
        return rows + ([self.national] if self.national else [])

    @property
    def sample_data(self) -> bool:
        return any(o.source == SAMPLE_SOURCE for o in self.shown)


@dataclass(frozen=True, slots=True)
class Comparison:
    area: Area
    observation: Observation | None
    history: tuple[Observation, ...] = ()
    rate: Observation | None = None  # a count's rate in the other area (areas of different size compare on it)
    development: Change | None = None  # its change over a development answer's window
    extreme: Observation | None = None  # its own peak (or low) where the answer gives the own area's
    extreme_from: Observation | None = None  # of a biggest rise (or fall): the period before `extreme`


@dataclass(frozen=True, slots=True)
class Part:
    """One value of a breakdown listing ("ledige efter ydelse")."""

    label: str
    observation: Observation


@dataclass(frozen=True, slots=True)
class MissingPart:
    """A part of a breakdown listing with figures, but none for the period shown, though it has some
    after it (»samtaler efter gruppe juli 2026« once the kommune's own Ledige begin in september
    2026: their eksempeldata is gone): named in the listing, never left out."""

    label: str
    first: Observation  # the part's first figure after the period shown
    sample: bool  # whether that figure is eksempeldata
    begins: bool  # the part has no figure up to the period shown: its figures begin with `first`


@dataclass(frozen=True)
class Answer:
    query: Query
    indicator: Indicator
    area: Area
    observation: Observation | None  # None: no data at all for this indicator and area
    requested: PeriodRequest | None = None  # set when the asked-for period had no data
    # A month or quarter asked without a year (»ledighed september« in November) that is over this
    # year but not published: the year before is answered, and the answer says so. Also »sidste
    # kvartal« without all its months: the newest whole quarter is answered.
    unpublished: str | None = None
    # »siden januar« answered from an earlier year's januar because this year's is not published:
    # (januar 2026, the period the answer counts from), said
    base_unpublished: tuple[str, str] | None = None
    first: str | None = None  # the series' first period with data, when the period asked begins before it
    first_kind: str | None = None  # `first` begins only this kind of period ("month"): another begins earlier
    # the series' newest period, when the whole period asked lies after it (»ledighed 2027«): the
    # reply says what to ask instead
    last: str | None = None
    previous: Change | None = None  # against the period before
    last_year: Change | None = None  # against the same period a year earlier
    rate_indicator: Indicator | None = None
    rate: Observation | None = None
    comparisons: tuple[Comparison, ...] = ()
    parts: tuple[Part, ...] = ()
    history: tuple[Observation, ...] = ()  # the series up to the answered period, for trends and charts
    development: Change | None = None  # first to last period of the development window
    low: Observation | None = None
    high: Observation | None = None
    missing_breakdown: str | None = None  # asked-for breakdown without data; the total is shown
    # The part asked (»ydelse=Kontanthjælp«) where the figure has it only inside the broader part
    # answered (query.breakdown, »ydelse=Kontant- og uddannelseshjælp«); said in a note.
    broader_of: str | None = None
    # »hvornår var ledigheden højest«: the series' highest (or lowest) published value, and the
    # first and last published periods it is the highest of
    extreme: Observation | None = None
    extreme_span: tuple[str, str] | None = None
    # »hvornår steg ledigheden mest« (Query.moved_most): the period before `extreme`, the change from
    # which is the biggest rise (or fall) of the periods looked at
    extreme_from: Observation | None = None
    # »hvornår var ledigheden sidst under 3 pct« (Query.last_held): the newest published period up to
    # the one answered whose value is on the side of the level asked (None: none is), and the first
    # and last periods looked at
    last_held: Observation | None = None
    last_held_span: tuple[str, str] | None = None
    # the side of the level every value after `last_held` (all looked at, when it never held) is on,
    # as shown: »over«, »under«, or »på eller over« when one equals it
    held_since: str = ""
    held_after: int = 0  # how many periods looked at come after `last_held` (the newest one counted)
    held_gaps: bool = False  # some periods between `last_held` and the newest have no figure: not »hver måned«
    # »hvor stor en andel af de ledige er på dagpenge«: the whole the shown part is a share of (its
    # figure's total in the same area and period; None when that has no value) and that figure
    share_whole: Observation | None = None
    share_indicator: Indicator | None = None
    # The configured kommune was not named and the figure exists only for this area (the
    # konjunkturprognose: hele landet), which is answered instead of »ingen tal for Ballerup«.
    only_area: bool = False
    no_total: bool = False  # no breakdown asked and no total published: one part is shown (named)
    # A part asked (»virksomhedspraktik«) is published only together with another part (Kontanthjælp):
    # that narrower figure is shown, and this, the part asked, says it is not the whole of it.
    narrowed_from: str | None = None
    # Of the parts asked (»a-dagpenge kvinder«), the figure is published for these (query.breakdown)
    # but not by the rest (missing_breakdown): the kept parts' figure is shown, said so.
    kept_breakdown: bool = False
    aggregate: Aggregate | None = None  # the observation is a year or quarter made of months
    listed: Listed | None = None  # »… hver måned i 2026« (Query.each): the span's periods, each with its value
    # »hvorfor?« after a span (»gennemsnitlig ledighed 1. halvår 2026«) is answered without the span's
    # base (the span against the same span a year before): the base asked, for a follow-up's context
    span_base: PeriodRequest | None = None
    change: Change | None = None  # a change question: against the base period
    # »ledighed jan-jun 2026«: a stock's change between a span's ends is given, and beside it the
    # span's mean (over the `span_months` months ending with the observation), which may have been meant
    span_mean: Observation | None = None
    span_months: int = 0
    base_missing: str | None = None  # a change question whose base period has no data
    ranking: Ranking | None = None
    movers: tuple[tuple[str, Change], ...] = ()  # why: each breakdown part's change, largest first
    national_change: Change | None = None  # why: hele landet's change over the same periods
    target: object | None = None  # the target's state where one exists (rules), set by the caller
    # No figure for the area: the few areas that have the figure (eksempeldata for Ballerup,
    # Albertslund and hele landet), so »hvad med Herlev?« says where there are figures.
    held_in: tuple[Area, ...] = ()
    # No figure for the figure asked in any area (the official youth rate before its inputs are
    # fetched): said as such, with the nearest figure (Indicator.related), not »prøv en kommune«
    held_nowhere: bool = False
    related: Indicator | None = None
    # »er vi under landsniveau på samtaler«: the figure per person that compares areas of different
    # size, where the count has no rate (Query.comparable: the first with figures, else the first),
    # and its values beside each area compared with that has them (`Comparable`)
    comparable: Indicator | None = None
    compared_on: tuple[Comparable, ...] = ()
    # No figure for the area asked, nor for the areas named beside it (»i Nordjylland og Syddanmark«): these
    also_without: tuple[Area, ...] = ()
    held_parts: tuple[str, ...] = ()  # the part asked is missing; the area has the figure for these (a few)
    # where the part missing in the area asked is held: the configured kommune, else hele landet
    part_held_in: Area | None = None
    # The area asked first has no figures for this at all (»ungeledighed i Herlev sammenlignet med
    # landet«): the area compared with leads, said, and these are where there are figures
    led_instead: Area | None = None
    # The figure asked (a count: ledige) has no figures for the area at all, but its rate has (»ledigheden
    # i Region Hovedstaden«): the rate is answered, and this, the figure asked, is named in a note.
    rate_instead: Indicator | None = None
    # The part asked (»jobparate på kontanthjælp«) has no figures in the figure asked (kontanthjælps-
    # modtagere), but another figure holds it (Query.elsewhere): that is answered, and this, (the
    # figure asked, the part asked), is named in a note with the unit that differs.
    part_instead: tuple[Indicator, str] | None = None
    without: tuple[str, ...] = ()  # areas compared with that have no figures for this at all (codes)
    # The newest figure asked of an area whose series stopped long ago (Fanø's langtidsledige in juni
    # 2025): another area (the configured kommune, else hele landet) and its newer period, said.
    newer_elsewhere: tuple[Area, str] | None = None
    # A total of eksempeldata whose parts the kommune has delivered some of (»samtaler« with only the
    # Ledige imported): each such part's newest figure that is not eksempeldata, named beside the total
    # (it gave the synthetic total alone, »endnu ikke tal for september 2026« though Ledige had them);
    # of a part of eksempeldata, the total's newest figure where that is the kommune's own
    imported_parts: tuple[Observation, ...] = ()
    # Of a breakdown listing: the parts that have no figure for the period but have some later, named
    missing_parts: tuple[MissingPart, ...] = ()
    # »ledighedsprocent Ballerup og Herlev tilsammen«: a rate is not added up; the count it is the
    # rate of (ledige), whose sum the answer offers instead (None: no count has this rate)
    together_count: Indicator | None = None
    extra: dict = field(default_factory=dict)
    # Source as stored (»jobindsats:y25i01«) -> when its table was last read from the source, also
    # unchanged (`Store.table_reads`): a figure's own `fetched_at` is when it first came, which a
    # refresh that finds it again does not move. The source line says both.
    reads: Mapping[str, str] = field(default_factory=dict)

    @property
    def shown(self) -> list[Observation]:
        shown = [o for o in (self.observation, self.rate) if o is not None]
        shown += [c.observation for c in self.comparisons if c.observation is not None]
        shown += [c.rate for c in self.comparisons if c.rate is not None and self.rate is not None]
        shown += [p.observation for p in self.parts]
        if self.query.intent == "development":
            shown += list(self.history[-DEVELOPMENT.get(self.kind, 13):])
        if self.query.intent in ("change", "why") and self.change:
            shown.append(self.change.against)
        if self.ranking:
            shown += self.ranking.shown
        if self.extreme is not None:
            shown.append(self.extreme)
        if self.last_held is not None:
            shown.append(self.last_held)
        if self.extreme_from is not None:
            shown.append(self.extreme_from)
        if self.listed is not None:  # the listed periods are all the answer shows
            return [row.observation for row in self.listed.rows if row.observation is not None]
        return shown

    @property
    def together_total(self) -> float | None:
        """»Ballerup og Herlev tilsammen«: the areas' counts added up; None when one of them has no
        figure for the period, or the figure is no count (a rate is not added up)."""
        if not self.query.together or self.indicator.format != "count" or self.observation is None \
                or self.observation.value is None:
            return None
        if self.together_within is not None:
            return None
        values = [c.observation.value if c.observation is not None else None for c in self.comparisons]
        return None if None in values else self.observation.value + sum(values)

    @property
    def together_within(self) -> tuple[Area, Area] | None:
        """»Ballerup og Region Hovedstaden tilsammen«: (an area, the area that holds it), whose
        counts would be added twice; None when no area asked lies within another."""
        asked = [self.area, *(c.area for c in self.comparisons)]
        for inner in asked:
            for outer in asked:
                if inner is not outer and inner.kind != "land" and (
                        outer.kind == "land" or (inner.kind == "kommune" and inner.region == outer.code)):
                    return inner, outer
        return None

    @property
    def narrowed(self) -> str:
        """What to tell when a word of the question was read as a narrower group (»ledige
        indvandrere«: ikke-vestlige ledige) and the figure answered is that group's; "" otherwise
        (the figure is the whole, the part missing, as »kontanthjælp indvandrere« is)."""
        if self.query.narrowed is None:
            return ""
        if self.observation is not None:
            figure = f"{self.observation.indicator} {self.observation.breakdown}"
        elif self.ranking is not None and self.ranking.rows:
            figure = f"{self.ranking.indicator.id} {self.query.breakdown}"
        else:
            return ""
        group, note = self.query.narrowed
        return note if group in fold(figure) else ""

    @property
    def other_of(self) -> str | None:
        """A rate asked »i procent af arbejdsstyrken« that is of another whole: that whole as its
        definition names it (»befolkningen 18-29 år«), "" when the definition names none; None
        when the rate is of the whole asked, or none was named."""
        if not self.query.of_whole:
            return None
        whole = self.rate_whole
        return None if whole and fold(whole).startswith(fold(self.query.of_whole)) else whole

    @property
    def rate_whole(self) -> str:
        """What the rate is of, as its definition names it (»befolkningen 16-66 år«), "" when it does
        not: said where a number was asked of a figure held only in pct. (Query.count_of_rate), and
        read by `other_of` and `other_whole`."""
        whole = _RATE_WHOLE.search(self.indicator.definition)
        return whole.group(1) if whole else ""

    @property
    def other_whole(self) -> str | None:
        """A rate asked as a share of the population (»hvor mange procent af befolkningen er på
        kontanthjælp«) that is of another whole: that whole as its definition names it (»arbejdsstyrken
        16-66 år«), "" when the definition does not say; None when there is nothing to say."""
        if not self.query.of_population:
            return None
        whole = self.rate_whole
        return None if whole.startswith("befolkningen") else whole

    @property
    def sample_parts(self) -> list[tuple[str, str, str]]:
        """(area name, period, breakdown of a part) of the shown figures that are eksempeldata, when
        only some are: the answer names those instead of calling the whole answer synthetic. The
        breakdown is "" for the answer's own figure, and a part's (»ydelse=A-dagpenge«) for a part,
        so that a synthetic part is not read as the official one of the same area and period."""
        shown = self.shown
        sample = [o for o in shown if o.source == SAMPLE_SOURCE]
        if not sample or len(sample) == len(shown):
            return []
        return self._named(sample)

    @property
    def mixed_parts(self) -> list[str]:
        """The labels of a breakdown listing's parts that are eksempeldata where the figure above them
        is not, or the other way round: a total and its parts are never added up across real and
        synthetic figures without saying so."""
        if self.observation is None:
            return []
        sample = self.observation.source == SAMPLE_SOURCE
        return [p.label for p in self.parts if (p.observation.source == SAMPLE_SOURCE) != sample]

    @property
    def real_parts(self) -> list[tuple[str, str, str]]:
        """`sample_parts`' official counterparts: the shown figures that are not eksempeldata."""
        return self._named([o for o in self.shown if o.source != SAMPLE_SOURCE])

    def _named(self, found: list[Observation]) -> list[tuple[str, str, str]]:
        names = {self.area.code: self.area.name, "000": "hele landet"}
        names.update({c.area.code: c.area.name for c in self.comparisons})
        if self.ranking:
            names.update({r.area.code: r.area.name for r in self.ranking.rows})
        own = self.observation.breakdown if self.observation else ""
        return list(dict.fromkeys((names.get(o.area, o.area), o.period, "" if o.breakdown == own else o.breakdown)
                                  for o in found))

    @property
    def kind(self) -> str:
        return _period(self.observation.period).kind if self.observation else "month"

    @property
    def sample_data(self) -> bool:
        changes = [c.against for c in (self.previous, self.last_year) if c]
        return any(o.source == SAMPLE_SOURCE for o in [*self.shown, *changes])

    @property
    def level(self) -> tuple[bool, str] | None:
        """»er ledigheden under 3 pct«: whether the figure is on the side asked, and its side of the
        level (»over«, »under«, »lig med«); None when no level was asked or there is no figure."""
        asked, obs = self.query.threshold, self.observation
        if asked is None or obs is None or obs.value is None:
            return None
        shown = round(obs.value, self.indicator.decimals)
        side = "over" if shown > asked[1] else ("under" if shown < asked[1] else "lig med")
        return meets(obs.value, asked, self.indicator.decimals), side

    @property
    def meeting_level(self) -> int:
        """How many of a ranking's areas are on the side of the level asked (»6 af 98 kommuner …«)."""
        asked = self.query.threshold
        if asked is None or self.ranking is None:
            return 0
        return sum(meets(row.observation.value, asked, self.ranking.indicator.decimals) for row in self.ranking.rows)


_SIDES = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le}


def meets(value: float, level: tuple[str, float], decimals: int) -> bool:
    """Whether `value` as shown (rounded to its decimals) is on the side of `level` asked: »3,1 pct.
    er over 3,1 pct.« never, as the answer compares the figure the reader sees."""
    return _SIDES[level[0]](round(value, decimals), level[1])


def change(current: Observation, base: Observation | None, indicator: Indicator) -> Change | None:
    if base is None or base.value is None or current.value is None:
        return None
    absolute = current.value - base.value
    relative = None
    if indicator.format == "count" and base.value != 0:
        relative = absolute / base.value * 100
    return Change(against=base, absolute=absolute, relative=relative)


def resolve(request: PeriodRequest, today: date, newest: Period | None) -> PeriodRequest:
    """Turn a relative request into an exact one: "sidste måned" in November 2026 is 2026-10."""
    if request.relative is None:
        return request
    this_month = periods.month(today.year, today.month)
    if request.relative == "previous_month":
        return PeriodRequest(period=str(this_month.shift(-1)))
    if request.relative == "previous_quarter":
        return PeriodRequest(period=str(periods.quarter(today.year, (today.month - 1) // 3 + 1).shift(-1)))
    if request.relative == "this_month":
        return PeriodRequest(period=str(this_month))
    if request.relative == "this_quarter":
        return PeriodRequest(period=str(periods.quarter(today.year, (today.month - 1) // 3 + 1)))
    if request.relative in ("latest_quarter", "containing_quarter") and newest is not None:
        # (»kvartalet« with no month before it to be the quarter of: the newest whole quarter)
        # »seneste kvartal«: the quarter the newest period ends, else the one before it (juli 2026
        # is the newest month: 2. kvt. 2026, whose three months are there)
        quarter = periods.quarter(newest.year, newest.quarter) if newest.length <= 3 else \
            periods.quarter(newest.year, 4)
        return PeriodRequest(period=str(quarter if quarter.ends_by(newest) else quarter.shift(-1)))
    if request.relative in ("last_week", "this_week"):
        # no weekly figures: the week's month (a week across two months: the month it ends in)
        day = today - timedelta(days=today.weekday() + (7 if request.relative == "last_week" else 0)) + timedelta(days=6)
        return PeriodRequest(period=str(periods.month(day.year, day.month)))
    if request.relative in ("yesterday", "day_before_yesterday"):  # no daily figures: the day's month
        day = today - timedelta(days=1 if request.relative == "yesterday" else 2)
        return PeriodRequest(period=str(periods.month(day.year, day.month)))
    if request.relative == "first_months":  # »de første 7 måneder af 2026«: its year, months in `answer`
        return PeriodRequest(period=request.period or str(today.year))
    if request.relative == "coming" and request.month is not None:  # »hvad forventer vi i december«
        year = today.year + (request.month < today.month)
        return PeriodRequest(period=str(periods.month(year, request.month)))
    if request.relative == "next_month":  # no figures of the future: said, the newest given
        return PeriodRequest(period=str(this_month.shift(1)))
    if request.relative in ("this_year", "last_year", "next_year", "containing_year"):
        year = today.year + {"last_year": -1, "next_year": 1}.get(request.relative, 0)
        if request.month is not None:  # »marts sidste år«
            return PeriodRequest(period=str(periods.month(year, request.month)))
        if request.quarter is not None:  # »1. kvartal i år«
            return PeriodRequest(period=str(periods.quarter(year, request.quarter)))
        return PeriodRequest(period=str(year))
    if request.relative == "year_ago" and newest is not None:
        return PeriodRequest(period=str(newest.same_period_last_year()))
    # A follow-up's "året før" when the question before had no period: from the newest.
    if request.relative in ("year_before", "year_after") and newest is not None:
        years = -1 if request.relative == "year_before" else 1
        return PeriodRequest(period=str(periods.Period(newest.year + years, newest.start_month, newest.length)))
    if request.relative == "months_ago" and request.months % 12 == 0 and newest is not None:
        # »for 2 år siden«, »for 24 måneder siden«: whole years back from the newest period, as »for
        # et år siden« is (it was november 2024 from today while »for et år siden« was juli 2025)
        return PeriodRequest(period=str(periods.Period(newest.year - request.months // 12, newest.start_month,
                                                       newest.length)))
    if request.relative == "months_ago":
        # »for 3 måneder siden« in November is August, as »sidste måned« counts from today (a
        # quarterly figure answers it by its quarter; a month without figures falls back, said)
        return PeriodRequest(period=str(this_month.shift(-request.months)))
    if request.relative in ("quarter_before", "quarter_after") and newest is not None:
        step = -1 if request.relative == "quarter_before" else 1
        return PeriodRequest(period=str(periods.quarter(newest.year, newest.quarter).shift(step)))
    if request.relative in ("period_before", "period_after") and newest is not None:
        return PeriodRequest(period=str(newest.shift(-1 if request.relative == "period_before" else 1)))
    return PeriodRequest()


def aggregate(store: Store, indicator: Indicator, area: str, breakdown: str,
              wanted: Period) -> tuple[Observation | None, Aggregate | None]:
    """A year or quarter asked of a finer series: the mean or sum of its parts, if all are there.

    Returns (None, None) when there is no finer series to make it of, (None, Aggregate) with the
    missing parts when some are not there."""
    best: Aggregate | None = None
    for kind, length in (("month", 1), ("quarter", 3)):
        if length >= wanted.length:
            continue
        # A kind the series has none of is no candidate. Of the figure's own kind (its months,
        # say) the parts are read first: a series with every part has that kind, so which kinds
        # it has is asked only when some part is missing, a read fewer per whole year.
        if kind != indicator.frequency and kind not in store.period_kinds(indicator.id, area, breakdown):
            continue
        parts = _parts(wanted, length)
        found = {o.period: o for o in store.cross_section(indicator.id, parts, [area], breakdown)}
        missing = tuple(p for p in parts if p not in found)
        if missing and kind not in store.period_kinds(indicator.id, area, breakdown):
            continue
        made = Aggregate(period=str(wanted), method=indicator.aggregate, count=len(parts), kind=kind, missing=missing)
        if missing:
            if best is None or len(missing) / made.count < len(best.missing) / best.count:
                best = made
            continue
        values = [found[p].value for p in parts]
        sources = {found[p].source for p in parts}
        newest = found[parts[-1]]
        return Observation(
            indicator=indicator.id, area=area, period=str(wanted), breakdown=breakdown,
            value=sum(values) if indicator.aggregate == "sum" else sum(values) / len(values), unit=newest.unit,
            # Mixed sources: eksempeldata wins, so the answer never calls a partly synthetic figure official.
            source=SAMPLE_SOURCE if SAMPLE_SOURCE in sources else newest.source,
            provisional=any(found[p].provisional for p in parts),
            fetched_at=max(found[p].fetched_at for p in parts),
        ), made
    return None, best


def _averaged(indicator: Indicator, query: Query) -> Indicator:
    """The indicator as the question asks it to be made of its parts: a flow (summed over a year)
    averaged when an average is asked (»gennemsnit samtaler 2025«: the months' mean, said as such;
    it gave the year's sum)."""
    return replace(indicator, aggregate="mean") if query.mean and indicator.aggregate == "sum" else indicator


def observe(store: Store, indicator: Indicator, area: str, breakdown: str,
            period: str) -> tuple[Observation | None, Aggregate | None]:
    """One period's value: stored, or (a year or quarter of a finer series) aggregated."""
    stored = store.get(indicator.id, area, period, breakdown)
    if stored is not None and stored.value is not None:
        return stored, None
    wanted = _period(period)
    if wanted.length == 1:
        return None, None
    return aggregate(store, indicator, area, breakdown, wanted)


def _kind_for(request: PeriodRequest, indicator: Indicator, available: list[str]) -> str | None:
    if not available:
        return None
    if request.period is not None:
        wanted = _period(request.period).kind
        # A month asked of a quarterly figure is answered by its quarter; a year asked of a
        # monthly figure by the yearly series if there is one, else the newest month of that year.
        order = {"month": ("month", "quarter", "year"), "quarter": ("quarter", "month", "year"),
                 "year": ("year", "month", "quarter")}[wanted]
    elif request.month is not None:
        order = ("month", "quarter")
    elif request.quarter is not None:
        order = ("quarter", "month")
    else:
        order = _PREFERENCE[indicator.frequency]
    return next((k for k in order if k in available), available[0])


def _whole_quarter(published: Iterable[str], quarter: int) -> str | None:
    """"ledighed Q1" of a monthly figure: of the `published` periods, the newest such quarter with all
    three months (else the newest with any), to be answered or ranked as its average or sum, never
    as its last month (it answered »marts 2026«)."""
    months: dict[int, int] = {}
    for text in published:
        p = _period(text)
        if p.length == 1 and p.quarter == quarter:
            months[p.year] = months.get(p.year, 0) + 1
    if not months:
        return None
    whole = [year for year, count in months.items() if count == 3]
    return str(periods.quarter(max(whole or months), quarter))


def pick(series: list[Observation], request: PeriodRequest) -> tuple[Observation | None, bool]:
    """The observation answering `request`, and whether it had to fall back to the newest."""
    published = [o for o in series if o.value is not None]
    if not published:
        return None, False
    parsed = [(_period(o.period), o) for o in published]
    if request.month is not None:
        hits = [o for p, o in parsed if (p.length == 1 and p.month == request.month)
                or (p.length == 3 and p.quarter == (request.month - 1) // 3 + 1)]
        return (hits[-1], False) if hits else (published[-1], True)
    if request.quarter is not None:
        hits = [o for p, o in parsed if p.length <= 3 and p.quarter == request.quarter]
        return (hits[-1], False) if hits else (published[-1], True)
    if request.period is not None:
        wanted = _period(request.period)
        for p, o in reversed(parsed):
            if p == wanted or (p.length >= wanted.length and p.contains(wanted)) or (
                    wanted.length == 12 and p.year == wanted.year):
                return o, False
        return published[-1], True
    return published[-1], False


def _first(series: list[Observation], request: PeriodRequest,
           whole: Callable[[], list[Observation]]) -> dict:
    """The series' first period with data when the period asked begins before it (»ledighed 2019«
    of figures from august 2021): the reply says where they begin. `series` holds one kind of
    period; `whole` reads every kind, and where another kind begins earlier (befolkningen: months
    from oktober 2021, quarters from 2008), the reply says that its kind begins then (`first_kind`):
    »tallene begynder i oktober 2021« would not be true. Answer's fields `first`, `first_kind`."""
    first = next((o.period for o in series if o.value is not None), None)
    if first is None or request.period is None:
        return {}
    asked, begins = _period(request.period), _period(first)
    if (asked.year, asked.start_month) >= (begins.year, begins.start_month):
        return {}
    earliest = next((_period(o.period) for o in whole() if o.value is not None), begins)
    earlier = (earliest.year, earliest.start_month) < (begins.year, begins.start_month)
    return {"first": first, "first_kind": begins.kind if earlier else None}


def _last(series: list[Observation], request: PeriodRequest) -> dict:
    """The series' newest period when the whole period asked begins after it (»ledighed 2027« of
    figures to juli 2026): the reply names it, as `_first` names where the figures begin."""
    last = next((o.period for o in reversed(series) if o.value is not None), None)
    if last is None or not request.period:
        return {}
    asked, newest = _period(request.period), _period(last)
    if (asked.year, asked.start_month) <= (newest.year, newest.start_month + newest.length - 1):
        return {}
    return {"last": last}


def _so_far(asked: PeriodRequest, made: Aggregate) -> Period | None:
    """This year's months so far, when »i år« (not a year named: »ledighed 2026« is declined) is
    asked of a figure whose year lacks only its last months (or quarters)."""
    if asked.relative not in ("this_year", "containing_year") or asked.month is not None or asked.quarter is not None \
            or not made.missing or len(made.missing) >= made.count:
        return None
    wanted = _period(made.period)
    held, length = made.count - len(made.missing), 3 if made.kind == "quarter" else 1
    if made.missing != _parts(wanted, length)[held:]:
        return None  # a month missing within the year: no average of the rest
    return periods.Period(wanted.year, 1, held * length)


def _unpublished(asked: PeriodRequest, answered: Period, today: date) -> str | None:
    """This year's month or quarter, when one asked without a year is over but answered by an
    earlier year's: »ledighed september« in November 2026 is september 2025 because september 2026
    is not published yet, which the answer must say."""
    if asked.period is not None or asked.relative is not None or answered.year >= today.year:
        return None
    if asked.month is not None:
        this_year = periods.month(today.year, asked.month)
    elif asked.quarter is not None:
        this_year = periods.quarter(today.year, asked.quarter)
    else:
        return None
    return str(this_year) if this_year.ends_by(periods.month(today.year, today.month).shift(-1)) else None


def _broader(breakdown: str, kinds: dict[str, BreakdownKind]) -> str | None:
    """The breakdown with each part that is published inside a broader one replaced by that one
    (ydelse=Kontanthjælp -> ydelse=Kontant- og uddannelseshjælp); None when no part is."""
    parts = parse_breakdown(breakdown)
    wider = {key: kinds[key].within.get(value, value) if key in kinds else value for key, value in parts.items()}
    return None if wider == parts else ";".join(f"{key}={wider[key]}" for key in sorted(wider))


def _series_for(query: Query, store: Store, indicator: Indicator, area: Area,
                kinds: dict[str, BreakdownKind]) -> tuple[Query, str, str | None, list[str]]:
    """The breakdown to answer (the broader part a part is published in, else the total or the
    largest part) and its period kinds."""
    breakdown, missing_breakdown = query.breakdown, None
    available = store.period_kinds(indicator.id, area.code, breakdown)
    # »ledige på kontanthjælp«: published with uddannelseshjælp; that figure, not the total
    if breakdown and not available and (broader := _broader(breakdown, kinds)) is not None \
            and (found := store.period_kinds(indicator.id, area.code, broader)):
        return replace(query, breakdown=broader), broader, None, found
    if breakdown and not available and ";" in breakdown:
        # »a-dagpenge kvinder«: no figure by both, but by ydelse; that part's figure, the rest said
        # missing (it answered »ingen tal … kilden giver det ikke for det område«).
        asked = sorted(parse_breakdown(breakdown).items())
        for size in range(len(asked) - 1, 0, -1):
            for kept in combinations(asked, size):
                text = ";".join(f"{key}={value}" for key, value in kept)
                if found := store.period_kinds(indicator.id, area.code, text):
                    missing = ";".join(f"{key}={value}" for key, value in asked if (key, value) not in kept)
                    return replace(query, breakdown=text), text, missing, found
    if breakdown and not available:
        # "ledige kvinder" where only the total is published: answer the total and say so.
        missing_breakdown, breakdown = query.breakdown, ""
        available = store.period_kinds(indicator.id, area.code, "")
    if not available and not breakdown:
        # No total published (aktiveringsberørte exist per ydelse only; fuldtidspersoner has no
        # sum): answer the largest series there is, and list the rest by the same breakdown.
        every = [b for b in store.breakdowns(indicator.id, area.code) if b]
        candidates, asked = [b for b in every if ";" not in b], {}
        if not candidates:
            # Published only by two keys at once (konjunkturprognosen: per prognose and nøgletal):
            # the series that hold what was asked (»konjunkturprognose ledighed«), listed by their
            # other key. Without this, the answer said there were no figures for hele landet.
            asked = parse_breakdown(missing_breakdown or "")
            candidates = [b for b in every if asked.items() <= parse_breakdown(b).items()]
            if candidates:
                missing_breakdown = None
        if candidates and missing_breakdown is None:
            # (a part asked for and missing, »førtidspension« in Herlev, is said to be missing: the
            # largest other part answered another question, named only in a note)
            found = store.newest(indicator.id, area.code, candidates)
            newest = [found[b] for b in candidates]
            if query.by and (named := [found[b] for b in candidates
                                       if parse_breakdown(b).get(query.by) in query.only_parts]):
                # »jobafklaring og ressourceforløb«: the first part named leads, not the largest
                # (Førtidspension, not asked, was the headline above the two listed)
                newest = [min(named, key=lambda o: query.only_parts.index(parse_breakdown(o.breakdown)[query.by]))]
            best = max(newest, key=lambda o: (o.period, o.value if o.value is not None else float("-inf")))
            breakdown = best.breakdown
            available = store.period_kinds(indicator.id, area.code, breakdown)
            by = query.by
            if len(candidates) > 1 and by is None:
                by = next(k for k in parse_breakdown(breakdown) if k not in asked)
            # (one `replace`: each copies the Query's 70 fields)
            query = replace(query, breakdown=breakdown, by=by)
    return query, breakdown, missing_breakdown, available


def _series_read(query: Query, store: Store, indicator: Indicator, area: str, breakdown: str, kind: str,
                 today: date) -> list[Observation]:
    """The series an answer reads. The newest figure, or a period of the series' own kind, needs
    only the series' end: the period, its history, the period before and the year before. That
    end is read (about three years of months, not every year stored), a longer end when the period
    asked lies further back, and the whole series only when that falls short (an older period than
    the end holds, many unpublished periods, a base like »siden juli«). A year or quarter made of
    the series' parts (»ledige i 2025«) reads its parts on their own: the end gives its newest period."""
    count = HISTORY[kind] + TAIL_SLACK[kind]
    end, whole = store.series_tail(indicator.id, area, breakdown, kind, count)
    if whole:
        return end
    published = [o for o in end if o.value is not None]
    if query.base is None and published:
        request = resolve(query.period, today, _period(end[-1].period))
        # The answer's period is the asked one if it is published, else the newest published.
        answered = [published[-1].period]
        if request.period is not None and request.month is None and request.quarter is None \
                and _period(request.period).kind == kind:
            answered.append(request.period)
        elif request.month is not None and request.period is None and request.quarter is None \
                and request.relative is None:
            # »ledighed maj«: the newest May, as `pick` finds it in the whole series (the end is
            # the series' newest rows, so its last May is the series' last); none in the end: whole
            hit, fell_back = pick(end, request)
            if fell_back or hit is None:
                return store.series(indicator.id, area, breakdown, kind=kind)
            answered.append(hit.period)
        elif _made_of_parts(query, request, store, indicator, area, breakdown, kind):
            return end
        elif not request.is_latest:
            return store.series(indicator.id, area, breakdown, kind=kind)
        if all(_reaches(end, published, period, kind) for period in answered):
            return end  # every period the answer looks up is in it, if stored at all
        # An older period asked (»ledighed marts 2025«): an end reaching back to it and its history,
        # still shorter than the whole series of many years
        oldest = _period(min(answered))
        newest = _period(end[-1].period)
        further = ((newest.year - oldest.year) * 12 + newest.start_month - oldest.start_month) // newest.length
        longer, whole = store.series_tail(indicator.id, area, breakdown, kind, count + max(0, further))
        if whole:
            return longer
        published = [o for o in longer if o.value is not None]
        if all(_reaches(longer, published, period, kind) for period in answered):
            return longer
    return store.series(indicator.id, area, breakdown, kind=kind)


def _made_of_parts(query: Query, request: PeriodRequest, store: Store, indicator: Indicator, area: str,
                   breakdown: str, kind: str) -> bool:
    """Whether `answer` gives the period asked as a year or quarter made of the series' parts
    (»ledige i 2025« of a monthly figure, »i år« so far) and looks up nothing else in the series but
    its newest period: the aggregate is there, with no fallback that searches the series. Its reads are kept
    by the store, so `answer` making it again reads nothing twice."""
    if request.period is None or request.month is not None or request.quarter is not None \
            or query.intent not in ("value", "change", "why") or query.period.relative == "first_months" \
            or query.extreme is not None or query.span:
        return False
    asked = _period(request.period)
    if asked.length <= LENGTH_OF_KIND[kind]:
        return False
    current, made = observe(store, indicator, area, breakdown, request.period)
    if current is None and made is not None and (so_far := _so_far(query.period, made)) is not None \
            and so_far.length not in LENGTH_OF_KIND.values():
        # »ledighed i år« before the year is over: its months so far, made as `answer` makes them (a
        # span of a month or a quarter is a period the series itself may hold: not taken here)
        current, made = aggregate(store, indicator, area, breakdown, so_far)
    return current is not None and made is not None


def _reaches(end: list[Observation], published: list[Observation], period: str, kind: str) -> bool:
    """Whether a series' end holds all an answer for `period` reads: its history (HISTORY published
    periods up to it), the period before and the same period a year before."""
    wanted = _period(period)
    history = sum(1 for o in published if o.period <= period)
    return history >= HISTORY[kind] and end[0].period <= min(str(wanted.shift(-1)), str(wanted.same_period_last_year()))


def _series_from(store: Store, indicator: str, area: str, breakdown: str, kind: str, first: str) -> list[Observation]:
    """A series with (at least) its rows from period `first` on: its end when that reaches back to
    `first` (a compared area's series over the answer's history), else the whole series."""
    end, whole = store.series_tail(indicator, area, breakdown, kind, HISTORY[kind] + TAIL_SLACK[kind])
    if whole or end[0].period <= first:
        return end
    return store.series(indicator, area, breakdown, kind=kind)


def _base_period(base: PeriodRequest | None, current: Period, series: list[Observation]) -> str:
    """A change's base: "siden juli 2025", "siden sidste måned" (the period before the current
    one), "end for et år siden" (the same period a year before); none named: a year before. A
    longer period than the current one's ("siden 2024" of a month) is its first period of that kind."""
    if base is None or base.relative in ("year_ago", "last_year", "year_before"):
        return str(current.same_period_last_year() if current.length < 12 else current.shift(-1))
    if base.relative in ("previous_month", "period_before"):
        return str(current.shift(-1))
    if base.relative == "previous_quarter":
        # »siden sidste kvartal« of a month: the same month a quarter before (april to juli), named
        # in the answer; it was the month before, as »siden sidste måned«
        return str(current.shift(-max(1, 3 // current.length)))
    if base.relative == "quarter_before":  # »sidste kvartal vs kvartalet før«: not a year before
        return str(current.shift(-1 if current.length >= 3 else -3))
    if base.relative == "months_ago":  # »end for 3 måneder siden«
        return str(current.shift(-max(1, base.months // current.length)))
    if base.period is not None:
        named = _period(base.period)
        if named.length > current.length:
            # "siden 2024" of a monthly figure: since the start of 2024, its first month (the answer
            # names it, »januar 2024 til juli 2026«), not a yearly figure the series does not have.
            return str(periods.Period(named.year, named.start_month, current.length))
        if named.length < current.length:
            # "siden januar 2025" of a quarterly figure: the quarter holding it, as »siden januar«
            # is (it said »ingen tal … for januar 2025«)
            return str(periods.Period(named.year, (named.start_month - 1) // current.length * current.length + 1,
                                      current.length))
        return base.period
    if base.quarter is not None and current.length == 3:
        # »samtaler q2 vs q1« of a monthly figure: 1. kvt. (its months added up or averaged), the
        # latest before the current quarter; it was marts, the quarter's last month, set against 2. kvt.
        return str(periods.quarter(current.year - (base.quarter >= current.quarter), base.quarter))
    if base.month is not None and current.length == 3:
        # »sygedagpenge siden februar« of a quarterly figure: the quarter holding februar (1. kvt.);
        # it was »ingen tal … for februar 2026«. May's quarter being the current one, the answer is
        # that quarter itself (`answer`), not the same quarter a year before.
        held = (base.month - 1) // 3 + 1
        return str(periods.quarter(current.year - (held > current.quarter), held))
    if base.month is not None or base.quarter is not None:
        # "siden juli": the latest July before the current period
        for o in reversed(series):
            p = _period(o.period)
            if o.period < str(current) and ((base.month and p.month == base.month)
                                             or (base.quarter and p.quarter == base.quarter)):
                return o.period
        year = current.year - 1 if (base.month or (base.quarter - 1) * 3 + 1) >= current.start_month else current.year
        return str(periods.month(year, base.month) if base.month else periods.quarter(year, base.quarter))
    return str(current.same_period_last_year())


def span_ending(end: Period, months: int) -> Period:
    """The span of `months` months whose last part is `end` (a month or a quarter)."""
    return _span_from(end.span_start(months), end)


def _span_from(first: Period, last: Period) -> Period:
    """The months from the start of `first` to the end of `last`, as one period of that length."""
    months = (last.year * 12 + last.start_month + last.length) - (first.year * 12 + first.start_month)
    return Period(first.year, first.start_month, months)


def _span(base: PeriodRequest, current: Period, series: list[Observation], end_named: bool) -> Period | None:
    """The span a question names from its base to the period answered: »de sidste 3 måneder« are the
    newest three months (a quarterly figure: its newest quarter), »siden januar« januar to the
    newest month. None when it is that one period (nothing to add up) or starts after it, and when
    both ends are named as the same month of two years (»fra maj 2025 til maj 2026«: the two compared)."""
    if base.relative not in (None, "months_ago", "this_year", "last_year") or \
            (base.relative in ("this_year", "last_year") and base.month is None and base.quarter is None):
        return None  # »siden sidste måned«, »siden sidste år«: a base to compare with, not a span's start
    if base.relative == "months_ago":
        first = current.shift(-(max(1, base.months // current.length) - 1))
    else:
        first = _period(_base_period(base, current, series))
        if base.quarter is not None and first.length == 1:  # »siden 1. kvartal«: from its first month
            first = periods.month(first.year, (first.quarter - 1) * 3 + 1)
    if first.length != current.length or first >= current or (end_named and first.start_month == current.start_month):
        return None
    return _span_from(first, current)


def _month_index(period: Period) -> int:
    return period.year * 12 + period.start_month - 1


def _listed_span(query: Query, whole: Answer, today: date) -> tuple[int, int] | None:
    """The first and last month (as `_month_index`) of the span a question lists, from what its
    answer read; None when the question names no span."""
    asked = resolve(query.period, today, None).period
    agg, obs = whole.aggregate, whole.observation
    if query.base is not None and query.span:
        # »januar til juni 2026«, »siden januar«, »1. halvår 2026«: to the end named (also past the
        # newest figure), else to the period answered
        end = asked or (agg.period if agg and agg.start else None) or \
            (whole.span_mean.period if whole.span_mean else obs.period if obs else None)
        if end is None:
            return None
        last = _period(end)
        last_month = _month_index(last) + last.length - 1
        if agg and agg.start:
            return _month_index(_period(agg.start)), last_month
        if whole.change is not None:
            return _month_index(_period(whole.change.against.period)), last_month
        if whole.span_months:
            return last_month - whole.span_months + 1, last_month
        return None
    if asked is None and agg is not None and not agg.start:
        asked = agg.period  # »hver måned i 1. kvartal«: the quarter answered
    if asked is None or _period(asked).length == 1:
        return None
    span = _period(asked)
    return _month_index(span), _month_index(span) + span.length - 1


def _listed(query: Query, whole: Answer, store: Store, today: date) -> Listed | None:
    """The periods of the span a question asks each of (Query.each), with their values; None when it
    names no span, or the figure has no months or quarters to list."""
    if whole.ranking is not None:
        return None
    indicator, area = whole.indicator, whole.area
    breakdown = whole.observation.breakdown if whole.observation is not None else whole.query.breakdown
    kinds = store.period_kinds(indicator.id, area.code, breakdown)
    kind, coarser = query.each, False
    if kind == "month" and "month" not in kinds:
        kind, coarser = "quarter", True  # sygedagpenge month by month: its quarters, said
    if kind not in kinds and not (kind == "quarter" and "month" in kinds):
        return None
    series = [o for o in store.series(indicator.id, area.code, breakdown, "month" if "month" in kinds else "quarter")
              if o.value is not None]
    if not series:
        return None  # no figures at all: the answer says so as before
    newest = _month_index(_period(series[-1].period)) + _period(series[-1].period).length - 1
    if query.each_months:
        # »januar, februar og marts«: in the year named, else each the newest such month with figures
        year = int(query.period.period[:4]) if query.period.period else None
        wanted = [periods.month(year if year else newest // 12 - (month - 1 > newest % 12), month)
                  for month in query.each_months]
        if coarser:
            wanted = list(dict.fromkeys(periods.quarter(p.year, p.quarter) for p in wanted))
    else:
        span = _listed_span(query, whole, today)
        if span is None:
            return None
        first, last = span
        wanted = [periods.month(m // 12, m % 12 + 1) for m in range(first, last + 1)] if kind == "month" else \
            [periods.quarter(q // 4, q % 4 + 1) for q in range(first // 3, last // 3 + 1)]
    if not wanted:
        return None
    names = [str(p) for p in wanted]
    if len(names) > LISTED_MOST:
        return Listed(kind=kind, first=names[0], last=names[-1], coarser=coarser, too_many=len(names))
    rows = tuple(ListedPeriod(period=str(p), observation=_published(observe(store, indicator, area.code,
                                                                            breakdown, str(p))[0]),
                              later=_month_index(p) + p.length - 1 > newest) for p in wanted)
    return Listed(kind=kind, first=names[0], last=names[-1], rows=rows, coarser=coarser)


def _own_region(areas: Areas, default_area: str) -> Area | None:
    """The configured kommune's region ("regionen"); None when the configured area is no kommune."""
    home = areas.get(default_area)
    return areas.get(home.region) if home.kind == "kommune" and home.region else None


def _published(observation: Observation | None) -> Observation | None:
    return observation if observation is not None and observation.value is not None else None


# At most this many areas are named where a figure is held (more: the source's own gaps).
HELD_IN_NAMED = 5


def _held_in(store: Store, indicator: Indicator, areas: Areas, default_area: str) -> tuple[Area, ...]:
    """The areas that have `indicator` when they are few (the configured kommune first, hele landet
    last); else none."""
    codes = store.areas_of(indicator.id, HELD_IN_NAMED + 1)
    if not codes or len(codes) > HELD_IN_NAMED:
        return ()
    held = [areas.get(code) for code in codes]
    return tuple(sorted(held, key=lambda a: (a.code != default_area, a.kind == "land", a.name)))


def _comparable(store: Store, catalogue: Catalogue, candidates: tuple[str, ...], area: Area,
                others: list[Area], upto: Period, part: str) -> dict:
    """The `comparable` and `compared_on` of an Answer: the first candidate figure with values for
    the area and an area compared with, of the newest period both have that begins by the end of
    `upto` (samtaler of juli 2026: the samtalehyppighed of 2. kvt. 2026); the period is said. Of a
    part (»samtaler for sygemeldte«) a figure of that part first, else of the whole (said)."""
    if not candidates:
        return {}
    end = upto.year * 12 + upto.start_month + upto.length - 1
    for breakdown, candidate in [(b, c) for b in dict.fromkeys((part, "")) for c in candidates]:
        figure = catalogue.get(candidate)
        own = {o.period: o for o in store.series(candidate, area.code, breakdown) if o.value is not None
               and (p := _period(o.period)).year * 12 + p.start_month <= end}
        found = []
        for other in others:
            both = [o for o in store.series(candidate, other.code, breakdown) if o.period in own and o.value is not None]
            if both:
                found.append(Comparable(indicator=figure, area=other, own=own[both[-1].period], other=both[-1]))
        if found:
            return {"comparable": figure, "compared_on": tuple(found)}
    return {"comparable": catalogue.get(candidates[0])}


def answer(query: Query, store: Store, catalogue: Catalogue, areas: Areas, default_area: str,
           today: date) -> Answer:
    """The answer to a parsed question from the store's figures, with when the tables its source
    lines name were last read."""
    made = _answer(query, store, catalogue, areas, default_area, today)
    # The figures a source line names: the answer's (also on its chart), a peak's, a listing's last.
    named = [made.observation, made.extreme, *(r.observation for r in (made.listed.rows if made.listed else ()))]
    sources = {o.source for o in named if o is not None and ":" in o.source}
    if sources:
        # `made` is new, not yet seen by anyone: its reads are set as its constructor would have set
        # them. A `replace` copied the Answer's 65 fields again for this one, a tenth of a short answer.
        object.__setattr__(made, "reads", store.table_reads(sources))
    return made


def _answer(query: Query, store: Store, catalogue: Catalogue, areas: Areas, default_area: str,
            today: date) -> Answer:
    if query.each and not query.compare and query.intent in ("value", "change", "development"):
        # »ledighed for hver måned i 1. kvartal 2026« gave the quarter's mean, »måned for måned i 2026«
        # the newest month: the question is answered as before, and the span's periods are listed in it
        whole = _answer(replace(query, each="", each_months=()), store, catalogue, areas, default_area, today)
        listed = _listed(query, whole, store, today)
        if listed is None:  # no span named (»samtaler om måneden«): the words' other reading stands
            return whole
        return replace(whole, query=replace(whole.query, each=query.each, each_months=query.each_months),
                       listed=listed)
    indicator = _averaged(catalogue.get(query.indicator), query)
    region = _own_region(areas, default_area)
    if query.own_region == "area" and region is not None:
        query = replace(query, area=region.code)
    elif query.own_region == "compare" and region is not None and region.code not in query.compare \
            and region.code != query.area:  # (not the region beside itself)
        query = replace(query, compare=(*query.compare, region.code))
    if query.compare_own and query.area not in (None, default_area) and default_area not in query.compare:
        query = replace(query, compare=(*query.compare, default_area))  # »… end os«
    area, led_instead = areas.get(query.area or default_area), None
    if query.split_figures:
        # (»Der er også egne tal for ledige unge (alder)« only where the area has them)
        query = replace(query, split_figures=tuple(
            (figure, key) for figure, key in query.split_figures if store.breakdowns(figure, area.code)))
    if query.splits:
        # The splits named (»hvem er de?«, »ledige ukrainere«) are those the store holds for the area:
        # ledige by køn are in the catalogue, but no table loaded has them, and »kan opdeles på ydelse og
        # køn« was followed by »ingen tal« when asked. »hvem er de?« lists the figure by the first one
        # not already named (none: not split, said); a key asked (»… fordeler de sig på køn«) stays.
        # A split is held where a stored part adds just it to the parts named (aktiverede are stored
        # by ydelse and redskab together only: neither can be listed alone, though both are keys).
        named = dict(part.split("=", 1) for part in query.breakdown.split(";") if part)
        held = set()
        for stored in store.breakdowns(indicator.id, area.code):
            parts = dict(part.split("=", 1) for part in stored.split(";") if part)
            added = [k for k, v in parts.items() if named.get(k) != v]
            if len(added) == 1 and all(parts.get(k) == v for k, v in named.items()):
                held.add(added[0])
        query = replace(query, splits=tuple(k for k in query.splits if k in held))
    if query.composition and query.by is None:
        named_keys = {part.split("=", 1)[0] for part in query.breakdown.split(";") if part}
        query = replace(query, by=next((k for k in query.splits if k not in named_keys), None))
    if area.code in query.compare:
        # »ledighed i Herlev sammenlignet med Ballerup« … »og hvad med os?«: Ballerup is asked, not
        # set beside itself (it said »Ballerup: 805 …; samme niveau som Ballerup«)
        query = replace(query, compare=tuple(c for c in query.compare if c != area.code))
    if query.compare and query.intent != "ranking" and not store.breakdowns(indicator.id, area.code):
        # »sygedagpenge i Herlev, Gladsaxe og Ballerup« said only »ingen tal … i Herlev«: the areas
        # named after it were dropped unsaid. The first one holding the figure leads; the rest are
        # listed beside it, the ones without figures said so.
        held = next((code for code in query.compare if store.breakdowns(indicator.id, code)), None)
        if held is not None:
            query = replace(query, area=held, compare=(area.code, *(c for c in query.compare if c != held)))
            area, led_instead = areas.get(held), area
    rate_instead = None
    if query.intent != "ranking" and not query.breakdown and not query.by and indicator.rate \
            and not store.breakdowns(indicator.id, area.code) and store.breakdowns(indicator.rate, area.code):
        # »ledigheden i Region Hovedstaden«: no count of ledige for the region, but its ledighedsprocent
        # (it said »Der er ingen tal for ledige i Region Hovedstaden«, the rate held unsaid)
        rate_instead, indicator = indicator, _averaged(catalogue.get(indicator.rate), query)
        query = replace(query, indicator=indicator.id)
    part_instead = None
    if query.elsewhere is not None and (query.breakdown or query.by) and (
            not store.period_kinds(indicator.id, area.code, query.breakdown) if query.breakdown else
            not any(query.by in parse_breakdown(b) for b in store.breakdowns(indicator.id, area.code))) \
            and store.period_kinds(query.elsewhere[0], area.code, query.elsewhere[1]):
        # »jobparate på kontanthjælp«: no kontanthjælpsmodtagere by visitationskategori, but målgruppernes
        # fuldtidspersoner on kontanthjælp have it (it gave all kontanthjælpsmodtagere, the part said
        # missing); »… fordelt på visitationskategori« lists them from there.
        # (a ranking of the count asked reads its rate, which is not what was asked: the count is named)
        part_instead = (catalogue.get(query.ranked_from) if query.ranked_from else indicator,
                        query.breakdown or f"{query.by}=")
        indicator = _averaged(catalogue.get(query.elsewhere[0]), query)
        query = replace(query, indicator=indicator.id, breakdown=query.elsewhere[1], ranked_from=None)
    only_area = False
    if query.area is None and area.kind not in indicator.area_kinds and len(indicator.area_kinds) == 1:
        kinds = [a for a in areas if a.kind == indicator.area_kinds[0]]
        if len(kinds) == 1:  # one such area (hele landet): it is the figure's only one
            area, only_area = kinds[0], True
    asked_breakdown = query.breakdown
    query, breakdown, missing_breakdown, available = _series_for(query, store, indicator, area, catalogue.breakdowns)
    broader_of = asked_breakdown if asked_breakdown and breakdown != asked_breakdown and \
        _broader(asked_breakdown, catalogue.breakdowns) == breakdown else None
    if query.intent == "ranking":
        found = rank(query, store, catalogue, areas, default_area, today)
        own = found.rows[found.own_place - 1].observation if found.own_place else None
        return Answer(query=query, indicator=found.indicator, area=found.own or area, observation=own,
                      ranking=found, missing_breakdown=missing_breakdown, broader_of=broader_of,
                      part_instead=part_instead)
    kind = _kind_for(query.period, indicator, available)
    if kind is None:
        # A part missing where the figure has a few others (Herlev's forsørgertryk: kontanthjælp only):
        # those are named; it said »kilden giver det ikke for det område«.
        held_parts = [b for b in store.breakdowns(indicator.id, area.code) if b and ";" not in b] \
            if missing_breakdown and not query.compare else []
        nowhere = not store.areas_of(indicator.id, 1)
        return Answer(query=query, indicator=indicator, area=area, observation=None,
                      missing_breakdown=missing_breakdown, held_in=_held_in(store, indicator, areas, default_area),
                      held_nowhere=nowhere,
                      related=catalogue.get(indicator.related) if nowhere and indicator.related else None,
                      also_without=tuple(areas.get(code) for code in query.compare),
                      held_parts=tuple(held_parts) if len(held_parts) <= HELD_IN_NAMED else (),
                      part_held_in=next((areas.get(code) for code in (default_area, "000")
                                         if held_parts and code != area.code
                                         and store.period_kinds(indicator.id, code, missing_breakdown)), None))
    development_span = None
    if query.intent == "development" and query.extreme is None and \
            (asked := resolve(query.period, today, None)).period is not None:
        # »udvikling i ledigheden 2025«: through the year's months to its last with data; it gave the
        # year's average against the year before, with no development at all. (»hvornår var den
        # lavest i 2025« looks inside the year's average itself: `_extreme`.) The same for a quarter
        # of a monthly figure and a year of a quarterly one (»sygedagpenge 2025« → »vis udviklingen«).
        span = _period(asked.period)
        finer = "month" if "month" in available and span.length > 1 else \
            "quarter" if "quarter" in available and span.length == 12 else None
        if finer is not None:
            kind, development_span = finer, span
    looked_in = None
    if query.extreme is not None and not query.extreme_year \
            and (asked := resolve(query.period, today, None)).period is not None:
        # »hvornår var ledighedsprocenten højest i 2024«: inside the year's months, also where the
        # figure has a yearly value too (it gave the highest of all years, or none at all for 2025)
        span = _period(asked.period)
        finer = "month" if "month" in available and span.length > 1 else \
            "quarter" if "quarter" in available and span.length == 12 else None
        if finer is not None:
            looked_in = (span, finer)
    series = _series_read(query, store, indicator, area.code, breakdown, kind, today)
    series_kind = kind  # (`kind` is reused below for a breakdown's kind)

    def whole() -> list[Observation]:
        return store.series(indicator.id, area.code, breakdown)
    newest = _period(series[-1].period) if series else None
    request = resolve(query.period, today, newest)
    if request.quarter is not None and kind == "month" and \
            (quarter := _whole_quarter((o.period for o in series if o.value is not None), request.quarter)):
        request = PeriodRequest(period=quarter)
    if development_span is not None and (in_span := [
            o.period for o in series if o.value is not None and _within(o.period, development_span)]):
        request = PeriodRequest(period=in_span[-1])
    made = not_whole = span_base = None
    if request.period is not None and _period(request.period).length > 1 and not any(
            o.period == request.period and o.value is not None for o in series):
        # A year or quarter asked of a monthly series: its average (or sum), never its last month.
        current, made = observe(store, indicator, area.code, breakdown, request.period)
        if query.period.relative == "first_months" and made is not None and \
                (made.kind == "month" or query.period.months % 3 == 0):
            # »de første 7 måneder af 2026«: januar–juli, named and compared with the same months
            # a year before, as »i år« so far is
            current, made = aggregate(store, indicator, area.code, breakdown,
                                      periods.Period(_period(request.period).year, 1, query.period.months))
            made = replace(made, so_far=True) if made is not None else None
        if made is not None and current is None and query.intent in ("value", "change", "why") \
                and (so_far := _so_far(query.period, made)) is not None:
            # »ledighed i år«, »i år vs sidste år« before the year is over: its months so far (it
            # was declined, the year's last months missing), named and compared month for month.
            current, made = aggregate(store, indicator, area.code, breakdown, so_far)
            made = replace(made, so_far=True) if made is not None else None
        if made is not None and current is None and query.period.relative in ("previous_quarter", "this_quarter") \
                and (published := next((o for o in reversed(series) if o.value is not None), None)) is not None:
            # »sidste kvartal« in November, only juli of 3. kvt. published: the newest whole quarter,
            # said, as »sidste måned« gives the newest month (it was declined)
            whole = resolve(PeriodRequest(relative="latest_quarter"), today, _period(published.period))
            found, whole_made = observe(store, indicator, area.code, breakdown, whole.period)
            if found is not None and whole.period < request.period:
                not_whole, current, made, request = request.period, found, whole_made, whole
        if made is not None and current is None and query.period.relative in ("latest_quarter", "containing_quarter"):
            made = None  # no whole quarter at all (a figure published from juli 2026): the newest, said
        if made is not None and current is None:
            return Answer(query=query, indicator=indicator, area=area, observation=None, aggregate=made,
                          missing_breakdown=missing_breakdown, **_first(series, request, whole),
                          **_last(series, request))
        fell_back = current is None
        if current is None:
            current, fell_back = pick(series, request)
    else:
        current, fell_back = pick(series, request)
    if current is None:
        return Answer(query=query, indicator=indicator, area=area, observation=None)
    if query.intent == "change" and query.span and made is None and fell_back:
        # »ledighed andet halvår 2026«, »gennemsnitlig ledighed juli til december 2026« with figures
        # to juli: the span's end has none, so the span is not whole (it gave juli 2025 til juli 2026).
        # A level's change (»ledighed juli til december 2026«) is declined so only where its start is
        # the newest period or later: the change to the newest would move its start a year back, unsaid.
        asked_end = _period(request.period) if request.period is not None else None
        if asked_end is not None and asked_end.length == 1 and _period(current.period).length == 3:
            asked_end = Period(asked_end.year, (asked_end.start_month - 1) // 3 * 3 + 1, 3)  # (its quarter)
        if asked_end is not None and asked_end.kind == _period(current.period).kind \
                and (wanted := _span(resolve(query.base, today, None) if query.base.month or query.base.quarter
                                     else query.base, asked_end, series, True)) is not None:
            start = Period(wanted.year, wanted.start_month, asked_end.length)
            summed = indicator.aggregate == "sum" or query.mean
            _, lacking = aggregate(store, indicator, area.code, breakdown, wanted) \
                if summed or start >= _period(current.period) else (None, None)
            if lacking is not None and lacking.missing:
                lacking = replace(lacking, period=str(asked_end), start=str(start))
                return Answer(query=replace(query, intent="value" if summed else "change"), indicator=indicator, area=area,
                              observation=None, aggregate=lacking, missing_breakdown=missing_breakdown)
    if query.intent in ("change", "why") and query.span and made is None and not fell_back \
            and (indicator.aggregate == "sum" or query.mean) \
            and (span := _span(resolve(query.base, today, None) if query.base.month or query.base.quarter else query.base,
                               _period(current.period), series, not query.period.is_latest)) is not None:
        # »hvor mange samtaler siden januar«, »samtaler de sidste 3 måneder«: the months added up (an
        # average asked: their mean); it gave januar's count against juli's, another question.
        found, spanned = aggregate(store, indicator, area.code, breakdown, span)
        if spanned is not None and spanned.kind == _period(current.period).kind:
            # (»hvorfor?« after it: the span against the same span a year before, its parts' too)
            span_base = query.base if query.intent == "why" else None
            query, made = replace(query, intent="value") if query.intent == "change" else replace(query, base=None), \
                replace(spanned, period=current.period,
                        start=str(Period(span.year, span.start_month, _period(current.period).length)))
            if found is None:
                return Answer(query=query, indicator=indicator, area=area, observation=None, aggregate=made,
                              missing_breakdown=missing_breakdown)
            current = replace(found, period=current.period)
    if not query.finer and made is None and _period(current.period).length > 1 and (
            request.month is not None or (request.period is not None and _period(request.period).length == 1)):
        # »sygedagpenge i maj«: a quarterly figure has no month's figure, so the quarter holding it
        # is given, said (it was given unsaid, as if it were May's)
        query = replace(query, finer="month")
    p = _period(current.period)
    newer_elsewhere = None
    if query.period.is_latest and made is None and not fell_back \
            and (today.year * 12 + today.month) - (p.year * 12 + p.start_month + p.length) >= STOPPED_MONTHS[kind]:
        # Older than figures usually are: look once at another area's newest (only then: one read)
        other = areas.get(default_area if area.code != default_area else "000")
        newest = store.last_periods(indicator.id, other.code, breakdown, kind, 1) if other else []
        if newest and newest[0] > current.period:
            newer_elsewhere = (other, newest[0])
    by_period = {o.period: o for o in series}
    upto = [o for o in series if o.period <= current.period and o.value is not None]
    history = tuple(upto[-HISTORY[kind]:]) if made is None else ()
    window = upto[-DEVELOPMENT[kind]:] if made is None else []
    if query.intent == "development" and query.base is not None and upto and made is None:
        # »udvikling i ledigheden siden 2022«: from the base's first period on (januar 2022), not the
        # newest 13 months
        start = _period(_base_period(query.base, _period(current.period), series))
        window = [o for o in upto if _period(o.period) >= start] or window
    if development_span is not None:
        # »udvikling i år«, »udvikling 2025«: the year's own months (januar to the newest), not the
        # 13 months to its last, whose first and low or high could lie in the year before
        window = [o for o in window if _within(o.period, development_span)] or window
    if query.intent == "development" and history and window and window[0].period < history[0].period:
        # The chart draws the periods the text speaks of: »siden 2022« reaches back before the history
        history = tuple(o for o in upto if o.period >= window[0].period)

    base_unpublished = None

    def value_at(indicator_: Indicator, code: str, period: str, part: str = breakdown) -> Observation | None:
        if made is None and indicator_ is indicator and code == area.code and part == breakdown:
            return by_period.get(period)
        if made is not None and made.start:
            # a span (»siden januar«) is compared with the same span: januar–juli 2025, not juli 2025
            found, _ = aggregate(store, indicator_, code, part, span_ending(_period(period), made.months))
            return replace(found, period=period) if found is not None else None
        if made is not None and made.so_far and _period(period).length == 12:
            # a year so far is compared with the same months: januar–juli 2025, not all of 2025
            found, _ = aggregate(store, indicator_, code, part, periods.Period(int(period), 1, made.months))
            return found
        found, _ = observe(store, indicator_, code, part, period)
        return found

    rate_indicator = catalogue.get(indicator.rate) if indicator.rate else None
    rate = value_at(rate_indicator, area.code, current.period) if rate_indicator else None
    extreme, span, extreme_from = _extreme(query, store, indicator, area.code, breakdown, kind, made, looked_in)
    last_held, last_held_span, held_since, held_after, held_gaps = _last_held(query, store, indicator, area.code,
                                                                              breakdown, kind,
                                                       current.period)
    comparisons = []
    for code in query.compare:
        # (a year made of months compares made values: no series of the other area is needed)
        other = [] if made else _series_from(store, indicator.id, code, breakdown, kind,
                                                history[0].period if history else current.period)
        comparisons.append(Comparison(
            area=areas.get(code),
            observation=value_at(indicator, code, current.period) if made else
            next((o for o in other if o.period == current.period), None),
            history=tuple(o for o in other if history and history[0].period <= o.period <= current.period),
            rate=_published(value_at(rate_indicator, code, current.period)) if rate_indicator else None,
        ))
    if extreme is not None:
        # »hvornår var ledigheden højest vs landet«: hele landet's own peak, not its newest value
        # shown under Ballerup's peak as if of the same month
        comparisons = [replace(c, extreme=found[0], extreme_from=found[2]) for c in comparisons
                       if (found := _extreme(query, store, indicator, c.area.code, breakdown, kind, made, looked_in))]
    if query.intent == "development" and len(window) > 1:
        # »sammenlign ledigheden i Ballerup og Herlev over de sidste 12 måneder«: Herlev's change
        # over the same months too (its level alone was given)
        comparisons = [replace(c, development=change(c.observation, next(
            (o for o in c.history if o.period == window[0].period), None), indicator)) if c.observation else c
            for c in comparisons]
    parts = []
    missing_parts: list[MissingPart] = []
    if query.by:
        wanted = {k: v for k, v in parse_breakdown(breakdown).items() if k != query.by}
        listed = []
        # »kontanthjælp vs dagpenge«: only the parts named, each as published (kontanthjælp inside
        # kontant- og uddannelseshjælp where the figure has only that)
        kind = catalogue.breakdowns.get(query.by)
        named = {*query.only_parts, *(kind.within.get(p, p) for p in query.only_parts if kind)}
        for candidate in store.breakdowns(indicator.id, area.code):
            split = parse_breakdown(candidate)
            if query.by in split and {k: v for k, v in split.items() if k != query.by} == wanted \
                    and (not named or split[query.by] in named):
                listed.append((candidate, split))
        # The parts' values in one read (each then kept as `get` keeps it), not a statement per part.
        store.get_each(indicator.id, area.code, current.period, [c for c, _ in listed])
        for candidate, split in listed:
            found = value_at(indicator, area.code, current.period, candidate)
            if found is not None and found.value is not None:
                parts.append(Part(label=split[query.by], observation=found))
            elif (later := _missing_part(store, indicator, area.code, candidate, split[query.by],
                                         current.period, series_kind)) is not None:
                missing_parts.append(later)
    asked_change = base_missing = None
    if made is not None and made.start and query.base is not None and query.period.is_latest \
            and (later := _unpublished(query.base, _period(made.start), today)) is not None:
        base_unpublished = (later, made.start)  # (»samtaler siden januar« before januar 2026 is out)
    movers: list[tuple[str, Change]] = []
    national_change = None
    span_mean, span_months = None, 0
    if query.intent == "change" and query.base is not None and query.base.month is not None and p.length == 3 \
            and _base_period(query.base, p, series) == current.period:
        # »sygedagpenge siden maj«: maj lies in the newest quarter, so there is no change to give;
        # the quarter is, said (`finer`). It gave 2. kvt. 2025 til 2. kvt. 2026, a year's change.
        query = replace(query, intent="value", base=None, finer=query.finer or "month")
    if query.intent in ("change", "why"):
        base = query.base
        if base is not None and base.relative is not None and (base.month or base.quarter):
            base = resolve(base, today, None)  # »siden marts sidste år«: marts 2025
        base_period = _base_period(base, p, series)
        if query.intent == "change" and query.span and not query.mean and made is None \
                and indicator.aggregate == "mean" and base is not None \
                and query.base.relative in (None, "this_year", "last_year") \
                and (spanned := _span(base, p, series, not query.period.is_latest)) is not None \
                and spanned.length > 2 * p.length:  # (of two periods the mean is only their midpoint)
            span_mean, _ = aggregate(store, indicator, area.code, breakdown, spanned)
            span_months = spanned.length if span_mean is not None else 0
        if query.base is not None and query.period.is_latest \
                and (later := _unpublished(query.base, _period(base_period), today)) is not None:
            # (»fra maj til juli 2025«: maj of the year named, nothing unpublished to say)
            base_unpublished = (later, base_period)
        base = value_at(indicator, area.code, base_period)
        asked_change = change(current, base, indicator)
        if query.intent == "change" and made is None and history and base_period < history[0].period:
            # »ledige siden 2024«: the chart draws the change's periods, from the base on, as the text
            # does; the areas compared with too
            history = tuple(o for o in upto if o.period >= base_period)
            comparisons = [replace(c, history=tuple(
                o for o in _series_from(store, indicator.id, c.area.code, breakdown, series_kind, base_period)
                if base_period <= o.period <= current.period)) for c in comparisons]
        if asked_change is None:
            base_missing = base_period
        elif query.intent == "change":
            # »ledighed maj 2025 til maj 2026 Ballerup og Herlev«: Herlev's change between the same
            # periods too (its level in maj 2026 alone was given)
            comparisons = [replace(c, development=change(c.observation, value_at(indicator, c.area.code, base_period),
                                                         indicator)) if c.observation else c for c in comparisons]
        elif query.intent == "why":
            # What the data can say: which part moved most, and whether hele landet moved alike.
            # The parts of what is shown, one key finer: of »ledige på A-dagpenge« not the other
            # ydelser beside it (it listed Kontant- og uddannelseshjælp, and A-dagpenge itself, as movers)
            shown = parse_breakdown(breakdown)
            candidates = [c for c in store.breakdowns(indicator.id, area.code)
                          if c and (split := parse_breakdown(c)).items() >= shown.items()
                          and len(split) == len(shown) + 1 and "korrektion" not in split.keys() - shown.keys()]
            for period in (current.period, base_period):  # each period's parts in one read
                store.get_each(indicator.id, area.code, period, candidates)
            for candidate in candidates:
                now_, then = value_at(indicator, area.code, current.period, candidate), \
                    value_at(indicator, area.code, base_period, candidate)
                if now_ is not None and (moved := change(now_, then, indicator)) is not None:
                    movers.append((candidate, moved))
            movers.sort(key=lambda item: -abs(item[1].absolute))
            national_now = value_at(indicator, "000", current.period) if area.code != "000" else None
            if national_now is not None:
                national_change = change(national_now, value_at(indicator, "000", base_period), indicator)
    previous_period = str(p.shift(-1))
    # »virksomhedspraktik«: published only with another part (Kontanthjælp), which is shown, said
    narrowed_from = asked_breakdown if asked_breakdown and query.by is None and breakdown != asked_breakdown \
        and parse_breakdown(asked_breakdown).items() < parse_breakdown(breakdown).items() else None
    return Answer(
        query=query, indicator=indicator, area=area, observation=current,
        requested=request if fell_back else None, **(_first(series, request, whole) if fell_back else {}),
        unpublished=not_whole or (None if fell_back else _unpublished(query.period, p, today)),
        base_unpublished=base_unpublished,
        # (a span has no period just before it to compare with, and its year before is made as it is)
        previous=change(current, value_at(indicator, area.code, previous_period), indicator)
        if not (made and made.start) else None,
        last_year=change(current, value_at(indicator, area.code, str(p.same_period_last_year())) if made and made.start
                         else by_period.get(str(p.same_period_last_year())), indicator) if p.length < 12 else None,
        rate_indicator=rate_indicator, rate=rate if rate is not None and rate.value is not None else None,
        comparisons=tuple(comparisons), parts=tuple(sorted(parts, key=lambda part: -part.observation.value)),
        history=history,
        development=change(current, window[0], indicator) if len(window) > 1 else None,
        low=min(window, key=lambda o: o.value) if window else None,
        high=max(window, key=lambda o: o.value) if window else None,
        missing_breakdown=missing_breakdown, broader_of=broader_of, no_total=bool(breakdown) and not asked_breakdown,
        narrowed_from=narrowed_from, aggregate=made, change=asked_change, base_missing=base_missing,
        span_base=span_base,
        **_comparable(store, catalogue, query.comparable, area, [c.area for c in comparisons], _period(current.period),
                      current.breakdown),
        span_mean=replace(span_mean, period=current.period) if span_mean is not None and asked_change else None,
        span_months=span_months,
        kept_breakdown=bool(missing_breakdown and breakdown) and
        parse_breakdown(breakdown).items() <= parse_breakdown(asked_breakdown).items(),
        movers=tuple(movers[:3]), national_change=national_change, only_area=only_area, newer_elsewhere=newer_elsewhere,
        extreme=extreme, extreme_span=span, extreme_from=extreme_from,
        last_held=last_held, last_held_span=last_held_span, held_since=held_since,
        held_after=held_after, held_gaps=held_gaps,
        share_indicator=(whole_indicator := catalogue.get(query.share_of) if query.share_of else None),
        share_whole=_published(value_at(whole_indicator, area.code, current.period, ""))
        if whole_indicator else None,
        led_instead=led_instead, held_in=_held_in(store, indicator, areas, default_area) if led_instead else (),
        rate_instead=rate_instead,
        part_instead=part_instead,
        imported_parts=_imported_parts(store, indicator, area.code, current, series_kind),
        missing_parts=tuple(missing_parts),
        together_count=next((i for i in catalogue if i.rate == indicator.id), None)
        if query.together and indicator.format != "count" else None,
        without=tuple(c.area.code for c in comparisons
                      if c.observation is None and not store.breakdowns(indicator.id, c.area.code)),
    )


def _missing_part(store: Store, indicator: Indicator, area: str, breakdown: str, label: str, period: str,
                  kind: str) -> MissingPart | None:
    """A part with no figure for `period` but some after it (its first one then), or None: a part
    that ended before (a ydelse reformed away) is not named; one whose figures begin later (the
    kommune's own, which replaced the part's eksempeldata) or resume after a gap is."""
    if _period(period).kind != kind:
        return None  # a year or quarter made of months: its parts are made as it is
    end, _ = store.series_tail(indicator.id, area, breakdown, kind, 1)
    if not end or end[-1].period <= period:
        return None
    held = [o for o in store.series(indicator.id, area, breakdown, kind=kind) if o.value is not None]
    later = next((o for o in held if o.period > period), None)
    if later is None:
        return None
    return MissingPart(label=label, first=later, sample=later.source == SAMPLE_SOURCE,
                       begins=held[0] is later)


def _imported_parts(store: Store, indicator: Indicator, area: str, shown: Observation, kind: str,
                    ) -> tuple[Observation, ...]:
    """Of a total that is eksempeldata, the parts (one key each) whose newest figure is the kommune's
    own or official: »samtaler« after a file of only the Ledige; of a part that is eksempeldata, the
    total where that is (a file of only »I alt«). Empty for a figure that is not eksempeldata."""
    if shown.source != SAMPLE_SOURCE:
        return ()
    parts = [part for part in store.breakdowns(indicator.id, area)
             if (part and ";" not in part if not shown.breakdown else part == "")]
    # A part whose every row is eksempeldata has nothing of the kommune's own to name: which parts
    # hold any other row is a seek each, where reading each part's figures was a year's twelve
    # months per part (nine parts of forsørgertryk made »forsørgertryk 2025« 1.7 ms).
    real = store.holding_real_figures((indicator.id, area, part) for part in parts)
    found = []
    for part in parts:
        if (indicator.id, area, part) not in real:
            continue
        # the part's own figure for the period answered where it is real (»forsørgertryk 2025 vs 2024«
        # named Kontanthjælp's juli 2026, not 2025's); else its newest (said so in the answer)
        same, _ = observe(store, indicator, area, part, shown.period)
        if same is not None and same.value is not None and same.source != SAMPLE_SOURCE:
            found.append(same)
            continue
        end, _ = store.series_tail(indicator.id, area, part, kind, 1)
        if end and end[-1].value is not None and end[-1].source != SAMPLE_SOURCE:
            found.append(end[-1])
    return tuple(found)


def _extreme(query: Query, store: Store, indicator: Indicator, area: str, breakdown: str, kind: str,
             made: Aggregate | None, looked_in: tuple[Period, str] | None = None,
             ) -> tuple[Observation | None, tuple[str, str] | None, Observation | None]:
    """»hvornår var ledigheden højest«: the highest (or lowest) published value of the whole series
    (not of the end an answer reads), the newest of equal ones, and the first and last periods
    looked at; of a year or quarter asked (»lavest i 2025«) its own periods; »hvilket år«: the
    whole years' averages (or sums), as an answer of each year gives them. »hvornår steg … mest«
    (Query.moved_most): the period whose change from the one before is the biggest rise (or fall),
    and that period before (the third value; None otherwise). `looked_in`: a longer period asked and
    the finer kind of the series to look inside it."""
    if query.extreme is None:
        return None, None, None
    pool = [o for o in store.series(indicator.id, area, breakdown, kind=looked_in[1] if looked_in else kind)
            if o.value is not None]
    before = {str(_period(o.period).shift(1)): o for o in pool}  # each period's predecessor, by period
    if looked_in is not None:
        pool = [o for o in pool if _within(o.period, looked_in[0])]
    elif made is not None:
        inside = set(_parts(_period(made.period), 1 if kind == "month" else 3))
        pool = [o for o in pool if o.period in inside]
    elif query.extreme_year and kind != "year":
        years: dict[str, list[Observation]] = {}
        for o in pool:
            years.setdefault(o.period[:4], []).append(o)
        whole = 12 if kind == "month" else 4
        # a year's own published figure where there is one (DST's yearly rate), as »ledighedsprocent
        # 2022« answers it; else its months' average (or sum)
        stored = {o.period: o for o in store.series(indicator.id, area, breakdown, kind="year") if o.value is not None}
        made_years = {year: Observation(indicator.id, area, year, sum(o.value for o in found) / (
                          1 if indicator.aggregate == "sum" else whole), breakdown, found[-1].unit,
                          SAMPLE_SOURCE if any(o.is_sample for o in found) else found[-1].source,
                          any(o.provisional for o in found), found[-1].fetched_at)
                      for year, found in years.items() if len(found) == whole and year not in stored}
        pool = sorted([*stored.values(), *made_years.values()], key=lambda o: o.period)
        before = {str(int(o.period) + 1): o for o in pool}
    if query.extreme_months and made is None and not query.extreme_year and pool:
        # »den højeste i 5 år«: of the newest 5 years' periods (the series' newest period counted in)
        first = _period(pool[-1].period).span_start(query.extreme_months)
        pool = [o for o in pool if _period(o.period) >= first]
    sign = 1 if query.extreme == "high" else -1
    if query.moved_most:
        # a change needs the period just before, which may lie before the span (januar 2025's rise
        # is from december 2024); a gap in the series makes no change
        pool = [o for o in pool if o.period in before]
        if not pool:
            return None, None, None
        found = max(pool, key=lambda o: (sign * (o.value - before[o.period].value), o.period))
        return found, (pool[0].period, pool[-1].period), before[found.period]  # (the changes' ends)
    if not pool:
        return None, None, None
    return max(pool, key=lambda o: (sign * o.value, o.period)), (pool[0].period, pool[-1].period), None


def _last_held(query: Query, store: Store, indicator: Indicator, area: str, breakdown: str, kind: str,
               upto: str) -> tuple[Observation | None, tuple[str, str] | None, str, int, bool]:
    """»hvornår var ledigheden sidst under 3 pct«: the newest published value up to `upto` on the
    side of the level asked, as shown (`meets`), the first and last periods looked at, and the side
    of the level the values after it are on (Answer.held_since), how many periods come after it, and
    whether some periods between it and the newest have no figure (Answer.held_gaps)."""
    if not query.last_held:
        return None, None, "", 0, False  # (before the series is read: every other answer passes here)
    pool = [o for o in store.series(indicator.id, area, breakdown, kind=kind)
            if o.value is not None and o.period <= upto]
    asked, before = query.threshold, pool
    if query.level_now and pool:
        # »hvornår var ledigheden sidst så lav«: the newest figure's own value is the level, looked
        # for in the periods before it
        asked, before = (query.level_now, round(pool[-1].value, indicator.decimals)), pool[:-1]
    if asked is None or not pool:
        return None, None, "", 0, False
    held = next((o for o in reversed(before) if meets(o.value, asked, indicator.decimals)), None)
    since = {round(o.value, indicator.decimals) for o in before if held is None or o.period > held.period}
    side = "over" if asked[0] in ("<", "<=") else "under"  # (the side of the values failing the level)
    after = sum(1 for o in pool if held is None or o.period > held.period)
    gaps = False
    if held is not None:
        first, newest = _period(held.period), _period(pool[-1].period)
        gaps = after < ((newest.year - first.year) * 12 + newest.start_month - first.start_month) // newest.length
    return (held, (pool[0].period, pool[-1].period), side if asked[1] not in since else f"på eller {side}", after,
            gaps)


def rank(query: Query, store: Store, catalogue: Catalogue, areas: Areas, default_area: str,
         today: date) -> Ranking:
    """Every kommune (or region) by one indicator: the period asked, else the newest period every
    ranked area has (or, if none has all, the newest with the most). Two queries, not one per area."""
    indicator = _averaged(catalogue.get(query.indicator), query)
    within = _own_region(areas, query.area or default_area) if query.own_region == "within" else None
    own_code = query.area or default_area
    named = areas.get(query.area) if query.area else None
    if within is None and named is not None and named.kind == "region" and query.area_kind == "kommune":
        # »top 3 i Region Hovedstaden«: that region's kommuner (it ranked all 98 without a word),
        # with the configured kommune's place when it is one of them
        within, own_code = named, default_area
    _, codes, by_code = areas.ranked(query.area_kind, within.code if within is not None
                                     and query.area_kind == "kommune" else None)
    among: tuple[str, ...] = ()
    if query.among_compared:
        # »… sammenlignet med Herlev og Glostrup« … »hvem er højest?«: those kommuner, in the order asked
        among = tuple(dict.fromkeys(c for c in (own_code, *query.compare) if c in by_code))
        codes, by_code = [c for c in codes if c in among], {c: by_code[c] for c in among}
    own = areas.get(own_code) if own_code in by_code else None
    breakdown = query.breakdown
    kind = {"month": "month", "quarter": "quarter", "year": "year"}[indicator.frequency]
    request = query.period
    if request.period is not None:
        kind = _period(request.period).kind

    def counted() -> list[tuple[str, int]]:
        found = store.period_coverage(indicator.id, kind, codes, breakdown)
        if not found and kind != indicator.frequency:
            # A year asked of a monthly figure: rank the year's averages (below), from the months.
            found = store.period_coverage(indicator.id, indicator.frequency, codes, breakdown)
        return found

    # An exact period asked ("2025", a follow-up's period) needs no count of every period of every
    # kommune unless it has no values (below): only a relative or missing period picks from the counts.
    exact = request.period is not None and request.relative is None
    coverage: list[tuple[str, int]] = []
    guesses: list[str] = []
    lacking: set[str] = set()
    newest_values: list[Observation] = []  # the newest period's, read once
    if request.is_latest and codes:
        # Usually the newest period of any one kommune's series is held by all: try its newest few
        # (a common period must be in every series), before counting every period of every kommune.
        # The newest is read whole (usually it is the one ranked); older ones are only counted.
        guesses = store.last_periods(indicator.id, own.code if own else codes[0], breakdown, kind, 3)
        for index, newest_period in enumerate(guesses):
            if index == 0:
                newest_values = store.cross_section(indicator.id, [newest_period], codes, breakdown)
                held_by = {o.area for o in newest_values}
                lacking = set(codes) - held_by
                held = len(held_by)
                if held and len(lacking) <= min(FEW_LACKING, len(codes) // 10):
                    # (a few of many: four of the five regions lacking it is no ranking of the newest)
                    # »de 3 kommuner med flest langtidsledige«: juli 2026 without Fanø and Læsø (named
                    # below), not marts 2024, the newest period all 98 have (two years old)
                    coverage = [(newest_period, held)]
                    break
            else:
                held = store.published_in(indicator.id, newest_period, codes, breakdown)
            if held == len(codes):
                coverage = [(newest_period, len(codes))]
                break
        if not coverage:
            # The newest ranking needs only the newest period with the most values, not every count.
            # The last few years first: in a store of many years one of them usually has every kommune.
            since = str(int(guesses[0][:4]) - RECENT_YEARS) if guesses else None
            fullest = store.fullest_period(indicator.id, kind, codes, breakdown, since=since,
                                           lacking=lacking if len(lacking) <= FEW_LACKING else ())
            coverage = [fullest] if fullest else []
            exact = True  # nothing more to count
    if not coverage and not exact:
        coverage = counted()
    newest = _period(coverage[0][0]) if coverage else None
    request = resolve(request, today, newest)
    period, made, fell_back = None, None, False
    if request.period is not None:
        period = request.period
    elif request.quarter is not None and kind == "month":
        # »flest ledige i Q1«: ranked by the quarter's average or sum (below), as an answer does
        period = _whole_quarter((p for p, _ in coverage), request.quarter)
        fell_back = period is None
    elif request.month is not None or request.quarter is not None:
        period = next((p for p, _ in coverage if (request.month and _period(p).month == request.month)
                       or (request.quarter and _period(p).quarter == request.quarter)), None)
        fell_back = period is None
    if period is None and coverage:
        most = max(count for _, count in coverage)
        period = next(p for p, count in coverage if count == most)
    if period and guesses and period == guesses[0] and newest_values:
        values = {o.area: o for o in newest_values}
    else:
        values = {o.area: o for o in store.cross_section(indicator.id, [period], codes, breakdown)} if period else {}
    if period and not values and _period(period).length > 1:
        length = 1 if indicator.frequency == "month" else 3
        part_kind = "month" if length == 1 else "quarter"

        def made_of(wanted: Period) -> tuple[Aggregate, list]:
            parts = _parts(wanted, length)
            # Per kommune with every part: their sum (added in period order, as the months were added
            # before), whether one is eksempeldata and the last part's row; 98 rows, not 12 × 98.
            # parts are every period of their kind from the first to the last
            complete = store.complete_totals(indicator.id, parts[0], parts[-1], part_kind, len(parts), codes,
                                             breakdown)
            if complete:
                missing: tuple[str, ...] = ()  # a kommune with every part: no part lacks a value
            else:  # which parts no kommune has: read them (rare)
                have = {row[1] for row in store.cross_section_values(indicator.id, parts[0], parts[-1], part_kind,
                                                                     codes, breakdown)}
                missing = tuple(p for p in parts if p not in have)
            return Aggregate(period=period, method=indicator.aggregate, count=len(parts), kind=part_kind,
                             missing=missing), complete

        made, complete = made_of(_period(period))
        if made.missing and (so_far := _so_far(query.period, made)) is not None:
            # »laveste ledighed i år« in November: januar–juli 2026, as an answer gives (it was declined)
            made, complete = made_of(so_far)
            made = replace(made, so_far=True)
        if len(made.missing) == made.count and breakdown and not counted():
            # no kommune has the part in any period (»ledige kvinder 2025« … »top 5 kommuner«): the
            # figures are missing, not the year's months (it named all twelve of 2025 as missing)
            made = None
        elif not made.missing:
            # a complete kommune has a value for parts[-1]: the made value keeps the rest of that row
            # (built from the store's columns, as the store builds its rows: 98 of them per ranking,
            # made once, here, not first as the store's and again with the made value)
            summed = indicator.aggregate == "sum"
            values.update(zip((row[0] for row in complete), observations_of_rows(
                (indicator.id, area, period, breakdown, total if summed else total / made.count, unit,
                 SAMPLE_SOURCE if sample else source, provisional, fetched_at)
                for area, total, sample, (unit, source, provisional, fetched_at) in complete), strict=True))
    if period and not values and request.period is not None and made is None:
        fell_back = True
        coverage = coverage or counted()
        most = max((count for _, count in coverage), default=0)
        period = next((p for p, count in coverage if count == most), None)
        values = {o.area: o for o in store.cross_section(indicator.id, [period], codes, breakdown)} if period else {}
    descending = query.order in ("high", "most") or (query.order == "place" and indicator.better != "lower") \
        or (query.order == "worst" and indicator.better == "lower")
    # Sorted by (value, name) keys made in one pass (no key function called per area); the index
    # keeps the order of equal keys as a stable sort of `values` would.
    sign = -1 if descending else 1
    keyed = sorted([(sign * o.value, by_code[code].name, index, code, o)
                    for index, (code, o) in enumerate(values.items())])
    rows = _ranked_rows([(by_code[k[3]], k[4]) for k in keyed])
    place = next((n for n, k in enumerate(keyed, 1) if k[3] == own.code), None) if own and own.code in values else None
    national = None
    if period and made is not None and made.so_far:
        national, _ = aggregate(store, indicator, "000", breakdown, periods.Period(int(period), 1, made.months))
    elif period:
        national, _ = observe(store, indicator, "000", breakdown, period)
    top = query.top
    if query.threshold is not None and (meeting := sum(
            meets(row.observation.value, query.threshold, indicator.decimals) for row in rows)) > top:
        # »hvilke kommuner har over 4 pct ledighed«: every one of them, up to a screenful (it said
        # »6 af 98 kommuner …« and listed 5)
        top = min(meeting, THRESHOLD_LISTED)
    return Ranking(
        indicator=indicator, period=period, order=query.order or "high", descending=descending,
        rows=rows, top=top, own=own, own_place=place, national=national,
        ranked_from=catalogue.get(query.ranked_from) if query.ranked_from else None,
        area_kind=query.area_kind, within=within if query.area_kind == "kommune" else None,
        without_data=len(codes) - len(rows), aggregate=made,
        lacking_names=tuple(sorted(by_code[c].name for c in set(codes) - set(values)))
        if 0 < len(codes) - len(values) <= NAMED_LACKING else (),
        requested=request if fell_back else None,
        # said, or »top 5 … langtidsledige« reads as today's figures when they are two years old
        newer=(newer := _older_common(guesses, lacking, period, len(rows), len(codes))),
        newer_lacking=tuple(sorted(by_code[c].name for c in lacking)) if newer else (),
        among=tuple(by_code[c].name for c in among),
    )


def _older_common(guesses: list[str], lacking: set[str], period: str | None, held: int, ranked: int) -> str | None:
    """The newest period, when the ranking shows an older one that every area has because some
    lack the newest; None when it shows the newest, or when not every area has the one shown."""
    if not guesses or not lacking or period is None or period == guesses[0] or held != ranked:
        return None
    return guesses[0]


@dataclass(frozen=True, slots=True)
class SourceFreshness:
    source: str  # as stored: "jobindsats:y25i01", "statbank:AUK01", "eksempeldata"
    fetched_at: str | None  # the newest fetch of its rows (UTC)
    newest_period: str | None
    # When a refresh last read it: a source table's last read, landed with or without changes
    # (`Store.table_read`, as the answers' »senest tjekket«); else the newest successful run of its kind.
    refreshed_at: str | None = None
    latest: str | None = None  # source "file" (every kommune file together): the newest file's name


@dataclass(frozen=True)
class Freshness:
    """When the figures were fetched, per source: from the rows and the refresh records."""

    query: Query
    indicator: Indicator | None
    sources: tuple[SourceFreshness, ...]


def freshness(query: Query, store: Store, catalogue: Catalogue, default_area: str, today: date) -> Freshness:
    runs = store.last_successful_runs()  # connector name ("jobindsats", "statbank", "files") -> when
    indicator = catalogue.get(query.indicator) if query.indicator else None
    if indicator is None:
        # (a forecast's next year is no newest figure: »Eksempeldata …, nyeste tal 2027« in 2026)
        # every kommune file together, as `faktabot status` shows them: a line per monthly file grew without end
        rows = [(s["source"], s["fetched_at"], s["newest_period"], s.get("latest"))
                for s in store.sources_summary(periods.last_whole_month(today), files_together=True)]
    else:
        newest: dict[str, tuple[str, str, str]] = {}
        for o in store.series(indicator.id, query.area or default_area, query.breakdown):
            source, name = ("file", file_name(o.source)) if o.source.startswith("file:") else (o.source, "")
            fetched, period, latest = newest.get(source, ("", "", ""))
            newest[source] = (max(fetched, o.fetched_at), max(period, o.period),
                              name if o.fetched_at >= fetched else latest)
        rows = [(source, fetched, period, latest or None)
                for source, (fetched, period, latest) in sorted(newest.items())]
    file_runs = [started for source, started in runs.items() if source.startswith("file:")]

    def refreshed(source: str) -> str | None:
        if source == "file":
            return max(file_runs, default=None)
        if source.partition(":")[0] in TABLE_SOURCES:
            # The table's own last read: a run of its source that did not ask for it (`refresh
            # --indicator`), or whose request for it failed, did not check it.
            return store.table_read(source)
        return runs.get(source.split(":", 1)[0]) or runs.get(source)

    return Freshness(query=query, indicator=indicator, sources=tuple(
        SourceFreshness(source=source, fetched_at=fetched or None, newest_period=period or None,
                        refreshed_at=refreshed(source), latest=latest)
        for source, fetched, period, latest in rows))
