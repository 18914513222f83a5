"""Slack under a burst: 50 managers ask at the same moment. `faktabot run` runs in HTTP mode as its
own process, as in production, with SLACK_API_URL at the tests' fake Web API (tests/fake_slack.py)
in this process; signed app_mentions go to its /slack/events. Ack latency p99 beside a bare HTTP
round trip to the fake server, and answer-with-chart latency p99 (until the chart's upload is
complete) beside answering the same questions in-process with no Slack, one at a time (the text is posted
first, so its latency is shown too). Three bursts; the second and third ask what the first asked,
so their charts come from the chart cache: "repeated answer + chart" is measured on those.
With more questions than workers and queue, some hear »Jeg arbejder på det…« first; the answer's
text is the message after that note.
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

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


def _burst(port: int, fake: slack.FakeSlack, burst: int, at_once: int,
           busy: str) -> tuple[list[float], list[float], list[float]]:
    """Send `at_once` questions at once; latencies in seconds of the acks, of the answers' text
    (posted first, after a busy note if any) and of the answers with their charts."""
    asked = _asked(at_once)
    start = threading.Barrier(len(asked))
    sent: dict[str, float] = {}
    acks: list[float] = []

    def ask(number: int, question: str) -> None:
        ts = f"1764200{burst:03d}.{number:06d}"
        body = slack.event(slack.mention(question, ts), f"Ev-bench-{burst}-{number}")
        start.wait()
        sent[ts] = time.perf_counter()
        status, _ = slack.post(port, body, "application/json")
        acks.append(time.perf_counter() - sent[ts])
        assert status == 200

    threads = [threading.Thread(target=ask, args=item) for item in enumerate(asked)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # An answer is complete when its chart is shared into the thread.
    texts, answers = [], []
    for ts, at in sent.items():
        calls = fake.wait_for("files.completeUploadExternal", where=lambda a, ts=ts: a.get("thread_ts") == ts,
                              timeout=60)
        answers.append(calls[0].at - at)
        posted = fake.to("chat.postMessage", where=lambda a, ts=ts: a.get("thread_ts") == ts and a.get("text") != busy)
        texts.append(posted[0].at - at)
    return acks, texts, answers


def _bare_round_trips(fake: slack.FakeSlack, at_once: int, bursts: int) -> list[float]:
    """The floor for an ack: `at_once` concurrent POSTs of a small body to the same fake server."""
    start, times = threading.Barrier(at_once), []
    port = int(fake.base.rsplit(":", 1)[1])

    def once() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start.wait()
        began = time.perf_counter()
        connection.request("POST", "/webhook/bench", body=b"ok=1",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        connection.getresponse().read()
        times.append(time.perf_counter() - began)
        connection.close()

    for _ in range(bursts):
        threads = [threading.Thread(target=once) for _ in range(at_once)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
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
    with slack.FakeSlack() as fake:
        bot, port = _start_service(path, fake)
        try:
            slack.post(port, slack.event(slack.mention("ledighed maj", "1764199999.000001"), "Ev-bench-warm"),
                       "application/json")
            fake.wait_for("files.completeUploadExternal", timeout=30)
            time.sleep(2)  # let the chart processes finish warming up (each imports matplotlib)
            acks, texts, answers, repeated = [], [], [], []
            for burst in range(bursts):
                burst_acks, burst_texts, burst_answers = _burst(port, fake, burst, at_once, busy)
                acks += burst_acks
                texts += burst_texts
                answers += burst_answers
                if burst:
                    repeated += burst_answers
            bare = _bare_round_trips(fake, at_once, bursts)
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
