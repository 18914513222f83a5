"""The bot's own tables in store.db: alert states, the deliveries ledger, subscriptions, the query log.

I/O; all of the bot's SQL lives here, with its own sqlite-utils migration set. A deliveries row is
written before a message is sent and updated after: it is both the dedup record (one row per
notice and recipient, by a unique key) and the audit log of what went to whom.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from bot import clock
from indicators.database import Database, Migrations
from indicators.store import normalise_timestamps
from rules.engine import Acknowledgement, Reason, TargetState
from rules.forecast import Forecast

log = logging.getLogger("faktabot.delivery")

MIGRATION_SET = "faktabot-bot"
migrations = Migrations(MIGRATION_SET)
# Every column that holds a moment; written by bot.clock.stamp (UTC, ISO 8601 with offset).
TIMESTAMP_COLUMNS = {
    "alert_states": ["since", "evaluated_at", "notified_at", "acked_at"],
    "deliveries": ["created_at", "attempted_at", "finished_at"],
    "subscriptions": ["created_at"],
    "query_log": ["at"],
}  # m004's list; used_links (m005) was written in UTC from the start

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# The send broke off after the message was handed over, or the process stopped mid-send: it may
# have arrived. Resent (with the same Message-ID) only by an operator or after the hold.
UNKNOWN = "unknown"
MAX_ATTEMPTS = 5  # a message that failed this often is left for a person to look at
# A row still `sending` after this long was left by a process that stopped mid-send. Longer than
# any send may take (SMTP_DEADLINE, Slack's timeouts), so a send in progress elsewhere is not taken.
STUCK_AFTER = timedelta(minutes=15)
# Kinds sent once and never retried: a test copy (`summary --to`) that failed is reported to the
# person who asked, who runs the test again; a later test or run must not send it after all.
TRIED_ONCE_KINDS = frozenset({"summary-test"})


@migrations()
def m001_alert_states(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE alert_states (
            target TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            since TEXT NOT NULL,
            evaluated_at TEXT NOT NULL,
            period TEXT,
            actual REAL,
            expected REAL,
            reason TEXT NOT NULL,
            forecast TEXT,
            sample_data INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT '',
            fetched_at TEXT NOT NULL DEFAULT '',
            announced TEXT,
            notified_at TEXT,
            last_notice TEXT,
            snoozed_until TEXT,
            ack_note TEXT,
            acked_at TEXT,
            acked_status TEXT
        )
        """
    )


@migrations()
def m002_deliveries(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            target TEXT,
            kind TEXT NOT NULL,
            recipient TEXT NOT NULL,
            channel TEXT,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            sample_data INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            permanent INTEGER NOT NULL DEFAULT 0,
            location TEXT,
            created_at TEXT NOT NULL,
            attempted_at TEXT,
            finished_at TEXT,
            UNIQUE (key, recipient)
        )
        """
    )
    db.execute("CREATE INDEX idx_deliveries_status ON deliveries (status)")


@migrations()
def m003_subscriptions_and_queries(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE subscriptions (
            id INTEGER PRIMARY KEY,
            recipient TEXT NOT NULL,
            topic TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (recipient, topic)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE query_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            channel TEXT NOT NULL,
            user TEXT,
            text TEXT NOT NULL,
            understood INTEGER NOT NULL,
            intent TEXT,
            indicator TEXT,
            area TEXT,
            period TEXT,
            milliseconds INTEGER
        )
        """
    )


@migrations()
def m004_timestamps_in_utc(db: Database) -> None:
    # Timestamps were written in Copenhagen time here and in UTC by the data side; one way now.
    normalise_timestamps(db, TIMESTAMP_COLUMNS)


@migrations()
def m005_cards_and_used_links(db: Database) -> None:
    # A Teams recipient's Adaptive Card is made when its row is queued, like the text: the row is
    # the record of exactly what went out.
    db.execute("ALTER TABLE deliveries ADD COLUMN card TEXT")
    # One row per one-click link that acted (acknowledge, snooze): a link works once, and the row
    # says who used it and with which note.
    db.execute(
        """
        CREATE TABLE used_links (
            id TEXT PRIMARY KEY,
            target TEXT NOT NULL,
            action TEXT NOT NULL,
            recipient TEXT NOT NULL,
            actor TEXT,
            note TEXT,
            used_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m006_mail_questions(db: Database) -> None:
    # Ask by email: one row per mail read from the mailbox, by its Message-ID, answered or not. The
    # row is written before the mail is marked read, so no poll and no restart answers it twice.
    db.execute(
        """
        CREATE TABLE mail_questions (
            message_id TEXT PRIMARY KEY,
            sender TEXT NOT NULL,
            subject TEXT NOT NULL,
            question TEXT,
            outcome TEXT NOT NULL,
            key TEXT,
            refs TEXT NOT NULL DEFAULT '',
            received_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX idx_mail_questions_key ON mail_questions (key)")


@dataclass(frozen=True, slots=True)
class MailQuestion:
    """A mail the mailbox held: `outcome` is "answered" (its reply is the deliveries row `key`) or
    why it was not ("not allowed", "automatic", "own address", ...)."""

    message_id: str
    sender: str
    subject: str
    question: str | None
    outcome: str
    key: str | None
    refs: str  # the References header a reply carries: the thread so far, then message_id
    received_at: str


@dataclass(frozen=True, slots=True)
class UsedLink:
    id: str
    target: str
    action: str
    recipient: str
    actor: str | None
    note: str | None
    used_at: str


@migrations()
def m007_message_content(db: Database) -> None:
    # An email recipient's message model (bot.rendering.message.Content as JSON), made when the row
    # is queued like the text: the email's text and HTML parts are rendered from it when it is sent.
    db.execute("ALTER TABLE deliveries ADD COLUMN content TEXT")


@migrations()
def m008_test_copies_of_their_own_kind(db: Database) -> None:
    # Test copies were kind 'summary' (told apart only by their key), so every later summary run,
    # test or real, sent the failed ones again.
    db.execute("UPDATE deliveries SET kind = 'summary-test' WHERE key LIKE 'summary-test:%'")


@migrations()
def m009_catch_up_failures(db: Database) -> None:
    # The steps of the newest start-up catch-up that raised, for `faktabot status`: a failing step
    # no longer stops the others, and the log alone was not read.
    db.execute("CREATE TABLE catch_up_failures (step TEXT PRIMARY KEY, at TEXT NOT NULL, error TEXT NOT NULL)")


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    key: str
    target: str | None
    kind: str
    recipient: str
    subject: str
    body: str
    status: str
    attempts: int
    channel: str | None = None
    error: str | None = None
    location: str | None = None
    sample_data: bool = False
    finished_at: str | None = None  # UTC ISO; for an unknown outcome, when it became unknown
    card: dict | None = None  # a Teams recipient's Adaptive Card
    content: dict | None = None  # an email recipient's message model (bot.rendering.message.Content)
    permanent: bool = False  # failed in a way no retry can fix (a 5xx refusal, a missing webhook)
    created_at: str | None = None  # UTC ISO; when it was queued

    @property
    def retried(self) -> bool:
        """Whether a failed send goes again by itself at the next run (`due`)."""
        return (self.status == FAILED and not self.permanent and self.attempts < MAX_ATTEMPTS
                and self.kind not in TRIED_ONCE_KINDS)


class Ledger:
    """The bot's tables on an open store connection (one per thread, as the store's)."""

    def __init__(self, db: Database):
        self.db = db
        migrations.apply(db)

    # -- alert states ---------------------------------------------------------------------

    def last_evaluation(self) -> str | None:
        """When the targets were last evaluated (UTC, ISO 8601), or None."""
        return self.db.execute("SELECT max(evaluated_at) FROM alert_states").fetchone()[0]

    def states(self) -> dict[str, TargetState]:
        return {row["target"]: _state(row) for row in self.db.query("SELECT * FROM alert_states")}

    def save_states(self, states: list[TargetState]) -> None:
        rows = [_row(s) for s in states]
        if not rows:
            return
        columns = list(rows[0])
        with self.db.atomic():  # commits on its own, or joins the caller's transaction as a savepoint
            self.db.conn.executemany(
                f"INSERT INTO alert_states ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
                f"ON CONFLICT (target) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in columns if c != "target"),
                [list(r.values()) for r in rows],
            )

    def forget_states(self, keep: set[str]) -> int:
        """Drop the states of targets no longer in the config; returns how many went."""
        gone = [t for t in self.states() if t not in keep]
        for target in gone:
            self.db.execute("DELETE FROM alert_states WHERE target = ?", [target])
        return len(gone)

    # -- deliveries -----------------------------------------------------------------------

    def queue(self, *, key: str, target: str | None, kind: str, recipient: str, subject: str, body: str,
              sample_data: bool, now: datetime, card: dict | None = None,
              content: dict | None = None) -> int | None:
        """Record a message before it is sent; None if this notice already went (or is on its way) to them."""
        cursor = self.db.execute(
            "INSERT INTO deliveries (key, target, kind, recipient, subject, body, sample_data, status, created_at, "
            "card, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, recipient) DO NOTHING",
            [key, target, kind, recipient, subject, body, int(sample_data), PENDING, _iso(now),
             json.dumps(card, ensure_ascii=False) if card is not None else None,
             json.dumps(content, ensure_ascii=False) if content is not None else None],
        )
        return cursor.lastrowid if cursor.rowcount else None

    def due(self, kinds: Iterable[str] | None = None) -> list[Delivery]:
        """Messages to send now: never tried, or failed in a way a retry may fix; `kinds` limits them
        to one sender's messages (alerts, the summary)."""
        rows = self.db.query("SELECT * FROM deliveries WHERE status IN (?, ?) ORDER BY id", [PENDING, FAILED])
        wanted = set(kinds) if kinds is not None else None
        # Which failures go again is `Delivery.retried`'s rule alone.
        return [d for d in map(_delivery, rows)
                if (d.status == PENDING or d.retried) and (wanted is None or d.kind in wanted)]

    def sending(self, delivery_id: int, channel: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = ?, channel = ?, attempts = attempts + 1, attempted_at = ? WHERE id = ?",
            [SENDING, channel, _iso(now), delivery_id])

    def sent(self, delivery_id: int, location: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = ?, location = ?, error = NULL, finished_at = ? WHERE id = ?",
            [SENT, location, _iso(now), delivery_id])

    def failed(self, delivery_id: int, error: str, permanent: bool, now: datetime) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = ?, error = ?, permanent = ?, finished_at = ? WHERE id = ?",
            [FAILED, error, int(permanent), _iso(now), delivery_id])

    def unknown(self, delivery_id: int, error: str, now: datetime) -> None:
        """The outcome is not known (see UNKNOWN); `finished_at` starts the hold."""
        self.db.execute(
            "UPDATE deliveries SET status = ?, error = ?, finished_at = ? WHERE id = ?",
            [UNKNOWN, error, _iso(now), delivery_id])

    def reexamine(self, now: datetime, hold: timedelta | None) -> list[Delivery]:
        """Rows stuck in `sending` become UNKNOWN; UNKNOWN rows whose `hold` has passed since then
        are due again (None: only an operator releases them). Returns the rows released."""
        for row in self.db.query("SELECT * FROM deliveries WHERE status = ?", [SENDING]):
            if row["attempted_at"] is None or clock.local(row["attempted_at"]) <= now - STUCK_AFTER:
                log.warning("delivery %s to %s was interrupted mid-send (%s); its outcome is unknown",
                            row["key"], row["recipient"], row["attempted_at"] or "time not recorded")
                self.unknown(row["id"], "interrupted mid-send; it may have arrived", now)
        if hold is None:
            return []
        released = [d for d in self.unknown_deliveries()
                    if d.finished_at is None or clock.local(d.finished_at) <= now - hold]
        for delivery in released:
            log.warning("delivery %s to %s: outcome unknown since %s; resending after the hold, same Message-ID",
                        delivery.key, delivery.recipient, delivery.finished_at)
        self._release([d.id for d in released])
        return released

    def unknown_deliveries(self) -> list[Delivery]:
        """Sends whose outcome is unknown, oldest first (`faktabot status`)."""
        return [_delivery(r) for r in self.db.query("SELECT * FROM deliveries WHERE status = ? ORDER BY id", [UNKNOWN])]

    def resend_unknown(self, ids: Iterable[int] | None = None) -> list[Delivery]:
        """An operator's decision: the unknown sends (all, or those with `ids`) are due again."""
        wanted = None if ids is None else set(ids)
        released = [d for d in self.unknown_deliveries() if wanted is None or d.id in wanted]
        self._release([d.id for d in released])
        return released

    def _release(self, ids: list[int]) -> None:
        for delivery_id in ids:
            self.db.execute("UPDATE deliveries SET status = ? WHERE id = ? AND status = ?",
                            [PENDING, delivery_id, UNKNOWN])

    def deliveries(self, target: str | None = None) -> list[Delivery]:
        sql, params = "SELECT * FROM deliveries", []
        if target is not None:
            sql, params = sql + " WHERE target = ?", [target]
        return [_delivery(r) for r in self.db.query(sql + " ORDER BY id", params)]

    def retrying_deliveries(self) -> list[Delivery]:
        """Failed in a way a retry may fix, and due again at the next run (an outage)."""
        rows = self.db.query("SELECT * FROM deliveries WHERE status = ? AND permanent = 0 AND attempts < ? ORDER BY id",
                             [FAILED, MAX_ATTEMPTS])
        return [d for d in map(_delivery, rows) if d.retried]

    def failed_deliveries(self) -> list[Delivery]:
        """Failed for good, or stuck in `sending` (the process stopped mid-send; not retried, as it may
        have gone out)."""
        rows = self.db.query(
            "SELECT * FROM deliveries WHERE (status = ? AND (permanent = 1 OR attempts >= ?)) OR status = ? "
            "ORDER BY id", [FAILED, MAX_ATTEMPTS, SENDING])
        return [_delivery(r) for r in rows]

    # -- the start-up catch-up --------------------------------------------------------------

    def record_catch_up(self, now: datetime, failures: list[tuple[str, str]]) -> None:
        """The newest catch-up's failed steps (step, error), replacing the last one's."""
        with self.db.atomic():
            self.db.execute("DELETE FROM catch_up_failures")
            for step, error in failures:
                self.db.execute("INSERT INTO catch_up_failures (step, at, error) VALUES (?, ?, ?)",
                                [step, _iso(now), error])

    def catch_up_failures(self) -> list[dict]:
        return list(self.db.query("SELECT step, at, error FROM catch_up_failures ORDER BY rowid"))

    # -- one-click links ------------------------------------------------------------------

    def use_link(self, link_id: str, *, target: str, action: str, recipient: str, actor: str | None,
                 note: str | None, now: datetime) -> bool:
        """Record that a single-use link acted; False if it had been used already."""
        cursor = self.db.execute(
            "INSERT INTO used_links (id, target, action, recipient, actor, note, used_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [link_id, target, action, recipient, actor, note, _iso(now)])
        return bool(cursor.rowcount)

    def used_link(self, link_id: str) -> UsedLink | None:
        rows = list(self.db.query("SELECT * FROM used_links WHERE id = ?", [link_id]))
        return UsedLink(**rows[0]) if rows else None

    # -- questions by email --------------------------------------------------------------

    def record_mail(self, question: MailQuestion) -> bool:
        """Record a mail read from the mailbox; False if its Message-ID was recorded before."""
        cursor = self.db.execute(
            "INSERT INTO mail_questions (message_id, sender, subject, question, outcome, key, refs, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
            [question.message_id, question.sender, question.subject, question.question, question.outcome,
             question.key, question.refs, question.received_at])
        return bool(cursor.rowcount)

    def mail_known(self, message_id: str) -> bool:
        return bool(list(self.db.query("SELECT 1 FROM mail_questions WHERE message_id = ?", [message_id])))

    def mail_question(self, key: str) -> MailQuestion | None:
        """The mail a reply (deliveries row `key`) answers."""
        rows = list(self.db.query("SELECT * FROM mail_questions WHERE key = ?", [key]))
        return MailQuestion(**rows[0]) if rows else None

    def answered_mail_from(self, sender: str, limit: int = 200) -> list[MailQuestion]:
        """The sender's answered mails, newest first: where a reply to the bot's answer finds the
        question its thread began with."""
        rows = self.db.query("SELECT * FROM mail_questions WHERE sender = ? AND outcome = 'answered' "
                             "ORDER BY received_at DESC, rowid DESC LIMIT ?", [sender, limit])
        return [MailQuestion(**row) for row in rows]

    # -- subscriptions and the query log ------------------------------------------------

    def subscribe(self, recipient: str, topic: str, now: datetime) -> None:
        self.db.execute("INSERT INTO subscriptions (recipient, topic, created_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (recipient, topic) DO NOTHING", [recipient, topic, _iso(now)])

    def unsubscribe(self, recipient: str, topic: str) -> None:
        self.db.execute("DELETE FROM subscriptions WHERE recipient = ? AND topic = ?", [recipient, topic])

    def subscribers(self, topic: str) -> list[str]:
        return [r["recipient"] for r in self.db.query(
            "SELECT recipient FROM subscriptions WHERE topic = ? ORDER BY id", [topic])]

    def log_query(self, *, at: datetime, channel: str, text: str, understood: bool, user: str | None = None,
                  intent: str | None = None, indicator: str | None = None, area: str | None = None,
                  period: str | None = None, milliseconds: int | None = None) -> None:
        self.db.execute(
            "INSERT INTO query_log (at, channel, user, text, understood, intent, indicator, area, period, "
            "milliseconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_iso(at), channel, user, text, int(understood), intent, indicator, area, period, milliseconds])


# --- rows <-> states ----------------------------------------------------------------------------

def _iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    return clock.stamp(moment) if isinstance(moment, datetime) else moment.isoformat()


def _row(state: TargetState) -> dict:
    return {
        "target": state.target, "status": state.status, "since": _iso(state.since),
        "evaluated_at": _iso(state.evaluated_at), "period": state.period, "actual": state.actual,
        # Full precision here (as_dict rounds for display), so a state reads back exactly as it was.
        "expected": state.expected,
        "reason": json.dumps({k: v for k, v in asdict(state.reason).items() if v is not None}, ensure_ascii=False),
        "forecast": json.dumps(asdict(state.forecast), ensure_ascii=False) if state.forecast else None,
        "sample_data": int(state.sample_data), "source": state.source, "fetched_at": state.fetched_at,
        "announced": state.announced,
        "notified_at": _iso(state.notified_at), "last_notice": state.last_notice,
        "snoozed_until": _iso(state.snoozed_until),
        "ack_note": state.ack.note if state.ack else None, "acked_at": _iso(state.ack.at) if state.ack else None,
        "acked_status": state.ack.status if state.ack else None,
    }


def _state(row: dict) -> TargetState:
    def moment(value: str | None) -> datetime | None:
        return clock.local(value) if value else None

    forecast = json.loads(row["forecast"]) if row["forecast"] else None
    return TargetState(
        target=row["target"], status=row["status"], since=moment(row["since"]),
        evaluated_at=moment(row["evaluated_at"]), period=row["period"], actual=row["actual"],
        expected=row["expected"], reason=Reason(**json.loads(row["reason"])),
        forecast=Forecast(**forecast) if forecast else None, sample_data=bool(row["sample_data"]),
        source=row["source"], fetched_at=row["fetched_at"],
        announced=row["announced"], notified_at=moment(row["notified_at"]), last_notice=row["last_notice"],
        snoozed_until=date.fromisoformat(row["snoozed_until"]) if row["snoozed_until"] else None,
        ack=Acknowledgement(row["ack_note"], moment(row["acked_at"]), row["acked_status"])
        if row["ack_note"] is not None else None,
    )


def _delivery(row: dict) -> Delivery:
    return Delivery(id=row["id"], key=row["key"], target=row["target"], kind=row["kind"],
                    recipient=row["recipient"], subject=row["subject"], body=row["body"], status=row["status"],
                    attempts=row["attempts"], channel=row["channel"], error=row["error"],
                    location=row["location"], sample_data=bool(row["sample_data"]),
                    finished_at=row["finished_at"],
                    card=json.loads(row["card"]) if row.get("card") else None,
                    content=json.loads(row["content"]) if row.get("content") else None,
                    permanent=bool(row.get("permanent")), created_at=row.get("created_at"))
