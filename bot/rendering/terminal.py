"""Terminal text: the command line's one-line messages (`templates/messages.toml`) and Slack
mrkdwn turned into plain text. Pure apart from printing in `say`.
"""
from __future__ import annotations

import re
import sys
from typing import TextIO

from bot.rendering.render import slack_unescape
from indicators import wording

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

