"""Intuit's error answers -> one typed exception hierarchy.

QuickBooks reports failures in several shapes: the ``Fault`` envelope (capitalised keys), the lowercase ``fault``
body of a 401, XML ``IntuitResponse`` faults (old throttle and "General Authentication Error" answers, even to
JSON clients), bare 5xx pages, and the token endpoint's RFC 6749 ``{"error": ...}``. Callers should only ever
need to catch these classes, never parse a body themselves.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

__all__ = ['FaultDetail', 'QuickBooksError', 'AuthenticationError', 'AuthorizationError', 'ThrottledError',
           'ValidationFault', 'StaleObjectError', 'DuplicateNameError', 'ObjectNotFoundError', 'ServerError',
           'NetworkError', 'OAuthError', 'ReconnectRequired', 'NotConnectedError', 'fault_from_response',
           'fault_from_envelope', 'oauth_error', 'oauth_error_from_response']


@dataclass(frozen=True)
class FaultDetail:
    """One entry of a Fault's ``Error`` list; ``code`` is a string on the wire and stays one."""
    code: str
    message: str
    detail: str = ''
    element: str = ''


class QuickBooksError(Exception):
    """Anything QuickBooks (or the way to it) refused; ``errors`` holds every reported entry."""

    def __init__(self, message: str, *, status: int | None = None, errors: tuple[FaultDetail, ...] = (),
                 fault_type: str = '', intuit_tid: str = '') -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors
        self.fault_type = fault_type
        self.intuit_tid = intuit_tid  # quote this to Intuit support

    @property
    def code(self) -> str:
        return self.errors[0].code if self.errors else ''

    @property
    def element(self) -> str:
        return self.errors[0].element if self.errors else ''

    @property
    def detail(self) -> str:
        return self.errors[0].detail if self.errors else ''


class AuthenticationError(QuickBooksError):
    """401: the access token is expired, revoked or malformed (codes 3200, 100)."""


class AuthorizationError(QuickBooksError):
    """403 / code 3100 or 120: the app or the connecting user lost access to the company; do not retry."""


class ThrottledError(QuickBooksError):
    """429 / code 3001: wait (Intuit says 60 s) and retry with the same requestid."""


class ValidationFault(QuickBooksError):
    """400: the request was understood and refused; ``code``, ``element`` and ``detail`` say why."""


class StaleObjectError(ValidationFault):
    """5010: the SyncToken sent is not the current one; re-read, merge, retry."""


class DuplicateNameError(ValidationFault):
    """6240: another name-list object already uses this name."""


class ObjectNotFoundError(ValidationFault):
    """610: the Id does not exist (or was deleted), or a reference points at an inactive object."""


class ServerError(QuickBooksError):
    """5xx or code 10000: Intuit's side failed; safe to retry with the same requestid."""


class NetworkError(QuickBooksError):
    """No answer (timeout, connection dropped); a write may or may not have happened, so retry with its requestid."""


class OAuthError(QuickBooksError):
    """The token endpoint refused a grant (``error`` / ``error_description`` of RFC 6749)."""

    def __init__(self, error: str, description: str = '', *, status: int | None = None) -> None:
        super().__init__(f'{error}: {description}' if description else error, status=status)
        self.error = error
        self.description = description


class ReconnectRequired(OAuthError):
    """``invalid_grant``: the refresh token is expired or revoked; only the user can fix it, by reconnecting."""


class NotConnectedError(QuickBooksError):
    """No QuickBooks company is connected (or it was disconnected)."""


_BY_CODE: dict[str, type[QuickBooksError]] = {
    '100': AuthenticationError, '3200': AuthenticationError,
    '120': AuthorizationError, '3100': AuthorizationError,
    '3001': ThrottledError,
    '5010': StaleObjectError, '6240': DuplicateNameError, '610': ObjectNotFoundError,
    '10000': ServerError,
}


def fault_from_response(status: int, body: bytes, *, intuit_tid: str = '') -> QuickBooksError:
    """The exception for an API answer that is not a success (or a 200 that carries a Fault)."""
    errors, fault_type = _parse_body(body)
    return _build(status, errors, fault_type, intuit_tid)


def fault_from_envelope(fault: dict[str, Any], *, status: int = 400, intuit_tid: str = '') -> QuickBooksError:
    """The exception for an already-parsed Fault object, e.g. one item of a batch response."""
    errors, fault_type = _from_json_fault(fault)
    return _build(status, errors, fault_type, intuit_tid)


def oauth_error_from_response(status: int, body: bytes) -> OAuthError:
    """The token or revoke endpoint's refusal; ``invalid_grant`` becomes ReconnectRequired."""
    error, description = '', ''
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        error = str(payload.get('error') or '')
        description = str(payload.get('error_description') or '')
    if not error:
        error = 'server_error' if status >= 500 else f'http_{status}'
        description = description or _snippet(body)
    return oauth_error(error, description, status=status)


def oauth_error(error: str, description: str = '', *, status: int | None = None) -> OAuthError:
    cls = ReconnectRequired if error == 'invalid_grant' else OAuthError
    return cls(error, description, status=status)


def _build(status: int, errors: tuple[FaultDetail, ...], fault_type: str, intuit_tid: str) -> QuickBooksError:
    cls = _class_for(status, errors)
    if errors:
        first = errors[0]
        text = f'QuickBooks error {first.code}: {first.message}' + (f' ({first.detail})' if first.detail else '')
    else:
        text = f'QuickBooks answered HTTP {status}'
    return cls(text, status=status, errors=errors, fault_type=fault_type, intuit_tid=intuit_tid)


def _class_for(status: int, errors: tuple[FaultDetail, ...]) -> type[QuickBooksError]:
    for error in errors:
        if error.code in _BY_CODE:
            return _BY_CODE[error.code]
    if status == 401:
        return AuthenticationError
    if status == 403:
        return AuthorizationError
    if status == 429:
        return ThrottledError
    if status >= 500:
        return ServerError
    return ValidationFault


def _parse_body(body: bytes) -> tuple[tuple[FaultDetail, ...], str]:
    text = body.lstrip()
    if text.startswith(b'<'):
        return _from_xml(text)
    try:
        payload = json.loads(body)
    except ValueError:
        return ((FaultDetail(code='', message=_snippet(body)),) if text else ()), ''
    if not isinstance(payload, dict):
        return (), ''
    fault = payload.get('Fault') or payload.get('fault')
    return _from_json_fault(fault) if isinstance(fault, dict) else ((), '')


def _from_json_fault(fault: dict[str, Any]) -> tuple[tuple[FaultDetail, ...], str]:
    """Both the ``Fault``/``Error``/``Message`` shape and the lowercase 401 ``fault``/``error``/``message`` one."""
    entries = fault.get('Error') or fault.get('error') or []
    if isinstance(entries, dict):
        entries = [entries]
    errors = tuple(
        FaultDetail(code=str(_pick(entry, 'code') or ''), message=str(_pick(entry, 'Message') or ''),
                    detail=str(_pick(entry, 'Detail') or ''), element=str(_pick(entry, 'element') or ''))
        for entry in entries if isinstance(entry, dict))
    return errors, str(fault.get('type') or '')


def _pick(entry: dict[str, Any], key: str) -> Any:
    for candidate in (key, key.lower(), key[:1].upper() + key[1:]):
        if entry.get(candidate) is not None:
            return entry[candidate]
    return None


def _from_xml(body: bytes) -> tuple[tuple[FaultDetail, ...], str]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return (FaultDetail(code='', message=_snippet(body)),), ''
    fault_type = ''
    errors: list[FaultDetail] = []
    for element in root.iter():
        if _local(element.tag) == 'Fault':
            fault_type = element.get('type', '')
        elif _local(element.tag) == 'Error':
            children = {_local(child.tag): (child.text or '').strip() for child in element}
            errors.append(FaultDetail(code=element.get('code', ''), message=children.get('Message', ''),
                                      detail=children.get('Detail', ''), element=element.get('element', '')))
    return tuple(errors), fault_type


def _local(tag: str) -> str:
    return tag.rsplit('}', 1)[-1]


def _snippet(body: bytes) -> str:
    return body[:300].decode('utf-8', errors='replace').strip()
