"""`faktabot targets` and `faktabot alerts` as a new user meets them, on a store made by `faktabot init`."""
from __future__ import annotations

import email
import email.policy
import json
import sqlite3

from tests.conftest import REPO, run_cli

FIGURES_STATES = {"ungeledighed": "breached", "sygedagpenge": "breached", "fleksjob": "ok",
                  "samtalehyppighed": "breached"}


def test_targets_json_shows_the_four_named_targets_with_reasons_and_forecasts(sample_store_path):
    result = run_cli("targets", "--json", db=sample_store_path)
    assert result.returncode == 0, result.stderr
    targets = {t["target"]: t for t in json.loads(result.stdout)}
    assert {k: v["status"] for k, v in targets.items()} == FIGURES_STATES
    for entry in targets.values():
        assert {"target", "indicator", "area", "status", "period", "actual", "expected", "reason",
                "forecast"} <= set(entry)
        assert entry["area"] == {"code": "151", "name": "Ballerup"} and entry["sample_data"] is True
        assert entry["reason"].endswith(".") and entry["actual"] is not None and entry["expected"] is not None

    syg = targets["sygedagpenge"]
    assert (syg["period"], syg["actual"], syg["expected"]) == ("2026-Q2", 1222.0, 1070.0)
    assert syg["reason"] == ("Sygedagpenge mv. i Ballerup: 1.222 personer i 2. kvt. 2026; målstien er 1.070 – "
                             "14,2 pct. over, bagud hvert kvartal siden 4. kvt. 2024.")
    assert syg["reason_data"]["code"] == "behind" and syg["reason_data"]["periods"] == 7
    assert syg["forecast"]["period"] == "2026-Q4" and syg["forecast"]["outcome"] == "missed"
    assert syg["forecast"]["low"] > 1050 and "mod målet 1.050" in syg["forecast"]["text"]

    unge = targets["ungeledighed"]
    assert unge["reason"].startswith("Ungeledigheden i Ballerup: 7,7 pct. i juli 2026; loftet er 7,0 pct.")
    assert unge["forecast"]["outcome"] == "missed"

    fleks = targets["fleksjob"]
    assert fleks["actual"] >= fleks["expected"] and "på sporet" in fleks["reason"]
    assert fleks["forecast"]["outcome"] == "met"

    samtaler = targets["samtalehyppighed"]
    assert "under landsniveauet" in samtaler["reason"] and samtaler["forecast"] is None
    assert samtaler["actual"] < samtaler["expected"] == samtaler["reason_data"]["compare_value"]


def _body(path) -> str:
    """An outbox file's text: a Slack message as is, an .eml file's plain-text part."""
    if path.suffix == ".eml":
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        return message.get_body(("plain",)).get_content()
    return path.read_text(encoding="utf-8")


def test_alerts_deliver_each_transition_once_and_are_silent_the_second_time(sample_store_copy, tmp_path):
    env = {"FAKTABOT_OUTBOX": str(tmp_path / "outbox")}
    first = run_cli("alerts", db=sample_store_copy, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("Bagud: ") == 3 and "Sendt: 6 beskeder om 3 mål" in first.stdout
    files = sorted((tmp_path / "outbox").iterdir())
    assert len(files) == 6 and all("Eksempeldata" in _body(f) for f in files)
    assert sum(f.suffix == ".eml" for f in files) == 3  # the email recipients get real emails
    conn = sqlite3.connect(sample_store_copy)
    rows = conn.execute("SELECT target, kind, recipient, status, channel FROM deliveries ORDER BY id").fetchall()
    assert len(rows) == 6 and {r[3] for r in rows} == {"sent"} and {r[4] for r in rows} == {"outbox"}
    assert {r[0] for r in rows} == {"ungeledighed", "sygedagpenge", "samtalehyppighed"}

    second = run_cli("alerts", db=sample_store_copy, env=env)
    assert second.returncode == 0, second.stderr
    assert "Ingen nye beskeder" in second.stdout and "Bagud" not in second.stdout
    assert conn.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 6
    assert len(list((tmp_path / "outbox").iterdir())) == 6
    conn.close()


def test_acknowledge_and_snooze_from_the_command_line(sample_store_copy, tmp_path):
    env = {"FAKTABOT_OUTBOX": str(tmp_path / "outbox")}
    ack = run_cli("alerts", "--ack", "sygedagpenge", "--note", "Handleplan i udvalget 3. dec.", db=sample_store_copy,
                  env=env)
    assert ack.returncode == 0, ack.stderr
    assert ack.stdout.startswith("Kvitteret for »Færre på sygedagpenge (målsti)«: »Handleplan i udvalget 3. dec.«")
    snooze = run_cli("alerts", "--snooze", "ungeledighed", "--until", "2099-01-15", db=sample_store_copy, env=env)
    assert snooze.returncode == 0, snooze.stderr
    assert "er sat på pause til 15. jan. 2099" in snooze.stdout
    board = run_cli("targets", db=sample_store_copy)
    assert board.stdout.startswith("Udvalgets mål pr. ") and "Fremskrevet når I" in board.stdout
    assert board.stdout.count("(eksempeldata)") == 4 and "ikke officielle tal" in board.stdout
    assert "Kvitteret " in board.stdout and "»Handleplan i udvalget 3. dec.«" in board.stdout
    assert "Beskeder sat på pause til 15. jan. 2099." in board.stdout
    # What the ack and the snooze do to the next run is tested in-process (test_alerts.py).


def test_a_broken_target_says_exactly_what_to_fix_and_nothing_is_evaluated(sample_store_copy, tmp_path):
    broken = tmp_path / "faktabot.toml"
    text = (REPO / "faktabot.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace('indicator = "sygedagpenge"', 'indicator = "sygedagpenne"'), encoding="utf-8")
    line = text.splitlines().index('id = "sygedagpenge"')  # 0-based id line = 1-based [[targets]] line
    env = {"FAKTABOT_OUTBOX": str(tmp_path / "outbox")}
    result = run_cli("alerts", db=sample_store_copy, config=broken, env=env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (f"faktabot: {broken}, linje {line}, mål 'sygedagpenge': ukendt indikator "
                             "'sygedagpenne'; mente du 'sygedagpenge'?\n")
    assert not (tmp_path / "outbox").exists()
    conn = sqlite3.connect(sample_store_copy)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "alert_states" not in tables or conn.execute("SELECT count(*) FROM alert_states").fetchone()[0] == 0
    conn.close()


def test_the_terminal_preview_is_plain_text_with_the_operators_command(sample_store_copy, tmp_path):
    """`faktabot alerts` prints each notice once for the operator: no Slack markup or emoji codes,
    and in place of the managers' button or links, the command that acknowledges it here."""
    result = run_cli("alerts", db=sample_store_copy, env={"FAKTABOT_OUTBOX": str(tmp_path / "outbox")})
    assert result.returncode == 0, result.stderr
    notices = result.stdout.split("Til: ")[1:]
    assert len(notices) == 3
    for block in notices:
        assert "*" not in block and ":warning:" not in block and ":red_circle:" not in block
        assert "knappen »Kvittér…« herunder" not in block
    assert 'faktabot alerts --ack sygedagpenge --note "hvad der gøres"' in result.stdout


def test_mails_waiting_for_a_retry_are_named_by_the_preview_status_and_the_run(sample_store_copy, tmp_path, smtp):
    # After an SMTP outage the preview said »Ingen beskeder er klar til at blive sendt« and `status`
    # said nothing, though the next `faktabot alerts` sends the three breach mails.
    down = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "1", "SMTP_SECURITY": "none", "MAIL_FROM": "faktabot@example.org",
            "FAKTABOT_OUTBOX": str(tmp_path / "outbox")}
    assert run_cli("alerts", db=sample_store_copy, env=down).returncode == 1
    preview = run_cli("alerts", "--dry-run", db=sample_store_copy, env=down).stdout
    assert "Prøvekørsel – intet er sendt eller gemt. Ingen nye beskeder." in preview
    assert "3 beskeder, der ikke kom ud før, sendes igen ved en rigtig kørsel:" in preview
    assert ("  »Faktabot: Bagud – Færre på sygedagpenge (målsti), Ballerup (eksempeldata)« til "
            "sygedagpenge-teamleder@example.org – SMTP 127.0.0.1:1 kan ikke nås (") in preview
    status = run_cli("status", db=sample_store_copy, env=down).stdout
    assert status.count("Besked venter på at blive sendt igen: ") == 3
    assert "til jobcenterchef@example.org – SMTP 127.0.0.1:1 kan ikke nås (" in status and "(forsøg 1 af 5)." in status
    # SMTP is back: the run says what it sent (it said »Sendt: 3 beskeder – lagt i email.«).
    again = run_cli("alerts", db=sample_store_copy, env={**down, "SMTP_PORT": str(smtp.port)})
    assert again.returncode == 0 and len(smtp.messages) == 3
    assert again.stdout.strip() == "Sendt: 3 beskeder, der ikke kom ud før – med e-mail."
