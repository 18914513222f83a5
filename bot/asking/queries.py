"""The query language: a manager's Danish question -> a `Query` or a `NotUnderstood`. Pure.

"ledighed maj" -> Query(intent="value", indicator="ledige", period=PeriodRequest(month=5)).
The vocabulary (indicator, breakdown and area names, aliases, month, intent and filler words)
comes from the catalogue, the area table, babel and `vocabulary.toml`; no Danish word lists here.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.dates import get_month_names
from rapidfuzz import fuzz, process

from indicators import periods
from indicators.catalogue import (
    Areas,
    Catalogue,
    default_areas,
    default_catalogue,
    fold,
    fold_letters,
)

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")
MAX_NGRAM = 5
# Scores (0-100, rapidfuzz) above which a misspelt word is taken as meant; below, it is only
# offered as a suggestion. Words under 4 letters are never guessed: "led" is not "ledige".
FUZZY_ACCEPT = 84
FUZZY_SUGGEST = 50
MAX_QUERY_LENGTH = 500
INTENTS = ("value", "development", "target", "vocabulary", "help")


@dataclass(frozen=True, slots=True)
class PeriodRequest:
    """What period the question asks for. All None = the newest period with data."""

    period: str | None = None  # an exact period in the store's spelling
    month: int | None = None  # a month without a year: the latest such month with data
    quarter: int | None = None  # a quarter without a year: the latest such quarter with data
    relative: str | None = None  # previous_month, previous_quarter, this_year, last_year, year_ago

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


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    text: str
    suggestions: tuple[str, ...] = ()  # indicator ids, closest first
    unknown: tuple[str, ...] = ()  # the words that were not understood
    reason: str = "unknown_words"  # "empty" or "unknown_words"


@dataclass(frozen=True)
class Vocabulary:
    indicators: dict[str, str]  # folded phrase -> indicator id
    rates: dict[str, str]  # indicator id -> its rate indicator id
    breakdown_values: dict[str, tuple[str, str]]  # folded phrase -> (key, canonical value)
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

    @classmethod
    def build(cls, catalogue: Catalogue, areas: Areas, path: Path = VOCABULARY_PATH) -> "Vocabulary":
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        months = {fold(name): number for number, name in get_month_names("wide", locale="da").items()}
        for number, name in get_month_names("abbreviated", locale="da").items():
            months[fold(name.rstrip("."))] = number
        months.update({fold(word): number for word, number in data.get("months", {}).items()})
        breakdown_values: dict[str, tuple[str, str]] = {}
        breakdown_keys: dict[str, str] = {}
        for kind in catalogue.breakdowns.values():
            breakdown_keys[fold(kind.key)] = kind.key
            breakdown_keys[fold(kind.name)] = kind.key
            for phrase, value in kind.values.items():
                breakdown_values.setdefault(phrase, (kind.key, value))
        intents = {fold(w): intent for intent in INTENTS[1:] for w in data["intents"].get(intent, [])}
        return cls(
            indicators=catalogue.vocabulary(),
            rates={i.id: i.rate for i in catalogue if i.rate},
            breakdown_values=breakdown_values,
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
            by=frozenset(fold(w) for w in data.get("by", [])),
            rate_words=frozenset(fold(w) for w in data.get("rate", [])),
        )


@cache
def default_vocabulary() -> Vocabulary:
    return Vocabulary.build(default_catalogue(), default_areas())


_TOKEN = re.compile(r"(?:19|20)\d{2}-(?:\d{1,2}|[kq][1-4])\b|\d{1,2}/(?:19|20)\d{2}|\d+-\d+|\w+")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_ISO_MONTH = re.compile(r"^((?:19|20)\d{2})-(\d{1,2})$")
_SLASH_MONTH = re.compile(r"^(\d{1,2})/((?:19|20)\d{2})$")
_COMPACT_QUARTER = re.compile(r"^((?:19|20)\d{2})-?[kq]([1-4])$|^[kq]([1-4])$")


def tokenize(text: str) -> list[str]:
    """Fold and split; keep `2025-05`, `2025-q2`, `05/2025` and `18-29` as single tokens."""
    text = fold_letters(text[:MAX_QUERY_LENGTH])
    return [token.replace("_", "") for token in _TOKEN.findall(text) if token.strip("_")]


def _phrase(tokens: list[str], i: int, table) -> tuple[object | None, int]:
    """Longest phrase (up to MAX_NGRAM tokens) starting at tokens[i] found in `table`."""
    for n in range(min(MAX_NGRAM, len(tokens) - i), 0, -1):
        # fold() makes "18-29" and "18 29" equal, as the catalogue's folded aliases are.
        phrase = fold(" ".join(tokens[i:i + n]))
        if phrase in table:
            return table[phrase], n
    return None, 0


def _period(tokens: list[str], i: int, vocab: Vocabulary) -> tuple[PeriodRequest | None, int]:
    """Read a period at tokens[i]; return it and how many tokens it used."""
    token = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    after = tokens[i + 2] if i + 2 < len(tokens) else ""
    relative, used = _phrase(tokens, i, vocab.relative)
    if relative:
        return PeriodRequest(relative=relative), used
    if token in vocab.months:
        month_number = vocab.months[token]
        if _YEAR.match(nxt):
            return PeriodRequest(period=str(periods.month(int(nxt), month_number))), 2
        return PeriodRequest(month=month_number), 1
    if (m := _ISO_MONTH.match(token)) and 1 <= int(m.group(2)) <= 12:
        return PeriodRequest(period=str(periods.month(int(m.group(1)), int(m.group(2))))), 1
    if (m := _SLASH_MONTH.match(token)) and 1 <= int(m.group(1)) <= 12:
        return PeriodRequest(period=str(periods.month(int(m.group(2)), int(m.group(1))))), 1
    if m := _COMPACT_QUARTER.match(token):
        if m.group(1):
            return PeriodRequest(period=str(periods.quarter(int(m.group(1)), int(m.group(2))))), 1
        q = int(m.group(3))
        if _YEAR.match(nxt):
            return PeriodRequest(period=str(periods.quarter(int(nxt), q))), 2
        return PeriodRequest(quarter=q), 1
    if token in vocab.quarter_ordinals and nxt in vocab.quarter_words:
        q = vocab.quarter_ordinals[token]
        if _YEAR.match(after):
            return PeriodRequest(period=str(periods.quarter(int(after), q))), 3
        return PeriodRequest(quarter=q), 2
    if token in vocab.quarter_words and nxt in vocab.quarter_ordinals and nxt.isdigit():
        # "kvartal 2 2025"
        if _YEAR.match(after):
            return PeriodRequest(period=str(periods.quarter(int(after), int(nxt)))), 3
        return PeriodRequest(quarter=int(nxt)), 2
    if _YEAR.match(token):
        return PeriodRequest(period=token), 1
    latest, used = _phrase(tokens, i, {w: True for w in vocab.latest})
    if latest:
        return PeriodRequest(), used
    return None, 0


def _fuzzy(word: str, table: dict, cutoff: int) -> object | None:
    if len(word) < 4 or word.isdigit():
        return None
    match = process.extractOne(word, table.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
    return table[match[0]] if match else None


def suggest(words: list[str], vocab: Vocabulary, limit: int = 3) -> tuple[str, ...]:
    """The closest indicator ids to any of `words`, best first."""
    scores: dict[str, float] = {}
    for word in words:
        if len(word) < 3 or word in vocab.filler:
            continue
        for phrase, score, _ in process.extract(word, vocab.indicators.keys(), scorer=fuzz.WRatio, limit=12):
            indicator = vocab.indicators[phrase]
            scores[indicator] = max(scores.get(indicator, 0.0), score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return tuple(indicator for indicator, score in ranked if score >= FUZZY_SUGGEST)[:limit]


@dataclass
class _Reading:
    """What has been read so far while walking the tokens."""

    indicator: str | None = None
    areas: list[str] = field(default_factory=list)
    compare: list[str] = field(default_factory=list)
    period: PeriodRequest = field(default_factory=PeriodRequest)
    breakdown: dict[str, str] = field(default_factory=dict)
    by: str | None = None
    intents: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)
    comparing: bool = False
    wants_rate: bool = False


def _read(tokens: list[str], vocab: Vocabulary) -> _Reading:
    r = _Reading()
    # Intent words count even inside an indicator's alias: "udvikling i ledigheden" is both
    # figure 4.2's name and a question about the development.
    for start in range(len(tokens)):
        for n in range(1, min(MAX_NGRAM, len(tokens) - start) + 1):
            if (intent := vocab.intents.get(" ".join(tokens[start:start + n]))) is not None:
                r.intents.add(intent)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        intent, used = _phrase(tokens, i, vocab.intents)
        indicator, ind_used = _phrase(tokens, i, vocab.indicators) if r.indicator is None else (None, 0)
        if intent and used >= ind_used:
            r.intents.add(intent)
            i += used
            continue
        if indicator:
            r.indicator, i = indicator, i + ind_used
            continue
        request, used = _period(tokens, i, vocab)
        if request is not None:
            if not request.is_latest or r.period.is_latest:
                r.period = request
            i += used
            continue
        compare, used = _phrase(tokens, i, {w: True for w in vocab.compare})
        if compare:
            r.comparing, i = True, i + used
            continue
        by, used = _phrase(tokens, i, {w: True for w in vocab.by})
        if by and i + used < len(tokens):
            key, key_used = _phrase(tokens, i + used, vocab.breakdown_keys)
            if key:
                r.by, i = key, i + used + key_used
                continue
        area, used = _phrase(tokens, i, vocab.areas)
        if area and not token.isdigit():
            (r.compare if r.comparing or r.areas else r.areas).append(area)
            i += used
            continue
        value, used = _phrase(tokens, i, vocab.breakdown_values)
        if value:
            key, canonical = value
            r.breakdown[key] = canonical
            i += used
            continue
        rate, used = _phrase(tokens, i, {w: True for w in vocab.rate_words})
        if rate and r.indicator:
            r.wants_rate, i = True, i + used
            continue
        if token in vocab.filler or token in vocab.indicators or token in vocab.by or token in vocab.compare:
            i += 1
            continue
        r.unknown.append(token)
        i += 1
    return r


def _guess_misspellings(r: _Reading, vocab: Vocabulary) -> list[str]:
    """Take an unknown word close to an indicator, area or month name as meant; return the rest."""
    still_unknown = []
    for word in r.unknown:
        if r.indicator is None and (hit := _fuzzy(word, vocab.indicators, FUZZY_ACCEPT)):
            r.indicator = hit
        elif (hit := _fuzzy(word, vocab.areas, FUZZY_ACCEPT + 4)) and hit not in r.areas + r.compare:
            (r.compare if r.areas else r.areas).append(hit)
        elif r.period.is_latest and (hit := _fuzzy(word, vocab.months, FUZZY_ACCEPT + 4)):
            r.period = PeriodRequest(month=hit)
        elif (hit := _fuzzy(word, vocab.intents, FUZZY_ACCEPT + 4)):
            r.intents.add(hit)
        else:
            still_unknown.append(word)
    return still_unknown


def _intent(intents: set[str], has_indicator: bool) -> str:
    for intent in ("help", "vocabulary", "target", "development"):
        if intent in intents and (intent in ("help", "vocabulary", "target") or has_indicator):
            return intent
    return "value"


def parse(text: str, vocab: Vocabulary | None = None) -> Query | NotUnderstood:
    """Parse a question. Never raises on user text; unknown words give a NotUnderstood."""
    vocab = vocab or default_vocabulary()
    tokens = tokenize(text)
    if not tokens:
        return NotUnderstood(text=text, reason="empty")
    r = _read(tokens, vocab)
    still_unknown = _guess_misspellings(r, vocab)
    if r.wants_rate and r.indicator in vocab.rates:
        r.indicator = vocab.rates[r.indicator]
    intent = _intent(r.intents, r.indicator is not None)
    if r.indicator is None and intent not in ("help", "vocabulary", "target"):
        return NotUnderstood(text=text, suggestions=suggest(still_unknown or tokens, vocab),
                             unknown=tuple(still_unknown))
    breakdown = ";".join(f"{k}={r.breakdown[k]}" for k in sorted(r.breakdown))
    return Query(
        intent=intent, indicator=r.indicator, area=r.areas[0] if r.areas else None, period=r.period,
        breakdown=breakdown, by=r.by, compare=tuple(dict.fromkeys(r.compare)), text=text,
    )

