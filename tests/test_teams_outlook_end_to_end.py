"""Issue 16's »Done when«, tried as a new user would: `faktabot alerts` run as a command (twice, as
two processes) against the Workflows stand-in and the real local SMTP server, the config naming a
`teams:` recipient and an email address; the manager clicks »Kvittér« in the mail she received,
through the service's link listener on a real socket, with httpx as her browser."""
from __future__ import annotations

import re
import threading
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot import clock
from bot.alerting import watch
from bot.cli.compose import link_handler
from bot.config import load_config
from bot.delivery.ledger import Ledger
from bot.service import web
from bot.settings import load_settings
from indicators.store import Store
from tests.conftest import REPO, run_cli
from tests.test_teams_and_links import SECRET, Workflow, valid

MANAGER, PUBLIC = "chef@kommune.dk", "https://faktabot.kommune.dk"


@pytest.fixture
def workflow():
    stand_in = Workflow()
    yield stand_in
    stand_in.close()


def config_file(tmp_path: Path) -> Path:
    """The shipped faktabot.toml with every target's recipients a Teams channel and one manager."""
    text = (REPO / "faktabot.toml").read_text(encoding="utf-8")
    head, targets = text.split("[[targets]]", 1)
    targets = re.sub(r"^recipients = \[.*\]$", f'recipients = ["teams:ledelse", "{MANAGER}"]', targets,
                     flags=re.MULTILINE)
    path = tmp_path / "faktabot.toml"
    path.write_text(head + "[[targets]]" + targets, encoding="utf-8")
    return path


def environment(workflow: Workflow, smtp, tmp_path: Path) -> dict[str, str]:
    return {"TEAMS_WEBHOOK_LEDELSE": workflow.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
            "SMTP_SECURITY": "none", "MAIL_FROM": "Faktabot <faktabot@kommune.dk>",
            "FAKTABOT_LINK_SECRET": SECRET, "FAKTABOT_PUBLIC_URL": PUBLIC, "FAKTABOT_OUTBOX": str(tmp_path / "outbox")}


def test_done_when_teams_card_mail_links_kvitter_forgery_reuse_and_restart(workflow, smtp, sample_store_copy,
                                                                          tmp_path):
    config_path, env = config_file(tmp_path), environment(workflow, smtp, tmp_path)
    first = run_cli("alerts", db=sample_store_copy, config=config_path, env=env)
    assert first.returncode == 0, first.stderr

    # The teams: recipient: one valid Adaptive Card (1.4) per alerted target, with the three links.
    cards = workflow.cards()
    assert cards and len(cards) == len(smtp.messages)
    for card in cards:
        valid(card)
        assert [a["title"] for a in card["actions"]] == ["Kvittér", "Udsæt 30 dage", "Vis udvikling"]
        assert all(a["url"].startswith(f"{PUBLIC}/link/") for a in card["actions"])

    # The email recipient: a real mail over SMTP with the same three links, clickable in the HTML part.
    mail = next(m for m in smtp.messages if "sygedagpenge" in m["Subject"].lower())
    assert mail["To"] == MANAGER
    html = mail.get_body(("html",)).get_content()
    plain = mail.get_body(("plain",)).get_content()
    kvitter = plain.split("»Kvittér«: ", 1)[1].split()[0]
    forged_from = plain.split("»Udsæt 30 dage«: ", 1)[1].split()[0]
    assert f'<a href="{kvitter}">' in html and kvitter.startswith(f"{PUBLIC}/link/")

    # The service's link listener, wired as `faktabot run` wires it.
    settings = load_settings({"FAKTABOT_DB": str(sample_store_copy), **env}, dotenv=None)
    config = load_config(config_path)
    server = web.link_server(link_handler(settings, config), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def states() -> dict:
        with Store(sample_store_copy) as store:
            return Ledger(store.db).states()

    try:
        before = states()
        # A forged link (a token with its signature changed) and an unsigned one change nothing.
        token = kvitter.rsplit("/", 1)[1]
        payload, mac = token.split(".")
        forged = f"{base}/link/{payload}.{mac[::-1]}"
        for url in (forged, f"{base}/link/{payload}", f"{base}/link/{forged_from.rsplit('/', 1)[1][:-3]}abc"):
            assert httpx.post(url, data={"note": "Forfalsket"}).status_code == 403
        assert states() == before

        # Click »Kvittér«: the page changes nothing; confirming acknowledges, as the Slack button does.
        url = base + kvitter.removeprefix(PUBLIC)
        assert httpx.get(url).status_code == 200 and states() == before
        confirmed = httpx.post(url, data={"note": "Handleplan på vej", "name": "Mette Holm"})
        assert confirmed.status_code == 200
        after = states()["sygedagpenge"]
        assert after.ack is not None and after.ack.note == "Handleplan på vej"
        assert after.ack.status == before["sygedagpenge"].status
        assert {t: s for t, s in states().items() if t != "sygedagpenge"} == \
            {t: s for t, s in before.items() if t != "sygedagpenge"}  # nothing else moved
        # The Slack button's path (watch.acknowledge at the same moment) gives the same state.
        twin = tmp_path / "twin.db"
        twin.write_bytes(Path(sample_store_copy).read_bytes())
        with Store(twin) as store:
            ledger = Ledger(store.db)
            ledger.save_states([before["sygedagpenge"]])
            slack = watch.acknowledge(store, ledger, config, "sygedagpenge", "Handleplan på vej", after.ack.at)
        assert (slack.ack.note, slack.ack.status, slack.status) == (after.ack.note, after.ack.status, after.status)

        # The same link again: refused, and the acknowledgement stays as it was.
        reused = httpx.post(url, data={"note": "Noget andet"})
        assert reused.status_code == 410 and states()["sygedagpenge"] == after
    finally:
        server.shutdown()
        server.server_close()

    # A restart: a new process runs the alerts again and sends nothing twice, on either channel.
    posted, mailed = len(workflow.posted), len(smtp.messages)
    second = run_cli("alerts", db=sample_store_copy, config=config_path, env=env)
    assert second.returncode == 0, second.stderr
    assert (len(workflow.posted), len(smtp.messages)) == (posted, mailed)
    with Store(sample_store_copy) as store:
        rows = Ledger(store.db).deliveries()
    assert len({(d.key, d.recipient) for d in rows}) == len(rows) == posted + mailed
    assert all(d.status == "sent" for d in rows)
    assert timedelta(0) <= clock.now() - after.ack.at < timedelta(minutes=10)
