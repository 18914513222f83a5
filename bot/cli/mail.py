"""`faktabot mail`: answer the questions in the bot's mailbox (ask by email), once or every
FAKTABOT_IMAP_POLL_SECONDS, as the service's `mail` job does."""
from __future__ import annotations

import argparse
import sys
import time

from bot import clock
from bot.cli.compose import build_service
from bot.cli.errors import UserError
from bot.config import Config
from bot.delivery.imap import MailboxError
from bot.rendering.terminal import messages, say
from bot.service.jobs import Service
from bot.settings import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    mail = commands.add_parser("mail", help="answer the questions mailed to the bot (ask by email, IMAP)")
    mail.add_argument("--once", action="store_true", help="read the mailbox once and stop (default: keep polling)")


def cmd_mail(args, settings: Settings, config: Config, *, build=build_service) -> int:
    if not settings.imap_enabled:
        raise UserError(messages()["mail_off"])
    service: Service = build(settings, config)
    while True:
        code = _poll(service)
        if args.once:
            return code
        time.sleep(settings.imap_poll_seconds)


def _poll(service: Service) -> int:
    try:
        polled = service.poll_mail(clock.now())
    except MailboxError as error:
        say("mail_down", out=sys.stderr, error=error)
        return 1
    failed = polled.sent.failed + polled.sent.unknown
    say("mail_done", answered=len(polled.answered), ignored=len(polled.ignored), sent=len(polled.sent.sent),
        failed=len(failed))
    for delivery, error in failed:
        say("mail_send_failed", out=sys.stderr, recipient=delivery.recipient, error=error)
    return 1 if failed else 0
