"""The sandbox's admin API under ``/_sandbox`` (mounted only when ``SandboxConfig.admin_api`` is on).

Each admin area is a sub-router without the ``/_sandbox`` prefix; this module gathers them.
"""
from __future__ import annotations

from fastapi import APIRouter

from .. import inspect
from . import apps, companies, faults

__all__ = ['router']

router = APIRouter(prefix='/_sandbox')
router.include_router(apps.router)
router.include_router(faults.router)
router.include_router(companies.router)
router.include_router(inspect.router)
