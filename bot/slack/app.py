"""The Slack side's shared state: settings, config, clock, the Web API client, one store
connection per thread, the worker pool and the chart processes (`SlackBot`).

The listeners that use it are registered in `bot/slack/listeners.py`; what their work does lives
in `questions.py` and `actions.py`. I/O: Slack and the store.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot import clock
from bot.asking.conversation import Conversations, Reply
from bot.asking.queries import default_vocabulary
from bot.config import Config
from bot.delivery.ledger import Ledger
from bot.flights import Flights
from bot.rendering import render
from bot.settings import Settings
from bot.slack.connections import KeepAliveWebClient
from bot.slack.records import SlackRecords
from bot.slack.rendering import ChartRenderer
from indicators.database import Database
from indicators.store import Store

log = logging.getLogger("faktabot.slack")
# Answer work per worker that may wait silently; beyond it a question hears »Jeg arbejder på det…«.
QUEUE_PER_WORKER = 4
# How long the workers wait for each other at start-up, so each opens its store once.
WARM_SECONDS = 5.0
# How many times the silent queue may wait before a question is refused, politely.
OVERLOAD = 4
# How long answer work waits at most for the listener to acknowledge what is arriving.
QUIET_SECONDS = 0.2
# Answers remembered for questions asked again (each a reply's text and data, a few kB).
ANSWERS_KEPT = 512
# Charts already shared into a channel, remembered by channel and PNG (a file id each).
SHARED_KEPT = 1024
# How long a chart waits for the same chart's upload into the same channel by another thread before
# uploading it itself: about one upload's three calls with their retries on a slow Slack.
UPLOAD_WAIT = 30.0


def worker_count(cpus: int | None = None) -> int:
    """Answer workers for this machine: four per core (they mostly wait on Slack and on the chart
    processes), at least four and at most 32."""
    return max(4, min(32, 4 * (cpus or os.cpu_count() or 1)))


class Arrivals:
    """Requests the Slack listener is reading and acknowledging right now, and events it has
    acknowledged that the dispatch thread has not yet handed to the listeners. Answer and chart
    work waits until none of either are left (at most `QUIET_SECONDS`) before it starts: an
    acknowledgement, a dispatch and an answer take turns at the one GIL, so a burst of events is
    acknowledged first, then handed on (a fraction of a millisecond each), then answered."""

    def __init__(self) -> None:
        self._count = 0  # connections being read and acknowledged
        self._queued = 0  # events acknowledged, waiting for the dispatch thread
        self._changed = threading.Condition()

    def arrived(self) -> None:
        with self._changed:
            self._count += 1

    def answered(self) -> None:
        with self._changed:
            self._count -= 1
            if self._count <= 0:
                self._changed.notify_all()

    def queued(self) -> None:
        with self._changed:
            self._queued += 1

    def dispatched(self) -> None:
        with self._changed:
            self._queued -= 1
            if self._queued <= 0 and self._count <= 0:
                self._changed.notify_all()

    def wait_acknowledged(self, seconds: float = QUIET_SECONDS) -> None:
        """Until no request is being read and acknowledged (the dispatch thread waits for this)."""
        with self._changed:
            self._changed.wait_for(lambda: self._count <= 0, timeout=seconds)

    def wait_quiet(self, seconds: float = QUIET_SECONDS) -> None:
        """Until every request is acknowledged and every event handed to the listeners."""
        with self._changed:
            self._changed.wait_for(lambda: self._count <= 0 and self._queued <= 0, timeout=seconds)


@dataclass
class Remembered:
    """A reply remembered, and its chart once drawn (None: not yet; b"": it has none)."""

    reply: Reply
    png: bytes | None = None

    def chart(self, draw: Callable[[], bytes | None]) -> bytes | None:
        if self.png is None:
            self.png = draw() or b""  # two threads may both draw: the chart cache makes it once
        return self.png or None


class KeptLru:
    """A bounded, least-recently-used map shared by the worker threads: the answers and the chart
    files the bot keeps (`RememberedAnswers`, `SharedCharts`). Past `entries` the least recently
    used goes first; safe across threads."""

    def __init__(self, entries: int):
        self.entries = entries
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: Hashable, value, *, first_wins: bool = False):
        """Keep `value` under `key` and return what is kept: with `first_wins`, another thread's
        value if it came first."""
        with self._lock:
            found = self._kept.get(key) if first_wins else None
            if found is None:
                found = value
            self._kept[key] = found
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)
            return found

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._kept.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)


class RememberedAnswers(KeptLru):
    """Answers already made, by question and data version: a question asked again before the data
    changes is answered without reading the store or rendering again."""

    def __init__(self, entries: int = ANSWERS_KEPT):
        super().__init__(entries)

    def keep(self, key: Hashable, reply: Reply) -> Remembered:
        return self.put(key, Remembered(reply), first_wins=True)


class SharedCharts(KeptLru):
    """Chart files already uploaded into a channel, by channel and the PNG's digest: the same chart
    asked for again in that channel is shown from that file (a `slack_file` image block, one Web API
    call) instead of uploading the same bytes again (three calls and another file in the
    workspace). Only files uploaded with their channel are kept: a file uploaded without one cannot
    be shown in a block. `forget` when Slack no longer shows the file (deleted, or not shown yet)."""

    def __init__(self, entries: int = SHARED_KEPT):
        super().__init__(entries)
        self._uploading = Flights()

    @staticmethod
    def key(channel: str, png: bytes) -> tuple[str, bytes]:
        return channel, hashlib.sha256(png).digest()

    def keep(self, key: tuple[str, bytes], file_id: str) -> None:
        self.put(key, file_id)

    @contextmanager
    def first_upload(self, key: tuple[str, bytes], wait: float = UPLOAD_WAIT) -> Iterator[str | None]:
        """One upload of a chart into a channel at a time: the same answer asked by several people
        at once has its chart uploaded once and shown from that file to the rest. Yields the file
        id (another thread's upload of it completed while this one waited, at most `wait` seconds),
        or None: this thread uploads, and the others wait until it leaves the block. An upload that
        failed leaves no file id, and each of those waiting uploads its chart itself."""
        found = self.get(key)
        if found is not None:
            yield found
            return
        with self._uploading.one_at_a_time(key, wait):
            # None, unless another's upload completed while this thread waited (or since the look above).
            yield self.get(key)


# Web API methods that post something: sent twice, they show twice.
POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"})


def unconfirmed(error: BaseException) -> bool:
    """Whether a failed call may still have been carried out: the whole request went out and the
    connection broke (or timed out) while waiting for Slack's answer. urllib wraps what fails while
    connecting or sending in URLError, and lets what fails while reading the answer through."""
    return isinstance(error, (ConnectionResetError, TimeoutError)) and not isinstance(error, URLError)


class ConnectionRetry(ConnectionErrorRetryHandler):
    """slack-sdk's retry on a dropped connection, except for a posting method whose request went
    out whole: Slack may have posted it, and a blind retry would post it twice. That call fails
    at once; the caller records its outcome as unknown (an alert) or retries it later (an answer)."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        method = request.url.rsplit("/", 1)[-1].split("?", 1)[0]
        if error is not None and method in POSTING_METHODS and unconfirmed(error):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def web_client(settings: Settings) -> WebClient:
    """The Web API client: base URL from SLACK_API_URL, over connections kept open between calls
    (`KeepAliveWebClient`); retries on 429 (honouring Retry-After), on a dropped connection (not
    after a posting method's request went out: `ConnectionRetry`) and once on a 5xx."""
    # 15 s per call; with the retries a call that hangs gives up after about 45 s, and start-up
    # (auth.test) has its own overall deadline in server.serve.
    client = KeepAliveWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15)
    client.retry_handlers = [ConnectionRetry(max_retry_count=2),
                             RateLimitErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=1)]
    return client


class SlackBot:
    """Settings, config, clock and one store connection per thread, shared by every listener."""

    def __init__(self, settings: Settings, config: Config, *, clock: Callable[[], datetime] = clock.now,
                 client: WebClient | None = None, workers: int | None = None, queue: int | None = None,
                 chart_processes: int | None = None):
        self.settings, self.config, self.clock = settings, config, clock
        self.client = client or web_client(settings)
        self._local = threading.local()
        with Store(settings.db_path) as store:  # migrate once, here, before any thread needs the tables
            SlackRecords(store.db)
            Ledger(store.db)
        # Seen event ids are checked before every acknowledgement, on whichever thread the request
        # arrived: one shared connection behind a lock, and no fsync per event (WAL + NORMAL keeps
        # them across a crash of the process, which is what a retry follows).
        # The query log is written through the same connection, so that its data version (commits
        # by every other connection: a refresh, an evaluation, an acknowledgement) names the data
        # an answer was made from, unchanged by the questions themselves (`remembered_answers`).
        connection = sqlite3.connect(settings.db_path, check_same_thread=False, timeout=5)
        connection.execute("PRAGMA synchronous = NORMAL")
        self._events = SlackRecords(Database(connection), migrate=False)
        self._queries = Ledger(self._events.db)
        self._events_lock = threading.Lock()
        self.answers = RememberedAnswers()
        self.shared = SharedCharts()
        self.arrivals = Arrivals()  # counted by the HTTP listener (bot/slack/server.py)
        # Workers mostly wait (on Slack, on a chart process), so a few per core; more would only
        # fight the threads that acknowledge Slack for the GIL. Past `workers + queue` pieces of
        # work at once a question is told »Jeg arbejder på det…« and still answered; past
        # OVERLOAD times that it is told, politely, to ask again.
        self.workers = workers or worker_count()
        self.queue = QUEUE_PER_WORKER * self.workers if queue is None else queue
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="slack-work")
        # The busy notes and modals, which must not wait behind the answers.
        self.notices = ThreadPoolExecutor(max_workers=2, thread_name_prefix="slack-notice")
        # Answers' charts, after their text: they wait on the chart processes and on uploads.
        self.charts = ThreadPoolExecutor(max_workers=2 * self.workers, thread_name_prefix="slack-chart")
        self._waiting = 0
        self._waiting_lock = threading.Lock()
        self.renderer = ChartRenderer((os.cpu_count() or 1) if chart_processes is None else chart_processes)
        # The last question per thread and DM, so "og i Aarhus?" follows it (30 minutes idle).
        self.conversations = Conversations()
        self.allowed_channels = config.slack.channels
        self.allowed_users = config.slack.users
        # Every worker opens its store connection (and the first loads the vocabulary and the
        # templates) now, not on the first burst of questions: one warm-up per worker thread.
        meeting = threading.Barrier(self.workers)
        for _ in range(self.workers):
            self.pool.submit(self._guarded, "warm-up", self.warm, meeting)

    # -- per-thread store ------------------------------------------------------------------

    def store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.settings.db_path)
            # The query log and the Slack tables are written by many threads at once; in WAL mode
            # NORMAL skips the fsync per commit and still survives a crash of the process.
            store.db.execute("PRAGMA synchronous = NORMAL")
            self._local.records = SlackRecords(store.db, migrate=False)
            self._local.ledger = Ledger(store.db)
        return store

    def records(self) -> SlackRecords:
        self.store()
        return self._local.records

    def ledger(self) -> Ledger:
        self.store()
        return self._local.ledger

    # -- work off the listener thread ------------------------------------------------------

    def later(self, name: str, work: Callable[..., object], *args: object,
              busy: Callable[[str], object] | None = None) -> bool:
        """Queue `work(*args)` for a worker; returns at once (this runs before Slack's ack). With
        every worker busy and the queue full, `busy` (a question's way to reply) is told so on
        the notice thread: »Jeg arbejder på det…« and the work still queued, or, past OVERLOAD
        times the queue, a polite no and the work dropped (False)."""
        with self._waiting_lock:
            waiting = self._waiting
            full = waiting >= self.workers + self.queue
            refused = busy is not None and waiting >= (self.workers + self.queue) * OVERLOAD
            if not refused:
                self._waiting += 1
        if busy is not None and (full or refused):
            self.notices.submit(self._guarded, "busy note", busy, "overloaded" if refused else "busy")
        if refused:
            log.warning("slack: %d pieces of work waiting; %s refused", waiting, name)
            return False
        self.pool.submit(self._counted, name, work, *args)
        return True

    def soon(self, name: str, work: Callable[..., object], *args: object) -> None:
        """Run `work(*args)` off the listener thread but not behind the answers (a modal to open)."""
        self.notices.submit(self._guarded, name, work, *args)

    def chart_later(self, work: Callable[..., object], *args: object) -> None:
        """Draw and upload an answer's chart after its text, off the answer workers."""
        self.charts.submit(self._quietly, "chart", work, *args)

    def _quietly(self, name: str, work: Callable[..., object], *args: object) -> None:
        self.arrivals.wait_quiet()
        self._guarded(name, work, *args)

    def _counted(self, name: str, work: Callable[..., object], *args: object) -> None:
        try:
            self.arrivals.wait_quiet()
            self._guarded(name, work, *args)
        finally:
            with self._waiting_lock:
                self._waiting -= 1

    @staticmethod
    def _guarded(name: str, work: Callable[..., object], *args: object) -> None:
        # The Slack listener wrapper: the one place here that catches broadly, so one failing
        # answer is logged with its traceback and the next question is still answered.
        try:
            work(*args)
        except Exception:
            log.exception("slack: %s failed", name)

    def warm(self, meeting: threading.Barrier | None = None) -> None:
        """Load what the first answer needs (vocabulary, catalogue, templates, this thread's store)
        on a worker at start-up, so the first question waits for none of it. With `meeting`, the
        workers wait for each other, so that each thread warms up once."""
        default_vocabulary()
        for name in ("answer.txt.j2", "ranking.txt.j2", "not_understood.txt.j2", "target_line.txt.j2"):
            render.environment().get_template(name)
        self.store()
        if meeting is not None:
            try:
                meeting.wait(timeout=WARM_SECONDS)
            except threading.BrokenBarrierError:  # a question came first: that worker warms on it
                pass

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)
        self.notices.shutdown(wait=True, cancel_futures=False)
        self.charts.shutdown(wait=True, cancel_futures=False)
        self.renderer.close()
        if isinstance(self.client, KeepAliveWebClient):
            self.client.connections.close()
        with self._events_lock:
            self._events.db.close()

    def log_query(self, **fields: object) -> None:
        """A line in the query log (`Ledger.log_query`'s fields), on the shared connection."""
        with self._events_lock:
            self._queries.log_query(**fields)

    def data_version(self) -> int:
        """Changes whenever another connection (a refresh, an evaluation, a worker's own writes)
        has committed to the store; questions and their log lines leave it as it is."""
        with self._events_lock:
            return self._events.db.execute("PRAGMA data_version").fetchone()[0]

    def first_time(self, event_id: str) -> bool:
        """Whether this Slack event id is new (remembered across restarts); checked on any thread."""
        with self._events_lock:
            return self._events.first_time(event_id, self.clock())
