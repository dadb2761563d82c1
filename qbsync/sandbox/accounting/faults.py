"""Intuit's error envelopes: the ``Fault`` body most errors use, and the different lowercase body of a 401.

Entity rules raise ``QBOFault``; the routes turn it into a response with ``fault_body``. Builders exist per code so
that the Message/Detail wording lives in one place (qbo-api.md section 8).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    'FaultError', 'QBOFault', 'fault_body', 'authentication_body', 'authorization_fault',
    'object_not_found', 'required_param', 'string_length', 'invalid_reference', 'invalid_number', 'invalid_date',
    'invalid_enum', 'invalid_id', 'stale_object', 'duplicate_name', 'duplicate_doc_num', 'business_validation',
    'inactive_customer', 'no_name', 'amount_mismatch', 'delete_has_balance', 'unsupported_operation',
    'invalid_object_name', 'invalid_request_id', 'query_parse_error', 'query_invalid', 'system_failure',
    'invalid_characters', 'request_body_error', 'tax_detail_not_applicable', 'invalid_email', 'no_email_address',
    'email_limit_reached', 'merge_refused', 'deposited_transaction', 'unbalanced',
]


@dataclass(frozen=True)
class FaultError:
    code: str
    message: str
    detail: str
    element: str = ''

    def as_json(self) -> dict[str, Any]:
        return {'Message': self.message, 'Detail': self.detail, 'code': self.code, 'element': self.element}


@dataclass
class QBOFault(Exception):
    """An Intuit fault: HTTP status, one or more errors, and the Fault ``type``."""

    errors: list[FaultError]
    status: int = 400
    type: str = 'ValidationFault'
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return '; '.join(f'{e.code} {e.message}: {e.detail}' for e in self.errors)

    @property
    def code(self) -> str:
        return self.errors[0].code


def fault_body(fault: QBOFault, time: str) -> dict[str, Any]:
    return {'Fault': {'Error': [e.as_json() for e in fault.errors], 'type': fault.type}, 'time': time}


def authentication_body(detail: str, time_ms: int) -> dict[str, Any]:
    """The 401 body: lowercase keys, ``time`` in epoch milliseconds (captured in routablehq/python-quickbooks#250)."""
    return {
        'warnings': None, 'intuitObject': None,
        'fault': {'error': [{'message': 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
                             'detail': detail, 'code': '3200', 'element': None}], 'type': 'AUTHENTICATION'},
        'report': None, 'queryResponse': None, 'batchItemResponse': [], 'attachableResponse': [],
        'syncErrorResponse': None, 'requestId': None, 'time': time_ms, 'status': None, 'cdcresponse': [],
    }


def _one(code: str, message: str, detail: str, element: str = '', status: int = 400,
         type_: str = 'ValidationFault') -> QBOFault:
    return QBOFault([FaultError(code, message, detail, element)], status=status, type=type_)


def authorization_fault(detail: str) -> QBOFault:
    return _one('3100', 'message=AuthorizationFailed; errorCode=003100; statusCode=403', detail, status=403,
                type_='SERVICE')


def object_not_found(entity: str, entity_id: str) -> QBOFault:
    return _one('610', 'Object Not Found',
                f'Object Not Found : Something you\'re trying to use has been made inactive. Check the fields with '
                f'accounts, customers, items, vendors or employees. ({entity} Id {entity_id})')


def required_param(element: str, detail: str | None = None) -> QBOFault:
    return _one('2020', 'Required param missing, need to supply the required value for the API',
                detail or f'Required parameter {element} is missing in the request', element)


def string_length(element: str, maximum: int, supplied: int) -> QBOFault:
    return _one('2050', 'String length is either shorter or longer than supported by specification',
                f'String length specified does not match the supported length. {element}: Min:0 Max:{maximum} '
                f'supported. Supplied length:{supplied}', element)


def invalid_characters(element: str, value: str) -> QBOFault:
    return _one('2040', 'Invalid String',
                f'String contains invalid characters. {element} cannot contain a colon, tab or newline: {value!r}',
                element)


def invalid_number(element: str, value: Any) -> QBOFault:
    return _one('2090', 'Invalid Number', f'Invalid Number : {element} : {value}', element)


def invalid_date(element: str, value: Any) -> QBOFault:
    return _one('2080', 'Invalid Date', f'Invalid Date : {element} : {value}', element)


def invalid_enum(element: str, value: Any) -> QBOFault:
    return _one('2170', 'Invalid Enumeration', f'Invalid Enumeration : {value} for {element}', element)


def invalid_id(element: str, value: Any) -> QBOFault:
    return _one('2030', 'Invalid ID', f'Id should be a valid number. Supplied value:{value}', element)


def invalid_reference(element: str, entity: str, value: Any) -> QBOFault:
    return _one('2500', 'Invalid Reference Id',
                f'Invalid Reference Id : {entity} assigned to this transaction has been deleted or does not '
                f'exist. Id: {value}', element)


def stale_object(entity: str, entity_id: str, supplied: str, current: str) -> QBOFault:
    return _one('5010', 'Stale Object Error',
                f'Stale Object Error : You and another user were working on {entity} {entity_id} at the same time. '
                f'The other user finished before you did, so your work was not saved. '
                f'SyncToken supplied: {supplied}, current: {current}')


def duplicate_name(kind: str) -> QBOFault:
    detail = {
        'person': 'The name supplied already exists. : Another customer, vendor or employee is already using '
                  'this name. Please use a different name.',
    }.get(kind, f'The name supplied already exists. : Another {kind} is already using this name. '
                f'Please use a different name.')
    return _one('6240', 'Duplicate Name Exists Error', detail)


def duplicate_doc_num(txn_type: str, txn_id: str, doc_number: str) -> QBOFault:
    return _one('6140', 'Duplicate Document Number Error',
                f'Duplicate Document Number Error : You must specify a different number. This number has already '
                f'been used. DocNumber={doc_number} is assigned to TxnType={txn_type} with TxnId={txn_id}',
                'DocNumber')


def business_validation(detail: str, element: str = '') -> QBOFault:
    return _one('6000', 'A business validation error has occurred while processing your request',
                f'Business Validation Error: {detail}', element)


def inactive_customer(customer_id: str) -> QBOFault:
    return _one('6250', 'Invalid Customer',
                f'Invalid Customer : The customer (Id {customer_id}) is inactive. Make it active before using it '
                f'on a new transaction.', 'CustomerRef')


def no_name() -> QBOFault:
    return _one('6080', 'No Name Provided',
                'No Name Provided : Please provide a DisplayName or at least one of Title, GivenName, MiddleName, '
                'FamilyName or Suffix.')


def amount_mismatch(line: int, amount: Any, expected: Any) -> QBOFault:
    return _one('6070', 'Amount calculation incorrect in the request',
                f'Amount is not equal to UnitPrice * Qty. Line {line}: Supplied value:{amount}, expected {expected}',
                'Line.Amount')


def tax_detail_not_applicable() -> QBOFault:
    return _one('6170', 'TxnTaxDetail not allowed',
                'TxnTaxDetail is not allowed when GlobalTaxCalculation is NotApplicable.', 'TxnTaxDetail')


def delete_has_balance(entity: str) -> QBOFault:
    return _one('6220', 'Delete List Has Balance Error',
                f'Delete List Has Balance Error : You can\'t make a {entity.lower()} with an open balance inactive.')


def unsupported_operation(detail: str, hint: str = '') -> QBOFault:
    """Intuit's answer to an operation, path or method it does not offer (HTTP 400, code 500)."""
    return _one('500', 'Unsupported Operation', f'Operation {detail} is not supported.{" " + hint if hint else ""}')


def invalid_object_name(name: str) -> QBOFault:
    return _one('2000', 'Invalid object name', f'Invalid object name: {name} is not a supported entity.')


def invalid_request_id(value: str, limit: int = 50, element: str = 'requestid') -> QBOFault:
    return _one('2130', 'Invalid Request Id Format',
                f'{"Request Id" if element == "requestid" else element} should be at most {limit} characters long. '
                f'Supplied length:{len(value)}', element)


def query_parse_error(detail: str) -> QBOFault:
    return _one('4000', 'Error parsing query', f'QueryParserError: {detail}')


def query_invalid(detail: str) -> QBOFault:
    return _one('4001', 'Invalid query', f'QueryValidationError: {detail}')


def request_body_error(detail: str) -> QBOFault:
    return _one('2010', 'Request has invalid or unsupported property',
                f'Request has invalid or unsupported property: {detail}')


def system_failure(detail: str = 'An application error has occurred while processing your request') -> QBOFault:
    return _one('10000', 'An application error has occurred while processing your request',
                f'System Failure Error: {detail}', status=500, type_='SystemFault')


def invalid_email(element: str, value: str) -> QBOFault:
    """A ``sendTo`` (or BillEmail) that is no email address: the 20xx validation family, code 2050 (UNCONFIRMED)."""
    return _one('2050', 'Invalid Email Address',
                f'Invalid Email Address : {element} : "{value}" is not an email address (it needs an @ and a '
                f'domain with a dot).', element)


def no_email_address(entity: str, entity_id: str) -> QBOFault:
    """Send without ``sendTo`` on a document without BillEmail: 2020 on BillEmail (Intuit's code UNCONFIRMED)."""
    return required_param('BillEmail.Address',
                          f'Required parameter BillEmail.Address is missing: {entity} {entity_id} has no billing '
                          f'email address. Set BillEmail or pass sendTo to send it.')


def email_limit_reached(limit: int, day: str) -> QBOFault:
    """The sandbox's daily email limit: 400 with 6000 rather than 429, since retrying the same day cannot succeed
    (Intuit's code for it is UNCONFIRMED)."""
    return business_validation(f'This sandbox company has sent its {limit} emails for {day}, the most a sandbox '
                               f'company may send in a day. Try again tomorrow.')


def merge_refused(detail: str, element: str = '') -> QBOFault:
    """A merge QuickBooks refuses (into itself, across types, into an inactive record...): 6000 with the reason."""
    return business_validation(f'These records can\'t be merged: {detail}', element)


def deposited_transaction(entity: str, entity_id: str, deposit_id: str) -> QBOFault:
    """6540: a payment or receipt on a deposit cannot change until it is taken off the deposit (or it is deleted)."""
    return _one('6540', 'Deposited Transaction Cannot be Changed',
                f'Deposited Transaction Cannot be Changed : This transaction has been deposited. If you want to '
                f'change or delete it, you must edit the deposit it appears on and remove it first. ({entity} '
                f'{entity_id} is on Deposit {deposit_id})')


def unbalanced(debits: Any, credits: Any) -> QBOFault:
    """A journal entry whose debits and credits differ: 6000 (Intuit's exact code and wording are UNCONFIRMED)."""
    return business_validation(f'Transaction is not balanced: debits {debits} and credits {credits} must be equal.',
                               'Line')
