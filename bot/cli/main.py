"""The command line (`faktabot`, also `python -m bot`): the parser, the handlers' table and the
error edge. User errors exit 1 with one line; no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from bot.alerting.watch import AlertError
from bot.cli import alerts as alert_commands
from bot.cli import commands, operations
from bot.cli import files as files_commands
from bot.cli import refresh as refresh_commands
from bot.cli import sources as sources_commands
from bot.cli import summary as summary_commands
from bot.cli.arguments import DanishParser, translate
from bot.cli.errors import UserError
from bot.config import EXAMPLE_PATH, Config, ConfigError, load_config
from bot.rendering.terminal import messages, say
from bot.reports.summary_mailing import SummaryError
from bot.service import ServiceError
from bot.settings import Settings, SettingsError, load_settings
from indicators.catalogue import CatalogueError
from indicators.store import StoreError


def build_parser() -> argparse.ArgumentParser:
    parser = DanishParser(
        prog="faktabot", description="Faktabot: jobcentrets nøgletal og mål i Slack, e-mail og terminalen.",
        epilog='Eksempel: faktabot ask "ledighed maj". Hjælp til en kommando: faktabot KOMMANDO --help')
    parser.add_argument("--version", action="version", version=messages()["version"].format(version=_version()))
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = subcommands.add_parser("init", help="create store.db and load the shipped sample data")
    init.add_argument("--if-missing", action="store_true", help="do nothing if the store exists (used by make run)")
    ask = subcommands.add_parser("ask", help="answer a question exactly as the bot would in Slack")
    ask.add_argument("text", help='the question, e.g. "ledighed maj"')
    ask.add_argument("--area", help="kommune, region or DST code (default: the configured kommune)")
    ask.add_argument("--json", action="store_true", help="print one JSON object (stable contract)")
    ask.add_argument("--chart", metavar="FILE.png", help="also write the answer's chart as a PNG")
    chat = subcommands.add_parser("chat", help="talk to the bot in the terminal; follow-ups keep the question before")
    chat.add_argument("--json", action="store_true",
                      help="read one question per line, print one JSON object per line (as ask --json)")
    sheet = subcommands.add_parser("factsheet", help="the seven fact pages of a quarter as a PDF")
    sheet.add_argument("--quarter", help="e.g. 2026-Q2 (default: the newest complete quarter whose figures are in)")
    sheet.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    subcommands.add_parser("run", help="start the bot (terminal chat until the Slack service is configured)")
    status = subcommands.add_parser("status", help="what the store holds: sources, rows, newest periods, last runs")
    status.add_argument("--json", action="store_true", help="the service's health as one JSON object")
    status.add_argument("--check", action="store_true",
                        help="one line for monitoring; exit 0 ok, 1 warning (stale, a failed delivery), 2 critical")
    alert_commands.add_parsers(subcommands)
    summary_commands.add_parser(subcommands)
    refresh_commands.add_parser(subcommands)
    config = subcommands.add_parser("config", help="validate faktabot.toml and print the effective configuration")
    config.add_argument("--check", action="store_true", required=True, help="validate and print (secrets hidden)")
    backup = subcommands.add_parser("backup", help="a consistent copy of the live store")
    backup.add_argument("path", help="the new file to write, e.g. store-2026-11-30.db")
    restore = subcommands.add_parser("restore", help="put a backup in place of the store, after checking it")
    restore.add_argument("path", help="a file written by `faktabot backup`")
    sources_commands.add_parser(subcommands)
    files_commands.add_parser(subcommands)
    _describe(subcommands)
    translate(parser)
    return parser


def _describe(subcommands: argparse._SubParsersAction) -> None:
    """Each command's --help: a Danish description and an example (templates/messages.toml [commands])."""
    for name, command in subcommands.choices.items():
        description, example = messages()["commands"][name]
        command.description = description
        command.epilog = f"Eksempel: {example}"


def _version() -> str:
    try:
        return metadata.version("faktabot")
    except metadata.PackageNotFoundError:  # a checkout run without installing
        return "0+unknown"


HANDLERS = {
    "init": commands.cmd_init, "ask": commands.cmd_ask, "chat": commands.cmd_chat, "run": commands.cmd_run,
    "status": commands.cmd_status, "factsheet": commands.cmd_factsheet,
    "targets": alert_commands.cmd_targets, "alerts": alert_commands.cmd_alerts,
    "summary": summary_commands.cmd_summary, "refresh": refresh_commands.cmd_refresh,
    "config": operations.cmd_config, "backup": operations.cmd_backup, "restore": operations.cmd_restore,
    "sources": sources_commands.cmd_sources, "files": files_commands.cmd_files,
}


def _config_for(settings: Settings) -> Config:
    """The file FAKTABOT_CONFIG names (missing: an error), else ./faktabot.toml, else the built-in
    example, announced on stderr so nobody mistakes it for their own."""
    path = settings.config_path
    if not settings.config_chosen and not path.exists():
        say("config_example", out=sys.stderr, folder=Path.cwd(), path=EXAMPLE_PATH)
        path = EXAMPLE_PATH
    return load_config(path)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        config = _config_for(settings)
        if args.command == "status" and (args.json or args.check):
            return operations.cmd_status_machine(args, settings, config)
        return HANDLERS[args.command](args, settings, config)
    except (UserError, StoreError, SettingsError, ConfigError, CatalogueError, SummaryError, AlertError,
            ServiceError) as error:
        print(f"faktabot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`faktabot targets | head`): not an error; silence the flush at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
