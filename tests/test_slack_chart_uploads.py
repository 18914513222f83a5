"""The same chart for the same channel, asked by several people at once: uploaded once, and shown
from that file in the other threads (`bot/slack/posting.upload_chart`, `SharedCharts.first_upload`);
real threads against the fake Web API over real HTTP."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from slack_sdk import WebClient

from bot import clock
from bot.slack import posting, server
from tests.test_slack import CONFIG, settings_for

CHANNEL, ASKERS = "C0LEDELSE", 6
PNG = b"\x89PNG\r\n\x1a\n-the same chart"


class GatedClient(WebClient):
    """slack-sdk's client whose uploads wait at a gate the test opens: the first upload is still
    under way while the others ask for the same chart."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entered, self.gate = threading.Event(), threading.Event()

    def files_upload_v2(self, **kwargs):
        self.entered.set()
        assert self.gate.wait(timeout=10)
        return super().files_upload_v2(**kwargs)


@pytest.fixture
def bot(sample_store_copy, fake):
    client = GatedClient(token="xoxb-test", base_url=fake.url)
    bot = server.SlackBot(settings_for(sample_store_copy, fake), CONFIG, client=client, chart_processes=0)
    yield bot
    bot.close()


def _thread(number: int) -> str:
    return f"1764100090.{number:06d}"


def _post_at_once(bot) -> None:
    """ASKERS threads post the same chart into the same channel, each into its own thread; the
    first upload is let through once the others have had time to ask."""
    started = threading.Barrier(ASKERS)

    def post(number: int) -> None:
        started.wait()
        posting.post_chart(bot, CHANNEL, _thread(number), PNG, "Ledige i Ballerup")

    threads = [threading.Thread(target=post, args=(number,)) for number in range(ASKERS)]
    for thread in threads:
        thread.start()
    assert bot.client.entered.wait(timeout=10)
    time.sleep(0.3)
    bot.client.gate.set()
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads)  # nobody is left waiting


def test_the_same_chart_asked_at_once_in_a_channel_is_uploaded_once_and_shown_from_its_file_to_the_rest(bot, fake):
    _post_at_once(bot)
    [uploaded] = fake.to("files.completeUploadExternal")
    file_id = json.loads(uploaded.args["files"])[0]["id"]
    assert list(fake.uploads) == [file_id]
    # Every thread has its chart, once: the upload's own, and the file shown in the other five.
    in_threads = {_thread(n): fake.charts_in(_thread(n)) for n in range(ASKERS)}
    assert all(len(calls) == 1 for calls in in_threads.values())
    shown = [calls[0] for calls in in_threads.values() if calls[0].method == "chat.postMessage"]
    assert len(shown) == ASKERS - 1
    assert all(call.args["blocks"][0]["slack_file"] == {"id": file_id} and call.at > uploaded.at for call in shown)
    assert bot.records().posts_to_retry(clock.now() + timedelta(days=1)) == []


def test_a_failed_upload_is_retried_for_its_own_thread_and_the_others_waiting_upload_their_chart(bot, fake):
    fake.fail("files.completeUploadExternal", "internal_error")  # the first upload's last step
    _post_at_once(bot)
    completed = fake.to("files.completeUploadExternal")
    failed, rest = completed[0], completed[1:]
    assert failed.response["error"] == "internal_error"
    # The others waited for that upload (none began its own before it failed), then uploaded
    # their chart themselves: nothing is posted twice, nothing is lost.
    begun = fake.to("files.getUploadURLExternal")
    assert len(begun) == ASKERS and all(call.at > failed.at for call in begun[1:])
    assert len(rest) == ASKERS - 1 and all(call.response.get("ok") for call in rest)
    failed_thread = failed.args["thread_ts"]
    assert sorted(call.args["thread_ts"] for call in rest) == sorted(
        _thread(n) for n in range(ASKERS) if _thread(n) != failed_thread)
    assert all(fake.charts_in(_thread(n)) for n in range(ASKERS) if _thread(n) != failed_thread)
    # The failed one is kept for the service's retry of its thread.
    [kept] = bot.records().posts_to_retry(clock.now() + timedelta(days=1))
    assert kept.thread_ts == failed_thread and kept.chart == PNG
