"""`faktabot summary`: build the monthly summary and deliver it once per recipient (terminal side)."""
from __future__ import annotations

import argparse

from bot import clock
from bot.alerting.context import TargetContext
from bot.cli.compose import channels_for, email_transport
from bot.config import Config
from bot.delivery.ledger import Ledger
from bot.rendering import formats
from bot.rendering.terminal import for_terminal, say
from bot.reports.summary import build_summary, render_summary
from bot.reports.summary_mailing import (
    SummaryError,
    default_month,
    recipients,
    send_summary,
)
from bot.settings import Settings
from indicators import periods
from indicators.catalogue import default_areas, default_catalogue
from indicators.store import Store
from indicators.wording import wording
from rules.targets import recipient_problem


def add_parser(commands: argparse._SubParsersAction) -> None:
    summary = commands.add_parser("summary", help="the monthly summary to its recipients (Slack and email)")
    summary.add_argument("--month", metavar="YYYY-MM", help="the month (default: last month)")
    summary.add_argument("--dry-run", action="store_true", help="show the summary and its recipients; send nothing")
    summary.add_argument("--to", metavar="ADDRESS", help="send it to this one address only, as a test")


def _month(text: str | None) -> str:
    if text is None:
        return default_month(clock.today())
    try:
        period = periods.parse(text.strip())
    except periods.PeriodError:
        period = None
    if period is None or period.kind != "month":
        raise SummaryError(wording("cli_bad_month", text=text))
    latest = default_month(clock.today())
    if str(period) > latest:
        # A month not over yet (a wrong year, or this month) was built and sent, and its (month,
        # recipient) recorded: the real summary of that month never went out when it was due.
        raise SummaryError(wording("cli_month_not_over", month=formats.period(str(period)),
                                   latest=formats.period(latest), latest_iso=latest))
    return str(period)


def cmd_summary(args, settings: Settings, config: Config) -> int:
    month = _month(args.month)
    if args.to is not None and (problem := recipient_problem(args.to.strip())):
        # Checked before anything is built or recorded: the send's own refusal said »ret modtageren i
        # faktabot.toml – prøves ikke igen«, of an address typed on the command line.
        raise SummaryError(wording("cli_bad_to", problem=wording(f"target_{problem}", recipient=args.to)))
    now = clock.now()
    with Store(settings.db_path) as store:
        context = TargetContext.load(store, config, now)
        ledger = Ledger(store.db)
        if not args.dry_run:
            ledger.reexamine(now, settings.unknown_hold)  # stuck sends become unknown; held ones go again
        if args.dry_run:
            summary = build_summary(month, store, config, default_catalogue(), default_areas(), context.board_rows(store, month, config.summary.day),
                                    today=now.date(), with_charts=False)
            subject, text, _plain, _html = render_summary(summary)
            print(f"{subject}\n\n{for_terminal(text)}\n")
            targets = [args.to] if args.to else recipients(config)
            done = {d.recipient for d in ledger.deliveries() if d.key == f"summary:{month}" and d.status == "sent"}
            say("summary_preview", recipients=", ".join(f"{r} (allerede sendt)" if r in done else r for r in targets))
            return 0
        channels = channels_for(settings, clock.now, config)
        run = send_summary(store, ledger, config, month, now=now, channels=channels, email=email_transport(settings),
                           board=context.board_rows(store, month, config.summary.day), to=args.to, target_paths=context.path)
    say("summary_done", month=formats.period(month), sent=len(run.sent), already=len(run.already),
        failed=len(run.failed))
    for recipient, where in run.sent:
        say("summary_sent", recipient=recipient, where=where)
    for recipient, error in run.failed:
        key = ("summary_failed_unknown" if recipient in run.unknown else "summary_failed_test" if args.to
               else "summary_failed_final" if recipient in run.final else "summary_failed")
        say(key, recipient=recipient, error=error)
    return 1 if run.failed else 0
