"""Entra ID (Microsoft 365): the app-only access token ask by email logs in to Exchange Online's
IMAP with (FAKTABOT_IMAP_AUTH=oauth2), by the OAuth 2.0 client-credentials flow.

I/O: msal fetches the tenant's OpenID configuration, then a token from its token endpoint, over
HTTPS with a timeout on each call. msal keeps the token in memory and hands the same one out until
five minutes before it expires, so a poll every two minutes asks Entra about once an hour. The secret and
the token are never logged nor put in an error.
"""
from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from bot.rendering.terminal import messages

if TYPE_CHECKING:
    import msal

AUTHORITY = "https://login.microsoftonline.com"  # sovereign clouds have their own (FAKTABOT_IMAP_AUTHORITY)
SCOPE = "https://outlook.office365.com/.default"  # Exchange Online, with the app's granted permissions


class TokenError(Exception):
    """No token: Entra refused the app (tenant, client, secret, consent) or could not be reached."""


class AppToken:
    """`AppToken(tenant, client_id, secret)()` is a valid access token for Exchange Online's IMAP."""

    def __init__(self, tenant: str, client_id: str, secret: str, *, authority: str = AUTHORITY,
                 scope: str = SCOPE, timeout: float = 30.0, verify: bool | str = True):
        self.tenant, self.client_id, self.scope = tenant, client_id, scope
        self.authority = f"{authority.rstrip('/')}/{tenant}"
        self.timeout, self.verify = timeout, verify
        self._secret = secret
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()  # one AppToken serves every poll; polls may overlap in threads

    def __repr__(self) -> str:
        return f"AppToken(tenant={self.tenant!r}, client_id={self.client_id!r})"  # never the secret

    def __call__(self) -> str:
        with self._lock:
            app = self._app or self._connect()
            try:
                result = app.acquire_token_for_client(scopes=[self.scope])
            except (OSError, ValueError) as error:  # requests' errors are OSErrors
                raise TokenError(_text("imap_oauth_unreachable", authority=self.authority,
                                       reason=type(error).__name__)) from None
        token = result.get("access_token") if isinstance(result, dict) else None
        if token:
            return token
        raise TokenError(_refusal(result if isinstance(result, dict) else {}, self))

    def _connect(self) -> msal.ConfidentialClientApplication:
        """msal's client; building it reads the tenant's OpenID configuration (an unknown tenant fails here)."""
        import msal  # start-up time: msal and requests load only when OAuth is used
        import requests  # msal's own HTTP client

        session = requests.Session()
        # A deadline on every call. A CA file given here is passed with each request, because requests
        # lets REQUESTS_CA_BUNDLE override a session's own; with the default (True) that variable, as
        # set behind a TLS-inspecting proxy, is honoured.
        extra = {} if self.verify is True else {"verify": self.verify}
        session.request = functools.partial(session.request, timeout=self.timeout, **extra)  # type: ignore[method-assign]
        try:
            # No instance discovery: it asks login.microsoftonline.com about the authority's host,
            # which a sovereign cloud or a test stand-in is not; the tenant's own configuration still
            # has to answer.
            self._app = msal.ConfidentialClientApplication(
                self.client_id, client_credential=self._secret, authority=self.authority,
                instance_discovery=False, http_client=session)
        except ValueError:
            raise TokenError(_text("imap_oauth_tenant", tenant=self.tenant, authority=self.authority)) from None
        except OSError as error:
            raise TokenError(_text("imap_oauth_unreachable", authority=self.authority,
                                   reason=type(error).__name__)) from None
        return self._app


def _refusal(result: dict, token: AppToken) -> str:
    """Entra's error in the message: its description starts with the AADSTS code naming what is wrong."""
    code = str(result.get("error") or "?")
    description = str(result.get("error_description") or "").split("\r\n")[0].split("\n")[0][:300]
    return _text("imap_oauth_refused", code=code, description=description, tenant=token.tenant,
                 client_id=token.client_id)


def _text(key: str, **values: object) -> str:
    return messages()[key].format(**values)
