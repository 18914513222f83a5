"""One-click links in alerts (»Kvittér«, »Udsæt 30 dage«, »Vis udvikling«): signing, checking and
the pages they open.

Pure apart from `handle`, which reads and writes the store through `watch` exactly as the Slack
buttons do. A link is an HMAC over target, action, recipient, expiry and a nonce; it opens a page
(GET) and acts only when the form on it is sent (POST), so a mail scanner that fetches every link
changes nothing. Acknowledge and snooze links work once: the ledger keeps the used ones.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.alerting import watch
from bot.alerting.context import TargetContext
from bot.alerting.views import views
from bot.config import Config
from bot.delivery.ledger import Ledger
from bot.rendering import render
from indicators.store import Store

LINK_PATH = "/link/"
ACKNOWLEDGE, SNOOZE, DEVELOPMENT = "kvitter", "udsaet", "udvikling"
ACTIONS = (ACKNOWLEDGE, SNOOZE, DEVELOPMENT)
SINGLE_USE = (ACKNOWLEDGE, SNOOZE)
LINK_DAYS = 30  # an alert older than a month has been followed by a newer one or a reminder
SNOOZE_DAYS = 30
MAX_NOTE = 500  # a note is a line in the ledger, as in the Slack modal
MAX_TOKEN = 2000  # a URL longer than this was not made here


# The kinds of LinkError: codes the page templates are chosen by, not words for anyone to read.
INVALID, EXPIRED = "invalid", "expired"


class LinkError(ValueError):
    """A link that cannot be used: `kind` is "invalid" (unsigned, tampered, malformed) or "expired"."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Link:
    target: str
    action: str
    recipient: str
    expires: int  # seconds since the epoch
    nonce: str

    @property
    def id(self) -> str:
        """What the ledger records a used link by (the nonce makes every link its own)."""
        return hashlib.sha256(f"{self.target}\n{self.action}\n{self.recipient}\n{self.nonce}".encode()).hexdigest()[:32]


class Signer:
    """Makes and checks links with FAKTABOT_LINK_SECRET, under FAKTABOT_PUBLIC_URL."""

    def __init__(self, secret: str, base_url: str):
        self.key = secret.encode("utf-8")
        self.base_url = base_url.rstrip("/")

    def token(self, link: Link) -> str:
        payload = json.dumps([link.target, link.action, link.recipient, link.expires, link.nonce],
                             ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def url(self, target: str, action: str, recipient: str, now: datetime, *, days: int = LINK_DAYS,
            nonce: str | None = None) -> str:
        expires = int((now + timedelta(days=days)).timestamp())
        link = Link(target, action, recipient, expires, nonce or secrets.token_urlsafe(12))
        return f"{self.base_url}{LINK_PATH}{self.token(link)}"

    def alert_links(self, target: str, recipient: str, now: datetime) -> list[tuple[str, str]]:
        """The (label, url) pairs an alert to `recipient` carries."""
        return [(render.render("link_label.txt.j2", action=action), self.url(target, action, recipient, now))
                for action in ACTIONS]

    def verify(self, token: str, now: datetime) -> Link:
        """The link `token` stands for; LinkError if it is not one of ours, was changed, or expired."""
        payload_part, _, mac_part = token.partition(".")
        if len(token) > MAX_TOKEN or not mac_part:
            raise LinkError(INVALID)
        try:
            payload, mac = _unb64(payload_part), _unb64(mac_part)
        except (binascii.Error, ValueError):
            raise LinkError(INVALID) from None
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise LinkError(INVALID)
        try:
            target, action, recipient, expires, nonce = json.loads(payload)
        except ValueError:
            raise LinkError(INVALID) from None
        if action not in ACTIONS:
            raise LinkError(INVALID)
        if now.timestamp() > expires:
            raise LinkError(EXPIRED)
        return Link(str(target), action, str(recipient), int(expires), str(nonce))

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the pages ----------------------------------------------------------------------------------

def handle(method: str, path: str, form: dict[str, str], *, signer: Signer, store: Store, ledger: Ledger,
           config: Config, now: datetime) -> tuple[int, str]:
    """One request to a link: (HTTP status, the Danish page). GET shows, POST acts."""
    token = path[len(LINK_PATH):] if path.startswith(LINK_PATH) else ""
    try:
        link = signer.verify(token, now)
    except LinkError as error:
        return (410 if error.kind == "expired" else 403), _page(error.kind)
    target = config.target(link.target)
    if target is None:
        return 404, _page("unknown_target")
    if method not in ("GET", "HEAD", "POST"):
        return 405, _page("invalid")
    if link.action in SINGLE_USE:
        used = ledger.used_link(link.id)
        if used is not None:
            return 410, _page("used", target=target, used=used)
    if link.action == DEVELOPMENT or method != "POST":
        return 200, _show(link, target, store, ledger, config, now)
    note = " ".join(form.get("note", "").split())[:MAX_NOTE]
    actor = " ".join(form.get("name", "").split())[:100] or None
    if link.action == ACKNOWLEDGE and not note:
        return 400, _page("confirm", link=link, target=target, error="empty_note", actor=actor or "")
    try:
        with store.db.atomic():  # the link is spent only if the action is done, and the other way round
            if not ledger.use_link(link.id, target=link.target, action=link.action, recipient=link.recipient,
                                   actor=actor, note=note or None, now=now):
                raise _AlreadyUsed
            if link.action == ACKNOWLEDGE:
                state = watch.acknowledge(store, ledger, config, link.target, note, now)
            else:
                state = watch.snooze(store, ledger, config, link.target,
                                     now.date() + timedelta(days=SNOOZE_DAYS), now)
    except _AlreadyUsed:
        return 410, _page("used", target=target, used=ledger.used_link(link.id))
    except watch.AlertError:
        return 409, _page("refused", target=target, link=link)
    return 200, _page("done", link=link, target=target, state=state, note=note)


class _AlreadyUsed(Exception):
    """Another click got there first (two tabs, a double click): roll back, say it was used."""


def _show(link: Link, target, store: Store, ledger: Ledger, config: Config, now: datetime) -> str:
    states = ledger.states()
    view = views([target], states)[0] if target.id in states else None
    if link.action != DEVELOPMENT:
        return _page("confirm", link=link, target=target, view=view, error=None, actor="",
                     resume=now.date() + timedelta(days=SNOOZE_DAYS))
    chart = TargetContext.load(store, config, now).chart(store, target, now)
    picture = base64.b64encode(chart.png).decode("ascii") if chart is not None else None
    return _page("development", link=link, target=target, view=view, chart=picture)


def _page(kind: str, **context) -> str:
    for name in ("link", "target", "view", "state", "note", "used", "error", "chart", "resume"):
        context.setdefault(name, None)
    context.setdefault("actor", "")
    return render.render("link_page.html.j2", kind=kind, snooze_days=SNOOZE_DAYS, **context)
