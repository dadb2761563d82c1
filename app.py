"""qbsync entry point: settings, services, routes, pages, the embedded sandbox in demo mode, ui.run.

NiceGUI's test fixtures execute this file for every test, so it holds no classes or tables and is never imported.
"""
from __future__ import annotations

import os

import httpx
from nicegui import app, ui
from nicegui.storage import Storage

import pages
from qbsync.heap import settle_heap
from qbsync.logs import configure_logging, uvicorn_log_config
from qbsync.sandbox import SandboxConfig, SandboxState, create_sandbox_app
from qbsync.services import Services
from qbsync.settings import DEMO_CLIENT_ID, SANDBOX_MOUNT, kept_secret, load_settings
from qbsync.web import health, metrics, quickbooks_routes, sessions
from qbsync.web.headers import SecurityHeadersMiddleware
from qbsync.web.page_limits import PageBuildLimit
from qbsync.web.loopback import LoopbackTransport

os.umask(0o077)  # everything this process creates (database, sessions, secrets) is private to its user
settings = load_settings()
configure_logging(settings.log_level, settings.log_format)  # QBSYNC_LOG_FORMAT=json: one JSON object per line
Storage.path = settings.data_dir / 'sessions'  # NiceGUI's session storage: in the data folder, not the cwd

transport: httpx.AsyncBaseTransport | None = None
if settings.embedded_sandbox:
    # Demo mode: the sandbox lives in this process under /sandbox and the app talks to it through the same ASGI
    # app, in Intuit's wire format; webhooks come back the same way.
    # its admin API needs the token kept in the data folder (a loopback peer alone proves nothing behind a proxy)
    sandbox = SandboxState(SandboxConfig(database_path=settings.data_dir / 'sandbox.db', admin_loopback_only=True,
                                         admin_token=kept_secret(settings.data_dir / 'sandbox-admin-token'),
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
app.on_startup(settle_heap)  # after services.start: what start-up built stays out of full GC passes
# FastAPI merges each included router's lifespan into the app's; start from the app's own each run (NiceGUI's fixtures
# rerun this file per test, and a chain that grows per run ends in a RecursionError at start-up)
app.router.lifespan_context = app.router.__dict__.setdefault('qbsync_own_lifespan', app.router.lifespan_context)
app.include_router(health.build_router(services))
app.include_router(quickbooks_routes.build_router(services, layout=pages.static_layout))  # results in the app's look
app.include_router(sessions.build_router(services))
app.include_router(metrics.build_router(services))
pages.register(services)
# NiceGUI's test fixtures run this file once per test on the same app: replace our middleware, never stack it (a
# stack that grows per run ends in a RecursionError when the app starts)
app.user_middleware[:] = [m for m in app.user_middleware if m.cls not in (PageBuildLimit, SecurityHeadersMiddleware)]
app.add_middleware(PageBuildLimit)  # a flood of anonymous page builds cannot exhaust memory
app.add_middleware(SecurityHeadersMiddleware, https=settings.secure_cookies)  # outermost: on every response

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(title='qbsync', host=settings.host, port=settings.port, reload=False, show=False,
           storage_secret=settings.storage_secret, favicon='🔄',
           show_welcome_message=settings.log_format == 'text',  # a plain print: not in JSON logs
           session_middleware_kwargs={'https_only': settings.secure_cookies, 'same_site': 'lax',
                                      'max_age': settings.session_max_hours * 3600},
           **uvicorn_log_config(settings.log_format))
