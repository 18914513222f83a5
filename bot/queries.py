"""The query language: a manager's Danish question -> a `Query` or a `NotUnderstood`. Pure.

"ledighed maj" -> Query(intent="value", indicator="ledige", period=PeriodRequest(month=5)).
The vocabulary (indicator and area names, aliases, month and filler words) comes from the
catalogue, the area table, babel and `vocabulary.toml`; nothing here is a list of Danish words.
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
from indicators.catalogue import Areas, Catalogue, default_areas, default_catalogue, fold, fold_letters

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")
MAX_NGRAM = 4
# Scores (0-100, rapidfuzz) above which a misspelt word is taken as meant; below, it is only
# offered as a suggestion. Short words need a closer match: "ledi" should not become "ledige".
FUZZY_ACCEPT = 86
FUZZY_SUGGEST = 50
MAX_QUERY_LENGTH = 500


@dataclass(frozen=True, slots=True)
class PeriodRequest:
    """What period the question asks for. All None = the newest period with data."""

    period: str | None = None  # an exact period in the store's spelling
    month: int | None = None  # a month without a year: the latest such month with data

    @property
    def is_latest(self) -> bool:
        return self.period is None and self.month is None


@dataclass(frozen=True, slots=True)
class Query:
    intent: str  # "value" (more intents grow here: "development", "target", "help")
    indicator: str
    area: str | None = None  # None: the configured kommune
    period: PeriodRequest = field(default_factory=PeriodRequest)
    breakdown: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    text: str
    suggestions: tuple[str, ...] = ()  # indicator ids, closest first
    unknown: tuple[str, ...] = ()  # the words that were not understood
    reason: str = "unknown_words"  # "empty", "unknown_words", "too_long"


@dataclass(frozen=True)
class Vocabulary:
    indicators: dict[str, str]  # folded phrase -> indicator id
    areas: dict[str, str]  # folded phrase -> area code
    months: dict[str, int]  # folded word -> month number
    filler: frozenset[str]
    latest: frozenset[str]
    quarter_words: frozenset[str]
    quarter_ordinals: dict[str, int]

    @classmethod
    def build(cls, catalogue: Catalogue, areas: Areas, path: Path = VOCABULARY_PATH) -> "Vocabulary":
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        months = {fold(name): number for number, name in get_month_names("wide", locale="da").items()}
        for number, name in get_month_names("abbreviated", locale="da").items():
            months[fold(name.rstrip("."))] = number
        months.update({fold(word): number for word, number in data.get("months", {}).items()})
        return cls(
            indicators=catalogue.vocabulary(),
            areas=areas.vocabulary(),
            months=months,
            filler=frozenset(fold(w) for w in data.get("filler", [])),
            latest=frozenset(fold(w) for w in data.get("latest", [])),
            quarter_words=frozenset(fold(w) for w in data["quarters"]["words"]),
            quarter_ordinals={fold(k): v for k, v in data["quarters"]["ordinals"].items()},
        )


@cache
def default_vocabulary() -> Vocabulary:
    return Vocabulary.build(default_catalogue(), default_areas())


_YEAR = re.compile(r"^(19|20)\d{2}$")
_ISO_MONTH = re.compile(r"^((?:19|20)\d{2})-(\d{1,2})$")
_SLASH_MONTH = re.compile(r"^(\d{1,2})/((?:19|20)\d{2})$")
_COMPACT_QUARTER = re.compile(r"^((?:19|20)\d{2})-?[kq]([1-4])$|^[kq]([1-4])$")
_DIGITS_ONLY = re.compile(r"^\d+$")


_TOKEN = re.compile(r"(?:19|20)\d{2}-(?:\d{1,2}|[kq][1-4])\b|\d{1,2}/(?:19|20)\d{2}|\w+")


def tokenize(text: str) -> list[str]:
    """Fold and split; keep `2025-05`, `2025-q2` and `05/2025` as single tokens."""
    text = fold_letters(text[:MAX_QUERY_LENGTH])
    return [token.replace("_", "") for token in _TOKEN.findall(text) if token.strip("_")]


def _parse_period(tokens: list[str], i: int, vocab: Vocabulary) -> tuple[PeriodRequest | None, int]:
    """Try to read a period at tokens[i]; return it and how many tokens it used."""
    token = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if token in vocab.months:
        month_number = vocab.months[token]
        if _YEAR.match(nxt):
            return PeriodRequest(period=str(periods.month(int(nxt), month_number))), 2
        return PeriodRequest(month=month_number), 1
    if m := _ISO_MONTH.match(token):
        if 1 <= int(m.group(2)) <= 12:
            return PeriodRequest(period=str(periods.month(int(m.group(1)), int(m.group(2))))), 1
    if m := _SLASH_MONTH.match(token):
        if 1 <= int(m.group(1)) <= 12:
            return PeriodRequest(period=str(periods.month(int(m.group(2)), int(m.group(1))))), 1
    if m := _COMPACT_QUARTER.match(token):
        if m.group(1):
            return PeriodRequest(period=str(periods.quarter(int(m.group(1)), int(m.group(2))))), 1
        if _YEAR.match(nxt):
            return PeriodRequest(period=str(periods.quarter(int(nxt), int(m.group(3))))), 2
    if token in vocab.quarter_ordinals and nxt in vocab.quarter_words:
        after = tokens[i + 2] if i + 2 < len(tokens) else ""
        q = vocab.quarter_ordinals[token]
        if _YEAR.match(after):
            return PeriodRequest(period=str(periods.quarter(int(after), q))), 3
    if _YEAR.match(token):
        return PeriodRequest(period=token), 1
    if token in vocab.latest:
        return PeriodRequest(), 1
    return None, 0


def _phrase(tokens: list[str], i: int, table: dict[str, str]) -> tuple[str | None, int]:
    """Longest phrase (up to MAX_NGRAM tokens) starting at tokens[i] found in `table`."""
    for n in range(min(MAX_NGRAM, len(tokens) - i), 0, -1):
        phrase = " ".join(tokens[i:i + n])
        if phrase in table:
            return table[phrase], n
    return None, 0


def _fuzzy(word: str, table: dict[str, str], cutoff: int) -> tuple[str, float] | None:
    if len(word) < 4:
        return None
    match = process.extractOne(word, table.keys(), scorer=fuzz.ratio, score_cutoff=cutoff)
    if match is None:
        return None
    return table[match[0]], match[1]


def suggest(words: list[str], vocab: Vocabulary, limit: int = 3) -> tuple[str, ...]:
    """The closest indicator ids to any of `words`, best first."""
    scores: dict[str, float] = {}
    for word in words:
        if len(word) < 3:
            continue
        for phrase, score, _ in process.extract(word, vocab.indicators.keys(), scorer=fuzz.WRatio, limit=10):
            indicator = vocab.indicators[phrase]
            scores[indicator] = max(scores.get(indicator, 0), score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return tuple(indicator for indicator, score in ranked if score >= FUZZY_SUGGEST)[:limit]


def parse(text: str, vocab: Vocabulary | None = None) -> Query | NotUnderstood:
    """Parse a question. Never raises on user text; unknown words give a NotUnderstood."""
    vocab = vocab or default_vocabulary()
    tokens = tokenize(text)
    if not tokens:
        return NotUnderstood(text=text, reason="empty")
    indicator: str | None = None
    area: str | None = None
    period = PeriodRequest()
    unknown: list[str] = []
    i = 0
    while i < len(tokens):
        found, used = _phrase(tokens, i, vocab.indicators)
        if found and indicator is None:
            indicator, i = found, i + used
            continue
        request, used = _parse_period(tokens, i, vocab)
        if request is not None:
            if not request.is_latest or period.is_latest:
                period = request
            i += used
            continue
        found, used = _phrase(tokens, i, vocab.areas)
        if found and not _DIGITS_ONLY.match(tokens[i]):
            area, i = found, i + used
            continue
        if found and indicator is None:
            # An indicator word that repeats a found one ("ledige ledighed") is harmless.
            pass
        if tokens[i] in vocab.filler or tokens[i] in vocab.indicators:
            i += 1
            continue
        unknown.append(tokens[i])
        i += 1
    # Second pass: misspellings. An unknown word close to an indicator or area name is taken as
    # meant when nothing else claimed that role.
    still_unknown: list[str] = []
    for word in unknown:
        if indicator is None and (hit := _fuzzy(word, vocab.indicators, FUZZY_ACCEPT)):
            indicator = hit[0]
            continue
        if area is None and (hit := _fuzzy(word, vocab.areas, FUZZY_ACCEPT + 2)):
            area = hit[0]
            continue
        still_unknown.append(word)
    if indicator is None:
        return NotUnderstood(
            text=text,
            suggestions=suggest(still_unknown or tokens, vocab),
            unknown=tuple(still_unknown),
        )
    return Query(intent="value", indicator=indicator, area=area, period=period, text=text)
