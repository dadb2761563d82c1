"""Log output: text for people (the default) or one JSON object per line (``QBSYNC_LOG_FORMAT=json``) for a log
shipper; either way every line written while a sync run works carries its run id and company (realm).

The run and realm travel in context variables that the runner binds for the length of a run
(``bind_log_context``), so they reach every logger the engine and the QuickBooks client use, and the tasks those
start, without any of them passing ids around. Secrets never reach here: callers log no tokens (see
tests/integration/test_no_secrets_in_logs.py), and the JSON form adds nothing but the record's own fields.
"""
from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import IO, Any

__all__ = ['configure_logging', 'bind_log_context', 'reset_log_context', 'JsonFormatter', 'ContextFilter',
           'TEXT_FORMAT', 'uvicorn_log_config']

TEXT_FORMAT = '%(asctime)s %(levelname)s %(name)s: %(message)s%(run_context)s'

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


def configure_logging(level: str = 'INFO', fmt: str = 'text', stream: IO[str] | None = None) -> logging.Handler:
    """One handler on the root logger (``stream``, default stderr), replacing any earlier one of ours; returns it."""
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == 'json' else logging.Formatter(TEXT_FORMAT))
    handler.set_name('qbsync')
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == 'qbsync']:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
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
