"""Starting syncs from the UI: owners and admins may run one, preview one, or send a single record now."""
from __future__ import annotations

from ..models import User
from ..quickbooks.links import web_url
from ..sync.entities import entity
from ..sync.plan import Plan
from ..sync.runner import RunSummary, SyncRunner
from .permissions import require_manager

__all__ = ['SyncControl']


class SyncControl:
    def __init__(self, runner: SyncRunner, environment: str) -> None:
        self._runner = runner
        self._environment = environment

    async def sync_now(self, acting: User) -> RunSummary:
        """One outbound run; raises RunBusy, NotConnectedError or ReconnectRequired with a readable message."""
        require_manager(acting, 'start a sync')
        return await self._runner.run(trigger='manual', direction='outbound')

    async def preview(self, acting: User) -> Plan:
        require_manager(acting, 'preview a sync')
        return await self._runner.preview()

    async def send_record(self, entity_type: str, local_id: int, acting: User) -> RunSummary:
        require_manager(acting, 'send records to QuickBooks')
        return await self._runner.send_record(entity_type, local_id, trigger='manual')

    def quickbooks_url(self, entity_type: str, qbo_id: str | None) -> str | None:
        return web_url(self._environment, entity(entity_type).qbo_name, qbo_id)
