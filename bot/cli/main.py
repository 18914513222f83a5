"""The command line (`faktabot`, also `python -m bot`): the parser, the handlers' table and the
error edge. User errors exit 1 with one line; no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import sqlite3
import sys
from collections.abc import Collection, Sequence
from pathlib import Path

from bot.cli.arguments import DanishParser, translate
from bot.cli.errors import UserError
from bot.config import EXAMPLE_PATH, Config, ConfigError, load_config
from bot.rendering.terminal import messages, say
from bot.service import ServiceError
from bot.settings import Settings, SettingsError, load_settings
from indicators.catalogue import CatalogueError
from indicators.store import StoreError, busy_store

# Every command, in the order `--help` lists them, with the module and function that handle it.
# Start-up time: a command's module is imported only when that command runs (`ask` must not pay for
# the service's scheduler, the PDF builder or the HTTP client); `--help` lists every command from
# templates/messages.toml without importing any of them.
HANDLERS: dict[str, tuple[str, str]] = {
    "init": ("bot.cli.commands", "cmd_init"), "ask": ("bot.cli.commands", "cmd_ask"),
    "chat": ("bot.cli.commands", "cmd_chat"), "factsheet": ("bot.cli.commands", "cmd_factsheet"),
    "run": ("bot.cli.commands", "cmd_run"), "status": ("bot.cli.commands", "cmd_status"),
    "targets": ("bot.cli.alerts", "cmd_targets"), "alerts": ("bot.cli.alerts", "cmd_alerts"),
    "summary": ("bot.cli.summary", "cmd_summary"), "refresh": ("bot.cli.refresh", "cmd_refresh"),
    "config": ("bot.cli.operations", "cmd_config"), "backup": ("bot.cli.operations", "cmd_backup"),
    "restore": ("bot.cli.operations", "cmd_restore"), "sources": ("bot.cli.sources", "cmd_sources"),
    "files": ("bot.cli.files", "cmd_files"), "mail": ("bot.cli.mail", "cmd_mail"),
}
# Commands whose arguments their own module defines (`add_parser` or `add_parsers`); the others' are below.
ARGUMENTS_IN = {"targets": ("bot.cli.alerts", "add_parsers"), "alerts": ("bot.cli.alerts", "add_parsers"),
                "summary": ("bot.cli.summary", "add_parser"), "refresh": ("bot.cli.refresh", "add_parser"),
                "sources": ("bot.cli.sources", "add_parser"), "files": ("bot.cli.files", "add_parser"),
                "mail": ("bot.cli.mail", "add_parser")}
# The user errors the edge turns into one line, by module: a module that was never imported raised none.
USER_ERRORS = {"bot.alerting.watch": "AlertError", "bot.reports.summary_mailing": "SummaryError"}

def build_parser(detailed: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. With `detailed`, only those commands get their arguments (importing
    the module that defines them); the others are listed by name and description, which is all that
    `--help` and choosing a command need."""
    parser = DanishParser(
        prog="faktabot", description="Faktabot: jobcentrets nøgletal og mål i Slack, e-mail og terminalen.",
        epilog='Eksempel: faktabot ask "ledighed maj". Hjælp til en kommando: faktabot KOMMANDO --help')
    parser.add_argument("--version", action=_Version, help="show program's version number and exit")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # A module that defines several commands' arguments defines them together (targets and alerts).
    modules = {ARGUMENTS_IN[name] for name in detailed or () if name in ARGUMENTS_IN}
    for name in HANDLERS:
        if name in subcommands.choices:  # added with a sibling
            continue
        if detailed is not None and name not in detailed and ARGUMENTS_IN.get(name) not in modules:
            subcommands.add_parser(name, help="")  # the help, as every command's, comes from _describe
        elif name in ARGUMENTS_IN:
            module, adder = ARGUMENTS_IN[name]
            getattr(importlib.import_module(module), adder)(subcommands)
        else:
            _add_arguments(name, subcommands.add_parser(name, help=""))
    _describe(subcommands)
    translate(parser)
    return parser


def _add_arguments(name: str, command: argparse.ArgumentParser) -> None:
    """The arguments of the commands this module defines."""
    match name:
        case "init":
            command.add_argument("--if-missing", action="store_true",
                                 help="do nothing if the store exists (used by make run)")
        case "ask":
            command.add_argument("text", help='the question, e.g. "ledighed maj"')
            command.add_argument("--area", help="kommune, region or DST code (default: the configured kommune)")
            command.add_argument("--json", action="store_true", help="print one JSON object (stable contract)")
            command.add_argument("--chart", metavar="FILE.png", help="also write the answer's chart as a PNG")
        case "chat":
            command.add_argument("--json", action="store_true",
                                 help="read one question per line, print one JSON object per line (as ask --json)")
        case "factsheet":
            command.add_argument("--quarter",
                                 help="e.g. 2026-Q2 (default: the newest complete quarter whose figures are in)")
            command.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
        case "status":
            command.add_argument("--json", action="store_true", help="the service's health as one JSON object")
            command.add_argument("--check", action="store_true",
                                 help="one line for monitoring; exit 0 ok, 1 warning (stale, a failed delivery), "
                                      "2 critical")
        case "config":
            command.add_argument("--check", action="store_true", required=True,
                                 help="validate and print (secrets hidden)")
        case "backup":
            command.add_argument("path", help="the new file to write, e.g. store-2026-11-30.db")
        case "restore":
            command.add_argument("path", help="a file written by `faktabot backup`")


def _describe(subcommands: argparse._SubParsersAction) -> None:
    """Each command's line in the list and its own --help: a Danish description and an example
    (templates/messages.toml [commands])."""
    for listed in subcommands._choices_actions:
        listed.help = messages()["commands"][listed.dest][0]
    for name, command in subcommands.choices.items():
        description, example = messages()["commands"][name]
        command.description = description
        command.epilog = f"Eksempel: {example}"


def _chosen(argv: Sequence[str]) -> set[str]:
    """The command named in `argv`: the first word that is not an option (the top level's options,
    --help and --version, take no value)."""
    return {next((word for word in argv if not word.startswith("-")), "")}


class _Version(argparse.Action):
    """--version, which looks the installed version up only when asked (importlib.metadata is slow to load)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(messages()["version"].format(version=_version()))
        parser.exit()


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("faktabot")
    except metadata.PackageNotFoundError:  # a checkout run without installing
        return "0+unknown"


def _config_for(settings: Settings) -> Config:
    """The file FAKTABOT_CONFIG names (missing: an error), else ./faktabot.toml, else the built-in
    example, announced on stderr so nobody mistakes it for their own."""
    path = settings.config_path
    if not settings.config_chosen and not path.exists():
        say("config_example", out=sys.stderr, folder=Path.cwd(), path=EXAMPLE_PATH)
        path = EXAMPLE_PATH
    return load_config(path)


def _raised_errors() -> tuple[type[Exception], ...]:
    """The user errors of `USER_ERRORS` whose modules are loaded; evaluated when an exception is
    being matched, so the handler's own imports have happened by then."""
    return tuple(getattr(sys.modules[module], name) for module, name in USER_ERRORS.items() if module in sys.modules)


def _collect_again() -> None:
    """Turn the cycle collector back on if `bot.__main__.console` turned it off for the start-up,
    first setting aside what the start-up loaded (modules, tables: kept for the whole process anyway),
    so that a long `run` collects its own garbage without walking those again and again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_chosen(argv)).parse_args(argv)
    loaded = False
    try:
        settings = load_settings()
        config = _config_for(settings)
        loaded = True
        if args.command == "status" and (args.json or args.check):
            module, handler = "bot.cli.operations", "cmd_status_machine"
        else:
            module, handler = HANDLERS[args.command]
        run = getattr(importlib.import_module(module), handler)
        _collect_again()
        return run(args, settings, config)
    except (UserError, StoreError, SettingsError, ConfigError, CatalogueError, ServiceError, *_raised_errors()) \
            as error:
        print(f"faktabot: {error}", file=sys.stderr)
        if not loaded and args.command == "status" and getattr(args, "check", False):
            # Settings or faktabot.toml the service cannot start with: for a monitor that is the
            # service down (critical), not the warning that exit 1 reads as.
            unusable = messages()["check_findings"]["unusable"].format(subject="", detail=error)
            print(f"FAKTABOT CRITICAL - {unusable}")
            return 2
        return 1
    except sqlite3.OperationalError as error:
        # A write outside the store's own translation (the alerts' ledger, the mail questions) that
        # waited in vain for another process's lock: said as the store's own writes say it.
        busy = busy_store(error, settings.db_path) if loaded else None
        if busy is None:
            raise
        print(f"faktabot: {busy}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`faktabot targets | head`): not an error; silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
