"""The municipality's configuration file (`faktabot.toml`), read and checked at the edge.

Loaded once into frozen, typed sections; every command checks the whole file at start. Targets
are typed and checked by `rules.targets.parse_targets`, fed the catalogue's facts as plain data;
file import formats by `indicators.connectors.files.import_formats`. Errors name the file, the
line, the entry and the fix, with "did you mean" for a misspelt section or key.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.rendering.terminal import messages
from indicators.catalogue import Areas, Catalogue, default_areas, default_catalogue
from indicators.connectors.files import FileImportError, ImportFormat, import_formats
from indicators.wording import wording
from rules.targets import (
    IndicatorInfo,
    Target,
    TargetError,
    parse_targets,
    recipient_problem,
)

DEFAULT_AREA = "151"  # Ballerup, the kommune of the fact sheet this product replaces
JOBS = ("refresh_jobindsats", "refresh_statbank", "summary", "factsheet", "staleness", "inbox")
# The sections and keys faktabot.toml may hold; anything else is a typo worth naming.
SECTIONS: dict[str, set[str] | None] = {
    "municipality": {"area", "compare"},
    "summary": {"recipients", "day"},
    "factsheet": {"recipients", "day"},
    "operations": {"recipients"},
    "schedule": set(JOBS),
    "slack": {"channels", "users"},
    "imports": None,  # [imports.<name>] tables, checked by import_formats
    "targets": None,  # [[targets]], checked by parse_targets
}


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Mailing:
    """Who gets a scheduled mailing, and from which day of its period (`[summary]`, `[factsheet]`)."""

    recipients: tuple[str, ...] = ()
    day: int = 1


@dataclass(frozen=True)
class SlackAccess:
    """`[slack]`: the only channels and users the bot answers (empty: everyone in the workspace)."""

    channels: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Config:
    area: str = DEFAULT_AREA
    compare: tuple[str, ...] = ("000",)
    targets: tuple[Target, ...] = ()
    path: Path | None = None
    summary: Mailing = Mailing(day=5)
    factsheet: Mailing = Mailing(day=10)
    operations: tuple[str, ...] = ()
    schedule: Mapping[str, str] = field(default_factory=dict)  # job -> cron, over the service's defaults
    # job -> `t5.toml, linje 33, [schedule] summary`: the scheduler checks the lines, and names them so
    schedule_where: Mapping[str, str] = field(default_factory=dict)
    slack: SlackAccess = SlackAccess()
    imports: tuple[ImportFormat, ...] = ()  # the configured [imports.*] formats, then the catalogue's

    def target(self, target_id: str) -> Target | None:
        """The configured target with this id, or None."""
        return next((t for t in self.targets if t.id == target_id), None)


# The shipped example (a copy of the repository's faktabot.toml): what runs when no file was asked for.
EXAMPLE_PATH = Path(__file__).with_name("faktabot.example.toml")


def load_config(path: Path, areas: Areas | None = None, catalogue: Catalogue | None = None) -> Config:
    """Read `path`; a missing or unreadable file is an error that names the path tried."""
    areas = areas or default_areas()
    catalogue = catalogue or default_catalogue()
    if not path.is_file():
        key = "config_is_folder" if path.is_dir() else "config_missing"
        raise ConfigError(messages()[key].format(path=path.absolute()))
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(wording("config_not_utf8", path=path)) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib's own words are English; only its position is passed on.
        if "at end of document" in str(error):
            # tomllib names no line for a value left open to the end (an unclosed »[«): say what to look for.
            raise ConfigError(wording("config_toml_at_end", path=path)) from None
        at = re.search(r"line (\d+), column (\d+)", str(error))
        where_in_file = wording("config_toml_at", line=at[1], column=at[2]) if at else ""
        raise ConfigError(wording("config_not_toml", path=path, where=where_in_file)) from None
    except OSError as error:
        raise ConfigError(wording("config_unreadable", path=path, error=error.strerror)) from None
    where = _Where(path, text)
    _check_keys(data, where)
    municipality = data.get("municipality", {})
    area = _area(municipality.get("area", DEFAULT_AREA), areas, where("municipality", "area"))
    compare_raw = _list(municipality.get("compare", ["000"]), where("municipality", "compare"))
    compare = tuple(_area(c, areas, where("municipality", "compare")) for c in compare_raw)
    raw_targets = data.get("targets", [])
    if not isinstance(raw_targets, list):
        raise ConfigError(wording("config_targets_not_sections", where=where("targets")))
    # Names such as "Ballerup" or "Region H" become DST codes before the rules check the codes.
    resolved = [_resolve_areas(t, areas) if isinstance(t, dict) else t for t in raw_targets]
    try:
        targets = parse_targets(resolved, indicator_facts(catalogue), {a.code: a.name for a in areas},
                                default_area=area, default_compare=compare[0] if compare else "000")
    except TargetError as error:
        line = where.target_line(error.position)
        raise ConfigError(wording("config_target", path=path, line=wording("config_line", line=line) if line else "",
                                  error=target_error_text(error))) from None
    try:
        formats = import_formats(catalogue, areas, data.get("imports"), str(path))
    except FileImportError as error:
        raise ConfigError(str(error)) from None
    return Config(
        area=area, compare=compare, targets=targets, path=path,
        summary=_mailing(data, "summary", 5, 28, where),
        factsheet=_mailing(data, "factsheet", 10, 28, where),
        operations=_recipients(data.get("operations", {}).get("recipients", []), where("operations", "recipients")),
        schedule=_schedule(data.get("schedule", {}), where),
        schedule_where={job: where("schedule", job) for job in data.get("schedule", {})},
        slack=SlackAccess(
            channels=frozenset(_strings(data.get("slack", {}).get("channels", []), where("slack", "channels"))),
            users=frozenset(_strings(data.get("slack", {}).get("users", []), where("slack", "users")))),
        imports=tuple(formats),
    )


def indicator_facts(catalogue: Catalogue) -> dict[str, IndicatorInfo]:
    """What the rules need to know of each indicator, as plain data (`rules` cannot read the catalogue)."""
    counts = {i.rate: i.id for i in catalogue if i.rate}  # "ledighedsprocent" is counted by "ledige"
    def parts(indicator) -> tuple[tuple[str, tuple[str, ...]], ...]:
        kinds = catalogue.breakdowns
        return tuple((key, tuple(dict.fromkeys(kinds[key].values.values())) if key in kinds else ())
                     for key in indicator.breakdowns)

    return {i.id: IndicatorInfo(i.better, i.frequency, i.format, counts.get(i.id), parts(i)) for i in catalogue}


class _Where:
    """`faktabot.toml, line 15, [summary] day` for a message: the file, the line, the entry."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, section: str, key: str | None = None) -> int | None:
        header = re.compile(rf"\s*\[{re.escape(section)}\]")
        for number, line in enumerate(self.lines, 1):
            if header.match(line):
                if key is None:
                    return number
                for offset, inner in enumerate(self.lines[number:], number + 1):
                    if re.match(r"\s*\[", inner):
                        break
                    if re.match(rf"\s*{re.escape(key)}\s*=", inner):
                        return offset
                return number
        return None

    def __call__(self, section: str, key: str | None = None) -> str:
        line = self.line_of(section, key)
        entry = f"[{section}]" + (f" {key}" if key else "")
        return wording("config_where", path=self.path, line=wording("config_line", line=line) if line else "",
                       entry=entry)

    def target_line(self, position: int | None) -> int | None:
        """The line of the `position`-th [[targets]] header, so the message points into the file."""
        if position is None:
            return None
        headers = [n for n, line in enumerate(self.lines, 1) if re.match(r"\s*\[\[\s*targets\s*\]\]", line)]
        return headers[position] if position < len(headers) else None


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    if close:
        return wording("config_did_you_mean", word=close[0])
    return wording("config_use_one_of", words=", ".join(sorted(choices)))


def _check_keys(data: dict, where: _Where) -> None:
    for section, value in data.items():
        if section not in SECTIONS:
            line = where.line_of(section)
            raise ConfigError(wording("config_unknown_section", path=where.path, section=section,
                                      line=wording("config_line", line=line) if line else "",
                                      hint=_did_you_mean(section, SECTIONS)))
        keys = SECTIONS[section]
        if keys is None:
            continue
        if not isinstance(value, dict):
            raise ConfigError(wording("config_not_section", where=where(section), section=section))
        for key in value:
            if key not in keys:
                raise ConfigError(wording("config_unknown_key", where=where(section, key), key=key,
                                          hint=_did_you_mean(key, keys)))


def _list(value: object, where: str) -> list:
    if not isinstance(value, list):
        raise ConfigError(wording("config_not_list", where=where, value=value))
    return value


def _strings(value: object, where: str) -> list[str]:
    items = _list(value, where)
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(wording("config_not_text", where=where, value=item))
    return items


# Parameters of a TargetError that hold a word of code ("month", "lower"), said in Danish by `target_word_…`.
_TARGET_WORDS = ("period_kind", "frequency", "direction")


def target_error_text(error: TargetError) -> str:
    """A target mistake from rules/ (a code and its values) as the Danish sentence of messages.toml."""
    params = dict(error.params)
    for name in _TARGET_WORDS:
        if name in params:
            params[name] = wording(f"target_word_{name}_{params[name]}")
    for name, value in params.items():
        if isinstance(value, tuple):  # choices: "ceiling, floor eller change"
            params[name] = wording("target_choices", first=", ".join(value[:-1]), last=value[-1]) \
                if len(value) > 1 else str(value[0])
    if "close" in params:  # a misspelling: suggest the near word, else say where the words are
        params["fix"] = wording("target_did_you_mean", close=params["close"]) if params["close"] \
            else wording(f"target_{error.code}_fix", **params)
    text = wording(f"target_{error.code}", **params)
    return wording("target_named", id=error.target, problem=text) if error.target else text


def _recipients(value: object, where: str) -> tuple[str, ...]:
    for recipient in _list(value, where):
        if problem := recipient_problem(recipient):
            raise ConfigError(wording("config_recipient", where=where,
                                      problem=wording(f"target_{problem}", recipient=recipient)))
    return tuple(dict.fromkeys(value))


def _mailing(data: dict, section: str, default_day: int, last_day: int, where: _Where) -> Mailing:
    raw = data.get(section, {})
    day = raw.get("day", default_day)
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= last_day:
        raise ConfigError(wording("config_bad_day", where=where(section, "day"), day=day, last=last_day,
                                  example=default_day))
    return Mailing(_recipients(raw.get("recipients", []), where(section, "recipients")), day)


def _schedule(raw: dict, where: _Where) -> dict[str, str]:
    for job, expression in raw.items():
        if not isinstance(expression, str):
            raise ConfigError(wording("config_not_cron", where=where("schedule", job), value=expression))
    return dict(raw)


def _resolve_areas(target: dict, areas: Areas) -> dict:
    resolved = dict(target)
    for key in ("area", "compare_area"):
        value = target.get(key)
        if isinstance(value, str) and value not in areas.by_code and (found := areas.lookup(value)):
            resolved[key] = found.code
    return resolved


def _area(value: object, areas: Areas, where: str) -> str:
    text = str(value)
    if text in areas.by_code:
        return text
    found = areas.lookup(text)
    if found is None:
        # As a target's area does (rules.targets): the close name and its code, »Balerup« → Ballerup.
        names = {area.name: code for code, area in areas.by_code.items()}
        close = difflib.get_close_matches(text.strip(), list(names), n=1, cutoff=0.75)
        if close:
            raise ConfigError(wording("config_area_close", where=where, area=text, code=names[close[0]],
                                      name=close[0]))
        raise ConfigError(wording("config_unknown_area", where=where, area=text))
    return found.code
