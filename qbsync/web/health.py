"""/healthz: what a container orchestrator or an uptime check needs to know."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..services import Services

__all__ = ['build_router']


def build_router(services: Services) -> APIRouter:
    router = APIRouter()

    @router.get('/healthz')
    async def healthz() -> JSONResponse:
        report = await services.health()
        return JSONResponse(report, status_code=200 if report['status'] == 'ok' else 503)

    return router
