"""Endpoints that are not an entity's CRUD: ``GET /exchangerate`` (a rate by currency and date) and
``POST /taxservice/taxcode`` (a tax code with its rates). ``POST /exchangerate`` is the ordinary entity write."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from .entities.rates import exchange_rate
from .routes import BASE, api_call, json_body
from .store import Company
from .taxservice import create_tax_code

__all__ = ['router']

router = APIRouter()


@router.get(BASE + '/exchangerate')
async def read_exchange_rate(request: Request, realm_id: str) -> Response:
    params = {k.lower(): v for k, v in request.query_params.items()}

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        return 200, {'ExchangeRate': exchange_rate(company, params.get('sourcecurrencycode'), params.get('asofdate'))}
    return await api_call(request, realm_id, run, replayable=False)


@router.post(BASE + '/taxservice/taxcode')
async def tax_service(request: Request, realm_id: str) -> Response:
    raw = await request.body()

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        return 200, create_tax_code(company, json_body(raw))
    return await api_call(request, realm_id, run, replayable=True)
