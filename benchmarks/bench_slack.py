"""Slack under a burst: 50 managers ask at the same moment. `faktabot run` runs in HTTP mode as its
own process, as in production, with SLACK_API_URL at the tests' fake Web API (tests/fake_slack.py)
in this process; signed app_mentions go to its /slack/events. Ack latency p99 beside a bare HTTP
round trip, and answer-with-chart latency p99 (until the chart's upload is complete) beside
answering the same questions in-process with no Slack, one at a time (the text is posted first, so
its latency is shown too). Three bursts; the second and third ask what the first asked, so their
answers and charts are known already: "repeated answer + chart" is measured on those. A chart the
channel already has is shown again from its file (one chat.postMessage with a `slack_file` image
block) rather than uploaded again, so for those "until the chart is in the thread" is that message's
arrival; for the rest it is the arrival of files.completeUploadExternal, as before.
With more questions than workers and queue, some hear »Jeg arbejder på det…« first; the answer's
text is the message after that note.

The client is what Slack would be: one thread in a process of its own (`fire`), which opens a
connection per request, writes the 50 requests (signed before the clock starts) as fast as the
sockets take them and timestamps each response as it completes. An ack is timed from just before
its connection opens to its whole response, as before; what changed is that 50 client threads in
this process no longer share a GIL with each other and with the fake Slack, whose own cost (86 ms
of the 249–364 ms acks measured that way) was the harness's, not the bot's. The baseline is the
same client against a server doing nothing else: the fake, idle, at /webhook/ (a ThreadingHTTPServer,
which starts a thread per connection; the bot's listener has its handler threads started already,
so it can come in under this baseline). Answers are timed
from the same send times to the fake's arrival times: `time.perf_counter()` is CLOCK_MONOTONIC on
Linux, one clock for every process.

The bot keeps its connections to the Web API open between calls (bot/slack/connections.py), as a
client of slack.com should. The fake writes an answer's headers and its body in two writes; on a
connection kept open, Nagle's algorithm held the body back until the bot's delayed ACK, 40 ms a
call, which no real web server makes a client wait: the fake now sends with TCP_NODELAY (the
harness's cost, not the bot's; a connection per call, as before, never waited for it).
"""
from __future__ import annotations

import multiprocessing
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Self

from benchmarks.measure import Result, percentile
from bot.asking.conversation import reply
from bot.config import Config
from indicators import sampledata
from indicators.store import Store
from tests import fake_slack as slack

QUESTIONS = [
    "ledighed maj", "ledighedsprocent marts 2025 Aarhus", "sygedagpenge", "udvikling i fleksjob",
    "ledige vs landet", "kontanthjælp", "langtidsledige Odense", "aktiveringsgrad", "ungeledighed",
    "beskæftigelse", "forsørgertryk", "jobomsætning", "samtaler", "ledighedsprocent", "udvikling i ledigheden",
    # A month, not "fleksjob 2025": a year is now answered as its average, which has no chart to wait for.
    "fleksjob maj 2025", "ledige kvinder", "sygedagpenge vs region", "ledighed april 2026", "befolkning",
]
BURSTS = 3
AT_ONCE = 50  # questions per burst: the list asked over again
TODAY = date(2026, 11, 25)


def _asked(at_once: int) -> list[str]:
    return [QUESTIONS[i % len(QUESTIONS)] for i in range(at_once)]


def _request(port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One HTTP/1.1 request as bytes, ready to write: signed (or not) before the clock starts."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}",
             "Connection: close", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


def fire(port: int, requests: list[bytes], timeout: float = 30.0) -> list[tuple[float, float, int]]:
    """Send every request at once from this one thread, over a connection each, and timestamp each
    response as it completes: (sent, answered, HTTP status) per request, in `time.perf_counter()`
    seconds (CLOCK_MONOTONIC on Linux: the same clock in every process, so the fake's arrival times
    compare). Runs in the client process (`_Client`): no thread per request, no GIL shared with the
    fake Slack, so the figure is the server's, not the harness's."""
    chooser = selectors.DefaultSelector()
    pending: dict[socket.socket, list] = {}
    for number, request in enumerate(requests):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sent = time.perf_counter()
        sock.connect_ex(("127.0.0.1", port))
        pending[sock] = [number, sent, memoryview(request), bytearray()]
        chooser.register(sock, selectors.EVENT_WRITE)
    done: dict[int, tuple[float, float, int]] = {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for key, events in chooser.select(timeout=1.0):
            sock = key.fileobj
            number, sent, unsent, got = pending[sock]
            if events & selectors.EVENT_WRITE:
                written = sock.send(unsent)
                pending[sock][2] = unsent = unsent[written:]
                if not unsent:
                    chooser.modify(sock, selectors.EVENT_READ)
                continue
            chunk = sock.recv(65536)
            got += chunk
            if chunk and not _complete(got):
                continue
            answered = time.perf_counter()
            status = int(got[9:12]) if got[:5] == b"HTTP/" else 0
            done[number] = (sent, answered, status)
            chooser.unregister(sock)
            sock.close()
            del pending[sock]
    for sock in pending:
        sock.close()
    chooser.close()
    if pending:
        raise RuntimeError(f"{len(pending)} of {len(requests)} requests had no answer within {timeout} s")
    return [done[number] for number in range(len(requests))]


def _complete(response: bytearray) -> bool:
    """Whether a whole HTTP response (headers and its Content-Length of body) has arrived."""
    head, found, body = bytes(response).partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False  # no length: complete when the server closes


class _Client:
    """`fire` in a process of its own (spawned once, warmed before any figure is taken)."""

    def __enter__(self) -> Self:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        self._pool.submit(_complete, bytearray()).result()  # started, and this module imported
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True)

    def fire(self, port: int, requests: list[bytes]) -> list[tuple[float, float, int]]:
        return self._pool.submit(fire, port, requests).result()


def _burst(port: int, fake: slack.FakeSlack, client: _Client, burst: int, at_once: int,
           busy: str) -> tuple[list[float], list[float], list[float]]:
    """Send `at_once` questions at once; latencies in seconds of the acks, of the answers' text
    (posted first, after a busy note if any) and of the answers with their charts."""
    stamps, requests = [], []
    for number, question in enumerate(_asked(at_once)):
        ts = f"1764200{burst:03d}.{number:06d}"
        body = slack.event(slack.mention(question, ts), f"Ev-bench-{burst}-{number}")
        stamps.append(ts)
        requests.append(_request(port, "/slack/events", body.encode("utf-8"),
                                 slack.signed_headers(body, "application/json")))
    fired = client.fire(port, requests)
    assert all(status == 200 for _, _, status in fired), [status for _, _, status in fired]
    acks = [answered - sent for sent, answered, _ in fired]
    # An answer is complete when its chart is in the thread: its upload completed there, or (a chart
    # the channel has already) the message showing that file arrived.
    # The texts are looked up once every chart is in: scanning the calls while the answers still
    # arrive would take the fake's GIL from it (the harness's cost, not the bot's).
    answers = [fake.wait_for_chart(ts, timeout=60).at - at for ts, (at, _, _) in zip(stamps, fired, strict=True)]
    texts = []
    for ts, (at, _, _) in zip(stamps, fired, strict=True):
        posted = fake.to("chat.postMessage", where=lambda a, ts=ts: a.get("thread_ts") == ts and a.get("text") != busy)
        texts.append(posted[0].at - at)
    return acks, texts, answers


def _bare_round_trips(fake: slack.FakeSlack, client: _Client, at_once: int, bursts: int) -> list[float]:
    """The floor for an ack: the same client, `at_once` POSTs of a small body at once to a server
    doing nothing else (the fake, idle, at /webhook/)."""
    port = int(fake.base.rsplit(":", 1)[1])
    request = _request(port, "/webhook/bench", b"ok=1", {"Content-Type": "application/x-www-form-urlencoded"})
    times = []
    for _ in range(bursts):
        times += [answered - sent for sent, answered, _ in client.fire(port, [request] * at_once)]
    return times


def _start_service(path: Path, fake: slack.FakeSlack) -> tuple[subprocess.Popen, int]:
    """`faktabot run` in HTTP mode against the fake, with no config (no targets, no recipients)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_"))}
    path.with_name("none.toml").write_text("# no targets, no recipients\n", encoding="utf-8")
    env.update(FAKTABOT_DB=str(path), FAKTABOT_CONFIG=str(path.with_name("none.toml")),
               FAKTABOT_OUTBOX=str(path.with_name("outbox")), SLACK_BOT_TOKEN="xoxb-bench",
               SLACK_SIGNING_SECRET=slack.SECRET, SLACK_API_URL=fake.url, PORT=str(port),
               STATBANK_API_URL=f"{fake.base}/v1/")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
            return process, port
        except urllib.error.HTTPError:  # listening; /health says 503 until the scheduler's first beat
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("faktabot run did not start listening within 60 s")


def run(quick: bool = False) -> list[Result]:
    """Three bursts of 50 (quick: two of 20; the second is still a repeat)."""
    from bot.slack.blocks import words

    at_once, bursts = (20, 2) if quick else (AT_ONCE, BURSTS)
    busy = words()["answer"].get("busy")
    path = Path(tempfile.mkdtemp(prefix="faktabot-bench-")) / "store.db"
    with Store(path, create=True) as store:
        sampledata.load_into(store)
    config = Config()
    # Baseline for answers: the same questions in-process, one at a time, chart included.
    with Store(path) as store:
        reply("ledighed maj", store, config, TODAY, with_chart=True)  # warm fonts and templates
        alone, alone_text = [], []
        for question in QUESTIONS:
            began = time.perf_counter()
            reply(question, store, config, TODAY)
            alone_text.append(time.perf_counter() - began)
            began = time.perf_counter()
            reply(question, store, config, TODAY, with_chart=True)
            alone.append(time.perf_counter() - began)
    with slack.FakeSlack() as fake, _Client() as client:
        bot, port = _start_service(path, fake)
        try:
            slack.post(port, slack.event(slack.mention("ledighed maj", "1764199999.000001"), "Ev-bench-warm"),
                       "application/json")
            fake.wait_for("files.completeUploadExternal", timeout=30)
            time.sleep(2)  # let the chart processes finish warming up (each imports matplotlib)
            acks, texts, answers, repeated = [], [], [], []
            for burst in range(bursts):
                burst_acks, burst_texts, burst_answers = _burst(port, fake, client, burst, at_once, busy)
                acks += burst_acks
                texts += burst_texts
                answers += burst_answers
                if burst:
                    repeated += burst_answers
            bare = _bare_round_trips(fake, client, at_once, bursts)
        finally:
            bot.terminate()
            bot.wait(timeout=30)
    ms = 1000
    return [
        Result(f"slack ack p99, {at_once} at once (ms)", percentile(acks, 0.99) * ms,
               percentile(bare, 0.99) * ms, "ms", aim="p99 ≤ 50 ms", higher_is_better=False),
        Result("slack answer text p99 (ms)", percentile(texts, 0.99) * ms, percentile(alone_text, 0.99) * ms, "ms",
               aim="baseline: in-process, one by one", higher_is_better=False),
        Result("slack answer + chart p99 (ms)", percentile(answers, 0.99) * ms, percentile(alone, 0.99) * ms, "ms",
               aim="p99 < 1 s", higher_is_better=False),
        Result("slack repeated answer + chart p99 (ms)", percentile(repeated, 0.99) * ms,
               percentile(alone, 0.99) * ms, "ms", aim="p99 ≤ 150 ms", higher_is_better=False),
    ]
