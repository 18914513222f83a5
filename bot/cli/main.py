"""The command line (`faktabot`, also `python -m bot`): the parser, the handlers' table and the
error edge. User errors exit 1 with one line; no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.alerting.watch import AlertError
from bot.cli import alerts as alert_commands
from bot.cli import commands
from bot.cli import refresh as refresh_commands
from bot.cli import files as files_commands
from bot.cli import sources as sources_commands
from bot.cli import summary as summary_commands
from bot.cli.errors import UserError
from bot.config import ConfigError, load_config
from bot.reports.summary_mailing import SummaryError
from bot.settings import SettingsError, load_settings
from indicators.catalogue import CatalogueError
from indicators.store import StoreError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faktabot", description="Faktabot: a jobcenter's key figures and targets.")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = subcommands.add_parser("init", help="create store.db and load the shipped sample data")
    init.add_argument("--if-missing", action="store_true", help="do nothing if the store exists (used by make run)")
    ask = subcommands.add_parser("ask", help="answer a question exactly as the bot would in Slack")
    ask.add_argument("text", help='the question, e.g. "ledighed maj"')
    ask.add_argument("--area", help="kommune, region or DST code (default: the configured kommune)")
    ask.add_argument("--json", action="store_true", help="print one JSON object (stable contract)")
    ask.add_argument("--chart", metavar="FILE.png", help="also write the answer's chart as a PNG")
    subcommands.add_parser("chat", help="talk to the bot in the terminal")
    sheet = subcommands.add_parser("factsheet", help="the seven fact pages of a quarter as a PDF")
    sheet.add_argument("--quarter", help="e.g. 2026-Q2 (default: the current quarter, i.e. the newest figures)")
    sheet.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    subcommands.add_parser("run", help="start the bot (terminal chat until the Slack service is configured)")
    subcommands.add_parser("status", help="what the store holds: sources, rows, newest periods, last runs")
    alert_commands.add_parsers(subcommands)
    summary_commands.add_parser(subcommands)
    refresh_commands.add_parser(subcommands)
    sources_commands.add_parser(subcommands)
    files_commands.add_parser(subcommands)
    return parser


HANDLERS = {
    "init": commands.cmd_init, "ask": commands.cmd_ask, "chat": commands.cmd_chat, "run": commands.cmd_run,
    "status": commands.cmd_status, "factsheet": commands.cmd_factsheet,
    "targets": alert_commands.cmd_targets, "alerts": alert_commands.cmd_alerts,
    "summary": summary_commands.cmd_summary, "refresh": refresh_commands.cmd_refresh,
    "sources": sources_commands.cmd_sources, "files": files_commands.cmd_files,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        config = load_config(settings.config_path)
        return HANDLERS[args.command](args, settings, config)
    except (UserError, StoreError, SettingsError, ConfigError, CatalogueError, SummaryError, AlertError) as error:
        print(f"faktabot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
