"""Admin endpoints for apps and grants: register apps, give consent headlessly, mint tokens for scripts.

``POST /_sandbox/tokens`` runs the same consent and code exchange as a browser would, so a script or a test gets
the token endpoint's JSON for a realm without a browser; it authenticates with the app's own secret.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from ..oauth.authorize import AuthorizeError, choose_company, decide, validate_authorization_request
from ..oauth.discovery import issuer_url
from ..oauth.grants import ACCOUNTING_SCOPE, TokenError
from ..oauth.routes import base_url_of, sandbox_of, token_error_response, token_response

__all__ = ['router']

router = APIRouter(tags=['sandbox apps'])


class AppIn(BaseModel):
    client_id: str
    client_secret: str
    name: str | None = None
    redirect_uris: list[str] = Field(min_length=1)
    webhook_url: str | None = None
    verifier_token: str | None = None
    webhook_format: Literal['legacy', 'cloudevents'] = 'legacy'
    throttling: bool = True
    webhook_entities: list[str] | None = None   # None: all; e.g. ["Invoice", "Customer.Merge"]
    overwrite: bool = False                      # replacing an existing app's settings must be asked for


class ConsentIn(BaseModel):
    client_id: str
    redirect_uri: str | None = None     # default: the app's first registered redirect URI
    scope: str = ACCOUNTING_SCOPE
    state: str | None = None
    realm_id: str | None = None         # default: the first company; 'new' creates one
    decision: Literal['allow', 'deny'] = 'allow'


class TokensIn(BaseModel):
    client_id: str
    client_secret: str
    realm_id: str | None = None
    scope: str = ACCOUNTING_SCOPE


class GrantIn(BaseModel):
    realm_id: str
    client_id: str | None = None


@router.post('/apps', status_code=201)
async def register_app(request: Request, app_in: AppIn) -> JSONResponse:
    registry = sandbox_of(request).apps
    if registry.get(app_in.client_id.strip()) is not None and not app_in.overwrite:
        return JSONResponse({'error': 'conflict', 'error_description': f'An app {app_in.client_id} exists; send '
                             '"overwrite": true to replace its settings'}, status_code=409)
    try:
        app = registry.register(**app_in.model_dump(exclude={'overwrite'}))
    except ValueError as error:
        return _bad_request(str(error))
    return JSONResponse(app.public_view(), status_code=201)


@router.get('/apps')
async def list_apps(request: Request) -> list[dict[str, object]]:
    return [app.public_view() for app in sandbox_of(request).apps.all()]


@router.get('/apps/{client_id}')
async def get_app(request: Request, client_id: str) -> Response:
    app = sandbox_of(request).apps.get(client_id)
    if app is None:
        return JSONResponse({'error': 'not_found', 'error_description': f'No app {client_id}'}, status_code=404)
    return JSONResponse(app.public_view())


@router.post('/consent')
async def consent(request: Request, consent_in: ConsentIn) -> JSONResponse:
    """What the browser would be redirected to had the user pressed Connect (allow) or Cancel (deny)."""
    sandbox = sandbox_of(request)
    app = sandbox.apps.get(consent_in.client_id)
    redirect_uri = consent_in.redirect_uri or (app.redirect_uris[0] if app else None)
    try:
        auth = validate_authorization_request(sandbox.apps, client_id=consent_in.client_id, response_type='code',
                                              scope=consent_in.scope, redirect_uri=redirect_uri,
                                              state=consent_in.state)
        allow = consent_in.decision == 'allow'
        realm_id = choose_company(sandbox.companies, consent_in.realm_id) if allow and auth.needs_company else None
    except AuthorizeError as error:
        if error.redirect_uri:
            return JSONResponse({'redirect_url': error.redirect_url()})
        return _bad_request(error.description, error.error)
    except ValueError as error:
        return _bad_request(str(error))
    return JSONResponse({'redirect_url': decide(sandbox.grants, auth, allow=allow, realm_id=realm_id)})


@router.post('/tokens')
async def tokens(request: Request, tokens_in: TokensIn) -> JSONResponse:
    """Consent + code exchange in one call; the token endpoint's JSON plus ``realmId``."""
    sandbox = sandbox_of(request)
    app = sandbox.apps.authenticate(tokens_in.client_id, tokens_in.client_secret)
    if app is None:
        return token_error_response(TokenError('invalid_client', 'Client authentication failed', status=401))
    try:
        auth = validate_authorization_request(sandbox.apps, client_id=app.client_id, response_type='code',
                                              scope=tokens_in.scope, redirect_uri=app.redirect_uris[0], state=None)
        realm_id = choose_company(sandbox.companies, tokens_in.realm_id) if auth.needs_company else None
    except AuthorizeError as error:
        return _bad_request(error.description, error.error)
    except ValueError as error:
        return _bad_request(str(error))
    issued = sandbox.grants.connect(app.client_id, realm_id, auth.scopes, issuer=issuer_url(base_url_of(request)))
    return token_response(issued, request, realmId=realm_id)


@router.get('/grants')
async def list_grants(request: Request, realm_id: str | None = None) -> list[dict[str, object]]:
    """Live grants (never their tokens): who is connected to which company, and until when."""
    return [{'client_id': g.client_id, 'realm_id': g.realm_id, 'scopes': list(g.scopes),
             'created_at': g.created_at.isoformat(), 'refresh_expires_at': g.refresh_expires_at.isoformat(),
             'hard_expires_at': g.hard_expires_at.isoformat()} for g in sandbox_of(request).grants.grants(realm_id)]


@router.post('/grants/expire-access-tokens')
async def expire_access_tokens(request: Request, grant_in: GrantIn) -> dict[str, int]:
    """Every access token for the realm expires now, so the next API call answers 401 (refresh-path tests)."""
    return {'expired': sandbox_of(request).grants.expire_access_tokens(grant_in.realm_id)}


@router.post('/grants/revoke')
async def revoke_grants(request: Request, grant_in: GrantIn) -> Response:
    """Disconnect an app from a company, as the user would from QuickBooks' app settings."""
    if not grant_in.client_id:
        return _bad_request('client_id is required')
    revoked = sandbox_of(request).grants.revoke_grant(grant_in.realm_id, grant_in.client_id)
    return JSONResponse({'revoked': revoked})


def _bad_request(description: str, error: str = 'invalid_request') -> JSONResponse:
    return JSONResponse({'error': error, 'error_description': description}, status_code=400)
