"""The indicator ids an operator types on the command line (`refresh --indicator ID`, `files template
ID`): the list of them with their Danish names, and for an unknown one the closest id (terminal side)."""
from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from bot.rendering.terminal import say
from indicators.catalogue import Catalogue, Indicator, fold
from indicators.wording import wording


def show(header: str, indicators: Iterable[Indicator], out: TextIO | None = None) -> None:
    """The `header` message, then one line per indicator: id, Danish name, fact-sheet figures."""
    say(header, out=out)
    for indicator in indicators:
        if indicator.figures:
            say("ids_line", out=out, id=indicator.id, name=indicator.name, figures=", ".join(indicator.figures))
        else:  # an extra series, on no fact page
            say("ids_line_no_figure", out=out, id=indicator.id, name=indicator.name)


def did_you_mean(word: str, catalogue: Catalogue, among: Iterable[Indicator] | None = None) -> str:
    """»; mente du 'afgangsrate' (afgangsraten)?« for the indicator of `among` closest to `word`, else
    nothing (the list printed after the error line says the rest)."""
    close = catalogue.closest(word, among)
    return "" if close is None else wording("cli_did_you_mean_indicator", id=close.id, named=named(close))


def named(indicator: Indicator) -> str:
    """» (afgangsraten)«, the Danish name after an id, unless it only repeats the id (»ledige«)."""
    if fold(indicator.name) == fold(indicator.id.replace("_", " ")):
        return ""
    return wording("cli_indicator_named", name=indicator.name)


def refuse(message: str, header: str, indicators: Iterable[Indicator]) -> int:
    """The refusal as one line on stderr (a user error is one line), the ids that are valid on
    stdout; exit status 1."""
    print(f"faktabot: {message}", file=sys.stderr)
    show(header, indicators)
    return 1
