"""`faktabot targets` and `faktabot alerts`: the terminal side of targets and their alerts.

Parses the arguments, reads the clock (Europe/Copenhagen), opens the store and the ledger, calls
`bot.alerts` and prints. User mistakes raise `AlertError` (one line, exit 1).
"""
from __future__ import annotations

import argparse
import json
import re
from datetime import date

from bot import clock
from bot.alerting import views, watch
from bot.alerting.watch import AlertError
from bot.config import Config
from bot.delivery.channels import Message, TerminalChannel
from bot.delivery.ledger import Ledger
from bot.rendering import formats, render
from bot.rendering.terminal import for_terminal, say
from bot.settings import Settings
from indicators.store import Store
from indicators.wording import wording


def add_parsers(commands: argparse._SubParsersAction) -> None:
    targets = commands.add_parser("targets", help="every target's status, actual against expected, with the reason")
    targets.add_argument("--json", action="store_true", help="print a JSON list (stable contract)")
    alert = commands.add_parser("alerts", help="evaluate the targets and deliver the alerts that are due")
    alert.add_argument("--dry-run", action="store_true", help="show what would be sent; send and save nothing")
    alert.add_argument("--snooze", metavar="TARGET", help="hold back messages about TARGET (with --until)")
    alert.add_argument("--until", metavar="DATE", help="the date messages resume, YYYY-MM-DD")
    alert.add_argument("--ack", metavar="TARGET", help="acknowledge TARGET's status (with --note): no reminders")
    alert.add_argument("--note", metavar="TEXT", help="what is being done; shown with the target and in summaries")
    alert.add_argument("--resend-unknown", metavar="ID", nargs="?", const="all",
                       help="send again the messages whose outcome is unknown (all, or the one with ID from "
                            "`faktabot status`), with the same Message-ID")


def cmd_targets(args, settings: Settings, config: Config) -> int:
    moment = clock.now()
    with Store(settings.db_path) as store:
        ledger = Ledger(store.db)
        evaluation = watch.assess_all(store, ledger, config, moment)
    target_views = views.views(config.targets, evaluation.states)
    if args.json:
        print(json.dumps([views.as_json(v) for v in target_views], ensure_ascii=False, indent=2))
    else:
        print(for_terminal(views.render_board(target_views, moment, config)))
    return 0


def cmd_alerts(args, settings: Settings, config: Config) -> int:
    if args.until and not args.snooze:
        raise AlertError(wording("alerts_until_needs_snooze"))
    if args.resend_unknown and args.dry_run:
        raise AlertError(wording("alerts_resend_dry_run"))
    if args.snooze and args.ack:
        raise AlertError(wording("alerts_snooze_and_ack"))
    if args.note and not args.ack:
        raise AlertError(wording("alerts_note_needs_ack"))
    moment = clock.now()
    with Store(settings.db_path) as store:
        ledger = Ledger(store.db)
        if not args.dry_run:
            ledger.reexamine(moment, settings.unknown_hold)  # stuck sends become unknown; held ones go again
        if args.resend_unknown:
            _release_unknown(ledger, args.resend_unknown)
        if args.snooze:
            if not args.until:
                raise AlertError(wording("alerts_snooze_needs_until", target=args.snooze))
            state = watch.snooze(store, ledger, config, args.snooze, _date(args.until), moment)
            say("alerts_snoozed", name=_name(config, args.snooze), until=formats.day(state.snoozed_until))
            return 0
        if args.ack:
            if args.note is None:
                raise AlertError(wording("alerts_ack_needs_note", target=args.ack))
            state = watch.acknowledge(store, ledger, config, args.ack, args.note, moment)
            say("alerts_acknowledged", name=_name(config, args.ack), note=state.ack.note if state.ack else "")
            return 0
        # Start-up time: the channels (and their HTTP client) load only for a run that sends.
        from bot.cli.compose import channels_for, link_maker

        channels = channels_for(settings, clock.now, config)
        run = watch.run_alerts(store, ledger, config, channels, moment, dry_run=args.dry_run,
                               links=link_maker(settings), replies_to_bot=settings.imap_enabled)
    # Each notice once on the terminal, addressed to all its recipients; the outbox has one file each.
    terminal = TerminalChannel(format=for_terminal)
    for view, notice, subject, text in run.notices:
        terminal.send(Message(", ".join(view.target.recipients) or "–", subject, text, notice.key))
    where = sorted({str(settings.outbox) if d.channel == "outbox" else str(d.channel) for d in run.sent})
    # »Slack og e-mail er ikke sat op« only when neither is: a failed mail is not the outbox's.
    local = all(d.channel == "outbox" for d in run.sent) and not settings.slack_enabled and not settings.smtp_enabled
    print(for_terminal(render.render("alert_run.txt.j2", run=run, dry_run=args.dry_run, where=where, local=local,
                                  targets=len(config.targets))))
    return 1 if run.failed else 0


def _release_unknown(ledger: Ledger, which: str) -> None:
    """The operator decided: the unknown sends go again (alerts now, the summary and fact sheet with
    their next run), each with the same Message-ID, so a mail system that has it can drop the copy."""
    if which != "all" and not which.isdigit():
        raise AlertError(wording("alerts_not_a_number", which=which))
    released = ledger.resend_unknown(None if which == "all" else [int(which)])
    if which != "all" and not released:
        raise AlertError(wording("alerts_no_such_send", which=which))
    say("alerts_resend_unknown", count=len(released))
    for delivery in released:
        say("alerts_resend_unknown_row", id=delivery.id, subject=delivery.subject, recipient=delivery.recipient)


def print_status(store: Store, targets: int = 0) -> None:
    """`faktabot status`: how the targets stood at the last evaluation (or that none has been made of
    the `targets` in faktabot.toml), and messages that did not go out."""
    ledger = Ledger(store.db)
    text = render.render("alert_status.txt.j2", states=ledger.states(), failed=ledger.failed_deliveries(),
                         retrying=ledger.retrying_deliveries(), targets=targets)
    if text:
        print(for_terminal(text))


def _date(text: str) -> date:
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})[.-](\d{1,2})[.-](\d{4})", text)  # 15.1.2027, as Danes write it
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise AlertError(wording("alerts_not_a_date", text=text)) from None


def _name(config: Config, target_id: str) -> str:
    target = config.target(target_id)
    return target.name if target else target_id
