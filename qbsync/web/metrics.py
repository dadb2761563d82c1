"""/metrics for Prometheus: the operator rule of ``access.is_trusted_caller`` (loopback or QBSYNC_HEALTH_TOKEN)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from ..operations.metrics import CONTENT_TYPE
from .access import is_trusted_caller

if TYPE_CHECKING:
    from ..services import Services

__all__ = ['build_router']


def build_router(services: Services) -> APIRouter:
    router = APIRouter()

    @router.get('/metrics')
    async def metrics(request: Request) -> Response:
        if not is_trusted_caller(request, services.settings.health_token):
            return PlainTextResponse('metrics are served to loopback callers, or with Authorization: Bearer '
                                     '<QBSYNC_HEALTH_TOKEN>\n', status_code=403)
        if not services.started:
            return PlainTextResponse('starting\n', status_code=503)
        return Response(await services.metrics.render(services), media_type=CONTENT_TYPE)

    return router
