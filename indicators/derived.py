"""Derived indicators: the catalogue's `formula`s computed from other indicators (pure core + store edge).

`compute(formulas, observations)` is pure: it aligns the inputs by area and period (plain dicts keyed
by area and period: for a refresh's few thousand values, pandas' fixed cost per join was most of the
time) and returns the derived observations. `refresh_derived(store, …)`
is the thin I/O edge, run after every refresh or file import that touched an input and after the
sample data is loaded: it reads the inputs, computes, and writes the results in one transaction.

Rules, as the data person expects them:
- a derived value exists only where every required input exists (for the same area and period);
  an input stored as "not published" (None) makes the result not published too;
- it is provisional when any input is, and it follows its inputs: a revised input gives a revised
  derived value, which `Store.load` records in `revisions` like any other change;
- provenance: source `derived:<id>`, and the `derived_inputs` table records the formula and the
  sources of the inputs of every derived row;
- eksempeldata: a value computed from any eksempeldata input is stored with source `eksempeldata`
  (`types.SAMPLE_SOURCE`), so every check that decides `sample_data` (`Observation.is_sample`, the
  bot's `source == SAMPLE_SOURCE`, `Store.load(replace_sample=…)`, `faktabot status`) treats it as
  eksempeldata without knowing about derivations; `derived_inputs` still names its formula;
- official figures and the municipality's files win: a derived value never overwrites a key that
  another source stored, and a value computed from eksempeldata never lands in a series that holds
  real figures.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from indicators import periods
from indicators.catalogue import Catalogue
from indicators.types import SAMPLE_SOURCE, Observation
from indicators.wording import wording

OPS = {"sum", "difference", "ratio", "index", "not_computable"}
AGGREGATES = {"quarter_mean"}
FORMULA_KEYS = {"op", "terms", "denominator", "scale", "base", "aggregate", "breakdown", "reason"}
SOURCE_PREFIX = "derived:"
# Derived values keep full precision but not float noise (553 / 7000 * 100 = 7.8999999999999995).
DIGITS = 6


class FormulaError(ValueError):
    """A catalogue formula cannot be used; the message names the indicator and the fix."""


@dataclass(frozen=True, slots=True)
class Term:
    indicator: str
    breakdown: str = ""
    optional: bool = False

    @classmethod
    def parse(cls, text: str, where: str) -> Term:
        """`"?fuldtidspersoner[ydelse=Kontanthjælp]"` -> Term('fuldtidspersoner', 'ydelse=Kontanthjælp', True)."""
        optional = text.startswith("?")
        body = text.removeprefix("?").strip()
        indicator, bracket, rest = body.partition("[")
        if bracket and not rest.endswith("]"):
            raise FormulaError(wording("formula_bracket", where=where, term=text))
        return cls(indicator.strip(), rest[:-1] if bracket else "", optional)


@dataclass(frozen=True, slots=True)
class Formula:
    indicator: str  # the derived indicator; its values are stored as source `derived:<indicator>`
    op: str
    terms: tuple[Term, ...]
    denominator: tuple[Term, ...] = ()
    scale: float = 100.0
    base: str | None = None
    aggregate: str | None = None
    breakdown: str = ""
    unit: str = ""

    @property
    def source(self) -> str:
        return SOURCE_PREFIX + self.indicator

    @property
    def inputs(self) -> set[str]:
        return {t.indicator for t in (*self.terms, *self.denominator)}


@dataclass(frozen=True, slots=True)
class NotComputable:
    indicator: str
    reason: str  # Danish, for `faktabot sources --check` and status


def parse_formula(indicator: str, unit: str, raw: dict, known: Iterable[str], where: str) -> Formula | NotComputable:
    """One `formula = {…}` of the catalogue, checked against the known indicator ids."""
    extra = sorted(set(raw) - FORMULA_KEYS)
    if extra:
        raise FormulaError(wording("formula_unknown_keys", where=where, keys=extra,
                                   allowed=", ".join(sorted(FORMULA_KEYS))))
    op = raw.get("op")
    if op not in OPS:
        raise FormulaError(wording("formula_op", where=where, op=op, choices=", ".join(sorted(OPS))))
    if op == "not_computable":
        if not str(raw.get("reason", "")).strip():
            raise FormulaError(wording("formula_reason", where=where))
        return NotComputable(indicator, str(raw["reason"]))
    terms = tuple(Term.parse(t, where) for t in raw.get("terms", []))
    denominator = tuple(Term.parse(t, where) for t in raw.get("denominator", []))
    known = set(known)
    for term in (*terms, *denominator):
        if term.indicator not in known:
            raise FormulaError(wording("formula_unknown_term", where=where, term=term.indicator))
    required = [t for t in terms if not t.optional]
    if not required:
        raise FormulaError(wording("formula_no_required", where=where, op=op))
    if op == "ratio" and not [t for t in denominator if not t.optional]:
        raise FormulaError(wording("formula_ratio", where=where))
    if op == "difference" and (len(terms) < 2 or terms[0].optional):
        raise FormulaError(wording("formula_difference", where=where))
    if op == "index":
        if len(terms) != 1 or not raw.get("base"):
            raise FormulaError(wording("formula_index", where=where))
        periods.parse(str(raw["base"]))
    aggregate = raw.get("aggregate")
    if aggregate is not None and aggregate not in AGGREGATES:
        raise FormulaError(wording("formula_aggregate", where=where, value=aggregate,
                                   choices=", ".join(sorted(AGGREGATES))))
    return Formula(indicator, op, terms, denominator, float(raw.get("scale", 100.0)),
                   str(raw["base"]) if raw.get("base") else None, aggregate, str(raw.get("breakdown", "")), unit)


def catalogue_formulas(catalogue: Catalogue) -> tuple[list[Formula], list[NotComputable]]:
    """Every derived source of the catalogue, in an order where a formula's inputs come first."""
    found: list[Formula] = []
    skipped: list[NotComputable] = []
    for indicator in catalogue:
        for number, source in enumerate(indicator.sources, start=1):
            if source.kind != "derived":
                continue
            where = wording("catalogue_source", indicator=indicator.id, rank=number)
            if not source.formula:
                raise FormulaError(wording("formula_missing", where=where))
            parsed = parse_formula(indicator.id, indicator.unit, source.formula, catalogue.indicators, where)
            (skipped if isinstance(parsed, NotComputable) else found).append(parsed)
    return _ordered(found), skipped


def _ordered(formulas: Sequence[Formula]) -> list[Formula]:
    """Topological order: a formula that reads another's output runs after it."""
    outputs = {f.indicator for f in formulas}
    done: list[Formula] = []
    pending = list(formulas)
    while pending:
        ready = [f for f in pending
                 if not ((f.inputs & outputs) - {f.indicator} - {d.indicator for d in done})]
        if not ready:
            raise FormulaError(wording("formula_cycle", indicators=", ".join(f.indicator for f in pending)))
        done.extend(ready)
        pending = [f for f in pending if f not in ready]
    return done


def affected(formulas: Sequence[Formula], touched: Iterable[str]) -> list[Formula]:
    """The formulas to recompute when `touched` indicators changed, including formulas fed by those."""
    changed = set(touched)
    chosen: list[Formula] = []
    for formula in formulas:  # ordered: an output feeds only later formulas
        if formula.inputs & changed:
            chosen.append(formula)
            changed.add(formula.indicator)
    return chosen


# -- the pure core --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Derived:
    observation: Observation
    formula: str  # `derived:<id>`
    inputs: tuple[str, ...]  # the distinct sources of the inputs, sorted


def compute(formulas: Sequence[Formula], observations: Iterable[Observation], *, now: str = "") -> list[Observation]:
    """The derived observations of `formulas` over `observations` (pure)."""
    return [d.observation for d in compute_with_inputs(formulas, observations, now=now)]


def compute_with_inputs(formulas: Sequence[Formula], observations: Iterable[Observation], *,
                        now: str = "") -> list[Derived]:
    """As `compute`, with each value's provenance. Formulas run in order; later ones see earlier outputs."""
    return _compute_rows(formulas, ((o.indicator, o.area, o.period, o.breakdown, o.value, o.unit, o.source,
                                     o.provisional) for o in observations), now=now)


def _compute_rows(formulas: Sequence[Formula], rows: Iterable[tuple], *, now: str = "",
                  units: dict[tuple[str, str], str | None] | None = None,
                  by_series: dict[tuple[str, str], list[tuple]] | None = None) -> list[Derived]:
    """`compute_with_inputs` over rows in the store's column order (indicator, area, period,
    breakdown, value, unit, source, provisional, …): the store's read needs no Observation each.
    `by_series`: the rows already by series, as `Store.series_inputs` reads them (then `rows` is not
    read; the lists are extended with formulas' outputs). `units`: (indicator, breakdown) -> the unit
    of the first stored row of a sum's first term, where the rows hold only part of that series'
    history (None: it has none)."""
    # Only the series the formulas read or write: the store holds far more of the same indicators.
    inputs = _Inputs({(t.indicator, t.breakdown) for f in formulas for t in (*f.terms, *f.denominator)}
                     | {(f.indicator, f.breakdown) for f in formulas}, rows, by_series)
    results: list[Derived] = []
    for formula in formulas:
        derived = _one(formula, inputs)
        if not derived:
            continue
        unit = formula.unit
        if formula.op in ("sum", "difference"):
            # A sum keeps its inputs' unit (fuldtidspersoner stay fuldtidspersoner); a ratio or
            # an index has the catalogue's unit.
            term = (formula.terms[0].indicator, formula.terms[0].breakdown)
            if units is not None and term in units:
                unit = units[term] or unit
            else:
                first = inputs.rows(*term)
                unit = first[0][5] if first and first[0][5] else unit
        made = []
        for (area, period), (value, provisional, sources) in derived.items():
            inputs_of = tuple(sorted(sources))
            sample = SAMPLE_SOURCE in inputs_of
            made.append(Derived(
                Observation(formula.indicator, area, period, None if math.isnan(value) else round(float(value), DIGITS),
                            formula.breakdown, unit, SAMPLE_SOURCE if sample else formula.source,
                            bool(provisional), now),
                formula.source, inputs_of))
        results.extend(made)
        # Later formulas may read this output (forsoergertryk_udvikling reads forsoergertryk).
        inputs.add_missing(formula.indicator, formula.breakdown, [d.observation for d in made])
    return results


# A term, a sum of terms or a formula's result: (area, period) -> (value, provisional, sources), in
# the order of its first term's rows. A value not published is NaN while computing: it makes every
# sum, difference and ratio it enters NaN, as it should, and becomes None when stored.
Frame = dict[tuple[str, str], tuple[float, bool, frozenset]]
_NAN = float("nan")


class _Inputs:
    """The formulas' input rows by series (indicator, breakdown), each made a frame once when a term reads it."""

    def __init__(self, series: set[tuple[str, str]], rows: Iterable[tuple],
                 by_series: dict[tuple[str, str], list[tuple]] | None = None):
        if by_series is not None:  # (area, period, value, source, provisional, unit), read so
            self.by_series = {key: by_series.get(key, []) for key in series}
            self.frames: dict[tuple[str, str], Frame] = {}
            return
        self.by_series = {key: [] for key in series}
        for row in rows:  # in the store's column order
            found = self.by_series.get((row[0], row[3]))
            if found is not None:
                found.append((row[1], row[2], row[4], row[6], row[7], row[5]))
        self.frames: dict[tuple[str, str], Frame] = {}

    def rows(self, indicator: str, breakdown: str) -> list[tuple]:
        return self.by_series.get((indicator, breakdown), [])

    def add_missing(self, indicator: str, breakdown: str, made: Sequence[Observation]) -> None:
        """A formula's output, where the store did not already hold the key, for later formulas."""
        rows = self.by_series.setdefault((indicator, breakdown), [])
        held = {(r[0], r[1]) for r in rows}
        extra = [(o.area, o.period, o.value, o.source, o.provisional, o.unit)
                 for o in made if (o.area, o.period) not in held]
        if extra:
            rows.extend(extra)
            self.frames.pop((indicator, breakdown), None)

    def frame(self, term: Term) -> Frame:
        """One term as (area, period) -> value, provisional, sources (a set, for provenance)."""
        key = (term.indicator, term.breakdown)
        if key not in self.frames:
            single: dict[str, frozenset] = {}  # one frozenset per distinct source, shared by its rows
            self.frames[key] = {
                (area, period): (_NAN if value is None else float(value), bool(provisional),
                                 single.get(source) or single.setdefault(source, frozenset([source])))
                for area, period, value, source, provisional, _ in self.rows(*key)}
        return self.frames[key]


def _joined(left: Frame, right: Frame, value: Callable[[float, float], float]) -> Frame:
    """The keys both hold, in the left one's order: `value` of both values, either flag, both sources."""
    found: Frame = {}
    for key, (mine, flag, sources) in left.items():
        other = right.get(key)
        if other is not None:
            found[key] = (value(mine, other[0]), flag or other[1], sources | other[2])
    return found


def _combine(inputs: _Inputs, terms: Sequence[Term]) -> Frame | None:
    """The terms added up where every required term exists; optional terms add where they exist."""
    combined: Frame | None = None
    # Required terms first: optional ones are then added onto the aligned required ones.
    for term in sorted(terms, key=lambda t: t.optional):
        part = inputs.frame(term)
        if term.optional:
            if combined is None:
                continue
            # An optional term that exists but is not published makes the sum not published.
            combined = {key: ((mine[0] + other[0], mine[1] or other[1], mine[2] | other[2])
                              if (other := part.get(key)) is not None else mine)
                        for key, mine in combined.items()}
        elif combined is None:
            combined = part
        else:
            combined = _joined(combined, part, operator.add)  # NaN (not published) stays NaN
    return combined


def _one(formula: Formula, inputs: _Inputs) -> Frame:
    if formula.op == "difference":
        result = _joined(_combine(inputs, formula.terms[:1]), _combine(inputs, formula.terms[1:]), operator.sub)
    else:  # sum, ratio, index
        result = _combine(inputs, formula.terms)
    if formula.op == "ratio":
        below = {key: row for key, row in _combine(inputs, formula.denominator).items() if row[0] != 0}
        scale = formula.scale
        result = _joined(result, below, lambda mine, other: mine / other * scale)  # no share of nobody
    if formula.aggregate == "quarter_mean":
        result = _quarter_mean(result)
    if formula.op == "index":
        result = _index(result, formula.base)
    return result


def _quarter_mean(result: Frame) -> Frame:
    """Months -> quarters: the mean of the quarter's three months, only where all three exist."""
    quarters: dict[tuple[str, str], list] = {}
    for (area, period), row in result.items():
        if len(period) == 7 and period[5] != "Q":  # the store's spelling: 2026-05
            quarter = f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"
            quarters.setdefault((area, quarter), []).append(row)
    found: Frame = {}
    for key in sorted(quarters):
        months = quarters[key]
        if len(months) != 3:
            continue
        values = [row[0] for row in months]
        # A quarter with a month not published is not published.
        value = _NAN if any(map(math.isnan, values)) else _mean(values)
        found[key] = (value, any(row[1] for row in months), frozenset().union(*(row[2] for row in months)))
    return found


def _mean(values: Sequence[float]) -> float:
    """The mean with compensated (Kahan) summation, the way pandas' groupby mean added when the
    derived step used it: the stored quarter means stay the same to the last bit, so a store derived
    before reads no revision that is only a rounding (math.fsum would differ in the last bit)."""
    total = compensation = 0.0
    for value in values:
        y = value - compensation
        t = total + y
        compensation = t - total - y
        if math.isnan(compensation):  # an infinity: no compensation
            compensation = 0.0
        total = t
    return total / len(values)


def _index(result: Frame, base: str) -> Frame:
    """Each area's values divided by its value in the `base` period, times 100."""
    base_rows = {area: row for (area, period), row in result.items() if period == base}
    found: Frame = {}
    for (area, period), (value, flag, sources) in result.items():
        reference = base_rows.get(area)
        if reference is None or reference[0] == 0:
            continue
        # The base value is an input of every indexed value: its flags and sources count too.
        found[(area, period)] = (value / reference[0] * 100, flag or reference[1], sources | reference[2])
    return found


# -- the store edge -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedRun:
    """What `refresh_derived` did: rows written (inserted or changed), removed, and what it skipped."""

    computed: int = 0
    written: int = 0
    revised: int = 0
    removed: int = 0
    kept_other: int = 0  # keys another source (official figures, a file, shipped eksempeldata) holds
    formulas: tuple[str, ...] = ()
    not_computable: tuple[str, ...] = field(default_factory=tuple)


def never_stored(store, catalogue: Catalogue) -> list[str]:
    """The derived indicators no formula has stored a value of yet, nor been computed in every area,
    although every input has values: a formula new in this release, say. A refresh computes them
    everywhere, whatever it changed; one still missing an input waits for it (reading the rest each
    run would find nothing). An input is a series: a term's indicator in its breakdown (an optional
    term is not waited for). A formula computed everywhere once whose values all yield to another
    source is not computed everywhere again: from then on it follows its inputs' changes, as any."""
    formulas, _ = catalogue_formulas(catalogue)
    done = store.computed_everywhere()
    return [f.indicator for f in formulas
            if f.indicator not in done and not store.has_derived(f.indicator) and all(
                store.has_series(t.indicator, t.breakdown) for t in (*f.terms, *f.denominator) if not t.optional)]


def formula_inputs(catalogue: Catalogue) -> frozenset[str]:
    """The indicators some formula reads: only a change to one of them gives the derived step work."""
    formulas, _ = catalogue_formulas(catalogue)
    return frozenset(t.indicator for f in formulas for t in (*f.terms, *f.denominator))


def owed_by(since: dict[tuple[str, str], str], inputs: frozenset[str]) -> dict[tuple[str, str], str]:
    """The part of a load's changes (`LoadResult.since`) the derived step owes work for: the pairs
    whose indicator is in `inputs` (`formula_inputs`). A load records it with its rows
    (`Store.owe_derived`), so a crash before the derived step commits leaves the work owed."""
    return {pair: year for pair, year in since.items() if pair[0] in inputs}


def with_owed(store, changed: dict[tuple[str, str], str]) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """`changed` with the store's owed work added (the earlier year where both name a pair), and the
    owed work as read, for `refresh_derived(settles=…)` to clear when it commits."""
    owed = store.derived_owed()
    merged = dict(changed)
    for pair, year in owed.items():
        merged[pair] = min(year, merged.get(pair, year))
    return merged, owed


def complete_owed(store, catalogue: Catalogue, *, now: str | None = None) -> DerivedRun | None:
    """Do the derived work a refresh left owed (it stopped between its loads and its derived step),
    before anything else reads the values; None when nothing was owed (one small read)."""
    owed = store.derived_owed()
    if not owed:
        return None
    return refresh_derived(store, catalogue, touched={i for i, _ in owed}, areas={a for _, a in owed}, now=now,
                           since=owed, settles=owed)


def _window(chosen: Sequence[Formula], places: set[str] | None,
            since: dict[tuple[str, str], str] | None) -> dict[str, str] | None:
    """Area -> the first period to recompute there ("" for all of them), from `since` ((indicator,
    area) -> the earliest year a load changed, `LoadResult.since`); None: every period.

    A derived value combines its inputs of its own period (a quarter's mean, the months of its own
    year), so the periods before an area's earliest change keep their values. Any indicator's change
    counts, a formula's own output's included. An index divides every period by its base period's:
    a change in the base's year or before recomputes the area's whole history."""
    if since is None or places is None:
        return None
    made = {f.indicator for f in chosen}
    if any(t.indicator in made for f in chosen if f.op == "index" for t in f.terms):
        return None  # an index of a formula's values: its base value may be computed in this pass
    first: dict[str, str] = {}
    for (_, area), year in since.items():
        if area in places and year < first.get(area, "\uffff"):
            first[area] = year
    start = {area: first.get(area, "") for area in places}
    for formula in chosen:
        if formula.op == "index":
            base_year = formula.base[:4]
            start = {area: "" if year and base_year >= year else year for area, year in start.items()}
    return start


def refresh_derived(store, catalogue: Catalogue, *, touched: Iterable[str] | None = None,
                    areas: Iterable[str] | None = None, now: str | None = None,
                    outputs: Iterable[str] = (), since: dict[tuple[str, str], str] | None = None,
                    settles: dict[tuple[str, str], str] | None = None) -> DerivedRun:
    """Recompute the derived indicators whose inputs are in `touched` (all when None) and store them;
    with `areas`, in those areas only (a formula combines one area's values, so the others' stay right).
    `outputs` names derived indicators to recompute as well (with the formulas they feed). `since`
    (with `areas`): the earliest year each (indicator, area) changed, as `Store.load_rows` says; each
    area is then recomputed from its earliest change on, not over its whole history (`_window`).
    `settles`: owed work (`Store.derived_owed`) this call does, cleared in its transaction.

    Call after a successful refresh or file import (indicators.refresh does) and after loading the
    sample data (`indicators.sampledata.load_into` does). One transaction: all or nothing.
    """
    from indicators.store import utc_now

    now = now or utc_now()
    formulas, skipped = catalogue_formulas(catalogue)
    chosen = formulas if touched is None else affected(formulas, touched)
    wanted = set(outputs)
    if wanted:
        downstream = {f.indicator for f in affected(formulas, wanted)}
        chosen = [f for f in formulas if f in chosen or f.indicator in wanted or f.indicator in downstream]
    if not chosen:
        store.settle_owed(settles or {})  # owed by an indicator no formula reads any longer
        return DerivedRun(not_computable=tuple(s.indicator for s in skipped))
    # Only the series the formulas read or write, each in its own breakdown: at scale an indicator
    # has many more, and one indicator's breakdowns are no series of another.
    series = ({(t.indicator, t.breakdown) for f in chosen for t in (*f.terms, *f.denominator)}
              | {(f.indicator, f.breakdown) for f in chosen})
    places = None if areas is None else set(areas)
    start = _window(chosen, places, since)
    units = None
    if start is None:
        # Rows, not Observations: at scale this read is hundreds of thousands of input rows.
        by_series = store.series_inputs(series, places)
    else:
        # An index's input from its base period on (earlier where the area's change is earlier).
        based = {(t.indicator, t.breakdown): f.base[:4] for f in chosen if f.op == "index" for t in f.terms}
        by_series = store.series_inputs(series - set(based), places, start)
        for key, base_year in based.items():
            by_series.update(store.series_inputs([key], places, {area: min(year, base_year)
                                                                  for area, year in start.items()}))
        # A sum keeps the unit of its first term's first stored row, however old.
        units = {(f.terms[0].indicator, f.terms[0].breakdown): store.first_unit(
            f.terms[0].indicator, f.terms[0].breakdown, places) for f in chosen if f.op in ("sum", "difference")}
    outputs = {(f.indicator, f.breakdown) for f in chosen}
    # key -> whether the stored row is eksempeldata, for the formulas' own series (read before the
    # computing adds each formula's values to its series' rows, for the formulas after it)
    held = {(indicator, r[0], r[1], breakdown): r[3] == SAMPLE_SOURCE
            for indicator, breakdown in outputs for r in by_series.get((indicator, breakdown), ())}
    results = _compute_rows(chosen, (), now=now, units=units, by_series=by_series)
    if start is not None:  # an index's values before the window are as they were
        results = [d for d in results if d.observation.period >= start[d.observation.area]]
    ours = store.derived_keys({f.indicator for f in chosen}, places)
    real_series = {(key[0], key[1], key[3]) for key, sample in held.items() if not sample}
    if start is not None:
        ours = {key: formula for key, formula in ours.items() if key[2] >= start[key[1]]}
        # Real figures anywhere in a series keep eksempeldata out of it: held has the window's only.
        unsure = {(o.indicator, o.area, o.breakdown) for d in results if (o := d.observation).is_sample}
        real_series |= store.holding_real_figures(unsure - real_series)
    kept: list[Derived] = []
    other = 0
    for derived in results:
        obs = derived.observation
        key = (obs.indicator, obs.area, obs.period, obs.breakdown)
        stored_sample = held.get(key)
        # Another source stored this key: official figures and files always win; shipped
        # eksempeldata yields only to a value computed from real inputs.
        if stored_sample is not None and key not in ours and not (stored_sample and not obs.is_sample):
            other += 1
            continue
        if obs.is_sample and (obs.indicator, obs.area, obs.breakdown) in real_series:
            other += 1
            continue
        kept.append(derived)
    computed_keys = {(d.observation.indicator, d.observation.area, d.observation.period, d.observation.breakdown)
                     for d in kept}
    stale = [key for key, formula in ours.items()
             if formula in {f.source for f in chosen} and key not in computed_keys]
    revisions_before = store.revision_count()
    with store.db.atomic():
        store.forget_derived(stale)
        loaded = store.load([d.observation for d in kept], now=now, replace_sample=True)
        store.record_derived([(d.observation.indicator, d.observation.area, d.observation.period,
                               d.observation.breakdown, d.formula, ",".join(d.inputs)) for d in kept], now=now)
        if places is None:  # every area: never_stored need not name these again
            store.record_computed_everywhere([f.indicator for f in chosen], now=now)
        store.settle_owed(settles or {})
    return DerivedRun(
        computed=len(results), written=loaded.inserted + loaded.updated,
        revised=store.revision_count() - revisions_before, removed=len(stale), kept_other=other,
        formulas=tuple(f.indicator for f in chosen), not_computable=tuple(s.indicator for s in skipped),
    )
