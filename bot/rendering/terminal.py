"""Terminal text: the command line's one-line messages (`templates/messages.toml`), the notes on what a
refresh or file import did (printed by `faktabot refresh`, logged by the inbox job) and Slack mrkdwn
turned into plain text. Pure apart from printing in `say`.
"""
from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, TextIO

from bot.rendering import formats
from bot.rendering.render import slack_unescape
from indicators import wording
from indicators.catalogue import default_catalogue

if TYPE_CHECKING:  # the type only: `faktabot ask` prints through this module and never loads a refresh
    from indicators.refresh import RunResult

_MRKDWN = re.compile(r"(?<![\w*_])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*_])")
# Control characters other than tab and line feed: from data they could move the cursor or recolour
# the terminal (ANSI escape sequences), or hide a line in an email's plain part.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def messages() -> dict:
    """The command line's messages, by key (`templates/messages.toml`, parsed once with the errors'
    words in `indicators.wording`)."""
    return wording.messages()


def say(key: str, out: TextIO | None = None, **values: object) -> None:
    """Print the message `key`, filled in with `values`, to `out` (standard output by default)."""
    print(messages()[key].format(**values), file=out or sys.stdout)


def run_notes(result: RunResult) -> str:
    """What a run did beside storing its rows, as sentences each with a leading space: eksempeldata
    replaced, a file's totals summed from its parts or its eksempeldata total removed, values kept,
    derived values updated, rows skipped. `refresh_done`'s {extra}, and the inbox job's log line."""
    notes = []
    if result.replaced_sample:
        notes.append(messages()["refresh_sample_replaced"].format(count=formats.number(result.replaced_sample)))
    for said in result.totals:  # a file with every part and no »I alt« (indicators.totals)
        name, parts = default_catalogue().get(said.indicator).name, ", ".join(said.parts)
        if said.computed:
            notes.append(messages()["refresh_total_computed"].format(
                indicator=name, parts=parts, count=formats.number(said.computed)))
        if said.removed:
            notes.append(messages()["refresh_total_removed"].format(
                indicator=name, parts=parts, count=formats.number(said.removed),
                areas=messages()["refresh_area_one" if said.removed == 1 else "refresh_area_many"]))
    if result.kept_values:
        notes.append(messages()["refresh_values_kept"].format(count=formats.number(result.kept_values)))
    if result.derived:
        notes.append(messages()["refresh_derived"].format(count=formats.number(result.derived)))
    if result.skipped:
        notes.append(messages()["refresh_rows_skipped"].format(
            count=formats.number(sum(result.skipped.values())), reasons=", ".join(sorted(result.skipped))[:200]))
    return "".join(notes)


def without_controls(text: str) -> str:
    """Plain text with the control characters (but tab and line feed) taken out."""
    return _CONTROL.sub("", text)


def for_terminal(text: str) -> str:
    """Slack mrkdwn to plain terminal text: emoji codes to emoji, *bold* and _italic_ markers dropped,
    Slack's `&amp;`, `&lt;`, `&gt;` turned back into characters and control characters removed."""
    from rich.emoji import (
        Emoji,  # start-up time: rich loads only when something is printed this way
    )

    return _CONTROL.sub("", slack_unescape(_MRKDWN.sub(r"\2", Emoji.replace(text))))

