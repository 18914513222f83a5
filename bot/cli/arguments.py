"""The command line's parser in Danish: argparse with its usage line, headings, -h/--help text and
error messages taken from templates/messages.toml ([parser], [options], [metavars]). No I/O but
printing the error and exiting, as argparse does.

argparse writes its own words through gettext and ships no Danish catalogue, so they are replaced
here: the headings and help action when a parser is made, the errors by matching argparse's English
sentences (stable since Python 3.2) and saying them again from the templates.
"""
from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from bot.rendering.terminal import messages

# argparse's error sentences (Python 3.11-3.13) and the [parser] key that says each in Danish.
_ERRORS = (
    (re.compile(r"the following arguments are required: (?P<names>.+)"), "required"),
    (re.compile(r"argument (?P<argument>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"),
     "invalid_choice"),
    (re.compile(r"unrecognized arguments: (?P<names>.+)"), "unrecognized"),
    (re.compile(r"argument (?P<argument>\S+): expected one argument"), "expected_one"),
    (re.compile(r"argument (?P<argument>\S+): expected at least one argument"), "expected_more"),
    (re.compile(r"argument (?P<argument>\S+): invalid \S+ value: (?P<value>.+)"), "invalid_value"),
    (re.compile(r"argument (?P<argument>\S+): not allowed with argument (?P<other>\S+)"), "not_allowed_with"),
    (re.compile(r"one of the arguments (?P<names>.+) is required"), "one_required"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)"), "ambiguous"),
)


def danish_error(message: str) -> str:
    """argparse's English error `message` said in Danish; an unknown one becomes a general line."""
    words = messages()["parser"]
    for pattern, key in _ERRORS:
        if found := pattern.fullmatch(message):
            return words[key].format(**found.groupdict())
    return words["other"]


class DanishFormatter(argparse.HelpFormatter):
    """Help text with a Danish usage prefix."""

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else messages()["parser"]["usage"])


class DanishParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word is Danish; subcommands' parsers are made of this class too."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", DanishFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        words = messages()["parser"]
        self._positionals.title = words["positionals"]
        self._optionals.title = words["optionals"]
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=words["help"])

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, messages()["parser"]["error"].format(prog=self.prog, message=danish_error(message)) + "\n")


def translate(parser: argparse.ArgumentParser, command: str = "") -> None:
    """Put the Danish help text and placeholders of templates/messages.toml on every option of
    `parser` and its subcommands (KeyError for an option without Danish help: tests catch that)."""
    options, metavars = messages()["options"], messages()["metavars"]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            action.metavar = metavars["COMMAND"]
            for name, subparser in action.choices.items():
                translate(subparser, f"{command} {name}".strip())
            for choice in action._choices_actions:
                full = f"{command} {choice.dest}".strip()
                choice.help = options[full] if full in options else messages()["commands"][full][0]
                action.choices[choice.dest].description = action.choices[choice.dest].description or choice.help
            continue
        name = action.option_strings[-1] if action.option_strings else action.dest
        action.help = options[f"{command} {name}".strip()]
        if action.nargs != 0 and not action.choices:
            english = action.metavar or action.dest
            action.metavar = metavars.get(english, english.upper())
