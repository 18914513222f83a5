"""Email: MIME building (text + HTML with inline `cid:` charts + attachments) and two transports.

`SmtpChannel` sends over SMTP with STARTTLS or SSL (certificates verified) and login; `EmlOutbox`
writes `.eml` files when no SMTP server is configured. Both raise `DeliveryError` with `permanent`
set when retrying cannot help (a refused address, a failed login), so the ledger retries the rest.
"""
from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from bot.delivery.channels import DeliveryError


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


def message_id(key: str, recipient: str) -> str:
    """The same notice to the same person always has the same Message-ID, so a mail system that
    ever sees it twice can drop the copy."""
    digest = hashlib.sha256(f"{key}\n{recipient}".encode()).hexdigest()[:32]
    return f"<{digest}@faktabot>"


def build_message(content: EmailContent, *, sender: str, recipient: str, key: str, now: datetime) -> EmailMessage:
    """multipart/mixed( multipart/alternative( text, multipart/related( html, images ) ), attachments )."""
    message = EmailMessage()
    message["Subject"] = content.subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(key, recipient)
    message["Content-Language"] = "da"
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


class SmtpChannel:
    name = "email"

    def __init__(self, host: str, port: int, *, security: str = "starttls", user: str | None = None,
                 password: str | None = None, sender: str, timeout: float = 30.0,
                 ssl_context: ssl.SSLContext | None = None):
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.sender, self.timeout = user, password, sender, timeout
        # Verified certificates by default; tests pass a context that trusts their own CA.
        self.ssl_context = ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.ssl_context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=self.ssl_context)
        return smtp

    def send_email(self, recipient: str, content: EmailContent, key: str, now: datetime) -> str:
        message = build_message(content, sender=self.sender, recipient=recipient, key=key, now=now)
        where = f"SMTP {self.host}:{self.port}"
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(f"{where} refused the login for {self.user!r} ({error.smtp_code}); "
                                "check SMTP_USER and SMTP_PASSWORD", permanent=True) from None
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()))
            raise DeliveryError(f"{where} refused {recipient}: {code} {_text(reason)}",
                                permanent=500 <= code < 600) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"{where} answered {error.smtp_code} {_text(error.smtp_error)}",
                                permanent=500 <= error.smtp_code < 600) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(f"{where} does not offer STARTTLS; set SMTP_SECURITY=ssl (port 465) or, only on a "
                                "trusted internal network, none", permanent=True) from None
        except ssl.SSLError as error:
            raise DeliveryError(f"{where}: TLS failed ({error.reason or error}); check the server's "
                                "certificate and SMTP_SECURITY (starttls/ssl/none)") from None
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            raise DeliveryError(f"{where} is not reachable ({error}); will retry on the next run") from None
        if refused:
            raise DeliveryError(f"{where} refused {', '.join(refused)}", permanent=True)
        return message["Message-ID"]


class EmlOutbox:
    """Without SMTP settings, emails become `.eml` files in the outbox (open them in Outlook)."""

    name = "outbox"

    def __init__(self, directory: Path, sender: str = "faktabot@localhost"):
        self.directory, self.sender = directory, sender

    def send_email(self, recipient: str, content: EmailContent, key: str, now: datetime) -> str:
        message = build_message(content, sender=self.sender, recipient=recipient, key=key, now=now)
        name = re.sub(r"[^\w.-]+", "_", f"{key}-{recipient}")[:120]
        path = self.directory / f"{name}.eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_bytes(message.as_bytes())
        except OSError as error:
            raise DeliveryError(f"cannot write {path}: {error.strerror}") from None
        return str(path)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class EmailNoticeChannel:
    """A `Channel` for plain notices (alerts, reminders) to email addresses: the Slack text becomes
    the plain part and a simple HTML part, sent through SMTP or the `.eml` outbox."""

    def __init__(self, transport: SmtpChannel | EmlOutbox, clock, to_plain, to_html):
        self.transport, self.clock = transport, clock
        self.name = transport.name  # "email", or "outbox" when the message becomes an .eml file
        self.to_plain, self.to_html = to_plain, to_html  # mrkdwn -> plain text; plain text -> HTML (templates)

    def send(self, message) -> str:
        text = self.to_plain(message.text)
        content = EmailContent(subject=message.subject, text=text, html=self.to_html(text))
        return self.transport.send_email(message.recipient, content, message.key, self.clock())
