"""Faktabot in Slack over real HTTP and a real websocket: signed requests to the running endpoint,
a fake Web API that records what the bot calls (tests/fake_slack.py), the sample store on disk."""
from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from bot import clock
from bot.alerting import watch
from bot.alerting.context import TargetContext
from bot.asking.conversation import reply
from bot.config import load_config
from bot.delivery.channels import Channels, Message, OutboxChannel
from bot.delivery.ledger import Ledger
from bot.settings import load_settings
from bot.slack import blocks, server, subscriptions
from bot.slack.channel import SlackChannel
from bot.slack.posting import retry_failed_posts
from indicators.store import Store
from indicators.types import Observation
from tests import fake_slack as slack
from tests.conftest import REPO
from tests.fake_slack import FakeSlack, FakeSocketMode

JSON, FORM = "application/json", "application/x-www-form-urlencoded"
CONFIG = load_config(REPO / "faktabot.toml")


def settings_for(db: Path, fake: FakeSlack, **extra: str):
    env = {"FAKTABOT_DB": str(db), "FAKTABOT_CONFIG": str(REPO / "faktabot.toml"), "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_SIGNING_SECRET": slack.SECRET, "SLACK_API_URL": fake.url, "SLACK_TEAM_ID": slack.TEAM_ID, **extra}
    return load_settings({k: v for k, v in env.items() if v}, dotenv=None)


@pytest.fixture
def running(sample_store_copy, fake):
    bot = server.start(settings_for(sample_store_copy, fake), CONFIG, port=0, host="127.0.0.1", upkeep_seconds=3600,
                       chart_processes=0)
    yield bot
    bot.stop()


def asked(db: Path, question: str):
    """What `faktabot ask --chart` gives for `question` (cmd_ask's own calls): text before the terminal
    strips mrkdwn, and the chart."""
    with Store(db) as store:
        context = TargetContext.load(store, CONFIG, clock.now())
        return reply(question, store, CONFIG, date.today(), with_chart=True, targets=context.for_answer,
                     target_board=context.board)


def ask_text(db: Path, question: str) -> str:
    return asked(db, question).text


def in_thread(ts: str):
    return lambda args: args.get("thread_ts") == ts


# --- questions ---------------------------------------------------------------------------------

def test_mention_is_acknowledged_at_once_and_answered_in_its_thread_with_the_chart(running, fake, sample_store_copy):
    status, body = slack.post(running.port, slack.event(slack.mention("ledighed maj", "1764100001.000100"), "Ev01"),
                              JSON)
    assert (status, body) == (200, "")
    [answer] = fake.wait_for("chat.postMessage", where=in_thread("1764100001.000100"))
    assert answer.args["channel"] == "C0LEDELSE"
    assert answer.args["text"] == ask_text(sample_store_copy, "ledighed maj")  # exactly as `faktabot ask`
    layout = answer.args["blocks"]
    assert layout[0]["type"] == "section" and "*Ledige i Ballerup, maj 2026: 816" in layout[0]["text"]["text"]
    assert layout[-1]["type"] == "context" and "Kilde: Jobindsats.dk (STAR)" in layout[-1]["elements"][0]["text"]
    [done] = fake.wait_for("files.completeUploadExternal", where=in_thread("1764100001.000100"))
    assert done.args["channel_id"] == "C0LEDELSE"
    file_id = json.loads(done.args["files"])[0]["id"]
    assert fake.uploads[file_id] == asked(sample_store_copy, "ledighed maj").chart


def test_a_replayed_event_is_answered_once_also_after_a_restart(running, fake, sample_store_copy):
    envelope = slack.event(slack.mention("ledighed maj", "1764100002.000100"), "Ev02")
    assert slack.post(running.port, envelope, JSON)[0] == 200
    fake.wait_for("files.completeUploadExternal")
    assert slack.post(running.port, envelope, JSON, extra={"X-Slack-Retry-Num": "1"})[0] == 200
    running.stop()  # finishes every answer in hand: a second one would be posted by now
    again = server.start(settings_for(sample_store_copy, fake), CONFIG, port=0, host="127.0.0.1", upkeep_seconds=3600,
                       chart_processes=0)
    try:
        assert slack.post(again.port, envelope, JSON, extra={"X-Slack-Retry-Num": "2"})[0] == 200
    finally:
        again.stop()
    assert len(fake.to("chat.postMessage")) == 1


@pytest.mark.parametrize("how", ["wrong secret", "five minutes old"])
def test_an_unsigned_or_stale_request_is_refused(running, fake, how):
    envelope = slack.event(slack.mention("ledighed maj", "1764100003.000100"), "Ev03")
    if how == "wrong secret":
        status, _ = slack.post(running.port, envelope, JSON, secret="not-the-secret")
    else:
        import time

        status, _ = slack.post(running.port, envelope, JSON, timestamp=int(time.time()) - 301)
    assert status == 401
    running.stop()
    assert fake.to("chat.postMessage") == []


def test_direct_message_is_answered_and_bot_messages_are_ignored(running, fake):
    own = slack.direct_message("ledighed maj", "1764100004.000100", user=slack.BOT_USER, bot_id=slack.BOT_ID)
    other_bot = slack.direct_message("ledighed maj", "1764100004.000200", user="U0ANDEN", bot_id="B0ANDEN")
    edited = slack.direct_message("ledighed maj", "1764100004.000300", subtype="message_changed")
    for number, inner in enumerate([own, other_bot, edited]):
        assert slack.post(running.port, slack.event(inner, f"Ev04-{number}"), JSON)[0] == 200
    assert slack.post(running.port, slack.event(slack.direct_message("sygedagpenge", "1764100004.000400"), "Ev04"),
                      JSON)[0] == 200
    [answer] = fake.wait_for("chat.postMessage")
    assert answer.args["channel"] == "D0LEDER" and "thread_ts" not in answer.args
    assert "Sygedagpenge" in answer.args["text"]
    running.stop()
    assert len(fake.to("chat.postMessage")) == 1


def test_echoed_text_cannot_mention_the_channel_or_a_person(running, fake):
    text = "<!channel> <@U0CHEF> ledihed &lt;!here&gt; @here @everyone"
    assert slack.post(running.port, slack.event(slack.mention(text, "1764100005.000100"), "Ev05"), JSON)[0] == 200
    [answer] = fake.wait_for("chat.postMessage")
    everything = json.dumps(answer.args, ensure_ascii=False)
    assert "<!" not in everything and "<@" not in everything
    assert "@here" not in everything and "@everyone" not in everything
    assert all(b["text"]["verbatim"] for b in answer.args["blocks"] if b["type"] == "section")


def test_a_request_from_another_workspace_is_ignored(running, fake):
    inner = slack.mention("ledighed maj", "1764100006.000100")
    assert slack.post(running.port, slack.event(inner, "Ev06", team="T0ANDEN"), JSON) == (200, "")
    status, body = slack.post(running.port, slack.command("ledighed maj", fake.base, team="T0ANDEN"), FORM)
    assert status == 200 and "kommunens eget" in body
    running.stop()
    assert fake.to("chat.postMessage") == []


def test_slash_command_is_shown_in_the_channel_and_answered_there(running, fake, sample_store_copy):
    status, body = slack.post(running.port, slack.command("ledighedsprocent marts 2025 Aarhus", fake.base), FORM)
    assert status == 200 and json.loads(body)["response_type"] == "in_channel"
    [answer] = fake.wait_for("chat.postMessage")
    assert answer.args["channel"] == "C0LEDELSE"
    assert answer.args["text"] == ask_text(sample_store_copy, "ledighedsprocent marts 2025 Aarhus")
    fake.wait_for("files.completeUploadExternal")


def test_slash_command_help_answers_only_the_asker_at_once(running, fake):
    status, body = slack.post(running.port, slack.command("hjælp", fake.base), FORM)
    help_text = json.loads(body)["text"]
    assert status == 200 and "ledighed maj" in help_text and "/faktabot abonner" in help_text
    running.stop()
    assert fake.to("chat.postMessage") == []


def test_slash_command_outside_the_bots_channels_answers_the_asker_without_a_chart(running, fake):
    fake.fail("chat.postMessage", "not_in_channel")
    assert slack.post(running.port, slack.command("ledighed maj", fake.base, channel="C0PRIVAT"), FORM)[0] == 200
    [response] = fake.wait_for("response_url")
    assert response.args["response_type"] == "ephemeral" and "/invite @Faktabot" in json.dumps(response.args,
                                                                                               ensure_ascii=False)


def test_subscription_delivers_each_new_figure_once(running, fake, sample_store_copy):
    assert slack.post(running.port, slack.command("abonner ledighed", fake.base), FORM)[0] == 200
    [confirmed] = fake.wait_for("response_url")
    assert "abonnerer nu på *ledige* for Ballerup" in confirmed.args["text"]
    bot = running.bot
    assert subscriptions.deliver_new_figures(bot) == 0  # the figure there was when subscribing counts as told
    with Store(sample_store_copy) as store:
        store.load([Observation(indicator="ledige", area="151", period="2026-08", value=801.0, breakdown="",
                                unit="fuldtidspersoner", source="jobindsats:y25i01", provisional=True,
                                fetched_at="2026-11-20T06:30:00")])
    assert subscriptions.deliver_new_figures(bot) == 1
    assert subscriptions.deliver_new_figures(bot) == 0
    [posted] = fake.to("chat.postMessage")
    assert posted.args["channel"] == "C0LEDELSE" and "*Ledige i Ballerup, august 2026: 801" in posted.args["text"]
    assert slack.post(running.port, slack.command("afmeld ledighed", fake.base), FORM)[0] == 200
    fake.wait_for("response_url", count=2)
    assert bot.ledger().subscribers(subscriptions.topic("ledige")) == []


# --- alerts with buttons ----------------------------------------------------------------------

@pytest.fixture
def alert_ts(running, fake, sample_store_copy, tmp_path) -> str:
    """Run the alerts with Slack as the channel; the ts of the ungeledighed alert in #beskaeftigelse-ledelse."""
    channels = Channels(outbox=OutboxChannel(tmp_path / "outbox", lambda: "stamp"), slack=SlackChannel(running.bot))
    with Store(sample_store_copy) as store:
        run = watch.run_alerts(store, Ledger(store.db), CONFIG, channels, clock.now())
    assert not run.failed
    has_buttons = lambda a: any(b.get("block_id") == "alert:ungeledighed" for b in a.get("blocks", []))
    [posted] = fake.to("chat.postMessage", where=has_buttons)
    assert posted.args["channel"] == "C0LEDELSE" and "Ungeledighed" in posted.args["text"]
    return posted.response["ts"]


def state(db: Path, target: str):
    with Store(db) as store:
        return Ledger(store.db).states()[target]


def test_alert_is_posted_with_buttons_and_its_chart_in_the_thread(alert_ts, fake):
    [done] = fake.wait_for("files.completeUploadExternal", where=in_thread(alert_ts))
    assert done.args["channel_id"] == "C0LEDELSE"
    [posted] = [c for c in fake.to("chat.postMessage") if "alert:ungeledighed" in json.dumps(c.args)]
    actions = next(b for b in posted.args["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [blocks.SNOOZE_WEEK, blocks.SNOOZE_MONTH,
                                                            blocks.ACKNOWLEDGE, blocks.DEVELOPMENT]
    assert all(len(e["text"]["text"]) <= 75 for e in actions["elements"])


def test_a_button_click_snoozes_the_alert_and_the_message_shows_it(running, fake, alert_ts, sample_store_copy):
    click = slack.button(blocks.SNOOZE_WEEK, "ungeledighed", "C0LEDELSE", alert_ts, fake.base)
    assert slack.post(running.port, slack.interaction(click), FORM) == (200, "")
    [update] = fake.wait_for("chat.update", where=lambda a: a["ts"] == alert_ts)
    until = clock.now().date() + timedelta(days=7)
    assert state(sample_store_copy, "ungeledighed").snoozed_until == until
    assert "<@U0LEDER> satte beskeder om målet på pause" in json.dumps(update.args["blocks"], ensure_ascii=False)


def test_acknowledge_asks_for_a_note_in_a_modal_and_records_it(running, fake, alert_ts, sample_store_copy):
    click = slack.button(blocks.ACKNOWLEDGE, "ungeledighed", "C0LEDELSE", alert_ts, fake.base)
    assert slack.post(running.port, slack.interaction(click), FORM)[0] == 200
    [opened] = fake.wait_for("views.open")
    view = opened.args["view"]
    assert opened.args["trigger_id"] == "trigger-1" and view["callback_id"] == blocks.ACK_VIEW
    status, body = slack.post(running.port, slack.interaction(slack.note_submission(view["private_metadata"], " ")),
                              FORM)
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    note = "Handleplan i udvalget 3. dec. <!channel>"
    assert slack.post(running.port, slack.interaction(slack.note_submission(view["private_metadata"], note)),
                      FORM) == (200, "")
    [update] = fake.wait_for("chat.update", where=lambda a: a["ts"] == alert_ts)
    assert "Handleplan i udvalget 3. dec. &lt;!channel&gt;" in json.dumps(update.args["blocks"], ensure_ascii=False)
    assert state(sample_store_copy, "ungeledighed").ack.note == note


def test_show_development_answers_in_the_alerts_thread(running, fake, alert_ts):
    click = slack.button(blocks.DEVELOPMENT, "ungeledighed", "C0LEDELSE", alert_ts, fake.base)
    assert slack.post(running.port, slack.interaction(click), FORM)[0] == 200
    [answer] = fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == alert_ts
                             and "Fra " in a.get("text", ""))
    assert "Ungeledighed" in answer.args["text"] or "ungeledighed" in answer.args["text"]
    fake.wait_for("files.completeUploadExternal", count=2, where=in_thread(alert_ts))


def test_a_reminder_goes_in_the_alerts_thread_and_updates_the_original(running, fake, alert_ts):
    channel = SlackChannel(running.bot)
    where = channel.send(Message("#beskaeftigelse-ledelse", "Stadig bagud", "*Stadig bagud: Ungeledighed*",
                                 "ungeledighed:reminder:2026-12-25T09:00:00"))
    assert where.startswith("slack:C0LEDELSE:")
    [_reminder] = fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == alert_ts
                               and "Stadig bagud" in a["text"])
    [update] = fake.wait_for("chat.update", where=lambda a: a["ts"] == alert_ts)
    assert "Stadig bagud pr." in json.dumps(update.args["blocks"], ensure_ascii=False)


def test_an_unknown_channel_is_a_permanent_delivery_error(running):
    from bot.delivery.channels import DeliveryError

    with pytest.raises(DeliveryError) as raised:
        SlackChannel(running.bot).send(Message("#findes-ikke", "s", "t", "summary:2026-10"))
    assert raised.value.permanent and "/invite @Faktabot" in str(raised.value)


# --- App Home, failures and retries --------------------------------------------------------

def test_app_home_shows_the_target_board(running, fake):
    inner = {"type": "app_home_opened", "user": "U0LEDER", "channel": "D0LEDER", "tab": "home",
             "event_ts": "1764100007.000100"}
    assert slack.post(running.port, slack.event(inner, "Ev07"), JSON)[0] == 200
    [published] = fake.wait_for("views.publish")
    view = published.args["view"]
    assert published.args["user_id"] == "U0LEDER" and view["type"] == "home" and len(view["blocks"]) <= 100
    text = json.dumps(view, ensure_ascii=False)
    assert all(t.name in text for t in CONFIG.targets) and "Nyeste tal:" in text
    assert running.bot.records().home_users() == ["U0LEDER"]


def test_a_post_slack_refuses_is_recorded_and_retried(running, fake):
    fake.fail("chat.postMessage", "fatal_error")
    assert slack.post(running.port, slack.event(slack.mention("ledighed maj", "1764100008.000100"), "Ev08"),
                      JSON)[0] == 200
    fake.wait_for("chat.postMessage")
    running.stop()  # the answer is recorded as failed by now
    later = clock.now() + timedelta(seconds=31)  # the first retry waits 30 s
    bot = server.SlackBot(running.bot.settings, CONFIG, chart_processes=0, clock=lambda: later)
    assert bot.records().posts_to_retry(clock.now()) == []
    assert [p.channel for p in bot.records().posts_to_retry(later)] == ["C0LEDELSE"]
    assert retry_failed_posts(bot) == 1
    assert fake.to("chat.postMessage")[-1].args["thread_ts"] == "1764100008.000100"
    fake.wait_for("files.completeUploadExternal", where=in_thread("1764100008.000100"))
    assert bot.records().posts_to_retry(later + timedelta(days=1)) == [] and retry_failed_posts(bot) == 0
    bot.close()


def test_rate_limited_calls_wait_for_retry_after_and_go_through(running, fake):
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=0)
    assert slack.post(running.port, slack.event(slack.mention("ledighed maj", "1764100009.000100"), "Ev09"),
                      JSON)[0] == 200
    first, second = fake.wait_for("chat.postMessage", count=2)
    assert first.args == second.args
    fake.wait_for("files.completeUploadExternal")


# --- Socket Mode ------------------------------------------------------------------------------

def test_socket_mode_answers_events_and_commands_over_the_websocket(sample_store_copy):
    with FakeSocketMode() as socket, FakeSlack(socket_url=None) as fake:
        fake.socket_url = socket.url
        settings = settings_for(sample_store_copy, fake, SLACK_APP_TOKEN="xapp-1-A0FAKTABOT-1-abc",
                                SLACK_SIGNING_SECRET="")
        running = server.start(settings, CONFIG, upkeep_seconds=3600, chart_processes=0)
        try:
            assert running.http is None
            socket.send({"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
                         "retry_attempt": 0, "retry_reason": "",
                         "payload": json.loads(slack.event(slack.mention("ledighed maj", "1764100010.000100"), "Ev10"))})
            assert socket.wait_for_ack("env-1") == {"envelope_id": "env-1"}
            fake.wait_for("chat.postMessage", where=in_thread("1764100010.000100"))
            fake.wait_for("files.completeUploadExternal", where=in_thread("1764100010.000100"))
            command = dict(parse_qsl(slack.command("hjælp", fake.base)))
            socket.send({"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": True,
                         "payload": command})
            assert "ledighed maj" in socket.wait_for_ack("env-2")["payload"]["text"]
            assert fake.to("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-1-A0FAKTABOT-1-abc"
        finally:
            running.stop()


# --- `faktabot run` in HTTP mode ---------------------------------------------------------------

def test_faktabot_run_answers_a_signed_mention_in_three_seconds_once_and_a_click_snoozes(sample_store_copy, tmp_path):
    import os
    import socket as sockets
    import subprocess
    import sys
    import time
    import urllib.request

    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The targets of the shipped config, without the summary and fact sheet jobs (not this test's business).
    toml = (REPO / "faktabot.toml").read_text(encoding="utf-8")
    config = tmp_path / "faktabot.toml"
    config.write_text('[municipality]\narea = "151"\n\n' + toml[toml.index("[[targets]]"):], encoding="utf-8")
    log = tmp_path / "run.log"
    with FakeSlack() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_"))}
        env.update(FAKTABOT_DB=str(sample_store_copy), FAKTABOT_CONFIG=str(config), FAKTABOT_OUTBOX=str(tmp_path / "out"),
                   SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=slack.SECRET, SLACK_API_URL=fake.url,
                   SLACK_TEAM_ID=slack.TEAM_ID, PORT=str(port), STATBANK_API_URL=f"{fake.base}/v1/")
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=open(log, "w"))  # noqa: SIM115
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                    break
                except OSError:
                    assert time.monotonic() < deadline and process.poll() is None, log.read_text()
                    time.sleep(0.05)
            envelope = slack.event(slack.mention("ledighed maj", "1764100011.000100"), "Ev11")
            started = time.perf_counter()
            assert slack.post(port, envelope, JSON) == (200, "")
            [answer] = fake.wait_for("chat.postMessage", where=in_thread("1764100011.000100"), timeout=3)
            [chart] = fake.wait_for("files.completeUploadExternal", where=in_thread("1764100011.000100"), timeout=3)
            assert chart.at - started < 3.0
            file_id = json.loads(chart.args["files"])[0]["id"]
            assert fake.uploads[file_id] == asked(sample_store_copy, "ledighed maj").chart
            assert "*Ledige i Ballerup, maj 2026: 816 fuldtidspersoner" in answer.args["text"]
            assert slack.post(port, envelope, JSON, extra={"X-Slack-Retry-Num": "1"}) == (200, "")
            # Acknowledged at once; the worker then sees the event id again and drops it.
            deadline = time.monotonic() + 5
            while "event Ev11 already handled" not in log.read_text():
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            # The catch-up's alerts reach Slack with their buttons; a click snoozes one.
            has_buttons = lambda a: "alert:sygedagpenge" in json.dumps(a.get("blocks", []))
            fake.wait_for("chat.postMessage", where=has_buttons, timeout=20)
            ts = fake.to("chat.postMessage", where=has_buttons)[0].response["ts"]
            click = slack.button(blocks.SNOOZE_MONTH, "sygedagpenge", "C0LEDELSE", ts, fake.base)
            assert slack.post(port, slack.interaction(click), FORM) == (200, "")
            fake.wait_for("chat.update", where=lambda a: a["ts"] == ts)
            conn = sqlite3.connect(sample_store_copy)
            until = conn.execute("SELECT snoozed_until FROM alert_states WHERE target = 'sygedagpenge'").fetchone()[0]
            conn.close()
            assert until == (clock.now().date() + timedelta(days=30)).isoformat()
            assert len(fake.to("chat.postMessage", where=in_thread("1764100011.000100"))) == 1
            process.terminate()
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()


# --- pure parts: text in, Block Kit out --------------------------------------------------------

def test_question_text_drops_mentions_links_and_unescapes_slack():
    from bot.slack.questions import question_text

    assert question_text("<@UFAKTABOT|faktabot>  ledighed &lt;maj&gt; &amp; <#C0123|ledelse> <https://x.dk|x>") == \
        "ledighed <maj> &"


def test_long_answers_are_split_within_slacks_section_and_block_limits():
    lines = [f"• linje {n}: " + "x" * 290 for n in range(400)]
    layout = blocks.capped(blocks.sections("\n".join(lines)))
    assert len(json.dumps(layout)) < 13_000 and layout[-1] == blocks.context("…")
    assert all(len(b["text"]["text"]) <= blocks.SECTION_CHARS for b in layout if b["type"] == "section")
    many = blocks.capped([blocks.context(str(n)) for n in range(80)])
    assert len(many) == blocks.MESSAGE_BLOCKS and many[-1] == blocks.context("…")
    assert blocks.chunks("y" * 7000) == ["y" * 3000, "y" * 3000, "y" * 1000]


def test_the_manifest_asks_for_what_the_code_uses():
    manifest = (REPO / "slack-manifest.yml").read_text(encoding="utf-8")
    for needed in ("app_mentions:read", "im:history", "chat:write", "commands", "files:write", "channels:read",
                   "- app_mention", "- message.im", "- app_home_opened", "command: /faktabot",
                   "socket_mode_enabled: true", "home_tab_enabled: true", "is_enabled: true"):
        assert needed in manifest, needed


def test_a_token_slack_refuses_stops_the_service_with_one_line(sample_store_copy, fake, caplog):
    import threading

    stop = threading.Event()
    fake.fail("auth.test", "invalid_auth", times=10)
    server.serve(settings_for(sample_store_copy, fake, SLACK_BOT_TOKEN="xoxb-revoked-token"), CONFIG, stop)
    assert stop.is_set()
    assert "slack: cannot start" in caplog.text and "xoxb-revoked-token" not in caplog.text


def test_subscribing_without_an_indicator_explains_how(running, fake):
    status, body = slack.post(running.port, slack.command("abonner", fake.base), FORM)
    assert status == 200 and "/faktabot abonner ledighed" in body  # only text: Slack shows it to the asker


def test_a_question_asked_again_is_answered_from_memory_until_the_data_changes(running, fake, sample_store_copy):
    def answer(ts: str, event_id: str) -> str:
        assert slack.post(running.port, slack.event(slack.mention("ledighed maj", ts), event_id), JSON)[0] == 200
        fake.wait_for_chart(ts)  # uploaded, or shown again from the file uploaded before
        return fake.wait_for("chat.postMessage", where=in_thread(ts))[0].args["text"]

    first = answer("1764100031.000100", "Ev31")
    assert answer("1764100032.000100", "Ev32") == first
    assert len(running.bot.answers) == 1  # the second answer was the first, remembered
    # A refresh in another process changes the figure: the next answer reads the store again.
    conn = sqlite3.connect(sample_store_copy)
    with conn:
        changed = conn.execute("UPDATE observations SET value = 917 WHERE indicator = 'ledige' AND area = '151' "
                               "AND period = '2026-05' AND breakdown = ''").rowcount
    conn.close()
    assert changed == 1
    third = answer("1764100033.000100", "Ev33")
    assert "917" in third and "816" not in third and len(running.bot.answers) == 2


def test_a_chart_asked_again_in_a_channel_is_shown_from_its_file_not_uploaded_again(running, fake,
                                                                                   sample_store_copy):
    def ask(ts: str, event_id: str, channel: str = "C0LEDELSE") -> None:
        inner = slack.mention("ledighed maj", ts, channel=channel)
        assert slack.post(running.port, slack.event(inner, event_id), JSON)[0] == 200

    ask("1764100041.000100", "Ev41")
    [uploaded] = fake.wait_for("files.completeUploadExternal", where=in_thread("1764100041.000100"))
    file_id = json.loads(uploaded.args["files"])[0]["id"]
    ask("1764100042.000100", "Ev42")
    shown = fake.wait_for_chart("1764100042.000100")
    assert shown.method == "chat.postMessage" and shown.args["channel"] == "C0LEDELSE"
    [image] = shown.args["blocks"]
    title = blocks.chart_title(asked(sample_store_copy, "ledighed maj"))
    assert image == {"type": "image", "slack_file": {"id": file_id}, "alt_text": title,
                     "title": {"type": "plain_text", "text": title, "emoji": True}}
    assert shown.args["text"] == blocks.escape(title)
    # The answer itself is the same message as the first time, posted before its chart.
    first, again = (fake.to("chat.postMessage", where=in_thread(ts))[0] for ts in ("1764100041.000100",
                                                                                   "1764100042.000100"))
    assert again.args["blocks"] == first.args["blocks"] and again.at < shown.at
    assert len(fake.to("files.completeUploadExternal")) == 1 and len(fake.uploads) == 1
    # Another channel has not got the file: uploaded there.
    ask("1764100043.000100", "Ev43", channel="C0GENERELT")
    assert fake.wait_for_chart("1764100043.000100").args["channel_id"] == "C0GENERELT"


def test_a_shared_chart_deleted_in_slack_is_uploaded_again(running, fake):
    def ask(ts: str, event_id: str) -> None:
        assert slack.post(running.port, slack.event(slack.mention("ledighed maj", ts), event_id), JSON)[0] == 200

    ask("1764100044.000100", "Ev44")
    [uploaded] = fake.wait_for("files.completeUploadExternal", where=in_thread("1764100044.000100"))
    fake.delete_file(json.loads(uploaded.args["files"])[0]["id"])
    ask("1764100045.000100", "Ev45")
    again = fake.wait_for_chart("1764100045.000100")
    assert again.method == "files.completeUploadExternal"  # refused as an invalid slack file, then uploaded
    [refused] = [c for c in fake.to("chat.postMessage", where=in_thread("1764100045.000100")) if slack.shows_file(c.args)]
    assert refused.response["error"] == "invalid_blocks"
    assert running.bot.records().posts_to_retry(clock.now() + timedelta(days=1)) == []  # nothing left to retry
    ask("1764100046.000100", "Ev46")  # the new file is the one shown from now on
    assert fake.wait_for_chart("1764100046.000100").args["blocks"][0]["slack_file"]["id"] == \
        json.loads(again.args["files"])[0]["id"]
