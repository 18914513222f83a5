"""The Slack side's own tables in store.db: seen events, posts to retry, alert threads, App Home users.

I/O; all of the Slack side's SQL lives here, with its own sqlite-utils migration set
(`faktabot-slack`), so it never touches the tables of `bot/ledger.py`. One instance per thread,
on that thread's store connection.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import clock
from indicators.database import Database, Migrations
from indicators.store import normalise_timestamps

MIGRATION_SET = "faktabot-slack"
migrations = Migrations(MIGRATION_SET)
# Every column that holds a moment; written by bot.clock.stamp (UTC, ISO 8601 with offset).
TIMESTAMP_COLUMNS = {"slack_events": ["received_at"], "slack_posts": ["created_at", "finished_at"],
                     "slack_alerts": ["posted_at"], "slack_home_users": ["opened_at"]}

# Slack retries an event three times within about six minutes; a day is ample to catch them all.
EVENT_MEMORY = timedelta(days=1)
# A post that failed is tried again after 30 s, 1 min, 2 min, … (doubling): eight tries span about
# two hours of Slack trouble; after that it is given up and the row stays for the operator.
MAX_ATTEMPTS = 8
FIRST_WAIT = timedelta(seconds=30)


@migrations()
def m001_slack_tables(db: Database) -> None:
    db.execute("CREATE TABLE slack_events (event_id TEXT PRIMARY KEY, received_at TEXT NOT NULL)")
    db.execute(
        """
        CREATE TABLE slack_posts (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            thread_ts TEXT,
            payload TEXT NOT NULL,
            chart BLOB,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            error TEXT,
            created_at TEXT NOT NULL,
            finished_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE slack_alerts (
            target TEXT NOT NULL,
            channel TEXT NOT NULL,
            ts TEXT NOT NULL,
            key TEXT NOT NULL,
            text TEXT NOT NULL,
            status_line TEXT,
            posted_at TEXT NOT NULL,
            PRIMARY KEY (target, channel)
        )
        """
    )
    db.execute("CREATE TABLE slack_home_users (user TEXT PRIMARY KEY, opened_at TEXT NOT NULL)")


@dataclass(frozen=True, slots=True)
class FailedPost:
    """An answer Slack did not take; `payload` holds chat.postMessage's arguments, `chart` the PNG."""

    id: int
    channel: str
    thread_ts: str | None
    payload: dict
    chart: bytes | None
    attempts: int


@dataclass(frozen=True, slots=True)
class AlertPost:
    """Where a target's newest alert was posted in a channel: reminders go in its thread."""

    target: str
    channel: str
    ts: str
    key: str
    text: str
    status_line: str | None


@migrations()
def m002_timestamps_in_utc(db: Database) -> None:
    # One way to store a moment (UTC, +00:00), so "older than a day" compares correctly as text.
    normalise_timestamps(db, TIMESTAMP_COLUMNS)


class SlackRecords:
    def __init__(self, db: Database, migrate: bool = True):
        self.db = db
        if migrate:
            migrations.apply(db)

    # -- event retries ----------------------------------------------------------------------

    def first_time(self, event_id: str, now: datetime) -> bool:
        """Record `event_id`; False if it was seen before (Slack retried, or replayed)."""
        cursor = self.db.execute("INSERT INTO slack_events (event_id, received_at) VALUES (?, ?) "
                                 "ON CONFLICT (event_id) DO NOTHING", [event_id, clock.stamp(now)])
        return cursor.rowcount == 1

    def forget_events(self, now: datetime) -> int:
        cursor = self.db.execute("DELETE FROM slack_events WHERE received_at < ?", [clock.stamp(now - EVENT_MEMORY)])
        return cursor.rowcount

    # -- posts that failed -----------------------------------------------------------------

    def failed_post(self, channel: str, thread_ts: str | None, payload: dict, chart: bytes | None,
                    error: str, now: datetime, *, permanent: bool = False) -> int:
        """Record a post Slack did not take: to retry (`failed`), or, when retrying cannot help,
        given up at once (`given_up`) and kept, with `error` saying what to do, for the operator."""
        cursor = self.db.execute(
            "INSERT INTO slack_posts (channel, thread_ts, payload, chart, status, error, created_at, finished_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [channel, thread_ts, json.dumps(payload, ensure_ascii=False), chart,
             "given_up" if permanent else "failed", error, clock.stamp(now), clock.stamp(now) if permanent else None])
        return cursor.lastrowid

    def given_up(self) -> int:
        """How many posts will not be tried again (refused for good, or out of tries): for `status
        --check`; none in a store where Slack never ran."""
        if not self.db.table("slack_posts").exists():
            return 0
        row = next(self.db.query("SELECT count(*) AS n FROM slack_posts WHERE status = 'given_up' "
                                 "OR (status = 'failed' AND attempts >= ?)", [MAX_ATTEMPTS]))
        return row["n"]

    def undelivered(self, limit: int = 20) -> list[dict]:
        """The newest posts Slack has not taken (waiting for a retry, or given up), for `faktabot
        status`; none in a store where Slack never ran."""
        if not self.db.table("slack_posts").exists():
            return []
        return list(self.db.query(
            "SELECT id, channel, status, attempts, error, created_at, finished_at FROM slack_posts "
            "WHERE status != 'sent' ORDER BY id DESC LIMIT ?", [limit]))

    def posts_to_retry(self, now: datetime) -> list[FailedPost]:
        """Failed posts whose next try is due at `now` (the wait doubles with each attempt)."""
        rows = self.db.query("SELECT * FROM slack_posts WHERE status = 'failed' AND attempts < ? ORDER BY id",
                             [MAX_ATTEMPTS])
        due = []
        for r in rows:
            last = clock.local(r["finished_at"] or r["created_at"])
            if last + FIRST_WAIT * 2 ** (r["attempts"] - 1) <= now:
                due.append(FailedPost(r["id"], r["channel"], r["thread_ts"], json.loads(r["payload"]), r["chart"],
                                      r["attempts"]))
        return due

    def retried(self, post_id: int, error: str | None, now: datetime, permanent: bool = False) -> None:
        """After a retry: sent (error None), failed again, or given up (permanent, or the last try)."""
        status = "sent" if error is None else "failed"
        self.db.execute("UPDATE slack_posts SET status = ?, attempts = attempts + 1, error = ?, finished_at = ? "
                        "WHERE id = ?", [status, error, clock.stamp(now), post_id])
        if error is not None and permanent:
            self.db.execute("UPDATE slack_posts SET status = 'given_up' WHERE id = ?", [post_id])

    # -- alert threads ---------------------------------------------------------------------

    def alert_post(self, target: str, channel: str) -> AlertPost | None:
        row = next(self.db.query("SELECT * FROM slack_alerts WHERE target = ? AND channel = ?", [target, channel]),
                   None)
        return AlertPost(**{k: row[k] for k in AlertPost.__slots__}) if row else None

    def alert_post_at(self, channel: str, ts: str) -> AlertPost | None:
        row = next(self.db.query("SELECT * FROM slack_alerts WHERE channel = ? AND ts = ?", [channel, ts]), None)
        return AlertPost(**{k: row[k] for k in AlertPost.__slots__}) if row else None

    def remember_alert(self, post: AlertPost, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO slack_alerts (target, channel, ts, key, text, status_line, posted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (target, channel) DO UPDATE SET ts = excluded.ts, "
            "key = excluded.key, text = excluded.text, status_line = excluded.status_line, "
            "posted_at = excluded.posted_at",
            [post.target, post.channel, post.ts, post.key, post.text, post.status_line, clock.stamp(now)])

    def set_status_line(self, channel: str, ts: str, line: str) -> None:
        self.db.execute("UPDATE slack_alerts SET status_line = ? WHERE channel = ? AND ts = ?", [line, channel, ts])

    # -- App Home --------------------------------------------------------------------------

    def home_opened(self, user: str, now: datetime) -> None:
        self.db.execute("INSERT INTO slack_home_users (user, opened_at) VALUES (?, ?) "
                        "ON CONFLICT (user) DO UPDATE SET opened_at = excluded.opened_at", [user, clock.stamp(now)])

    def home_users(self) -> list[str]:
        return [r["user"] for r in self.db.query("SELECT user FROM slack_home_users ORDER BY user")]
