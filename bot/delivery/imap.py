"""IMAP: the mailbox questions by email arrive in (ask by email, off unless FAKTABOT_IMAP_HOST is set).

I/O. `Mailbox` logs in (LOGIN with a password, or SASL XOAUTH2 with a bearer token from `token`, as
Exchange Online wants) over SSL, STARTTLS or (on a trusted internal network only) plain text,
selects the folder and hands out the unseen messages by UID; every command has a timeout, and a
message bigger than `max_bytes` comes as its header only. Messages are read with BODY.PEEK, so
nothing is marked seen until the caller says so (`seen`) — after it has recorded the message.
"""
from __future__ import annotations

import imaplib
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from bot.delivery.entra import TokenError
from bot.rendering.terminal import messages
from indicators.wording import wording

MAX_BYTES = 2_000_000  # a question is a line; anything above this is read as its header only
MAX_PER_POLL = 50  # a flood is worked off over several polls, not in one long turn


class MailboxError(Exception):
    """The mailbox could not be reached or read: the server, the login, the folder."""


@dataclass(frozen=True, slots=True)
class Fetched:
    uid: str
    raw: bytes  # the whole message, or only its header when `truncated`
    size: int
    truncated: bool = False


class Mailbox:
    """One IMAP session: `with Mailbox(...) as box: for m in box.unseen(): ...; box.seen(m.uid)`."""

    def __init__(self, host: str, port: int, *, user: str, password: str = "", security: str = "ssl",
                 folder: str = "INBOX", timeout: float = 30.0, max_bytes: int = MAX_BYTES,
                 ssl_context: ssl.SSLContext | None = None, token: Callable[[], str] | None = None):
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.folder = user, password, folder
        self.token = token  # OAuth 2.0: a bearer token for `user` (bot/delivery/entra.py) instead of the password
        self.timeout, self.max_bytes = timeout, max_bytes
        # Verified certificates by default; a test may pass a context trusting its own CA.
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.client: imaplib.IMAP4 | None = None
        self.where = f"IMAP {host}:{port}"

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def open(self) -> None:
        bearer = None
        if self.token is not None:
            try:
                bearer = self.token()  # before connecting: no IMAP session idles while Entra answers
            except TokenError as error:
                raise MailboxError(str(error)) from None
        try:
            if self.security == "ssl":
                client: imaplib.IMAP4 = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.ssl_context,
                                                          timeout=self.timeout)
            else:
                client = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    client.starttls(ssl_context=self.ssl_context)
            self.client = client
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxError(wording("imap_unreachable", where=self.where, reason=_reason(error))) from None
        if bearer is not None:
            self._authenticate(client, bearer)
        else:
            self._login(client)
        self._select(client)

    def _login(self, client: imaplib.IMAP4) -> None:
        try:
            client.login(self.user, self.password)
        except imaplib.IMAP4.error:
            self.close()
            raise MailboxError(wording("imap_login_refused", where=self.where, user=self.user)) from None
        except OSError as error:
            self.close()
            raise MailboxError(wording("imap_broke_off_login", where=self.where, reason=_reason(error))) from None

    def _authenticate(self, client: imaplib.IMAP4, bearer: str) -> None:
        """SASL XOAUTH2 (Microsoft's and Google's IMAP): the mailbox and the bearer token in one string."""
        sasl = f"user={self.user}\x01auth=Bearer {bearer}\x01\x01".encode()
        challenges = iter([sasl])
        try:
            # A refusing server may first send a challenge with its error as JSON; the empty answer
            # after it ends the exchange, and the server then says NO.
            client.authenticate("XOAUTH2", lambda _challenge: next(challenges, b""))
        except imaplib.IMAP4.error:
            self.close()
            raise MailboxError(messages()["imap_oauth_rejected"].format(where=self.where, user=self.user)) from None
        except OSError as error:
            self.close()
            raise MailboxError(wording("imap_broke_off_login", where=self.where, reason=_reason(error))) from None

    def _select(self, client: imaplib.IMAP4) -> None:
        status, _ = self._call(client.select, _quoted(self.folder))
        if status != "OK":
            self.close()
            raise MailboxError(wording("imap_no_folder", where=self.where, folder=self.folder))

    def unseen(self) -> list[Fetched]:
        """The unseen messages, oldest first, at most MAX_PER_POLL; marks none of them seen."""
        client = self._client()
        status, data = self._call(client.uid, "SEARCH", None, "UNSEEN")
        if status != "OK":
            raise MailboxError(wording("imap_no_search", where=self.where, folder=self.folder))
        uids = [uid.decode("ascii") for uid in (data[0] or b"").split() if uid.isdigit()]
        found = []
        for uid in sorted(uids, key=int)[:MAX_PER_POLL]:
            size = self._size(uid)
            truncated = size > self.max_bytes
            raw = self._fetch(uid, "BODY.PEEK[HEADER]" if truncated else "BODY.PEEK[]")
            if raw is not None:
                found.append(Fetched(uid, raw, size, truncated))
        return found

    def seen(self, uid: str) -> None:
        """Flag the message \\Seen, so the next poll passes it by."""
        status, _ = self._call(self._client().uid, "STORE", uid, "+FLAGS", "(\\Seen)")
        if status != "OK":
            raise MailboxError(wording("imap_no_mark", where=self.where, uid=uid))

    def close(self) -> None:
        """LOGOUT politely when the connection is usable; closing never fails."""
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            try:
                client.shutdown()
            except OSError:
                pass

    def _client(self) -> imaplib.IMAP4:
        if self.client is None:
            raise MailboxError(wording("imap_not_connected", where=self.where))
        return self.client

    def _size(self, uid: str) -> int:
        status, data = self._call(self._client().uid, "FETCH", uid, "(RFC822.SIZE)")
        text = b" ".join(part if isinstance(part, bytes) else b"" for part in data or [] if part) if status == "OK" else b""
        found = re.search(rb"RFC822\.SIZE (\d+)", text)
        return int(found.group(1)) if found else 0

    def _fetch(self, uid: str, what: str) -> bytes | None:
        status, data = self._call(self._client().uid, "FETCH", uid, f"({what})")
        if status != "OK":
            return None
        # imaplib gives a literal as (b'1 (UID 7 BODY[] {123}', b'<message>'); the message is the literal.
        for part in data or []:
            if isinstance(part, tuple) and len(part) == 2:
                return part[1]
        return None  # deleted meanwhile by another client

    def _call(self, command, *args):
        """One IMAP command: a dropped connection or a timeout becomes a MailboxError."""
        try:
            typ, data = command(*args)
        except (OSError, imaplib.IMAP4.abort) as error:
            self.client = None
            raise MailboxError(wording("imap_broke_off", where=self.where, reason=_reason(error))) from None
        except imaplib.IMAP4.error as error:
            return "NO", [str(error).encode()]
        return typ, data


def _quoted(folder: str) -> str:
    """A folder name as IMAP wants it: quoted when it has a space or a quote (»Faktabot spørgsmål«)."""
    if re.fullmatch(r"[A-Za-z0-9._/-]+", folder):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return wording("imap_timed_out")
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
