"""The authorization request (``/connect/oauth2``): validation, the consent decision, and the consent-form ticket.

Shared by the browser consent screen and the admin API's headless consent, so both follow the same rules:
an unknown client or an unregistered redirect_uri is shown as an error and never redirected (RFC 6749 4.1.2.1);
a bad ``response_type`` or ``scope`` goes back to the registered redirect_uri with ``error=...`` and ``state``.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..accounting.store import CompanyStore
from ..clock import Clock
from .grants import ACCOUNTING_SCOPE, GrantStore
from .keys import SigningKeys, b64url
from .registry import AppRegistry, RegisteredApp

__all__ = ['SCOPE_DESCRIPTIONS', 'COMPANY_SCOPES', 'CONSENT_TICKET_LIFETIME', 'AuthorizationRequest',
           'AuthorizeError', 'NEW_COMPANY', 'validate_authorization_request', 'choose_company', 'decide',
           'redirect_with', 'ConsentTickets']

# What the consent screen tells the user each scope allows (qbo-api.md 1.2 lists the scopes).
SCOPE_DESCRIPTIONS = {
    ACCOUNTING_SCOPE: 'Manage your QuickBooks Online accounting data',
    'com.intuit.quickbooks.payment': 'Process payments with QuickBooks Payments',
    'com.intuit.quickbooks.payroll': 'Manage your QuickBooks payroll data',
    'com.intuit.quickbooks.payroll.timetracking': 'Manage payroll time tracking',
    'com.intuit.quickbooks.payroll.benefits': 'Manage payroll benefits',
    'com.intuit.quickbooks.payroll.payslip.read': 'Read payslips',
    'openid': 'Sign you in with your Intuit account',
    'profile': 'See your name',
    'email': 'See your email address',
    'phone': 'See your phone number',
    'address': 'See your address',
    'intuit_name': 'See your Intuit user name',
}
# Scopes that act on a company: consent to them picks a realm, and the callback carries ``realmId``.
COMPANY_SCOPES = frozenset(s for s in SCOPE_DESCRIPTIONS if s.startswith('com.intuit.quickbooks.'))
CONSENT_TICKET_LIFETIME = timedelta(minutes=30)
NEW_COMPANY = 'new'  # the company picker's value for "create a new sandbox company"


@dataclass(frozen=True)
class AuthorizationRequest:
    app: RegisteredApp
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None

    @property
    def needs_company(self) -> bool:
        return any(scope in COMPANY_SCOPES for scope in self.scopes)


class AuthorizeError(Exception):
    """A refused authorization request; ``redirect_uri`` is set only when the error may be sent back to the app."""

    def __init__(self, error: str, description: str, redirect_uri: str | None = None,
                 state: str | None = None) -> None:
        super().__init__(f'{error}: {description}')
        self.error = error
        self.description = description
        self.redirect_uri = redirect_uri
        self.state = state

    def redirect_url(self) -> str:
        assert self.redirect_uri is not None, 'only redirectable errors have a redirect URL'
        return redirect_with(self.redirect_uri, error=self.error, error_description=self.description,
                             state=self.state)


def validate_authorization_request(apps: AppRegistry, *, client_id: str | None, response_type: str | None,
                                   scope: str | None, redirect_uri: str | None,
                                   state: str | None) -> AuthorizationRequest:
    app = apps.get(client_id)
    if app is None:
        raise AuthorizeError('invalid_client', 'The client_id is not a registered app')
    if not redirect_uri or redirect_uri not in app.redirect_uris:
        raise AuthorizeError('invalid_request', 'The redirect_uri is not registered for this app')
    if response_type != 'code':
        raise AuthorizeError('unsupported_response_type', 'response_type must be code', redirect_uri, state)
    scopes = tuple(dict.fromkeys((scope or '').split()))
    unknown = [s for s in scopes if s not in SCOPE_DESCRIPTIONS]
    if not scopes or unknown:
        detail = f'Unknown scope: {" ".join(unknown)}' if unknown else 'scope is required'
        raise AuthorizeError('invalid_scope', detail, redirect_uri, state)
    return AuthorizationRequest(app=app, redirect_uri=redirect_uri, scopes=scopes, state=state)


def choose_company(companies: CompanyStore, realm_id: str | None) -> str:
    """The realm to connect: the one named, a new seeded company for ``NEW_COMPANY``, else the first company."""
    if realm_id == NEW_COMPANY:   # a newly created QuickBooks company: nearly empty, as Intuit's are
        return companies.create_company(profile='new').realm_id
    realms = [ref.realm_id for ref in companies.realms()]
    if not realm_id:
        return realms[0] if realms else companies.create_company().realm_id
    if realm_id not in realms:
        raise ValueError(f'There is no sandbox company with realm id {realm_id}')
    return realm_id


def decide(grants: GrantStore, request: AuthorizationRequest, *, allow: bool, realm_id: str | None) -> str:
    """The URL the user's browser goes to after Connect (``code``, ``state``, ``realmId``) or Cancel."""
    if not allow:
        return redirect_with(request.redirect_uri, error='access_denied',
                             error_description='The user denied the request', state=request.state)
    realm = realm_id if request.needs_company else None
    if request.needs_company and not realm:
        raise ValueError('a company must be chosen for company scopes')
    code = grants.issue_code(request.app.client_id, request.redirect_uri, request.scopes, realm)
    return redirect_with(request.redirect_uri, code=code, state=request.state, realmId=realm)


def redirect_with(uri: str, **params: str | None) -> str:
    """``uri`` with ``params`` added to its query (keeping any query it already has); None values are left out."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


class ConsentTickets:
    """The consent form's hidden field: the validated request, signed and bound to the browser that saw the page.

    Binding to a cookie (the ``browser_id``) is what makes the form CSRF-safe: another site can make a browser post
    the form, but cannot read the cookie, and a ticket fetched by the attacker's own browser names another cookie.
    """

    def __init__(self, keys: SigningKeys, clock: Clock) -> None:
        self._keys = keys
        self._clock = clock

    def issue(self, request: AuthorizationRequest, browser_id: str) -> str:
        payload = {'c': request.app.client_id, 'r': request.redirect_uri, 's': ' '.join(request.scopes),
                   'st': request.state, 'b': _digest(browser_id),
                   'exp': int((self._clock.now() + CONSENT_TICKET_LIFETIME).timestamp())}
        body = b64url(json.dumps(payload, separators=(',', ':')).encode())
        return f'{body}.{self._keys.mac(body)}'

    def open(self, apps: AppRegistry, ticket: str, browser_id: str | None) -> AuthorizationRequest:
        """The request a ticket carries, re-validated against the apps as they are now; ValueError if unusable."""
        body, _, mac = (ticket or '').partition('.')
        if not body or not self._keys.mac_matches(body, mac):
            raise ValueError('The consent form is not valid. Start again from the app.')
        payload = json.loads(base64.urlsafe_b64decode(body + '=' * (-len(body) % 4)))
        if not browser_id or payload['b'] != _digest(browser_id):
            raise ValueError('The consent form was opened in another browser session. Start again from the app.')
        if self._clock.now().timestamp() >= payload['exp']:
            raise ValueError('The consent form has expired. Start again from the app.')
        return validate_authorization_request(apps, client_id=payload['c'], response_type='code', scope=payload['s'],
                                              redirect_uri=payload['r'], state=payload['st'])


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]
