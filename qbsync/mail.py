"""Outgoing email over SMTP (aiosmtplib): STARTTLS, implicit TLS or plain for a local relay, with login when set.

Every message carries a plain-text part and, when given, an HTML alternative. Errors come back as ``MailError``
with the server's answer but never the password.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from .settings import SmtpSettings

__all__ = ['Email', 'Mailer', 'MailError']

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30


class MailError(Exception):
    """The email could not be handed to the SMTP server; the message says why."""


@dataclass(frozen=True)
class Email:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ''


class Mailer:
    def __init__(self, smtp: SmtpSettings | None) -> None:
        self.smtp = smtp

    @property
    def configured(self) -> bool:
        return self.smtp is not None

    def message(self, email: Email) -> EmailMessage:
        if self.smtp is None:
            raise MailError('email is not set up: set QBSYNC_SMTP_HOST and QBSYNC_SMTP_FROM')
        message = EmailMessage()
        message['From'] = self.smtp.sender
        message['To'] = ', '.join(email.to)
        message['Subject'] = email.subject
        message['Date'] = formatdate(localtime=False)
        message['Message-ID'] = make_msgid(domain=self.smtp.sender.rpartition('@')[2] or None)
        message.set_content(email.text)
        if email.html:
            message.add_alternative(email.html, subtype='html')
        return message

    async def send(self, email: Email) -> None:
        """Hand ``email`` to the SMTP server; MailError when it is not set up or the server refuses."""
        if not email.to:
            raise MailError('no recipients')
        message = self.message(email)
        smtp = self.smtp
        assert smtp is not None
        try:
            await aiosmtplib.send(message, hostname=smtp.host, port=smtp.port, username=smtp.user or None,
                                  password=smtp.password or None, use_tls=smtp.security == 'tls',
                                  start_tls=True if smtp.security == 'starttls' else False,
                                  timeout=TIMEOUT_SECONDS)
        except (aiosmtplib.SMTPException, OSError) as error:
            reason = str(error).replace(smtp.password, '***') if smtp.password else str(error)
            log.warning('email %r to %d recipient(s) not sent: %s', email.subject, len(email.to), reason)
            raise MailError(f'the mail server {smtp.host}:{smtp.port} did not take the email: {reason}') from error
