"""The service's jobs (`faktabot run`): refresh, evaluate, summary, fact sheet, staleness, catch-up.

Jobs are plain methods that take `now` and do one period's work idempotently: what was done is
read from the store's own records (refresh runs, deliveries), never from the scheduler's memory,
so a restart after a crash or a week switched off catches up and sends nothing twice. The
scheduler that calls them is `bot/service/scheduler.py`; the wiring is `bot/cli/compose.py`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot import clock
from bot.alerting import watch
from bot.alerting.context import TargetContext
from bot.asking import mail
from bot.asking.conversation import Reply, reply
from bot.config import Config
from bot.delivery.channels import Channels, is_email
from bot.delivery.email import envelope_sender
from bot.delivery.imap import Mailbox, MailboxError
from bot.delivery.ledger import Ledger
from bot.delivery.sending import send_due
from bot.rendering import formats, media, render
from bot.rendering.message import Content, Line, Section, paragraphs
from bot.rendering.terminal import run_notes
from bot.reports.factsheet import previous_quarter
from bot.reports.factsheet_mailing import send_factsheet
from bot.reports.summary_mailing import SummaryError, default_month, send_summary
from bot.service import Stopping
from bot.settings import Settings
from indicators import derived, inbox
from indicators.catalogue import default_areas, default_catalogue
from indicators.refresh import SourceStatus, source_status
from indicators.store import Store
from rules.engine import NOTICE_KINDS

log = logging.getLogger("faktabot.service")
# How old a source's last successful run may be before a catch-up refresh runs at start-up.
REFRESH_EVERY = timedelta(days=1)


@dataclass
class JobOutcome:
    job: str
    ok: bool
    text: str


@dataclass
class Service:
    """The jobs, each a plain function of `now`. Connectors and channels are passed in (tests)."""

    settings: Settings
    config: Config
    channels: Channels
    email: object  # SmtpChannel or EmlOutbox
    refreshers: dict[str, Callable[[Store, datetime], object]] = field(default_factory=dict)
    links: Callable[[str, str, datetime], list[tuple[str, str]]] | None = None  # one-click links in alerts
    mailbox: Callable[[], Mailbox] | None = None  # ask by email: a new IMAP session per poll, when set up
    outcomes: list[JobOutcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set to stop: checked between catch-up steps and between deliveries, so a stop lands at the
    # next safe point, nothing half-sent, and what was not sent stays due in the ledger.
    stop: threading.Event = field(default_factory=threading.Event)

    def _store(self) -> Store:
        return Store(self.settings.db_path)  # one connection per job: jobs run on pool threads

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One job at a time works on the store; a job waiting for its turn when a stop comes
        raises Stopping instead of starting."""
        while not self.lock.acquire(timeout=0.1):
            if self.stop.is_set():
                raise Stopping()
        try:
            if self.stop.is_set():
                raise Stopping()
            yield
        finally:
            self.lock.release()

    def _ledger(self, store: Store, now: datetime) -> Ledger:
        """The ledger, with sends stuck mid-way marked unknown and those past their hold released."""
        ledger = Ledger(store.db)
        ledger.reexamine(now, self.settings.unknown_hold)
        return ledger

    def _record(self, job: str, ok: bool, text: str) -> JobOutcome:
        outcome = JobOutcome(job, ok, text)
        self.outcomes.append(outcome)
        (log.info if ok else log.warning)("%s: %s", job, text)
        return outcome

    # -- jobs ---------------------------------------------------------------------------------

    def refresh(self, source: str, now: datetime, evaluate: bool = True) -> JobOutcome:
        """`evaluate=False`: leave the evaluation (and the retry of refused alerts) to the caller,
        as the catch-up does, which evaluates once after all its imports."""
        refresher = self.refreshers.get(source)
        if refresher is None:
            return self._record(f"refresh {source}", True, "not configured; skipped")
        with self._turn(), self._store() as store:
            result = refresher(store, now)
        if not getattr(result, "ok", False):
            if getattr(result, "landed", False):
                return self.partial_refresh(source, result, now, evaluate)
            return self._record(f"refresh {source}", False, f"failed, store unchanged: {getattr(result, 'error', '')}")
        changed = result.inserted + result.updated
        text = f"{result.rows} rows, {changed} new or changed, newest {result.newest}"
        if evaluate and changed:
            self.evaluate(now)  # evaluation runs on new data, not on a bare clock
        elif evaluate:
            self.retry_alerts(now)
        return self._record(f"refresh {source}", True, text)

    def evaluate(self, now: datetime) -> JobOutcome:
        with self._turn(), self._store() as store:
            run = watch.run_alerts(store, self._ledger(store, now), self.config, self.channels, now,
                                   should_stop=self.stop.is_set, links=self.links,
                                   replies_to_bot=self.settings.imap_enabled)
        return self._record("alerts", not run.failed,
                            f"{len(run.notices)} notices, {len(run.sent)} sent, {len(run.failed)} failed")

    def retry_alerts(self, now: datetime) -> JobOutcome | None:
        """Alerts that did not go out (an SMTP outage at the morning's refresh) are tried again at every
        scheduled refresh, without evaluating: left to the next evaluation, a breach could wait a month
        for the next new figures. None when nothing was waiting."""
        with self._turn(), self._store() as store:
            ledger = self._ledger(store, now)
            if not ledger.due(NOTICE_KINDS):
                return None
            run = watch.deliver_due(store, ledger, self.config, self.channels, now, should_stop=self.stop.is_set)
        return self._record("alerts", not run.failed, f"retried: {len(run.sent)} sent, {len(run.failed)} failed")

    def summary(self, now: datetime) -> JobOutcome:
        """The month before's summary, once its day has come; the ledger makes it once per recipient."""
        day = self.config.summary.day
        if now.day < day:
            return self._record("summary", True, f"not due before day {day}")
        month = default_month(now.date())
        try:
            with self._turn(), self._store() as store:
                context = TargetContext.load(store, self.config, now)
                run = send_summary(store, self._ledger(store, now), self.config, month, now=now,
                                   channels=self.channels, email=self.email, board=context.board_rows(store, month, day),
                                   target_paths=context.path, should_stop=self.stop.is_set)
        except SummaryError as error:
            return self._record("summary", False, str(error))
        return self._record("summary", not run.failed,
                            f"{month}: {len(run.sent)} sent, {len(run.already)} had it, {len(run.failed)} failed")

    def factsheet(self, now: datetime) -> JobOutcome:
        """The quarter just finished, to the committee, once, from day `day` of the next quarter."""
        mailing = self.config.factsheet
        quarter = previous_quarter(now.date())
        if not mailing.recipients:
            return self._record("factsheet", True, "no [factsheet] recipients; skipped")
        if now.month in (1, 4, 7, 10) and now.day < mailing.day:
            return self._record("factsheet", True, f"{quarter}: not due before day {mailing.day}")
        with self._turn(), self._store() as store:
            result = send_factsheet(store, self._ledger(store, now), self.config, quarter, now=now,
                                    channels=self.channels, email=self.email,
                                    target_paths=TargetContext.load(store, self.config, now).path,
                                    should_stop=self.stop.is_set)
        if result is None:
            return self._record("factsheet", True, f"{quarter}: already delivered")
        failed = result.failed + result.unknown
        return self._record("factsheet", not failed, f"{quarter}: {len(result.sent)} sent, {len(failed)} failed")

    def staleness(self, now: datetime) -> JobOutcome:
        """A source that has not delivered on time: one notice per source and newest period to the
        operations recipients (`[operations] recipients`)."""
        recipients = self.config.operations
        if not recipients:
            return self._record("staleness", True, "no [operations] recipients; skipped")
        with self._turn(), self._store() as store:
            ledger = self._ledger(store, now)
            stale = [s for s in source_status(store, now) if s.stale and s.source in self.refreshers]
            for status in stale:
                key = f"stale:{status.source}:{status.newest}"
                subject = render.render("stale_subject.txt.j2", s=status)
                content = stale_content(status)
                for recipient in recipients:
                    email = is_email(recipient)
                    ledger.queue(key=key, target=None, kind="stale", recipient=recipient, subject=subject,
                                 body=media.text(content) if email else media.mrkdwn(content), sample_data=False,
                                 now=now, content=content.as_dict() if email else None)
            result = send_due(ledger, ledger.due(["stale"]), self.channels, now, should_stop=self.stop.is_set)
        return self._record("staleness", not (result.failed or result.unknown),
                            f"{len(stale)} stale sources, {len(result.sent)} notices sent")

    def catch_up(self, now: datetime) -> list[JobOutcome]:
        """At start-up: whatever is due by the store's own records, each once; a stop is honoured
        between the steps (and between deliveries within them)."""
        with self._store() as store:
            last_ok = store.last_successful_runs()
            owed = store.derived_owed()
        # First the derived values a refresh stopped before (a crash, a kill) left owed.
        steps: list[tuple[str, Callable[[datetime], Any]]] = [("derived", self.complete_derived)] if owed else []
        # The refreshes and the inbox only import here: the one "alerts" step after them evaluates
        # the targets on everything they brought and sends what is due (refused alerts included).
        steps += [
            (f"refresh {source}", lambda moment, source=source: self.refresh(source, moment, evaluate=False))
            for source in self.refreshers
            if last_ok.get(source) is None or clock.local(last_ok[source]) < now - REFRESH_EVERY]
        # The inbox too: a file dropped while the service was down is imported now, before the
        # evaluation, not at the next scheduled import (the same job: rejects moved with a reason).
        steps += [("inbox", lambda moment: self.import_inbox(moment, evaluate=False)), ("alerts", self.evaluate),
                  ("summary", self.summary), ("factsheet", self.factsheet), ("staleness", self.staleness)]
        done: list[JobOutcome] = []
        failures: list[tuple[str, str]] = []
        for name, step in steps:
            if self.stop.is_set():
                log.info("catch-up stopped before %s; the next start catches up the rest", name)
                break
            # Each step on its own, as the scheduler's wrapper does for jobs: a refresh that raises or
            # an unusable inbox must not leave the targets unevaluated and what is due unsent.
            try:
                done.append(step(now))
            except Stopping:
                raise
            except Exception as error:  # logged with the traceback, recorded for `status`
                log.exception("catch-up: step %s failed; the other steps go on", name)
                reason = f"{type(error).__name__}: {error}"
                failures.append((name, reason))
                done.append(self._record(name, False, f"failed: {reason}"))
        try:
            with self._turn(), self._store() as store:
                Ledger(store.db).record_catch_up(now, failures)
        except Stopping:
            pass
        except Exception:  # the store may be what failed; the log has the steps
            log.exception("catch-up: its failed steps could not be recorded for faktabot status")
        return done

    def complete_derived(self, now: datetime) -> JobOutcome:
        """The derived values a refresh stopped before its derived step left owed (indicators.derived)."""
        with self._turn(), self._store() as store:
            run = derived.complete_owed(store, default_catalogue(), now=clock.stamp(now))
        return self._record("derived", True, "nothing owed" if run is None else
                            f"owed work done: {run.written} values written for {', '.join(run.formulas) or 'no formula'}")

    # -- added for issue 13 (per-table refresh, inbox import) ---------------------------------

    def partial_refresh(self, source: str, result, now: datetime, evaluate: bool = True) -> JobOutcome:
        """Some tables of a source run landed and some failed: evaluate on what landed, name the rest."""
        if evaluate and result.inserted + result.updated:
            self.evaluate(now)
        elif evaluate:
            self.retry_alerts(now)
        failed = ", ".join(t.table for t in result.failed_tables)
        return self._record(f"refresh {source}", False,
                            f"{result.rows} rows stored; tables failed, asked again next run: {failed}: {result.error}")

    def poll_mail(self, now: datetime) -> mail.Polled:
        """Ask by email: answer the questions in the mailbox once. Raises MailboxError."""
        if self.mailbox is None:
            return mail.Polled()
        own = tuple(a.lower() for a in (envelope_sender(self.settings.mail_from or ""), self.settings.imap_user or "")
                    if "@" in a)
        with self._turn(), self._store() as store:
            context = TargetContext.load(store, self.config, now)

            def answer(text: str, with_chart: bool, after: tuple[str, ...] = ()) -> Reply:
                # A reply to the bot's answer reads its new line against the thread's questions,
                # each read against those before it, as a Slack thread does.
                earlier = None
                for question in after:
                    earlier = reply(question, store, self.config, now.date(), with_chart=False,
                                    targets=context.for_answer, target_board=context.board,
                                    context=earlier).context or earlier
                return reply(text, store, self.config, now.date(), with_chart=with_chart,
                             targets=context.for_answer, target_board=context.board, context=earlier)

            return mail.poll(self.mailbox(), self._ledger(store, now), answer, channels=self.channels,
                             email=self.email, now=now, own=own, allow=self.settings.imap_allow,
                             should_stop=self.stop.is_set)

    def mail(self, now: datetime) -> JobOutcome:
        """The scheduled poll: a mailbox that cannot be read is a failed job, not a stopped service."""
        try:
            polled = self.poll_mail(now)
        except MailboxError as error:
            return self._record("mail", False, f"{error}; trying again at the next poll")
        failed = polled.sent.failed + polled.sent.unknown
        return self._record("mail", not failed, f"{len(polled.answered)} questions, {len(polled.ignored)} ignored, "
                                                f"{len(polled.sent.sent)} replies sent, {len(failed)} failed")

    def import_inbox(self, now: datetime, evaluate: bool = True) -> JobOutcome:
        """Import the files dropped in FAKTABOT_INBOX (indicators.inbox); evaluate when figures changed
        (unless `evaluate=False`: the catch-up evaluates once after all its imports)."""
        catalogue, areas = default_catalogue(), default_areas()
        with self.lock, self._store() as store:
            done = inbox.import_inbox(store, self.settings.inbox, catalogue=catalogue, areas=areas,
                                      formats=self.config.imports, now=clock.stamp(now),
                                      when=formats.moment(now), default_area=self.config.area)
        changed = sum(f.result.inserted + f.result.updated for f in done if f.imported and f.result)
        if changed and evaluate:
            self.evaluate(now)
        rejected = [f.name for f in done if not f.imported]
        text = f"{len(done) - len(rejected)} imported, {len(rejected)} rejected" + (
            f" ({', '.join(rejected)}; reasons in {self.settings.inbox / inbox.REJECTED})" if rejected else "")
        # What each import did beside storing its rows (a total summed from the file's parts, eksempeldata
        # removed), in the words `faktabot refresh --file` prints: the log is where the operator reads it.
        text += "".join(f"; {f.name}:{notes}" for f in done
                        if f.imported and f.result and (notes := run_notes(f.result)))
        return self._record("inbox", not rejected, text)


def stale_content(status: SourceStatus) -> Content:
    """The staleness notice to operations as the message model: what is old, which tables failed
    and the error, and what to run (operations run Faktabot, so the commands are theirs)."""
    def word(name: str, *args: object) -> str:
        return render.macro("_stale.j2", name, *args)

    sections = [paragraphs(word("state", status))]
    if status.failed_tables:
        rows = tuple(Line(word("failed_table", *row)) for row in status.failed_tables)
        sections.append(Section(word("failed_heading"), rows, bullets=True))
    elif status.last_error:
        sections.append(paragraphs(word("last_error", status)))
    sections.append(paragraphs(word("advice", status)))
    return Content(headline=word("headline", status), sections=tuple(sections))
