"""``GET /cdc`` and ``POST /batch``: the bulk endpoints, on the same call path as every other API route.

Bearer check, company lookup, ``requestid`` replay (a batch with a requestid replays its whole answer) and the
envelope ``time`` come from ``routes.api_call``; this module only parses the two requests. Included before the
entity routes, whose ``POST /{entity}`` would otherwise take ``/batch`` for an entity name.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from .batch import run_batch
from .cdc import change_data_capture, parse_cdc_request
from .routes import BASE, api_call, json_body
from .store import Company

__all__ = ['router']

router = APIRouter()


@router.get(BASE + '/cdc')
async def cdc(request: Request, realm_id: str) -> Response:
    params = request.query_params

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        cdc_request = parse_cdc_request(company, params.get('entities'), params.get('changedSince'))
        return 200, {'CDCResponse': change_data_capture(company, cdc_request)}
    return await api_call(request, realm_id, run, replayable=False)


@router.post(BASE + '/batch')
async def batch(request: Request, realm_id: str) -> Response:
    raw = await request.body()

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        body = json_body(raw)
        return 200, {'BatchItemResponse': run_batch(company, body, request.query_params.get('requestid'))}
    return await api_call(request, realm_id, run, replayable=True)
