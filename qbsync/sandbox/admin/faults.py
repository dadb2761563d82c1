"""``/_sandbox/faults``: switch fault injection knobs over HTTP (benchmarks, a second process, the demo).

Answers 404 unless ``SandboxConfig.fault_injection`` is on, so a sandbox started without it cannot be made to
fail by anyone who finds the URL. Python callers use ``state.faults`` directly. Forced access-token expiry and
grant revocation are grant actions and live with the grants: ``POST /_sandbox/grants/expire-access-tokens`` and
``POST /_sandbox/grants/revoke`` (admin/apps.py), or ``state.grants`` from Python.
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
