"""The Slack HTTP listener on a network (issue 12, items 3-5): real sockets against the running
listener, the fake Slack Web API over real HTTP, the sample store on disk. Deadlines are parameters,
so a slow client is cut off in half a second rather than ten."""
from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time

import pytest

from bot.settings import load_settings
from bot.slack import server
from bot.slack.app import Arrivals, worker_count
from bot.slack.blocks import words
from bot.slack.listeners import build_app
from indicators.store import Store
from indicators.types import Observation
from tests import fake_slack as slack
from tests.test_slack import CONFIG, JSON, in_thread, settings_for

READ_SECONDS = 0.5


@pytest.fixture
def running(sample_store_copy, fake):
    bot = server.start(settings_for(sample_store_copy, fake), CONFIG, port=0, upkeep_seconds=3600,
                       chart_processes=0, read_seconds=READ_SECONDS, max_connections=4)
    yield bot
    bot.stop()


def raw(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Send `request` as it is and read until the listener closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "faktabot.slack" and "refused a request" in r.getMessage()]


def test_the_listener_binds_to_localhost_unless_host_says_otherwise(running):
    assert load_settings({}, dotenv=None).host == "127.0.0.1"
    assert load_settings({"HOST": "0.0.0.0"}, dotenv=None).host == "0.0.0.0"
    assert running.http.server_address[0] == "127.0.0.1"


def test_a_client_sending_its_headers_a_byte_a_second_is_cut_off_at_the_read_deadline(running):
    request = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", running.port), timeout=5) as connection:
        closed = False
        for byte in request:
            try:
                connection.sendall(bytes([byte]))
                time.sleep(0.05)  # 20 bytes/s: the request would take 3 s to arrive
            except OSError:
                closed = True
                break
            if time.monotonic() - started > 3:
                break
        if not closed:
            try:
                connection.settimeout(2)
                closed = connection.recv(100) == b""
            except (ConnectionResetError, BrokenPipeError):
                closed = True
    assert closed and time.monotonic() - started < READ_SECONDS + 1.0


def test_a_body_that_never_comes_is_cut_off_at_the_read_deadline(running):
    started = time.monotonic()
    answer = raw(running.port, b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"a\":")
    assert answer == b"" and time.monotonic() - started < READ_SECONDS + 1.0


def test_connections_past_the_cap_are_closed_and_the_listener_keeps_answering(running):
    idle = [socket.create_connection(("127.0.0.1", running.port), timeout=5) for _ in range(4)]
    try:
        time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", running.port), timeout=5) as fifth:
            fifth.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert fifth.recv(100) == b""  # closed at once: no thread for it
    finally:
        for connection in idle:
            connection.close()
    time.sleep(0.2)
    assert status_of(raw(running.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")) == 200


def test_a_non_numeric_timestamp_is_a_401_not_a_500(running, fake, caplog):
    body = slack.event(slack.mention("ledighed maj", "1764100101.000100"), "Ev101")
    headers = {**slack.signed_headers(body, JSON), "X-Slack-Request-Timestamp": "soon"}
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
    connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
    assert connection.getresponse().status == 401
    assert "Traceback" not in caplog.text and len(refusals(caplog)) == 1


def test_an_unsigned_post_is_logged_as_one_line_without_its_body(running, fake, caplog):
    caplog.set_level(logging.DEBUG)
    body = json.dumps({"type": "event_callback", "text": "FORGED\n2026-11-25 INFO slack: all is well"})
    request = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n{body}").encode()
    assert status_of(raw(running.port, request)) == 401
    [line] = refusals(caplog)
    assert line.levelno == logging.WARNING and "signature" in line.getMessage()
    assert "FORGED" not in caplog.text and "all is well" not in caplog.text
    assert fake.to("chat.postMessage") == []


@pytest.mark.parametrize("head, body, status", [
    (b"Content-Length: ten\r\n", b"", 400),
    (b"Content-Length: -5\r\n", b"", 400),
    (b"", b"", 400),  # no Content-Length at all
    (b"Content-Length: 99999999999\r\n", b"", 413),
    (b"Content-Length: 4\r\n", b"\xff\xfe\xfd\xfc", 400),
])
def test_malformed_input_gets_a_4xx_and_no_traceback(running, caplog, head, body, status):
    answer = raw(running.port, b"POST /slack/events HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n" + body)
    assert status_of(answer) == status
    assert "Traceback" not in caplog.text and len(refusals(caplog)) == 1
    assert status_of(raw(running.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")) == 200


def test_a_signed_body_that_is_not_json_is_a_400(running, caplog):
    status, _ = slack.post(running.port, "{not json", JSON)
    assert status == 400 and "Traceback" not in caplog.text


def test_log_records_from_the_slack_side_carry_no_raw_newlines(caplog):
    logging.getLogger("faktabot.slack").warning("slack: user %s is not allowed", "U1\nERROR forged line")
    [record] = [r for r in caplog.records if "is not allowed" in r.getMessage()]
    assert "\n" not in record.getMessage() and "U1\\x0aERROR forged line" in record.getMessage()


def test_a_hostile_file_name_in_an_answer_s_source_reaches_slack_escaped(running, fake, sample_store_copy):
    with Store(sample_store_copy) as store:
        store.load([Observation(indicator="ledige", area="151", period="2026-10", value=777.0, breakdown="",
                                unit="fuldtidspersoner", source="file:x<!channel><@U999>.csv", provisional=False,
                                fetched_at="2026-11-20T06:30:00")])
    assert slack.post(running.port, slack.event(slack.mention("ledighed", "1764100102.000100"), "Ev102"), JSON)[0] == 200
    [answer] = fake.wait_for("chat.postMessage", where=in_thread("1764100102.000100"))
    everything = json.dumps(answer.args, ensure_ascii=False)
    assert "x&lt;!channel&gt;&lt;@U999&gt;.csv" in everything
    assert "<!channel>" not in everything and "<@U999>" not in everything


class SilentSlack:
    """A Slack API that accepts connections and never answers (auth.test hangs)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.held: list[socket.socket] = []
        self.closing = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/"

    def close(self) -> None:
        self.closing.set()
        self.listener.close()
        for connection in self.held:
            connection.close()


def test_a_slack_api_that_does_not_answer_stops_start_up_with_one_line_in_time(sample_store_copy, caplog):
    silent = SilentSlack()
    try:
        settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), "SLACK_BOT_TOKEN": "xoxb-test",
                                  "SLACK_SIGNING_SECRET": slack.SECRET, "SLACK_API_URL": silent.url}, dotenv=None)
        stop = threading.Event()
        started = time.monotonic()
        server.serve(settings, CONFIG, stop, startup_seconds=0.5, port=0, chart_processes=0)
        assert stop.is_set() and time.monotonic() - started < 2
        [line] = [r for r in caplog.records if "cannot start" in r.getMessage()]
        assert silent.url in line.getMessage() and "within 0.5 s" in line.getMessage()
        assert "xoxb-test" not in caplog.text
    finally:
        silent.close()


def test_a_full_queue_says_it_is_working_on_it_and_answers_later(sample_store_copy, fake):
    # One worker and room for one question behind it: the worker is held until every question
    # is in, so the third question on finds the queue full, and past four times that, overloaded.
    running = server.start(settings_for(sample_store_copy, fake), CONFIG, port=0, upkeep_seconds=3600,
                           chart_processes=0, workers=1, queue=1)
    held = threading.Event()
    try:
        running.bot.later("hold", held.wait)
        stamps = [f"17641000{n:02d}.000100" for n in range(8)]
        for number, ts in enumerate(stamps):
            started = time.perf_counter()
            assert slack.post(running.port, slack.event(slack.mention("ledighed maj", ts), f"EvQ{number}"),
                              JSON) == (200, "")
            assert time.perf_counter() - started < 1.0  # acknowledged without waiting for a worker
        busy = words()["answer"]["busy"]
        for ts in stamps[1:7]:
            [note] = fake.wait_for("chat.postMessage", where=in_thread(ts), timeout=5)
            assert note.args["text"] == busy
        [refusal] = fake.wait_for("chat.postMessage", where=in_thread(stamps[7]), timeout=5)
        assert refusal.args["text"] == words()["answer"]["overloaded"]
        assert not fake.to("chat.postMessage", where=in_thread(stamps[0]))  # queued quietly, not answered yet
        held.set()
        for ts in stamps[:7]:
            # The note (if any) and the answer; not the chart, which may be shown as a message of its own.
            answers = fake.wait_for("chat.postMessage", count=1 if ts == stamps[0] else 2,
                                    where=lambda a, ts=ts: in_thread(ts)(a) and not slack.shows_file(a), timeout=20)
            assert "Ledige i Ballerup, maj 2026" in answers[-1].args["text"]
        time.sleep(0.3)
        assert len(fake.to("chat.postMessage", where=in_thread(stamps[7]))) == 1  # refused: no answer follows
    finally:
        held.set()
        running.stop()


class SlowToQueue(Arrivals):
    """Arrivals that take their time to count an event as queued for the listeners."""

    def __init__(self) -> None:
        super().__init__()
        self.queued_at: list[float] = []

    def queued(self) -> None:
        time.sleep(0.2)
        super().queued()
        self.queued_at.append(time.perf_counter())


def test_an_event_is_queued_for_the_listeners_before_its_acknowledgement_is_sent(sample_store_copy, fake):
    # So a sender that waits for each 200 before sending the next event has them handed on in
    # that order: queued after the 200, the next event's handler thread could queue it first
    # (the full-queue test above then saw its first question answered out of turn).
    bot = server.SlackBot(settings_for(sample_store_copy, fake), CONFIG, chart_processes=0)
    arrivals = SlowToQueue()
    listener = server.http_server(build_app(bot), 0, signing_secret=slack.SECRET, arrivals=arrivals)
    threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        port = listener.server_address[1]
        event = slack.event(slack.direct_message("hej", "1764100120.000100", user=slack.BOT_USER,
                                                 bot_id=slack.BOT_ID), "EvOrder")
        assert slack.post(port, event, JSON) == (200, "")
        acknowledged = time.perf_counter()
        assert len(arrivals.queued_at) == 1 and arrivals.queued_at[0] <= acknowledged
    finally:
        listener.shutdown()
        listener.server_close()
        bot.close()


def test_the_answer_workers_follow_the_cores():
    assert [worker_count(cpus) for cpus in (1, 2, 4, 16)] == [4, 8, 16, 32]
