"""Setup Guide: the URLs to register with Intuit, which variables are set, the verifier token, the steps."""
from __future__ import annotations

from nicegui import ui

from qbsync.services.errors import PermissionDenied
from qbsync.services.setup_guide import SetupGuide, reveal_verifier_token, setup_guide

from ..auth import authorize
from .common import CenterContext

__all__ = ['build']

STEPS = '''
1. Sign in at [developer.intuit.com](https://developer.intuit.com), open **My Hub → App dashboard** and create an
   app for **QuickBooks Online and Payments** with the scope **com.intuit.quickbooks.accounting**.
2. Under **Keys and credentials** (Development for sandbox companies, Production once Intuit approved the app),
   add the **redirect URI** shown above exactly, then copy the **Client ID** and **Client Secret** into
   `QUICKBOOKS_CLIENT_ID` and `QUICKBOOKS_CLIENT_SECRET`.
3. Set `QUICKBOOKS_ENVIRONMENT` to `sandbox` or `production` to match the keys, and `QBSYNC_PUBLIC_URL` to the
   https address this app is reached at.
4. Create an encryption key for the stored tokens and put it in `QUICKBOOKS_TOKEN_ENCRYPTION_KEY`:
   `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
5. Under **Webhooks**, enter the **webhook URL** shown above, tick Customer, Item, Invoice, Payment, Purchase and
   CreditMemo, save, and copy the **verifier token** into `QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN`.
6. Restart qbsync, then use **Connect QuickBooks** on the Overview tab.
'''


async def build(context: CenterContext) -> None:
    services = context.services
    guide = setup_guide(services.settings)
    if guide.demo_mode:
        with ui.card().classes('w-full bg-blue-1').mark('setup-demo'):
            ui.label('Demo mode: no Intuit credentials are configured, so qbsync connects to its built-in QuickBooks '
                     'sandbox. Follow the steps below to connect a real QuickBooks company.')
    with ui.card().classes('w-full gap-2'):
        ui.label('Register these with Intuit').classes('text-lg font-bold')
        _copy_row('Redirect URI', guide.redirect_uri, 'redirect-uri')
        ui.label(f'Source: {guide.redirect_uri_source}.').classes('text-xs text-grey-7').mark('redirect-uri-source')
        _copy_row('Webhook URL', guide.webhook_url, 'webhook-url')
        _verifier_row(context, guide)
    with ui.card().classes('w-full gap-2'):
        ui.label('Configuration').classes('text-lg font-bold')
        for variable in guide.variables:
            with ui.row().classes('items-center gap-x-3 gap-y-0 wrap').mark(f'var-{variable.name}'):
                if variable.is_set:
                    ui.icon('check_circle', color='positive')
                else:
                    ui.icon('cancel' if variable.required else 'remove_circle_outline',
                            color='negative' if variable.required else 'grey')
                ui.label(variable.name).classes('font-mono break-all')
                ui.label(('set' if variable.is_set else 'not set') + ('' if variable.required else ' (optional)')) \
                    .classes('text-grey-8').mark(f'var-state-{variable.name}')
                ui.label(variable.purpose).classes('text-xs text-grey-7')
    with ui.card().classes('w-full'):
        ui.label('Create the Intuit app').classes('text-lg font-bold')
        ui.markdown(STEPS).mark('setup-steps')


def _copy_row(caption: str, value: str, marker: str) -> None:
    with ui.row().classes('items-center gap-x-3 gap-y-0 w-full wrap'):
        ui.label(caption).classes('w-32 text-grey-7')
        ui.label(value).classes('font-mono break-all min-w-0').mark(marker)
        ui.button(icon='content_copy', on_click=lambda: _copy(value, caption)) \
            .props(f'flat round dense aria-label="Copy the {caption.lower()}"') \
            .tooltip(f'Copy the {caption.lower()}').mark(f'copy-{marker}')


def _copy(value: str, caption: str) -> None:
    ui.clipboard.write(value)
    ui.notify(f'{caption} copied.')


def _verifier_row(context: CenterContext, guide: SetupGuide) -> None:
    services = context.services
    with ui.row().classes('items-center gap-3 w-full'):
        ui.label('Verifier token').classes('w-32 text-grey-7')
        shown = ui.label(guide.verifier_token_masked).classes('font-mono').mark('verifier-token')
        if not context.is_owner:
            ui.label('(only the owner can reveal it)').classes('text-xs text-grey-7')
            return

        async def reveal() -> None:
            user = await authorize(services, owner=True)
            if user is None:
                return
            try:
                shown.set_text(reveal_verifier_token(services.settings, acting=user))
            except PermissionDenied as error:
                ui.notify(str(error), type='negative')
                return
            reveal_button.set_visibility(False)
            copy_button.set_visibility(True)

        async def copy() -> None:
            user = await authorize(services, owner=True)
            if user is None:
                return
            ui.clipboard.write(reveal_verifier_token(services.settings, acting=user))
            ui.notify('Verifier token copied.')

        reveal_button = ui.button('Reveal', icon='visibility', on_click=reveal).props('flat dense') \
            .mark('reveal-verifier')
        copy_button = ui.button(icon='content_copy', on_click=copy) \
            .props('flat round dense aria-label="Copy the verifier token"') \
            .tooltip('Copy the verifier token').mark('copy-verifier-token')
        copy_button.set_visibility(False)
