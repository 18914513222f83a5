"""Ask by email from an Exchange Online mailbox: the app-only OAuth 2.0 token from a local Entra ID
stand-in over HTTPS (tests/local_entra.py) and SASL XOAUTH2 against the local IMAP server."""
from __future__ import annotations

import logging

import pytest

from bot.cli.compose import build_service, mailbox_for
from bot.config import load_config
from bot.delivery.entra import AppToken
from bot.delivery.imap import Mailbox, MailboxError
from bot.settings import SettingsError, load_settings
from tests.conftest import REPO
from tests.local_entra import App, LocalEntra
from tests.local_imap import LocalImap, Mailstore
from tests.test_ask_by_mail import ANSWER, BOT, NOW, mail

TOKEN = App().token


@pytest.fixture
def entra(tmp_path):
    with LocalEntra(tmp_path) as server:
        yield server


@pytest.fixture
def imap():
    with LocalImap(Mailstore(user=BOT, password="ikke-brugt", bearer=TOKEN)) as server:
        yield server


def app_token(entra: LocalEntra, **changes: str) -> AppToken:
    values = {"tenant": entra.app.tenant, "client_id": entra.app.client_id, "secret": entra.app.secret, **changes}
    return AppToken(values["tenant"], values["client_id"], values["secret"], authority=entra.authority,
                    timeout=5, verify=str(entra.ca))


def mailbox(imap: LocalImap, token: AppToken) -> Mailbox:
    return Mailbox("127.0.0.1", imap.port, user=BOT, security="none", timeout=5, token=token)


def test_the_app_token_logs_in_with_xoauth2_and_reads_the_mailbox(entra, imap, caplog):
    caplog.set_level(logging.DEBUG)
    imap.box.deliver(mail())
    with mailbox(imap, app_token(entra)) as box:
        assert [m.uid for m in box.unseen()] == ["101"]
    request = entra.app.token_requests[0]
    assert request["grant_type"] == "client_credentials"
    assert request["scope"] == "https://outlook.office365.com/.default" and imap.box.logins == 1
    assert TOKEN not in caplog.text and entra.app.secret not in caplog.text


def test_the_token_is_fetched_once_and_reused_across_polls_while_valid(entra, imap):
    token = app_token(entra)
    for _ in range(3):
        with mailbox(imap, token) as box:
            box.unseen()
    assert len(entra.app.token_requests) == 1 and imap.box.logins == 3


def test_a_token_about_to_expire_is_not_reused(tmp_path, imap):
    # msal counts a token with less than five minutes left as expired, so each poll gets a fresh one.
    with LocalEntra(tmp_path, App(expires_in=120)) as entra:
        token = app_token(entra)
        for _ in range(2):
            with mailbox(imap, token) as box:
                box.unseen()
    assert len(entra.app.token_requests) == 2 and imap.box.logins == 2


def test_a_wrong_secret_names_entras_error_and_the_settings_to_check(entra, imap, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailboxError) as raised:
        with mailbox(imap, app_token(entra, secret="forkert-hemmelighed")):
            pass
    text = str(raised.value)
    assert "invalid_client: AADSTS7000215: Invalid client secret provided" in text
    assert "FAKTABOT_IMAP_CLIENT_SECRET" in text and "Trace ID" not in text
    assert imap.box.logins == 0
    # Neither the real secret, the wrong one nor a token reaches the message or the log.
    for secret in ("forkert-hemmelighed", entra.app.secret, TOKEN):
        assert secret not in text and secret not in caplog.text


def test_an_unknown_tenant_says_which_setting_is_wrong(entra, imap):
    with pytest.raises(MailboxError, match="kender ikke lejeren 'nabokommune.dk'.*FAKTABOT_IMAP_TENANT"):
        with mailbox(imap, app_token(entra, tenant="nabokommune.dk")):
            pass


def test_a_mailbox_refusing_the_token_says_the_admin_must_grant_the_app_access(entra, tmp_path):
    # Entra hands out a token, but Exchange has no mailbox permission for the app: it says NO.
    with LocalImap(Mailstore(user=BOT, bearer="en-anden-billet")) as imap:
        with pytest.raises(MailboxError) as raised:
            with mailbox(imap, app_token(entra)):
                pass
    text = str(raised.value)
    assert "afviste appens adgangsbillet for postkassen 'faktabot@kommune.dk'" in text
    assert "Add-MailboxPermission" in text and "New-ServicePrincipal" in text and TOKEN not in text


def test_entra_out_of_reach_is_an_error_with_a_deadline(imap):
    token = AppToken("kommune.onmicrosoft.com", "app", "hemmelig", authority="https://127.0.0.1:9", timeout=2)
    with pytest.raises(MailboxError, match=r"Microsoft Entra ID \(https://127.0.0.1:9/kommune.onmicrosoft.com\) "
                                           "kunne ikke nås"):
        with mailbox(imap, token):
            pass
    assert imap.box.logins == 0


def test_oauth2_settings_need_the_app_registration_and_keep_the_secret_out_of_repr():
    base = {"FAKTABOT_IMAP_HOST": "outlook.office365.com", "FAKTABOT_IMAP_USER": BOT,
            "FAKTABOT_IMAP_ALLOW": "@kommune.dk", "FAKTABOT_IMAP_AUTH": "oauth2"}
    with pytest.raises(SettingsError, match="kræver FAKTABOT_IMAP_TENANT, FAKTABOT_IMAP_CLIENT_ID, "
                                            "FAKTABOT_IMAP_CLIENT_SECRET"):
        load_settings(base, dotenv=None)
    with pytest.raises(SettingsError, match="FAKTABOT_IMAP_AUTH='kerberos' skal være en af password, oauth2"):
        load_settings({**base, "FAKTABOT_IMAP_AUTH": "kerberos"}, dotenv=None)
    settings = load_settings({**base, "FAKTABOT_IMAP_TENANT": "t", "FAKTABOT_IMAP_CLIENT_ID": "c",
                              "FAKTABOT_IMAP_CLIENT_SECRET": "sek-4Q~x"}, dotenv=None)
    assert settings.imap_authority == "https://login.microsoftonline.com" and settings.imap_password is None
    assert "sek-4Q~x" in settings.secrets and "sek-4Q~x" not in repr(settings)
    assert "sek-4Q~x" not in repr(mailbox_for(settings)().token)


def test_the_service_answers_a_mailed_question_through_oauth2(entra, imap, smtp, sample_store_copy, tmp_path,
                                                              monkeypatch):
    # The service's settings have no CA option (production trusts the public CAs); requests, under
    # msal, honours REQUESTS_CA_BUNDLE, so the stand-in's certificate is trusted that way here.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(entra.ca))
    imap.box.deliver(mail())
    settings = load_settings({
        "FAKTABOT_DB": str(sample_store_copy), "FAKTABOT_OUTBOX": str(tmp_path / "outbox"),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none",
        "MAIL_FROM": f"Faktabot <{BOT}>", "FAKTABOT_IMAP_HOST": "127.0.0.1", "FAKTABOT_IMAP_PORT": str(imap.port),
        "FAKTABOT_IMAP_SECURITY": "none", "FAKTABOT_IMAP_USER": BOT, "FAKTABOT_IMAP_ALLOW": "@kommune.dk",
        "FAKTABOT_IMAP_AUTH": "oauth2", "FAKTABOT_IMAP_TENANT": entra.app.tenant,
        "FAKTABOT_IMAP_CLIENT_ID": entra.app.client_id, "FAKTABOT_IMAP_CLIENT_SECRET": entra.app.secret,
        "FAKTABOT_IMAP_AUTHORITY": entra.authority + "/"}, dotenv=None)
    service = build_service(settings, load_config(REPO / "faktabot.toml"))
    assert service.mail(NOW).ok and service.mail(NOW).ok
    assert len(smtp.messages) == 1 and ANSWER in smtp.messages[0].get_body(("plain",)).get_content()
    assert len(entra.app.token_requests) == 1 and imap.box.logins == 2
