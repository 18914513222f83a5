"""`faktabot init`, `ask`, `chat`, `status`, `factsheet` and `run`: the handlers that are not a
family of their own. Each takes the parsed arguments, the settings and the config, and returns
the exit code; user mistakes raise `UserError`. What only one handler needs is imported in that
handler, so that `ask` does not load the service, the PDF builder or the HTTP client (start-up time).
"""
from __future__ import annotations

import calendar
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import TextIO

from bot import clock
from bot.alerting.context import TargetContext
from bot.asking.conversation import Conversations, reply
from bot.cli.errors import UserError
from bot.config import Config
from bot.rendering import formats
from bot.rendering.terminal import messages, say
from bot.service import ServiceError
from bot.settings import Settings
from indicators import periods
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from indicators.wording import wording


def _area_option(value: str | None) -> str | None:
    if value is None:
        return None
    found = default_areas().lookup(value) or default_areas().by_code.get(value)
    if found is None:
        raise UserError(wording("cli_unknown_area", area=value))
    return found.code


def cmd_init(args, settings: Settings, config: Config) -> int:
    path = settings.db_path
    if path.exists() and path.stat().st_size > 0:
        with Store(path) as store:
            say("init_exists", path=path, rows=formats.number(store.count()))
        return 0
    from rich.progress import Progress

    from indicators import sampledata

    started = time.perf_counter()
    with Store(path, create=True) as store, Progress(transient=True) as progress:
        task = progress.add_task(messages()["init_loading"], total=None)
        counts = sampledata.load_into(store, on_progress=lambda n: progress.update(task, advance=n),
                                     kommune=config.area, compare=config.compare)
        rows = store.count()  # with the derived figures computed after the two loads
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    say("init_done", path=path, rows=formats.number(rows), real=formats.number(counts["real"]),
        sample=formats.number(counts["eksempeldata"]),
        derived=formats.number(max(0, rows - counts["real"] - counts["eksempeldata"])), seconds=seconds)
    return 0


def cmd_ask(args, settings: Settings, config: Config) -> int:
    area = _area_option(args.area)
    now = clock.now()
    with Store(settings.db_path) as store:
        context = TargetContext.load(store, config, now)
        result = reply(args.text, store, config, now.date(), area=area, with_chart=bool(args.chart),
                       targets=context.for_answer, target_board=context.board)
    if args.chart and result.chart is not None:
        write_out(Path(args.chart), result.chart, "--chart", "graf.png")
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(result.plain)
    if args.chart and result.chart is None:
        # The answer is printed first: it often says itself why it has no chart (one period, counts of
        # areas of different size); the exit code still tells a script that no file was written.
        raise UserError(wording("cli_no_chart", text=args.text))
    return 0 if result.understood else 1


def cmd_chat(args, settings: Settings, config: Config, stdin: TextIO = sys.stdin) -> int:
    """The terminal chat: one conversation, so "og i Aarhus?" follows the question before.
    With --json, no prompts: one question per line in, one `ask --json` object per line out."""
    as_json = bool(getattr(args, "json", False))
    if not as_json:
        say("chat_welcome")
    conversation = Conversations()
    with Store(settings.db_path) as store:
        while True:
            try:
                if not as_json:
                    print("> ", end="", flush=True)
                line = stdin.readline()
            except KeyboardInterrupt:
                line = ""
            if not line:
                if not as_json:
                    print()
                break
            text = line.strip()
            if not text:
                continue
            if text.casefold() in ("farvel", "exit", "quit", "q"):
                break
            now = clock.now()
            context = TargetContext.load(store, config, now)
            result = reply(text, store, config, now.date(), targets=context.for_answer, target_board=context.board,
                           context=conversation.get("chat", now))
            conversation.remember("chat", result, now)
            if as_json:
                print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
            else:
                print(result.plain)
    if not as_json:
        say("chat_bye")
    return 0


def cmd_run(args, settings: Settings, config: Config) -> int:
    from bot.cli import run as run_command
    from bot.cli.compose import build_service, slack_runner, web_runner
    from bot.service.healthserver import bind_health, probe, serve_health

    def after_start(service) -> None:
        # HEALTH_PORT: /health for Socket Mode and local mode (HTTP mode also answers it on PORT).
        if health is not None:
            serve_health(probe(settings, config, service.refreshers), server=health)

    try:
        # the port taken before anything starts: in use, `run` stops here with one line
        health = bind_health(settings.health_port, settings.host) if settings.health_port is not None else None
        return run_command.run(settings, config, chat=lambda: cmd_chat(args, settings, config),
                               slack=slack_runner(settings, config), build=build_service, after_start=after_start,
                               web=web_runner(settings, config))
    except ServiceError as error:
        raise UserError(str(error)) from None


def cmd_status(args, settings: Settings, config: Config) -> int:
    from bot.cli import alerts as alert_commands
    from bot.cli import refresh as refresh_commands
    from bot.cli import sources as source_commands

    with Store(settings.db_path) as store:
        say("status_header", path=settings.db_path, rows=formats.number(store.count()),
            revisions=formats.number(store.revision_count()))
        # (a forecast's coming year is no newest period)
        for source in store.sources_summary(periods.last_whole_month(clock.today()), files_together=True):
            if "latest" in source:  # every file the kommune delivered, one line: the latest named
                say("status_source_files", source=messages()["status_files"], rows=formats.number(source["rows"]),
                    newest=_shown_period(source["newest_period"]), fetched=formats.day(source["fetched_at"]), latest=source["latest"])
                continue
            say("status_source", source=source["source"], rows=formats.number(source["rows"]),
                newest=_shown_period(source["newest_period"]), fetched=formats.day(source["fetched_at"]),
                sample=messages()["status_sample"] if source["sample_data"] else "")
        refresh_commands.print_status(store)
        source_commands.print_status(store)
        _print_coverage(store, config)
        alert_commands.print_status(store, len(config.targets))
        _print_unknown_outcomes(store, settings)
        _print_slack_failures(store)
        _print_catch_up_failures(store)
    _print_service_status(settings, config)
    return 0


def _shown_period(period: str | None) -> str:
    """A stored period as a person reads it (`2026-07` -> `juli 2026`); `status --json` keeps `2026-07`."""
    return formats.period(period) if period else "–"


def _print_slack_failures(store: Store) -> None:
    """Answers and charts Slack did not take: waiting for a retry, or given up with what to do."""
    from bot.slack.records import MAX_ATTEMPTS, SlackRecords

    posts = SlackRecords(store.db, migrate=False).undelivered()
    if posts:
        say("status_slack_header")
    for post in posts:
        at = clock.local(post["finished_at"] or post["created_at"])
        retrying = post["status"] == "failed" and post["attempts"] < MAX_ATTEMPTS
        say("status_slack_row", id=post["id"], channel=post["channel"], when=formats.day(at), time=f"{at:%H:%M}",
            state=messages()["status_slack_retrying" if retrying else "status_slack_given_up"], error=post["error"])


def _print_catch_up_failures(store: Store) -> None:
    """The steps of the service's newest start-up catch-up that failed (the others were done)."""
    from bot.delivery.ledger import Ledger

    names = messages()["job_names"]
    for failure in Ledger(store.db).catch_up_failures():
        at = clock.local(failure["at"])
        step = failure["step"].replace("refresh ", "refresh_")
        say("status_catch_up_failed", when=formats.day(at), time=f"{at:%H:%M}", step=names.get(step, step),
            error=failure["error"])


def _print_unknown_outcomes(store: Store, settings: Settings) -> None:
    """Sends that may or may not have arrived, and when (or how) each goes again."""
    from bot.delivery.channels import is_email
    from bot.delivery.ledger import Ledger

    unknown = Ledger(store.db).unknown_deliveries()
    if unknown:
        say("status_unknown_header")
    for delivery in unknown:
        since = clock.local(delivery.finished_at) if delivery.finished_at else clock.now()
        hold = settings.unknown_hold
        again = since + hold if hold else None
        # an email goes with its Message-ID (a mail client shows one copy); a post shows twice if the first arrived
        email = is_email(delivery.recipient)
        how = {"how": messages()["status_unknown_same_id"] if email else "",
               "after": "" if email else messages()["status_unknown_look_first"]}
        next_step = (messages()["status_unknown_hold"].format(when=formats.day(again), time=f"{again:%H:%M}",
                                                              id=delivery.id, **how)
                     if again else messages()["status_unknown_operator"].format(id=delivery.id, **how))
        say("status_unknown_row", id=delivery.id, subject=delivery.subject, recipient=delivery.recipient,
            when=formats.day(since), time=f"{since:%H:%M}", next=next_step)


def _print_coverage(store: Store, config: Config) -> None:
    """How many of the 28 figures rest on official figures for the kommune, and which do not."""
    from bot.cli.sources import fact_sheet_titles
    from indicators.coverage import coverage
    from indicators.sources_check import figure_titles

    catalogue = default_catalogue()
    found = coverage(store, catalogue, config.area)
    # the fact sheet's own titles (2.3 »Forsørgertryk i befolkningsgrupper«): by the catalogue's
    # alone, 2.3 and 2.4 were named as 2.1, the indicator they share
    titles = {**figure_titles(catalogue), **fact_sheet_titles()}
    say("status_coverage", official=len(found.official), total=found.total,
        kommune=default_areas().by_code[config.area].name if config.area in default_areas().by_code else config.area)
    if found.rest:
        say("status_coverage_rest", figures=", ".join(f"{n} {titles.get(n, '')}".strip() for n in found.rest))
    for number, indicator, reason in found.not_computable:
        say("status_coverage_not_computable", figure=number, name=default_catalogue().get(indicator).name,
            reason=reason)


def _print_service_status(settings: Settings, config: Config) -> None:
    from bot.service.lock import InstanceLock
    from bot.service.scheduler import next_runs

    holder = InstanceLock(settings.db_path).holder()
    say("status_service_running" if holder else "status_service_stopped", pid=holder)
    try:
        runs = next_runs(config, clock.now())
    except ServiceError as error:
        say("status_schedule_broken", error=error)
        return
    for job, moment in runs:
        say("status_next_run", job=messages()["job_names"].get(job, job), when=formats.day(moment),
            time=moment.strftime("%H:%M"))


def writable(path: Path, option: str, example: str) -> None:
    """Refuse, in one Danish line, an output path that is a folder or lies in a folder that does not
    exist (they ended in IsADirectoryError and FileNotFoundError tracebacks)."""
    if path.is_dir():
        raise UserError(wording("cli_out_is_folder", path=path, option=option, example=path / example))
    if not path.parent.is_dir():
        raise UserError(wording("cli_no_folder", path=path.parent, option=option))


def write_out(path: Path, data: bytes, option: str, example: str) -> None:
    writable(path, option, example)
    try:
        path.write_bytes(data)
    except OSError:
        raise UserError(wording("cli_cannot_write", path=path, option=option)) from None


def cmd_factsheet(args, settings: Settings, config: Config) -> int:
    from bot.reports.factsheet import make_pdf, newest_complete_quarter, parse_quarter, previous_quarter, unfinished

    now = clock.now()
    try:
        quarter = parse_quarter(args.quarter) if args.quarter else None
    except ValueError as error:
        raise UserError(str(error)) from None
    out = Path(args.out)
    writable(out, "--out", "faktaark.pdf")  # before the PDF is made, not after
    with Store(settings.db_path) as store:
        # By default the newest quarter whose figures are in, not the unfinished current one.
        newest = newest_complete_quarter(store, now.date(), config.area)
        if quarter and (why := unfinished(quarter, now.date())):
            # A sheet titled »2. kvt. 2027« (or the quarter under way) showed older figures under the
            # quarter's name: a committee reads a fact sheet as the whole quarter's.
            raise UserError(_unfinished_quarter(why, quarter, previous_quarter(now.date()), newest))
        quarter = quarter or newest
        sheet = make_pdf(store, config, quarter, TargetContext.load(store, config, now).path)
    write_out(out, sheet.pdf, "--out", "faktaark.pdf")
    words = messages()
    empty = [f.number for f in sheet.figures if f.chart is None and not f.later]
    later = [words["factsheet_later_one"].format(number=f.number, period=formats.period(f.later))
             for f in sheet.figures if f.chart is None and f.later]
    # A figure older than the quarter, by its newest period, so the operator sees it before sending.
    behind = [words["factsheet_behind_one"].format(number=f.number, period=formats.period(
        min(period for _, period, _ in f.behind))) for f in sheet.figures if f.behind]
    say("factsheet_done", path=out, pages=sheet.pages, quarter=formats.period(quarter),
        figures=len(sheet.figures) - len(empty) - len(later),
        empty=(words["factsheet_empty"].format(numbers=", ".join(empty)) if empty else "")
        + (words["factsheet_later"].format(numbers=", ".join(later)) if later else "")
        + (words["factsheet_behind"].format(numbers=", ".join(behind)) if behind else ""))
    return 0


def _unfinished_quarter(why: str, quarter: str, latest: str, newest: str) -> str:
    """The refusal of a fact sheet for a quarter that is not over, naming the quarters there can be."""
    parsed = periods.parse(quarter)
    last_month = parsed.start_month + 2
    end = formats.long_day(date(parsed.year, last_month, calendar.monthrange(parsed.year, last_month)[1]))
    return wording(f"factsheet_quarter_{why}", quarter=formats.period(quarter), end=end,
                   latest=formats.period(latest), latest_iso=latest,
                   newest=wording("factsheet_quarter_newest", quarter=formats.period(newest)) if newest != latest else "")
