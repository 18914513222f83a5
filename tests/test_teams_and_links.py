"""Teams and one-click links end to end: a local stand-in for the Power Automate Workflows webhook
over real HTTP, the sample store, the real config with Teams and email recipients, the links'
listener on a real socket and httpx as the manager's browser.
"""
from __future__ import annotations

import email
import json
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jsonschema
import pytest

from bot.alerting import links, watch
from bot.cli.compose import channels_for, link_handler, link_maker
from bot.config import Config, load_config
from bot.delivery.channels import DeliveryError, Message
from bot.delivery.ledger import FAILED, SENT, Ledger
from bot.delivery.teams import TeamsChannel
from bot.rendering.cards import text_card
from bot.service import web
from bot.service.health import Heartbeat
from bot.service.healthserver import probe
from bot.settings import SettingsError, load_settings
from indicators.store import Store
from indicators.types import Observation
from rules.engine import evaluate
from tests.conftest import REPO

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SECRET = "s" * 40
SCHEMA = json.loads((REPO / "tests/data/adaptive-card/adaptive-card-1.4.schema.json").read_text(encoding="utf-8"))
TEAMS, MANAGER = "teams:ledelse", "chef@kommune.dk"


class Workflow:
    """A stand-in for a Workflows webhook: records each posted body, answers from `answers` (then 202)."""

    def __init__(self, answers: list[int] | None = None, delay: float = 0.0):
        self.posted: list[dict] = []
        self.answers = list(answers or [])
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(delay)
                status = outer.answers.pop(0) if outer.answers else 202
                if status == 202:
                    outer.posted.append(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/workflows/abc/triggers/manual/run"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def cards(self) -> list[dict]:
        return [a["content"] for body in self.posted for a in body["attachments"]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def workflow():
    stand_in = Workflow()
    yield stand_in
    stand_in.close()


@pytest.fixture
def config() -> Config:
    loaded = load_config(REPO / "faktabot.toml")
    return replace(loaded, targets=tuple(replace(t, recipients=(TEAMS, MANAGER)) for t in loaded.targets))


def settings_for(db: Path, outbox: Path, webhook: str, **extra: str):
    return load_settings({"FAKTABOT_DB": str(db), "FAKTABOT_OUTBOX": str(outbox), "TEAMS_WEBHOOK_LEDELSE": webhook,
                          "FAKTABOT_LINK_SECRET": SECRET, "FAKTABOT_PUBLIC_URL": "https://faktabot.example.dk",
                          **extra}, dotenv=None)


def valid(card: dict) -> None:
    jsonschema.Draft6Validator(SCHEMA).validate(card)
    assert float(card["version"]) <= 1.4


def run_alerts(db: Path, settings, config: Config, now: datetime = NOW) -> watch.AlertRun:
    """One `faktabot alerts` as the service runs it: its own store connection, channels from settings."""
    with Store(db) as store:
        return watch.run_alerts(store, Ledger(store.db), config, channels_for(settings, lambda: now, config), now,
                                links=link_maker(settings))


# --- Teams delivery ------------------------------------------------------------------------------

def test_an_alert_reaches_teams_as_a_valid_adaptive_card_with_its_links(sample_store_copy, config, workflow, tmp_path):
    settings = settings_for(sample_store_copy, tmp_path / "outbox", workflow.url)
    run = run_alerts(sample_store_copy, settings, config)
    breached = sorted({n.target for _, n, _, _ in run.notices})
    assert not run.failed and len(workflow.posted) == len(breached)
    for body in workflow.posted:
        assert body["type"] == "message"
        assert body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    cards = workflow.cards()
    for card in cards:
        valid(card)
    card = next(c for c in cards if "sygedagpenge" in c["fallbackText"].lower())
    text = json.dumps(card, ensure_ascii=False)
    assert card["body"][0]["style"] == "attention"  # breached: the red band
    assert "Bagud: Færre på sygedagpenge (målsti) – Ballerup" in card["body"][0]["items"][0]["text"]
    assert "1.222 personer i 2. kvt. 2026" in text and "Fremskrevet når I 1.238–1.270" in text
    assert "Kilde: eksempeldata" in text and "**Eksempeldata:**" in text
    assert [a["title"] for a in card["actions"]] == ["Kvittér", "Udsæt 30 dage", "Vis udvikling"]
    assert all(a["url"].startswith("https://faktabot.example.dk/link/") for a in card["actions"])


def test_no_card_or_mail_goes_twice_across_a_restart(sample_store_copy, config, workflow, tmp_path):
    settings = settings_for(sample_store_copy, tmp_path / "outbox", workflow.url)
    first = run_alerts(sample_store_copy, settings, config)
    second = run_alerts(sample_store_copy, settings, config, NOW + timedelta(hours=1))  # a new process, same store
    assert first.sent and second.sent == [] and second.notices == []
    assert len(workflow.posted) == len({n.target for _, n, _, _ in first.notices})
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == len(workflow.posted)  # one mail per alert too


def test_throttled_or_failing_workflow_is_retried_and_a_refusal_is_final(sample_store_copy, config, tmp_path):
    workflow = Workflow(answers=[429, 502])
    try:
        settings = settings_for(sample_store_copy, tmp_path / "outbox", workflow.url)
        first = run_alerts(sample_store_copy, settings, config)
        assert len(first.failed) == 2  # the 429 and the 502
        with Store(sample_store_copy) as store:
            ledger = Ledger(store.db)
            failed = [d for d in ledger.deliveries() if d.status == FAILED]
            assert failed and all(d.recipient == TEAMS for d in failed)
            assert "429" in failed[0].error and failed[0].card is not None
            assert ledger.due() == failed  # temporary: due again
            watch.run_alerts(store, ledger, config, channels_for(settings, lambda: NOW, config), NOW)
            assert all(d.status == SENT for d in ledger.deliveries())
        assert len(workflow.posted) == len({n.target for _, n, _, _ in first.notices})
    finally:
        workflow.close()
    refusing = Workflow(answers=[400])
    try:
        message = Message(TEAMS, "Emne", "Tekst", "stale:x:1")
        with pytest.raises(Exception) as refused:
            TeamsChannel({"ledelse": refusing.url}).send(message)
        assert refused.value.permanent and "400" in str(refused.value)
    finally:
        refusing.close()


def test_a_workflow_that_hangs_after_the_card_went_out_is_cut_off_and_an_unknown_outcome():
    # It was a temporary failure, retried at the next run: a workflow that posts the card and then
    # answers slowly got it twice. Now it is an unknown outcome, not resent blindly (Ledger.unknown).
    from bot.delivery.channels import OutcomeUnknown

    slow = Workflow(delay=2.0)
    try:
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown) as hung:
            TeamsChannel({"ledelse": slow.url}, timeout=0.3).send(Message(TEAMS, "Emne", "Tekst", "k:1"))
        assert time.monotonic() - started < 1.5
        assert str(hung.value) == ("Teams-workflowet for teams:ledelse svarede ikke inden for 0.3 sek., efter hele "
                                   "kortet var sendt; det kan være nået frem")
    finally:
        slow.close()


def test_a_workflow_that_cannot_be_reached_is_a_temporary_failure_to_retry():
    import socket

    with socket.socket() as unused:  # a port nobody listens on: the card never went out
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(DeliveryError) as refused:
        TeamsChannel({"ledelse": f"http://127.0.0.1:{port}/workflows/x"}, timeout=2).send(
            Message(TEAMS, "Emne", "Tekst", "k:1"))
    assert not refused.value.permanent and "kan ikke nås (ConnectError)" in str(refused.value)


def test_a_teams_recipient_without_a_webhook_fails_for_good_and_says_which_variable():
    with pytest.raises(Exception) as missing:
        TeamsChannel({}).send(Message("teams:Ledelse-Nord", "Emne", "Tekst", "k:1"))
    assert missing.value.permanent and "TEAMS_WEBHOOK_LEDELSE_NORD" in str(missing.value)


def test_a_staleness_notice_becomes_a_valid_plain_card():
    card = text_card("Faktabot: Jobindsats er ikke opdateret", "*Jobindsats* er ikke hentet siden 1. maj &amp; <https://x.dk|se status>.")
    valid(card)
    assert card["body"][1]["text"] == "**Jobindsats** er ikke hentet siden 1. maj & [se status](https://x.dk)."


def test_teams_settings_come_from_the_environment_or_a_secrets_file(tmp_path):
    secrets_file = tmp_path / "teams.env"
    secrets_file.write_text("TEAMS_WEBHOOK_JOBCENTER=https://prod.westeurope.logic.azure.com/workflows/1\n")
    settings = load_settings({"TEAMS_WEBHOOK_LEDELSE": "https://prod.westeurope.logic.azure.com/workflows/2",
                              "TEAMS_WEBHOOKS_FILE": str(secrets_file)}, dotenv=None)
    assert set(settings.teams_webhooks) == {"ledelse", "jobcenter"}
    assert "logic.azure.com" not in repr(settings)
    with pytest.raises(SettingsError) as problems:
        load_settings({"TEAMS_WEBHOOK_X": "http://example.com/hook", "FAKTABOT_LINK_SECRET": "kort"}, dotenv=None)
    assert "TEAMS_WEBHOOK_X" in str(problems.value) and "FAKTABOT_PUBLIC_URL" in str(problems.value)


# --- one-click links ------------------------------------------------------------------------------

@pytest.mark.parametrize("public", ["http://faktabot.kommune.dk", "faktabot.kommune.dk"])
def test_the_public_address_of_the_links_must_be_https_as_the_message_says(public):
    """»skal begynde med https://« while http:// was accepted: a link acknowledges a target for
    whoever holds it, so it and the note posted on its page must not cross the network in clear."""
    with pytest.raises(SettingsError) as problems:
        load_settings({"FAKTABOT_LINK_SECRET": "x" * 40, "FAKTABOT_PUBLIC_URL": public}, dotenv=None)
    assert f"FAKTABOT_PUBLIC_URL='{public}/' skal begynde med https://" in str(problems.value)
    assert "https://faktabot.kommune.dk" in str(problems.value)  # the fix, by example
    ok = load_settings({"FAKTABOT_LINK_SECRET": "x" * 40, "FAKTABOT_PUBLIC_URL": "https://faktabot.kommune.dk"},
                       dotenv=None)
    assert ok.public_url == "https://faktabot.kommune.dk/"


@pytest.fixture
def site(sample_store_copy, config, workflow, tmp_path):
    """Alerts sent (Teams and email .eml), and the links' listener on a real port."""
    settings = settings_for(sample_store_copy, tmp_path / "outbox", workflow.url)
    run_alerts(sample_store_copy, settings, config)
    clock = {"now": NOW + timedelta(hours=2)}
    server = web.link_server(link_handler(settings, config, lambda: clock["now"]), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"settings": settings, "base": base, "clock": clock, "db": sample_store_copy, "outbox": tmp_path / "outbox"}
    server.shutdown()
    server.server_close()


def mailed_links(outbox: Path, target_words: str) -> dict[str, str]:
    """The links in the HTML part of the alert mail about the target, by label, as a browser would follow them."""
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if target_words not in message["Subject"]:
            continue
        html = message.get_body(("html",)).get_content()
        plain = message.get_body(("plain",)).get_content()
        found = {}
        for label in ("Kvittér", "Udsæt 30 dage", "Vis udvikling"):
            url = plain.split(f"»{label}«: ", 1)[1].split()[0]
            assert f'<a href="{url}">' in html  # clickable in Outlook
            found[label] = url
        return found
    raise AssertionError(f"no mail about {target_words}")


def local(url: str, base: str) -> str:
    return base + url.removeprefix("https://faktabot.example.dk")


def state(db: Path, target: str):
    with Store(db) as store:
        return Ledger(store.db).states()[target]


def test_a_confirmed_kvitter_acknowledges_exactly_as_the_slack_button_does(site, config, sample_store_copy, tmp_path):
    url = local(mailed_links(site["outbox"], "sygedagpenge")["Kvittér"], site["base"])
    before = state(site["db"], "sygedagpenge")
    page = httpx.get(url)
    assert page.status_code == 200 and '<form method="post">' in page.text and "<script" not in page.text
    assert 'name="note"' in page.text and page.headers["Referrer-Policy"] == "no-referrer"
    # A web page, not a Slack post: no emoji shortcodes or mrkdwn stars (the sample's warning had both).
    assert "Eksempeldata" in page.text and ":warning:" not in page.text and "*" not in page.text
    assert state(site["db"], "sygedagpenge") == before  # the page alone changes nothing
    done = httpx.post(url, data={"note": "Handleplan i udvalget 3. dec.", "name": "Mette Holm"})
    assert done.status_code == 200 and "Handleplan i udvalget 3. dec." in done.text
    after = state(site["db"], "sygedagpenge")
    # The Slack button calls watch.acknowledge with the note at the moment of the click: same state.
    twin = tmp_path / "twin.db"
    twin.write_bytes(Path(site["db"]).read_bytes())
    with Store(twin) as store:
        ledger = Ledger(store.db)
        ledger.save_states([before])
        watch.acknowledge(store, ledger, config, "sygedagpenge", "Handleplan i udvalget 3. dec.", site["clock"]["now"])
        assert ledger.states()["sygedagpenge"] == after
    assert after.ack is not None and after.ack.note == "Handleplan i udvalget 3. dec."
    with Store(site["db"]) as store:
        used = list(store.db.query("SELECT recipient, actor, note, action FROM used_links"))
    assert used == [{"recipient": MANAGER, "actor": "Mette Holm", "note": "Handleplan i udvalget 3. dec.",
                     "action": "kvitter"}]
    # The same link again: a clear page, and the acknowledgement stays as it was.
    again = httpx.post(url, data={"note": "Noget andet"})
    assert again.status_code == 410 and "allerede brugt" in again.text and "Mette Holm" in again.text
    assert state(site["db"], "sygedagpenge") == after


def test_a_prefetched_link_changes_nothing(site):
    found = mailed_links(site["outbox"], "sygedagpenge")
    before = state(site["db"], "sygedagpenge")
    for label in ("Kvittér", "Udsæt 30 dage"):  # a mail scanner fetches every link, twice
        for _ in range(2):
            assert httpx.get(local(found[label], site["base"])).status_code == 200
            assert httpx.head(local(found[label], site["base"])).status_code == 200
    assert state(site["db"], "sygedagpenge") == before
    # ...and the manager can still use them afterwards.
    snoozed = httpx.post(local(found["Udsæt 30 dage"], site["base"]), data={})
    assert snoozed.status_code == 200
    assert state(site["db"], "sygedagpenge").snoozed_until == (site["clock"]["now"] + timedelta(days=30)).date()


def test_udsaet_says_what_it_does_and_the_day_messages_come_again(site, config):
    # The page promised »Ændrer status sig, får du besked som før« and »udsat til og med 25. dec.«, but a
    # snooze holds every message, a change of status too, and they come again on that day, not after it.
    url = local(mailed_links(site["outbox"], "sygedagpenge")["Udsæt 30 dage"], site["base"])
    page = httpx.get(url).text
    assert "Beskeder om målet sættes på pause i 30 dage, til 25. dec. 2026." in page
    assert "Ændrer status sig i mellemtiden, får du besked, når pausen slutter." in page
    assert "som før" not in page
    done = httpx.post(url, data={"name": "Mette Holm"}).text
    assert "Beskeder om målet er sat på pause til 25. dec. 2026. Ændrer status sig i mellemtiden, får du besked den dag." in done
    snoozed = state(site["db"], "sygedagpenge")
    assert snoozed.snoozed_until == date(2026, 12, 25)
    # What the engine does with it: a resolution during the pause is held, and told on that day.
    target = config.target("sygedagpenge")
    better = [Observation("sygedagpenge", "151", "2026-Q3", 1000.0, source="eksempeldata")]
    during = evaluate([target], better, {"sygedagpenge": snoozed}, datetime(2026, 12, 24, 9, tzinfo=UTC))
    assert during.notices == ()
    on_the_day = evaluate([target], better, during.states, datetime(2026, 12, 25, 9, tzinfo=UTC))
    assert [n.kind for n in on_the_day.notices] == ["resolved"]
    # Used already: the day in Danish, as everywhere else (it said 2026-11-25).
    again = httpx.post(url, data={}).text
    assert "Der blev handlet på linket 25. nov. 2026 af Mette Holm." in again and "2026-11-25" not in again


def test_forged_tampered_unsigned_and_expired_links_change_nothing(site, config):
    url = mailed_links(site["outbox"], "sygedagpenge")["Kvittér"]
    token = url.rsplit("/", 1)[1]
    payload, mac = token.split(".")
    signer = links.Signer(SECRET, "https://faktabot.example.dk")
    link = signer.verify(token, NOW)
    other = links.Signer("o" * 40, "https://faktabot.example.dk")  # someone else's secret
    tampered = links.Signer(SECRET, "x").token(replace(link, target="ungeledighed")).split(".")[0] + "." + mac
    expired = signer.url("sygedagpenge", "kvitter", MANAGER, NOW - timedelta(days=31))
    before = {t.id: state(site["db"], t.id) for t in config.targets if t.id in ("sygedagpenge", "ungeledighed")}
    cases = {
        "forged": (other.url("sygedagpenge", "kvitter", MANAGER, NOW), 403, "ikke lavet af Faktabot"),
        "tampered": (f"/link/{tampered}", 403, "ændret undervejs"),
        "bit flipped": (f"/link/{payload}.{mac[:-2]}{'A' if mac[-2] != 'A' else 'B'}{mac[-1]}", 403, "Intet er ændret"),
        "unsigned": (f"/link/{payload}", 403, "Intet er ændret"),
        "garbage": ("/link/%ZZ..", 403, "Intet er ændret"),
        "expired": (expired, 410, "udløbet"),
    }
    for name, (bad, status, words) in cases.items():
        target = local(bad, site["base"]) if bad.startswith("https://") else site["base"] + bad
        for answer in (httpx.get(target), httpx.post(target, data={"note": "forfalsket"})):
            assert answer.status_code == status, name
            assert words in answer.text, name
            assert "<form" not in answer.text, name
    for target_id, was in before.items():
        assert state(site["db"], target_id) == was
    with Store(site["db"]) as store:
        assert list(store.db.query("SELECT * FROM used_links")) == []


def test_an_empty_note_is_refused_and_the_link_stays_usable(site):
    url = local(mailed_links(site["outbox"], "sygedagpenge")["Kvittér"], site["base"])
    refused = httpx.post(url, data={"note": "   "})
    assert refused.status_code == 400 and "Skriv en note" in refused.text
    assert state(site["db"], "sygedagpenge").ack is None
    assert httpx.post(url, data={"note": "Ny plan"}).status_code == 200


def test_vis_udvikling_shows_the_chart_and_works_more_than_once(site):
    url = local(mailed_links(site["outbox"], "sygedagpenge")["Vis udvikling"], site["base"])
    for _ in range(2):
        page = httpx.get(url, timeout=60)
        assert page.status_code == 200 and 'src="data:image/png;base64,' in page.text
        assert "Færre på sygedagpenge" in page.text


def test_teams_card_links_are_signed_for_the_channel(site, workflow):
    card = next(c for c in workflow.cards() if "sygedagpenge" in c["fallbackText"].lower())
    url = next(a["url"] for a in card["actions"] if a["title"] == "Kvittér")
    link = links.Signer(SECRET, "https://faktabot.example.dk").verify(url.rsplit("/", 1)[1], NOW)
    assert (link.target, link.action, link.recipient) == ("sygedagpenge", "kvitter", TEAMS)
    assert httpx.post(local(url, site["base"]), data={"note": "Taget op på ledermødet"}).status_code == 200
    assert state(site["db"], "sygedagpenge").ack.note == "Taget op på ledermødet"


def test_the_slack_http_listener_serves_the_links_too(site, config):
    from slack_bolt import App

    from bot.slack.server import (
        http_server,  # slack-bolt: as the Slack listener tests import it
    )
    app = App(token="xoxb-test", signing_secret="x" * 32, token_verification_enabled=False)
    server = http_server(app, 0, signing_secret="x" * 32,
                         links=link_handler(site["settings"], config, lambda: site["clock"]["now"]))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        url = mailed_links(site["outbox"], "sygedagpenge")["Udsæt 30 dage"]
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert httpx.get(local(url, base)).status_code == 200
        assert httpx.post(local(url, base), data={}).status_code == 200
        assert state(site["db"], "sygedagpenge").snoozed_until is not None
        assert httpx.get(base + "/health").json()["status"] == "ok"  # health still answers beside the links
    finally:
        server.shutdown()
        server.server_close()


def test_the_monthly_summary_reaches_teams_as_a_valid_card_with_a_note_about_the_pdf(sample_store_copy, workflow,
                                                                                    tmp_path):
    from bot.reports.summary_mailing import send_summary

    loaded = load_config(REPO / "faktabot.toml")
    config = replace(loaded, summary=replace(loaded.summary, recipients=(TEAMS,)))
    settings = settings_for(sample_store_copy, tmp_path / "outbox", workflow.url)
    with Store(sample_store_copy) as store:
        run = send_summary(store, Ledger(store.db), config, "2026-05", now=NOW,
                           channels=channels_for(settings, lambda: NOW, config), email=None)
    assert run.sent and not run.failed and len(workflow.cards()) == 1
    card = workflow.cards()[0]
    valid(card)
    text = json.dumps(card, ensure_ascii=False)
    assert "maj 2026" in text.lower() and "Faktaarket for 1. kvt. 2026 (PDF)" in text  # May: the newest complete quarter


def test_the_link_listener_health_reports_the_service_not_a_constant(sample_store_copy, config, workflow, tmp_path):
    settings = settings_for(sample_store_copy, tmp_path / "outbox", workflow.url)
    check = probe(settings, config, sources=[])
    server = web.link_server(link_handler(settings, config), "127.0.0.1", 0, health=check)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        silent = httpx.get(base + "/health")  # no heartbeat yet: the scheduler is not running
        assert silent.status_code == 503 and silent.json()["status"] == "critical"
        assert [f["code"] for f in silent.json()["findings"]] == ["heartbeat_late"]
        Heartbeat(sample_store_copy).beat(datetime.now(UTC))
        beating = httpx.get(base + "/health")
        assert beating.status_code == 200 and beating.json()["store_ok"] is True and beating.json()["sources"]
    finally:
        server.shutdown()
        server.server_close()
