"""SMTP settings from the environment, and the Mailer against a real SMTP server: both parts, login errors hidden."""
from __future__ import annotations

import pytest

from qbsync.mail import Email, Mailer, MailError
from qbsync.settings import SmtpSettings, load_settings
from smtp_support import free_port, parts


def _smtp(tmp_path, **env: str) -> SmtpSettings | None:  # type: ignore[no-untyped-def]
    return load_settings({'QBSYNC_DATA_DIR': str(tmp_path), **env}).smtp


def test_smtp_settings_from_the_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert _smtp(tmp_path) is None
    plain = _smtp(tmp_path, QBSYNC_SMTP_HOST='mail.example.com', QBSYNC_SMTP_USER='books@example.com',
                  QBSYNC_SMTP_PASSWORD='s3cret')
    assert plain == SmtpSettings(host='mail.example.com', port=587, sender='books@example.com',
                                 user='books@example.com', password='s3cret', security='starttls')
    assert 's3cret' not in repr(plain)
    assert _smtp(tmp_path, QBSYNC_SMTP_HOST='m', QBSYNC_SMTP_PORT='465', QBSYNC_SMTP_FROM='q@x.org').security == 'tls'
    with pytest.raises(ValueError, match='QBSYNC_SMTP_SECURITY'):
        _smtp(tmp_path, QBSYNC_SMTP_HOST='m', QBSYNC_SMTP_FROM='q@x.org', QBSYNC_SMTP_SECURITY='ssl3')
    with pytest.raises(ValueError, match='QBSYNC_SMTP_FROM'):
        _smtp(tmp_path, QBSYNC_SMTP_HOST='m')


async def test_a_message_with_text_and_html_reaches_the_server(smtp_server) -> None:  # type: ignore[no-untyped-def]
    await Mailer(smtp_server.settings).send(Email(to=('a@example.com', 'b@example.com'), subject='Hello',
                                                  text='plain words', html='<p>rich words</p>'))
    (message,) = smtp_server.messages
    assert smtp_server.envelopes == [('qbsync@example.com', ['a@example.com', 'b@example.com'])]
    assert message['From'] == 'qbsync@example.com' and message['Subject'] == 'Hello'
    assert {kind: body.strip() for kind, body in parts(message).items()} == {'text/plain': 'plain words',
                                                                            'text/html': '<p>rich words</p>'}


async def test_errors_name_the_server_but_never_the_password() -> None:
    nobody = SmtpSettings(host='127.0.0.1', port=free_port(), sender='q@example.com', user='u',
                          password='hunter2-secret', security='none')
    with pytest.raises(MailError) as caught:
        await Mailer(nobody).send(Email(to=('a@example.com',), subject='s', text='t'))
    assert '127.0.0.1' in str(caught.value) and 'hunter2-secret' not in str(caught.value)
    with pytest.raises(MailError, match='QBSYNC_SMTP_HOST'):
        await Mailer(None).send(Email(to=('a@example.com',), subject='s', text='t'))
