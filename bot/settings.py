"""Settings: the environment (and `.env`) read once into one frozen object, at the edge.

Nothing else in Faktabot reads `os.environ`. Secrets are kept here and never logged: the
dataclass hides them from its repr.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values


class SettingsError(ValueError):
    """Every problem with the settings, in one message."""


SMTP_SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("store.db")
    config_path: Path = Path("faktabot.toml")
    outbox: Path = Path("outbox")
    inbox: Path = Path("inbox")  # municipality files to import (imported/, rejected/ inside)
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_team_id: str | None = None  # the only workspace the bot answers in
    host: str = "127.0.0.1"  # the HTTP listener's address; 0.0.0.0 listens on every interface
    port: int = 3000
    slack_api_url: str = "https://slack.com/api/"
    jobindsats_token: str | None = field(default=None, repr=False)
    jobindsats_api_url: str = "https://api.jobindsats.dk/v3/"
    statbank_api_url: str = "https://api.statbank.dk/v1/"
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_security: str = "starttls"
    mail_from: str | None = None

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_bot_token and self.slack_app_token)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)


def _int(env: Mapping[str, str], name: str, default: int | None, problems: list[str]) -> int | None:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        problems.append(f"{name}={raw!r} is not a whole number")
        return default


def load_settings(env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Build the settings from `env` (default: the process environment over `.env`)."""
    if env is None:
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.exists():
            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(os.environ)
        env = values
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    security = (text("SMTP_SECURITY") or "starttls").lower()
    if security not in SMTP_SECURITY:
        problems.append(f"SMTP_SECURITY={security!r} should be one of {', '.join(SMTP_SECURITY)}")
    smtp_host = text("SMTP_HOST")
    default_smtp_port = {"ssl": 465, "none": 25}.get(security, 587)
    settings = Settings(
        db_path=Path(text("FAKTABOT_DB") or "store.db"),
        config_path=Path(text("FAKTABOT_CONFIG") or "faktabot.toml"),
        outbox=Path(text("FAKTABOT_OUTBOX") or "outbox"),
        inbox=Path(text("FAKTABOT_INBOX") or "inbox"),
        slack_bot_token=text("SLACK_BOT_TOKEN"),
        slack_app_token=text("SLACK_APP_TOKEN"),
        slack_signing_secret=text("SLACK_SIGNING_SECRET"),
        slack_team_id=text("SLACK_TEAM_ID"),
        host=text("HOST") or "127.0.0.1",
        port=_int(env, "PORT", 3000, problems) or 3000,
        slack_api_url=_with_slash(text("SLACK_API_URL") or "https://slack.com/api/"),
        jobindsats_token=text("JOBINDSATS_TOKEN"),
        jobindsats_api_url=_with_slash(text("JOBINDSATS_API_URL") or "https://api.jobindsats.dk/v3/"),
        statbank_api_url=_with_slash(text("STATBANK_API_URL") or "https://api.statbank.dk/v1/"),
        smtp_host=smtp_host,
        smtp_port=_int(env, "SMTP_PORT", default_smtp_port, problems),
        smtp_user=text("SMTP_USER"),
        smtp_password=text("SMTP_PASSWORD"),
        smtp_security=security,
        mail_from=text("MAIL_FROM"),
    )
    if settings.slack_bot_token and not settings.slack_app_token and not settings.slack_signing_secret:
        problems.append(
            "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor "
            "SLACK_SIGNING_SECRET (HTTP mode) is"
        )
    if smtp_host and not settings.mail_from:
        problems.append("SMTP_HOST is set but MAIL_FROM is not; set the sender address")
    if settings.smtp_user and not settings.smtp_password:
        problems.append("SMTP_USER is set but SMTP_PASSWORD is not")
    if problems:
        raise SettingsError("settings: " + "; ".join(problems))
    return settings


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
