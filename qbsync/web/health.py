"""/healthz: what a container orchestrator or an uptime check needs to know, and no more than that for strangers.

The public answer is ``{"status": "ok"}`` or ``{"status": "degraded"}`` (with 200/503); the details (database
latency, scheduler jobs) go to a caller on this machine or one with ``QBSYNC_HEALTH_TOKEN`` (``is_trusted_caller``).
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..services import Services
from .access import is_trusted_caller

__all__ = ['build_router']


def build_router(services: Services) -> APIRouter:
    router = APIRouter()

    @router.get('/healthz')
    async def healthz(request: Request) -> JSONResponse:
        report = await services.health()
        status = 200 if report['status'] == 'ok' else 503
        if not is_trusted_caller(request, services.settings.health_token):
            report = {'status': report['status']}
        return JSONResponse(report, status_code=status, headers={'cache-control': 'no-store'})

    return router
