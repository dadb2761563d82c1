"""OpenID discovery documents, in the shape Intuit publishes, with every URL on the sandbox's own host.

Intuit's sandbox and production documents differ only in the userinfo host (qbo-api.md 1.1); the sandbox serves
one userinfo endpoint, so both documents name it. Paths are Intuit's, so a client swaps only the host.
"""
from __future__ import annotations

from starlette.requests import Request

__all__ = ['sandbox_base_url', 'issuer_url', 'discovery_document', 'AUTHORIZE_PATH', 'TOKEN_PATH', 'REVOKE_PATH',
           'LEGACY_REVOKE_PATH', 'USERINFO_PATH', 'JWKS_PATH', 'ISSUER_PATH']

AUTHORIZE_PATH = '/connect/oauth2'
TOKEN_PATH = '/oauth2/v1/tokens/bearer'
REVOKE_PATH = '/v2/oauth2/tokens/revoke'
LEGACY_REVOKE_PATH = '/oauth2/v1/tokens/revoke'  # what many third-party clients call instead of the discovery URL
USERINFO_PATH = '/v1/openid_connect/userinfo'
ISSUER_PATH = '/op/v1'
JWKS_PATH = '/op/v1/jwks'


def sandbox_base_url(request: Request, public_base_url: str | None) -> str:
    """The configured public URL, else scheme and host of this request plus the mount prefix (``/sandbox``).

    ``root_path`` and not ``request.base_url``: Starlette builds the latter from the *outermost* app's root path,
    which drops the prefix of a mounted sub-application.
    """
    if public_base_url:
        return public_base_url.rstrip('/')
    root_path = request.scope.get('root_path', '') or ''
    return f'{request.url.scheme}://{request.url.netloc}{root_path}'.rstrip('/')


def issuer_url(base_url: str) -> str:
    return f'{base_url}{ISSUER_PATH}'


def discovery_document(base_url: str) -> dict[str, object]:
    return {
        'issuer': issuer_url(base_url),
        'authorization_endpoint': f'{base_url}{AUTHORIZE_PATH}',
        'token_endpoint': f'{base_url}{TOKEN_PATH}',
        'userinfo_endpoint': f'{base_url}{USERINFO_PATH}',
        'revocation_endpoint': f'{base_url}{REVOKE_PATH}',
        'jwks_uri': f'{base_url}{JWKS_PATH}',
        'response_types_supported': ['code'],
        'subject_types_supported': ['public'],
        'id_token_signing_alg_values_supported': ['RS256'],
        'scopes_supported': ['openid', 'email', 'profile', 'address', 'phone'],
        'token_endpoint_auth_methods_supported': ['client_secret_post', 'client_secret_basic'],
        'claims_supported': ['aud', 'exp', 'iat', 'iss', 'realmid', 'sub'],
    }
