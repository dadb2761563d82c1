"""Log output that cannot leak or be forged, for people (text, the default) or a log shipper (one JSON object per
line, ``QBSYNC_LOG_FORMAT=json``).

- Every line written while a sync run works carries its run id and company (realm): the runner binds them in context
  variables for the length of a run (``bind_log_context``), so they reach every logger the engine and the QuickBooks
  client use, and the tasks those start, without any of them passing ids around.
- Newlines (and other control characters) in logged values are escaped, so a crafted email or webhook field cannot
  add a fake line to the log (JSON lines are escaped by the encoder).
- SQLAlchemy and aiosqlite stay at WARNING whatever ``QBSYNC_LOG_LEVEL`` says: at INFO/DEBUG they print every
  statement's bound parameters (tokens, emails, amounts). The engines also hide parameters (``qbsync.db``).
- NiceGUI's ``client_id`` (the key to a live page's websocket) is redacted from uvicorn's access log lines.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import IO, Any

__all__ = ['configure_logging', 'bind_log_context', 'reset_log_context', 'JsonFormatter', 'ContextFilter',
           'OneLineFormatter', 'RedactClientId', 'QUIET_LOGGERS', 'TEXT_FORMAT', 'uvicorn_log_config', 'escape']

TEXT_FORMAT = '%(asctime)s %(levelname)s %(name)s: %(message)s%(run_context)s'
QUIET_LOGGERS = ('sqlalchemy', 'sqlalchemy.engine', 'sqlalchemy.pool', 'sqlalchemy.orm', 'aiosqlite')
_CONTROL = re.compile(r'[\x00-\x08\x0a-\x1f\x7f]')
_CLIENT_ID = re.compile(r'(client_id=)[^&\s"]+')

_run_id: ContextVar[int | None] = ContextVar('qbsync_run_id', default=None)
_realm_id: ContextVar[str | None] = ContextVar('qbsync_realm_id', default=None)


def bind_log_context(*, run_id: int | None, realm_id: str | None) -> tuple[Token[Any], Token[Any]]:
    """Tag every log line of the current task (and tasks it starts from now on) with a run and company."""
    return _run_id.set(run_id), _realm_id.set(realm_id)


def reset_log_context(tokens: tuple[Token[Any], Token[Any]]) -> None:
    _run_id.reset(tokens[0])
    _realm_id.reset(tokens[1])


class ContextFilter(logging.Filter):
    """Puts ``run_id`` and ``realm_id`` on every record (None outside a run) for either format."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id, record.realm_id = _run_id.get(), _realm_id.get()
        record.run_context = f' [run {record.run_id}, realm {record.realm_id}]' if record.run_id is not None else ''
        return True


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "run_id", "realm_id"[, "exception"]}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            'ts': datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec='milliseconds'),
            'level': record.levelname, 'logger': record.name, 'message': record.getMessage(),
            'run_id': getattr(record, 'run_id', None), 'realm_id': getattr(record, 'realm_id', None),
        }
        if record.exc_info:
            entry['exception'] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


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


def configure_logging(level: str = 'INFO', fmt: str = 'text', stream: IO[str] | None = None) -> logging.Handler:
    """One handler on the root logger (``stream``, default stderr), replacing any earlier one of ours; quiet
    database loggers; redacted access log. Returns the handler."""
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == 'json' else OneLineFormatter(TEXT_FORMAT))
    handler.set_name('qbsync')
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == 'qbsync']:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.getEffectiveLevel()))
    access = logging.getLogger('uvicorn.access')
    if not any(isinstance(f, RedactClientId) for f in access.filters):
        access.addFilter(RedactClientId())
    return handler


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it), like logging's last resort."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def uvicorn_log_config(fmt: str) -> dict[str, Any]:
    """``ui.run`` options: with JSON logs uvicorn installs no handlers of its own, so its lines reach ours."""
    return {'log_config': None} if fmt == 'json' else {}
