"""The command line (`faktabot`, also `python -m bot`): the composition root for the terminal.

Parses arguments, builds settings, store and vocabulary, calls the pure parts and prints.
User errors exit 1 with one line; no traceback reaches the user.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import tomllib
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import TextIO

from rich.emoji import Emoji

from bot import alert_commands, formats, refresh_commands, render, summary_commands
from bot.alerts import AlertError
from bot.config import Config, ConfigError, load_config
from bot.conversation import reply
from bot.settings import Settings, SettingsError, load_settings
from bot.summary_delivery import SummaryError
from bot.target_context import TargetContext
from indicators import sampledata
from indicators.catalogue import CatalogueError, default_areas
from indicators.store import Store, StoreError


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""


@cache
def messages() -> dict[str, str]:
    with open(render.TEMPLATE_DIR / "messages.toml", "rb") as handle:
        return tomllib.load(handle)


def say(key: str, out: TextIO = sys.stdout, **values) -> None:
    print(messages()[key].format(**values), file=out)


_MRKDWN = re.compile(r"(?<![\w*_])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*_])")


def for_terminal(text: str) -> str:
    """Slack mrkdwn to plain terminal text: emoji codes to emoji, *bold* and _italic_ markers dropped."""
    return _MRKDWN.sub(r"\2", Emoji.replace(text))


def _area_option(value: str | None) -> str | None:
    if value is None:
        return None
    found = default_areas().lookup(value) or default_areas().by_code.get(value)
    if found is None:
        raise UserError(f"unknown area {value!r}; use a kommune name (e.g. Aarhus), a region or a DST code such as 151")
    return found.code


def _open_store(settings: Settings) -> Store:
    return Store(settings.db_path)


def cmd_init(args, settings: Settings, config: Config) -> int:
    path = settings.db_path
    if path.exists() and path.stat().st_size > 0:
        with Store(path) as store:
            say("init_exists", path=path, rows=f"{store.count():,}".replace(",", "."))
        return 0
    from rich.progress import Progress

    started = time.perf_counter()
    with Store(path, create=True) as store, Progress(transient=True) as progress:
        task = progress.add_task(messages()["init_loading"], total=None)
        counts = sampledata.load_into(store, on_progress=lambda n: progress.update(task, advance=n))
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    say("init_done", path=path, rows=_n(sum(counts.values())), real=_n(counts["real"]),
        sample=_n(counts["eksempeldata"]), seconds=seconds)
    return 0


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def cmd_ask(args, settings: Settings, config: Config) -> int:
    area = _area_option(args.area)
    with _open_store(settings) as store:
        context = TargetContext.load(store, config, alert_commands.now())
        result = reply(args.text, store, config, date.today(), area=area, with_chart=bool(args.chart),
                       targets=context.for_answer, target_board=context.board)
    if args.chart:
        if result.chart is None:
            raise UserError(f"no chart for {args.text!r}: the answer has fewer than two periods of data")
        Path(args.chart).write_bytes(result.chart)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(for_terminal(result.text))
    return 0 if result.understood else 1


def cmd_chat(args, settings: Settings, config: Config, stdin: TextIO = sys.stdin) -> int:
    say("chat_welcome")
    with _open_store(settings) as store:
        while True:
            try:
                print("> ", end="", flush=True)
                line = stdin.readline()
            except KeyboardInterrupt:
                line = ""
            if not line:
                print()
                break
            text = line.strip()
            if not text:
                continue
            if text.casefold() in ("farvel", "exit", "quit", "q"):
                break
            context = TargetContext.load(store, config, alert_commands.now())
            print(for_terminal(reply(text, store, config, date.today(), targets=context.for_answer,
                                     target_board=context.board).text))
    say("chat_bye")
    return 0


def cmd_run(args, settings: Settings, config: Config) -> int:
    from bot import run_command
    from bot.service import ServiceError

    try:
        return run_command.run(settings, config, chat=lambda: cmd_chat(args, settings, config),
                               slack=run_command.slack_runner(settings, config))
    except ServiceError as error:
        raise UserError(str(error)) from None


def cmd_status(args, settings: Settings, config: Config) -> int:
    with _open_store(settings) as store:
        say("status_header", path=settings.db_path, rows=_n(store.count()), revisions=_n(store.revision_count()))
        for source in store.sources_summary():
            say("status_source", source=source["source"], rows=_n(source["rows"]), newest=source["newest_period"],
                fetched=formats.day(source["fetched_at"]),
                sample=messages()["status_sample"] if source["sample_data"] else "")
        refresh_commands.print_status(store)
        alert_commands.print_status(store)
    _print_service_status(settings, config)
    return 0


def _print_service_status(settings: Settings, config: Config) -> None:
    from bot.service import InstanceLock, ServiceError, next_runs

    holder = InstanceLock(settings.db_path).holder()
    say("status_service_running" if holder else "status_service_stopped", pid=holder)
    try:
        runs = next_runs(config, alert_commands.now())
    except ServiceError as error:
        say("status_schedule_broken", error=error)
        return
    for job, moment in runs:
        say("status_next_run", job=messages()["job_names"].get(job, job), when=formats.day(moment),
            time=moment.strftime("%H:%M"))


def cmd_factsheet(args, settings: Settings, config: Config) -> int:
    from bot.factsheet_cli import current_quarter, make_factsheet, parse_quarter

    try:
        quarter = parse_quarter(args.quarter) if args.quarter else current_quarter(date.today())
    except ValueError as error:
        raise UserError(str(error)) from None
    out = Path(args.out)
    if not out.parent.exists():
        raise UserError(f"the folder {out.parent} does not exist; create it or choose another --out")
    with _open_store(settings) as store:
        pages, figures = make_factsheet(store, config, quarter, out, _target_paths(store, config))
    empty = [f.number for f in figures if f.chart is None]
    say("factsheet_done", path=out, pages=pages, quarter=formats.period(quarter), figures=len(figures) - len(empty),
        empty=messages()["factsheet_empty"].format(numbers=", ".join(empty)) if empty else "")
    return 0


def _target_paths(store: Store, config: Config):
    """The rules' target paths for the fact sheet's charts: (indicator, area) -> [(period, måltal)]."""
    return TargetContext.load(store, config, alert_commands.now()).path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="faktabot", description="Faktabot: a jobcenter's key figures and targets.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser("init", help="create store.db and load the shipped sample data")
    init.add_argument("--if-missing", action="store_true", help="do nothing if the store exists (used by make run)")
    ask = commands.add_parser("ask", help="answer a question exactly as the bot would in Slack")
    ask.add_argument("text", help='the question, e.g. "ledighed maj"')
    ask.add_argument("--area", help="kommune, region or DST code (default: the configured kommune)")
    ask.add_argument("--json", action="store_true", help="print one JSON object (stable contract)")
    ask.add_argument("--chart", metavar="FILE.png", help="also write the answer's chart as a PNG")
    commands.add_parser("chat", help="talk to the bot in the terminal")
    sheet = commands.add_parser("factsheet", help="the seven fact pages of a quarter as a PDF")
    sheet.add_argument("--quarter", help="e.g. 2026-Q2 (default: the current quarter, i.e. the newest figures)")
    sheet.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    commands.add_parser("run", help="start the bot (terminal chat until the Slack service is configured)")
    commands.add_parser("status", help="what the store holds: sources, rows, newest periods, last runs")
    alert_commands.add_parsers(commands)
    summary_commands.add_parser(commands)
    refresh_commands.add_parser(commands)
    return parser


HANDLERS = {"factsheet": cmd_factsheet, "init": cmd_init, "ask": cmd_ask, "chat": cmd_chat, "run": cmd_run, "status": cmd_status}
HANDLERS.update(targets=alert_commands.cmd_targets, alerts=alert_commands.cmd_alerts)
HANDLERS.update(summary=summary_commands.cmd_summary)
HANDLERS.update(refresh=refresh_commands.cmd_refresh)


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
