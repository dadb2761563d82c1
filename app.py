"""qbsync entry point: settings, services, routes, pages, the embedded sandbox in demo mode, ui.run.

NiceGUI's test fixtures execute this file for every test, so it holds no classes or tables and is never imported.
"""
from __future__ import annotations

import httpx
from nicegui import app, ui

import pages
from qbsync.operations.logs import configure_logging, uvicorn_log_config
from qbsync.sandbox import SandboxConfig, SandboxState, create_sandbox_app
from qbsync.services import Services
from qbsync.settings import DEMO_CLIENT_ID, SANDBOX_MOUNT, load_settings
from qbsync.web import health, metrics, quickbooks_routes
from qbsync.web.loopback import LoopbackTransport

settings = load_settings()
configure_logging(settings.log_level, settings.log_format)  # QBSYNC_LOG_FORMAT=json: one JSON object per line

transport: httpx.AsyncBaseTransport | None = None
if settings.embedded_sandbox:
    # Demo mode: the sandbox lives in this process under /sandbox and the app talks to it through the same ASGI
    # app, in Intuit's wire format; webhooks come back the same way.
    sandbox = SandboxState(SandboxConfig(database_path=settings.data_dir / 'sandbox.db', admin_loopback_only=True,
                                         webhook_transport=LoopbackTransport(app=app)))
    sandbox.apps.register(client_id=DEMO_CLIENT_ID, client_secret=settings.client_secret, name='qbsync (demo)',
                          redirect_uris=[settings.redirect_uri], webhook_url=settings.webhook_url,
                          verifier_token=settings.webhook_verifier_token)
    app.mount(SANDBOX_MOUNT, create_sandbox_app(sandbox))
    app.state.sandbox = sandbox
    app.on_shutdown(sandbox.webhooks.stop)
    transport = LoopbackTransport(app=app)  # in-process, without leaking request context into the caller

services = Services(settings, http_transport=transport)
app.state.services = services  # the handle tests use
app.on_startup(services.start)  # sync on purpose: async startup handlers are not awaited before requests
app.on_shutdown(services.stop)
app.include_router(health.build_router(services))
app.include_router(quickbooks_routes.build_router(services))
app.include_router(metrics.build_router(services))
pages.register(services)

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(title='qbsync', host=settings.host, port=settings.port, reload=False, show=False,
           storage_secret=settings.storage_secret, favicon='🔄',
           show_welcome_message=settings.log_format == 'text',  # a plain print: not in JSON logs
           **uvicorn_log_config(settings.log_format))
