"""Render data (answers, errors) into Danish text with the jinja2 templates in `templates/`. Pure.

Handlers return dataclasses; this module and the templates make the words. Slack text escapes
`&`, `<` and `>` in data (the `slack` filter); HTML templates autoescape.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

import templates
from bot.rendering import formats
from indicators.catalogue import default_catalogue

TEMPLATE_DIR = Path(templates.__file__).parent


def slack_escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sentence(text: str) -> str:
    """End a sentence with one full stop, also after an abbreviation such as `pct.`."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def breakdown_text(breakdown: str) -> str:
    """`køn=Kvinder;ydelse=A-dagpenge` -> `Kvinder, A-dagpenge` (values only; keys are for machines)."""
    return ", ".join(part.split("=", 1)[1] for part in breakdown.split(";") if "=" in part)


def breakdown_key(key: str) -> str:
    """A breakdown key as the catalogue names it for users (`gruppe` -> `målgruppe`)."""
    kind = default_catalogue().breakdowns.get(key)
    return kind.name if kind else key


def breakdown_keys(breakdown: str) -> str:
    """`køn=Kvinder;ydelse=A-dagpenge` -> `køn og ydelse`, named as the catalogue names them."""
    names = [breakdown_key(part.split("=", 1)[0]) for part in breakdown.split(";") if "=" in part]
    return " og ".join(names)


def source_parts(source: str) -> tuple[str, str]:
    """`jobindsats:y25i01` -> (`jobindsats`, `y25i01`); `eksempeldata` -> (`eksempeldata`, ``)."""
    kind, _, table = source.partition(":")
    return kind, table


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        number=formats.number,
        period=formats.period,
        day=formats.day,
        signed=formats.change,
        slack=slack_escape,
        sentence=sentence,
        breakdown_text=breakdown_text,
        breakdown_key=breakdown_key,
        breakdown_keys=breakdown_keys,
        source_parts=source_parts,
    )
    env.globals["months"] = formats.MONTHS
    return env


def render(name: str, **context) -> str:
    """Render `templates/<name>` and strip blank lines at both ends."""
    return environment().get_template(name).render(**context).strip()
