"""A local stand-in for Microsoft Entra ID's token service, over real HTTPS (msal insists on https):
the tenant's OpenID configuration and its v2.0 token endpoint for the client-credentials grant,
answering as Entra does, including its JSON errors (`invalid_client`, AADSTS7000215)."""
from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

SCOPE = "https://outlook.office365.com/.default"

from tests.threaded import ServedInThread


@dataclass
class App:
    """The one app registration the tenant holds, and the token it hands out."""

    tenant: str = "kommune.onmicrosoft.com"
    client_id: str = "3f2a9c1e-app"
    secret: str = "Ab8Q~hemmelig-klient"
    token: str = "eyJ0eXAi.lokal-adgangsbillet"
    expires_in: int = 3599
    token_requests: list[dict[str, str]] = field(default_factory=list)


def _error(status: int, error: str, code: int, description: str) -> tuple[int, dict]:
    return status, {"error": error, "error_description": f"AADSTS{code}: {description}\r\nTrace ID: 0000\r\n"
                    "Correlation ID: 0000\r\nTimestamp: 2026-11-30 12:00:00Z", "error_codes": [code],
                    "timestamp": "2026-11-30 12:00:00Z", "trace_id": "0000", "correlation_id": "0000"}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:
        app: App = self.server.app  # type: ignore[attr-defined]
        base = self.server.base  # type: ignore[attr-defined]
        if self.path == f"/{app.tenant}/v2.0/.well-known/openid-configuration":
            self.answer(200, {"token_endpoint": f"{base}/{app.tenant}/oauth2/v2.0/token",
                              "authorization_endpoint": f"{base}/{app.tenant}/oauth2/v2.0/authorize",
                              "issuer": f"{base}/{app.tenant}/v2.0"})
        else:
            self.answer(*_error(400, "invalid_tenant", 90002, "Tenant not found."))

    def do_POST(self) -> None:
        app: App = self.server.app  # type: ignore[attr-defined]
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        if self.path != f"/{app.tenant}/oauth2/v2.0/token":
            return self.answer(*_error(400, "invalid_tenant", 90002, "Tenant not found."))
        app.token_requests.append(form)
        if form.get("grant_type") != "client_credentials" or form.get("scope") != SCOPE:
            self.answer(*_error(400, "invalid_request", 900144, "The request body must contain a valid grant and scope."))
        elif form.get("client_id") != app.client_id:
            self.answer(*_error(400, "unauthorized_client", 700016,
                                f"Application with identifier '{form.get('client_id')}' was not found."))
        elif form.get("client_secret") != app.secret:
            self.answer(*_error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the "
                                "secret being sent in the request is the client secret value, not the client secret ID."))
        else:
            self.answer(200, {"token_type": "Bearer", "expires_in": app.expires_in,
                              "ext_expires_in": app.expires_in, "access_token": app.token})

    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now (cryptography comes with msal)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "entra.pem", directory / "entra.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class LocalEntra(ServedInThread):
    """`with LocalEntra(tmp_path) as entra:` Entra on `entra.authority`; trust `entra.ca` to reach it."""

    def __init__(self, directory: Path, app: App | None = None):
        self.app = app or App()
        self.ca, key = self_signed(directory)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.authority = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.server.app, self.server.base = self.app, self.authority  # type: ignore[attr-defined]

