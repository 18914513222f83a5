"""The Web API client keeps its connections open (bot/slack/connections.py), against the fake
Slack and a local server that closes connections behind the client's back."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from slack_sdk.errors import SlackApiError

from bot.settings import load_settings
from bot.slack.app import web_client
from bot.slack.connections import KeptConnections, KeptWebClient
from tests import fake_slack as slack
from tests.fake_slack import FakeSlack

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def client_for(fake: FakeSlack, tmp_path) -> KeptWebClient:
    settings = load_settings({"FAKTABOT_DB": str(tmp_path / "store.db"), "SLACK_BOT_TOKEN": "xoxb-test",
                              "SLACK_SIGNING_SECRET": slack.SECRET, "SLACK_API_URL": fake.url}, dotenv=None)
    client = web_client(settings)
    assert isinstance(client, KeptWebClient)
    return client


def test_a_message_and_an_upload_go_over_one_connection(fake, tmp_path):
    client = client_for(fake, tmp_path)
    client.chat_postMessage(channel="C0LEDELSE", text="Ledigheden er 4,1 %", thread_ts="1764200000.000001")
    client.files_upload_v2(channel="C0LEDELSE", thread_ts="1764200000.000001", file=PNG, filename="faktabot.png",
                           title="Ledighed", request_file_info=False)
    client.connections.close()
    assert [c.method for c in fake.calls] == ["chat.postMessage", "files.getUploadURLExternal", "upload",
                                              "files.completeUploadExternal"]
    assert fake.uploads[fake.to("upload")[0].args["file_id"]] == PNG  # the bytes arrived whole
    assert fake.to("files.completeUploadExternal")[0].args["thread_ts"] == "1764200000.000001"
    assert fake.connections == 1


def test_each_thread_keeps_its_own_connection(fake, tmp_path):
    client = client_for(fake, tmp_path)
    threads = [threading.Thread(target=lambda: [client.chat_postMessage(channel="C0LEDELSE", text=str(n))
                                                for n in range(3)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.connections.close()
    assert len(fake.to("chat.postMessage")) == 12
    assert fake.connections == 4


def test_a_connection_idle_too_long_is_opened_again(fake, tmp_path):
    now = [0.0]
    client = client_for(fake, tmp_path)
    client.connections = KeptConnections(idle_seconds=30, clock=lambda: now[0])
    client.chat_postMessage(channel="C0LEDELSE", text="først")
    now[0] = 29.0
    client.chat_postMessage(channel="C0LEDELSE", text="lidt efter")
    assert fake.connections == 1
    now[0] = 60.0
    client.chat_postMessage(channel="C0LEDELSE", text="længe efter")
    client.connections.close()
    assert fake.connections == 2
    assert len(fake.to("chat.postMessage")) == 3


def test_errors_and_rate_limits_reach_slack_sdk_as_before(fake, tmp_path):
    client = client_for(fake, tmp_path)
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C0LEDELSE", text="efter en pause")["ok"]
    fake.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0LEDELSE", text="forkert kanal")
    client.connections.close()
    assert raised.value.response["error"] == "channel_not_found"
    assert len(fake.to("chat.postMessage")) == 3  # the rate-limited call was sent again, once


class _ClosingHandler(BaseHTTPRequestHandler):
    """Answers like a keep-alive server, then closes the connection anyway: what a server does
    to a connection that sat idle past its own limit."""

    protocol_version = "HTTP/1.1"
    answered: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answered.append(self.path)
        body = b'{"ok": true, "ts": "1764100000.000001", "channel": "C0LEDELSE"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True  # without saying so in a Connection header

    def log_message(self, *args) -> None:
        pass


def test_a_connection_the_server_closed_is_replaced_and_the_call_sent_once():
    _ClosingHandler.answered = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ClosingHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        client = KeptWebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{server.server_address[1]}/api/",
                               timeout=5)
        client.retry_handlers = []  # not slack_sdk's retry on a dropped connection: the client's own
        for n in range(3):
            assert client.chat_postMessage(channel="C0LEDELSE", text=str(n))["ok"]
        client.connections.close()
    finally:
        server.shutdown()
        server.server_close()
    assert _ClosingHandler.answered == ["/api/chat.postMessage"] * 3
