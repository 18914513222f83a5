"""Operating Faktabot (issue 17): config that fails loudly, the schedule guard, settings from files,
`status --json/--check`, `/health`, backups and restores with the service running, log lines."""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import TIMEZONE
from bot.config import Config
from bot.service import ServiceError
from bot.service.health import Heartbeat, assess, longest_gap
from bot.service.lock import InstanceLock
from bot.service.scheduler import fire_hours, refresh_intervals, schedule
from bot.settings import FIELD_OF, NAMES, SettingsError, load_settings
from indicators.store import NotAStore, Store, restore
from tests.conftest import REPO, run_cli

# --- the schedule guard ------------------------------------------------------------------------

@pytest.mark.parametrize("expression", ["30 1-3 * * *", "0 */2 * * *", "15 0-4/2 * * mon", "0 1,2 * * *"])
def test_a_schedule_whose_hours_expand_into_the_dst_hour_is_refused(expression):
    with pytest.raises(ServiceError, match="mellem 02:00 og 03:00"):
        schedule(Config(schedule={"summary": expression}))


@pytest.mark.parametrize("expression", ["30 1,3 * * *", "0 0-23/5 * * *", "45 6 * * mon-fri"])
def test_a_schedule_that_skips_the_dst_hour_is_accepted(expression):
    assert 2 not in fire_hours(schedule(Config(schedule={"summary": expression}))["summary"])


@pytest.mark.parametrize(("expression", "says"), [
    ("0 7 * *", "linjen har 4 felter, men en cron-linje har 5"),
    ("07:00", "linjen har 1 felter"),
    ("0 25 * * *", "timen '25' er ikke en time fra 0 til 23"),
    ("61 7 * * *", "minuttet '61'"),
    ("0 7 * 13 *", "måneden '13'"),
    ("0 7 * * man-fre", "ugedage skrives på engelsk: mon, tue, wed, thu, fri, sat, sun")])
def test_a_schedule_that_is_not_cron_is_explained_in_danish(expression, says):
    """APScheduler's own words (»Wrong number of fields«, »Invalid weekday name«) are English; the
    operator is told in Danish which field is wrong (and that weekdays are English: »man-fre«)."""
    with pytest.raises(ServiceError) as refused:
        schedule(Config(schedule={"summary": expression}))
    assert says in str(refused.value)
    assert not re.search(r"Wrong|Invalid|Error|value|expected", str(refused.value))


def test_a_weekday_schedule_allows_a_weekend_between_refreshes():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=TIMEZONE)
    assert refresh_intervals(Config(), now, ["statbank"]) == {"statbank": timedelta(days=3)}
    assert longest_gap([]) == timedelta(days=1)


# --- configuration and settings ----------------------------------------------------------------

def test_a_config_path_that_does_not_exist_is_an_error_naming_it(sample_store_path, tmp_path):
    result = run_cli("targets", db=sample_store_path, config=tmp_path / "nowhere.toml")
    assert result.returncode == 1
    assert str(tmp_path / "nowhere.toml") in result.stderr and "Traceback" not in result.stderr


def test_without_a_config_the_built_in_example_is_used_and_announced(sample_store_path, tmp_path):
    result = run_cli("targets", "--json", db=sample_store_path, env={"FAKTABOT_CONFIG": ""}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "indbyggede eksempel" in result.stderr and "faktabot.example.toml" in result.stderr
    assert len(json.loads(result.stdout)) == 4  # the example's targets, and stdout stays pure JSON


def test_config_check_prints_the_effective_configuration_without_secrets(sample_store_path):
    secrets = {"SLACK_BOT_TOKEN": "xoxb-very-secret", "SLACK_SIGNING_SECRET": "sign-very-secret",
               "JOBINDSATS_TOKEN": "jobindsats-very-secret"}
    result = run_cli("config", "--check", db=sample_store_path, env=secrets)
    assert result.returncode == 0, result.stderr
    assert "[municipality]" in result.stdout and "refresh_statbank = '45 6 * * mon-fri'" in result.stdout
    assert "ungeledighed" in result.stdout
    assert not any(value in result.stdout + result.stderr for value in secrets.values())
    assert "SLACK_BOT_TOKEN=**** (sat, skjult)" in result.stdout and "JOBINDSATS_TOKEN=**** (sat, skjult)" in result.stdout
    assert "SMTP_PASSWORD=-" in result.stdout  # the operator's names, not ours
    assert "slack_bot_token" not in result.stdout and "db_path" not in result.stdout
    assert "FAKTABOT_IMAP_ALLOW=-" in result.stdout  # not Python's »()«


def test_config_check_lists_as_imports_only_the_sections_the_file_has(sample_store_path, tmp_path):
    """Every shipped file format was listed as »# [imports.samtaler] -> samtaler«, as if faktabot.toml
    had such a section, and a section of the file's own beside it showed the same line twice."""
    config = tmp_path / "faktabot.toml"
    config.write_text('[imports.fasit]\nindicator = "samtaler"\narea = "Ballerup"\n'
                      'columns = { period = "Periode", value = "Antal", gruppe = "Gruppe" }\n', encoding="utf-8")
    result = run_cli("config", "--check", db=sample_store_path, config=config)
    assert result.returncode == 0, result.stderr
    assert re.findall(r"# \[imports\.(\w+)\]", result.stdout) == ["fasit"]
    assert "# Filformater, der følger med (kolonnerne: faktabot files template ID): afgangsrate, " in result.stdout


def test_config_check_shows_a_list_setting_as_it_is_written(sample_store_path):
    env = {"FAKTABOT_IMAP_HOST": "imap.kommune.dk", "FAKTABOT_IMAP_USER": "faktabot",
           "FAKTABOT_IMAP_PASSWORD": "Kodeord", "FAKTABOT_IMAP_ALLOW": "@Kommune.dk; direktor@nabo.dk"}
    result = run_cli("config", "--check", db=sample_store_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "  FAKTABOT_IMAP_ALLOW=@kommune.dk,direktor@nabo.dk\n" in result.stdout
    assert "('" not in result.stdout and "['" not in result.stdout.split("Indstillinger fra miljøet")[1]


def test_config_check_names_a_variable_for_every_setting_read_from_the_environment():
    from dataclasses import fields

    from bot.settings import FIELD_OF, Settings
    derived = {"under_systemd", "config_chosen"}  # JOURNAL_STREAM is systemd's; FAKTABOT_CONFIG's mere presence
    assert set(FIELD_OF.values()) == {f.name for f in fields(Settings)} - derived


def test_config_check_refuses_a_schedule_in_the_dst_hour(sample_store_path, tmp_path):
    config = tmp_path / "faktabot.toml"
    config.write_text('[schedule]\nsummary = "30 1-3 * * *"\n', encoding="utf-8")
    result = run_cli("config", "--check", db=sample_store_path, config=config)
    assert result.returncode == 1 and "02:00" in result.stderr


@pytest.mark.parametrize(("line", "says"), [
    ('summary = "30 1-3 * * *"', "summary = '30 1-3 * * *' kører mellem 02:00 og 03:00"),
    ('summary = "0 25 * * *"', "summary = '0 25 * * *': timen '25' er ikke en time fra 0 til 23"),
])
def test_a_schedule_error_names_the_file_in_use_and_the_line(sample_store_path, tmp_path, line, says):
    """They said »faktabot.toml [schedule] …« whatever FAKTABOT_CONFIG named, and no line."""
    config = tmp_path / "t5.toml"
    config.write_text(f'# prøve\n\n[schedule]\nfactsheet = "15 7 * * *"\n{line}\n', encoding="utf-8")
    for command in (("config", "--check"), ("status", "--check")):
        result = run_cli(*command, db=sample_store_path, config=config)
        out = result.stdout + result.stderr
        assert f"{config}, linje 5, [schedule] {says}" in out, out
        assert "faktabot.toml" not in out


def test_any_setting_may_come_from_a_file(tmp_path):
    (tmp_path / "token").write_text("from-a-file\n", encoding="utf-8")
    settings = load_settings({"JOBINDSATS_TOKEN_FILE": str(tmp_path / "token")}, dotenv=None)
    assert settings.jobindsats_token == "from-a-file"
    with pytest.raises(SettingsError, match="SMTP_PASSWORD_FILE"):
        load_settings({"SMTP_PASSWORD_FILE": str(tmp_path / "missing")}, dotenv=None)
    with pytest.raises(SettingsError, match="både JOBINDSATS_TOKEN og JOBINDSATS_TOKEN_FILE"):
        load_settings({"JOBINDSATS_TOKEN": "x", "JOBINDSATS_TOKEN_FILE": str(tmp_path / "token")}, dotenv=None)


def test_every_setting_read_is_a_named_setting_so_it_may_come_from_a_file(tmp_path):
    # FAKTABOT_INBOX was read but not in NAMES: FAKTABOT_INBOX_FILE was ignored, .env.example lacked it.
    assert set(FIELD_OF) - {"TEAMS_WEBHOOK_*"} <= set(NAMES)
    (tmp_path / "inbox").write_text("/srv/faktabot/indbakke\n", encoding="utf-8")
    settings = load_settings({"FAKTABOT_INBOX_FILE": str(tmp_path / "inbox")}, dotenv=None)
    assert settings.inbox == Path("/srv/faktabot/indbakke")


@pytest.mark.parametrize(("name", "value", "says"), [
    ("PORT", "0", "PORT=0 er ikke et portnummer; skriv et tal fra 1 til 65535"),
    ("HEALTH_PORT", "99999", "HEALTH_PORT=99999 er ikke et portnummer"),
    ("SMTP_PORT", "-1", "SMTP_PORT=-1 er ikke et portnummer"),
    ("FAKTABOT_IMAP_PORT", "70000", "FAKTABOT_IMAP_PORT=70000 er ikke et portnummer"),
    ("FAKTABOT_MAX_IMPORT_MB", "0", "FAKTABOT_MAX_IMPORT_MB=0 skal være et antal MB over 0 (standard 50)"),
    ("FAKTABOT_MAX_IMPORT_MB", "-5", "FAKTABOT_MAX_IMPORT_MB=-5 skal være et antal MB over 0"),
    ("STATBANK_API_URL", "api.statbank.dk/v1",
     "STATBANK_API_URL='api.statbank.dk/v1' er ikke en webadresse; skriv den med http:// eller https:// foran"),
    ("JOBINDSATS_API_URL", "ftp://api.jobindsats.dk/v3/", "JOBINDSATS_API_URL='ftp://api.jobindsats.dk/v3/' er ikke"),
    ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL='slack.com/api' er ikke en webadresse"),
])
def test_a_setting_out_of_range_is_refused_naming_it_and_what_to_write(name, value, says):
    """A port past 65535 failed only when the service bound it, MB 0 quietly meant 50, and a source
    address without http(s):// made `refresh` retry each table until it gave up (72 s for StatBank)."""
    with pytest.raises(SettingsError) as refused:
        load_settings({name: value}, dotenv=None)
    assert says in str(refused.value)


@pytest.mark.parametrize("name", ["JOBINDSATS_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"])
def test_a_token_pasted_with_quotes_or_a_space_is_refused_without_showing_it(name):
    for token in ("“s3cr3t-token”", "s3cr3t token", "s3cr3t-tøken"):
        with pytest.raises(SettingsError) as refused:
            load_settings({name: token, "SLACK_SIGNING_SECRET": "x"}, dotenv=None)
        assert f"{name} indeholder et tegn, et token ikke kan have" in str(refused.value)
        assert "s3cr3t" not in str(refused.value)


@pytest.mark.parametrize("env, says", [
    ({"SLACK_BOT_TOKEN": "xapp-1-A0FAKTABOT-1-s3cr3t"},
     "SLACK_BOT_TOKEN skal være appens Bot User OAuth Token (xoxb-…), men er et app-niveau-token (xapp-)"),
    ({"SLACK_BOT_TOKEN": "xoxp-s3cr3t", "SLACK_SIGNING_SECRET": "x"},
     "SLACK_BOT_TOKEN skal være appens Bot User OAuth Token (xoxb-…), men er et bruger-token (xoxp-)"),
    ({"SLACK_BOT_TOKEN": "xoxb-s3cr3t", "SLACK_APP_TOKEN": "xoxb-s3cr3t-2"},
     "SLACK_APP_TOKEN skal være appens App-Level Token (xapp-…), men er et bot-token (xoxb-)"),
    ({"SLACK_APP_TOKEN": "xapp-1-A0FAKTABOT-1-s3cr3t"},
     "SLACK_APP_TOKEN er sat, men SLACK_BOT_TOKEN er ikke, så Faktabot ville køre uden Slack; sæt"),
    ({"SLACK_BOT_TOKEN": "xoxb-s3cr3t"}, "eller SLACK_SIGNING_SECRET (HTTP-tilstand) er sat; sæt den ene"),
])
def test_a_slack_token_of_the_wrong_kind_or_missing_is_refused_saying_which_to_set(env, says):
    """A user or app-level token as the bot token was accepted and failed only when the service
    connected; an app token without a bot token quietly meant local mode."""
    with pytest.raises(SettingsError) as refused:
        load_settings(env, dotenv=None)
    assert says in str(refused.value) and "s3cr3t" not in str(refused.value)


@pytest.mark.parametrize("sender", ["faktabot", "faktabot@", "Faktabot <faktabot>"])
def test_a_mail_from_that_is_no_address_is_refused_at_start(sender):
    """»MAIL_FROM=faktabot« was accepted; the mail server then refused every message's sender."""
    with pytest.raises(SettingsError) as refused:
        load_settings({"SMTP_HOST": "mail.kommune.dk", "MAIL_FROM": sender}, dotenv=None)
    assert f"MAIL_FROM={sender!r} er ikke en e-mailadresse" in str(refused.value)


@pytest.mark.parametrize("sender", ["faktabot@kommune.dk", "Faktabot <faktabot@kommune.dk>", '"Faktabot, Ballerup" <fb@x.dk>'])
def test_a_mail_from_with_or_without_a_display_name_is_accepted(sender):
    assert load_settings({"SMTP_HOST": "mail.kommune.dk", "MAIL_FROM": sender}, dotenv=None).mail_from == sender


def test_slack_tokens_of_the_right_kinds_are_accepted():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-A0-1-abc"}, dotenv=None)
    assert settings.socket_mode


@pytest.mark.parametrize("name", ["SMTP_PASSWORD", "FAKTABOT_IMAP_PASSWORD", "SMTP_USER"])
def test_a_login_smtplib_and_imaplib_cannot_send_is_refused_at_start_without_showing_it(name):
    # Both libraries encode a login as ASCII: »Kodeord-æøå« raised UnicodeEncodeError at every send or poll.
    env = {"SMTP_HOST": "mail.kommune.dk", "MAIL_FROM": "faktabot@kommune.dk", "SMTP_USER": "faktabot",
           "SMTP_PASSWORD": "Kodeord", "FAKTABOT_IMAP_HOST": "imap.kommune.dk", "FAKTABOT_IMAP_USER": "faktabot",
           "FAKTABOT_IMAP_PASSWORD": "Kodeord", "FAKTABOT_IMAP_ALLOW": "@kommune.dk"}
    load_settings(env, dotenv=None)
    with pytest.raises(SettingsError) as refused:
        load_settings({**env, name: "Hemmeligt-æøå"}, dotenv=None)
    assert f"{name} indeholder et tegn uden for ASCII" in str(refused.value)
    assert "Hemmeligt" not in str(refused.value)


def test_refresh_with_a_token_holding_quotes_is_one_line_not_a_traceback(sample_store_copy):
    # The quotes went into the Authorization header: httpx's UnicodeEncodeError, a traceback.
    result = run_cli("refresh", "--source", "jobindsats", db=sample_store_copy,
                     env={"JOBINDSATS_TOKEN": "“s3cr3t-token”", "JOBINDSATS_API_URL": "http://127.0.0.1:9/v3/"})
    assert result.returncode == 1 and "Traceback" not in result.stderr and "s3cr3t" not in result.stderr
    assert "JOBINDSATS_TOKEN indeholder et tegn" in result.stderr


def test_a_dotenv_line_that_cannot_be_read_or_a_misspelt_setting_stops_naming_it(tmp_path):
    """A token line with an unclosed quote was dropped with python-dotenv's English warning and no
    file named; JOBINDSATS_TOKN was ignored. Both left the token unset without a word."""
    dotenv = tmp_path / ".env"
    dotenv.write_text('JOBINDSATS_TOKEN="s3cr3t\nSMTP_HOST=mail.kommune.dk\nMAIL_FROM=faktabot@kommune.dk\n',
                      encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(None, dotenv=dotenv)
    assert f"{dotenv}, linje 1 (JOBINDSATS_TOKEN) kan ikke læses; skriv den som NAVN=værdi" in str(refused.value)
    assert "s3cr3t" not in str(refused.value)
    dotenv.write_text("JOBINDSATS_TOKN=s3cr3t\nSMTP_HOTS=mail.kommune.dk\n", encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings(None, dotenv=dotenv)
    said = str(refused.value)
    assert f"JOBINDSATS_TOKN i {dotenv} er ikke en indstilling, Faktabot kender; mente du JOBINDSATS_TOKEN?" in said
    assert "SMTP_HOTS" in said and "mente du SMTP_HOST?" in said and "s3cr3t" not in said
    with pytest.raises(SettingsError, match="FAKTABOT_MAX_IMPORT_M er ikke en indstilling.*mente du FAKTABOT_MAX_IMPORT_MB"):
        load_settings({"FAKTABOT_MAX_IMPORT_M": "80"}, dotenv=None)
    # Other programs' variables in the environment, and Teams recipients, are no business of this check.
    load_settings({"SLACK_WEBHOOK_URL": "https://hooks.example", "SMTP_RELAY": "x",
                   "TEAMS_WEBHOOK_LEDELSE": "https://example.webhook.office.com/x"}, dotenv=None)


def test_a_misspelt_setting_in_dotenv_stops_a_command_in_one_line(sample_store_path, tmp_path):
    (tmp_path / ".env").write_text("FAKTABOT_OUTBOKS=/srv/faktabot/udbakke\n", encoding="utf-8")
    result = run_cli("status", db=sample_store_path, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("FAKTABOT_OUTBOKS") == 1
    assert "FAKTABOT_OUTBOKS i .env er ikke en indstilling, Faktabot kender; mente du FAKTABOT_OUTBOX?" in result.stderr


def test_a_source_address_without_http_stops_refresh_at_once_naming_the_setting(sample_store_copy):
    started = time.monotonic()
    result = run_cli("refresh", "--source", "statbank", db=sample_store_copy, env={"STATBANK_API_URL": "notaurl"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "STATBANK_API_URL='notaurl' er ikke en webadresse" in result.stderr
    assert time.monotonic() - started < 20


def test_version_and_help_with_an_example_per_command():
    result = subprocess.run([sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and re.fullmatch(r"faktabot \S+\n", result.stdout)
    for command in ("ask", "status", "backup", "restore", "config", "targets", "refresh"):
        shown = subprocess.run([sys.executable, "-m", "bot", command, "--help"], capture_output=True, text=True,
                               cwd=REPO).stdout
        assert "Eksempel: faktabot " + command in shown, command


# --- health without a running service ----------------------------------------------------------

def test_status_check_is_critical_with_the_service_stopped(sample_store_copy):
    result = run_cli("status", "--check", db=sample_store_copy)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.startswith("FAKTABOT CRITICAL - tjenesten kører ikke") and result.stdout.count("\n") == 1


def test_init_in_a_folder_that_does_not_exist_says_so_in_danish(tmp_path):
    """It said »kan ikke oprette databasen i … (No such file or directory)«."""
    result = run_cli("init", db=tmp_path / "mangler" / "store.db")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"kan ikke oprette databasen i {tmp_path / 'mangler' / 'store.db'} (mappen {tmp_path / 'mangler'} findes ikke)" \
        in result.stderr, result.stderr
    assert "No such file" not in result.stderr


def test_status_check_counts_unsent_messages_without_a_wrong_plural():
    """»1 beskeder er ikke sendt«: the count now stands where Danish needs no plural of its own."""
    from bot.cli.operations import status_line
    from bot.service.health import Finding, Report

    report = Report(level=1, running=True, pid="1", heartbeat=None, store_ok=True, failed_deliveries=1,
                    findings=[Finding(1, "delivery_failed", "deliveries", "1")])
    assert status_line(report) == ("FAKTABOT WARNING - beskeder, der ikke er sendt: 1 – se faktabot status"
                                   " | failed_deliveries=1 waiting_deliveries=0")


def test_status_check_with_settings_or_config_the_service_cannot_start_with_is_critical(sample_store_copy, tmp_path):
    # They exited 1, which a Nagios or Zabbix check reads as a warning, while `run` refuses to start.
    bad = run_cli("status", "--check", db=sample_store_copy, env={"HEALTH_PORT": "99999"})
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stdout.startswith("FAKTABOT CRITICAL - tjenesten kan ikke starte: indstillinger: ")
    assert "HEALTH_PORT=99999 er ikke et portnummer" in bad.stdout
    broken = tmp_path / "faktabot.toml"
    broken.write_text("[municipality\n", encoding="utf-8")
    result = run_cli("status", "--check", db=sample_store_copy, config=broken)
    assert result.returncode == 2 and result.stdout.startswith("FAKTABOT CRITICAL - ") and str(broken) in result.stdout
    plain = run_cli("status", db=sample_store_copy, env={"HEALTH_PORT": "99999"})
    assert plain.returncode == 1 and plain.stdout == ""


def test_status_check_names_a_schedule_the_service_cannot_start_with(sample_store_copy, tmp_path):
    """A schedule `faktabot run` refuses was left out of `--check` (»a broken schedule is reported by
    config --check«): a running service kept its old one and the monitor stayed quiet until a restart failed."""
    config = tmp_path / "faktabot.toml"
    config.write_text((REPO / "faktabot.toml").read_text(encoding="utf-8").replace(
        'refresh_statbank = "45 6 * * mon-fri"', 'refresh_statbank = "45 25 * * mon-fri"'), encoding="utf-8")
    result = run_cli("status", "--check", db=sample_store_copy, config=config)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stdout.startswith("FAKTABOT CRITICAL - tjenesten kan ikke starte: ")
    assert "refresh_statbank = '45 25 * * mon-fri': timen '25' er ikke en time fra 0 til 23" in result.stdout
    report = json.loads(run_cli("status", "--json", db=sample_store_copy, config=config).stdout)
    assert report["level"] == 2 and report["findings"][0]["code"] == "unusable"


@pytest.mark.parametrize("where", ["no-such-folder/faktabot.log", "."])
def test_a_log_file_that_cannot_be_written_stops_run_with_one_line_not_a_traceback(sample_store_copy, tmp_path, where):
    log_file = tmp_path / where
    result = run_cli("run", db=sample_store_copy, env={"FAKTABOT_LOG": str(log_file)}, input="")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"faktabot: kan ikke skrive loggen i {log_file}" in result.stderr
    assert "tjenesten er ikke startet. Sæt FAKTABOT_LOG til en fil" in result.stderr


def test_an_inbox_that_is_a_file_stops_run_at_start_saying_so(sample_store_copy, tmp_path):
    """FAKTABOT_INBOX naming a file started the service, whose catch-up then failed at its first step
    (FileExistsError in the log) and so never evaluated the targets either."""
    inbox = tmp_path / "indbakke"
    inbox.write_text("not a folder", encoding="utf-8")
    env = {"FAKTABOT_INBOX": str(inbox), "FAKTABOT_OUTBOX": str(tmp_path / "outbox"),
           "STATBANK_API_URL": "http://127.0.0.1:9/v1/"}
    result = run_cli("run", db=sample_store_copy, env=env, input="")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"faktabot: kan ikke bruge indbakken {inbox} (File exists); tjenesten er ikke startet" in result.stderr


def test_a_late_heartbeat_or_an_unreadable_store_is_critical(sample_store_copy, tmp_path):
    now = datetime(2026, 11, 25, 12, 0, tzinfo=TIMEZONE)
    late = assess(sample_store_copy, now, running_pid="1", heartbeat=now - timedelta(minutes=10), intervals={})
    assert late.level == 2 and next(f.code for f in late.findings) == "heartbeat_late"
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    broken = assess(foreign, now, running_pid="1", heartbeat=now, intervals={})
    assert broken.level == 2 and not broken.store_ok


def test_no_refresh_for_twice_the_interval_is_critical_a_failed_one_a_warning(sample_store_copy):
    now = datetime(2026, 11, 25, 12, 0, tzinfo=TIMEZONE)
    with Store(sample_store_copy) as store:
        run = store.start_run("statbank", started_at=(now - timedelta(days=7)).isoformat())
        store.finish_run(run, status="ok")
    overdue = assess(sample_store_copy, now, running_pid="1", heartbeat=now, intervals={"statbank": timedelta(days=3)})
    assert overdue.level == 2 and "refresh_overdue" in [f.code for f in overdue.findings]
    with Store(sample_store_copy) as store:
        store.finish_run(store.start_run("statbank", started_at=now.isoformat()), status="ok")
        store.finish_run(store.start_run("statbank", started_at=(now + timedelta(minutes=1)).isoformat()),
                         status="failed", error="StatBank answered 503")
    failed = assess(sample_store_copy, now + timedelta(minutes=2), running_pid="1", heartbeat=now,
                    intervals={"statbank": timedelta(days=3)})
    assert failed.level == 1 and [f.code for f in failed.findings] == ["refresh_failed"]


def test_restore_refuses_a_foreign_or_empty_file_and_leaves_the_store(sample_store_copy, tmp_path):
    before = sample_store_copy.read_bytes()
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE customers (id)").connection.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path in (foreign, empty):
        with pytest.raises(NotAStore):
            restore(path, sample_store_copy)
        result = run_cli("restore", str(path), db=sample_store_copy)
        assert result.returncode == 1 and str(path) in result.stderr
    assert sample_store_copy.read_bytes() == before


def test_a_backup_is_readable_by_its_owner_only_as_the_store_is(sample_store_copy, tmp_path):
    # VACUUM INTO created it with the process umask: 0644 from a root cron job, beside a 0600 store.
    previous = os.umask(0o022)
    try:
        result = run_cli("backup", str(tmp_path / "store-2026-12-01.db"), db=sample_store_copy)
    finally:
        os.umask(previous)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "store-2026-12-01.db").stat().st_mode & 0o077 == 0


def test_a_damaged_or_foreign_backup_is_refused_as_a_backup_not_as_a_broken_store(sample_store_copy, tmp_path):
    """The refusal names the backup and says to choose another one; it never tells the operator to
    repair the live store (stop the service, `faktabot init`), which is untouched, nor names the scratch copy."""
    before = sample_store_copy.read_bytes()
    damaged = tmp_path / "store-2026-11-30.db"
    with Store(sample_store_copy) as live:
        live.backup(damaged)
    with open(damaged, "r+b") as handle:  # the header intact, pages in the middle overwritten
        handle.seek(handle.seek(0, os.SEEK_END) // 2)
        handle.write(b"\xff" * 4096 * 40)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path in (damaged, garbage, empty):
        result = run_cli("restore", str(path), db=sample_store_copy)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert str(path) in result.stderr and "sikkerhedskopi lavet med `faktabot backup`" in result.stderr
        assert ".restoring" not in result.stderr and "faktabot init" not in result.stderr
        assert "FAKTABOT_DB" not in result.stderr and "Stop tjenesten" not in result.stderr
    assert sample_store_copy.read_bytes() == before
    assert not list(sample_store_copy.parent.glob("*.restoring*"))


def test_a_refused_backup_is_told_in_danish_not_in_sqlites_english(sample_store_copy, tmp_path):
    """A cut-off copy and a file that is no database were refused with SQLite's own English words in
    the Danish sentence (»(database disk image is malformed)«, »(file is not a database)«)."""
    cut = tmp_path / "cut.db"
    with Store(sample_store_copy) as live:
        live.backup(tmp_path / "whole.db")
    cut.write_bytes((tmp_path / "whole.db").read_bytes()[:100_000])
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"hello\n" * 1000)
    for path, says in ((cut, "ufuldstændig eller ødelagt"), (garbage, "filen er ikke en SQLite-database")):
        result = run_cli("restore", str(path), db=sample_store_copy)
        assert result.returncode == 1 and says in result.stderr, result.stderr
        assert not re.search(r"malformed|not a database|disk image", result.stderr)
        assert "sikkerhedskopi lavet med `faktabot backup`" in result.stderr


def test_a_backup_over_an_existing_file_suggests_a_name_with_todays_date(sample_store_copy, tmp_path):
    """The suggestion was always »store-2026-11-30.db«, whatever the date."""
    (tmp_path / "nightly.db").write_bytes(b"")
    result = run_cli("backup", str(tmp_path / "nightly.db"), db=sample_store_copy)
    assert result.returncode == 1
    today = datetime.now().strftime("%Y-%m-%d")
    assert f"fx med dato og klokkeslæt: store-{today}-" in result.stderr, result.stderr


def test_a_health_port_in_use_stops_run_with_one_line_naming_health_port(sample_store_copy, tmp_path):
    # Another service's HEALTH_PORT (two stores on one server) ended `faktabot run` in an OSError traceback.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("run", db=sample_store_copy, env={"HEALTH_PORT": str(port), "HOST": "127.0.0.1",
                                                          "FAKTABOT_OUTBOX": str(tmp_path / "outbox"),
                                                          "STATBANK_API_URL": "http://127.0.0.1:9/v1/"})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"kan ikke lytte efter /health på 127.0.0.1 port {port}" in result.stderr and "HEALTH_PORT" in result.stderr


def test_the_lock_reports_its_holder_and_refuses_a_second(tmp_path):
    first, second = InstanceLock(tmp_path / "store.db"), InstanceLock(tmp_path / "store.db")
    assert first.holder() is None
    first.acquire()
    try:
        assert first.holder() == str(os.getpid())
        with pytest.raises(ServiceError, match="bruger allerede"):
            second.acquire()
    finally:
        first.release()
    assert second.holder() is None


# --- with the service running ------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(predicate, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_with_the_service_running_status_health_backup_and_restore(sample_store_copy, tmp_path):
    # Fresh data: StatBank refreshed a minute ago, so the catch-up does not refresh and nothing is stale.
    with Store(sample_store_copy) as store:
        store.finish_run(store.start_run("statbank"), status="ok")
    log, port = tmp_path / "faktabot.log", _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_", "JOBINDSATS_"))}
    env.update(FAKTABOT_DB=str(sample_store_copy), FAKTABOT_CONFIG=str(REPO / "faktabot.toml"),
               FAKTABOT_OUTBOX=str(tmp_path / "outbox"), FAKTABOT_LOG=str(log), HEALTH_PORT=str(port),
               STATBANK_API_URL="http://127.0.0.1:9/v1/")
    env.pop("JOURNAL_STREAM", None)
    service = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(lambda: log.exists() and "job catch_up:" in log.read_text(encoding="utf-8"))
        line = next(x for x in log.read_text(encoding="utf-8").splitlines() if "job catch_up:" in x)
        assert re.search(r"job catch_up: ok in \d+\.\d s", line), line

        checked = run_cli("status", "--check", db=sample_store_copy)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("FAKTABOT OK - tjenesten kører")
        report = json.loads(run_cli("status", "--json", db=sample_store_copy).stdout)
        assert report["running"] and report["status"] == "ok" and report["store_ok"]
        assert report["heartbeat"] and "statbank" in {s["source"] for s in report["sources"]}

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as answer:
            assert answer.status == 200
            health = json.loads(answer.read())
        assert health["running"] and health["status"] == "ok"

        copy = tmp_path / "backup.db"
        made = run_cli("backup", str(copy), db=sample_store_copy)
        assert made.returncode == 0, made.stderr
        with Store(copy) as backup, Store(sample_store_copy) as live:
            assert backup.count() == live.count() > 100_000
        assert run_cli("backup", str(copy), db=sample_store_copy).returncode == 1  # never overwrites

        with Store(sample_store_copy) as live:  # a change after the backup, which the restore undoes
            live.db.execute("DELETE FROM observations WHERE area = '151'")
            live.db.conn.commit()
        restored = run_cli("restore", str(copy), db=sample_store_copy)
        assert restored.returncode == 0, restored.stderr
        with Store(copy) as backup, Store(sample_store_copy) as live:
            assert live.count() == backup.count()
        assert service.poll() is None  # the service ran through it all
    finally:
        service.terminate()
        service.wait(timeout=60)
    assert service.returncode == 0  # SIGTERM: a clean stop
    assert Heartbeat(sample_store_copy).last() is None and not Heartbeat(sample_store_copy).path.exists()
    stopped = run_cli("status", "--check", db=sample_store_copy)
    assert stopped.returncode == 2 and "tjenesten kører ikke" in stopped.stdout, stopped.stdout


def test_config_check_says_the_example_is_in_force_where_no_faktabot_toml_is(sample_store_path, tmp_path):
    # It listed »FAKTABOT_CONFIG=faktabot.toml« among the settings in force, as if that file were read.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKTABOT_", "SLACK_", "SMTP_"))}
    env["FAKTABOT_DB"] = str(sample_store_path)
    result = subprocess.run([sys.executable, "-m", "bot", "config", "--check"], capture_output=True, text=True,
                            env={**env, "PYTHONPATH": str(REPO)}, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("  FAKTABOT_CONFIG=")]
    assert line == ("  FAKTABOT_CONFIG=faktabot.toml  # findes ikke – det indbyggede eksempel gælder: "
                    f"{REPO / 'bot' / 'faktabot.example.toml'}")
    # a file named and read is listed as it is
    named = run_cli("config", "--check", db=sample_store_path, config=REPO / "bot" / "faktabot.example.toml")
    assert f"  FAKTABOT_CONFIG={REPO / 'bot' / 'faktabot.example.toml'}\n" in named.stdout


def test_status_check_warns_of_a_message_waiting_for_a_retry_for_over_a_day(sample_store_copy):
    """Only given-up or stuck sends warned: an email failing at every run (SMTP down for days) kept
    `status --check` OK while it waited for its next try, attempt after attempt."""
    from bot.cli.operations import status_line
    from bot.delivery.ledger import Ledger

    now = datetime(2026, 11, 20, 9, 0, tzinfo=TIMEZONE)
    with Store(sample_store_copy) as store:
        ledger = Ledger(store.db)
        for recipient, queued in (("ledelse@example.org", now - timedelta(hours=30)),
                                  ("udvalg@example.org", now - timedelta(hours=2))):
            delivery = ledger.queue(key="summary:2026-10", target=None, kind="summary", recipient=recipient,
                                    subject="s", body="b", sample_data=False, now=queued)
            ledger.sending(delivery, "email", queued)
            ledger.failed(delivery, "SMTP kan ikke nås", False, queued)
    report = assess(sample_store_copy, now, running_pid="1", heartbeat=now, intervals={})
    assert report.level == 1 and report.failed_deliveries == 0 and report.waiting_deliveries == 2
    (waiting,) = [f for f in report.findings if f.code == "delivery_waiting"]
    assert "ledelse@example.org" in waiting.detail and "udvalg@example.org" not in waiting.detail
    assert status_line(report) == (
        "FAKTABOT WARNING - venter på nyt forsøg i over et døgn: ledelse@example.org (summary:2026-10)"
        " – se faktabot status | failed_deliveries=0 waiting_deliveries=2")
    fresh = assess(sample_store_copy, now - timedelta(hours=10), running_pid="1", heartbeat=now - timedelta(hours=10),
                   intervals={})
    assert fresh.level == 0 and fresh.waiting_deliveries == 2  # 20 hours: within a day, no warning
