"""A real local SMTP server (aiosmtpd) for the email tests: it keeps what it receives, and refuses
a recipient or hangs up after the message when a test tells it to."""
from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy

from aiosmtpd.controller import Controller


class Recorder:
    """The server's handler: each message parsed (`messages`) and raw with its envelope sender
    (`received`); `rcpt_reply` refuses recipients (e.g. "550 5.1.1 ukendt modtager"), and
    `drop_after_data` takes the message and hangs up without the final reply, as a server or
    network failing at the worst moment would."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.received: list[tuple[str, bytes]] = []
        self.rcpt_reply: str | None = None
        self.drop_after_data = False
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, envelope.content))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        if self.drop_after_data:
            server.transport.abort()
        return "250 Message accepted"


def serving() -> Iterator[Recorder]:
    """Start the server on a free port, yield its recorder, stop it (the `smtp` fixture)."""
    recorder = Recorder()
    with socket.socket() as probe:  # a free port; aiosmtpd's readiness check cannot use port 0
        probe.bind(("127.0.0.1", 0))
        recorder.port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    yield recorder
    controller.stop()
