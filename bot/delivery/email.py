"""Email: MIME building (text + HTML with inline `cid:` charts + attachments) and two transports.

`SmtpChannel` sends over SMTP with STARTTLS or SSL (certificates verified) and login; `EmlOutbox`
writes `.eml` files when no SMTP server is configured. Both raise `DeliveryError` with `permanent`
set when retrying cannot help (a refused address, a failed login), so the ledger retries the rest,
and `SmtpChannel` raises `OutcomeUnknown` when the server may have the message but never said so.
"""
from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from bot.delivery.channels import DeliveryError, OutcomeUnknown, write_privately
from bot.rendering import media
from indicators.wording import wording


@dataclass(frozen=True, slots=True)
class InlineImage:
    cid: str  # referenced from the HTML as src="cid:<cid>"
    png: bytes
    alt: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    mime: str = "application/pdf"


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str  # the complete plain-text part
    html: str
    images: tuple[InlineImage, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # more headers: a reply's In-Reply-To, References, Auto-Submitted


def message_id(key: str, recipient: str) -> str:
    """The same notice to the same person always has the same Message-ID, so a mail system that
    ever sees it twice can drop the copy."""
    digest = hashlib.sha256(f"{key}\n{recipient}".encode()).hexdigest()[:32]
    return f"<{digest}@faktabot>"


def build_message(content: EmailContent, *, sender: str, recipient: str, key: str, now: datetime) -> EmailMessage:
    """multipart/mixed( multipart/alternative( text, multipart/related( html, images ) ), attachments )."""
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = formataddr(parseaddr(sender))  # "Faktabot <faktabot@kommune.dk>" or a bare address
    message["To"] = recipient
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(key, recipient)
    message["Content-Language"] = "da"
    for name, value in content.headers:
        message[name] = value
    message.set_content(content.text, subtype="plain", charset="utf-8")
    message.add_alternative(content.html, subtype="html", charset="utf-8")
    html_part = message.get_payload()[1]
    for image in content.images:
        html_part.add_related(image.png, maintype="image", subtype="png", cid=f"<{image.cid}>",
                              filename=f"{image.cid}.png", disposition="inline")
    for attachment in content.attachments:
        maintype, subtype = attachment.mime.split("/", 1)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def envelope_sender(sender: str) -> str:
    """The bare address of MAIL_FROM, which may carry a display name: "Faktabot <faktabot@kommune.dk>"."""
    return parseaddr(sender)[1] or sender


class SmtpChannel:
    """Sends over SMTP with two limits: `timeout` for each command (a socket read or write) and
    `deadline` for the whole message, so a server that answers one byte a second cannot hold a run.

    The envelope and DATA are sent step by step (not `send_message`) to know how far a send got: a
    failure before the message's final dot means it was not delivered and may be retried; a failure
    after it (the connection dropped while waiting for the server's last reply) means it may have
    been, and raises `OutcomeUnknown` instead, so it is not resent blindly.
    """

    name = "email"

    def __init__(self, host: str, port: int, *, security: str = "starttls", user: str | None = None,
                 password: str | None = None, sender: str, timeout: float = 30.0, deadline: float = 60.0,
                 ssl_context: ssl.SSLContext | None = None):
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.sender = user, password, sender
        self.timeout, self.deadline = timeout, deadline
        # Verified certificates by default; tests pass a context that trusts their own CA.
        self.ssl_context = ssl_context or ssl.create_default_context()

    def _client(self) -> smtplib.SMTP:
        """An unconnected client, so the deadline can watch its socket from the first byte on."""
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(timeout=self.timeout, context=self.ssl_context)
        else:
            smtp = smtplib.SMTP(timeout=self.timeout)
        # smtplib takes the TLS server name from the constructor's host, which stays empty here.
        smtp._host = self.host
        return smtp

    def send_email(self, recipient: str, content: EmailContent, key: str, now: datetime) -> str:
        check_address(recipient)
        message = build_message(content, sender=self.sender, recipient=recipient, key=key, now=now)
        where = f"SMTP {self.host}:{self.port}"
        smtp = self._client()
        watch = _Deadline(smtp, self.deadline)
        handed_over = False  # True once the final dot is sent: from then on the server may have it
        logging_in = False  # smtplib says »not supported« both of STARTTLS and of AUTH
        try:
            smtp.connect(self.host, self.port)
            if self.security == "starttls":
                smtp.starttls(context=self.ssl_context)
            if self.user:
                logging_in = True
                smtp.login(self.user, self.password or "")
                logging_in = False
            smtp.ehlo_or_helo_if_needed()
            envelope = envelope_sender(self.sender)  # MAIL FROM takes the bare address, no display name
            options = ["SMTPUTF8"] if not (recipient + envelope).isascii() else []
            code, reply = smtp.mail(envelope, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, envelope)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            smtp.send(_data(message))
            handed_over = True
            code, reply = smtp.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(wording("smtp_login_refused", where=where, user=self.user, code=error.smtp_code),
                                permanent=True) from None
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()))
            raise DeliveryError(wording("smtp_recipient_refused", where=where, recipient=recipient, code=code,
                                        reason=_text(reason)), permanent=500 <= code < 600) from None
        except smtplib.SMTPResponseException as error:
            # A reply, even after the data, is a definite answer: a refusal was not delivered.
            raise DeliveryError(wording("smtp_answered", where=where, code=error.smtp_code,
                                        reason=_text(error.smtp_error)),
                                permanent=500 <= error.smtp_code < 600) from None
        except smtplib.SMTPNotSupportedError:
            if logging_in:  # the server offers no login (AUTH) here: SMTP_SECURITY=none was not the fix
                raise DeliveryError(wording("smtp_no_auth", where=where), permanent=True) from None
            raise DeliveryError(wording("smtp_no_starttls", where=where), permanent=True) from None
        except ssl.SSLError as error:
            if handed_over:
                raise OutcomeUnknown(wording("smtp_tls_after_data", where=where)) from None
            raise DeliveryError(wording("smtp_tls_failed", where=where, error=error.reason or error)) from None
        except (smtplib.SMTPException, OSError) as error:
            why = (wording("smtp_too_slow", seconds=f"{self.deadline:g}") if watch.expired
                   else wording("smtp_failed", error=error))
            if handed_over:
                raise OutcomeUnknown(wording("smtp_unconfirmed", where=where, why=why)) from None
            if watch.expired:
                raise DeliveryError(wording("smtp_retry", where=where, why=why)) from None
            raise DeliveryError(wording("smtp_unreachable", where=where, error=error)) from None
        finally:
            watch.cancel()
            _close(smtp)
        return message["Message-ID"]


class _Deadline:
    """Shuts an SMTP client's socket down when the message's total time is up; a blocked read
    then returns at once (smtplib's own timeout is per read, and a slow server never trips it)."""

    def __init__(self, smtp: smtplib.SMTP, seconds: float):
        self.smtp, self.expired = smtp, False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()

    def _expire(self) -> None:
        self.expired = True
        sock = self.smtp.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self.timer.cancel()


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely when the connection is still usable; never let closing fail a send."""
    try:
        if smtp.sock is not None:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


def _data(message: EmailMessage) -> bytes:
    """The message as DATA: CRLF line ends, leading dots doubled, ended by the lone dot (RFC 5321 4.5.2)."""
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    raw = re.sub(rb"(?m)^\.", b"..", raw)
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return raw + b".\r\n"


class EmlOutbox:
    """Without SMTP settings, emails become `.eml` files in the outbox (open them in Outlook)."""

    name = "outbox"

    def __init__(self, directory: Path, sender: str = "faktabot@localhost"):
        self.directory, self.sender = directory, sender

    def send_email(self, recipient: str, content: EmailContent, key: str, now: datetime) -> str:
        check_address(recipient)
        message = build_message(content, sender=self.sender, recipient=recipient, key=key, now=now)
        name = re.sub(r"[^\w.-]+", "_", f"{key}-{recipient}")[:120]
        path = self.directory / f"{name}.eml"
        # Atomic: a crash mid-write leaves a temporary file, never a half `.eml` under the real name,
        # and a retry writes the whole file again.
        write_privately(path, message.as_bytes())
        return str(path)


# A plain address: no spaces, line breaks, angle brackets or a display name; one @ and a dotted domain.
_ADDRESS = re.compile(r"[^\s@<>()\[\]\\,;:\"]+@[^\s@<>()\[\]\\,;:\".]+(\.[^\s@<>()\[\]\\,;:\".]+)+")


def check_address(recipient: str) -> None:
    """Refuse, for good, an address that could not be delivered or would break the headers (a line
    break in it); config validation refuses most at load, this guards the transports."""
    if not _ADDRESS.fullmatch(recipient) or any(ord(c) < 32 or ord(c) == 127 for c in recipient):
        raise DeliveryError(wording("email_not_address", recipient=recipient), permanent=True)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class EmailNoticeChannel:
    """A `Channel` for notices (alerts, reminders, staleness) to email addresses, sent through SMTP
    or the `.eml` outbox: the message model renders the text and HTML parts; a message without one
    (a row queued before the model) has its Slack text made plain and a simple HTML part."""

    def __init__(self, transport: SmtpChannel | EmlOutbox, clock, to_plain, to_html):
        self.transport, self.clock = transport, clock
        self.name = transport.name  # "email", or "outbox" when the message becomes an .eml file
        self.to_plain, self.to_html = to_plain, to_html  # mrkdwn -> plain text; plain text -> HTML (templates)

    def send(self, message) -> str:
        if message.content is not None:
            content = EmailContent(subject=message.subject, text=media.text(message.content),
                                   html=media.html(message.content))
        else:
            text = self.to_plain(message.text)
            content = EmailContent(subject=message.subject, text=text, html=self.to_html(text))
        return self.transport.send_email(message.recipient, content, message.key, self.clock())
