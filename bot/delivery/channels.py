"""Delivery channels: transports with one `send()` and an error that says whether retrying can help.

I/O. The outbox writes each message as a file in FAKTABOT_OUTBOX (local mode, and wherever Slack or
email is not set up); the terminal prints (`faktabot alerts --dry-run`). Slack and email channels
plug into `Channels` when their settings are present.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from bot.rendering.message import Content
from indicators.wording import wording


class DeliveryError(Exception):
    """A send failed. `permanent` means retrying will never help (an unknown channel, a bad address)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class OutcomeUnknown(Exception):
    """A send broke off after the message was handed over (the connection dropped while the server
    was to confirm it): it may have arrived. Never retried blindly; see `Ledger.unknown`."""


def write_privately(path: Path, data: bytes) -> None:
    """Write `path` atomically and readable by its owner only: a temporary file in the same folder
    (0600), flushed, then renamed over the name, so no reader or retry ever meets half a file.
    The folder is created 0700 when missing. Raises DeliveryError."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    except OSError as error:
        # A folder that is missing or not writable is the operator's to fix, and the message is
        # still due once it is: retried like an SMTP outage, never given up on the first try.
        raise DeliveryError(wording("outbox_no_folder", path=path.parent, error=error.strerror)) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise DeliveryError(wording("outbox_cannot_write", path=path, error=error.strerror)) from None


@dataclass(frozen=True, slots=True)
class Chart:
    """A PNG a message carries, and its caption (the answer's first line, Slack mrkdwn)."""

    png: bytes
    caption: str


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered message to one recipient ("#kanal", "@person" or an email address)."""

    recipient: str
    subject: str
    text: str  # Slack mrkdwn; the plain-text body of an email that has no `content`
    key: str  # the notice's dedup key
    sample_data: bool = False
    chart: Chart | None = None  # shown where the medium can (the Slack alert thread)
    card: dict | None = None  # the Adaptive Card a Teams channel posts; without one it makes a plain card
    content: Content | None = None  # the message model an email renders its text and HTML parts from


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> str:
        """Deliver `message`; return where it went (a file, a Slack ts). Raises DeliveryError."""
        ...


def is_teams(recipient: str) -> bool:
    """`teams:<navn>`: a Teams channel reached through its Workflows webhook."""
    return recipient.startswith("teams:")


def is_email(recipient: str) -> bool:
    return "@" in recipient[1:] and not recipient.startswith(("#", "@"))


class OutboxChannel:
    """Writes every message as a text file, one per message and recipient, named so they sort by time."""

    name = "outbox"

    def __init__(self, directory: Path, clock: Callable[[], str]):
        self.directory = directory
        self.clock = clock  # returns a compact timestamp; passed in so only the caller reads the clock

    def send(self, message: Message) -> str:
        slug = "-".join(_slug(part) for part in (message.key.split(":")[0], message.key.split(":")[1],
                                                 message.recipient))
        path = self.directory / f"{self.clock()}-{slug}.txt"
        number = 1
        while path.exists():
            number += 1
            path = path.with_name(f"{path.stem.rsplit('~', 1)[0]}~{number}.txt")
        body = f"Til: {message.recipient}\nEmne: {message.subject}\n\n{message.text}\n"
        write_privately(path, body.encode("utf-8"))
        return str(path)


class TerminalChannel:
    """Prints messages; `format` turns Slack mrkdwn into terminal text."""

    name = "terminal"

    def __init__(self, stream: TextIO = sys.stdout, format: Callable[[str], str] = str):
        self.stream = stream
        self.format = format

    def send(self, message: Message) -> str:
        print(f"Til: {message.recipient}\n{self.format(message.text)}\n", file=self.stream)
        return "terminal"


@dataclass(frozen=True)
class Channels:
    """Which channel takes which recipient: Slack for "#kanal"/"@person", email for addresses, Teams
    for "teams:<navn>".

    Without Slack or SMTP settings their messages go to the outbox, so nothing is lost in local mode.
    """

    outbox: Channel
    slack: Channel | None = None
    email: Channel | None = None
    teams: Channel | None = None

    def for_recipient(self, recipient: str) -> Channel:
        if is_email(recipient):
            return self.email or self.outbox
        if is_teams(recipient):
            return self.teams or self.outbox
        return self.slack or self.outbox


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text.replace("@", "_at_")).strip("_")[:60] or "x"
