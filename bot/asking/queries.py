"""The query language: a manager's Danish question -> a `Query` or a `NotUnderstood`. Pure.

"ledighed maj" -> Query(intent="value", indicator="ledige", period=PeriodRequest(month=5)).
A follow-up ("og i Aarhus?") is read against the previous question, passed in as `context`:
it changes only what it names. Words the query does not use are kept in `Query.unused`, so the
answer can name them instead of quietly answering another question.
The vocabulary (indicator, breakdown and area names, aliases, month, intent and filler words)
comes from the catalogue, the area table, `templates/messages.toml` (months) and `vocabulary.toml`; no
Danish word lists here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path

import templates
from indicators import periods, toml_cache
from indicators.catalogue import (
    Areas,
    Catalogue,
    Indicator,
    default_areas,
    default_catalogue,
    fold,
    fold_letters,
)
from indicators.wording import messages

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")
# The fact sheet's figures by number (»figur 4.1«): which figure shows what.
FACTSHEET_PATH = Path(templates.__file__).with_name("factsheet.toml")
MAX_NGRAM = 6
# Scores (0-100, rapidfuzz) above which a misspelt word is taken as meant; below, it is only
# offered as a suggestion. Words under 4 letters are never guessed: "led" is not "ledige".
FUZZY_ACCEPT = 84
FUZZY_SUGGEST = 50
# A suggestion must also be spelt like a whole name of the figure or one word of it (rapidfuzz's plain
# ratio): WRatio scores a word inside a longer name high, so »vejret« suggested »aktiverede« (82 for
# »aktiveret«, a ratio of 67) and »fodbold« forsørgertrykket (71 for »forhold«), while »fleksordning« (83
# for »fleksjobordningen«) and »jobafklarng« (96 for the word »jobafklaring« of »sygedagpenge og
# jobafklaring«) are misspellings worth offering. Words under 4 letters are not suggested for, as not guessed.
FUZZY_SUGGEST_CLOSE = 75
MAX_QUERY_LENGTH = 500
INTENTS = ("value", "development", "ranking", "change", "why", "definition", "freshness", "target",
           "vocabulary", "help", "greeting", "thanks", "figure")
# Intents that need no indicator.
GENERAL_INTENTS = ("help", "vocabulary", "target", "freshness", "greeting", "thanks", "figure")
DEFAULT_TOP = 5
# A ranking's order read after »hvornår«: the series' own high or low.
EXTREMES = {"high": "high", "most": "high", "low": "low", "fewest": "low"}
# Intents that ask something of a figure: without one named or talked about, the reply asks which.
_FIGURE_INTENTS = frozenset({"why", "development", "change", "definition"})
ALL_AREAS = 98  # a ranking's top that lists every kommune (or region)
NATIONAL = "000"  # hele landet: what a level judged (»er det godt?«) is compared with
SHARE_ARTICLES = frozenset({"de", "den", "det", "alle", "samtlige"})  # »andel af (alle) de ledige«
POPULATION = "befolkning"  # »andel af befolkningen på kontanthjælp«: the other figure's rate
# Question words before a rate word that ask the figure named after it as a rate (folded):
# »hvor mange procent er ledige«, »hvor stor en andel er på kontanthjælp«.
RATE_LEADS = frozenset({"hvor", "mange", "stor", "hoej", "hvad", "er", "en", "et", "den", "det", "hvilken"})


@dataclass(frozen=True, slots=True)
class PeriodRequest:
    """What period the question asks for. All None = the newest period with data."""

    period: str | None = None  # an exact period in the store's spelling
    month: int | None = None  # a month without a year: the latest such month with data
    quarter: int | None = None  # a quarter without a year: the latest such quarter with data
    # previous_month, previous_quarter, latest_quarter, this_month, this_quarter, this_year,
    # last_year, year_ago, months_ago (and a follow-up's year_before, period_before,
    # containing_quarter, …; coming: the month asked, this year or next, never an earlier one)
    relative: str | None = None
    months: int = 0  # months_ago: how many (»for 3 måneder siden«)

    @property
    def is_latest(self) -> bool:
        return self == PeriodRequest()


@dataclass(frozen=True, slots=True)
class Query:
    intent: str  # one of INTENTS
    indicator: str | None = None  # None only for target (all targets), vocabulary and help
    area: str | None = None  # None: the configured kommune
    period: PeriodRequest = field(default_factory=PeriodRequest)
    breakdown: str = ""  # canonical, "køn=Kvinder"
    by: str | None = None  # a breakdown key to list values by: "efter ydelse" -> "ydelse"
    compare: tuple[str, ...] = ()  # areas to compare with
    text: str = ""
    base: PeriodRequest | None = None  # a change's base period ("siden juli 2025"); None: a year before
    order: str | None = None  # a ranking's order: high, low, most, fewest, place
    top: int = DEFAULT_TOP  # how many places a ranking lists
    area_kind: str = "kommune"  # what a ranking ranks: kommune or region
    # "regionen", "vores region": the configured kommune's region, as the area asked about ("area"),
    # an area to compare with ("compare") or, in a ranking, where its kommuner are ranked ("within").
    own_region: str = ""
    # A ranking asked after a comparison of kommuner (»… sammenlignet med Herlev og Glostrup« … »hvem
    # er højest?«): only the area asked and the kommuner of `compare`, not every kommune
    among_compared: bool = False
    ranked_from: str | None = None  # the count a ranking replaced by its rate ("laveste ledighed")
    assumed_indicator: bool = False  # no figure named (e.g. "hvor ligger Ballerup"): the default one
    unused: tuple[str, ...] = ()  # content words of the question the answer does not use
    other_figures: tuple[str, ...] = ()  # of `unused`, the names of a second figure (one figure per answer)
    other_periods: tuple[str, ...] = ()  # of `unused`, a third period compared (two periods per answer)
    # of `unused`, the rate asked of a figure that has none (»langtidsledige i procent«): said as such,
    # not as a word »not understood«
    no_rate: tuple[str, ...] = ()
    # of `unused`, the words that stand next to each other in the question, each run as typed
    # (»ledige over 22 uger«: »over 22 uger«), so they are quoted as one phrase, not word by word
    unused_phrases: tuple[str, ...] = ()
    followup: bool = False  # read against the previous question
    # As a conversation's context: the question answered named its period (»ledighed maj 2025«), so a
    # follow-up's bare year (»og 2024?«) is that month of the year, not the year's average.
    period_named: bool = False
    # An average asked of a year or quarter (»gennemsnit samtaler 2025«): a flow's months are
    # averaged, not added up as its year otherwise is.
    mean: bool = False
    count_gap: bool = False  # »hvor mange flere … end Ballerup«: say the counts' difference
    together: bool = False  # »Ballerup og Herlev tilsammen«: the areas' counts added up as well
    only_parts: tuple[str, ...] = ()  # of the parts listed by `by`, only these (named in the question)
    extreme: str | None = None  # »hvornår var ledigheden højest«: "high" or "low" over the whole series
    extreme_year: bool = False  # »hvilket år var …«: of the whole years' averages (or sums)
    extreme_months: int = 0  # »den højeste i 5 år«: the extreme of the newest 60 months only (0: all)
    # »hvornår steg ledigheden mest«: the extreme is of the change from the period before, not of the
    # level ("high": the biggest rise, "low": the biggest fall); it gave the peak level
    moved_most: bool = False
    # (a conversation's context) the period an extreme answer named (»steg mest i januar 2025«): »og
    # året før?« asks the year before it, »hvorfor?« about that period
    extreme_period: str = ""
    compare_own: bool = False  # »har Herlev lavere ledighed end os«: the configured kommune compared
    verdict: bool = False  # »er vi bedre end landet«: which of the areas compared does better, said
    # »er vi under landsniveau på samtaler«: a count with no rate; the figures per person that compare
    # areas of different size (`compare_on`), the first with figures named beside the counts
    comparable: tuple[str, ...] = ()
    # »er ledigheden under 3 pct«: (">", "<", ">=" or "<=", the level) to answer yes or no against
    threshold: tuple[str, float] | None = None
    # »hvornår var ledigheden sidst under 3 pct«: with `threshold`, the newest period the level held
    last_held: bool = False
    # »hvornår var ledigheden sidst så lav«: with `last_held`, the level is the newest figure's own,
    # held by this comparison ("<=" or ">="), looked for before the newest period
    level_now: str = ""
    # The targets asked for by state (»hvilke mål er vi bagud på«): "behind" or "on_track"; "" all.
    status: str = ""
    # The period is the newest the answer showed, not one the question named (`Reply.context`): a
    # follow-up naming another figure asks that figure's newest.
    newest_shown: bool = False
    term: str = ""  # a word of the answers asked the meaning of (»hvad betyder målsti«): "målsti"
    topic: str = ""  # help about one thing: "reports" (»send mig månedsoverblikket«, »vis faktaarket«)
    page: int = 0  # »hvad står der på faktaark side 5«: the figures of that fact page (vocabulary)
    # »figur 4.1«, »hvad viser figur 5.2?«: the fact sheet's figure asked, answered by its indicator
    # (intent "figure": a number the fact sheet does not have)
    figure: str = ""
    figure_title: str = ""
    figure_series: tuple[str, ...] = ()  # the other indicators the figure draws beside it
    figure_part: str = ""  # the part the figure draws (4.2: korrektion=Sæsonkorrigeret)
    # »hvornår nåede vi sidst målet«: when a target was last met, which the board cannot date (it says so)
    when_met: bool = False
    # »forskellen på ledige og fuldtidspersoner«: the other figures whose definitions go beside this one's
    also: tuple[str, ...] = ()
    needed: bool = False  # »hvad skal der til?«: how far the figure is from the target's goal
    gap: bool = False  # »hvor mange procent er vi fra målet?«: the gap as each target line computes it
    # »hvor stor en andel af de ledige er på dagpenge«: the figure whose whole the asked part is a
    # share of (the part's own figure for a part, »ledige« for »ledige unge«); None: no share asked
    share_of: str | None = None
    # A target word in a question another intent answers (»hvorfor er vi bagud på ledigheden«): the
    # answer says when the figure has no target.
    target_asked: bool = False
    # »pr. 1. maj«, »uge 12«, »sidste uge«: a day or week asked ("day", "week"); the figures are
    # monthly (or quarterly), so the answer gives the period holding it, said.
    finer: str = ""  # (the answer sets "month" when a month is asked of a quarterly or yearly figure)
    # »samtaler siden januar«, »de sidste 3 måneder«, »fra januar til juni«: a span of periods named
    # with no word of how the figure moved; of a flow (or an average asked) the span's sum (or mean)
    # is the answer, not the change between its ends (`answers.answer`).
    span: bool = False
    # »hvor mange procent af befolkningen er på kontanthjælp«: a rate asked as a share of the
    # residents; the answer says where the rate is of another whole (the arbejdsstyrke).
    of_population: bool = False
    # (a conversation's context) the parts asked that the answer had no figures for: »ledige kvinder«
    # gave all ledige; »og for de unge?« then asks the young, not young women (see `_follow`)
    unheld: str = ""
    of_whole: str = ""  # »ledighed i procent af arbejdsstyrken«: the whole named, as answers say it (Answer.other_of)
    # »hvor mange er på offentlig forsørgelse«: a number asked of a figure held only in pct.; the
    # answer says it is a share, not the number (Answer.rate_whole)
    count_of_rate: bool = False
    # »ledige indvandrere«: a word the figures hold only a narrower group of: (the word that names
    # that group, what to tell when the figure answered is of it; see Answer.narrowed)
    narrowed: tuple[str, str] | None = None
    upcoming: bool = False  # »hvornår kommer de næste tal«: when the next come, which no source says
    # »hvor er vi?«, »hvor ligger vi?« after a ranking: the own place is the answer, led with (the
    # ranking repeated with the place under it answered the question before again)
    place_asked: bool = False
    # »hvor mange kommuner har højere ledighed end os«: how many rank before the own kommune, said
    # (the ranking gave the top 5 and the own place, the count left to the reader)
    count_before_own: bool = False
    # »jobparate på kontanthjælp«: (figure, part) of another figure that holds the part asked, answered
    # where the figure asked has no figures for that part (see `Answer.part_instead`)
    elsewhere: tuple[str, str] | None = None
    # »ledighed ifølge Danmarks Statistik«: (source kind, the words as typed); the answer says when its
    # figure comes from another source (»Danmarks« was read as hele landet, the area changed unsaid)
    source_asked: tuple[str, str] | None = None
    # »ledige ukrainere«, »ledige med handicap«: the words of a figure's question not understood at all,
    # of a group there are no figures for; the answer says so first, with what the figure is split by
    # (`splits`, breakdown keys) and the figures of its parts (`split_figures`, (figure, key)), and then
    # gives the figure as the nearest one (it led with the figure, the word named after it)
    unsplit: tuple[str, ...] = ()
    # »ledige« … »hvem er de?«: what the figure is made of, asked; it is listed by its first split (`by`)
    # and the answer names the other `splits` and `split_figures`, or says it is not split
    composition: bool = False
    split_elsewhere: tuple[tuple[str, str], ...] = ()  # (key, figure): a split held by another figure
    splits: tuple[str, ...] = ()
    split_figures: tuple[tuple[str, str], ...] = ()
    # »og for unge?« after »ledige«: the count of a group whose rate a manager usually means
    # (`rate_offers`, ungeledigheden), offered in one line beside the count asked
    rate_offer: str | None = None
    # »ledighed for hver måned i 1. kvartal 2026«, »… måned for måned i 2026«: each "month" (or
    # "quarter") of the span asked listed with its value; "" otherwise (`answers.answer` lists them
    # only where the question names a span, else the words keep their other reading)
    each: str = ""
    # »ledighed januar, februar og marts«: the months named (three or more), each listed; the year
    # is `period`'s when one is named (the months are then in it), else the newest such months
    each_months: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    text: str
    suggestions: tuple[str, ...] = ()  # indicator ids, closest first
    unknown: tuple[str, ...] = ()  # the words that were not understood
    # "empty", "unknown_words", "no_context" (a follow-up to nothing), "no_figure" (»hvorfor?« with no
    # figure named or talked about), "ranking_change" (kommuner ranked by how much a figure moved,
    # which a ranking cannot do), "half_year" (which half is not said, or two halves not a year
    # apart), "season" (none is made), "which_figure" (an area or a period alone: »Ballerup«, »maj«), "negated_part" (»ledige uden dagpenge«: no figure leaves a part out),
    # "open_period" (»før 2023«: no figure of every period before or after one), "open_start" (»til og
    # med maj«: a span's end, from when not said), "size", "neighbours"
    # or "similar" (areas chosen by size, as neighbours or as alike, which are not known), "area_group" (a part of the country
    # held as no area: »hovedstadsområdet«)
    reason: str = "unknown_words"
    # "half_year" and "season": the rest of the question as typed (»sygedagpenge i Herlev«), its year
    # and which half or season, so the reply's examples ask the same of months and quarters (or halves).
    asked: str = ""
    year: str = ""
    part: str = ""  # "first", "second" (a half-year; "" not said), "spring", "summer", "autumn", "winter"
    since: str = ""  # "season": »siden« or »fra« before it, as typed (said before a month or quarter only)
    # "open_start" (»ledighed til og med maj«: a span's end with no start): `asked` is the rest of the
    # question as typed, `end` the period asked; `start` the start the examples offer (None: none that
    # reads well, as before a januar with no year)
    end: PeriodRequest | None = None
    end_words: str = ""  # (the end's words as typed, said when `end` is a relative one: »sidste måned«)
    indicator: str | None = None  # "open_start", "open_period": the figure the examples name when `asked` is ""
    start: PeriodRequest | None = None


@dataclass(frozen=True)
class Vocabulary:
    indicators: dict[str, str]  # folded phrase -> indicator id
    rates: dict[str, str]  # indicator id -> its rate indicator id
    breakdown_values: dict[str, tuple[str, str]]  # folded phrase -> (key, canonical value)
    # folded phrase -> (key, its canonical values): »over 50« names the age groups 50-59 and 60+
    part_spans: dict[str, tuple[str, tuple[str, ...]]]
    breakdown_keys: dict[str, str]  # folded key name ("koen", "ydelse", "maalgruppe") -> key
    areas: dict[str, str]  # folded phrase -> area code
    months: dict[str, int]
    filler: frozenset[str]
    latest: frozenset[str]
    relative: dict[str, str]
    quarter_words: frozenset[str]
    quarter_ordinals: dict[str, int]
    intents: dict[str, str]  # folded phrase -> intent
    compare: frozenset[str]
    by: frozenset[str]
    rate_words: frozenset[str]
    rate_wholes: dict[str, str] = field(default_factory=dict)  # "befolkningen" after »i procent af« -> "hele befolkningen"
    # "ledighed": beside "sæsonkorrigeret" the figure's rate (»ledigheden sæsonkorrigeret«)
    adjusted_rate: frozenset[str] = frozenset()
    since: frozenset[str] = frozenset()
    span: frozenset[str] = frozenset()  # "siden", "fra": of `since`, the words that start a span
    aggregate: frozenset[str] = frozenset()
    followup: frozenset[str] = frozenset()
    followup_openers: frozenset[str] = frozenset()  # "tak", "ok" before »og …«: still a follow-up
    compare_area: frozenset[str] = frozenset()  # "over", "under": compare only before an area's name
    level_compare: frozenset[str] = frozenset()  # "over", "under": of those, the words comparing a level
    area_lead: frozenset[str] = frozenset()  # "i", "for": the area after them is asked about, not compared
    level_verbs: frozenset[str] = frozenset()  # "ligger": where a level lies, said of a comparison
    unsplit_keys: frozenset[str] = frozenset()  # "korrektion": how a figure is counted, not a split of its people
    rate_offers: dict[str, str] = field(default_factory=dict)  # "ledige_unge" -> "ungeledighed": the rate meant
    count_asked: frozenset[str] = frozenset()  # "hvor mange": a number of areas asked
    judgement_openers: frozenset[str] = frozenset()  # "er", "var": a question judging the level opens so
    compare_after: frozenset[str] = frozenset()  # "sammenlign": compare only after the figure, before an area
    ago_units: dict[str, int] = field(default_factory=dict)  # "måneder" -> 1, "år" -> 12: "for 3 måneder siden"
    ago_numbers: dict[str, float] = field(default_factory=dict)  # "tre" -> 3, "et halvt" -> 0.5
    recent: frozenset[str] = frozenset()  # "seneste" in "de seneste 3 måneder": the change over them
    first_months: frozenset[str] = frozenset()  # "første" in "de første 7 måneder af 2026": januar–juli
    per_period: frozenset[str] = frozenset()  # "uge" in "pr uge": a rate per period, not made
    per_words: frozenset[str] = frozenset()  # "pr", "per": »og pr. fuldtidsperson?« names a rate figure
    per_month: frozenset[str] = frozenset()  # "måned" in "pr måned": a year's average month
    per_month_said: frozenset[str] = frozenset()  # "om måneden", "hver måned": as "pr måned"
    each_period: dict[str, str] = field(default_factory=dict)  # "hver måned" -> "month": Query.each
    weeks: frozenset[str] = frozenset()  # "uge" in "uge 12": no weekly figure, the week's month
    by_words: dict[str, str] = field(default_factory=dict)  # "aldersgrupper" -> "alder": a breakdown by it
    by_stand_in: dict[str, str] = field(default_factory=dict)  # "gruppe" -> "ydelse" where a figure lacks the first
    half_year: frozenset[str] = frozenset()  # "halvår", "h1": a half-year, read as its months
    to_now: frozenset[str] = frozenset()  # "til nu" after a period: the span from it to the newest
    until: frozenset[str] = frozenset()  # "til og med", "indtil" before a period: as "til"
    from_on: frozenset[str] = frozenset()  # "fra og med" before a period: as "fra"
    composition: frozenset[str] = frozenset()  # "hvem er de": what a figure is made of (Query.composition)
    composition_around: dict[str, str] = field(default_factory=dict)  # "fordeler" … "sig" ("": last word)
    composition_leads: frozenset[str] = frozenset()
    size: frozenset[str] = frozenset()  # "største" before "kommuner": areas chosen by size, not known
    neighbours: frozenset[str] = frozenset()  # "nabokommunerne": areas not known either
    similar: frozenset[str] = frozenset()  # "sammenlignelige kommuner", "ligner os": nor are these
    area_groups: frozenset[str] = frozenset()  # "hovedstadsområdet", "fyn": no area held
    season: frozenset[str] = frozenset()  # "efteråret", "sommer": no season's figure is made
    season_undated: frozenset[str] = frozenset()  # "jul": a month with a year or another month, else a season
    season_beside: frozenset[str] = frozenset()  # "nytår": beside »jul« no month (»mellem jul og nytår«)
    difference: frozenset[str] = frozenset()  # "forskellen": a change, unless two areas or figures are named
    together: frozenset[str] = frozenset()  # "tilsammen": the areas' counts added up (Query.together)
    twelve_months: frozenset[str] = frozenset()  # "det seneste år": with an average, the 12 months' mean
    per_person: dict[str, str] = field(default_factory=dict)  # "samtaler" -> "samtaler_pr_fuldtidsperson"
    compare_on: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "samtaler" -> ("samtalehyppighed", …)
    share_parts: dict[str, frozenset[str]] = field(default_factory=dict)  # "ledige" -> {"langtidsledige", …}
    count_comparatives: frozenset[str] = frozenset()  # "flere", "færre": with "end <area>" a comparison
    when: frozenset[str] = frozenset()  # "hvornår": with a superlative, the series' high or low
    when_year: frozenset[str] = frozenset()  # "hvilket år": the high or low of whole years
    own_series: frozenset[str] = frozenset()  # "nogensinde": with a superlative, the series' high or low
    last_time: frozenset[str] = frozenset()  # "sidst": with "hvornår" and a level, when it last held
    as_now: dict[str, str] = field(default_factory=dict)  # "lav" after "så": the newest figure as the level, "<="
    # "indvandrer" -> ("vestlig", note): a word the figures hold only a part of, unless the question names it
    narrowed: dict[str, tuple[str, str]] = field(default_factory=dict)
    descriptive: frozenset[str] = frozenset()  # "høj", "lav": nothing in a why or development question
    reports: frozenset[str] = frozenset()  # "månedsoverblikket", "faktaarket": the scheduled reports
    page_words: frozenset[str] = frozenset()  # "side", "faktaside": before a number, one fact page
    figure_words: frozenset[str] = frozenset()  # "figur": before »4.1«, one of the fact sheet's figures
    # "4.1" -> (indicator, breakdown, title, other indicators drawn, the key a bar chart splits by):
    # templates/factsheet.toml
    figures: dict[str, tuple[str, str, str, tuple[str, ...], str]] = field(default_factory=dict)
    # "under 3 pct", "mere end 800": a level asked against (word -> comparison), as one pattern
    thresholds: re.Pattern | None = None
    threshold_ops: dict[str, str] = field(default_factory=dict)
    ranking_comparative: dict[str, str] = field(default_factory=dict)  # "højere" beside "kommuner" -> "high"
    peaked: dict[str, str] = field(default_factory=dict)  # "toppede": when the series was highest -> "high"
    part_figures: dict[str, str] = field(default_factory=dict)  # "ledige|alder=18-29 år" -> "ledige_unge"
    value_figures: dict[str, str] = field(default_factory=dict)  # "ydelse=Førtidspension" -> "fuldtidspersoner"
    value_figure_parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # "visitation" -> ("ydelse", "Kontanthjælp")
    # "kontanthjaelp|visitation" -> ("fuldtidspersoner", "ydelse=Kontanthjælp"): where a figure's parts
    # by that key are held when it has none itself
    part_elsewhere: dict[str, tuple[str, str]] = field(default_factory=dict)
    # "ledige" -> ("konjunkturprognose", "maal", "Ledighed"): the forecast of it and that part of the forecast
    forecast_parts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    value_figure_words: dict[str, frozenset[str]] = field(default_factory=dict)  # "status" -> {"kom", …}
    negation: frozenset[str] = frozenset()  # "uden", "ikke": before a part, the part left out
    open_period: frozenset[str] = frozenset()  # "før", "efter" before a period: open at one end
    all_areas: frozenset[str] = frozenset()  # "alle kommuner", "fordelt på kommuner": every area listed
    verdict: frozenset[str] = frozenset()  # "bedre", "dårligere": which area does better
    judgement: frozenset[str] = frozenset()  # "godt" in »er det godt?«: better or worse than hele landet
    moved: frozenset[str] = frozenset()  # "steg", "faldt": with one month named, the change in it
    # »steg«, »stigning« / »faldt«, »fald«: with a superlative (»hvornår steg ledigheden mest«) the
    # biggest rise (or fall) from one period to the next (Query.moved_most)
    moved_up: frozenset[str] = frozenset()
    moved_down: frozenset[str] = frozenset()
    where_asked: dict[str, bool] = field(default_factory=dict)  # »hvor er …«: a question of where (a phrase table)
    verdict_best: frozenset[str] = frozenset()  # "bedst": after a comparison, which of its areas does better
    new_words: frozenset[str] = frozenset()  # "nye": newcomers, which only `new_figures` count
    list_words: frozenset[str] = frozenset()  # "listen": with a figure, the kommuner in order
    sources: dict[str, str] = field(default_factory=dict)  # "danmarks statistik" -> "statbank"
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)  # indicator -> the part it is wholly of
    new_figures: frozenset[str] = frozenset()
    year_ends: dict[str, int] = field(default_factory=dict)  # "ultimo" -> 12, "primo" -> 1: a year's month
    whole_year: frozenset[str] = frozenset()  # "hele" in "og hele 2024?": the year, not a month of it
    followup_part: frozenset[str] = frozenset()  # "for": "for kontanthjælp" names a part of the figure before
    ranking: dict[str, str] = field(default_factory=dict)  # folded word -> order
    ranking_areas: dict[str, str] = field(default_factory=dict)  # folded word -> area kind
    own_region: frozenset[str] = frozenset()  # "regionen", "vores region": the configured kommune's region
    own_area: frozenset[str] = frozenset()  # "os", "vores kommune" after "end"/"vs": the configured kommune
    own_followup: frozenset[str] = frozenset()  # "os" in »og hvad med os?«: the configured kommune asked
    default_ranking: str = "ledighedsprocent"
    percentages: frozenset[str] = frozenset()  # indicator ids measured in pct.
    flows: frozenset[str] = frozenset()  # indicator ids that count events (their months add up)
    indicator_breakdowns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The parts each figure's sources name ("sygedagpenge" -> {("ydelse", "Sygedagpenge"), …});
    # a figure whose sources name none for a key is taken to have any part of it.
    indicator_parts: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    which: frozenset[str] = frozenset()  # "hvilke": a list of the targets in a state is asked
    target_status: dict[str, str] = field(default_factory=dict)  # "bagud" -> "behind"
    social: dict[str, str] = field(default_factory=dict)  # "hej" -> "greeting", "tak" -> "thanks"
    courtesy: frozenset[str] = frozenset()  # "tusind tak" inside a question: left out
    glossary: dict[str, str] = field(default_factory=dict)  # "målstien" -> "målsti"
    needed: frozenset[str] = frozenset()  # "hvad skal der til": what it takes to reach a target
    # "hvordan går det": asks how things go, the targets' board only when nothing else is named
    how_going: frozenset[str] = frozenset()
    how_went: frozenset[str] = frozenset()  # "hvordan er det gået": alone as how_going, else development
    gap_words: frozenset[str] = frozenset()  # "hvor mange procent": of a target, its gap in its own measure
    projection: frozenset[str] = frozenset()  # "prognosen" beside another figure: its target's projection
    glossary_lead: frozenset[str] = frozenset()  # "hvad er en" before a glossary word
    glossary_bare: frozenset[str] = frozenset()  # "hvad er" before one of `glossary_bare_terms`
    glossary_bare_terms: frozenset[str] = frozenset()  # "målsti": »hvad er målsti« asks its meaning
    this_figure: frozenset[str] = frozenset()  # "det", "tallet": the figure talked about
    all_targets: dict[str, bool] = field(default_factory=dict)  # »målene«: every target, not the figure's (a phrase table)
    number_endings: tuple[str, ...] = ()  # "tallet": »ledighedstallet« is »ledighed« (`_uncompounded`)
    compound_endings: tuple[str, ...] = ()  # "niveauet": »ledighedsniveauet« is »ledighed niveauet«
    source_verbs: frozenset[str] = frozenset()  # "kommer" in »hvor kommer … fra« (`_source_question`)
    source_lead: frozenset[str] = frozenset()  # "tallet", "for": before the figure's name in it
    upcoming: frozenset[str] = frozenset()  # "næste", "hvornår kommer": the next figures asked
    place_followup: frozenset[str] = frozenset()  # "hvor er vi" after a ranking: the own place in it
    area_sounds: tuple[tuple[str, str], ...] = ()  # ("x", "ks"): letters alike in a place name
    area_regions: dict[str, str] = field(default_factory=dict)  # a kommune's code -> its region's code
    sounding_areas: dict[str, str] = field(default_factory=dict)  # an area phrase as it sounds -> code

    @classmethod
    def build(cls, catalogue: Catalogue, areas: Areas, path: Path = VOCABULARY_PATH) -> Vocabulary:
        data = toml_cache.load(path)
        months = {fold(name): number for number, name in enumerate(messages()["months"], start=1)}
        for number, name in enumerate(messages()["months_short"], start=1):
            months[fold(name.rstrip("."))] = number
        months.update({fold(word): number for word, number in data.get("months", {}).items()})
        breakdown_values: dict[str, tuple[str, str]] = {}
        breakdown_keys: dict[str, str] = {}
        for kind in catalogue.breakdowns.values():
            breakdown_keys[fold(kind.key)] = kind.key
            breakdown_keys[fold(kind.name)] = kind.key
            for phrase, value in kind.values.items():
                breakdown_values.setdefault(phrase, (kind.key, value))
        part_spans = {fold(phrase): (key, tuple(values)) for key, spans in data.get("part_spans", {}).items()
                      for phrase, values in spans.items()}
        # Words for a key: alone they ask for the breakdown ("aldersgrupper"); after "fordelt på" or
        # "efter" they name the key, as the catalogue's names do ("fordelt på målgrupper").
        by_words = {fold(word): key for word, key in data.get("by_words", {}).items()
                    if key in breakdown_keys.values()}
        breakdown_keys.update(by_words)
        breakdown_keys.update({fold(word): key for word, key in data.get("by_keys", {}).items()
                               if key in breakdown_keys.values()})
        intents = {fold(w): intent for intent in INTENTS[1:] for w in data["intents"].get(intent, [])}
        all_areas = {fold(k): v for k, v in data.get("all_areas", {}).items()}  # also ranking areas
        sounds = tuple((fold_letters(a), fold_letters(b)) for a, b in data.get("area_sounds", ()))
        sounding_areas: dict[str, str] = {}
        for phrase, code in areas.vocabulary().items():
            sounding_areas.setdefault(_sounding(phrase, sounds), code)
        # "giv mig et overblik": read as an intent word, then the targets' board or a development (parse)
        intents.update({fold(w): "overview" for w in data.get("overview", [])})
        intents.update({fold(w): "figure_list" for w in data["intents"].get("figure_list", [])})  # (parse: the list or an overview)
        return cls(
            indicators=catalogue.vocabulary(),
            rates={i.id: i.rate for i in catalogue if i.rate},
            breakdown_values=breakdown_values,
            part_spans=part_spans,
            breakdown_keys=breakdown_keys,
            areas=areas.vocabulary(),
            months=months,
            filler=frozenset(fold(w) for w in data.get("filler", [])),
            latest=frozenset(fold(w) for w in data.get("latest", [])),
            relative={fold(k): v for k, v in data.get("relative", {}).items()},
            quarter_words=frozenset(fold(w) for w in data["quarters"]["words"]),
            quarter_ordinals={fold(k): v for k, v in data["quarters"]["ordinals"].items()},
            intents=intents,
            compare=frozenset(fold(w) for w in data.get("compare", [])),
            compare_area=frozenset(fold(w) for w in data.get("compare_area", [])),
            level_compare=frozenset(fold(w) for w in data.get("level_compare", [])),
            area_lead=frozenset(fold(w) for w in data.get("area_lead", [])),
            level_verbs=frozenset(fold(w) for w in data.get("level_verbs", [])),
            unsplit_keys=frozenset(data.get("unsplit_keys", [])),
            rate_offers=dict(data.get("rate_offers", {})),
            compare_after=frozenset(fold(w) for w in data.get("compare_after", [])),
            judgement_openers=frozenset(fold(w) for w in data.get("judgement_openers", [])),
            count_asked=frozenset(fold(w) for w in data.get("count_asked", [])),
            by=frozenset(fold(w) for w in data.get("by", [])),
            rate_words=frozenset(fold(w) for w in data.get("rate", [])),
            rate_wholes={fold(word): whole for word, whole in data.get("rate_wholes", {}).items()},
            adjusted_rate=frozenset(fold(w) for w in data.get("adjusted_rate", [])),
            since=frozenset(fold(w) for w in data.get("since", [])),
            span=frozenset(fold(w) for w in data.get("span", [])),
            aggregate=frozenset(fold(w) for w in data.get("aggregate", [])),
            followup=frozenset(fold(w) for w in data.get("followup", [])),
            followup_openers=frozenset(fold(w) for w in data.get("followup_openers", [])),
            followup_part=frozenset(fold(w) for w in data.get("followup_part", [])),
            year_ends={fold(k): v for k, v in data.get("year_ends", {}).items()},
            whole_year=frozenset(fold(w) for w in data.get("whole_year", [])),
            part_figures=dict(data.get("part_figures", {})),
            value_figures=dict(data.get("value_figures", {})),
            value_figure_parts={k: tuple(v.split("=", 1)) for k, v in data.get("value_figure_parts", {}).items()},
            part_elsewhere={k: tuple(v.split("|", 1)) for k, v in data.get("part_elsewhere", {}).items()},
            negation=frozenset(fold(w) for w in data.get("negation", [])),
            open_period=frozenset(fold(w) for w in data.get("open_period", [])),
            all_areas=frozenset(all_areas),
            verdict=frozenset(fold(w) for w in data.get("verdict", [])),
            judgement=frozenset(fold(w) for w in data.get("judgement", [])),
            verdict_best=frozenset(fold(w) for w in data.get("verdict_best", [])),
            moved=frozenset(fold(w) for w in data.get("moved", [])),
            moved_up=frozenset(fold(w) for w in data.get("moved_up", [])),
            moved_down=frozenset(fold(w) for w in data.get("moved_down", [])),
            where_asked={fold(w): True for w in data.get("where_asked", [])},
            new_words=frozenset(fold(w) for w in data.get("new_words", [])),
            list_words=frozenset(fold(w) for w in data.get("list_words", [])),
            sources={fold(k): v for k, v in data.get("sources", {}).items()},
            groups={i.id: tuple(i.group.split("=", 1)) for i in catalogue if "=" in i.group},
            new_figures=frozenset(data.get("new_figures", [])),
            value_figure_words={key: frozenset(map(fold, words))
                                for key, words in data.get("value_figure_words", {}).items()},
            forecast_parts={figure: (forecast, *part.split("=", 1)) for figure, spelled in data.get("forecast_parts", {}).items()
                            for forecast, part in [spelled.split("|", 1)]},
            per_period=frozenset(fold(w) for w in data.get("per_period", [])),
            per_words=frozenset(fold(w) for w in data.get("per_words", [])),
            per_month=frozenset(fold(w) for w in data.get("per_month", [])),
            per_month_said=frozenset(fold(w) for w in data.get("per_month_said", [])),
            each_period={fold(k): v for k, v in data.get("each_period", {}).items()},
            weeks=frozenset(fold(w) for w in data.get("weeks", [])),
            by_words=by_words,
            by_stand_in={key: other for key, other in data.get("by_stand_in", {}).items()
                         if key in breakdown_keys.values() and other in breakdown_keys.values()},
            half_year=frozenset(fold(w) for w in data.get("half_year", [])),
            to_now=frozenset(fold(w) for w in data.get("to_now", [])),
            until=frozenset(fold(w) for w in data.get("until", [])),
            from_on=frozenset(fold(w) for w in data.get("from_on", [])),
            composition=frozenset(fold(w) for w in data.get("composition", [])),
            composition_around={fold(k): fold(v) for k, v in data.get("composition_around", {}).items()},
            composition_leads=frozenset(fold(w) for w in data.get("composition_leads", [])),
            size=frozenset(fold(w) for w in data.get("size", [])),
            neighbours=frozenset(fold(w) for w in data.get("neighbours", [])),
            similar=frozenset(fold(w) for w in data.get("similar", [])),
            area_groups=frozenset(fold(w) for w in data.get("area_groups", [])),
            season=frozenset(fold(w) for w in data.get("season", [])),
            season_undated=frozenset(fold(w) for w in data.get("season_undated", [])),
            season_beside=frozenset(fold(w) for w in data.get("season_beside", [])),
            difference=frozenset(fold(w) for w in data.get("difference", [])),
            together=frozenset(fold(w) for w in data.get("together", [])),
            twelve_months=frozenset(fold(w) for w in data.get("twelve_months", [])),
            per_person=dict(data.get("per_person", {})),
            compare_on={count: tuple(figures) for count, figures in data.get("compare_on", {}).items()},
            share_parts={whole: frozenset(parts) for whole, parts in data.get("share_parts", {}).items()},
            count_comparatives=frozenset(fold(w) for w in data.get("count_comparatives", [])),
            when=frozenset(fold(w) for w in data.get("when", [])),
            when_year=frozenset(fold(w) for w in data.get("when_year", [])),
            own_series=frozenset(fold(w) for w in data.get("own_series", [])),
            last_time=frozenset(fold(w) for w in data.get("last_time", [])),
            as_now={fold(k): v for k, v in data.get("as_now", {}).items()},
            descriptive=frozenset(fold(w) for w in data.get("descriptive", [])),
            narrowed={fold(word): (fold(entry["unless"]), entry["note"])
                      for word, entry in data.get("narrowed", {}).items()},
            reports=frozenset(fold(w) for w in data.get("reports", [])),
            page_words=frozenset(fold(w) for w in data.get("page_words", [])),
            figure_words=frozenset(fold(w) for w in data.get("figure_words", [])),
            figures={str(f["number"]): (f["indicator"], f.get("breakdown", ""), f["title"], tuple(f.get("series", ())),
                                        _first(f.get("by", "")) if f.get("chart") == "bars" else "")
                     for f in toml_cache.load(FACTSHEET_PATH).get("figure", [])},
            thresholds=_threshold_pattern(data.get("thresholds", {})),
            threshold_ops={fold_letters(word): op for word, op in data.get("thresholds", {}).items()},
            ranking_comparative={fold(k): v for k, v in data.get("ranking_comparative", {}).items()},
            peaked={fold(k): v for k, v in data.get("peaked", {}).items()},
            ago_units={fold(k): v for k, v in data.get("ago", {}).get("units", {}).items()},
            ago_numbers={fold(k): v for k, v in data.get("ago", {}).get("numbers", {}).items()},
            recent=frozenset(fold(w) for w in data.get("ago", {}).get("recent", [])),
            first_months=frozenset(fold(w) for w in data.get("ago", {}).get("first_months", [])),
            ranking={fold(k): v for k, v in data.get("ranking", {}).items()},
            ranking_areas={**{fold(k): v for k, v in data.get("ranking_areas", {}).items()}, **all_areas},
            own_region=frozenset(fold(w) for w in data.get("own_region", ())),
            own_area=frozenset(fold(w) for w in data.get("own_area", ())),
            own_followup=frozenset(fold(w) for w in data.get("own_followup", ())),
            default_ranking=data.get("default_ranking", "ledighedsprocent"),
            percentages=frozenset(i.id for i in catalogue if i.format == "pct"),
            flows=frozenset(i.id for i in catalogue if i.aggregate == "sum"),
            indicator_breakdowns={i.id: i.breakdowns for i in catalogue},
            indicator_parts={i.id: _parts(i) for i in catalogue},
            which=frozenset(fold(w) for w in data.get("which", ())),
            target_status={fold(k): v for k, v in data.get("target_status", {}).items()},
            social={fold(k): v for k, v in data.get("social", {}).items()},
            courtesy=frozenset(fold(w) for w in data.get("courtesy", ())),
            glossary={fold(k): v for k, v in data.get("glossary", {}).items()},
            needed=frozenset(fold(w) for w in data.get("needed", ())),
            how_going=frozenset(fold(w) for w in data.get("how_going", ())),
            how_went=frozenset(fold(w) for w in data.get("how_went", ())),
            gap_words=frozenset(fold(w) for w in data.get("gap", ())),
            projection=frozenset(fold(w) for w in data.get("projection", ())),
            glossary_lead=frozenset(fold(w) for w in data.get("glossary_lead", {}).get("words", ())),
            glossary_bare=frozenset(fold(w) for w in data.get("glossary_lead", {}).get("bare", ())),
            glossary_bare_terms=frozenset(fold(w) for w in data.get("glossary_lead", {}).get("bare_terms", ())),
            this_figure=frozenset(fold(w) for w in data.get("this_figure", ())),
            all_targets={fold(w): True for w in data.get("all_targets", ())},
            number_endings=tuple(fold(w) for w in data.get("number_endings", ())),
            compound_endings=tuple(sorted((fold(w) for w in data.get("compound_endings", ())), key=len, reverse=True)),
            source_verbs=frozenset(fold(w) for w in data.get("source_verbs", ())),
            source_lead=frozenset(fold(w) for w in data.get("source_lead", ())),
            upcoming=frozenset(fold(w) for w in data.get("upcoming", ())),
            place_followup=frozenset(fold(w) for w in data.get("place_followup", ())),
            area_sounds=sounds,
            area_regions={a.code: a.region for a in areas if a.region},
            sounding_areas=sounding_areas,
        )


def _sounding(word: str, sounds: tuple[tuple[str, str], ...]) -> str:
    """A folded word with letters that sound alike made the same and doubled letters single:
    »gladsaxe« and »gladsakse« are both »gladsakse«, »broendby« and »bronby« »brondby«, »bronby«."""
    for written, said in sounds:
        word = word.replace(written, said)
    return re.sub(r"(.)\1+", r"\1", word)


def _parts(indicator: Indicator) -> frozenset[tuple[str, str]]:
    """The (key, value) parts an indicator's sources label or its formula sums: »ydelse=Sygedagpenge«."""
    named = [label for source in indicator.sources for label in source.breakdowns.values()]
    named += [str(term).partition("[")[2].rstrip("]") for source in indicator.sources
              for term in source.formula.get("terms", ()) if str(term).lstrip("?").startswith(f"{indicator.id}[")]
    return frozenset(tuple(part.split("=", 1)) for label in named for part in label.split(";") if "=" in part)


@cache
def default_vocabulary() -> Vocabulary:
    return Vocabulary.build(default_catalogue(), default_areas())


# »60+«, »50+«: an age group or span, kept with its »+« (it read as »60«, not understood).
# (»ledighed 05-2025« is maj 2025, as »05/2025« is: read as an age span »05-2025«, it was not understood)
_TOKEN = re.compile(r"(?:19|20)\d{2}-(?:\d{1,2}|[kq][1-4])\b|\d{1,2}[/.](?:19|20)\d{2}\b"
                    r"|\b(?:0?[1-9]|1[0-2])-(?:19|20)\d{2}\b|\d+-\d+|\d{2}\+|\w+")
_YEAR = re.compile(r"^(19|20)\d{2}$")
# Words that lead a key after »hvordan fordeler de sig« (»… på køn«): read as »fordelt på køn«
_BY_LEADS = frozenset({"paa", "pa", "efter"})
_YEAR_SPAN = re.compile(r"^((?:19|20)\d{2})-((?:19|20)\d{2})$")  # "2024-2025"
_ISO_MONTH = re.compile(r"^((?:19|20)\d{2})-(\d{1,2})$")
_SLASH_MONTH = re.compile(r"^(\d{1,2})[/.-]((?:19|20)\d{2})$")  # "05/2025", "01.2026", "05-2025"
_SHORT_YEAR = re.compile(r"^\d{2}$")  # "jan 26": a month's year in two digits
_COMPACT_QUARTER = re.compile(r"^((?:19|20)\d{2})-?[kq]([1-4])$|^[kq]([1-4])$")


_NUMBER = r"(\d{1,3}(?:\.\d{3})+|\d+(?:[.,]\d+)?)"
_UNIT = r"(%|pct\b\.?|procent\b)?"


def _threshold_pattern(words: dict[str, str]) -> re.Pattern | None:
    """One pattern for "<word> <number> [pct]" over folded text: the longest words first."""
    if not words:
        return None
    spelled = sorted({fold_letters(w) for w in words}, key=len, reverse=True)
    return re.compile(rf"\b({'|'.join(map(re.escape, spelled))})\s+{_NUMBER}\s*{_UNIT}")


_AGE_LIKE = re.compile(r"1[5-9]|[2-9]\d")  # a bare number that reads as an age after »over«/»under«
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")  # »1.000«: Danish thousands, not a decimal point


def _threshold(text: str, vocab: Vocabulary) -> tuple[tuple[str, float] | None, str, str]:
    """»er ledigheden under 3 pct«: the level asked against, the text without it, and the unit
    word (»pct«) or "". An age (»ledige over 60«, »under 30 år«, any 15–99 without »pct«) or a count
    of kommuner is no level."""
    if vocab.thresholds is None:
        return None, text, ""
    folded = fold_letters(text[:MAX_QUERY_LENGTH])
    for found in vocab.thresholds.finditer(folded):
        word, number, unit = found.group(1), found.group(2), found.group(3) or ""
        after = folded[found.end():].split(maxsplit=1)
        if not unit and _AGE_LIKE.fullmatch(number):
            continue  # »ledige over 50«: an age, not a level (»under 7«, »over 800«, »under 30 pct« are levels)
        if fold(f"{word} {number}") in vocab.breakdown_values or (after and (
                after[0].strip(".,?!") in ("aar", "aarige") or after[0] in vocab.ranking_areas)):
            continue
        value = float(number.replace(".", "") if _THOUSANDS.fullmatch(number)
                      else number.replace(",", "."))
        return (vocab.threshold_ops[word], value), folded[:found.start()] + " " + folded[found.end():], unit.rstrip(".")
    return None, text, ""


# A link or an address in a message (Slack sends `<https://…|text>`): no words of the question.
# »ledighed https://jobindsats.dk« read »dk« as Danmark and answered hele landet.
# a comma, full stop or the like before a space: where words stop standing together (not »3,5«, »1.000«)
_CLAUSE_END = re.compile(r"[,;:!?.](?=\s|$)")
_LINK = re.compile(r"<[^<>\s]*(?:https?:|mailto:|www\.)[^<>]*>|\b(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)


def tokenize(text: str) -> list[str]:
    """Fold and split; keep `2025-05`, `2025-q2`, `05/2025` and `18-29` as single tokens. Links
    and e-mail addresses are no part of the question."""
    text = fold_letters(_LINK.sub(" ", text[:MAX_QUERY_LENGTH]))
    return [token.replace("_", "") for token in _TOKEN.findall(text) if token.strip("_")]


def _source_question(tokens: list[str], typed: list[str], vocab: Vocabulary) -> list[str]:
    """`tokens` with a question about where a figure's numbers come from, asked around the figure's
    name (»hvor kommer tallet for ledighed fra«), put as »hvor <verb> tallene fra <figure …>«; other
    questions as they are. Only where a word of »tal« is typed (`typed`, before `_uncompounded`):
    »hvor kommer de ledige fra« asks something else."""
    if len(tokens) < 4 or tokens[0] != "hvor" or tokens[1] not in vocab.source_verbs or tokens[-1] != "fra" \
            or not any(w.endswith(vocab.number_endings) and w != "antal" for w in typed[2:-1]):
        return tokens
    middle = tokens[2:-1]
    while middle and middle[0] in vocab.source_lead:
        middle = middle[1:]
    # (»hvor kommer tallet fra?« names no figure: »tallet« is the one talked about, kept as it is)
    return ["hvor", tokens[1], "tallene", "fra", *middle] if middle else tokens


def _uncompounded(token: str, vocab: Vocabulary) -> list[str]:
    """The figure's word in a compound of it and »tal« (»ledighedstallet« -> »ledighed«), the figure's
    word and the other in a compound of it and a word of `compound_endings` (»ledighedsniveauet« ->
    »ledighed«, »niveauet«), else the token."""
    if (years := _YEAR_SPAN.match(token)) and years[1] < years[2]:
        # »ledighed 2024-2025«: as »2024 til 2025« (read as one word, an age span, it was not understood)
        return [years[1], "til", years[2]]
    if token in vocab.indicators or token in vocab.breakdown_values or token in vocab.intents \
            or not token.endswith(vocab.number_endings + vocab.compound_endings):
        return [token]
    for ending in (*vocab.number_endings, *vocab.compound_endings):
        stem = token[:-len(ending)] if token.endswith(ending) else ""
        for word in (stem, stem[:-1] if stem.endswith("s") else ""):
            if len(word) > 3 and _fold(word) in vocab.indicators:
                return [word] if ending in vocab.number_endings else [word, ending]
    return [token]


def _joined(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """A compound typed as two words (»syge dagpenge«, »kontant hjælp«) as the one word, where that
    is a figure's or a part's name: read apart, »syge« and »dagpenge« became two parts of the figure
    before (A-dagpenge for the sygemeldte), and the »hjælp« of »kontant hjælp« asked for help."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = tokens[i:i + 2]
        whole = _fold("".join(pair)) if len(pair) == 2 and all(w.isalpha() for w in pair) else ""
        if whole and (whole in vocab.indicators or whole in vocab.breakdown_values):
            out.append(whole)
            i += 2
            continue
        out.append(tokens[i])
        i += 1
    return out


def _named_source(tokens: list[str], text: str, vocab: Vocabulary) -> tuple[list[str], tuple[str, str] | None]:
    """`tokens` without a source's name (»Danmarks Statistik«, »Jobindsats«), and (its kind, the
    words as typed): read as words, »Danmarks« became hele landet and the rest was set aside."""
    for i in range(len(tokens)):
        kind, used = _phrase(tokens, i, vocab.sources)
        if kind:
            typed = _as_typed(" ".join(tokens[i:i + used]), _original_words(text, capitals=True))
            return tokens[:i] + tokens[i + used:], (str(kind), typed)
    return tokens, None


def _genitives(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """An area's name in the genitive as the name (»end landets«, »højere end Herlevs«): guessed as a
    misspelling it became the area asked, and the comparison with it was lost."""
    out = list(tokens)
    for i, token in enumerate(tokens):
        if len(token) < 4 or not token.endswith("s") or token in vocab.filler or _phrase(tokens, i, vocab.areas)[0]:
            continue  # (»Bornholms Regionskommune« is a name as it is)
        if token[:-1] in vocab.areas or (i > 0 and f"{tokens[i - 1]} {token[:-1]}" in vocab.areas):
            out[i] = token[:-1]
    return out


# `fold` is pure and a parse folds every n-gram of the question against several tables: each
# spelling is folded once per process.
_fold = lru_cache(maxsize=16384)(fold)


# Per table of phrases, its longest phrase in words (the table kept, so its id is not reused): a
# token folds to one word or more, so no longer run of tokens can match. Most tables' phrases are
# of one to three words; trying five or six for each was a third of a parse.
_LONGEST: dict[int, tuple[object, int]] = {}


def _longest(table) -> int:
    found = _LONGEST.get(id(table))
    if found is None or found[0] is not table:
        found = _LONGEST[id(table)] = (table, max((phrase.count(" ") + 1 for phrase in table), default=0))
    return found[1]


def _phrase(tokens: list[str], i: int, table) -> tuple[object | None, int]:
    """Longest phrase (up to MAX_NGRAM tokens) starting at tokens[i] found in `table`: its value
    in a dict, True in a set of phrases."""
    for n in range(min(MAX_NGRAM, _longest(table), len(tokens) - i), 0, -1):
        # fold() makes "18-29" and "18 29" equal, as the catalogue's folded aliases are.
        phrase = _fold(" ".join(tokens[i:i + n]))
        if phrase in table:
            return (table[phrase] if isinstance(table, dict) else True), n
    return None, 0


def _period(tokens: list[str], i: int, vocab: Vocabulary) -> tuple[PeriodRequest | None, int]:
    """Read a period at tokens[i]; return it and how many tokens it used."""
    token = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    after = tokens[i + 2] if i + 2 < len(tokens) else ""
    relative, used = _phrase(tokens, i, vocab.relative)
    if relative:
        return PeriodRequest(relative=relative), used
    if token == "for" and (months := _months_ago(tokens, i + 1, vocab)):
        # "for 3 måneder siden": counted from today, as "sidste måned" is; the words were set
        # aside and the newest figure given.
        return PeriodRequest(relative="months_ago", months=months[0]), months[1] + 1
    if token in vocab.first_months and (months := _months(tokens, i + 1, vocab)) and months[0] < 12:
        # "de første 7 måneder af 2026": januar–juli 2026 (without a year, this year's)
        end = i + 1 + months[1]
        while end < len(tokens) - 1 and tokens[end] in vocab.filler:
            end += 1
        year = tokens[end] if end < len(tokens) and _YEAR.match(tokens[end]) else None
        return PeriodRequest(period=year, relative="first_months", months=months[0]), \
            (end + 1 if year else i + 1 + months[1]) - i
    if token in vocab.recent and (months := _months(tokens, i + 1, vocab)):
        # "de seneste 3 måneder": the change over them, from 3 months before the newest (as »det
        # seneste år« runs from a year before). The words were set aside and one month answered.
        return PeriodRequest(relative="recent_months", months=months[0]), months[1] + 1
    edge, used = _phrase(tokens, i, vocab.year_ends)
    if edge and i + used < len(tokens) and _YEAR.match(tokens[i + used]):
        # "ved udgangen af 2025" is december 2025, not 2025's average with »udgangen« set aside.
        return PeriodRequest(period=str(periods.month(int(tokens[i + used]), edge))), used + 1
    if edge and (year := _phrase(tokens, i + used, vocab.relative))[0] in ("this_year", "last_year", "containing_year"):
        # "ultimo sidste år" is december 2025 (it answered 2025's average, »ultimo« set aside); »ved
        # udgangen af året«, »i starten af året«: this year's (it declined 2026's average, »udgangen« set aside)
        relative = "this_year" if year[0] == "containing_year" else year[0]
        return PeriodRequest(month=edge, relative=relative), used + year[1]
    if token in vocab.months:
        month_number = vocab.months[token]
        if _YEAR.match(nxt):
            return PeriodRequest(period=str(periods.month(int(nxt), month_number))), 2
        if _short_year(tokens, i + 1, vocab):  # not "maj 10 kommuner"
            # "maj 25" is May 2025: read as the newest May, it answered maj 2026 and set »25« aside.
            return PeriodRequest(period=str(periods.month(2000 + int(nxt), month_number))), 2
        return PeriodRequest(month=month_number), 1
    if (m := _ISO_MONTH.match(token)) and 1 <= int(m.group(2)) <= 12:
        return PeriodRequest(period=str(periods.month(int(m.group(1)), int(m.group(2))))), 1
    if (m := _SLASH_MONTH.match(token)) and 1 <= int(m.group(1)) <= 12:
        return PeriodRequest(period=str(periods.month(int(m.group(2)), int(m.group(1))))), 1
    if m := _COMPACT_QUARTER.match(token):
        if m.group(1):
            return PeriodRequest(period=str(periods.quarter(int(m.group(1)), int(m.group(2))))), 1
        q = int(m.group(3))
        if _YEAR.match(nxt) or _short_year(tokens, i + 1, vocab):
            # "q4 24" is 4. kvt. 2024, as "maj 25" is maj 2025 (it answered the newest 4. kvt.
            # with »24« set aside)
            return PeriodRequest(period=str(periods.quarter(_full_year(nxt), q))), 2
        return PeriodRequest(quarter=q), 1
    if token in vocab.quarter_ordinals and nxt in vocab.quarter_words:
        q = vocab.quarter_ordinals[token]
        if _YEAR.match(after) or _short_year(tokens, i + 2, vocab):
            return PeriodRequest(period=str(periods.quarter(_full_year(after), q))), 3
        return PeriodRequest(quarter=q), 2
    if token in vocab.quarter_words and nxt in vocab.quarter_ordinals and nxt.isdigit():
        # "kvartal 2 2025"
        if _YEAR.match(after):
            return PeriodRequest(period=str(periods.quarter(int(after), int(nxt)))), 3
        return PeriodRequest(quarter=int(nxt)), 2
    if _YEAR.match(token):
        return PeriodRequest(period=token), 1
    latest, used = _phrase(tokens, i, vocab.latest)
    if latest:
        return PeriodRequest(), used
    return None, 0


def _week_month(week: int, year: int | None) -> int:
    """The month of an ISO week's Thursday (the day ISO counts a week's year by). Without a year,
    a year starting on a Thursday stands in: a week at a month's edge may fall a month off in
    another year, which the answer's named month shows."""
    try:
        return date.fromisocalendar(year or 2015, week, 4).month
    except ValueError:  # week 53 of a year with 52
        return 12


def _short_year(tokens: list[str], i: int, vocab: Vocabulary) -> bool:
    """Whether tokens[i] is a year in two digits after a month or quarter: »maj 25«, »q4 24«, but
    not »maj 10 kommuner«."""
    return i < len(tokens) and bool(_SHORT_YEAR.match(tokens[i])) \
        and (i + 1 >= len(tokens) or tokens[i + 1] not in vocab.ranking_areas)


def _full_year(token: str) -> int:
    return int(token) if len(token) == 4 else 2000 + int(token)


def _fuzzy(word: str, table: dict, cutoff: int) -> object | None:
    if len(word) < 4 or word.isdigit():
        return None
    from rapidfuzz import fuzz, process  # only for a word the vocabulary does not know (start-up time)

    match = process.extractOne(word, table.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
    return table[match[0]] if match else None


def suggest(words: list[str], vocab: Vocabulary, limit: int = 3) -> tuple[str, ...]:
    """The closest indicator ids to any of `words`, best first."""
    from rapidfuzz import fuzz, process  # start-up time, as in _fuzzy

    scores: dict[str, float] = {}
    for word in words:
        if len(word) < 4 or word in vocab.filler:
            continue
        for phrase, score, _ in process.extract(word, vocab.indicators.keys(), scorer=fuzz.WRatio, limit=12):
            if max(fuzz.ratio(word, part) for part in (phrase, *phrase.split())) < FUZZY_SUGGEST_CLOSE:
                continue  # far off, however much of a longer name it shares
            indicator = vocab.indicators[phrase]
            scores[indicator] = max(scores.get(indicator, 0.0), score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return tuple(indicator for indicator, score in ranked if score >= FUZZY_SUGGEST)[:limit]


@dataclass
class _Reading:
    """What has been read so far while walking the tokens."""

    indicator: str | None = None
    share: str = ""  # »andel af de ledige«: a part's share of the figure (the word asking it)
    share_carried: bool = False  # a follow-up after a share: the share again, where it can be given
    areas: list[str] = field(default_factory=list)
    compare: list[str] = field(default_factory=list)
    period: PeriodRequest = field(default_factory=PeriodRequest)
    period_words: str = ""  # the words that named `period`, as tokens
    base: PeriodRequest | None = None
    breakdown: dict[str, str] = field(default_factory=dict)
    by: str | None = None
    intents: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)  # understood, but not used by the answer
    other_figures: list[str] = field(default_factory=list)  # of unused: a second figure's name
    other_periods: list[str] = field(default_factory=list)  # of unused: a third period compared
    comparing: bool = False
    wants_rate: bool = False
    rate_word: str = ""
    order: str | None = None
    top: int | None = None
    area_kind: str | None = None
    own_region: str = ""  # "area" or "compare"
    among_compared: bool = False  # a ranking of the kommuner compared before (Query.among_compared)
    aggregate: bool = False
    # »ledighed jan-jun 2026 sammenlignet med samme periode sidste år«, »ledighed 1. halvår 2026«: the
    # span is the period asked, its months' mean (a flow's sum) set against the same months a year
    # before (it gave januar against juni, »samme periode« set aside; a half-year was declined)
    span_whole: bool = False
    aggregate_word: str = ""
    latest_named: bool = False  # a word for the newest period was read ("nu", "seneste")
    period_end: int = -1  # the index after the last period read: »januar-juli« has nothing between
    base_compared: bool = False  # the base came after »vs«, »mod«, … (not »siden«, »fra«)
    whole_year: bool = False  # a year named as a whole ("hele 2024")
    finer: str = ""  # a day or week asked: "day", "week" (Query.finer)
    of_population: bool = False  # a rate asked »af befolkningen« (Query.of_population)
    of_whole: str = ""  # »i procent af arbejdsstyrken«: the whole named (Query.of_whole)
    comparative: bool = False  # "flere"/"højere" beside "kommuner" set the ranking's order
    count_gap: bool = False  # "hvor mange flere … end Ballerup": the counts' difference between two areas
    together: str = ""  # »tilsammen«: the areas' counts added up (the words, as typed)
    together_carried: bool = False  # the question before added its areas up (»… tilsammen« … »og året før?«)
    parts: dict[str, list[str]] = field(default_factory=dict)  # key -> two or more of its values named
    extreme: str | None = None  # "hvornår … højest": the series' own high (or low), not a ranking
    extreme_year: bool = False  # "hvilket år …": of whole years
    compare_own: bool = False  # "… end os": the configured kommune compared
    verdict: str = ""  # »bedre«, »dårligere«: which area does better is asked (the word)
    judged: str = ""  # »godt« in »er det godt?«: the level judged, against hele landet (the word)
    judged_level: bool = False  # judged after a level verb (»ligger ledigheden højt?«), nothing compared
    verdict_carried: bool = False  # the verdict is the question before's, not a word of this one
    level_verb: str = ""  # »ligger«: where a level lies, understood only when the question compares
    own_first: bool = False  # »hos os og i Herlev«: the configured kommune leads, the area after beside it
    own_asked: bool = False  # »og hvad med os?«: the configured kommune, not the area talked about
    # The figure's word is also a part's name (»kontanthjælp«: ydelse=Kontanthjælp): (key, value)
    indicator_part: tuple[str, str] | None = None
    indicator_part_first: bool = False  # named before the other part (»kontanthjælp og dagpenge«)
    threshold: tuple[str, float] | None = None  # "under 3 pct": the level asked against
    needed: bool = False  # »hvad skal der til«: what it takes to reach the target
    gap: bool = False  # »hvor mange procent er vi fra målet«: the target's gap, not the figure's rate
    newest_shown: bool = False  # the period is the newest an answer before showed (a follow-up's)
    span: bool = False  # a base read as the start of a span (»siden januar«, »de sidste 3 måneder«)
    indicator_words: str = ""  # the words that named `indicator` (folded)
    base_carried: bool = False  # `base` is the question before's (a follow-up naming no period to compare)
    moved_asked: bool = False  # a word of how the figure moved (»steget«, »flere«, »udvikling«)
    level_word: str = ""  # »over«, »under« before an area (»er vi under landsniveau«): a level compared
    placed: bool = False  # »hvordan ligger vi i forhold til landet«: the place beside an area (`_compared_place`)
    why_span: bool = False  # »hvorfor?« after a span's average or sum: that span explained, not its end months
    moved_word: bool = False  # »steget«, »faldet« (Vocabulary.moved): with a base, the change asked
    peaked: bool = False  # »toppede«: a superlative that asks when (Vocabulary.peaked)
    place_asked: bool = False  # »hvor er vi?« after a ranking (Query.place_asked)
    own_series_word: str = ""  # »nogensinde«: a superlative of the own series (Vocabulary.own_series)
    window: int = 0  # »højeste i 5 år«: with a superlative, the own series' newest months (Query.extreme_months)
    window_words: str = ""  # the words that said it (»5 år«)
    count_asked: bool = False  # »hvor mange kommuner …«: a number of them asked (Query.count_before_own)
    moved_most: bool = False  # »hvornår steg … mest«, »største fald i …«: Query.moved_most
    last_words: str = ""  # »sidst«, »sidste gang« (Vocabulary.last_time): with a level and »hvornår«, Query.last_held
    last_held: bool = False
    as_now: str = ""  # »lav« after »så« (Vocabulary.as_now): with »hvornår … sidst«, Query.level_now
    # »de sidste 3 år« read the change intent, no word of the question did: beside »udvikling« the
    # development over the span is asked (`_intent`)
    recent_change: bool = False
    # »til og med maj«: a span's end read with no start before it (the period's words)
    open_start: str = ""
    composition: bool = False  # »hvem er de?«: what the figure is made of (Query.composition)
    to_now: bool = False  # »til nu« with no period named before it (a follow-up's span from the one before)
    open_start_at: tuple[int, int] = (0, 0)  # where »til« and those words are among the tokens


def _after_since(tokens: list[str], i: int, vocab: Vocabulary, words: frozenset[str] | None = None) -> bool:
    """Whether the words just before tokens[i] make the period there a base ("siden", "fra", "end i");
    with `words`, whether they are of those (»vs«, »mod«: a comparison, not a »siden«)."""
    if i > 1 and tokens[i - 1] == "i":
        i -= 1  # "flere end i marts sidste år": the base, not the period answered
    words = vocab.since if words is None else words
    return any(" ".join(tokens[max(0, i - n):i]) in words for n in (1, 2, 3) if i - n >= 0)


def _months_ago(tokens: list[str], i: int, vocab: Vocabulary) -> tuple[int, int] | None:
    """»3 måneder siden«, »to år siden«, »et halvt år siden« at tokens[i]: (months, tokens used)."""
    counted = _months(tokens, i, vocab)
    if counted is None or counted[1] + i >= len(tokens) or tokens[i + counted[1]] != "siden":
        return None
    return counted[0], counted[1] + 1


def _months(tokens: list[str], i: int, vocab: Vocabulary) -> tuple[int, int] | None:
    """»3 måneder«, »to år«, »et halvt år« at tokens[i]: (months, tokens used)."""
    if i < len(tokens) and tokens[i].isdigit() and len(tokens[i]) <= 2:
        number, used = int(tokens[i]), 1
    else:
        number, used = _phrase(tokens, i, vocab.ago_numbers)
        if not number:
            return None
    unit, unit_used = _phrase(tokens, i + used, vocab.ago_units)
    if not unit or round(number * unit) < 1:
        return None
    return round(number * unit), used + unit_used


def _only_within(tokens: list[str], start: int, end: int, vocab: Vocabulary) -> bool:
    """Whether the words naming the series (»sæsonkorrigeret«, »officiel«) are all in tokens[start:end]."""
    inside = [i for i, t in enumerate(tokens) if vocab.breakdown_values.get(t, ("",))[0] == "korrektion"]
    return bool(inside) and all(start <= i < end for i in inside)


def _other_figure(tokens: list[str], i: int, own: str | None, vocab: Vocabulary) -> bool:
    """Whether the question names a figure other than `own` (the figure tokens[i] is a word of),
    not as a part of `own`: »prognose for ledigheden« is the konjunkturprognose's Ledighed."""
    own_keys = vocab.indicator_breakdowns.get(own or "", ())
    for j in range(len(tokens)):
        figure = _phrase(tokens, j, vocab.indicators)[0] if j != i else None
        if figure is None or figure == own:
            continue
        part = _phrase(tokens, j, vocab.breakdown_values)[0]
        if part is None or part[0] not in own_keys:
            return True
    return False


def _after_and(tokens: list[str], i: int, vocab: Vocabulary) -> bool:
    """Whether tokens[i] follows "og"/"eller" with only filler between: "og hvor mange sygemeldte"."""
    j = i - 1
    while j >= 0 and tokens[j] not in ("og", "eller") and tokens[j] in vocab.filler:
        j -= 1
    return j >= 0 and tokens[j] in ("og", "eller")


def _and_area(tokens: list[str], j: int, vocab: Vocabulary) -> bool:
    """Whether »og« and an area's name follow tokens[j], with only filler between: »hos os og i Herlev«."""
    while j < len(tokens) and tokens[j] != "og" and tokens[j] in vocab.filler:
        j += 1
    if j >= len(tokens) or tokens[j] != "og":
        return False
    j += 1
    while j < len(tokens) and tokens[j] in vocab.filler and not _phrase(tokens, j, vocab.areas)[0]:
        j += 1
    return j < len(tokens) and bool(_phrase(tokens, j, vocab.areas)[0])


def _read(tokens: list[str], vocab: Vocabulary) -> _Reading:
    r = _Reading()
    # »hvad var det sidste år?«: »det« is the figure talked about, and »sidste år« the year (it read
    # »det sidste år«, the past twelve months, and answered their development)
    pronoun = {i for i in range(1, len(tokens) - 1) if tokens[i] == "det" and tokens[i - 1] in ("var", "er")
               and _phrase(tokens, i + 1, vocab.relative)[0] is not None}
    # Intent words count even inside an indicator's alias: "udvikling i ledigheden" is both
    # figure 4.2's name and a question about the development.
    for start in range(len(tokens)):
        for n in range(1, min(MAX_NGRAM, len(tokens) - start) + 1) if start not in pronoun else ():
            if (intent := vocab.intents.get(" ".join(tokens[start:start + n]))) is not None:
                r.intents.add(intent)
    if "why" in r.intents:
        r.intents.discard("definition")  # »forklar stigningen i sygedagpenge«: why, not what the figure is
    r.moved_asked = bool({"change", "development", "why"} & r.intents)
    r.moved_word = any(t in vocab.moved for t in tokens)
    r.count_asked = any(_phrase(tokens, i, vocab.count_asked)[0] for i in range(len(tokens)))
    for token in tokens:
        # "sæsonkorrigeret ledighed" is an alias of ledighedsprocent; the word still picks the series.
        key_value = vocab.breakdown_values.get(token)
        if key_value and key_value[0] == "korrektion":
            r.breakdown[key_value[0]] = key_value[1]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token.isdigit() and len(token) <= 3 and (
                nxt in vocab.ranking_areas or vocab.ranking.get(nxt) in ("high", "low", "most", "fewest")
                or (i > 0 and tokens[i - 1] in ("top", "bund"))):
            r.top, i = max(1, int(token)), i + 1  # "top 5", "de 3 kommuner", "de 5 laveste", "bund 5"
            continue
        if token in vocab.projection:
            own = vocab.indicators.get(token) or next(
                (vocab.indicators[w] for w in sorted(vocab.projection) if w in vocab.indicators), None)
            if _other_figure(tokens, i, own, vocab):
                # »prognosen for sygedagpenge«: sygedagpenge's projection, which its target line gives
                r.intents.add("target")
                i += 1
                continue
            if r.indicator is None and own is not None and token not in vocab.indicators:
                # »prognosen for ledigheden«: the konjunkturprognose's Ledighed (»prognosen« was set aside)
                r.indicator, i = own, i + 1
                continue
        intent, used = _phrase(tokens, i, vocab.intents)
        if i in pronoun:
            i += 1
            continue
        indicator, ind_used = _phrase(tokens, i, vocab.indicators) if r.indicator is None else (None, 0)
        order, order_used = _phrase(tokens, i, vocab.ranking)
        if order and order_used >= max(used, ind_used):
            # "top" only says a ranking is wanted; "flest", "laveste" say which way it goes.
            if r.order is None or (order != "place" and token != "top"):
                r.order = order
            i += order_used
            continue
        if token in vocab.ranking_comparative and any(t in vocab.ranking_areas for t in tokens):
            # "hvor mange kommuner har højere ledighed end os": a ranking with the own place; it
            # ranked the count of ledige (kommune size) and set »højere« aside, and "flere … end
            # os" was declined as a ranking by change.
            r.order, r.comparative = r.order or vocab.ranking_comparative[token], True
            i += 1
            continue
        if intent and used >= ind_used:
            r.intents.add(intent)
            i += used
            continue
        if indicator:
            if "korrektion" not in vocab.indicator_breakdowns.get(indicator, ()) and _only_within(
                    tokens, i, i + ind_used, vocab):
                # »officiel ungeledighed«: »officiel« is the figure's own name, not a seasonally
                # adjusted series of it (answered »ingen tal for … (Sæsonkorrigeret)«)
                r.breakdown.pop("korrektion", None)
            r.indicator_part = vocab.breakdown_values.get(_fold(" ".join(tokens[i:i + ind_used])))
            r.indicator_part_first = bool(r.indicator_part) and r.indicator_part[0] not in r.breakdown
            r.indicator, r.indicator_words, i = indicator, " ".join(tokens[i:i + ind_used]), i + ind_used
            continue
        together, used = _phrase(tokens, i, vocab.together)
        if together:
            r.together, i = " ".join(tokens[i:i + used]), i + used
            continue
        own_region, used = _phrase(tokens, i, vocab.own_region)
        if own_region:
            r.own_region, i = "compare" if r.comparing else "area", i + used
            continue
        kind, used = _phrase(tokens, i, vocab.ranking_areas)
        if kind:
            if token == "hvilken" and r.top is None:
                r.top = 1  # »hvilken kommune har flest ledige«: the one, not a top 5
            if r.top is None and _fold(" ".join(tokens[i:i + used])) in vocab.all_areas:
                r.top = ALL_AREAS  # »… fordelt på kommuner«: every one
            r.area_kind, i = kind, i + used
            continue
        if token.isdecimal() and 1 <= int(token) <= 31 and nxt in vocab.months:
            # »pr. 1. maj«, »31. december«: the month's figure, said (»1« was not understood)
            r.finer, i = "day", i + 1
            continue
        if token in vocab.weeks and nxt.isdecimal() and 1 <= int(nxt) <= 53:
            # »uge 12«: no weekly figure; the week's month, said (the words were set aside)
            year = tokens[i + 2] if i + 2 < len(tokens) and _YEAR.match(tokens[i + 2]) else None
            month_number = _week_month(int(nxt), int(year) if year else None)
            r.period = PeriodRequest(period=str(periods.month(int(year), month_number))) if year \
                else PeriodRequest(month=month_number)
            r.finer, i = "week", i + 2 + (year is not None)
            continue
        request, used = _period(tokens, i, vocab)
        if request is not None and request.relative in ("last_week", "this_week"):
            r.finer = "week"
        if request is not None and request.relative in ("yesterday", "day_before_yesterday"):
            r.finer = "day"
        if request is not None and request.relative == "recent_months":
            if r.base is None:
                r.base = replace(request, relative="months_ago")
                r.recent_change = "change" not in r.intents  # (Vocabulary.intents read none: the span's own)
                r.intents.add("change")
                r.span = True
            i += used
            continue
        if request is not None:
            if (request.period is not None and _YEAR.match(request.period)) or request.relative == "last_year":
                r.whole_year = r.whole_year or any(" ".join(tokens[i - n:i]) in vocab.whole_year for n in (1, 2) if i >= n)
            latest_before, r.latest_named = r.latest_named, r.latest_named or request.is_latest
            if _after_since(tokens, i, vocab) and not request.is_latest and r.base is None:
                r.base, r.base_compared = request, _after_since(tokens, i, vocab, vocab.compare)
                r.span = _after_since(tokens, i, vocab, vocab.span)
                # »sdp q2 vs q1 albertslund«, »ledigh. 2025 vs 2024 herlev«: »vs« compared the periods,
                # so the area after them is the one asked (it answered Ballerup with Albertslund beside)
                r.comparing = r.comparing and not r.base_compared
            elif r.span and r.base is not None and not r.base_compared and request.relative == "year_ago" \
                    and not r.period.is_latest:
                # »ledighed jan-jun 2026 vs samme periode sidste år«: the span's months as one period
                # (their mean, or a flow's sum) against the same months a year before (`answers`)
                r.span_whole = True
            elif r.base is not None and not r.period.is_latest and not request.is_latest \
                    and (_after_since(tokens, i, vocab) or _after_and(tokens, i, vocab)) \
                    and _within_year(r.period, request) is None:
                # »juli 2026 vs juli 2025 vs juli 2024«: a change has two periods; the third is set
                # aside, said. It replaced the first, and juli 2025 til juli 2024 was answered.
                r.unused.append(" ".join(tokens[i:i + used]))
                r.other_periods.append(r.unused[-1])
            elif r.base is None and request.is_latest != r.period.is_latest \
                    and (latest_before or not r.period.is_latest) \
                    and ("change" in r.intents or _after_and(tokens, i, vocab)):
                # »forskellen på ledigheden nu og for et år siden«, »ledighed for et år siden og nu«:
                # the change from that period to the newest, which gives both figures; it answered
                # the year-ago month alone, against a year before that.
                r.base, r.period = (request, r.period) if not request.is_latest else (r.period, request)
                r.period_words = ""
                r.intents.add("change")
            elif i > 0 and tokens[i - 1] == "til" and r.base is None and not r.period.is_latest \
                    and not request.is_latest:
                # "ledighed maj 2025 til maj 2026": the change from the first to the second, as
                # "fra maj 2025 til maj 2026"; it answered maj 2026 and set »maj 2025« aside.
                r.base, r.period, r.period_words = r.period, request, " ".join(tokens[i:i + used])
                r.span = True
            elif i > 0 and tokens[i - 1] == "til" and r.base is None and r.period.is_latest \
                    and not request.is_latest and not r.open_start:
                # »ledighed til og med maj«: a span's end with no start (from when is asked; it
                # answered maj alone). A follow-up starts it at the period before (`_follow`).
                r.period, r.period_words = request, " ".join(tokens[i:i + used])
                r.open_start, r.open_start_at = " ".join(tokens[i:i + used]), (i - 1, i + used)
            elif r.base is None and i == r.period_end and _months_pair(r.period, request):
                # »januar-juli 2026« (a hyphen is not kept): as »januar til juli 2026«, the change
                # from the first to the second; it answered juli 2026 with »januar« set aside.
                r.base, r.period = _alike(r.period, request)
                r.period_words = " ".join(tokens[i:i + used])
                r.intents.add("change")
                r.span = True
            elif r.base is None and _after_and(tokens, i, vocab) \
                    and {r.period.relative, request.relative} == {"this_year", "last_year"} \
                    and (r.period.month, r.period.quarter) == (request.month, request.quarter):
                # »ledighed i år og sidste år«: the change from last year to this (it answered 2025
                # with »i år« set aside)
                r.base, r.period = (r.period, request) if r.period.relative == "last_year" else (request, r.period)
                r.intents.add("change")
            elif r.base is not None and (within := _within_year(r.base, request)) \
                    and (request.period is not None or request.relative is not None):
                # »siden marts sidste år«; »marts sidste år vs marts i år« (»marts sidste år« was
                # set aside and the year 2026 answered). A bare month after a base with its year is
                # the other end, not the base's: »fra marts sidste år til marts i år« took the
                # second »marts« into the base and answered januar–juli 2025 til januar–juli 2026.
                r.base = within
            elif (within := _within_year(r.period, request)) is not None:
                r.period, r.period_words = within, f"{r.period_words} {' '.join(tokens[i:i + used])}"
            elif r.base is None and _after_and(tokens, i, vocab) and _yearless_pair(r.period, request):
                # »forskellen mellem marts og juli«, »juni og juli«: the change from the first to the
                # second, each the newest such month the data has (the answer names both); it answered
                # juli alone, or juli against a year before, with »marts« named as not understood.
                r.base, r.period, r.period_words = r.period, request, " ".join(tokens[i:i + used])
                r.intents.add("change")
            elif r.base is None and not r.period.is_latest and not request.is_latest \
                    and _after_and(tokens, i, vocab) and all(p.period for p in _alike(r.period, request)):
                # »første kvartal 2025 og 2026«, »maj og juni 2025«: both are asked for; the change
                # from the earlier to the later gives both figures (the later was answered and the
                # earlier set aside). Two months without a year (»juni og juli«) still are: which
                # year each is depends on the data.
                first, second = _alike(r.period, request)
                words = " ".join(tokens[i:i + used])
                if _starts(second.period) < _starts(first.period):
                    first, second, words = second, first, r.period_words
                r.base, r.period, r.period_words = first, second, words
                r.intents.add("change")
            elif not request.is_latest or r.period.is_latest:
                if not r.period.is_latest and not request.is_latest:
                    r.unused.append(r.period_words)  # two periods, neither a base: the later one is answered
                r.period, r.period_words = request, " ".join(tokens[i:i + used])
            i += used
            r.period_end = i
            continue
        aggregate, used = _phrase(tokens, i, vocab.aggregate)
        if aggregate:
            r.aggregate, r.aggregate_word, i = True, " ".join(tokens[i:i + used]), i + used
            continue
        compare, used = _phrase(tokens, i, vocab.compare)
        if compare:
            if i + used == len(tokens):  # »ledighed sammenlignet med«, cut off: no area to compare with, said
                r.unused.append(" ".join(tokens[i:i + used]))
            # (»ligger vi over eller under landet på samtaler«: a level compared, as »under landet«)
            words = tokens[i:i + used]
            r.level_word = r.level_word or (" ".join(words) if set(words) & vocab.level_compare else "")
            r.comparing, i = True, i + used
            continue
        if (token in vocab.compare_area or (token in vocab.compare_after and r.indicator is not None
                                              and not r.areas)) \
                and i + 1 < len(tokens) and _phrase(tokens, i + 1, vocab.areas)[0]:
            # "ledighed over landsgennemsnittet": Ballerup against landet, not landet's figure
            # ("over 60" stays an age). »hvad med Herlev?« opens a follow-up that asks Herlev: it
            # answered the area before with Herlev beside it.
            r.comparing = r.comparing or " ".join(tokens[:i + 1]) not in vocab.followup
            r.level_word = r.level_word or (token if token in vocab.level_compare else "")
            i += 1
            continue
        key, used = _phrase(tokens, i, vocab.breakdown_keys) if r.by else (None, 0)
        if key and key != r.by and _after_and(tokens, i, vocab):
            # »fordelt på køn og alder«: one breakdown per answer, the second named as set aside (»alder«
            # was guessed as »falder« and the development answered)
            r.unused.append(" ".join(tokens[i:i + used]))
            i += used
            continue
        key, used = _phrase(tokens, i, vocab.by_words)
        if key:  # "forsørgertryk i aldersgrupper": by alder, as "fordelt på alder"
            r.by, i = key, i + used
            continue
        said, used = _phrase(tokens, i, vocab.per_month_said)
        if said:  # »om måneden«, »hver måned«: as »pr måned« (below)
            r.aggregate = True
            i += used
            continue
        by, used = _phrase(tokens, i, vocab.by)
        if by and i + used < len(tokens):
            key, key_used = _phrase(tokens, i + used, vocab.breakdown_keys)
            if key:
                r.by, i = key, i + used + key_used
                continue
            per_person = vocab.per_person.get(r.indicator or "")
            part, part_used = _phrase(tokens, i + used, vocab.breakdown_values)
            if per_person and part and part[0] in vocab.indicator_breakdowns.get(per_person, ()):
                # »samtaler pr ledig«: the count per full-time person of that part (`per_person`)
                r.indicator, i = per_person, i + used + part_used
                r.breakdown[part[0]] = part[1]
                continue
            if tokens[i + used] in vocab.per_month:
                # "samtaler pr måned i 2025": the year's average month (a flow's year is otherwise
                # its sum, which answered another question). Without a year or quarter the monthly
                # figure is per month already: no word to set aside.
                r.aggregate = True
                i += used + 1
                continue
            if tokens[i + used] in vocab.per_period:
                # "samtaler pr uge": no per-period figure is made; say so (it dropped the words unsaid).
                r.unused.extend(tokens[i:i + used + 1])
                i += used + 1
                continue
        area, used = _phrase(tokens, i, vocab.areas)
        if area and not token.isdigit():
            # »ledighed maj og landet«, »… q1 2026 ift q1 2025 og landet«: the configured kommune and
            # the area after »og«, as »hos os og i Herlev« (it answered hele landet alone); not »og i
            # Herlev?«, »godt, og Herlev?« opening a follow-up, with no figure named before »og«
            own_and = not r.areas and r.indicator is not None and _after_and(tokens, i, vocab)
            # »er vi under landsniveau på samtaler i Herlev«: after the area compared with, »i Herlev«
            # is the area asked about (it compared Ballerup with both landet and Herlev)
            asked_in = r.comparing and not r.areas and bool(r.compare) and i > 0 and tokens[i - 1] in vocab.area_lead
            (r.compare if (r.comparing or r.areas or r.own_first or own_and) and not asked_in else r.areas).append(area)
            i += used
            continue
        span, used = _phrase(tokens, i, vocab.part_spans)
        if span:
            key, values = span
            named = [*r.parts.get(key, [r.breakdown[key]] if key in r.breakdown else []), *values]
            if len(named) > 1:
                r.parts[key] = named
            r.breakdown[key] = values[-1]
            i += used
            continue
        value, used = _phrase(tokens, i, vocab.breakdown_values)
        other, other_used = _phrase(tokens, i, vocab.indicators) if value and r.indicator else (None, 0)
        # »ledighed sammenlignet med kontanthjælp«, »fleksjob vs ledighed«: a second figure after a
        # comparing word (no part of its key named before: »ledige kontanthjælp vs dagpenge« are
        # two parts); read as a part it answered the ledige on kontanthjælp, or »ingen tal opdelt på«
        compared_figure = other is not None and value[0] not in r.breakdown \
            and _after_since(tokens, i, vocab, vocab.compare)
        if other and other != r.indicator and (_after_and(tokens, i, vocab) or compared_figure):
            # "ledighed og sygedagpenge": a second figure, named as set aside; read as a part of
            # ledige it was answered as »ingen tal for ledige opdelt på ydelse (Sygedagpenge)«.
            r.unused.append(" ".join(tokens[i:i + other_used]))
            r.other_figures.append(r.unused[-1])
            if _only_within(tokens, i, i + other_used, vocab):
                # »ungeledighed og officiel ungeledighed«: »officiel« named the second figure, not
                # the first one's seasonally adjusted series (»ingen sæsonkorrigerede tal«).
                r.breakdown.pop("korrektion", None)
            i += other_used
            continue
        if value and r.indicator is not None and value[0] not in vocab.indicator_breakdowns.get(r.indicator, ()) \
                and _phrase(tokens, i, vocab.indicators)[0] == r.indicator:
            # »ledighed ledighed«: the figure's own word again, not the konjunkturprognose's »nøgletal
            # Ledighed« (answered as »ingen tal for ledige opdelt på nøgletal«)
            i += used
            continue
        if value:
            key, canonical = value
            if r.indicator is None and used > 1 and tokens[i] not in vocab.filler \
                    and (named := vocab.indicators.get(tokens[i + used - 1])):
                # »forsikrede ledige«, »ikke-forsikrede ledige«: the part's name ends in the figure's
                # (not understood, or fuldtidspersoner on A-dagpenge answered for ledige)
                r.indicator = named
            if r.breakdown.get(key, canonical) != canonical:
                # "ledige kontanthjælp vs dagpenge", "kvinder og mænd": two parts of one key, both
                # listed (the second replaced the first, which was dropped without a word)
                r.parts.setdefault(key, [r.breakdown[key]]).append(canonical)
            r.breakdown[key] = canonical
            i += used
            continue
        if token == "af" and r.indicator is None and i and " ".join(tokens[:i]) in vocab.count_asked:
            # »hvor mange af de ledige er på dagpenge«: the part of that figure, with its share (»de
            # ledige« was read as the samtaler's målgruppe: 738 fuldtidspersoner on A-dagpenge, not the
            # 690 ledige); »… er langtidsledige«, »… er unge«: the figure named after it
            j = i + 1
            while j < len(tokens) and tokens[j] in SHARE_ARTICLES:
                j += 1
            figure, figure_used = _phrase(tokens, j, vocab.indicators)
            if figure and not _phrase(tokens, j, vocab.areas)[0]:
                if not any(_phrase(tokens, k, vocab.indicators)[0] not in (None, figure)
                           for k in range(j + figure_used, len(tokens))):
                    r.indicator, r.indicator_words, r.share_carried = figure, " ".join(tokens[j:j + figure_used]), True
                i = j + figure_used
                continue
        if token == "af" and (r.wants_rate or r.indicator in vocab.percentages):
            # »ledighed i procent af arbejdsstyrken«: what the rate is of, named (it was »not understood«)
            whole, whole_used = _phrase(tokens, i + 1, vocab.rate_wholes)
            if whole:
                r.of_whole, i = whole, i + 1 + whole_used
                continue
        rate, used = _phrase(tokens, i, vocab.rate_words)
        if rate and r.indicator is None and i + used < len(tokens) and tokens[i + used] == "af":
            # »hvor stor en andel af de ledige er på dagpenge«: the part's share of the figure
            # (»de ledige« read as the samtaler's målgruppe, and the question was not understood)
            j = i + used + 1
            while j < len(tokens) and tokens[j] in SHARE_ARTICLES:
                j += 1
            figure, figure_used = _phrase(tokens, j, vocab.indicators)
            if figure == POPULATION and any(_phrase(tokens, k, vocab.indicators)[0] not in (None, POPULATION)
                                            for k in range(j + figure_used, len(tokens))):
                # »hvor mange procent af befolkningen er på kontanthjælp«: the figure named next, as a
                # share of the residents, is its rate (it answered the population, 53.996 personer)
                r.wants_rate, r.rate_word, i = True, " ".join(tokens[i:i + used]), j + figure_used
                r.of_population = True
                continue
            if figure:
                r.indicator, r.share, i = figure, " ".join(tokens[i:i + used]), j + figure_used
                continue
        if rate and r.indicator is None and 0 < i and set(tokens[:i]) <= RATE_LEADS \
                and not any(vocab.intents.get(t) in ("change", "development", "why") for t in tokens[i + used:]):
            # »hvor mange procent er ledige«: the rate of the figure named after it (the count was given
            # with »procent« not understood); »hvor mange procent er ledigheden steget« is a change in pct.
            r.wants_rate, r.rate_word, i = True, " ".join(tokens[i:i + used]), i + used
            continue
        if rate and (r.indicator or i == 0 or tokens[i - 1] in ("og", "i")):  # "og i procent?" follows up
            r.wants_rate, r.rate_word, i = True, " ".join(tokens[i:i + used]), i + used
            continue
        if token in vocab.indicators and r.indicator and vocab.indicators[token] != r.indicator:
            # A second figure ("ledighed og sygedagpenge"): one figure per answer, and say so.
            r.unused.append(token)
            r.other_figures.append(token)
            i += 1
            continue
        own, used = _phrase(tokens, i, vocab.own_area) if r.comparing else (None, 0)
        if own:  # »har Herlev lavere ledighed end os«: compared with the configured kommune
            r.compare_own, i = True, i + used
            continue
        own, used = _phrase(tokens, i, vocab.own_area)
        if own and r.areas and _after_and(tokens, i, vocab):
            # »ledighed i Herlev og hos os«: the configured kommune beside Herlev (Herlev was answered alone)
            r.compare_own, i = True, i + used
            continue
        if own and not r.areas and _and_area(tokens, i + used, vocab):
            r.own_first, i = True, i + used  # »ledighed hos os og i Herlev«: as above, ours first
            continue
        own, used = _phrase(tokens, i, vocab.own_followup)
        if own and not r.areas:
            r.own_asked, i = True, i + used  # (a follow-up's area then is the configured kommune)
            continue
        if token in vocab.verdict:
            r.verdict, i = r.verdict or token, i + 1  # »er vi bedre end landet«: said below, beside the areas
            continue
        if token in vocab.judgement and tokens[0] in vocab.judgement_openers and not r.intents & {"why", "development"}:
            r.judged, i = r.judged or token, i + 1  # »er det godt?«: read in `_judged`
            continue
        if token in vocab.descriptive and tokens[0] in vocab.level_verbs and not r.judged \
                and not r.intents & {"why", "development"}:
            # »ligger ledigheden højt?«: is it high against others, as »er ledigheden høj?« (both
            # words were named as not understood)
            r.judged, r.judged_level, i = token, True, i + 1
            continue
        if token in vocab.filler or token in vocab.indicators or token in vocab.by or token in vocab.compare \
                or (token in vocab.descriptive and (r.intents & {"why", "development"} or tokens[i - 1:i] == ["hvor"])):
            i += 1  # (»hvor høj er ledigheden«: the level asked, the rate beside the count)
            continue
        if r.order in EXTREMES and not r.window and (window := _months(tokens, i, vocab)) \
                and tokens[i + window[1]:i + window[1] + 1] != ["siden"]:
            # »er ledigheden den højeste i 5 år«: the own series over its newest 5 years (parse);
            # »5« and »år« were named as not understood and the kommuner ranked
            r.window, r.window_words = window[0], " ".join(tokens[i:i + window[1]])
            i += window[1]
            continue
        when, used = _phrase(tokens, i, vocab.when)
        if when:  # read with the superlative (parse): »hvilket år var ledigheden lavest«
            i += used
            continue
        if token in vocab.as_now and tokens[i - 1:i] == ["saa"]:
            r.as_now, i = token, i + 1  # »sidst så lav«: read with »sidst« (parse)
            continue
        last, used = _phrase(tokens, i, vocab.last_time)
        if last:  # »hvornår var ledigheden sidst under 3 pct«: read with the level (parse)
            r.last_words = r.last_words or " ".join(tokens[i:i + used])
            i += used
            continue
        if token in vocab.own_series:
            r.own_series_word = r.own_series_word or token  # »højeste ledighed nogensinde«: read in parse
            i += 1
            continue
        if token in vocab.peaked:
            # »toppede ledigheden i 2025?«: when it was highest, as »hvornår … højest« (parse)
            r.order, r.peaked = r.order or vocab.peaked[token], True
            i += 1
            continue
        if token in vocab.level_verbs and not r.level_verb:
            r.level_verb, i = token, i + 1  # »ligger Herlev over landsgennemsnittet«: kept if it compares
            continue
        r.unknown.append(token)
        i += 1
    if r.level_verb and not r.comparing and not r.judged_level:
        r.unknown.append(r.level_verb)  # (»ligger« with nothing compared: not understood, as before)
    return r


def _guess_misspellings(r: _Reading, vocab: Vocabulary) -> list[str]:
    """Take an unknown word close to an indicator, area or month name as meant; return the rest."""
    still_unknown = []
    for word in r.unknown:
        if word in vocab.quarter_ordinals:
            # "andet" outside "andet kvartal" is a Danish word, not a misspelling of "landet":
            # guessed, »ledighed andet halvår« answered for hele landet.
            still_unknown.append(word)
        elif r.indicator is None and (hit := _fuzzy(word, vocab.indicators, FUZZY_ACCEPT)):
            r.indicator = hit
        elif (hit := _fuzzy(word, vocab.areas, FUZZY_ACCEPT + 4)) and hit not in r.areas + r.compare:
            (r.compare if r.areas else r.areas).append(hit)
        elif r.period.is_latest and (hit := _fuzzy(word, vocab.months, FUZZY_ACCEPT + 4)):
            r.period = PeriodRequest(month=hit)
        elif (hit := _fuzzy(word, vocab.breakdown_values, FUZZY_ACCEPT + 4)) and hit[0] not in r.breakdown:
            # »resourceforløb«: a part misspelt, as a figure's name is taken (it was not understood)
            r.breakdown[hit[0]] = hit[1]
        elif (hit := _fuzzy(word, vocab.intents, FUZZY_ACCEPT + 4)):
            r.intents.add(hit)
        elif (hit := _fuzzy(_sounding(word, vocab.area_sounds), vocab.sounding_areas, FUZZY_ACCEPT + 4)) \
                and hit not in r.areas + r.compare:
            # spelt as it sounds (»Gladsakse«): a place name, as its letters alone did not tell
            (r.compare if r.areas else r.areas).append(hit)
        else:
            still_unknown.append(word)
    return still_unknown


def _within_year(first: PeriodRequest, second: PeriodRequest) -> PeriodRequest | None:
    """A month or quarter and, apart, its year: »marts sidste år«, »1. kvartal i år«, »marts i 2025«.
    Read as two periods, the year was answered and the month set aside."""
    part = next((p for p in (first, second) if p.period is None and p.relative is None
                 and (p.month is not None or p.quarter is not None)), None)
    year = second if part is first else first
    if part is None or year is part:
        return None
    if year.relative in ("this_year", "last_year"):
        return replace(part, relative=year.relative)
    if year.period is not None and _YEAR.match(year.period):
        made = periods.month(int(year.period), part.month) if part.month is not None \
            else periods.quarter(int(year.period), part.quarter)
        return PeriodRequest(period=str(made))
    return None


def _starts(period: str) -> tuple[int, int]:
    parsed = periods.parse(period)
    return parsed.year, parsed.start_month


def _alike(first: PeriodRequest, second: PeriodRequest) -> tuple[PeriodRequest, PeriodRequest]:
    """Two periods joined by »og«, the second one's missing part taken from the first: »første
    kvartal 2025 og 2026« is 1. kvt. 2025 and 1. kvt. 2026; »maj og juni 2025« is maj and juni 2025."""
    if first.period is not None and second.period is not None and _YEAR.match(second.period) \
            and not _YEAR.match(first.period):
        part = periods.parse(first.period)
        return first, PeriodRequest(period=str(periods.Period(int(second.period), part.start_month, part.length)))
    if first.period is None and first.relative is None and first.month is not None \
            and second.period is not None and (m := periods.parse(second.period)).length == 1:
        return PeriodRequest(period=str(periods.month(m.year, first.month))), second
    if first.period is None and first.relative is None and first.quarter is not None \
            and second.period is not None and (q := periods.parse(second.period)).length == 3:
        return PeriodRequest(period=str(periods.quarter(q.year, first.quarter))), second
    return first, second


def _months_pair(first: PeriodRequest, second: PeriodRequest) -> bool:
    """Two different months, each with or without its year."""
    def month(p: PeriodRequest) -> bool:
        return (p.period is None and p.relative is None and p.month is not None) or (
            p.period is not None and periods.parse(p.period).length == 1)
    return first != second and month(first) and month(second)


def _yearless_pair(first: PeriodRequest, second: PeriodRequest) -> bool:
    """Two months (or two quarters) without a year, e.g. »juni og juli«."""
    bare = PeriodRequest(month=first.month, quarter=first.quarter)
    return first == bare and second == PeriodRequest(month=second.month, quarter=second.quarter) \
        and not bare.is_latest and (first.month is None) == (second.month is None) and first != second \
        and (second.month is not None or second.quarter is not None)  # (»vs K2« alone: no pair)


def _in_time_order(r: _Reading) -> None:
    """A period compared with a base (»2024 vs 2025«, »1. kvt vs 2. kvt 2025«) is the change from
    the earlier to the later, the yearless one of the other's year. Taken as written, the answer ran
    backwards (»2025 til 2024: 118 færre«) or compared 1. kvt. 2026 with 2. kvt. 2025."""
    if r.base is None:
        return
    if r.base.relative in ("this_year", "last_year") and r.base == PeriodRequest(relative=r.base.relative) \
            and r.period.relative in ("this_year", "last_year") and (r.period.month or r.period.quarter):
        # »3. kvartal sidste år vs i år«: 3. kvt. of each (it compared 3. kvt. 2025 with 2024's)
        r.base = replace(r.period, relative=r.base.relative)
    completed, _ = _alike(r.period, r.base)
    if completed.period is not None and completed.period != r.base.period:
        r.period = completed
    if r.base_compared and r.base.period is not None and _YEAR.match(r.base.period) \
            and r.period.period is not None and not _YEAR.match(r.period.period):
        # »maj 2026 vs 2025« is maj 2025 (it answered januar 2025 til maj 2026, as »siden 2025«)
        r.base = _alike(r.period, r.base)[1]
    if r.period.period is not None and r.base.period is not None \
            and _starts(r.base.period) > _starts(r.period.period):
        r.period, r.base, r.period_words = r.base, r.period, ""
    elif (r.period.relative, r.base.relative) == ("last_year", "this_year") \
            and (r.period.month, r.period.quarter) == (r.base.month, r.base.quarter):
        # »sidste år vs i år«: »i år« was dropped and 2025 answered against 2024.
        r.period, r.base, r.period_words = r.base, r.period, ""
    elif _yearless_pair(r.base, r.period) and (
            0 < (r.base.month - r.period.month) % 12 < 6 if r.base.month is not None
            else 0 < (r.base.quarter - r.period.quarter) % 4 < 2):
        # »ledigheden i maj og hvad var den i april?«: april til maj (it answered »maj 2025 til april
        # 2026«); »december og januar« still runs over the new year.
        r.period, r.base, r.period_words = r.base, r.period, ""


def _ranks_a_change(intent: str, r: _Reading, vocab: Vocabulary) -> bool:
    """»hvilke kommuner har størst fald i ledigheden«: a ranking ranks a period's level; ranked
    anyway, it answered »højest ledighedsprocent« without a word about the fall. So does »flest
    ledige siden januar«: it ranked juli alone, »siden januar« dropped unsaid. Of a figure that
    counts events »siden januar« is this year so far, which a ranking gives (»flest samtaler i år«)."""
    if intent != "ranking":
        return False
    if r.span and r.indicator in vocab.flows and r.period.is_latest and r.base is not None \
            and r.base.month == 1 and r.base.period is None and r.base.relative in (None, "this_year"):
        r.period, r.base, r.span = PeriodRequest(relative="this_year"), None, False
    return bool({"development", "change"} & r.intents) or (r.base is not None and not r.base_carried)


def _intent(r: _Reading, has_indicator: bool) -> str:
    intents = r.intents
    if "definition" in intents and "target" in intents and has_indicator and not {"help", "vocabulary"} & intents:
        # »hvad betyder målet for sygedagpenge«: the target explained (its line names the goal and
        # where the figure stands), not the figure's catalogue definition.
        return "target"
    for intent in ("help", "vocabulary", "freshness", "definition"):
        if intent in intents:
            return intent
    if "why" in intents and "target" in intents and has_indicator:
        # »hvorfor er vi bagud på sygedagpenge«: what moved (the target's line comes with it); as a
        # target question it answered the level alone.
        return "why"
    if r.verdict and (r.compare or r.compare_own) and intents <= {"target"} and has_indicator \
            and not (r.order or r.area_kind):
        # »… sammenlign med landet« → »klarer vi os bedre?«: which does better, said beside the
        # figures (as a target question »bedre« was set aside)
        return "value"
    if "target" in intents and ("change" in intents or r.base is not None) and has_indicator \
            and not (r.order or r.area_kind):
        # »sygedagpenge i år sammenlignet med sidste år, og når vi målet?«: the change (the target's
        # line comes with it); as a target question it declined this year's average unsaid.
        return "change"
    if "target" in intents and not (r.comparing and r.area_kind and has_indicator):
        # (»hvordan klarer vi os på sygedagpenge ift andre kommuner«: the place among them; as a
        # target question the kommuner were passed over unsaid)
        return "target"
    if r.order or r.area_kind:
        return "ranking"
    if not has_indicator:
        return "value"
    if "why" in intents:
        return "why"
    if "development" in intents and ("change" not in intents or r.recent_change) and r.base is not None \
            and r.span and r.period.is_latest and not r.base_compared and not r.moved_word:
        # »udvikling i ledigheden siden 2022«: the development from 2022 on, its low and high, as
        # »udvikling i ledigheden« gives it of the last year (it gave the change between two ends);
        # »udvikling i ledigheden de sidste 3 år« the same over those years (it gave the two ends)
        return "development"
    if "change" in intents or r.base is not None:  # "ledige siden 2019-01" asks for the change
        return "change"
    if "development" in intents:
        return "development"
    return "value"


def _part_of_context(tokens: list[str], r: _Reading, context: Query | None, vocab: Vocabulary) -> None:
    """»aktiveringsgrad« … »for kontanthjælp«: a figure's name that is also a part of the figure
    talked about, after »for«, is that part; read as the figure, the answer silently changed to
    kontanthjælpsmodtagere."""
    if context is None or context.indicator is None or r.indicator is None or len(tokens) < 2:
        return
    word, used = _phrase(tokens, 0, vocab.followup_part)
    if not word:
        return
    while used < len(tokens) - 1 and tokens[used] in vocab.filler:
        used += 1  # (»og for de forsikrede ledige?«)
    value, _ = _phrase(tokens, used, vocab.breakdown_values)
    named, _ = _phrase(tokens, used, vocab.indicators)
    # (»og for forsikrede ledige?«: no figure's name, the figure implied by the part's own words; it
    # answered ledige på A-dagpenge after »aktiveringsgraden«)
    implied = named is None and not r.indicator_words
    if not value or (named != r.indicator and not implied) or (value[0] not in vocab.indicator_breakdowns.get(context.indicator, ())
                                             and f"{context.indicator}|{value[0]}" not in vocab.part_elsewhere
                                             and f"{context.indicator}|{value[0]}={value[1]}" not in vocab.part_elsewhere):
        # (a part another figure holds for it, `part_elsewhere`: »samtalehyppighed« … »og for sygemeldte?« is
        # samtaler pr. fuldtidsperson of the Sygemeldte, said; it answered sygedagpenge as if asked)
        return
    parts = vocab.indicator_parts.get(context.indicator, frozenset())
    if value not in parts and any(key == value[0] for key, _ in parts):
        # »og for fleksjob?« after sygedagpenge: its sources have no fleksjob part, so the figure
        # of that name is asked (it answered »ingen tal for sygedagpenge opdelt på ydelse (Fleksjob)«).
        return
    r.indicator = None
    r.breakdown[value[0]] = value[1]


def _one_short_period(request: PeriodRequest) -> bool:
    """Whether the period asked is one month or quarter (»i maj«, »i 2. kvartal«, »sidste måned«)."""
    if request.month is not None or request.quarter is not None:
        return request.relative is None
    if request.period is not None:
        return periods.parse(request.period).length < 12
    return request.relative in ("previous_month", "previous_quarter", "latest_quarter")


def _starts_followup(tokens: list[str], vocab: Vocabulary) -> bool:
    return bool(_followup_lead(tokens, vocab))


def _followup_lead(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """The words that make the question a follow-up (»tak, og hvad med«, »tilbage til«); [] if none."""
    start = 0
    while start < len(tokens) - 1 and tokens[start] in vocab.followup_openers:
        start += 1  # »tak, og hvad med …«, »ok og …«: the thanks does not start a new question
    used = next((n for n in (3, 2, 1) if " ".join(tokens[start:start + n]) in vocab.followup), 0)
    return tokens[:start + used] if used else []


def _moved_with(context: Query, period: PeriodRequest) -> PeriodRequest | None:
    """The base of a change asked before, moved as far as its period moved: after »2025 vs 2024«,
    »og året før?« is 2023 til 2024, not »2024 til 2024: samme niveau«; after »juli 2025 vs juli
    2026«, »hvad med juni?« is juni 2025 til juni 2026, not juli 2025 til juni 2026."""
    base = context.base
    if base is not None and base.period is not None and period.period is None and period.relative is not None \
            and not context.span and context.period_named:
        # »ledighed Q3 2025 vs Q3 2024« … »hvad med forrige kvartal?«: that quarter, not 3. kvt. 2024 til
        # 2. kvt. 2026 (the base kept, a change over seven quarters nobody asked)
        return None
    if context.span and base is not None and base.period is not None and period.period is not None \
            and context.period.period is not None and period.period != context.period.period:
        # »ledighed fra 2026« (januar–juli 2026) … »og samme periode sidste år?«: januar–juli 2025, the
        # span moved by the years its end moved (it gave »januar 2026 til juli 2025«, the start kept)
        before, now, then = periods.parse(context.period.period), periods.parse(period.period), \
            periods.parse(base.period)
        moved = (now.year - before.year) * 12 + now.start_month - before.start_month
        if moved % 12 == 0 and moved % then.length == 0:
            return PeriodRequest(period=str(then.shift(moved // then.length)))
    if base is None or base.period is None or period.period is None or context.period.period is None \
            or period.period == context.period.period or not context.period_named:
        return base  # (»siden juli 2025« … »og måneden før?«: still since juli 2025)
    before, now, then = periods.parse(context.period.period), periods.parse(period.period), periods.parse(base.period)
    if not before.length == now.length == then.length:
        return base
    steps = (now.year * 12 + now.start_month - before.year * 12 - before.start_month) // now.length
    return PeriodRequest(period=str(then.shift(steps)))


def _year_of_base(request: PeriodRequest, base: PeriodRequest | None, context: Query,
                  whole_year: bool) -> PeriodRequest:
    """A year named after a change from a month or quarter (»ledighed siden januar« … »og sidste år?«,
    »og i 2024?«): the same months of that year (januar 2025 til juli 2025). As the year's average
    it was set against januar of the year before (»januar 2024 til 2025: 112 flere«)."""
    if base is None or whole_year or context.period.period is None or base.period is not None or \
            (base.month is None and base.quarter is None):
        return request  # (a base with its own year, »siden 1. kvartal 2025«, keeps it)
    before = periods.parse(context.period.period)
    if before.length == 12:
        return request
    if request.period is not None and _YEAR.match(request.period):
        return PeriodRequest(period=str(periods.Period(int(request.period), before.start_month, before.length)))
    if request.relative in ("this_year", "last_year") and request.month is None and request.quarter is None:
        if before.length == 1:
            return PeriodRequest(month=before.month, relative=request.relative)
        return PeriodRequest(quarter=before.quarter, relative=request.relative)
    return request


def _shifted(request: PeriodRequest, context: Query, *, whole_year: bool = False) -> PeriodRequest:
    """A follow-up's period counted from the previous answer's period: "hvad med året før?"."""
    moves = {"year_before": -12, "year_after": 12, "period_before": -1, "period_after": 1,
             "quarter_before": -1, "quarter_after": 1}
    if context.period.relative == "first_months" and context.period.period is not None \
            and request.relative == "year_ago":
        # »ledighed år til dato« … »og samme periode sidste år?«: the same first months a year before
        # (»og året før?« stays the whole year before, as after »ledighed i år«)
        return replace(context.period, period=str(int(context.period.period[:4]) - 1))
    if request.relative == "year_ago" and context.period.period is not None:
        # »ledighed maj« … »samme måned sidste år?«, »og for et år siden?«: maj 2025, a year before
        # the month talked about (it answered the newest month a year back, juli 2025).
        request = PeriodRequest(relative="year_before")
    if request.relative == "months_ago" and request.months % 12 == 0 and context.period.period is not None:
        # »ledighed maj« … »og for 2 år siden?«: maj 2024, as »og for et år siden?« is maj 2025 (it
        # answered two years before the newest month)
        before = periods.parse(context.period.period)
        return PeriodRequest(period=str(periods.Period(before.year - request.months // 12, before.start_month,
                                                       before.length)))
    if context.period.period is None:
        if context.period == PeriodRequest(relative="this_year") and request.relative == "year_before":
            return PeriodRequest(relative="last_year")  # »ledighed i år« … »og året før?«: 2025
        return request  # the answer resolves it against the newest period
    before = periods.parse(context.period.period)
    if context.period_named and before.length < 12 and not whole_year and request.period is not None \
            and _YEAR.match(request.period):
        # "ledighed maj 2025" … "hvad med 2024?": maj 2024, as "og juni?" is juni 2025; it answered
        # 2024's average. (After "ledighed", whose newest month was shown, the year is the year.)
        return PeriodRequest(period=str(periods.Period(int(request.period), before.start_month, before.length)))
    if context.period_named and not context.newest_shown and before.length < 12 and not whole_year \
            and request.relative == "last_year" \
            and request.period is None and request.month is None and request.quarter is None:
        # »ledighed maj« … »og sidste år?«: maj sidste år, as »og 2024?« is maj 2024 (it answered
        # 2025's average); »og hele sidste år?« is the year
        return replace(request, month=before.start_month) if before.length == 1 else \
            replace(request, quarter=before.quarter) if before.length == 3 else request
    # "ledighed maj 2025" … "og juni?": the month (or quarter) of the year the talk is about,
    # not the newest June.
    if request.month is not None and request.relative is None:
        return PeriodRequest(period=str(periods.month(before.year, request.month)))
    if request.quarter is not None and request.relative is None:
        return PeriodRequest(period=str(periods.quarter(before.year, request.quarter)))
    if request.relative == "containing_year":  # »ledighed maj 2025« … »og hele året?«: 2025
        return PeriodRequest(period=str(before.year))
    if request.relative == "containing_quarter" and before.length <= 3:
        # "ledighed april 2026" … "hvad med kvartalet?": 2. kvt. 2026 (»kvartalet« was set aside)
        return PeriodRequest(period=str(periods.quarter(before.year, before.quarter)))
    if request.relative not in moves:
        return request
    if request.relative in ("quarter_before", "quarter_after"):
        return PeriodRequest(period=str(periods.quarter(before.year, before.quarter).shift(moves[request.relative])))
    steps = moves[request.relative]
    if abs(steps) == 12:
        moved = periods.Period(before.year + steps // 12, before.start_month, before.length)
    else:
        moved = before.shift(steps)
    return PeriodRequest(period=str(moved))


def _figure(text: str, vocab: Vocabulary) -> Query | None:
    """»figur 4.1«, »hvad viser figur 5.2?«, »faktaark figur 6.2«: the question about the figure's
    indicator (its part as the fact sheet draws it, 4.2 the seasonally adjusted rate), the rest of
    the words kept (»figur 4.1 for Herlev«); a number the fact sheet lacks is intent "figure".
    None when no figure is named. (»4.1« was »Det forstod jeg ikke: »4 1««.)"""
    tokens = tokenize(text)
    at = next((i for i in range(len(tokens) - 2) if tokens[i] in vocab.figure_words
               and tokens[i + 1].isdigit() and tokens[i + 2].isdigit() and len(tokens[i + 1]) == 1), None)
    if at is None:
        return None
    number = f"{int(tokens[at + 1])}.{int(tokens[at + 2])}"
    found = vocab.figures.get(number)
    if found is None:
        return Query(intent="figure", figure=number, page=int(tokens[at + 1]), text=text)
    indicator, breakdown, title, series, by = found
    # (»faktaark figur 6.2«: the fact sheet names where the figure is, not a question about sending it)
    rest = [t for j, t in enumerate(tokens) if not at <= j <= at + 2 and t not in vocab.reports]
    word = _indicator_word(indicator, vocab)
    # A bar chart's parts (4.1: the ledige by ydelse), as the figure shows them, where the question
    # splits by nothing itself; else the figure's indicator alone
    asked = _parse(" ".join([word, *rest]), vocab, None)
    if not isinstance(asked, Query) or asked.indicator != indicator:
        return None
    if by and asked.by is None:
        split = _parse(" ".join([word, *rest, "efter", fold(by)]), vocab, None)
        if isinstance(split, Query) and (split.intent, split.indicator, split.by) == (asked.intent, indicator, by):
            asked = split
    return replace(asked, breakdown=asked.breakdown or breakdown, figure=number, figure_title=title,
                   figure_series=series, figure_part=breakdown, text=text)


def _first(by: str | list[str]) -> str:
    """The first key of a figure's `by` (one key or a list)."""
    return by if isinstance(by, str) else (by[0] if by else "")


def _indicator_word(indicator: str, vocab: Vocabulary) -> str:
    """The shortest folded phrase that names `indicator` (its question word)."""
    return min((phrase for phrase, named in vocab.indicators.items() if named == indicator), key=len, default=indicator)


def parse(text: str, vocab: Vocabulary | None = None, context: Query | None = None) -> Query | NotUnderstood:
    """Parse a question. Never raises on user text; unknown words give a NotUnderstood.

    `context` is the previous question of the same conversation (its period the one answered):
    a follow-up such as "og i Aarhus?" keeps everything it does not name.
    """
    vocab = vocab or default_vocabulary()
    if (figure := _figure(text, vocab)) is not None:
        return figure
    parsed = _parse(text, vocab, context)
    if not isinstance(parsed, Query) or parsed.intent not in ("value", "change", "development"):
        return parsed
    tokens = tokenize(text)
    named = _named_months(tokens, vocab)
    if len(named) >= 3:
        # »ledighed januar, februar og marts« gave januar to februar with »marts« set aside: each month
        # listed (the words of the months no longer set aside)
        words = {tokens[i] for i, _ in named}
        unused = tuple(w for w in parsed.unused if not words & set(fold(w).split()))
        years = {tokens[i + 1] for i, _ in named if i + 1 < len(tokens) and _YEAR.match(tokens[i + 1])}
        period = PeriodRequest(period=years.pop()) if len(years) == 1 else PeriodRequest()
        return replace(parsed, intent="value", period=period, base=None, span=False, each="month",
                       each_months=tuple(month for _, month in named), unused=unused, other_periods=())
    for i in range(len(tokens)):
        each, used = _phrase(tokens, i, vocab.each_period)
        if each:
            # (»hvert kvartal« was set aside as not understood: the words are used now)
            words = set(tokens[i:i + used])
            # »måned for måned januar til juni 2026«: a range named without »fra« is read as the change
            # between its ends; with each period asked it is the span, as »fra januar til juni« is
            span = parsed.span or (parsed.intent == "change" and parsed.base is not None
                                   and (parsed.base.month is not None or parsed.base.quarter is not None))
            return replace(parsed, each=each, span=span,
                           unused=tuple(w for w in parsed.unused if fold(w) not in words))
    if context is not None and context.each and parsed.followup and parsed.indicator == context.indicator \
            and parsed.intent == context.intent:
        # »og i Herlev?« after »ledighed for hver måned i 1. kvartal 2026«: the months listed again
        # (it gave Herlev's quarter mean); the months named keep only with the period talked about
        months = context.each_months if parsed.period == context.period else ()
        if months or not context.each_months:
            return replace(parsed, each=context.each, each_months=months)
    return parsed


def _only_how_it_goes(tokens: list[str], vocab: Vocabulary) -> bool:
    """Whether the only words asking about targets ask how things go (»hvordan går det med de
    unge?«), not about a target itself (»… for at nå målet?«)."""
    i, going = 0, False
    while i < len(tokens):
        hit, used = _phrase(tokens, i, vocab.how_going)
        if hit:
            going, i = True, i + used
            continue
        if _phrase(tokens, i, vocab.intents)[0] == "target":
            return False
        i += 1
    return going


def _names_a_kommune(tokens: list[str], vocab: Vocabulary) -> bool:
    """Whether `tokens` name a kommune: DST codes it from 101 (hele landet is 000, the regions
    081–085)."""
    return any(_is_kommune(code) for i in range(len(tokens)) if (code := _phrase(tokens, i, vocab.areas)[0]))


def _named_months(tokens: list[str], vocab: Vocabulary) -> list[tuple[int, int]]:
    """The months named by name in a list (»januar, februar og marts«): (token index, month number),
    in the order named, each once; none when a month is named with a day or a week before it."""
    named: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        month = vocab.months.get(token)
        if month is None or (i > 0 and tokens[i - 1].isdecimal()):
            continue
        if month not in (m for _, m in named):
            named.append((i, month))
    return named


def _parse(text: str, vocab: Vocabulary, context: Query | None) -> Query | NotUnderstood:
    threshold, rest, unit = _threshold(text, vocab)
    typed = tokenize(rest)
    tokens = _source_question([word for token in typed for word in _uncompounded(token, vocab)], typed, vocab)
    if not tokens:
        return NotUnderstood(text=text, reason="empty")
    tokens, source = _named_source(_joined(tokens, vocab), text, vocab)
    if not tokens:
        return NotUnderstood(text=text, reason="empty")
    tokens = _genitives(tokens, vocab)
    if (social := _social(tokens, vocab)) is not None:
        return Query(intent=social, text=text)
    tokens = _to_now_as_since(_until_as_til(_without_courtesies(tokens, vocab), vocab), vocab)
    if not tokens:  # »på forhånd tak« alone: a thanks
        return Query(intent="thanks", text=text)
    whole_span = False
    if vocab.half_year & set(tokens):
        # »ledighed første halvår 2025« answered 2025's average with »halvår« set aside: easily
        # read as the half-year's figure. A half said (first or second) is its six months; one not
        # said (»sidste halvår«) is declined, with the quarters offered.
        if (as_months := _half_year_as_months(tokens, vocab)) is None:
            return _unmade_period(text, tokens, "half_year", vocab.half_year, vocab)
        tokens, whole_span = as_months, True
    if vocab.season & set(tokens):
        return _unmade_period(text, tokens, "season", vocab.season, vocab)  # as a half-year: none is made
    if (undated := _undated_season(tokens, vocab)):
        return _unmade_period(text, tokens, "season", undated, vocab)
    if vocab.neighbours & set(tokens):
        first = next(i for i, t in enumerate(tokens) if t in vocab.neighbours)
        if not _names_a_kommune(tokens[first + 1:], vocab):  # (»hvor ligger Herlev i forhold til nabokommunerne«)
            return NotUnderstood(text=text, reason="neighbours")  # which kommuner they are is not known
        # »sammenlignet med naboerne Albertslund og Glostrup«: the kommuner named after the word are
        # the neighbours meant (it asked which kommuner they were, though they were named)
        tokens = [t for t in tokens if t not in vocab.neighbours]
    if vocab.similar & set(tokens):
        # »hvilken kommune ligner os mest«: the ranking of the figure before with »mest« as its order
        # (»kommunen med flest personer i fleksjob«); which kommuner are alike is not known either
        return NotUnderstood(text=text, reason="similar")
    if any(t in vocab.size and _phrase(tokens, i + 1, vocab.ranking_areas)[0] for i, t in enumerate(tokens)):
        return NotUnderstood(text=text, reason="size")  # »de 5 største kommuner«: nor is their size
    for i in range(len(tokens)):
        group, used = _phrase(tokens, i, vocab.area_groups)
        if group and _phrase(tokens, i, vocab.areas)[1] < used:
            # »ledighed i hovedstadsområdet«: no such area (it gave the configured kommune's figure)
            named = _as_typed(" ".join(tokens[i:i + used]), _original_words(text))
            return NotUnderstood(text=text, unknown=(named,), reason="area_group")
    if (opened := _open_period(tokens, vocab)) is not None:
        # »ledighed før 2023« answered 2023 (»før« named as not understood), »efter 2023« 2023 unsaid;
        # the examples ask the same figure (»sygedagpenge efter 2. kvartal« was offered »ledighed 2023«)
        word, rest = opened
        typed = _original_words(text, capitals=True)
        # (a number left, »12 måneder før maj«: the figure's name alone, not »12 måneder 2023«)
        plain = not any(t[:1].isdigit() for t in rest)
        return NotUnderstood(text=text, reason="open_period", unknown=(_original_words(text).get(word, word),),
                             asked=" ".join(typed.get(t, t) for t in rest) if plain else "",
                             indicator=None if plain else _read(rest, vocab).indicator)
    negated = _negated(tokens, vocab)
    if negated is not None and negated[1] != "korrektion":
        # »ledige uden dagpenge« answered the ledige on dagpenge (»uden« named as not understood)
        return NotUnderstood(text=text, reason="negated_part", unknown=(_original_words(text).get(negated[0],
                                                                                                    negated[0]),))
    tokens, composition = _without_composition(tokens, vocab)
    # »til nu« with no period before it (none named: »… og indtil nu?« after »ledighed maj«)
    to_now = any(_phrase(tokens, i, vocab.to_now)[0] for i in range(len(tokens)))
    if tokens and (context is None or context.indicator is None) \
            and _phrase(tokens, 0, vocab.how_went)[1] == len(tokens):
        # »hvordan er det gået?« alone: how things go, the targets' board (as »hvordan går det?«)
        return Query(intent="target", text=text)
    r = _read(tokens, vocab)
    r.span_whole = r.span_whole or whole_span
    r.composition, r.to_now = composition, to_now
    if r.aggregate and "development" in r.intents and not {"change", "why"} & r.intents and not r.moved_word \
            and r.base is None and r.period.is_latest and not r.window \
            and any(_phrase(tokens, i, vocab.twelve_months)[0] for i in range(len(tokens))):
        # »gennemsnitlig ledighed det seneste år«: the newest 12 months' mean against the 12 before,
        # as »… de sidste 6 måneder« (it gave the development, »gennemsnitlig« named as not understood)
        r.intents.discard("development")
        r.intents.add("change")
        r.base, r.span, r.recent_change = PeriodRequest(relative="months_ago", months=12), True, True
        r.moved_asked = False  # (the words named a span, not how the figure moved over it)
    if negated is not None:
        # »ikke sæsonkorrigeret ledighed«: the actual figures, not the seasonally adjusted series
        r.breakdown.pop("korrektion", None)
    if r.indicator in vocab.forecast_parts and "prognose" in r.breakdown:
        # »hvad siger Økonomisk Råd om beskæftigelsen«: a forecaster's figure for beskæftigelsen
        r.indicator, key, value = vocab.forecast_parts[r.indicator]
        r.breakdown.setdefault(key, value)
    page = next((int(after) for before, after in pairwise(tokens)
                 if before in vocab.page_words and after.isdigit() and len(after) == 1), 0)
    if r.indicator is None and page:
        # »hvad står der på faktaark side 5«, »hvilke figurer er på side 4«: that page's figures (it
        # told when the fact sheet is sent, or was not understood)
        return Query(intent="vocabulary", page=page, text=text)
    if r.indicator is None and not vocab.reports.isdisjoint(tokens):
        # »send mig månedsoverblikket«, »vis faktaarket«: when and to whom they come (they were not
        # understood, with unrelated figures suggested)
        return Query(intent="help", topic="reports", text=text)
    r.threshold = threshold
    if unit and not r.wants_rate:  # »under 3 pct« of ledige: of ledighedsprocenten
        r.wants_rate, r.rate_word = True, unit
    if threshold and r.area_kind and r.order is None:
        # »hvor mange kommuner har en ledighed under 3 pct«: listed from the lowest, as asked; a
        # count by its count (»over 1.000 ledige«), a share by its share
        share = r.wants_rate or r.indicator in vocab.percentages
        below = threshold[0] in ("<", "<=")
        r.order = ("low" if below else "high") if share else ("fewest" if below else "most")
    _in_time_order(r)
    if "development" in r.intents and r.base is None and _one_short_period(r.period) \
            and not vocab.moved.isdisjoint(tokens) and not r.order and not r.area_kind:
        # »faldt ledigheden i maj?«: from april to maj (it answered »fra maj 2025 til maj 2026 steget
        # med 89«, though it fell by 34 in May); over a year (»steget det seneste år«) the development
        r.intents.discard("development")
        r.intents.add("change")
        r.base = PeriodRequest(relative="period_before")
    still_unknown = _guess_misspellings(r, vocab)
    if r.indicator in vocab.percentages or ({"change", "development"} & r.intents and r.indicator is not None):
        # »hvor stor en andel af befolkningen er offentligt forsørget«: the figure is that share;
        # »hvor mange procent er ledigheden steget«: a change of a count is given in pct. too
        still_unknown = [w for w in still_unknown if w not in vocab.rate_words]
    if r.indicator is not None and r.indicator not in vocab.new_figures and "freshness" not in r.intents:
        # »nye ledige« gave all ledige without a word: the newcomers are not that figure
        r.unused.extend(t for i, t in enumerate(tokens) if t in vocab.new_words
                        and tokens[i + 1:i + 2] not in (["tal"], ["tallene"]))  # (»nye tal for …«: figures)
    _difference_between(tokens, r, vocab)
    listed = r.indicator is not None and not vocab.list_words.isdisjoint(tokens)
    if "figure_list" in r.intents:
        # »giv mig en liste«: the figures one can ask about; with a figure named, »oversigt over
        # sygedagpenge« its development and »listen over ledighed« the kommuner in order (both gave
        # the list of every figure, the figure named passed over)
        r.intents.discard("figure_list")
        if r.indicator is None and "target" not in r.intents:
            r.intents.add("vocabulary")
        elif not listed:
            r.intents.add("overview")  # (»oversigt over målene«: the targets' board)
    if listed:
        r.order = r.order or "place"
        if r.compare == [NATIONAL] and r.area_kind is None and not r.comparing:
            # »hvor ligger Ballerup på listen over ledighed i landet«: the list is of the country's
            # kommuner, not Ballerup beside hele landet's own figure
            r.compare, r.area_kind = [], "kommune"
    if "overview" in r.intents:
        # »giv mig et overblik«, »hvordan står det til«: the targets' status (the board); with a
        # figure named (»overblik over ledigheden«) its development.
        r.intents.discard("overview")
        r.intents.add("development" if r.indicator is not None else "target")
    if r.comparative and r.base is None:
        r.intents.discard("change")  # "flere langtidsledige end os" beside "kommuner": a level, ranked
    if ("definition" in r.intents or _glossary_lead(tokens, vocab)) and (term := _term(tokens, r, vocab)):
        return Query(intent="definition", indicator=r.indicator, term=term, text=text)
    if (also := _two_definitions(tokens, r, vocab)):
        return Query(intent="definition", indicator=r.indicator, also=also, text=text,
                     term=next((t for w in r.other_figures if (t := vocab.glossary.get(_fold(w)))), ""))
    # »hvad skal der til?«: read only of a question about targets (a scan of the words)
    r.needed = "target" in r.intents and any(_phrase(tokens, i, vocab.needed)[0] for i in range(len(tokens)))
    # »hvor mange procent er vi fra målet?«: the percent is the gap's, as the target line computes it
    # (pct.-point of a rate, pct. of a count against its målsti); after »sygedagpenge« it opened with
    # »Tallet opgøres ikke i procent«, and after »ledige« it would have switched to the rate
    if "target" in r.intents and r.wants_rate and not (r.share or r.of_population) \
            and (r.needed or any(_phrase(tokens, i, vocab.gap_words)[0] for i in range(len(tokens)))):
        r.gap, r.wants_rate = True, False
    if r.needed and r.base is None and r.period.is_latest:
        # »hvor mange flere sygemeldte end målet«: »flere … end« is against the target, not a change
        # from a year before (»33 flere end i 2. kvt. 2025« came above the target's line)
        r.intents.discard("change")
    _part_of_context(tokens, r, context, vocab)
    if context is not None and context.intent == "ranking" and r.order is None and tokens \
            and _phrase(tokens, 0, vocab.place_followup)[1] == len(tokens):
        r.order = "place"  # »hvilke kommuner har lavest ledighed« … »hvor er vi?«: our place in that list
        r.place_asked = True
    _moved_most(tokens, r, vocab, followed=context is not None and context.indicator is not None)
    if r.order in EXTREMES and not r.window and r.span and r.base is not None and r.period.is_latest \
            and r.base.relative == "months_ago" and r.area_kind is None and not (r.compare or r.moved_word):
        # »hvornår var ledigheden højest i de sidste 2 år«: the own series over them, as »i 2 år« (it
        # looked at the whole series, the span passed over unsaid; »er ledigheden den højeste i de
        # sidste 2 år« was declined as a ranking of changes)
        r.window, r.base, r.span = r.base.months, None, False
        r.intents.discard("change")
    asked_when = r.peaked or bool(r.window) or any(_phrase(tokens, i, vocab.when)[0] or _phrase(tokens, i, vocab.own_series)[0]
                                 for i in range(len(tokens)))
    if r.order in EXTREMES and r.area_kind is None and not r.areas[1:] and (not r.compare or asked_when) and (
            asked_when or (context is not None and context.extreme and r.indicator is None)):
        # »hvornår var ledigheden højest« (and »og lavest?« after it): when the own series peaked,
        # not which kommune is highest
        r.extreme, r.order = EXTREMES[r.order], None
        r.intents.add("development")
        r.extreme_year = any(_phrase(tokens, i, vocab.when_year)[0] for i in range(len(tokens))) if asked_when \
            else context.extreme_year
    if r.order in EXTREMES and r.area_kind is None and r.extreme is None \
            and len(r.areas) + len(r.compare) + r.own_first + r.compare_own >= 2:
        # »hvem har højest ledighed af os og Herlev«: those areas compared, the answer saying which is
        # higher (it ranked the 98 kommuner, Herlev passed over unsaid)
        r.order = None
    if r.window_words and r.extreme is None:
        r.unused.append(r.window_words)  # (»hvilke kommuner har den højeste ledighed i 5 år«: not made)
    if r.own_series_word and r.extreme is None:
        r.unused.append(r.own_series_word)  # (»hvilke kommuner har den højeste ledighed nogensinde«: not made)
    if threshold is not None and asked_when and r.area_kind is None and r.extreme is None and r.period.is_latest \
            and (r.last_words or any(t in vocab.last_time for t in tokens)):
        # »hvornår var ledigheden sidst under 7 pct«: the newest period the level held (it answered the
        # newest figure yes or no, »sidst« named as not understood); looked for up to the newest figure
        # only (»… sidst under 3 pct i 2025« keeps »sidst« named as not understood)
        r.last_held = True
    elif r.as_now and threshold is None and asked_when and r.area_kind is None and r.extreme is None \
            and r.period.is_latest and (r.last_words or any(t in vocab.last_time for t in tokens)):
        # »hvornår var ledigheden sidst så lav«: the newest period before the newest at or below its value
        r.last_held, r.as_now = True, vocab.as_now[r.as_now]
    elif r.last_words:
        r.unused.append(r.last_words)
    if r.as_now and not r.last_held:
        r.unused.append(r.as_now)  # (»så lav« without »hvornår … sidst«: not made)
        r.as_now = ""
    _judged(r)
    if r.area_kind and r.order is None and r.comparing and not r.compare and r.threshold is None:
        # »ledighed sammenlignet med andre kommuner«: the own place among them (it listed the five
        # with the most ledige, said to have no rate to compare on)
        r.order = "place"
    named_something = bool(r.composition or r.areas or r.compare or not r.period.is_latest or r.base or r.intents
                           or r.wants_rate or r.breakdown or r.by or r.order or r.area_kind or r.own_region
                           or r.compare_own or r.own_asked or r.verdict)
    # »er det eksempeldata?«, »hvor kommer tallet fra?« after a figure ask about that figure's sources;
    # »hvornår er tallene opdateret« about all of them.
    this_figure = "freshness" in r.intents and not {"help", "vocabulary"} & r.intents \
        and not vocab.this_figure.isdisjoint(tokens)
    # »fleksjob« … »hvordan går det med målene?«, »status på målene i Albertslund?«: every target (the
    # board), not the figure before's (it gave fleksjob's own target line, in Albertslund its figure)
    every_target = r.indicator is None and "target" in r.intents \
        and any(_phrase(tokens, i, vocab.all_targets)[0] for i in range(len(tokens)))
    followup = context is not None and context.indicator is not None and not every_target and (
        _starts_followup(tokens, vocab) or (r.indicator is None and named_something)
    ) and (this_figure or not ({"help", "vocabulary", "freshness"} & r.intents and r.indicator is None))
    if followup:
        # (»tilbage til Ballerup«: »tilbage« is no figure's word, but it says the talk goes on)
        lead = set(_followup_lead(tokens, vocab))
        followed = _follow(text, r, [w for w in still_unknown if w not in lead], context, vocab)
        return replace(followed, source_asked=source) if source and isinstance(followed, Query) else followed
    if r.open_start and r.base is None:
        typed = _original_words(text, capitals=True)
        first, after = r.open_start_at
        return _unstarted_span(text, r, " ".join(typed.get(t, t) for t in tokens[:first] + tokens[after:]))
    if "target" in r.intents and r.indicator is None and r.breakdown and _only_how_it_goes(tokens, vocab):
        # »hvordan ser det ud med de unge?«, »hvordan går det med de unge?«: a part with no figure is
        # read as the part alone (which figure is asked), not as the targets' board, »de unge« unsaid
        r.intents.discard("target")
    if "korrektion" in r.breakdown and r.indicator in vocab.rates and r.indicator_words in vocab.adjusted_rate:
        # »ledigheden sæsonkorrigeret«, »sæsonkorrigerede ledighed«: the seasonally adjusted rate, as
        # »sæsonkorrigeret ledighed« is; it gave the count of ledige, said to have no adjusted series.
        r.indicator = vocab.rates[r.indicator]
    if r.wants_rate:
        if r.indicator in vocab.rates:
            r.indicator = vocab.rates[r.indicator]
        elif r.indicator is not None and r.indicator not in vocab.percentages:
            r.unused.append(r.rate_word)
    if r.indicator is None and r.breakdown:
        # "hvor mange er på førtidspension": a part with no figure, read from the figure that has it
        # (»kom i job« afgangsraten's; »hvor mange job er der« not: see `value_figure_words`); with
        # other parts named (»a-dagpenge kvinder«, not understood) those are asked of that figure.
        figures = {vocab.value_figures[f"{k}={v}"] for k, v in r.breakdown.items() if f"{k}={v}" in vocab.value_figures
                   and ((words := vocab.value_figure_words.get(k)) is None or not words.isdisjoint(tokens))}
        figure = next(iter(figures), None)
        if len(figures) == 1 and (len(r.breakdown) == 1 or not still_unknown or set(r.breakdown) <= set(
                vocab.indicator_breakdowns.get(figure, ()))):
            # (»hvor stor en andel af de ledige er på dagpenge« is read before: a share of ledige)
            still_unknown = _read_from_figure(r, figure, still_unknown, vocab)
    if r.indicator_part and r.indicator is not None and not r.parts:
        # »hvor mange går fra sygedagpenge til job«: »sygedagpenge« is a part of the figure the other
        # part (status=Job) is read from, afgangsraten (figure 7.2); it answered sygedagpenge mv. with
        # »ingen tal … opdelt på status efter forløbet (Job)«.
        for key, value in list(r.breakdown.items()):
            figure = vocab.value_figures.get(f"{key}={value}")
            words = vocab.value_figure_words.get(key)
            if figure and figure != r.indicator and key != r.indicator_part[0] \
                    and key not in vocab.indicator_breakdowns.get(r.indicator, ()) \
                    and (words is None or not words.isdisjoint(tokens)) \
                    and r.indicator_part[0] in vocab.indicator_breakdowns.get(figure, ()):
                r.indicator = figure
                r.breakdown.setdefault(*r.indicator_part)
                still_unknown = [w for w in still_unknown if w not in (words or ())]  # (»kom«: used)
                break
    if r.indicator_part and not r.parts and r.breakdown.get(key := r.indicator_part[0], r.indicator_part[1]) \
            != r.indicator_part[1] and (key, r.breakdown[key]) not in vocab.indicator_parts.get(r.indicator, ()):
        # »dagpenge og kontanthjælp«: two ydelser, one of them also a figure's name; both listed from
        # the figure that has both (it answered kontanthjælpsmodtagere in all, A-dagpenge said missing)
        figure = vocab.value_figures.get(f"{key}={r.breakdown[key]}")
        if figure and r.indicator_part in vocab.indicator_parts.get(figure, ()):
            both = [r.breakdown[key], r.indicator_part[1]]
            r.indicator, r.parts[key] = figure, both[::-1] if r.indicator_part_first else both
    compared_place = _compared_place(r, vocab)
    intent = _intent(r, r.indicator is not None)
    if _ranks_a_change(intent, r, vocab):
        return NotUnderstood(text=text, reason="ranking_change")
    assumed = False
    if (intent == "ranking" or compared_place) and r.indicator is None and not still_unknown:
        r.indicator, assumed = vocab.default_ranking, True  # "hvor ligger Ballerup blandt kommunerne"
    if r.indicator is None and intent not in GENERAL_INTENTS:
        if _starts_followup(tokens, vocab) and not still_unknown:
            return NotUnderstood(text=text, reason="no_context")
        if not still_unknown and (r.intents & _FIGURE_INTENTS or r.composition):
            # »hvorfor?«, »vis det som graf« with no figure in the talk: ask which one; it was »Det
            # forstod jeg ikke« with three figures suggested for the words »vis« and »graf«.
            return NotUnderstood(text=text, reason="no_figure")
        if not still_unknown and (r.areas or not r.period.is_latest):
            # »Ballerup«, »maj«, »2025« alone: which figure for it (it was »Det forstod jeg ikke« with
            # three figures suggested for the spelling of »ballerup«); the examples carry the words
            # that named it, as typed (»er der tal for august«: »august«, not the whole question)
            typed = {fold_letters(word.casefold()).replace("_", ""): word
                     for word in _TOKEN.findall(text[:MAX_QUERY_LENGTH])}  # (as typed, capitals kept)
            named = " ".join(typed.get(t, t) for t in tokens if t not in vocab.filler and t not in vocab.intents)
            return NotUnderstood(text=named or text, reason="which_figure")
        return NotUnderstood(text=text, suggestions=suggest(still_unknown or tokens, vocab),
                             unknown=tuple(_original_words(text).get(w, w) for w in still_unknown))
    status = _target_status(tokens, vocab) if intent == "target" and r.indicator is None else ""
    if context is not None and context.area and intent != "ranking" and not _names_area(r):
        # »ledighed i Herlev« … »fleksjob«: a question in the same conversation that names no area
        # keeps the area of the one before, as »jobafklaring« (a part, read as a follow-up) did; it
        # went back to the configured kommune. »hos os« or »tilbage til Ballerup« names one.
        r.areas = [context.area]
    query = _query(text, intent, r, still_unknown, vocab, assumed=assumed, status=status)
    if source:
        query = replace(query, source_asked=source)
    return replace(query, when_met=True) if intent == "target" and asked_when and isinstance(query, Query) else query


def _names_area(r: _Reading) -> bool:
    """Whether the question names an area in any way: by name, as compared, as »os« or »regionen«, or
    as kommuner in general (a ranking or a count of them)."""
    return bool(r.areas or r.compare or r.own_region or r.own_asked or r.own_first or r.compare_own
                or r.area_kind)


def _moved_most(tokens: list[str], r: _Reading, vocab: Vocabulary, followed: bool = False) -> None:
    """»hvornår steg ledigheden mest«, »største stigning i ledigheden«, »hvornår faldt antallet af ledige
    mest«: the own series' biggest rise (or fall) from one period to the next. It gave the peak level
    (»højest i marts 2026«), a fall too, and »største stigning« was declined as a ranking of kommuner.
    Said of »ledigheden« the rate moved (pct.-point), of »ledige« the count, as »ledigheden
    sæsonkorrigeret« is the rate. `followed`: a follow-up, whose figure may be the question before's
    (»hvornår steg det mest?« gave the peak level)."""
    up, down = not vocab.moved_up.isdisjoint(tokens), not vocab.moved_down.isdisjoint(tokens)
    named = r.indicator is not None or followed
    if r.order in ("low", "fewest") and (up or down) and r.area_kind is None and named:
        # »hvornår steg ledigheden mindst«: no smallest rise is made; the low that is answered says
        # the word it did not use (it gave »lavest i juli 2022« unsaid)
        r.unused.extend(t for t in tokens if t in vocab.moved_up or t in vocab.moved_down)
        return
    if r.order not in ("high", "most") or up == down or r.area_kind is not None or r.areas[1:] \
            or any(_phrase(tokens, i, vocab.where_asked)[0] for i in range(len(tokens))) \
            or not named or r.base_compared or r.threshold is not None:
        return
    r.extreme, r.order, r.moved_most = ("high" if up else "low"), None, True
    r.intents.discard("change")
    r.intents.add("development")
    r.extreme_year = any(_phrase(tokens, i, vocab.when_year)[0] for i in range(len(tokens)))
    if r.span and r.base is not None and r.base.relative == "months_ago" and r.period.is_latest:
        # »hvornår steg ledigheden mest de sidste 2 år«: over those years' months, as »højest i 2 år«
        r.window, r.base, r.span = r.base.months, None, False
    if r.indicator_words in vocab.adjusted_rate and r.indicator in vocab.rates and not r.breakdown:
        r.indicator = vocab.rates[r.indicator]


def _target_status(tokens: list[str], vocab: Vocabulary) -> str:
    """»hvilke mål er vi bagud på«: the state the targets listed are asked in ("behind", "on_track"),
    or "" (every target). It showed every target, those on track among the ones asked about."""
    if not any(_phrase(tokens, i, vocab.which)[0] for i in range(len(tokens))):
        return ""
    status = next((found for i in range(len(tokens)) if (found := _phrase(tokens, i, vocab.target_status)[0])), None)
    if status is None:
        # »hvilke mål er vi bgud på«: a misspelt state word, as a misspelt figure is taken as meant
        status = next((found for t in tokens if t not in vocab.filler and t not in vocab.intents
                       and (found := _fuzzy(t, vocab.target_status, FUZZY_ACCEPT + 4))), None)
    if status is None:
        return ""
    return "behind" if status == "on_track" and "ikke" in tokens else str(status)


def _negated(tokens: list[str], vocab: Vocabulary) -> tuple[str, str] | None:
    """A word leaving a part, a figure or an area out (»uden dagpenge«, »ikke i job«, »uden Ballerup«,
    »ikke sæsonkorrigeret«): the word and the key of the part left out ("" for a figure, "area" for
    an area); None when there is none."""
    if vocab.negation.isdisjoint(tokens):
        return None
    named = set()  # the words of a name: »ikke-vestlige«, »ungeledighed uden aktivitetsparate«
    for k in range(len(tokens)):
        used = max(_phrase(tokens, k, vocab.breakdown_values)[1], _phrase(tokens, k, vocab.indicators)[1])
        named.update(range(k, k + used))
    for i, token in enumerate(tokens):
        if token not in vocab.negation or i in named:
            continue
        if token == "ikke":
            # »ikke« leaves out only a part right after it (»hvor mange er ikke i job«, »ledige ikke på
            # dagpenge«): elsewhere it belongs to the verb (»hvorfor falder ledigheden ikke i Ballerup«,
            # »hvilke mål når vi ikke for sygedagpenge«, »er det ikke ledigheden, der stiger«)
            j = i + 1 + (tokens[i + 1:i + 2] in (["i"], ["på"], ["paa"]))
            part = _phrase(tokens, j, vocab.breakdown_values)[0] if j < len(tokens) else None
            if part and (part[0] == "korrektion" or not _phrase(tokens, j, vocab.indicators)[0]):
                return token, part[0]  # (»ikke sæsonkorrigeret ledighed«: the part, though a figure's name)
            continue
        j = i + 1
        while j < len(tokens) and (tokens[j] in vocab.filler or tokens[j] == "fra"):
            j += 1  # »uden for Ballerup«, »bortset fra dagpenge«
        if j < len(tokens):
            part = _phrase(tokens, j, vocab.breakdown_values)[0]
            if part:
                return token, part[0]
            if _phrase(tokens, j, vocab.indicators)[0]:
                return token, ""
            if _phrase(tokens, j, vocab.areas)[0]:
                return token, "area"  # »ledighed uden Ballerup« answered Ballerup's
    return None


def _open_period(tokens: list[str], vocab: Vocabulary) -> tuple[str, list[str]] | None:
    """»før 2023«, »efter maj«: the word opening a period at one end, when a period follows it, and
    the question's other tokens (its figure and area, for the reply's examples)."""
    for i in range(len(tokens) - 1):
        word, used = _phrase(tokens, i, vocab.open_period)
        if word and (found := _period(tokens, i + used, vocab))[0] is not None:
            return " ".join(tokens[i:i + used]), tokens[:i] + tokens[i + used + found[1]:]
    return None


def _glossary_lead(tokens: list[str], vocab: Vocabulary) -> bool:
    """»hvad er en målsti«: the question is the lead words and a word of the glossary, nothing else."""
    _, used = _phrase(tokens, 0, vocab.glossary_lead)
    term, term_used = _phrase(tokens, used, vocab.glossary) if used else (None, 0)
    if not used:
        _, used = _phrase(tokens, 0, vocab.glossary_bare)
        term, term_used = _phrase(tokens, used, vocab.glossary_bare_terms) if used else (None, 0)
    return bool(term) and used + term_used == len(tokens)


def _term(tokens: list[str], r: _Reading, vocab: Vocabulary) -> str:
    """The word of the answers asked the meaning of (»hvad betyder målsti«), when no figure other
    than one of that name is asked: »hvad betyder ledighedsprocenten« stays the figure's definition."""
    for i in range(len(tokens)):
        term, _ = _phrase(tokens, i, vocab.glossary)
        if term and (r.indicator is None or _phrase(tokens, i, vocab.indicators)[0] == r.indicator):
            return str(term)
    return ""


def _social(tokens: list[str], vocab: Vocabulary) -> str | None:
    """»hej«, »mange tak«: a greeting or thanks with nothing asked ("thanks" wins); they were »Det
    forstod jeg ikke«. None when the question asks anything else."""
    if tokens[0] not in vocab.social and tokens[-1] not in vocab.social:
        return None
    if not all(t in vocab.social or t in vocab.filler for t in tokens):
        return None
    kinds = {vocab.social[t] for t in tokens if t in vocab.social}
    return "thanks" if "thanks" in kinds else "greeting"


def _to_now_as_since(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """A period named with »til nu« after it (»ledighed 2025 til nu«, »januar 2025 indtil nu«, »maj
    til i dag«) or »hidtil i« before it (»hidtil i 2026«) as »fra« and the period: the span from it
    to the newest, as »fra januar til nu« is read (»hidtil i« only before a year: »hidtil i maj« is
    May's). Read as the period alone (»nu« is also a word of the newest period, »hidtil« a filler),
    they gave 2025's average and januar 2025's figure. A period that is no named one (»i år til
    nu«: this year so far) keeps its words."""
    for j in range(len(tokens)):
        hit, used = _phrase(tokens, j, vocab.to_now)
        if not hit:
            continue
        after = tokens[j + used:]
        for k in range(max(0, j - 3), j):  # the longest period ending just before the words
            request, length = _period(tokens, k, vocab)
            if request is not None and k + length == j and _named_period(request):
                if k > 0 and tokens[k - 1] in vocab.span:  # »fra januar til nu«: a span already
                    return tokens[:j] + after
                start = k - 1 if k > 0 and tokens[k - 1] == "i" else k  # »ledighed i 2025 til nu«
                return tokens[:start] + ["fra"] + tokens[k:j] + after
        if after[:1] == ["i"] and len(after) > 1 and _YEAR.match(after[1]):
            request, _ = _period(after, 1, vocab)
            if request is not None and request.period == after[1]:
                # »hidtil i 2026«: its months so far (»hidtil i maj«, »… i 2. kvartal« are that month
                # and quarter, read as before: not the span from them to the newest)
                return tokens[:j] + ["fra"] + after[1:]
    return tokens


def _without_composition(tokens: list[str], vocab: Vocabulary) -> tuple[list[str], bool]:
    """The tokens without the words that ask what a figure is made of (»hvem er de«, »hvordan fordeler
    de sig«), and whether there were any (read as words, »hvem« asked a ranking and »fordeler« was not
    understood). A key named after them (»hvordan fordeler de sig på køn«) is still read as »på køn«."""
    for i in range(len(tokens)):
        hit, used = _phrase(tokens, i, vocab.composition)
        if hit:
            rest = tokens[i + used:]
            # (»… på køn«: as »fordelt på køn«, the key asked; »på« alone named no split)
            return tokens[:i] + (["fordelt"] if rest[:1] and rest[0] in _BY_LEADS else []) + rest, True
    for i, token in enumerate(tokens):
        closing = vocab.composition_around.get(token)
        if closing is None:
            continue
        end = len(tokens) - 1 if not closing else next(
            (j for j in range(i + 1, len(tokens)) if tokens[j] == closing), None)
        if end is None or (not closing and end != i):
            continue
        # »hvordan fordeler ledigheden sig«, »hvad består sygedagpenge af«, »hvordan er ledigheden fordelt«
        # (»… sig på ydelse«: »fordelt på ydelse«, the key asked)
        keyed = end > i and end + 1 < len(tokens) and tokens[end + 1] in _BY_LEADS
        kept = tokens[:i] + tokens[i + 1:end] + (["fordelt"] if keyed else []) + tokens[max(end, i) + 1:]
        return [t for t in kept if t not in vocab.composition_leads], True
    return tokens, False


def _unstarted_span(text: str, r: _Reading, asked: str = "") -> NotUnderstood:
    """»ledighed til og med maj«: from when is asked, with the question's span as the example (from
    the start of the end's year; a year from the year before; none before a januar with no year)."""
    end, start = r.period, None
    if end.period is not None:
        p = periods.parse(end.period)
        first = periods.Period(p.year, 1, p.length)  # (a year's: the year before)
        start = PeriodRequest(period=str(first if first != p else p.same_period_last_year()))
    elif end.month is not None and end.month > 1:
        start = PeriodRequest(month=1)
    elif end.quarter is not None and end.quarter > 1:
        start = PeriodRequest(quarter=1)
    return NotUnderstood(text=text, reason="open_start", asked=asked, start=start, end=end,
                         end_words=_as_typed(r.open_start, _original_words(text)),
                         indicator=None if asked else r.indicator)


def _until_as_til(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """»til og med«, »indtil«, »frem til«, »t.o.m.« right before a period as »til«, the end of a span,
    and »fra og med«, »f.o.m.« as »fra«, its start (»ledighed 2025 indtil 2026« answered 2026 with
    »2025« set aside, »ledighed til og med maj« and »… fra og med januar« that month alone). Before
    anything else the words stay (»frem til« a target is not a period's end)."""
    out, i = [], 0
    while i < len(tokens):
        for words, said in ((vocab.until, "til"), (vocab.from_on, "fra")):
            hit, used = _phrase(tokens, i, words)
            if hit and i + used < len(tokens) and _period(tokens, i + used, vocab)[0] is not None:
                out.append(said)
                i += used
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _is_kommune(code: str) -> bool:
    """Whether `code` is a kommune's DST code (from 101; hele landet is 000, the regions 081–085)."""
    return code.isdigit() and int(code) >= 101


def _named_period(request: PeriodRequest) -> bool:
    """Whether `request` names a period (»2025«, »januar 2025«, »maj«, »2. kvt. 2025«), not one
    counted from today (»i år«, »sidste måned«) or the newest."""
    return request.relative is None and (request.period is not None or request.month is not None
                                         or request.quarter is not None)


def _without_courtesies(tokens: list[str], vocab: Vocabulary) -> list[str]:
    """`tokens` without the courtesies of more than one word (»tusind tak«, »på forhånd tak«)."""
    kept, i = [], 0
    while i < len(tokens):
        found, used = _phrase(tokens, i, vocab.courtesy)
        if found:
            i += used
            continue
        kept.append(tokens[i])
        i += 1
    return kept


def _difference_between(tokens: list[str], r: _Reading, vocab: Vocabulary) -> None:
    """»forskellen på ledighed i Ballerup og Herlev« asks the gap between the two areas, not how
    Ballerup's figure moved in a year (which it answered, Herlev's level beside it); »forskellen på
    ledige og ledighedsprocent« names two figures, of which one is answered. With no base period and
    no other change word, such a »forskel« is not a change."""
    if "change" not in r.intents or r.base is not None or not (r.compare or r.compare_own or r.other_figures):
        return
    words = set(tokens)
    # »hvor mange flere ledige har Herlev end Ballerup«: the two areas' counts, not Herlev's change
    # over a year (which it answered, Ballerup beside it)
    counted = words & vocab.count_comparatives if (r.compare or r.compare_own) and "end" in words else set()
    if (words & vocab.difference or counted) and not any(
            vocab.intents.get(w) == "change" for w in words - vocab.difference - counted):
        r.intents.discard("change")
        r.count_gap = bool(counted)


def _two_definitions(tokens: list[str], r: _Reading, vocab: Vocabulary) -> tuple[str, ...]:
    """»forskellen på ledige og fuldtidspersoner« with no period, area or change asked: the figures'
    definitions (it answered ledige's newest value, the other figure set aside)."""
    if not r.other_figures or r.intents or r.base is not None or r.areas or r.compare or r.count_gap \
            or not r.period.is_latest or not vocab.difference.intersection(tokens):
        return ()
    return tuple(found for w in r.other_figures if (found := vocab.indicators.get(_fold(w))) and found != r.indicator)


# The words that say which half-year or season (»første halvår«, »i sommer«, »sidste halvår«), set
# aside with it when the rest of the question is offered back in the examples.
_HALF_FIRST = frozenset({"foerste", "1", "h1"})
_HALF_SECOND = frozenset({"andet", "anden", "2", "h2"})
_WHICH_PART = _HALF_FIRST | _HALF_SECOND | {"i", "om", "det", "dette", "denne", "hele", "sidste", "seneste", "forrige",
                                            "omkring", "efter", "mellem", "under"}  # (»efter sommerferien«)
_SEASONS = {"for": "spring", "som": "summer", "eft": "autumn", "vin": "winter",  # by the word's start
            "jul": "christmas", "paa": "easter"}


_HALF_MONTHS = {"first": ["januar", "til", "juni"], "second": ["juli", "til", "december"]}
_SAME_PERIOD_LAST_YEAR = ["samme", "periode", "sidste", "aar"]  # (folded: a `year_ago` phrase)


def _half_year_as_months(tokens: list[str], vocab: Vocabulary) -> list[str] | None:
    """»1. halvår 2026« as its months, »januar til juni 2026« (read as one period: `span_whole`);
    »1. halvår 2026 vs 1. halvår 2025« as those months against »samme periode sidste år«. None when
    a half is not said to be the first or second (»sidste halvår«), or two halves are not the same
    half of two following years: declined as before."""
    halves = []  # (first token, end, which half, year as typed or "")
    for at in (i for i, token in enumerate(tokens) if token in vocab.half_year):
        start = at
        while start > 0 and tokens[start - 1] in _WHICH_PART:
            start -= 1
        which = set(tokens[start:at + 1])
        part = "first" if which & _HALF_FIRST else "second" if which & _HALF_SECOND else ""
        end = at + 1 + (tokens[at + 1:at + 2] == ["af"])  # »første halvdel af 2025«
        year = tokens[end] if end < len(tokens) and _YEAR.match(tokens[end]) else ""
        if not part and year and which & {"sidste", "anden", "andet"}:
            part = "second"  # »sidste halvdel af 2025« (without a year »sidste halvår« is the newest: asked)
        if not part or (halves and halves[-1][0] == start):
            return None
        halves.append((start, end + bool(year), part, year))
    if len(halves) == 1:
        start, end, part, year = halves[0]
        rest = tokens[:start] + tokens[end:]
        if not year:  # »2026 første halvår«, »ledighed i første halvår i 2026«
            year = next((token for token in rest if _YEAR.match(token)), "")
            rest = [token for token in rest if token != year]
            start = min(start, len(rest))
        return rest[:start] + _HALF_MONTHS[part] + ([year] if year else []) + rest[start:]
    if len(halves) == 2:
        (start, end, part, year), (start2, end2, part2, year2) = halves
        if part != part2 or not year or not year2 or abs(int(year) - int(year2)) != 1:
            return None
        return tokens[:start] + _HALF_MONTHS[part] + [max(year, year2)] + tokens[end:start2] \
            + _SAME_PERIOD_LAST_YEAR + tokens[end2:]
    return None


def _unmade_period(text: str, tokens: list[str], reason: str, words: frozenset[str],
                   vocab: Vocabulary) -> NotUnderstood:
    """A half-year or a season, for which no figure is made: the question's other words and year,
    so that the reply's examples are the same question asked of months and quarters (they named
    »ledighed 1. kvt. 2025« whatever was asked: »sygedagpenge i sommer 2024«)."""
    at = next(i for i, token in enumerate(tokens) if token in words)
    start = at
    while start > 0 and tokens[start - 1] in _WHICH_PART:
        start -= 1
    which = set(tokens[start:at + 1])
    if reason == "half_year":
        part = "first" if which & _HALF_FIRST else "second" if which & _HALF_SECOND else ""
    else:
        part = _SEASONS.get(tokens[at][:3], "")
    since = ""
    if reason == "season" and start > 0 and tokens[start - 1] in vocab.span:
        # »ledighed siden sommerferien«: »siden juli«, but »fra juni til august« (not »siden juni til august«)
        since, start = tokens[start - 1], start - 1
    for until in (*vocab.until, "til"):
        ending = until.split()
        if reason == "season" and tokens[max(0, start - len(ending)):start] == ending:
            # »ledighed op til jul«, »… frem til sommer«: the month itself is offered (»ledighed til
            # december« asks from when, and »frem til juni til august« read as nothing)
            start -= len(ending)
            break
    rest = tokens[:start] + tokens[at + 1:]
    # (»mellem jul og nytår«: »og nytår« is of the holiday, not kept in the examples)
    rest = [token for i, token in enumerate(rest) if token not in vocab.season_beside
            and not (token == "og" and rest[i + 1:i + 2] and rest[i + 1] in vocab.season_beside)]
    if reason == "half_year" and words & set(rest):
        # »ledighed 1. halvår 2026 vs 1. halvår 2024«: the examples ask one half (they gave back
        # »ledighed vs 1 halvår 2024 1. kvt. 2026«)
        later = [i for i, token in enumerate(rest) if token in words]
        cut = {j for i in later for j in range(i - 3, i + 1) if j >= 0 and (j == i or rest[j] in _WHICH_PART)}
        cut |= {i + 1 for i in later if i + 1 < len(rest) and _YEAR.match(rest[i + 1])}
        rest = [token for i, token in enumerate(rest) if i not in cut and token not in vocab.compare]
    year = next((token for token in rest if _YEAR.match(token)), "")
    typed = _original_words(text, capitals=True)  # (»i Herlev«: the examples are the question given back)
    asked = " ".join(typed.get(token, token) for token in rest if token != year).strip()
    return NotUnderstood(text=text, reason=reason, asked=asked, year=year, part=part,
                         since=_as_typed(since, typed).lower())


def _undated_season(tokens: list[str], vocab: Vocabulary) -> frozenset[str]:
    """»jul« read as the holiday: no year or number right after it and no other month beside it
    (»jul 2026«, »jan-jul« stay juli). Empty when there is none."""
    found = set()
    for i, token in enumerate(tokens):
        if token not in vocab.season_undated:
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        near = [t for t in tokens[max(0, i - 2):i] + tokens[i + 1:i + 3] if t != token]
        if not after.isdigit() and not any(t in vocab.months and t not in vocab.season_undated
                                           and t not in vocab.season_beside for t in near):
            found.add(token)
    return frozenset(found)


def _as_typed(words: str, typed: dict[str, str]) -> str:
    """Folded words (»foerste kvartal«) as the user wrote them (»første kvartal«), word by word."""
    return " ".join(typed.get(word, word) for word in words.split(" "))


def _original_words(text: str, capitals: bool = False) -> dict[str, str]:
    """Folded token -> the word as typed, so an unused word is named as the user wrote it (in lower
    case; `capitals`: as written, »Herlev«, for a question given back)."""
    words = _TOKEN.findall(text[:MAX_QUERY_LENGTH] if capitals else text[:MAX_QUERY_LENGTH].casefold())
    return {fold_letters(word.casefold()).replace("_", ""): word for word in words}


def _query(text: str, intent: str, r: _Reading, still_unknown: list[str], vocab: Vocabulary, *,
           assumed: bool = False, followup: bool = False, ranked_before: bool = False, top: int | None = None,
           status: str = "") -> Query:
    indicator, ranked_from = r.indicator, None
    # (»ledighed kommunerne«, no order named: the default order, by the rate; it ranked the count of
    # ledige, said to have no rate to compare on). Only a follow-up to a ranking keeps that ranking's
    # count (»flest ledige« … »og hvor ligger vi?«); after a figure (»sammenlign ledigheden med
    # Albertslund« … »hvordan ligger vi i forhold til regionen?«) the place is by the rate, as alone.
    by_size = r.order in ("high", "low") or (r.order in ("place", "worst") and not ranked_before) \
        or (r.order is None and (r.top == ALL_AREAS or not ranked_before))  # »ledigheden i alle kommuner«: fairly, by the rate
    if intent == "ranking" and by_size and indicator in vocab.rates and not r.wants_rate:
        # Kommuner of different size compare fairly by their rate: "laveste ledighed" and "hvor
        # ligger vi på ledighed" rank ledighedsprocenten; "flest ledige" keeps the count, and so
        # does "og hvor ligger vi?" after it.
        indicator, ranked_from = vocab.rates[indicator], indicator
    # a span with no word of how the figure moved over it: its sum or, asked, its average
    span = r.span and (not r.moved_asked and intent == "change" or r.why_span and intent == "why") \
        and r.base is not None and not r.base_compared
    mean = r.aggregate or (span and r.span_whole and indicator not in vocab.flows)
    if r.aggregate and (r.period.period is None or periods.parse(r.period.period).length == 1) \
            and r.period.relative not in ("this_year", "last_year") and not span:
        if r.aggregate_word:  # (one carried over from the question before names no word here)
            r.unused.append(r.aggregate_word)  # an average needs a year or a quarter to average over
        mean = False
    if intent == "ranking" and r.areas == ["000"]:
        # "ligger vi over landet i ledighed": hele landet is under every ranking; as the area
        # asked about it took the configured kommune's place out of the answer. »hvor mange kommuner
        # har højere ledighed end landet« counts against hele landet (it counted against Ballerup).
        r.areas = []
        if r.comparative and r.count_asked:
            r.compare = ["000"]
    if intent == "ranking" and r.comparative and not r.areas and len(r.compare) == 1 \
            and r.compare[0] != NATIONAL:
        # »hvor mange kommuner har lavere ledighed end Herlev«: counted against Herlev, the area
        # after »end« (it counted those lower than the configured kommune, Herlev dropped unsaid)
        r.areas, r.compare = list(r.compare), []
    typed = _original_words(text)
    composition = r.composition and intent == "value" and indicator is not None
    splits = tuple(k for k in vocab.indicator_breakdowns.get(indicator or "", ()) if k not in vocab.unsplit_keys)
    # (»kontanthjælpsmodtagere« by visitationskategori are another figure's: named, not listed)
    split_elsewhere = tuple((k, vocab.part_elsewhere[f"{indicator}|{k}"][0]) for k in splits
                            if f"{indicator}|{k}" in vocab.part_elsewhere) if composition else ()
    if composition:
        splits = tuple(k for k in splits if k not in dict(split_elsewhere))
    only_parts: tuple[str, ...] = ()
    if r.parts and r.by is None:
        # two parts of one key named: listed by that key, those parts only, beside the figure's total
        r.by, named = next(iter(r.parts.items()))
        only_parts = tuple(dict.fromkeys(named))
        del r.breakdown[r.by]
    if (group := vocab.groups.get(indicator or "")) and r.breakdown.get(group[0]) == group[1]:
        del r.breakdown[group[0]]  # »ungeledigheden for de unge«: the whole figure is of the 18-29-årige
    breakdown = ";".join(f"{k}={r.breakdown[k]}" for k in sorted(r.breakdown))
    # a part's share of its figure: of the same figure's total, or of the figure a part figure is part of
    share_of = indicator if (r.share or r.share_carried) and breakdown and indicator not in vocab.percentages \
        and set(r.breakdown) <= set(vocab.indicator_breakdowns.get(indicator or "", ())) | {
            key.split("|", 1)[1].split("=", 1)[0] for key in vocab.part_figures if key.startswith(f"{indicator}|")} \
        else None
    # »er vi under landsniveau på samtaler« gave 1.125 beside hele landet's 118.492 with no word: a
    # level compared (not a percentage, whose gap is said) is judged as »er vi bedre end landet«
    level = bool(r.level_word) and indicator not in vocab.percentages
    verdict = (bool(r.verdict) or level) and intent == "value" and bool(r.compare or r.compare_own)
    if r.verdict and not verdict and not r.verdict_carried:
        # (»er det godt?« … »hvor er vi placeret?« named »bedre«, a word never typed, as not understood)
        r.unused.append(r.verdict)  # »bedre« with no area to be better than: not answered
    if share_of is not None and intent != "value":
        # »hvilke kommuner har den største andel af ledige på dagpenge«: no ranking or change of a share
        # is made (it ranked ledighedsprocenten on dagpenge, »andel« silently dropped): named as not used
        share_of = None
    parts = [figure for word in r.other_figures if (figure := vocab.indicators.get(_fold(word)))
             in vocab.share_parts.get(indicator or "", ())]
    if r.share and share_of is None and intent == "value" and not breakdown and len(set(parts)) == 1:
        # »hvor stor en andel af de ledige er langtidsledige«: that figure as a share of the whole named
        # (`share_parts`); it gave all ledige with »andel« and »langtidsledige« set aside
        share_of, indicator = indicator, parts[0]
        r.unused = [w for w in r.unused if w not in r.other_figures]
        r.other_figures = []
    if r.share and share_of is None and r.indicator not in vocab.percentages:  # (a share figure: the share asked)
        r.unused.append(r.share)  # »andel af befolkningen er ledige«: no part of it to give the share of
    within = [part for part in breakdown.split(";") if f"{indicator}|{part}" in vocab.part_figures] \
        if ";" in breakdown else []
    if (own := vocab.part_figures.get(f"{indicator}|{breakdown}")) is not None and intent != "ranking":
        # "hvor mange unge er ledige": ledige has no age parts, but »ledige unge« is that figure;
        # the answer said there were no figures for young ledige and gave all of them.
        indicator, breakdown = own, ""
    elif len(within) == 1 and intent != "ranking":
        # »ledighed for ikke-vestlige kvinder«: the ikke-vestlige ledige, by køn as asked (the answer
        # says where there are no such figures); it gave all ledige (805, not 166) with neither part
        indicator = vocab.part_figures[f"{indicator}|{within[0]}"]
        breakdown = ";".join(part for part in breakdown.split(";") if part != within[0])
    elif breakdown and any(figure == indicator and key.split("|", 1)[1] == breakdown
                           for key, figure in vocab.part_figures.items()):
        # "ledige unge under 30": the part is the figure itself (it said there were no figures for
        # ledige unge by age, 18-29 år, and gave »the total«: the same figure).
        breakdown = ""
    if r.period.month is not None and r.period.period is None and r.period.relative is None \
            and r.base is None and any(t in vocab.projection for t in tokenize(text)):
        # »hvad forventer vi i december for fleksjob«: the coming December, not the newest one with
        # figures (december 2025 was answered as if it were the month expected)
        r.period = replace(r.period, relative="coming")
    unsplit = tuple(_as_typed(w, typed) for w in still_unknown if w not in vocab.descriptive) \
        if intent == "value" and indicator is not None and not assumed and not (r.compare or r.compare_own) \
        and r.threshold is None and not r.other_figures else ()
    together = bool(r.together or r.together_carried) and intent == "value" and any(c != (r.areas[0] if r.areas else None)
                                                               for c in r.compare)
    if r.together and not together:
        r.unused.append(r.together)  # »tilsammen« of one area, or of a ranking: nothing to add up
    return Query(
        intent=intent, indicator=indicator, area=r.areas[0] if r.areas else None, period=r.period,
        breakdown=breakdown, by=_by_for(indicator, r.by, vocab), compare=tuple(dict.fromkeys(c for c in r.compare if c != (r.areas[0] if r.areas else None))), text=text,
        base=r.base, order=r.order or (("place" if r.areas else "high") if intent == "ranking" else None), top=r.top or top or DEFAULT_TOP, area_kind=r.area_kind or "kommune",
        own_region="within" if r.own_region and intent == "ranking" else
        ("compare" if r.own_region and r.areas else r.own_region), ranked_from=ranked_from, assumed_indicator=assumed,
        among_compared=r.among_compared and intent == "ranking",
        unused=tuple(dict.fromkeys(_as_typed(w, typed) for w in r.unused + still_unknown)),
        other_figures=tuple(dict.fromkeys(_as_typed(w, typed) for w in r.other_figures)), followup=followup,
        other_periods=tuple(dict.fromkeys(_as_typed(w, typed) for w in r.other_periods)),
        no_rate=tuple(_as_typed(w, typed) for w in (r.rate_word,) if r.wants_rate and w and w in r.unused
                      and indicator not in vocab.percentages and intent != "definition"),
        unused_phrases=_adjacent_runs(text, {w for w in r.unused + still_unknown if " " not in w}, typed),
        mean=mean, count_gap=r.count_gap, together=together, only_parts=only_parts, extreme=r.extreme,
        moved_most=r.moved_most,
        extreme_year=r.extreme_year, extreme_months=r.window if r.extreme else 0, compare_own=r.compare_own, threshold=r.threshold, last_held=r.last_held, level_now=r.as_now, finer=r.finer,
        of_population=r.of_population and indicator in vocab.percentages,
        of_whole=r.of_whole if indicator in vocab.percentages else "",
        count_of_rate=intent == "value" and r.count_asked and indicator in vocab.percentages and not (
            r.wants_rate or r.share or r.of_population or r.of_whole or r.threshold or share_of),
        narrowed=_narrowed(text, vocab),
        upcoming=intent == "freshness" and _upcoming(tokenize(text), vocab),
        # (»hvordan er vi i forhold til landet« of samtaler gave the two counts with no word either)
        verdict=verdict, comparable=vocab.compare_on.get(indicator or "", ())
        if verdict or ((r.placed or r.comparing) and intent == "value" and r.compare and not r.count_gap) else (),
        status=status, needed=r.needed, gap=r.gap, newest_shown=r.newest_shown,
        target_asked=intent != "target" and "target" in r.intents and not verdict, share_of=share_of,
        span=span, place_asked=r.place_asked and intent == "ranking",
        count_before_own=intent == "ranking" and r.comparative and r.count_asked,
        elsewhere=_elsewhere(r.indicator, r.breakdown, _by_for(indicator, r.by, vocab), vocab),
        unsplit=unsplit, composition=composition, split_elsewhere=split_elsewhere,
        splits=splits if unsplit or composition else (),
        split_figures=tuple((figure, key.split("|", 1)[1].split("=", 1)[0]) for key, figure in vocab.part_figures.items()
                            if key.startswith(f"{indicator}|")) if unsplit or composition else (),
        rate_offer=vocab.rate_offers.get(indicator or "") if intent == "value" and not (
            r.count_asked or r.wants_rate or r.compare or r.compare_own) else None,
    )


def _adjacent_runs(text: str, words: set[str], typed: dict[str, str]) -> tuple[str, ...]:
    """The runs of two or more of `words` next to each other in `text`, as typed: »ledige over 22
    uger« with »over«, »22« and »uger« not used -> (»over 22 uger«,). A comma or a full stop ends a run
    (»… helt præcist, hilsen Mette«)."""
    tokens = [token for clause in _CLAUSE_END.split(text) for token in [*tokenize(clause), ""]]
    runs, run = [], []
    for token in tokens:
        if token in words:
            run.append(token)
            continue
        if len(run) > 1:
            runs.append(_as_typed(" ".join(run), typed))
        run = []
    return tuple(dict.fromkeys(runs))


def _elsewhere(indicator: str | None, breakdown: dict[str, str], by: str | None,
               vocab: Vocabulary) -> tuple[str, str] | None:
    """The figure and part that hold the part asked of `indicator` where it has none of its own
    (»jobparate på kontanthjælp«: målgruppernes fuldtidspersoner, Jobparat on kontanthjælp), or the
    parts it is asked listed by (»kontanthjælpsmodtagere fordelt på visitationskategori«)."""
    for key in [*sorted(breakdown), *([by] if by else [])]:
        if key in breakdown and (found := vocab.part_elsewhere.get(f"{indicator}|{key}={breakdown[key]}")):
            # one part by another key (»aktiveringsgrad for sygemeldte«: ydelsen Sygedagpenge, said):
            # the key asked is replaced, not kept beside it
            figure, within = found
            parts = {k: v for k, v in breakdown.items() if k != key} | dict([within.split("=", 1)])
            return figure, ";".join(f"{k}={parts[k]}" for k in sorted(parts))
        if (found := vocab.part_elsewhere.get(f"{indicator}|{key}")) is not None:
            figure, within = found
            parts = {**breakdown, **(dict([within.split("=", 1)]) if within else {})}
            return figure, ";".join(f"{k}={parts[k]}" for k in sorted(parts))
    return None


def _upcoming(tokens: list[str], vocab: Vocabulary) -> bool:
    """»hvornår kommer de næste tal«: when the next figures come is asked (not where they come from)."""
    return any(_phrase(tokens, i, vocab.upcoming)[0] for i in range(len(tokens)))


def _narrowed(text: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """A word of the question that the figures hold only a narrower group of (»indvandrere«: the
    figures are of indvandrere og efterkommere fra ikke-vestlige lande), unless the question names
    that group itself (»ikke-vestlige«): the word naming the group and what to tell (`Answer.narrowed`
    tells it when the figure answered is of that group)."""
    tokens = tokenize(text)
    for word, (unless, note) in vocab.narrowed.items():
        if any(t.startswith(word) for t in tokens) and not any(unless in t for t in tokens):
            return unless, note
    return None


def _by_for(indicator: str | None, by: str | None, vocab: Vocabulary) -> str | None:
    """The key to list `indicator` by: the one asked, or its stand-in where the figure has only that
    ("aktiveringsgraden fordelt på målgrupper": målgrupperne are ydelserne there; målgruppe is the
    samtaler's own key)."""
    keys = vocab.indicator_breakdowns.get(indicator or "", ())
    if by is None or by in keys:
        return by
    other = vocab.by_stand_in.get(by)
    return other if other in keys else by


def _per_figure(text: str, words: str, figure: str | None, vocab: Vocabulary) -> str | None:
    """The figure »<figure> pr. <words>« names, when the follow-up says »pr. <words>« (»og pr.
    fuldtidsperson?« after samtaler: samtaler_pr_fuldtidsperson); None when it names none."""
    tokens = tokenize(text)
    if not words or figure is None or not any(
            f"{per} {words}" in " ".join(tokens) for per in vocab.per_words):
        return None
    for phrase, found in vocab.indicators.items():
        head, _, tail = phrase.partition(" ")
        if found != figure and vocab.indicators.get(head) == figure and tail.split(" ", 1)[0] in vocab.per_words \
                and tail.split(" ", 1)[-1] == words:
            return found
    return None


def _compared_place(r: _Reading, vocab: Vocabulary) -> bool:
    """»hvordan ligger vi i forhold til landet«: a place beside an area compared with is that
    comparison (the order dropped); True when it is."""
    compared_place = r.order == "place" and bool(r.compare) and r.area_kind is None
    if compared_place and not r.comparing and len(r.areas) == 1 and len(r.compare) == 1 \
            and vocab.area_regions.get(r.areas[0]) == r.compare[0]:
        # »hvor ligger Ballerup i Region Hovedstaden«: its place among the region's kommuner, as »i
        # regionen« is (it compared Ballerup with the region's own figure)
        r.compare, r.own_region, compared_place = [], "area", False
    if compared_place:
        # »hvordan ligger vi på ledighed i forhold til landet«: the comparison asked, not the 98
        # kommuner in order with hele landet under them
        r.order, r.placed = None, True
    return compared_place


def _judged(r: _Reading) -> None:
    """»er det godt?«, »er ledigheden høj?«: whether the level is good, which the figures cannot say
    alone; they say how it lies against hele landet (or the area named) and which does better."""
    if r.judged and not (r.intents or r.order or r.area_kind or r.base):
        r.verdict = r.verdict or r.judged
        if not (r.compare or r.compare_own or r.areas == [NATIONAL]):
            r.compare = [NATIONAL]
    elif r.judged_level:
        # (»ligger … højt« in a question read otherwise: the words named as not understood, as before)
        r.unused.extend([w for w in (r.level_verb,) if w and not r.comparing] + [r.judged])


def _read_from_figure(r: _Reading, figure: str, still_unknown: list[str], vocab: Vocabulary) -> list[str]:
    """Read the parts named with no figure from `figure`, which holds them (`value_figures`); returns
    the words still not understood."""
    r.indicator = figure
    # (»afgang til beskæftigelse«: »afgang« is what made the part afgangsraten's, so used)
    said = {w for k in r.breakdown for w in vocab.value_figure_words.get(k, ())}
    for key in list(r.breakdown):
        # »hvor mange aktivitetsparate«: the visitation is published within the kontanthjælp only
        implied = vocab.value_figure_parts.get(key)
        if implied is not None and implied[0] in vocab.indicator_breakdowns.get(figure, ()):
            r.breakdown.setdefault(*implied)
    return [w for w in still_unknown if w not in said]


def _part_held_elsewhere(r: _Reading, context: Query, tokens: list[str], vocab: Vocabulary) -> str | None:
    """The figure holding the parts a follow-up names with no figure, where the figure before holds
    none of them (`value_figures`, as a question alone reads them), else None."""
    if r.indicator is not None or not r.breakdown or context.indicator is None:
        return None
    held = vocab.indicator_parts.get(context.indicator, frozenset())
    if any(part in held for part in r.breakdown.items()):
        return None
    figures = {vocab.value_figures[f"{k}={v}"] for k, v in r.breakdown.items() if f"{k}={v}" in vocab.value_figures
               and ((words := vocab.value_figure_words.get(k)) is None or not words.isdisjoint(tokens))}
    return next(iter(figures)) if len(figures) == 1 and next(iter(figures)) != context.indicator else None


def _follow(text: str, r: _Reading, still_unknown: list[str], context: Query,
            vocab: Vocabulary) -> Query | NotUnderstood:
    """A follow-up: what it names replaces that part of the previous question; the rest stays."""
    named_indicator = r.indicator is not None
    named_area = bool(r.areas)
    named_period = not r.period.is_latest or r.latest_named
    previous = context.ranked_from or context.indicator
    # (»ledighedsprocent« … »hvordan ligger vi i forhold til landet?« listed the 98 kommuner in
    # order with hele landet under them, as it did before a question alone)
    _compared_place(r, vocab)
    if named_indicator and (per := _per_figure(text, r.indicator_words, context.indicator, vocab)):
        # »samtaler« … »og pr. fuldtidsperson?«: samtaler pr. fuldtidsperson (figure 5.2), not the
        # figure fuldtidspersoner (målgrupperne: 1.794 on førtidspension) that »fuldtidsperson« names
        r.indicator = per
    adjusted = "korrektion" in r.breakdown and "korrektion" not in context.breakdown \
        and "korrektion" in vocab.indicator_breakdowns.get(vocab.rates.get(context.indicator or "", ""), ())
    if not named_indicator and (elsewhere := _part_held_elsewhere(r, context, tokenize(text), vocab)):
        # »ledighed maj« … »hvor mange er på førtidspension«: a part the figure before does not hold,
        # held by another figure, is a question of that figure, as asked alone (it answered all ledige
        # with »ingen tal for ledige opdelt på ydelse (Førtidspension)«)
        still_unknown, named_indicator = _read_from_figure(r, elsewhere, still_unknown, vocab), True
    if not named_indicator:
        # (»ledighed maj« … »og sæsonkorrigeret?«: the adjusted rate, as »ledigheden sæsonkorrigeret«)
        r.indicator = vocab.rates.get(previous, context.indicator) if r.wants_rate or adjusted else context.indicator
    elif r.wants_rate and r.indicator in vocab.rates:
        r.indicator = vocab.rates[r.indicator]
    if r.wants_rate and r.indicator not in vocab.percentages:
        # »i procent?« after »langtidsledige 2025«, which has no rate: it repeated the count unsaid.
        r.unused.append(r.rate_word)
    if r.threshold is None and not named_indicator:
        r.threshold = context.threshold  # »og i Herlev?« after »er ledigheden under 3 pct«: the same level
        r.last_held = r.last_held or context.last_held  # … and after »hvornår … sidst under 3 pct« its date
        r.as_now = r.as_now or context.level_now  # (»… sidst så lav«: the level of that area's newest)
    if not named_indicator:
        # »og i Herlev?« after a share (»andel af de ledige på dagpenge«) or a verdict (»er vi bedre
        # end landet«): the same asked of Herlev (it gave the part alone, the figures without a word)
        r.share_carried = not r.share and context.share_of is not None
        r.verdict_carried = not r.verdict and context.verdict
        r.verdict = r.verdict or ("bedre" if context.verdict else "")
        r.placed = r.placed or bool(context.comparable)  # (»og Albertslund?«: still beside the figure that compares)
    if not named_area and "target" in r.intents and not (r.own_region or r.compare):
        tokens = tokenize(text)
        # »sygedagpenge« … »og landet?« … »hvorfor er vi bagud?«, »når vi målet?«: »vi« is the kommune
        # whose targets they are (it answered for hele landet, which has none, with »ikke sat noget mål«)
        r.own_asked = r.own_asked or any(_phrase(tokens, i, vocab.own_area)[0] for i in range(len(tokens)))
    if not named_area and context.intent == "ranking" and r.order == "place" and not r.own_asked:
        # »hvor ligger Herlev?« … »hvor er vi placeret?«: »vi« is the own kommune (Herlev was answered again)
        tokens = tokenize(text)
        r.own_asked = any(_phrase(tokens, i, vocab.own_area)[0] for i in range(len(tokens)))
    if not r.areas and r.own_region != "area" and not r.own_first and not r.own_asked:
        # (»og regionen?« names the area, as »og i Aarhus?« does: not a region beside the one before)
        r.areas = [context.area] if context.area else []
    if not r.compare:
        r.compare = [code for code in context.compare if code not in r.areas]
        r.together_carried = not r.together and context.together
    elif r.judged and r.areas == r.compare:
        r.compare = []  # »ledighed i hele landet« … »er det godt?«: no area to compare with (said)
    # (»og nu?« after »og for et år siden?« asks the newest again: it repeated juli 2025)
    # »ledighed maj 2025« … »hvordan er udviklingen det seneste år?«: the newest twelve months, as the
    # question alone has them (it gave maj 2024 to maj 2025, the month before carried)
    newest_year = any(_phrase(words, i, vocab.twelve_months)[0] for words in [tokenize(text)]
                      for i in range(len(words)))
    if r.period.is_latest and not r.latest_named and not newest_year \
            and not (context.newest_shown and named_indicator and r.indicator != context.indicator):
        # »og for fleksjob?« after »hvad er målet for sygedagpenge« (2. kvt. 2026 shown) is
        # fleksjob's newest month, not 2. kvt. 2026's average beside a target line about July.
        # Carried on, the period is still the newest shown (»sygedagpenge« … »hvorfor?« … »og fleksjob?«).
        r.period, r.newest_shown = context.period, context.newest_shown
    if context.extreme_period and not named_indicator and r.period.relative == "year_before":
        # »hvornår steg ledigheden mest« (januar 2025) … »og året før?«: the year before the one
        # named, 2024 (it repeated the whole series' answer beside juli 2025)
        r.period = PeriodRequest(period=str(int(context.extreme_period[:4]) - 1))
    elif context.extreme_period and "why" in r.intents and not named_period and r.base is None:
        # »hvorfor?« after »steg mest i januar 2025«: what moved into januar 2025 (it gave juli 2026
        # against a year before); after »højest i marts 2026«, marts 2026 against a year before
        r.period = PeriodRequest(period=context.extreme_period)
        r.base = PeriodRequest(relative="period_before") if context.moved_most else None
    elif context.span and context.base is not None and "why" in r.intents and not named_period and r.base is None:
        # »gennemsnitlig ledighed 1. halvår 2026« … »hvorfor?«: the half against the same half a year
        # before (it explained juni 2026 against juni 2025 unsaid); »ledighed jan-jun 2026« (the change
        # from januar to juni) … »hvorfor?«: that change
        r.base, r.span, r.why_span = context.base, True, True
    if r.to_now and r.base is None and context.base is None and context.period_named and r.period.is_latest:
        # »ledighed maj« … »og indtil nu?«: from maj to the newest (it answered the newest alone)
        r.base, r.span = context.period, True
    if r.open_start and r.base is None and context.base is None:
        if not context.period_named:
            return _unstarted_span(text, r)
        # »ledighed maj« … »og til og med juli?«: from the month before to this one (it answered juli alone)
        r.base, r.span = context.period, True
    r.period = _shifted(r.period, context, whole_year=r.whole_year)
    if r.open_start and r.base is not None and r.base.period is not None and r.period.period is not None \
            and _starts(r.base.period) > _starts(r.period.period):
        r.base, r.period = r.period, r.base  # (»ledighed juli« … »og til maj?«: maj til juli, not backwards)
    # »og i 2024?«, »og i Aarhus?« after »gennemsnit samtaler 2025«: still the average asked
    r.aggregate = r.aggregate or context.mean
    if r.base is None and not r.intents:
        r.base = _moved_with(context, r.period)
        r.base_carried = r.base is not None
        # »samtaler siden januar« … »og i Albertslund?«: still the months added up (it gave the change)
        r.span = context.span and r.base is not None
        r.period = _year_of_base(r.period, r.base, context, r.whole_year)
    keys = vocab.indicator_breakdowns.get(r.indicator, ())
    # The parts before are kept for the keys not named now: »og kvinder?« after »ledige på
    # a-dagpenge« asks the women on A-dagpenge (A-dagpenge was dropped: all ledige answered).
    kept = dict(item.split("=", 1) for item in context.breakdown.split(";") if item)
    if r.breakdown:
        # »ledige kvinder« (no figures by køn: all ledige given) → »og for de unge?«: the young, not
        # the young women, whom there are no figures for either (it said so, with ledige_unge held);
        # »og i Herlev?« still carries »kvinder«, and its answer says again that there are none
        unheld = set(context.unheld.split(";"))
        kept = {k: v for k, v in kept.items() if f"{k}={v}" not in unheld}
    # (»og fordelt på ydelse?« lists every ydelse, not A-dagpenge alone)
    r.breakdown = {**{k: v for k, v in kept.items() if k in keys and k not in r.parts and k != r.by},
                   **r.breakdown}
    if r.by is None and context.by in keys and context.by not in r.breakdown:
        # (»og over 50?« after a listing by age lists its two groups: `_query` reads `r.parts`)
        r.by = context.by
    best = next((t for t in tokenize(text) if t in vocab.verdict_best), None)
    if context.compare and best and r.order in ("place", "worst") and not (named_area or r.area_kind or r.own_region):
        # »ledighed Ballerup vs Herlev« → »hvem er bedst?«: which of the two does better (it ranked
        # all 98 kommuner by the count, lowest first)
        r.order, r.verdict = None, best
    elif context.compare and context.intent != "ranking" and r.order in ("high", "low", "most", "fewest") \
            and not (named_area or r.area_kind or r.own_region or r.top or r.comparative) \
            and not any(_is_kommune(code) for code in context.compare):
        # »ledighed sammenlignet med landet« → »hvem er højest?«: which of the two, with the figures
        # (it ranked all 98 kommuner); after kommuner compared, those kommuner are ranked (below)
        r.order, r.verdict = None, "bedre"
    intent = _intent(r, True)
    if intent == "change" and r.base_carried and context.intent == "development":
        intent = "development"  # »udvikling i ledigheden siden 2022« … »og i Herlev?«: gave the change
    if r.verdict and r.compare and not (r.intents or r.order or r.area_kind):
        intent = "value"  # (also after »vis udviklingen«: the verdict is said beside the figures)
    elif not (r.intents or r.order or r.area_kind or r.base):
        # A definition is the same in every area and period: »og i Ballerup?« after one asks the
        # figure (it repeated the definition); »og aktiveringsgrad?« asks the next definition.
        carried = (*GENERAL_INTENTS, *(() if named_indicator else ("definition",)))
        intent = context.intent if context.intent not in carried else "value"
        if intent == "why" and not r.period.is_latest:
            # »hvorfor?« … »hvad med for et år siden«: the figure then (it repeated »Årsagerne står
            # ikke i tallene« with the parts' changes for juli 2025)
            intent = "value"
        if intent == "development" and context.extreme:  # »og i Ballerup?« after »hvornår … højest«
            r.extreme, r.extreme_year, r.moved_most = context.extreme, context.extreme_year, context.moved_most
            r.window = r.window or context.extreme_months
    if r.composition and intent in ("change", "development", "why") and not (named_period or r.intents):
        # »ledighed fra januar til maj« … »hvem er de?«: who they are in the period shown last (it
        # repeated the change, the question passed over unsaid)
        intent, r.base, r.span, r.base_carried = "value", None, False, False
    if _ranks_a_change(intent, r, vocab):
        return NotUnderstood(text=text, reason="ranking_change")
    if intent == "ranking":
        if context.intent == "ranking" and r.order == "place" and not named_indicator:
            # »hvem har flest i regionen?« … »og hvor ligger vi?«: our place in that list (it
            # listed all kommuner the other way round: »nr. 65 af 96« after »nr. 13 af 29«)
            r.order = context.order
            r.place_asked = True
        elif r.order == "place" and not named_indicator and r.top is None:
            # »langtidsledige« … »hvor er vi placeret?«: the own place leads (it listed the five lowest first)
            r.place_asked = True
        if context.intent == "ranking" and context.own_region == "within" \
                and not (named_area or r.area_kind or r.own_region):
            r.own_region = "area"  # (»hvad med os?«, »og i maj?« after it: still the region's kommuner)
        # (»hvor er vi placeret?« … »og i regionen?«, »og ledighedsprocenten?«: still the own place)
        r.place_asked = r.place_asked or (r.order is None and context.place_asked)
        if context.intent == "ranking":
            r.among_compared = context.among_compared and not (named_area or r.area_kind or r.own_region or r.top)
        elif not (named_area or r.area_kind or r.own_region or r.top) \
                and any(_is_kommune(code) for code in r.compare) \
                and (context.area is None or _is_kommune(context.area)):  # (None: the configured kommune)
            # »ledighedsprocent i Ballerup sammenlignet med Herlev og Glostrup« … »hvem er højest?«:
            # which of those three (it ranked every kommune, the three unsaid)
            r.among_compared = True
        r.order = r.order or context.order
        r.area_kind = r.area_kind or context.area_kind
        r.wants_rate = named_indicator  # "og ledighedsprocenten?": rank exactly what is named
    return _query(text, intent, r, still_unknown, vocab, followup=True, ranked_before=context.intent == "ranking",
                  top=context.top if intent == "ranking" else None)
