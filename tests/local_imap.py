"""A small real IMAP4rev1 server over a socket for the ask-by-email tests: one folder, messages
held in memory with their \\Seen flag, and just the commands imaplib uses for it (CAPABILITY,
LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH of RFC822.SIZE / BODY.PEEK[] / BODY.PEEK[HEADER],
UID STORE +FLAGS (\\Seen), NOOP, LOGOUT), and AUTHENTICATE XOAUTH2 when the store has a `bearer`.
Plain text only: the tests run it with security none."""
from __future__ import annotations

import base64
import binascii
import re
import socketserver
import threading
from dataclasses import dataclass, field

from tests.threaded import ServedInThread


@dataclass
class Held:
    uid: int
    raw: bytes
    seen: bool = False


@dataclass
class Mailstore:
    """What the server holds and how it behaves: `user`/`password` it accepts, `folder` it has."""

    user: str = "faktabot@kommune.dk"
    password: str = "hemmeligt"
    folder: str = "INBOX"
    bearer: str | None = None  # the OAuth 2.0 access token AUTHENTICATE XOAUTH2 accepts for `user`
    messages: list[Held] = field(default_factory=list)
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, raw: bytes) -> int:
        with self.lock:
            uid = (self.messages[-1].uid if self.messages else 100) + 1
            self.messages.append(Held(uid, raw))
            return uid

    def unseen(self) -> list[Held]:
        return [m for m in self.messages if not m.seen]


_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\([^)]*\))|(\S+)')


def _tokens(line: bytes) -> list[bytes]:
    found = []
    for quoted, group, atom in _TOKEN.findall(line):
        found.append(re.sub(rb"\\(.)", rb"\1", quoted) if quoted or (not group and not atom) else group or atom)
    return found


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10

    def handle(self) -> None:
        box: Mailstore = self.server.box  # type: ignore[attr-defined]
        self.send(b"* OK [CAPABILITY IMAP4rev1] local IMAP ready")
        selected = False
        while True:
            line = self.rfile.readline(10_000)
            if not line:
                return
            parts = _tokens(line.rstrip(b"\r\n"))
            if len(parts) < 2:
                self.send(b"* BAD no command")
                continue
            tag, command, args = parts[0], parts[1].upper(), parts[2:]
            if command == b"CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
                self.send(tag + b" OK CAPABILITY done")
            elif command == b"NOOP":
                self.send(tag + b" OK NOOP done")
            elif command == b"LOGIN":
                if len(args) == 2 and args[0].decode() == box.user and args[1].decode() == box.password:
                    box.logins += 1
                    self.send(tag + b" OK LOGIN done")
                else:
                    self.send(tag + b" NO [AUTHENTICATIONFAILED] wrong user or password")
            elif command == b"AUTHENTICATE" and args and args[0].upper() == b"XOAUTH2":
                self.xoauth2(box, tag)
            elif command in (b"SELECT", b"EXAMINE"):
                if args and args[0].decode() == box.folder:
                    selected = True
                    self.send(b"* %d EXISTS" % len(box.messages))
                    self.send(b"* 0 RECENT")
                    self.send(b"* OK [UIDVALIDITY 1] UIDs valid")
                    self.send(b"* FLAGS (\\Seen)")
                    self.send(tag + b" OK [READ-WRITE] SELECT done")
                else:
                    self.send(tag + b" NO no such folder")
            elif command == b"UID" and selected and args:
                self.uid(box, tag, args[0].upper(), args[1:])
            elif command == b"LOGOUT":
                self.send(b"* BYE see you")
                self.send(tag + b" OK LOGOUT done")
                return
            else:
                self.send(tag + b" BAD unknown or out of place: " + command)

    def xoauth2(self, box: Mailstore, tag: bytes) -> None:
        """SASL XOAUTH2 as Exchange Online takes it: one base64 answer to an empty challenge."""
        self.send(b"+ ")
        try:
            given = base64.b64decode(self.rfile.readline(20_000).strip(), validate=True)
        except binascii.Error:
            given = b""
        expected = f"user={box.user}\x01auth=Bearer {box.bearer}\x01\x01".encode()
        if box.bearer is not None and given == expected:
            box.logins += 1
            self.send(tag + b" OK AUTHENTICATE completed.")
            return
        # As Gmail does: the reason as a JSON challenge, which the client answers with an empty line.
        self.send(b"+ " + base64.b64encode(b'{"status":"401","schemes":"bearer"}'))
        self.rfile.readline(20_000)
        self.send(tag + b" NO AUTHENTICATE failed.")

    def uid(self, box: Mailstore, tag: bytes, command: bytes, args: list[bytes]) -> None:
        with box.lock:
            if command == b"SEARCH":
                uids = b" ".join(str(m.uid).encode() for m in box.unseen())
                self.send(b"* SEARCH" + (b" " + uids if uids else b""))
                self.send(tag + b" OK SEARCH done")
                return
            wanted = [m for m in box.messages if args and str(m.uid).encode() == args[0]]
            number = box.messages.index(wanted[0]) + 1 if wanted else 0
            what = b" ".join(args[1:]).upper()
            if command == b"FETCH":
                for held in wanted:
                    if b"RFC822.SIZE" in what:
                        self.send(b"* %d FETCH (UID %d RFC822.SIZE %d)" % (number, held.uid, len(held.raw)))
                    elif b"BODY.PEEK[HEADER]" in what:
                        header = held.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                        self.wfile.write(b"* %d FETCH (UID %d BODY[HEADER] {%d}\r\n" % (number, held.uid, len(header))
                                         + header + b")\r\n")
                    elif b"BODY.PEEK[]" in what:
                        self.wfile.write(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (number, held.uid, len(held.raw))
                                         + held.raw + b")\r\n")
                self.send(tag + b" OK FETCH done")
            elif command == b"STORE":
                for held in wanted:
                    if b"\\SEEN" in what:
                        held.seen = True
                    self.send(b"* %d FETCH (UID %d FLAGS (\\Seen))" % (number, held.uid))
                self.send(tag + b" OK STORE done")
            else:
                self.send(tag + b" BAD unknown UID command")

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class LocalImap(ServedInThread):
    """`with LocalImap() as imap:` a server on 127.0.0.1:`imap.port` holding `imap.box`."""

    def __init__(self, box: Mailstore | None = None):
        self.box = box or Mailstore()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.box = self.box  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]

