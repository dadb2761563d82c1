"""Problem banners on top of every page for owners and admins, until the problem is dealt with.

The frame draws an empty strip; it is filled once the browser is connected, so the page never waits for the
query. What is shown is derived from the database each time (``NotificationService.banners``), so a banner goes
away by itself once the failures are retried or dismissed, or QuickBooks is reconnected.
"""
from __future__ import annotations

import asyncio

from nicegui import app, ui

from qbsync.models import Role, User

__all__ = ['notice_banners']

ICONS = {'reconnect': ('link_off', 'negative'), 'sync_failures': ('error_outline', 'warning')}


def notice_banners(user: User) -> None:
    if not user.active or user.role not in Role.MANAGERS:
        return
    strip = ui.column().classes('w-full gap-2').mark('notice-banners')

    async def fill() -> None:
        # shielded: leaving the page while the query runs must not abandon its database connection
        banners = await asyncio.shield(app.state.services.notifications.banners(user))
        if strip.is_deleted:
            return
        strip.clear()
        with strip:
            for banner in banners:
                icon, color = ICONS.get(banner.kind, ('info', 'primary'))
                with ui.row().classes('w-full items-center gap-3 p-3 rounded bg-orange-1 no-wrap') \
                        .mark(f'notice-{banner.kind}'):
                    ui.icon(icon, color=color, size='md')
                    with ui.column().classes('gap-0 grow'):
                        ui.label(banner.title).classes('font-bold')
                        ui.label(banner.message).classes('text-sm text-grey-8')
                    ui.button('Deal with it', on_click=lambda link=banner.link: ui.navigate.to(link)) \
                        .props('outline dense')

    ui.timer(0, fill, once=True)
