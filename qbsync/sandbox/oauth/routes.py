"""Intuit's OAuth 2.0 endpoints on Intuit's paths: discovery, JWKS, authorize + consent, token, revoke, userinfo."""
from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .authorize import AuthorizeError, ConsentTickets, choose_company, decide, validate_authorization_request
from .consent import render_consent, render_error
from .discovery import (AUTHORIZE_PATH, JWKS_PATH, LEGACY_REVOKE_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH,
                        discovery_document, issuer_url, sandbox_base_url)
from .grants import ApiAccessDenied, IssuedTokens, TokenError
from .registry import AppRegistry, RegisteredApp

if TYPE_CHECKING:
    from ..state import SandboxState

__all__ = ['router', 'sandbox_of', 'base_url_of', 'authenticate_client', 'token_response', 'wants_hard_expiry',
           'token_error_response']

router = APIRouter()
BROWSER_COOKIE = 'qbsandbox_browser'
HARD_EXPIRY_HEADER = 'x-include-refresh-token-hard-expires-in'
_NO_STORE = {'Cache-Control': 'no-store', 'Pragma': 'no-cache'}


def sandbox_of(request: Request) -> SandboxState:
    return request.app.state.sandbox


def base_url_of(request: Request) -> str:
    return sandbox_base_url(request, sandbox_of(request).config.public_base_url)


@router.get('/.well-known/openid_sandbox_configuration')
@router.get('/.well-known/openid_sandbox_configuration/')
@router.get('/.well-known/openid_configuration')
@router.get('/.well-known/openid_configuration/')
async def discovery(request: Request) -> JSONResponse:
    return JSONResponse(discovery_document(base_url_of(request)))


@router.get(JWKS_PATH)
async def jwks(request: Request) -> JSONResponse:
    return JSONResponse(sandbox_of(request).grants.keys.jwks())


@router.get(AUTHORIZE_PATH)
async def authorize(request: Request) -> Response:
    sandbox = sandbox_of(request)
    query = request.query_params
    try:
        auth = validate_authorization_request(
            sandbox.apps, client_id=query.get('client_id'), response_type=query.get('response_type'),
            scope=query.get('scope'), redirect_uri=query.get('redirect_uri'), state=query.get('state'))
    except AuthorizeError as error:
        if error.redirect_uri:
            return RedirectResponse(error.redirect_url(), status_code=302)
        return _error_page("This app can't connect to QuickBooks", error.description)
    browser_id = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(24)
    ticket = ConsentTickets(sandbox.grants.keys, sandbox.clock).issue(auth, browser_id)
    action = _root_path(request) + AUTHORIZE_PATH
    html = render_consent(auth, sandbox.companies.realms(), ticket, action, sandbox.grants.user)
    response = HTMLResponse(html, headers={**_NO_STORE, 'X-Frame-Options': 'DENY'})
    response.set_cookie(BROWSER_COOKIE, browser_id, path=action, httponly=True, samesite='lax',
                        secure=request.url.scheme == 'https')
    return response


@router.post(AUTHORIZE_PATH)
async def consent_decision(request: Request) -> Response:
    """The consent form's Connect or Cancel: back to the app with a code, or with ``error=access_denied``."""
    sandbox = sandbox_of(request)
    form = await request.form()
    decision = form.get('decision')
    try:
        auth = ConsentTickets(sandbox.grants.keys, sandbox.clock).open(
            sandbox.apps, str(form.get('consent_ticket') or ''), request.cookies.get(BROWSER_COOKIE))
        if decision not in {'allow', 'deny'}:
            raise ValueError('Choose Connect or Cancel.')
        realm_id = None
        if decision == 'allow' and auth.needs_company:
            realm_id = choose_company(sandbox.companies, str(form.get('realm_id') or '') or None)
    except AuthorizeError as error:
        return _error_page("This app can't connect to QuickBooks", error.description)
    except ValueError as error:
        return _error_page('Something went wrong', str(error))
    return RedirectResponse(decide(sandbox.grants, auth, allow=decision == 'allow', realm_id=realm_id),
                            status_code=302)


@router.post(TOKEN_PATH)
async def token(request: Request) -> Response:
    sandbox = sandbox_of(request)
    try:
        if _media_type(request) != 'application/x-www-form-urlencoded':
            raise TokenError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded')
        form = {key: str(value) for key, value in (await request.form()).items()}
        app = authenticate_client(sandbox.apps, request.headers.get('authorization'), form)
        grant_type = form.get('grant_type')
        if grant_type == 'authorization_code':
            tokens = sandbox.grants.exchange_code(app.client_id, _required(form, 'code'), form.get('redirect_uri'),
                                                  issuer=issuer_url(base_url_of(request)))
        elif grant_type == 'refresh_token':
            tokens = sandbox.grants.refresh(app.client_id, _required(form, 'refresh_token'))
        elif not grant_type:
            raise TokenError('invalid_request', 'grant_type is required')
        else:
            raise TokenError('unsupported_grant_type', f'grant_type {grant_type} is not supported')
    except TokenError as error:
        return token_error_response(error)
    return token_response(tokens, request)


@router.post(REVOKE_PATH)
@router.post(LEGACY_REVOKE_PATH)
async def revoke(request: Request) -> Response:
    """Kill the grant behind a refresh or access token; 200 with no body, also for unknown tokens (RFC 7009)."""
    sandbox = sandbox_of(request)
    try:
        fields = await _json_or_form(request)
        app = authenticate_client(sandbox.apps, request.headers.get('authorization'), fields)
        sandbox.grants.revoke(app.client_id, _required(fields, 'token'))
    except TokenError as error:
        return token_error_response(error)
    return Response(status_code=200, headers=_NO_STORE)


@router.get(USERINFO_PATH)
async def userinfo(request: Request) -> JSONResponse:
    """Claims about the signed-in user; needs an access token granted with ``openid`` (UNCONFIRMED status: 403)."""
    grants = sandbox_of(request).grants
    try:
        grant = grants.grant_for_bearer(request.headers.get('authorization'))
    except ApiAccessDenied as denied:
        return JSONResponse({'error': 'invalid_token', 'error_description': denied.detail}, status_code=401,
                            headers={'WWW-Authenticate': 'Bearer error="invalid_token"'})
    if 'openid' not in grant.scopes:
        return JSONResponse({'error': 'insufficient_scope', 'error_description': 'The openid scope was not granted'},
                            status_code=403, headers={'WWW-Authenticate': 'Bearer error="insufficient_scope"'})
    return JSONResponse(grants.user.userinfo(grant.scopes))


def authenticate_client(apps: AppRegistry, authorization: str | None, fields: Mapping[str, str]) -> RegisteredApp:
    """client_secret_basic (Intuit's way) or client_secret_post; 401 ``invalid_client`` when neither checks out."""
    scheme, _, credentials = (authorization or '').strip().partition(' ')
    if scheme.lower() == 'basic':
        try:
            client_id, _, secret = base64.b64decode(credentials.strip(), validate=True).decode().partition(':')
        except (binascii.Error, UnicodeDecodeError):
            raise TokenError('invalid_client', 'Malformed Basic authorization header', status=401) from None
        # RFC 6749 2.3.1 form-encodes both parts first; Intuit's own clients do not. Accept either.
        app = apps.authenticate(client_id, secret) or apps.authenticate(unquote_plus(client_id), unquote_plus(secret))
    elif fields.get('client_id') and fields.get('client_secret'):
        app = apps.authenticate(fields['client_id'], fields['client_secret'])
    else:
        raise TokenError('invalid_client', 'Client authentication is required', status=401)
    if app is None:
        raise TokenError('invalid_client', 'Client authentication failed', status=401)
    return app


def wants_hard_expiry(request: Request) -> bool:
    return request.headers.get(HARD_EXPIRY_HEADER, '').strip().lower() == 'true'


def token_response(tokens: IssuedTokens, request: Request, **extra: object) -> JSONResponse:
    body = tokens.body(include_hard_expiry=wants_hard_expiry(request))
    return JSONResponse({**body, **extra}, headers=_NO_STORE)


def token_error_response(error: TokenError) -> JSONResponse:
    headers = dict(_NO_STORE)
    if error.status == 401:
        headers['WWW-Authenticate'] = 'Basic realm="QuickBooks sandbox"'
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


async def _json_or_form(request: Request) -> dict[str, str]:
    """Revoke's body: JSON ``{"token": ...}`` as Intuit documents, or a form as RFC 7009 clients send."""
    media_type = _media_type(request)
    if media_type == 'application/x-www-form-urlencoded':
        return {key: str(value) for key, value in (await request.form()).items()}
    if media_type == 'application/json':
        try:
            fields = json.loads(await request.body())
        except ValueError:
            raise TokenError('invalid_request', 'The body is not valid JSON') from None
        if isinstance(fields, dict):
            return {key: value for key, value in fields.items() if isinstance(value, str)}
        raise TokenError('invalid_request', 'The body must be a JSON object')
    raise TokenError('invalid_request', 'Content-Type must be application/json')


def _required(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name)
    if not value:
        raise TokenError('invalid_request', f'{name} is required')
    return value


def _media_type(request: Request) -> str:
    return request.headers.get('content-type', '').split(';')[0].strip().lower()


def _root_path(request: Request) -> str:
    return (request.scope.get('root_path', '') or '').rstrip('/')


def _error_page(title: str, message: str) -> HTMLResponse:
    return HTMLResponse(render_error(title, message), status_code=400, headers=_NO_STORE)
