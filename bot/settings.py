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
TEAMS_PREFIX = "TEAMS_WEBHOOK_"
MIN_LINK_SECRET = 32


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("store.db")
    config_path: Path = Path("faktabot.toml")
    outbox: Path = Path("outbox")
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
    # Teams: a Power Automate Workflows webhook per `teams:<name>` recipient, by lower-case name.
    teams_webhooks: dict[str, str] = field(default_factory=dict, repr=False)
    # One-click links in alerts: the secret that signs them and the address managers reach the
    # listener at (behind the municipality's proxy). Both or neither.
    link_secret: str | None = field(default=None, repr=False)
    public_url: str | None = None

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_bot_token and self.slack_app_token)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def links_enabled(self) -> bool:
        return bool(self.link_secret and self.public_url)

    @property
    def slack_http(self) -> bool:
        """Slack listens on HOST:PORT itself (HTTP mode), so the links are served there too."""
        return self.slack_enabled and not self.socket_mode


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
        teams_webhooks=_teams_webhooks(env, text("TEAMS_WEBHOOKS_FILE"), problems),
        link_secret=text("FAKTABOT_LINK_SECRET"),
        public_url=_with_slash(text("FAKTABOT_PUBLIC_URL")) if text("FAKTABOT_PUBLIC_URL") else None,
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
    if bool(settings.link_secret) != bool(settings.public_url):
        problems.append("FAKTABOT_LINK_SECRET and FAKTABOT_PUBLIC_URL go together; set both for links in "
                        "alerts, or neither")
    if settings.link_secret and len(settings.link_secret) < MIN_LINK_SECRET:
        problems.append(f"FAKTABOT_LINK_SECRET is {len(settings.link_secret)} characters; use at least "
                        f"{MIN_LINK_SECRET} random ones (python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if settings.public_url and not settings.public_url.startswith(("https://", "http://")):
        problems.append(f"FAKTABOT_PUBLIC_URL={settings.public_url!r} should start with https://")
    if problems:
        raise SettingsError("settings: " + "; ".join(problems))
    return settings


def _teams_webhooks(env: Mapping[str, str], secrets_file: str | None, problems: list[str]) -> dict[str, str]:
    """`TEAMS_WEBHOOK_<NAME>` from the environment, over the same lines in TEAMS_WEBHOOKS_FILE (a
    secrets file in .env format, readable only by the service), keyed by the lower-case name."""
    found: dict[str, str] = {}
    sources: list[Mapping[str, str | None]] = []
    if secrets_file:
        path = Path(secrets_file)
        if path.is_file():
            sources.append(dotenv_values(path))
        else:
            problems.append(f"TEAMS_WEBHOOKS_FILE={secrets_file!r} is not a file")
    sources.append(env)
    for source in sources:
        for name, value in source.items():
            if not name.startswith(TEAMS_PREFIX) or not (value or "").strip():
                continue
            url, key = value.strip(), name[len(TEAMS_PREFIX):].lower()
            local = url.startswith(("http://127.0.0.1", "http://localhost"))  # a stand-in on this machine
            if not (url.startswith("https://") or local):
                problems.append(f"{name} should be the https:// address of the Teams workflow "
                                "(»Post to a channel when a webhook request is received«)")
                continue
            found[key] = url
    return found


def teams_name(recipient: str) -> str:
    """`teams:Ledelse-Nord` -> `ledelse_nord`, the name TEAMS_WEBHOOK_LEDELSE_NORD is known by."""
    return recipient.removeprefix("teams:").strip().lower().replace("-", "_")


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
