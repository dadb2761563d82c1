"""A real SMTP server (aiosmtpd) on a free local port, started by the test that needs it, and the messages it got."""
from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from qbsync.settings import SmtpSettings

__all__ = ['smtp_server', 'SmtpServer', 'free_port']


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@dataclass
class SmtpServer:
    settings: SmtpSettings
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)  # (MAIL FROM, RCPT TO)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802 (aiosmtpd hook)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return '250 Message accepted for delivery'


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    port = free_port()
    server = SmtpServer(SmtpSettings(host='127.0.0.1', port=port, sender='qbsync@example.com', security='none'))
    controller = Controller(server, hostname='127.0.0.1', port=port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def parts(message: Message) -> dict[str, str]:
    """content type -> decoded text of each part of a multipart/alternative message."""
    return {part.get_content_type(): part.get_payload(decode=True).decode()  # type: ignore[union-attr]
            for part in message.walk() if not part.is_multipart()}
