"""Faktabot in Slack as managers and the Slack admin meet it: follow-ups in DM threads, Slack's own
formatting in questions, and errors Slack answers with, each reaching the operator with what to do.
Real HTTP against the running listener and the fake Web API (tests/fake_slack.py), the sample store."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from bot import clock
from bot.slack import posting, server
from tests import fake_slack as slack
from tests.conftest import REPO, run_cli
from tests.test_slack import CONFIG, FORM, JSON, settings_for


@pytest.fixture
def running(sample_store_copy, fake):
    bot = server.start(settings_for(sample_store_copy, fake), CONFIG, port=0, upkeep_seconds=3600, chart_processes=0)
    yield bot
    bot.stop()


def send(port: int, inner: dict, event_id: str) -> None:
    assert slack.post(port, slack.event(inner, event_id), JSON) == (200, "")


def answers_in(fake, channel: str, count: int) -> list[str]:
    return [c.args["text"] for c in fake.wait_for("chat.postMessage", count=count,
                                                  where=lambda a: a["channel"] == channel)]


# --- follow-ups --------------------------------------------------------------------------------

@pytest.mark.parametrize("under", ["the question", "the answer"])
def test_a_follow_up_in_a_thread_on_a_direct_message_keeps_its_context(running, fake, under):
    send(running.port, slack.direct_message("ledighed maj", "1764100501.000100"), "Ev501")
    [first] = fake.wait_for("chat.postMessage", where=lambda a: a["channel"] == "D0LEDER")
    root = "1764100501.000100" if under == "the question" else first.response["ts"]
    # A person replies in a thread seconds later at the earliest; here, once the answer is out.
    deadline = time.monotonic() + 5
    while running.bot.conversations.get(("D0LEDER", root), clock.now()) is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    send(running.port, slack.direct_message("og i Herlev?", "1764100502.000100", thread_ts=root), "Ev502")
    [follow_up] = fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == root)
    assert "*Ledige i Herlev, maj 2026" in follow_up.args["text"]


def test_two_people_in_two_threads_keep_their_own_contexts(running, fake):
    first, second = "1764100511.000100", "1764100512.000100"
    send(running.port, slack.mention("ledighed maj", first), "Ev511")
    send(running.port, slack.mention("ledighedsprocent marts 2025", second, user="U0ANDEN"), "Ev512")
    fake.wait_for("chat.postMessage", count=2)
    for number, (root, user) in enumerate([(first, "U0LEDER"), (second, "U0ANDEN")]):
        follow_up = slack.mention("og i Herlev?", f"17641005{13 + number}.000100", user=user)
        send(running.port, {**follow_up, "thread_ts": root}, f"Ev51{3 + number}")
    texts = {ts: [c.args["text"] for c in fake.wait_for("chat.postMessage", count=2,
                                                         where=lambda a, ts=ts: a.get("thread_ts") == ts)]
             for ts in (first, second)}
    assert "*Ledige i Herlev, maj 2026" in texts[first][1]
    assert "*Ledighedsprocenten i Herlev, marts 2025" in texts[second][1]


# --- what Slack refuses reaches the operator with what to do ----------------------------------

def given_up(bot) -> list[dict]:
    return [p for p in bot.records().undelivered() if p["status"] == "given_up"]


def test_a_chart_refused_for_a_missing_scope_is_recorded_with_the_scope_to_add(running, fake, caplog):
    fake.fail("files.getUploadURLExternal", "missing_scope", needed="files:write", provided="chat:write")
    send(running.port, slack.mention("ledighed maj", "1764100521.000100"), "Ev521")
    fake.wait_for("files.getUploadURLExternal")
    running.stop()  # every answer in hand is finished
    [post] = given_up(running.bot)
    assert post["channel"] == "C0LEDELSE" and post["error"].startswith("missing_scope")
    assert "files:write" in post["error"] and "geninstallér appen" in post["error"]
    [line] = [r for r in caplog.records if r.name == "faktabot.slack" and "missing_scope" in r.getMessage()]
    assert line.levelname == "ERROR" and "files:write" in line.getMessage()


@pytest.mark.parametrize("error, fix", [("not_in_channel", "/invite @Faktabot"),
                                        ("channel_not_found", "/invite @Faktabot"),
                                        ("invalid_auth", "SLACK_BOT_TOKEN"),
                                        ("token_revoked", "SLACK_BOT_TOKEN")])
def test_an_answer_slack_refuses_for_good_is_recorded_with_what_to_do(running, fake, error, fix):
    fake.fail("chat.postMessage", error)
    send(running.port, slack.mention("ledighed maj", "1764100522.000100"), "Ev522")
    fake.wait_for("chat.postMessage")
    running.stop()
    [post] = given_up(running.bot)
    assert post["error"].startswith(error) and fix in post["error"]
    assert fake.to("files.getUploadURLExternal") == []  # no chart without its answer


@pytest.mark.parametrize("error, fix", [("not_in_channel", "/invite @Faktabot"), ("invalid_auth", "SLACK_BOT_TOKEN"),
                                        ("missing_scope", "chat:write")])
def test_an_alert_slack_refuses_says_what_to_do_in_the_deliveries_ledger(running, fake, error, fix):
    from bot.delivery.channels import DeliveryError, Message
    from bot.slack.channel import SlackChannel

    fake.fail("chat.postMessage", error, needed="chat:write")
    with pytest.raises(DeliveryError) as raised:
        SlackChannel(running.bot).send(Message("#beskaeftigelse-ledelse", "s", "Månedsoverblik", "summary:2026-10"))
    assert raised.value.permanent and error in str(raised.value) and fix in str(raised.value)


def test_faktabot_status_lists_what_slack_did_not_take_with_what_to_do(running, fake, sample_store_copy):
    fake.fail("chat.postMessage", "not_in_channel")
    send(running.port, slack.mention("ledighed maj", "1764100531.000100"), "Ev531")
    fake.wait_for("chat.postMessage")
    running.stop()
    result = run_cli("status", db=sample_store_copy)
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "C0LEDELSE" in line]
    assert "opgivet – not_in_channel – Faktabot er ikke med i kanalen; inviter den med /invite @Faktabot" in line


def test_faktabot_status_of_a_store_slack_never_used_has_no_slack_lines(sample_store_copy):
    result = run_cli("status", db=sample_store_copy)
    assert result.returncode == 0 and "Slack-beskeder" not in result.stdout, result.stderr


# --- the app's scopes ---------------------------------------------------------------------------

def manifest_scopes() -> list[str]:
    lines = (REPO / "slack-manifest.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("    bot:") + 1
    scopes = []
    for line in lines[start:]:
        if not line.startswith("      - "):
            break
        scopes.append(line.removeprefix("      - ").split("#")[0].strip())
    return scopes


def test_the_manifest_asks_for_every_scope_the_code_uses_and_no_more():
    assert sorted(manifest_scopes()) == sorted(posting.SCOPES)


def test_a_token_without_a_scope_the_code_uses_is_named_at_start_with_what_to_do(sample_store_copy, fake, caplog):
    fake.scopes = tuple(s for s in posting.SCOPES if s not in ("files:write", "im:write"))
    running = server.start(settings_for(sample_store_copy, fake), CONFIG, port=0, upkeep_seconds=3600,
                           chart_processes=0)
    running.stop()
    [line] = [r for r in caplog.records if r.name == "faktabot.slack" and "missing_scope" in r.getMessage()]
    assert line.levelname == "ERROR" and "files:write, im:write" in line.getMessage()
    assert "geninstallér appen" in line.getMessage()


def test_a_token_with_every_scope_starts_without_a_scope_error(running, caplog):
    assert not [r for r in caplog.records if "missing_scope" in r.getMessage()]


# --- Slack's formatting in a question -----------------------------------------------------------

def test_formatting_a_manager_puts_on_a_word_is_not_echoed_as_formatting(running, fake):
    send(running.port, slack.mention("ledighed _snart_ ~blabla~ `maj`", "1764100541.000100"), "Ev541")
    [answer] = fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == "1764100541.000100")
    text = answer.args["text"]
    # (the words not understood are named first, then the nearest figure: ledige, maj 2026)
    assert "Ledige i Ballerup, maj 2026" in text or "alle ledige i Ballerup, maj 2026" in text
    assert "»snart" in text and "blabla«" in text and "_snart_" not in text and "~blabla~" not in text


def test_question_text_drops_formatting_marks_and_keeps_words_with_underscores():
    from bot.slack.questions import question_text

    assert question_text("*ledighed* _maj_ ~x~ `kode` ```blok``` snake_case") == "ledighed maj x kode blok snake_case"


# --- a question in English ----------------------------------------------------------------------

@pytest.mark.parametrize("question, period", [("unemployment in may", "maj 2026"),
                                              ("how many unemployed in June 2025", "juni 2025"),
                                              ("unemployment march 2025", "marts 2025")])
def test_an_english_month_is_the_month_asked(running, fake, question, period):
    send(running.port, slack.direct_message(question, "1764100551.000100"), "Ev551")
    [answer] = fake.wait_for("chat.postMessage", where=lambda a: a["channel"] == "D0LEDER")
    assert answer.args["text"].startswith(f"*Ledige i Ballerup, {period}:"), answer.args["text"]


# --- what the channel sees ----------------------------------------------------------------------

@pytest.mark.parametrize("caption, title", [
    ("*Ungeledigheden i Ballerup, juli 2026: 7,7 pct.*", "Faktabot: Ungeledigheden i Ballerup, juli 2026: 7,7 pct."),
    ("Sygedagpenge mv. i Ballerup, 2. kvt. 2026: 1.222 personer.",
     "Faktabot: Sygedagpenge mv. i Ballerup, 2. kvt. 2026: 1.222 personer"),
    ("*Ledige i Ballerup, maj 2026: 816 fuldtidspersoner (ledighedsprocenten 3,1 pct.).*",
     "Faktabot: Ledige i Ballerup, maj 2026: 816 fuldtidspersoner (ledighedsprocenten 3,1 pct.)"),
    ("Samtaler i Ballerup, 2. kvt. 2026: 1.125 samtaler:", "Faktabot: Samtaler i Ballerup, 2. kvt. 2026: 1.125 samtaler"),
])
def test_a_chart_title_keeps_the_period_of_an_abbreviation(caption, title):
    from bot.slack import blocks

    assert blocks.caption_title(caption) == title


# --- emoji ---------------------------------------------------------------------------------------

def test_an_emoji_is_not_a_word_of_the_question(running, fake):
    send(running.port, slack.direct_message(":wave::skin-tone-2:", "1764100561.000100"), "Ev561")
    [greeting] = answers_in(fake, "D0LEDER", 1)
    send(running.port, slack.direct_message("ledighed maj :chart_with_upwards_trend: :+1:", "1764100562.000100"),
         "Ev562")
    answer = answers_in(fake, "D0LEDER", 2)[1]
    assert greeting.startswith("Skriv hvad du vil vide") and "wave" not in greeting
    assert answer.startswith("*Ledige i Ballerup, maj 2026:") and "Jeg har ikke tal for" not in answer


def test_a_time_of_day_is_not_taken_for_an_emoji():
    from bot.slack.questions import question_text

    assert question_text("ledighed kl. 10:30:00 :tada:") == "ledighed kl. 10:30:00"


# --- an edited question ---------------------------------------------------------------------------

def edited(new: str, old: str, ts: str, **message: object) -> dict:
    """Slack's message_changed event in a DM: the message as it is now, and as it was."""
    event = slack.direct_message("", f"{ts[:-3]}999", subtype="message_changed", hidden=True,
                                 message={"type": "message", "user": "U0LEDER", "text": new, "ts": ts,
                                          "edited": {"user": "U0LEDER", "ts": f"{ts[:-3]}999"}, **message},
                                 previous_message={"type": "message", "user": "U0LEDER", "text": old, "ts": ts})
    del event["user"], event["text"]  # as Slack sends it: who and what are in `message`
    return event


def test_a_question_corrected_in_a_direct_message_is_answered_in_its_thread(running, fake):
    send(running.port, slack.direct_message("ledihed maj", "1764100571.000100"), "Ev571")
    fake.wait_for("chat.postMessage", where=lambda a: a["channel"] == "D0LEDER")
    send(running.port, edited("ledighed juni", "ledihed maj", "1764100571.000100"), "Ev572")
    [answer] = fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == "1764100571.000100")
    assert answer.args["channel"] == "D0LEDER" and answer.args["text"].startswith("*Ledige i Ballerup, juni 2026:")


def test_an_edit_that_leaves_the_question_as_it_was_is_not_answered_again(running, fake):
    # Slack also sends message_changed when it unfurls a link or a person fixes a space; and when
    # the bot itself updates one of its messages (an alert in a DM).
    send(running.port, edited("ledighed  maj", "ledighed maj", "1764100581.000100"), "Ev581")
    send(running.port, edited("ny tekst", "gammel tekst", "1764100582.000100", bot_id=slack.BOT_ID,
                              user=slack.BOT_USER), "Ev582")
    send(running.port, slack.direct_message("sygedagpenge", "1764100583.000100"), "Ev583")
    [answer] = fake.wait_for("chat.postMessage")
    running.stop()
    assert len(fake.to("chat.postMessage")) == 1 and "Sygedagpenge" in answer.args["text"]


def test_an_edit_by_someone_not_in_the_slack_users_is_not_answered(running, fake):
    running.bot.allowed_users = frozenset({"U0CHEF"})  # faktabot.toml [slack] users = ["U0CHEF"]
    send(running.port, edited("ledighed juni", "ledihed maj", "1764100591.000100"), "Ev591")
    send(running.port, slack.direct_message("sygedagpenge", "1764100592.000100", user="U0CHEF"), "Ev592")
    fake.wait_for("chat.postMessage")
    running.stop()
    assert [c.args["channel"] for c in fake.to("chat.postMessage")] == ["D0LEDER"]
    assert "Sygedagpenge" in fake.to("chat.postMessage")[0].args["text"]


def test_a_subscribed_figure_for_a_channel_the_bot_left_says_what_to_do(running, fake, sample_store_copy):
    from bot.slack import subscriptions
    from indicators.store import Store
    from indicators.types import Observation

    assert slack.post(running.port, slack.command("abonner ledighed", fake.base), FORM)[0] == 200
    fake.wait_for("response_url")
    with Store(sample_store_copy) as store:
        store.load([Observation(indicator="ledige", area="151", period="2026-08", value=801.0, breakdown="",
                                unit="fuldtidspersoner", source="jobindsats:y25i01", provisional=True,
                                fetched_at="2026-11-20T06:30:00")])
    fake.fail("chat.postMessage", "not_in_channel")  # someone removed the bot from the channel
    assert subscriptions.deliver_new_figures(running.bot) == 0
    [failed] = running.bot.ledger().failed_deliveries()
    assert failed.recipient == "C0LEDELSE" and failed.error.startswith("not_in_channel")
    assert "/invite @Faktabot" in failed.error


@pytest.mark.parametrize("question, sample", [("sygedagpenge", True), ("ledighed maj", False)])
def test_a_chart_of_eksempeldata_says_so_in_its_title_and_alt_text(running, fake, question, sample):
    send(running.port, slack.mention(question, "1764100601.000100"), "Ev601")
    [done] = fake.wait_for("files.completeUploadExternal")
    [asked] = fake.to("files.getUploadURLExternal")
    title = json.loads(done.args["files"])[0]["title"]
    assert title.endswith(" – eksempeldata") == sample and asked.args["alt_txt"] == title


def test_an_alerts_chart_of_eksempeldata_says_so_in_its_title(running, fake):
    from bot.delivery.channels import Chart, Message
    from bot.slack.channel import SlackChannel

    chart = Chart(png=b"\x89PNG-sample-chart", caption="*Sygedagpenge mv. i Ballerup, 2. kvt. 2026: 1.222 personer.*")
    SlackChannel(running.bot).send(Message("#beskaeftigelse-ledelse", "Bagud", "*Bagud: Færre på sygedagpenge*",
                                           "sygedagpenge:breached:2026-12-01T05:00:00+01:00", sample_data=True,
                                           chart=chart))
    [asked] = fake.wait_for("files.getUploadURLExternal")
    assert asked.args["alt_txt"] == "Faktabot: Sygedagpenge mv. i Ballerup, 2. kvt. 2026: 1.222 personer – eksempeldata"


# --- the network between the bot and Slack ---------------------------------------------------------

def test_an_answer_lost_to_a_dropped_connection_is_recorded_and_retried(running, fake):
    fake.fail("chat.postMessage", "dropped", status=0)
    send(running.port, slack.mention("ledighed maj", "1764100611.000100"), "Ev611")
    fake.wait_for("chat.postMessage")
    running.stop()
    # The request went out whole before the connection dropped: the client does not post it again at once.
    assert len(fake.to("chat.postMessage")) == 1
    later = clock.now() + timedelta(seconds=31)
    bot = server.SlackBot(running.bot.settings, CONFIG, chart_processes=0, clock=lambda: later)
    try:
        [failed] = bot.records().posts_to_retry(later)
        assert failed.channel == "C0LEDELSE" and failed.payload["message"]["thread_ts"] == "1764100611.000100"
        assert posting.retry_failed_posts(bot) == 1
        [answer] = [c for c in fake.to("chat.postMessage") if c.response.get("ok")]
        assert answer.args["thread_ts"] == "1764100611.000100" and "*Ledige i Ballerup, maj 2026" in answer.args["text"]
    finally:
        bot.close()


def _retry_later(running) -> int:
    """The service's retry of failed posts, half a minute on (past the first wait)."""
    later = clock.now() + timedelta(seconds=31)
    bot = server.SlackBot(running.bot.settings, CONFIG, chart_processes=0, clock=lambda: later)
    try:
        return posting.retry_failed_posts(bot)
    finally:
        bot.close()


@pytest.mark.parametrize("thread", [None, "1764100622.000100"])
def test_a_dm_answer_slack_posted_before_the_connection_dropped_is_not_posted_twice(running, fake, thread):
    # The request went out whole and Slack posted it; the answer never came back. The retry posted
    # it blindly a second time: the manager saw the answer twice.
    fake.fail("chat.postMessage", "dropped", status=0, carried=True)
    send(running.port, slack.direct_message("ledighed maj", "1764100621.000100",
                                            **({"thread_ts": thread} if thread else {})), "Ev621")
    fake.wait_for("chat.postMessage")
    running.stop()
    assert len(fake.messages) == 1  # Slack has it once
    assert _retry_later(running) == 1  # the post counts as delivered ...
    assert len(fake.messages) == 1  # ... and is not posted again
    assert fake.to("conversations.replies" if thread else "conversations.history")


def test_a_dm_answer_slack_did_not_post_is_posted_by_the_retry(running, fake):
    fake.fail("chat.postMessage", "dropped", status=0)  # dropped before Slack carried it out
    send(running.port, slack.direct_message("ledighed maj", "1764100631.000100"), "Ev631")
    fake.wait_for("chat.postMessage")
    running.stop()
    assert fake.messages == []
    assert _retry_later(running) == 1
    [answer] = fake.messages
    assert answer["channel"] == "D0LEDER" and "*Ledige i Ballerup, maj 2026" in answer["text"]


def test_a_channel_answer_whose_connection_dropped_is_posted_again_where_the_channel_may_not_be_read(running, fake):
    # Reading a channel needs channels:history, which the manifest does not ask for: Slack refuses the
    # look, and a second copy is better than none.
    fake.fail("chat.postMessage", "dropped", status=0, carried=True)
    send(running.port, slack.mention("ledighed maj", "1764100641.000100"), "Ev641")
    fake.wait_for("chat.postMessage")
    running.stop()
    assert _retry_later(running) == 1
    assert len(fake.messages) == 2
    [look] = fake.to("conversations.replies")
    assert look.response["error"] == "missing_scope"


def test_a_channel_answer_slack_posted_is_not_posted_twice_where_the_workspace_granted_channels_history(
        running, fake):
    # The optional scope granted: the channel is looked at first, as a DM is.
    fake.scopes = (*fake.scopes, "channels:history")
    fake.fail("chat.postMessage", "dropped", status=0, carried=True)
    send(running.port, slack.mention("ledighed maj", "1764100651.000100"), "Ev651")
    fake.wait_for("chat.postMessage")
    running.stop()
    assert len(fake.messages) == 1
    assert _retry_later(running) == 1
    assert len(fake.messages) == 1
    [look] = fake.to("conversations.replies")  # a mention is answered in its thread
    assert look.response["ok"] is True


def test_an_alert_whose_connection_drops_after_the_request_went_out_is_an_unknown_outcome(running, fake):
    """Slack may have posted it: neither the client nor the ledger posts it again blindly."""
    from bot.delivery.channels import Message, OutcomeUnknown
    from bot.slack.channel import SlackChannel

    fake.fail("chat.postMessage", "dropped", status=0)
    with pytest.raises(OutcomeUnknown) as raised:
        SlackChannel(running.bot).send(Message("#beskaeftigelse-ledelse", "s", "Månedsoverblik", "summary:2026-10"))
    assert len(fake.to("chat.postMessage")) == 1
    assert str(raised.value).startswith("Slack #beskaeftigelse-ledelse: forbindelsen røg (")
    assert str(raised.value).endswith("den kan være nået frem")


def test_an_alert_with_an_unknown_outcome_waits_in_the_ledger_and_is_not_sent_again(running, fake):
    from bot.delivery.channels import Channels
    from bot.delivery.ledger import Ledger
    from bot.delivery.sending import send_due
    from bot.slack.channel import SlackChannel

    fake.fail("chat.postMessage", "dropped", status=0)
    now = clock.now()
    channels = Channels(outbox=None, slack=SlackChannel(running.bot))
    ledger = Ledger(running.bot.store().db)
    ledger.queue(key="summary:2026-10", target=None, kind="summary", recipient="#beskaeftigelse-ledelse",
                 subject="Månedsoverblik", body="*Månedsoverblik*", sample_data=False, now=now)
    first = send_due(ledger, ledger.due(), channels, now)
    [(delivery, error)] = first.unknown
    assert delivery.status == "unknown" and delivery.attempts == 1
    assert not first.sent and not first.failed and "den kan være nået frem" in error
    # The next rounds, before the hold has passed, leave it alone: one post in all.
    assert ledger.reexamine(now + timedelta(hours=1), timedelta(hours=24)) == []
    assert ledger.due() == []
    assert [d.status for d in ledger.unknown_deliveries()] == ["unknown"]
    assert len(fake.to("chat.postMessage")) == 1


def test_a_post_that_never_reached_slack_is_retried_by_the_client():
    """A failure while connecting or sending (urllib's URLError) cannot have posted anything."""
    import http.client
    from urllib.error import URLError

    from slack_sdk.http_retry.request import HttpRequest
    from slack_sdk.http_retry.state import RetryState

    from bot.slack.app import ConnectionRetry

    handler = ConnectionRetry(max_retry_count=2)

    def retried(method: str, error: Exception) -> bool:
        request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})
        return handler.can_retry(state=RetryState(), request=request, response=None, error=error)

    refused = URLError(ConnectionRefusedError(111, "Connection refused"))
    dropped = http.client.RemoteDisconnected("Remote end closed connection without response")
    assert retried("chat.postMessage", refused) and retried("conversations.list", dropped)
    assert not retried("chat.postMessage", dropped)
    assert not retried("files.completeUploadExternal", ConnectionResetError(104, "Connection reset by peer"))
    assert retried("chat.update", ConnectionResetError(104, "Connection reset by peer"))


def test_what_can_i_ask_in_english_lists_what_the_bot_knows(running, fake):
    send(running.port, slack.direct_message("what can I ask?", "1764100621.000100"), "Ev621")
    [answer] = answers_in(fake, "D0LEDER", 1)
    assert answer.startswith("*Det kan du spørge om*")


# --- start-up --------------------------------------------------------------------------------------

def start_up_error(sample_store_copy, fake, caplog, **env: str) -> str:
    import threading

    stop = threading.Event()
    server.serve(settings_for(sample_store_copy, fake, **env), CONFIG, stop)
    assert stop.is_set()
    [line] = [r.getMessage() for r in caplog.records if r.name == "faktabot.slack" and "cannot start" in r.getMessage()]
    return line


def test_a_refused_app_token_in_socket_mode_says_to_fix_slack_app_token(sample_store_copy, fake, caplog):
    fake.fail("apps.connections.open", "invalid_auth", times=10)
    line = start_up_error(sample_store_copy, fake, caplog, SLACK_APP_TOKEN="xapp-1-A0FAKTABOT-1-revoked",
                          SLACK_SIGNING_SECRET="")
    assert "invalid_auth" in line and "SLACK_APP_TOKEN" in line and "connections:write" in line
    assert "SLACK_BOT_TOKEN" not in line and "revoked" not in line


def test_a_refused_bot_token_at_start_says_to_fix_slack_bot_token(sample_store_copy, fake, caplog):
    fake.fail("auth.test", "invalid_auth", times=10)
    line = start_up_error(sample_store_copy, fake, caplog, SLACK_BOT_TOKEN="xoxb-revoked-token")
    assert "invalid_auth – Slack afviser tokenet; sæt SLACK_BOT_TOKEN" in line and "xoxb-revoked-token" not in line


# --- questions in an alert's thread ------------------------------------------------------------------

@pytest.fixture
def alert_ts(running, fake, sample_store_copy, tmp_path) -> str:
    """The alerts run with Slack as the channel; the ts of the ungeledighed alert in #beskaeftigelse-ledelse."""
    from bot.alerting import watch
    from bot.delivery.channels import Channels, OutboxChannel
    from bot.delivery.ledger import Ledger
    from bot.slack.channel import SlackChannel
    from indicators.store import Store

    channels = Channels(outbox=OutboxChannel(tmp_path / "outbox", lambda: "stamp"), slack=SlackChannel(running.bot))
    with Store(sample_store_copy) as store:
        assert not watch.run_alerts(store, Ledger(store.db), CONFIG, channels, clock.now()).failed
    [posted] = fake.to("chat.postMessage", where=lambda a: "alert:ungeledighed" in json.dumps(a.get("blocks", [])))
    return posted.response["ts"]


def test_a_follow_up_in_an_alerts_thread_goes_on_from_the_alerts_figure(running, fake, alert_ts):
    follow_up = {**slack.mention("og i Albertslund?", "1764100631.000100"), "thread_ts": alert_ts}
    send(running.port, follow_up, "Ev631")
    [answer] = fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == alert_ts
                             and "Albertslund" in a.get("text", ""))
    assert answer.args["text"].startswith("*Ungeledigheden i Albertslund, juli 2026: 9,1 pct."), answer.args["text"]


def test_a_follow_up_after_show_development_goes_on_from_it(running, fake, alert_ts):
    from bot.slack import blocks

    click = slack.button(blocks.DEVELOPMENT, "ungeledighed", "C0LEDELSE", alert_ts, fake.base)
    assert slack.post(running.port, slack.interaction(click), FORM)[0] == 200
    fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == alert_ts and "Fra " in a.get("text", ""))
    follow_up = {**slack.mention("og i Albertslund?", "1764100641.000100"), "thread_ts": alert_ts}
    send(running.port, follow_up, "Ev641")
    [answer] = fake.wait_for("chat.postMessage", where=lambda a: a.get("thread_ts") == alert_ts
                             and "Albertslund" in a.get("text", ""))
    assert "ungeledighed" in answer.args["text"].lower() and "Fra " in answer.args["text"], answer.args["text"]


def test_status_check_warns_of_answers_slack_refused_for_good(running, fake, sample_store_copy):
    fake.fail("chat.postMessage", "not_in_channel")
    send(running.port, slack.mention("ledighed maj", "1764100651.000100"), "Ev651")
    fake.wait_for("chat.postMessage")
    running.stop()
    result = run_cli("status", "--check", db=sample_store_copy)
    assert "Slack-svar, der ikke er sendt: 1 – se faktabot status" in result.stdout, result.stdout + result.stderr


def test_a_chart_slack_refuses_for_good_is_explained_in_the_thread(running, fake):
    fake.fail("files.getUploadURLExternal", "missing_scope", needed="files:write", provided="chat:write")
    send(running.port, slack.mention("ledighed maj", "1764100661.000100"), "Ev661")
    answer, note = fake.wait_for("chat.postMessage", count=2, where=lambda a: a.get("thread_ts") == "1764100661.000100")
    assert answer.args["text"].startswith("*Ledige i Ballerup, maj 2026")
    assert "Grafen kunne ikke vises" in note.args["text"] and "faktabot status" in note.args["text"]
    assert note.args["blocks"][0]["type"] == "context"
