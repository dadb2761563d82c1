"""FastAPI application factory for the sandbox; the same app serves standalone and mounted under /sandbox."""
from __future__ import annotations

import uuid

from fastapi import FastAPI, Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from .gate import ApiGate
from .state import SandboxConfig, SandboxState

__all__ = ['create_sandbox_app']


def create_sandbox_app(state: SandboxState | SandboxConfig | None = None) -> FastAPI:
    """Build the sandbox app around ``state`` (or a fresh state from a config)."""
    if not isinstance(state, SandboxState):
        state = SandboxState(state)
    app = FastAPI(title='QuickBooks Online sandbox', docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = state
    app.add_middleware(ApiGate, state=state)  # inside _IntuitTid, so throttled and injected answers carry it too
    app.add_middleware(_IntuitTid)
    from .oauth.routes import router as oauth_router
    from .accounting.bulk_routes import router as bulk_router
    from .accounting.routes import router as accounting_router
    from .admin import router as admin_router
    app.include_router(oauth_router)
    app.include_router(bulk_router)  # before the entity routes: their POST /{entity} would take /batch
    from .accounting.upload_routes import router as upload_router
    app.include_router(upload_router)  # /upload and /download, before the entity routes too
    from .accounting.service_routes import router as service_router
    app.include_router(service_router)  # GET /exchangerate, POST /taxservice/taxcode
    app.include_router(accounting_router)
    if state.config.admin_api:
        app.include_router(admin_router)
    from .accounting.fallback_routes import router as fallback_router
    app.include_router(fallback_router)   # last: Intuit's fault for any path or method the API does not offer
    return app


class _IntuitTid(BaseHTTPMiddleware):
    """Every Intuit response carries an ``intuit_tid`` header that support staff ask for."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers['intuit_tid'] = f'1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}'
        return response
