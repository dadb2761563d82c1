"""Every shape Intuit reports a failure in becomes the right typed exception, with code, element and detail."""
from __future__ import annotations

import json

import pytest

from qbsync.quickbooks.errors import (AuthenticationError, AuthorizationError, DuplicateNameError, ObjectNotFoundError,
                                      OAuthError, ReconnectRequired, ServerError, StaleObjectError, ThrottledError,
                                      ValidationFault, fault_from_envelope, fault_from_response,
                                      oauth_error_from_response)


def _fault(code: str, message: str, detail: str = '', element: str = '', type_: str = 'ValidationFault') -> bytes:
    return json.dumps({'Fault': {'Error': [{'Message': message, 'Detail': detail, 'code': code, 'element': element}],
                                 'type': type_}, 'time': '2026-01-15T09:00:00.000-08:00'}).encode()


@pytest.mark.parametrize(('code', 'cls'), [('5010', StaleObjectError), ('6240', DuplicateNameError),
                                           ('610', ObjectNotFoundError), ('2020', ValidationFault),
                                           ('6000', ValidationFault)])
def test_validation_codes_map_to_their_classes(code: str, cls: type) -> None:
    error = fault_from_response(400, _fault(code, 'Something', 'Because', 'DisplayName'), intuit_tid='1-abc')
    assert type(error) is cls
    assert isinstance(error, ValidationFault)
    assert (error.code, error.element, error.detail, error.status, error.intuit_tid) == \
        (code, 'DisplayName', 'Because', 400, '1-abc')
    assert code in str(error)


def test_lowercase_401_body_is_an_authentication_error() -> None:
    body = json.dumps({'warnings': None, 'fault': {'error': [{
        'message': 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
        'detail': 'Token expired: 2026-01-15', 'code': '3200', 'element': None}], 'type': 'AUTHENTICATION'},
        'time': 1633520295688}).encode()
    error = fault_from_response(401, body)
    assert isinstance(error, AuthenticationError)
    assert (error.code, error.detail, error.fault_type) == ('3200', 'Token expired: 2026-01-15', 'AUTHENTICATION')


def test_403_authorization_and_bare_statuses() -> None:
    assert isinstance(fault_from_response(403, _fault('3100', 'message=AuthorizationFailed', type_='SERVICE')),
                      AuthorizationError)
    assert isinstance(fault_from_response(401, b''), AuthenticationError)
    assert isinstance(fault_from_response(503, b'<html>Service Unavailable</html>'), ServerError)
    assert isinstance(fault_from_response(500, _fault('10000', 'An application error has occurred')), ServerError)


def test_throttle_in_json_and_in_xml() -> None:
    assert isinstance(fault_from_response(429, _fault('3001', 'message=ThrottleExceeded', type_='SERVICE')),
                      ThrottledError)
    xml = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<IntuitResponse '
           b'xmlns="http://schema.intuit.com/finance/v3" time="2026-01-15T09:00:00.000-08:00"><Fault type="SERVICE">'
           b'<Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>'
           b'<Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>')
    error = fault_from_response(429, xml)
    assert isinstance(error, ThrottledError)
    assert (error.code, error.fault_type) == ('3001', 'SERVICE')
    assert error.detail.startswith('The request limit was reached')


def test_fault_in_a_200_and_in_a_batch_item() -> None:
    assert isinstance(fault_from_response(200, _fault('6240', 'Duplicate Name Exists Error')), DuplicateNameError)
    item = {'Error': [{'Message': 'Stale Object Error', 'code': '5010'}], 'type': 'ValidationFault'}
    assert isinstance(fault_from_envelope(item), StaleObjectError)


def test_several_errors_are_all_kept() -> None:
    body = json.dumps({'Fault': {'Error': [{'Message': 'A', 'code': '2020', 'element': 'Line'},
                                           {'Message': 'B', 'code': '2050', 'element': 'DocNumber'}],
                                 'type': 'ValidationFault'}}).encode()
    error = fault_from_response(400, body)
    assert [e.element for e in error.errors] == ['Line', 'DocNumber']


def test_token_endpoint_errors() -> None:
    dead = oauth_error_from_response(400, b'{"error":"invalid_grant","error_description":"Token invalid"}')
    assert isinstance(dead, ReconnectRequired)
    assert (dead.error, dead.description) == ('invalid_grant', 'Token invalid')
    other = oauth_error_from_response(401, b'{"error":"invalid_client"}')
    assert type(other) is OAuthError and other.error == 'invalid_client'
    gateway = oauth_error_from_response(502, b'<html>Bad gateway</html>')
    assert type(gateway) is OAuthError and gateway.error == 'server_error'
