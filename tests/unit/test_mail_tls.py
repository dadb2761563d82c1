"""Email over STARTTLS and implicit TLS, against a real local SMTP server (aiosmtpd) holding a certificate this test
issues from its own certificate authority (cryptography): the message arrives over TLS with the login, the
certificate is checked (an authority the machine does not trust is refused), and the login never goes out in clear.
"""
from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from qbsync.mail import Email, Mailer, MailError
from qbsync.settings import SmtpSettings
from smtp_support import SmtpServer, free_port, parts

USER, PASSWORD = 'mailer@example.com', 'app-password-1234'
# implicit TLS: aiosmtpd counts only STARTTLS as TLS and warns that AUTH is allowed without it (here all of it is TLS)
pytestmark = pytest.mark.filterwarnings('ignore:Requiring AUTH while not requiring TLS:UserWarning')


@dataclass(frozen=True)
class Certificates:
    authority: Path  # the CA certificate a client must trust
    chain: Path  # the server's certificate
    key: Path  # the server's private key

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.chain, self.key)
        return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(folder: Path) -> Certificates:
    """A throwaway CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
    now = datetime.now(timezone.utc)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name('qbsync test CA')).issuer_name(_name('qbsync test CA'))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder().subject_name(_name('localhost')).issuer_name(ca.subject)
              .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.DNSName('localhost'),
                                                          x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
                             critical=False)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                             critical=False)
              .sign(ca_key, hashes.SHA256()))
    files = Certificates(folder / 'ca.pem', folder / 'server.pem', folder / 'server.key')
    files.authority.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.chain.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return files


class TlsRecorder(SmtpServer):
    """Records each message with whether its session was encrypted and who logged in."""

    def __init__(self, settings: SmtpSettings) -> None:
        super().__init__(settings)
        self.sessions: list[tuple[bool, bytes | None]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        encrypted = server.transport.get_extra_info('ssl_object') is not None  # either way of getting TLS
        self.sessions.append((encrypted, session.auth_data))
        return await super().handle_DATA(server, session, envelope)


def _authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)  # 535 when wrong


@pytest.fixture(scope='module')
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return _issue(tmp_path_factory.mktemp('tls'))


@pytest.fixture
def trusted(certificates: Certificates, monkeypatch: pytest.MonkeyPatch) -> Certificates:
    """The machine trusts the test CA the way an owner's container would trust its mail server's: OpenSSL's
    SSL_CERT_FILE, which aiosmtplib's default (verifying) context reads."""
    monkeypatch.setenv('SSL_CERT_FILE', str(certificates.authority))
    return certificates


def _server(certificates: Certificates, security: str) -> Iterator[TlsRecorder]:
    port = free_port()
    recorder = TlsRecorder(SmtpSettings(host='127.0.0.1', port=port, sender='qbsync@example.com', user=USER,
                                        password=PASSWORD, security=security))
    if security == 'tls':  # implicit TLS: the socket speaks TLS from the first byte (port 465 style)
        controller = Controller(recorder, hostname='127.0.0.1', port=port, ssl_context=certificates.server_context(),
                                server_hostname='localhost', authenticator=_authenticate, auth_required=True,
                                auth_require_tls=False)  # aiosmtpd counts only STARTTLS as TLS; all of it is here
    else:  # STARTTLS: plain greeting, then the upgrade, which the server insists on before the login
        controller = Controller(recorder, hostname='127.0.0.1', port=port, tls_context=certificates.server_context(),
                                require_starttls=True, authenticator=_authenticate, auth_required=True,
                                auth_require_tls=True)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture(params=['starttls', 'tls'])
def tls_server(request: pytest.FixtureRequest, certificates: Certificates) -> Iterator[TlsRecorder]:
    yield from _server(certificates, request.param)


REPORT = Email(to=('owner@example.com',), subject='qbsync: 2 records failed to sync',
               text='Invoice 1042 failed: the number is already used.', html='<p>Invoice 1042 failed.</p>')


async def test_the_email_arrives_over_tls_with_the_login(tls_server: TlsRecorder, trusted: Certificates) -> None:
    await Mailer(tls_server.settings).send(REPORT)
    assert tls_server.sessions == [(True, USER.encode())]  # encrypted, and the login the server accepted
    (message,) = tls_server.messages
    assert message['Subject'] == REPORT.subject and message['To'] == 'owner@example.com'
    assert {kind: text.strip() for kind, text in parts(message).items()} == {'text/plain': REPORT.text,
                                                                             'text/html': REPORT.html}


async def test_a_certificate_from_an_untrusted_authority_is_refused(tls_server: TlsRecorder,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    monkeypatch.setenv('SSL_CERT_FILE', str(_issue(tmp_path).authority))  # some other CA: the server is a stranger
    with pytest.raises(MailError, match='certificate') as caught:
        await Mailer(tls_server.settings).send(REPORT)
    assert PASSWORD not in str(caught.value)
    assert tls_server.messages == [] and tls_server.sessions == []


async def test_a_wrong_password_is_a_clear_error_without_the_password(tls_server: TlsRecorder,
                                                                      trusted: Certificates) -> None:
    settings = SmtpSettings(**{**tls_server.settings.__dict__, 'password': 'wrong-password-5678'})
    with pytest.raises(MailError) as caught:
        await Mailer(settings).send(REPORT)
    assert 'wrong-password-5678' not in str(caught.value) and '535' in str(caught.value)
    assert tls_server.messages == []
