"""Settings: the environment (and `.env`) read once into one frozen object, at the edge.

Nothing else in Faktabot reads `os.environ`. Secrets are kept here and never logged: the
dataclass hides them from its repr. Any setting NAME may instead come from the file named by
NAME_FILE (Docker secrets, systemd's LoadCredential), its content with the final newline stripped.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path

from indicators.wording import wording


class SettingsError(ValueError):
    """Every problem with the settings, in one message."""


SMTP_SECURITY = ("starttls", "ssl", "none")
# Every variable Faktabot reads (deploy/.env.example names each); NAME_FILE works for all of them.
NAMES = (
    "FAKTABOT_DB", "FAKTABOT_CONFIG", "FAKTABOT_OUTBOX", "FAKTABOT_INBOX", "FAKTABOT_LOG", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET", "SLACK_TEAM_ID", "HOST", "PORT", "HEALTH_PORT", "SLACK_API_URL", "JOBINDSATS_TOKEN",
    "JOBINDSATS_API_URL", "STATBANK_API_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD",
    "SMTP_SECURITY", "MAIL_FROM", "SMTP_TIMEOUT", "SMTP_DEADLINE", "FAKTABOT_UNKNOWN_HOLD_HOURS",
    "FAKTABOT_MAX_IMPORT_MB", "FAKTABOT_LINK_SECRET", "FAKTABOT_PUBLIC_URL", "TEAMS_WEBHOOKS_FILE",
    "FAKTABOT_IMAP_HOST", "FAKTABOT_IMAP_PORT", "FAKTABOT_IMAP_USER", "FAKTABOT_IMAP_PASSWORD",
    "FAKTABOT_IMAP_SECURITY", "FAKTABOT_IMAP_FOLDER", "FAKTABOT_IMAP_POLL_SECONDS", "FAKTABOT_IMAP_TIMEOUT",
    "FAKTABOT_IMAP_ALLOW", "FAKTABOT_IMAP_AUTH", "FAKTABOT_IMAP_TENANT", "FAKTABOT_IMAP_CLIENT_ID",
    "FAKTABOT_IMAP_CLIENT_SECRET", "FAKTABOT_IMAP_AUTHORITY",
)
IMAP_SECURITY = ("ssl", "starttls", "none")
IMAP_AUTH = ("password", "oauth2")  # oauth2: Exchange Online, which refuses IMAP passwords
ENTRA_AUTHORITY = "https://login.microsoftonline.com"  # Microsoft's global cloud
TEAMS_PREFIX = "TEAMS_WEBHOOK_"
MIN_LINK_SECRET = 32


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
    max_import_bytes: int = 50 * 1024 * 1024  # FAKTABOT_MAX_IMPORT_MB: the largest file an import reads
    smtp_timeout: float = 30.0  # seconds for each SMTP command
    smtp_deadline: float = 60.0  # seconds for a whole message, however slowly the server answers
    # Hours before a send with an unknown outcome goes again by itself; None: only by an operator.
    unknown_hold_hours: int | None = 24
    health_port: int | None = None  # the small /health listener for Socket Mode and local mode
    log_file: Path | None = None  # FAKTABOT_LOG: the service's log file, rotated; unset: stderr
    under_systemd: bool = False  # JOURNAL_STREAM is set: log to stderr, journald keeps it
    config_chosen: bool = False  # FAKTABOT_CONFIG was set (a missing file is then an error)
    # Teams: a Power Automate Workflows webhook per `teams:<name>` recipient, by lower-case name.
    teams_webhooks: dict[str, str] = field(default_factory=dict, repr=False)
    # One-click links in alerts: the secret that signs them and the address managers reach the
    # listener at (behind the municipality's proxy). Both or neither.
    link_secret: str | None = field(default=None, repr=False)
    public_url: str | None = None
    # Ask by email (off unless FAKTABOT_IMAP_HOST is set): the mailbox the bot reads questions from,
    # and the senders it answers (addresses, or domains written @kommune.dk), lower case.
    imap_host: str | None = None
    imap_port: int | None = None
    imap_user: str | None = None
    imap_password: str | None = field(default=None, repr=False)
    imap_security: str = "ssl"
    imap_folder: str = "INBOX"
    imap_poll_seconds: int = 120
    imap_timeout: float = 30.0  # seconds for each IMAP command
    imap_allow: tuple[str, ...] = ()
    # OAuth 2.0 for Exchange Online (FAKTABOT_IMAP_AUTH=oauth2): the app registration in Entra ID
    # whose client-credentials token logs in to the mailbox instead of a password.
    imap_auth: str = "password"
    imap_tenant: str | None = None
    imap_client_id: str | None = None
    imap_client_secret: str | None = field(default=None, repr=False)
    imap_authority: str = ENTRA_AUTHORITY

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value set, so error texts from outside can be scrubbed of them."""
        return tuple(s for s in (self.slack_bot_token, self.slack_app_token, self.slack_signing_secret,
                                 self.jobindsats_token, self.smtp_password, self.imap_password,
                                 self.imap_client_secret) if s)

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
    def imap_enabled(self) -> bool:
        return bool(self.imap_host)

    @property
    def unknown_hold(self) -> timedelta | None:
        return timedelta(hours=self.unknown_hold_hours) if self.unknown_hold_hours else None

    @property
    def password_in_clear(self) -> bool:
        """SMTP login over a connection without TLS: the password crosses the network readable."""
        return self.smtp_enabled and self.smtp_security == "none" and bool(self.smtp_user or self.smtp_password)

    @property
    def links_enabled(self) -> bool:
        return bool(self.link_secret and self.public_url)

    @property
    def slack_http(self) -> bool:
        """Slack listens on HOST:PORT itself (HTTP mode), so the links are served there too."""
        return self.slack_enabled and not self.socket_mode


# The variable each setting comes from, in NAMES order, so `config --check` shows what an operator
# sets, not our field names. Values derived from a variable (MB to bytes) are shown as set.
FIELD_OF = {
    "FAKTABOT_DB": "db_path", "FAKTABOT_CONFIG": "config_path", "FAKTABOT_OUTBOX": "outbox",
    "FAKTABOT_INBOX": "inbox", "FAKTABOT_LOG": "log_file", "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_APP_TOKEN": "slack_app_token", "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_TEAM_ID": "slack_team_id", "HOST": "host", "PORT": "port", "HEALTH_PORT": "health_port",
    "SLACK_API_URL": "slack_api_url", "JOBINDSATS_TOKEN": "jobindsats_token",
    "JOBINDSATS_API_URL": "jobindsats_api_url", "STATBANK_API_URL": "statbank_api_url", "SMTP_HOST": "smtp_host",
    "SMTP_PORT": "smtp_port", "SMTP_USER": "smtp_user", "SMTP_PASSWORD": "smtp_password",
    "SMTP_SECURITY": "smtp_security", "MAIL_FROM": "mail_from", "SMTP_TIMEOUT": "smtp_timeout",
    "SMTP_DEADLINE": "smtp_deadline", "FAKTABOT_UNKNOWN_HOLD_HOURS": "unknown_hold_hours",
    "FAKTABOT_MAX_IMPORT_MB": "max_import_bytes", "FAKTABOT_LINK_SECRET": "link_secret",
    "FAKTABOT_PUBLIC_URL": "public_url", "TEAMS_WEBHOOK_*": "teams_webhooks",
    "FAKTABOT_IMAP_HOST": "imap_host", "FAKTABOT_IMAP_PORT": "imap_port", "FAKTABOT_IMAP_USER": "imap_user",
    "FAKTABOT_IMAP_PASSWORD": "imap_password", "FAKTABOT_IMAP_SECURITY": "imap_security",
    "FAKTABOT_IMAP_FOLDER": "imap_folder", "FAKTABOT_IMAP_POLL_SECONDS": "imap_poll_seconds",
    "FAKTABOT_IMAP_TIMEOUT": "imap_timeout", "FAKTABOT_IMAP_ALLOW": "imap_allow",
    "FAKTABOT_IMAP_AUTH": "imap_auth", "FAKTABOT_IMAP_TENANT": "imap_tenant",
    "FAKTABOT_IMAP_CLIENT_ID": "imap_client_id", "FAKTABOT_IMAP_CLIENT_SECRET": "imap_client_secret",
    "FAKTABOT_IMAP_AUTHORITY": "imap_authority",
}


def by_variable(settings: Settings) -> list[tuple[str, object, bool]]:
    """(environment variable, value in force, is it a secret) for every setting, for display."""
    secret = {f.name for f in fields(Settings) if not f.repr}
    found = []
    for name, attribute in FIELD_OF.items():
        value = getattr(settings, attribute)
        if attribute == "max_import_bytes":
            value = value // (1024 * 1024)
        elif attribute == "teams_webhooks":
            value = sorted(value)  # the recipients' names (TEAMS_WEBHOOK_<NAME> or the file); URLs hidden
        if isinstance(value, (list, tuple)):  # as the operator writes it: a,b; none set is no value
            value = ",".join(value) or None
        found.append((name, value, attribute in secret and attribute != "teams_webhooks"))
    return found


def _int(env: Mapping[str, str], name: str, default: int | None, problems: list[str]) -> int | None:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        problems.append(wording("settings_not_whole", name=name, value=raw))
        return default


def _positive(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> float:
    value = _int(env, name, default, problems)
    if value is None or value <= 0:
        problems.append(wording("settings_not_seconds", name=name, value=value))
        return float(default)
    return float(value)


def _port(env: Mapping[str, str], name: str, default: int | None, problems: list[str]) -> int | None:
    value = _int(env, name, default, problems)
    if value is not None and not 1 <= value <= 65535:
        problems.append(wording("settings_not_port", name=name, value=value))
        return default
    return value


def _megabytes(env: Mapping[str, str], name: str, default: int, problems: list[str]) -> int:
    # 0 silently meant the default and a negative limit refused every file: both are a typo.
    value = _int(env, name, default, problems)
    if value is None or value <= 0:
        problems.append(wording("settings_not_megabytes", name=name, value=value, default=default))
        return default
    return value


def _url(env: Mapping[str, str], name: str, default: str, problems: list[str]) -> str:
    """A source's or Slack's address; anything but http(s) would be retried table by table until
    each gave up (a minute and more) with httpx's English error."""
    value = (env.get(name) or "").strip() or default
    if not value.lower().startswith(("https://", "http://")):
        problems.append(wording("settings_url", name=name, value=value, default=default))
        return default
    return _with_slash(value)


def _dotenv_values(path: Path, problems: list[str] | None = None) -> dict[str, str | None]:
    """The lines of a file in .env format. python-dotenv loads only when there is such a file to
    read (start-up time: it brings the logging package with it).

    With `problems`, a line python-dotenv cannot parse is one of them, named by file, line and
    setting (never its value, which may be a secret): python-dotenv logged it in English without
    the file and went on without the line, so a token with an unclosed quote was silently unset.
    """
    import logging

    from dotenv import dotenv_values
    from dotenv.parser import parse_stream

    if problems is not None:
        try:
            with open(path, encoding="utf-8") as stream:
                bindings = list(parse_stream(stream))
        except (OSError, UnicodeDecodeError) as error:
            problems.append(wording("settings_dotenv_unreadable", path=path, error=getattr(error, "strerror", None) or error))
            return {}
        for binding in bindings:
            if binding.error:
                named = _DOTENV_NAME.match(binding.original.string)
                problems.append(wording("settings_dotenv_line", path=path, line=binding.original.line,
                                        name=f" ({named.group(1)})" if named else ""))
    quiet = logging.getLogger("dotenv.main")
    was_disabled, quiet.disabled = quiet.disabled, problems is not None  # said above, in Danish
    try:
        return dotenv_values(path)
    finally:
        quiet.disabled = was_disabled


_DOTENV_NAME = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
# Names with these prefixes are Faktabot's alone: one that is not a setting is a typo (JOBINDSATS_TOKN).
# In `.env`, Faktabot's own file, the shared prefixes count too; the environment may hold other
# programs' SMTP_ or SLACK_ variables.
OWN_PREFIXES = ("FAKTABOT_", "JOBINDSATS_", "STATBANK_")
DOTENV_PREFIXES = (*OWN_PREFIXES, "SLACK_", "SMTP_", "MAIL_", "HEALTH_", "TEAMS_")


def _unknown_names(names: Iterable[str], prefixes: tuple[str, ...], where: str, problems: list[str]) -> None:
    known = {*NAMES, *(f"{name}_FILE" for name in NAMES)}
    unknown = sorted(name for name in names
                     if name.startswith(prefixes) and name not in known and not name.startswith(TEAMS_PREFIX))
    if not unknown:
        return
    import difflib  # only to name the setting meant, when one is misspelt

    for name in unknown:
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        problems.append(wording("settings_unknown", name=name, where=where,
                                hint=wording("settings_unknown_hint", name=close[0]) if close
                                else wording("settings_unknown_look")))


def load_settings(env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Build the settings from `env` (default: the process environment over `.env`)."""
    problems: list[str] = []
    if env is None:
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.exists():
            values.update({k: v for k, v in _dotenv_values(dotenv, problems).items() if v is not None})
            _unknown_names(values, DOTENV_PREFIXES, wording("settings_in_file", path=dotenv), problems)
        _unknown_names(set(os.environ) - set(values), OWN_PREFIXES, "", problems)  # each name said once
        values.update(os.environ)
        env = values
    else:
        _unknown_names(env, OWN_PREFIXES, "", problems)
    env = _with_files(env, problems)

    def text(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    security = (text("SMTP_SECURITY") or "starttls").lower()
    if security not in SMTP_SECURITY:
        problems.append(wording("settings_smtp_security", value=security, choices=", ".join(SMTP_SECURITY)))
    smtp_host = text("SMTP_HOST")
    imap_security = (text("FAKTABOT_IMAP_SECURITY") or "ssl").lower()
    if imap_security not in IMAP_SECURITY:
        problems.append(wording("settings_imap_security", value=imap_security, choices=", ".join(IMAP_SECURITY)))
    imap_auth = (text("FAKTABOT_IMAP_AUTH") or "password").lower()
    if imap_auth not in IMAP_AUTH:
        problems.append(wording("settings_imap_auth", value=imap_auth, choices=", ".join(IMAP_AUTH)))
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
        port=_port(env, "PORT", 3000, problems) or 3000,
        slack_api_url=_url(env, "SLACK_API_URL", "https://slack.com/api/", problems),
        jobindsats_token=text("JOBINDSATS_TOKEN"),
        jobindsats_api_url=_url(env, "JOBINDSATS_API_URL", "https://api.jobindsats.dk/v3/", problems),
        statbank_api_url=_url(env, "STATBANK_API_URL", "https://api.statbank.dk/v1/", problems),
        smtp_host=smtp_host,
        smtp_port=_port(env, "SMTP_PORT", default_smtp_port, problems),
        smtp_user=text("SMTP_USER"),
        smtp_password=text("SMTP_PASSWORD"),
        smtp_security=security,
        mail_from=text("MAIL_FROM"),
        max_import_bytes=_megabytes(env, "FAKTABOT_MAX_IMPORT_MB", 50, problems) * 1024 * 1024,
        smtp_timeout=_positive(env, "SMTP_TIMEOUT", 30, problems),
        smtp_deadline=_positive(env, "SMTP_DEADLINE", 60, problems),
        unknown_hold_hours=_int(env, "FAKTABOT_UNKNOWN_HOLD_HOURS", 24, problems) or None,
        health_port=_port(env, "HEALTH_PORT", None, problems),
        log_file=Path(text("FAKTABOT_LOG")) if text("FAKTABOT_LOG") else None,
        under_systemd=bool(text("JOURNAL_STREAM")),
        config_chosen=bool(text("FAKTABOT_CONFIG")),
        teams_webhooks=_teams_webhooks(env, text("TEAMS_WEBHOOKS_FILE"), problems),
        link_secret=text("FAKTABOT_LINK_SECRET"),
        public_url=_with_slash(text("FAKTABOT_PUBLIC_URL")) if text("FAKTABOT_PUBLIC_URL") else None,
        imap_host=text("FAKTABOT_IMAP_HOST"),
        imap_port=_port(env, "FAKTABOT_IMAP_PORT", 143 if imap_security != "ssl" else 993, problems),
        imap_user=text("FAKTABOT_IMAP_USER"),
        imap_password=text("FAKTABOT_IMAP_PASSWORD"),
        imap_security=imap_security,
        imap_folder=text("FAKTABOT_IMAP_FOLDER") or "INBOX",
        imap_poll_seconds=int(_positive(env, "FAKTABOT_IMAP_POLL_SECONDS", 120, problems)),
        imap_timeout=_positive(env, "FAKTABOT_IMAP_TIMEOUT", 30, problems),
        imap_auth=imap_auth,
        imap_tenant=text("FAKTABOT_IMAP_TENANT"),
        imap_client_id=text("FAKTABOT_IMAP_CLIENT_ID"),
        imap_client_secret=text("FAKTABOT_IMAP_CLIENT_SECRET"),
        imap_authority=(text("FAKTABOT_IMAP_AUTHORITY") or ENTRA_AUTHORITY).rstrip("/"),
        imap_allow=tuple(part.strip().lower() for part in (text("FAKTABOT_IMAP_ALLOW") or "").replace(";", ",").split(",")
                         if part.strip()),
    )
    # Tokens travel in HTTP headers, which take printable ASCII only: a token pasted from a mail or
    # a document with typographic quotes or a space ended in httpx's UnicodeEncodeError traceback.
    for name in ("JOBINDSATS_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        token = text(name)
        if token and not all("!" <= character <= "~" for character in token):
            problems.append(wording("settings_token_characters", name=name))
    # Python's smtplib and imaplib send a login as ASCII: a password with æ, ø or å raised
    # UnicodeEncodeError at every send or poll instead of one clear refusal at start.
    for name in ("SMTP_USER", "SMTP_PASSWORD", "FAKTABOT_IMAP_USER", "FAKTABOT_IMAP_PASSWORD"):
        login = text(name)
        if login and not login.isascii():
            problems.append(wording("settings_login_ascii", name=name))
    if settings.unknown_hold_hours is not None and settings.unknown_hold_hours < 0:
        problems.append(wording("settings_hold_hours", value=settings.unknown_hold_hours))
    # Slack's tokens say their kind in their prefix. A token in the wrong variable (the app-level
    # token as the bot token, a user token) was accepted and failed only when the service connected,
    # and an app token without a bot token quietly meant local mode.
    for name, prefix, kind in (("SLACK_BOT_TOKEN", "xoxb-", "Bot User OAuth Token"),
                               ("SLACK_APP_TOKEN", "xapp-", "App-Level Token")):
        token = text(name)
        if token and not token.startswith(prefix):
            problems.append(wording("settings_slack_token_kind", name=name, prefix=prefix, kind=kind,
                                    given=_slack_token_kind(token)))
    if settings.slack_app_token and not settings.slack_bot_token:
        problems.append(wording("settings_slack_app_without_bot"))
    if (settings.slack_bot_token and settings.slack_bot_token.startswith("xoxb-")
            and not settings.slack_app_token and not settings.slack_signing_secret):
        problems.append(wording("settings_slack_mode"))  # after a wrong bot token, that is the news
    if smtp_host and not settings.mail_from:
        problems.append(wording("settings_mail_from"))
    elif settings.mail_from and not _is_address(settings.mail_from):
        # »faktabot« alone passed, and the mail server refused every message's sender at the first send.
        problems.append(wording("settings_mail_from_address", value=settings.mail_from))
    if settings.smtp_user and not settings.smtp_password:
        problems.append(wording("settings_smtp_password"))
    if bool(settings.link_secret) != bool(settings.public_url):
        problems.append(wording("settings_link_pair"))
    if settings.link_secret and len(settings.link_secret) < MIN_LINK_SECRET:
        problems.append(wording("settings_link_short", length=len(settings.link_secret), minimum=MIN_LINK_SECRET))
    # https only, as README says: a link acknowledges a target for whoever holds it, and its page
    # takes a note and a name; neither may cross the network in clear text.
    if settings.public_url and not settings.public_url.startswith("https://"):
        problems.append(wording("settings_public_url", value=settings.public_url))
    if settings.imap_host and settings.imap_auth == "oauth2":
        missing = [name for name, value in (("FAKTABOT_IMAP_USER", settings.imap_user),
                                            ("FAKTABOT_IMAP_TENANT", settings.imap_tenant),
                                            ("FAKTABOT_IMAP_CLIENT_ID", settings.imap_client_id),
                                            ("FAKTABOT_IMAP_CLIENT_SECRET", settings.imap_client_secret)) if not value]
        if missing:
            problems.append(wording("settings_imap_oauth_missing", names=", ".join(missing)))
        if not settings.imap_authority.startswith("https://"):
            problems.append(wording("settings_imap_authority", value=settings.imap_authority))
    elif settings.imap_host and not (settings.imap_user and settings.imap_password):
        problems.append(wording("settings_imap_login"))
    if settings.imap_host and not settings.imap_allow:
        problems.append(wording("settings_imap_allow"))
    if problems:
        raise SettingsError(wording("settings_problems", problems="; ".join(problems)))
    return settings


def _is_address(sender: str) -> bool:
    """Whether MAIL_FROM holds one address, alone or after a display name (»Faktabot <faktabot@kommune.dk>«)."""
    from email.utils import parseaddr  # only when MAIL_FROM is set: start-up time

    address = parseaddr(sender)[1]
    local, at, domain = address.rpartition("@")
    return bool(local and at and domain) and " " not in address


def _slack_token_kind(token: str) -> str:
    """What a Slack token is by its prefix, in Danish, without showing any of the secret part."""
    for prefix, kind in (("xoxb-", "et bot-token (xoxb-)"), ("xapp-", "et app-niveau-token (xapp-)"),
                         ("xoxp-", "et bruger-token (xoxp-)"), ("xoxe", "et rotations-token (xoxe)")):
        if token.startswith(prefix):
            return kind
    return "ikke et Slack-token"


def _with_files(env: Mapping[str, str], problems: list[str]) -> Mapping[str, str]:
    """`env` with each NAME_FILE replaced by the content of the file it names."""
    found = dict(env)
    for name in NAMES:
        path = (env.get(f"{name}_FILE") or "").strip()
        if not path:
            continue
        if (env.get(name) or "").strip():
            problems.append(wording("settings_both_set", name=name))
            continue
        try:
            found[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(wording("settings_file_unreadable", name=name, path=path,
                                    error=getattr(error, "strerror", None) or error))
    return found


def _teams_webhooks(env: Mapping[str, str], secrets_file: str | None, problems: list[str]) -> dict[str, str]:
    """`TEAMS_WEBHOOK_<NAME>` from the environment, over the same lines in TEAMS_WEBHOOKS_FILE (a
    secrets file in .env format, readable only by the service), keyed by the lower-case name."""
    found: dict[str, str] = {}
    sources: list[Mapping[str, str | None]] = []
    if secrets_file:
        path = Path(secrets_file)
        if path.is_file():
            sources.append(_dotenv_values(path))
        else:
            problems.append(wording("settings_teams_file", path=secrets_file))
    sources.append(env)
    for source in sources:
        for name, value in source.items():
            if not name.startswith(TEAMS_PREFIX) or not (value or "").strip():
                continue
            url, key = value.strip(), name[len(TEAMS_PREFIX):].lower()
            local = url.startswith(("http://127.0.0.1", "http://localhost"))  # a stand-in on this machine
            if not (url.startswith("https://") or local):
                problems.append(wording("settings_teams_url", name=name))
                continue
            found[key] = url
    return found


def teams_name(recipient: str) -> str:
    """`teams:Ledelse-Nord` -> `ledelse_nord`, the name TEAMS_WEBHOOK_LEDELSE_NORD is known by."""
    return recipient.removeprefix("teams:").strip().lower().replace("-", "_")


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
