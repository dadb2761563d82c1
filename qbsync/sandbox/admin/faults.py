"""``/_sandbox/faults``: switch fault injection knobs over HTTP (benchmarks, a second process, the demo).

Answers 404 unless ``SandboxConfig.fault_injection`` is on, so a sandbox started without it cannot be made to
fail by anyone who finds the URL. Python callers use ``state.faults`` and ``state.grants`` directly.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from ..faults_injection import FaultKind, FaultSettings, FaultStatus
from ..state import SandboxState

__all__ = ['router']

router = APIRouter(prefix='/faults', tags=['sandbox faults'])  # under /_sandbox (admin/__init__)


class SettingsIn(BaseModel):
    rates: dict[FaultKind, float] = Field(default_factory=dict)
    latency_ms: int = Field(default=0, ge=0)
    seed: int | None = None


class ArmIn(BaseModel):
    kind: FaultKind
    count: int = Field(default=1, ge=1, le=10_000)


class RevokeIn(BaseModel):
    client_id: str


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    if not state.config.fault_injection:
        raise HTTPException(404, 'fault injection is off (SandboxConfig.fault_injection)')
    return state


def _view(status: FaultStatus) -> dict[str, Any]:
    settings = status.settings
    return {'enabled': True, 'rates': settings.rates, 'latency_ms': settings.latency_ms, 'seed': settings.seed,
            'armed': status.armed, 'injected': status.injected}


@router.get('')
def show(request: Request) -> dict[str, Any]:
    return _view(_state(request).faults.status())


@router.put('')
def configure(request: Request, body: SettingsIn) -> dict[str, Any]:
    state = _state(request)
    try:
        state.faults.configure(FaultSettings(rates=dict(body.rates), latency_ms=body.latency_ms, seed=body.seed))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return _view(state.faults.status())


@router.post('/arm')
def arm(request: Request, body: ArmIn) -> dict[str, Any]:
    state = _state(request)
    state.faults.arm(body.kind, body.count)
    return _view(state.faults.status())


@router.post('/reset')
def reset(request: Request) -> dict[str, Any]:
    state = _state(request)
    state.faults.reset()
    return _view(state.faults.status())


@router.post('/realms/{realm_id}/expire-tokens')
def expire_tokens(request: Request, realm_id: str) -> dict[str, int]:
    """Every access token for the company expires now: the next API call gets 401 and the client must refresh."""
    return {'expired': _state(request).grants.expire_access_tokens(realm_id)}


@router.post('/realms/{realm_id}/revoke')
def revoke(request: Request, realm_id: str, body: RevokeIn) -> dict[str, bool]:
    """The user disconnected the app in QuickBooks: API calls 401, refresh answers invalid_grant."""
    return {'revoked': _state(request).grants.revoke_grant(realm_id, body.client_id)}
