"""Logging that cannot leak or be forged: one line per record, no SQL parameters, no NiceGUI client ids.

- Newlines (and other control characters) in logged values are escaped, so a crafted email or webhook field cannot
  add a fake line to the log.
- SQLAlchemy and aiosqlite stay at WARNING whatever ``QBSYNC_LOG_LEVEL`` says: at INFO/DEBUG they print every
  statement's bound parameters (tokens, emails, amounts). The engines also hide parameters (``qbsync.db``).
- NiceGUI's ``client_id`` (the key to a live page's websocket) is redacted from uvicorn's access log lines.
"""
from __future__ import annotations

import logging
import re

__all__ = ['configure_logging', 'OneLineFormatter', 'RedactClientId', 'QUIET_LOGGERS']

QUIET_LOGGERS = ('sqlalchemy', 'sqlalchemy.engine', 'sqlalchemy.pool', 'sqlalchemy.orm', 'aiosqlite')
_CONTROL = re.compile(r'[\x00-\x08\x0a-\x1f\x7f]')
_CLIENT_ID = re.compile(r'(client_id=)[^&\s"]+')
FORMAT = '%(asctime)s %(levelname)s %(name)s: %(message)s'


class OneLineFormatter(logging.Formatter):
    """Escapes control characters in the message (tracebacks keep their own lines, after the escaped message)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        original = record.message
        record.message = escape(original)
        try:
            return super().formatMessage(record)
        finally:
            record.message = original


class RedactClientId(logging.Filter):
    """For uvicorn's access logger: its record args hold the request path with query."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_CLIENT_ID.sub(r'\1[redacted]', a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = _CLIENT_ID.sub(r'\1[redacted]', record.msg)
        return True


def escape(text: str) -> str:
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def configure_logging(level: str) -> None:
    """Root handler with the one-line formatter, quiet database loggers, redacted access log."""
    logging.basicConfig(level=level, format=FORMAT)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(OneLineFormatter(FORMAT))
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))
    access = logging.getLogger('uvicorn.access')
    if not any(isinstance(f, RedactClientId) for f in access.filters):
        access.addFilter(RedactClientId())
