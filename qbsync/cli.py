"""The ``qbsync`` command. Subcommands register themselves in ``COMMANDS``: (name, help, add_arguments, run).

``qbsync sandbox`` serves the QuickBooks sandbox alone (uvicorn), with apps registered from the command line.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .user_commands import run_users, users_arguments
from .operations import commands as ops

if TYPE_CHECKING:
    from .sandbox import SandboxState

__all__ = ['main', 'COMMANDS', 'AppSpec', 'parse_app_spec', 'parse_webhook_entities', 'build_sandbox_state']


@dataclass(frozen=True)
class AppSpec:
    client_id: str
    client_secret: str
    redirect_uris: list[str]


def parse_app_spec(spec: str) -> AppSpec:
    """``CLIENT_ID:SECRET:REDIRECT_URI[,REDIRECT_URI...]``; the URIs keep their own colons."""
    parts = spec.split(':', 2)
    if len(parts) != 3 or not all(part.strip() for part in parts):
        raise argparse.ArgumentTypeError('expected CLIENT_ID:SECRET:REDIRECT_URI[,REDIRECT_URI...]')
    uris = [uri.strip() for uri in parts[2].split(',') if uri.strip()]
    return AppSpec(client_id=parts[0].strip(), client_secret=parts[1].strip(), redirect_uris=uris)


def parse_webhook_entities(text: str) -> list[str]:
    """``Invoice,Customer.Merge``: checked and spelled as Intuit does (see sandbox.webhooks.subscriptions)."""
    from .sandbox.webhooks.subscriptions import normalise_subscriptions

    try:
        return normalise_subscriptions(part for part in text.split(',') if part.strip()) or []
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--host', default='127.0.0.1', help='interface to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=9000, help='port to listen on (default 9000)')
    parser.add_argument('--app', dest='apps', action='append', type=parse_app_spec, default=[],
                        metavar='CLIENT_ID:SECRET:REDIRECT_URI[,REDIRECT_URI...]',
                        help='register an app (repeatable); more can be added through POST /_sandbox/apps')
    parser.add_argument('--webhook-url', help="webhook endpoint for the --app apps")
    parser.add_argument('--verifier-token', help="webhook verifier token for the --app apps (signs deliveries)")
    parser.add_argument('--cloudevents', action='store_true', help='send webhooks as CloudEvents, not legacy JSON')
    parser.add_argument('--webhook-entities', type=parse_webhook_entities, metavar='ENTITY[.OPERATION],...',
                        help='webhooks for these entities only, e.g. Invoice,Customer or Invoice.Emailed '
                             '(default: all, as if every box were ticked on the portal)')
    parser.add_argument('--public-url', help='base URL clients use to reach the sandbox (for discovery documents)')
    parser.add_argument('--data', metavar='FILE', help='keep sandbox companies in this database file')
    parser.add_argument('--fault-injection', action='store_true',
                        help='enable /_sandbox/faults (500/503 rates, latency, timeout after commit, transient 6000)')
    parser.add_argument('--admin-token', default=os.environ.get('QBSYNC_SANDBOX_ADMIN_TOKEN') or None,
                        help='require this token (Authorization: Bearer) on the /_sandbox admin API; needed to '
                             'listen beyond loopback (default: $QBSYNC_SANDBOX_ADMIN_TOKEN)')
    parser.add_argument('--no-throttle', action='store_true',
                        help="register the --app apps without Intuit's rate limits (for load tests)")
    parser.add_argument('--throttle-xml', action='store_true',
                        help='answer throttled requests with the XML fault body some Intuit endpoints send')


def build_sandbox_state(args: argparse.Namespace) -> SandboxState:
    """The SandboxState the options describe (apps registered); separate from serving so it can be tested."""
    from pathlib import Path

    from .sandbox import SandboxConfig, SandboxState

    if args.verifier_token and not args.webhook_url:
        raise ValueError('--verifier-token needs --webhook-url')
    if not getattr(args, 'admin_token', None) and not _loopback_host(args.host):
        raise ValueError(f'refusing to listen on {args.host} without an admin token: anyone who reaches it could '
                         'register apps and mint tokens. Set --admin-token or QBSYNC_SANDBOX_ADMIN_TOKEN.')
    config = SandboxConfig(public_base_url=args.public_url.rstrip('/') if args.public_url else None,
                           admin_token=getattr(args, 'admin_token', None),
                           database_path=Path(args.data).expanduser() if args.data else None,
                           fault_injection=args.fault_injection, throttle_xml=args.throttle_xml)
    state = SandboxState(config)
    for spec in args.apps:
        state.apps.register(spec.client_id, spec.client_secret, name=spec.client_id, redirect_uris=spec.redirect_uris,
                            webhook_url=args.webhook_url, verifier_token=args.verifier_token,
                            webhook_format='cloudevents' if args.cloudevents else 'legacy',
                            throttling=not args.no_throttle,
                            webhook_entities=args.webhook_entities)
    return state


def _loopback_host(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == 'localhost'


def _run_sandbox(args: argparse.Namespace) -> int:
    import uvicorn

    from .sandbox import create_sandbox_app

    try:
        state = build_sandbox_state(args)
    except ValueError as error:
        print(f'qbsync sandbox: {error}', file=sys.stderr)
        return 2
    base = state.config.public_base_url or f'http://{args.host}:{args.port}'
    print(f'QuickBooks sandbox on http://{args.host}:{args.port}')
    print(f'Discovery: {base}/.well-known/openid_sandbox_configuration/')
    for ref in state.companies.realms():
        print(f'Company: {ref.name} (realmId {ref.realm_id})')
    for app in state.apps.all():  # never the secrets
        chosen = f' for {", ".join(app.webhook_entities)}' if app.webhook_entities is not None else ''
        webhook = f', webhooks to {app.webhook_url} ({app.webhook_format}{chosen})' if app.webhook_url else ''
        print(f'App: {app.client_id}, redirect URIs {", ".join(app.redirect_uris)}{webhook}')
    if not state.apps.all():
        print(f'No apps registered: use --app, or POST {base}/_sandbox/apps')
    sys.stdout.flush()
    uvicorn.run(create_sandbox_app(state), host=args.host, port=args.port, log_level='info')
    return 0


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = 'Reads the same QBSYNC_* and QUICKBOOKS_* variables as the app (QBSYNC_DATA_DIR, ...).'


def _run_status(args: argparse.Namespace) -> int:
    import asyncio

    from .settings import load_settings
    from .status import collect_status, render_status

    try:
        settings = load_settings()
    except ValueError as error:
        print(f'qbsync status: {error}', file=sys.stderr)
        return 2
    print(render_status(asyncio.run(collect_status(settings))))
    return 0


def _sync_arguments(parser: argparse.ArgumentParser) -> None:
    from .sync_command import add_arguments
    add_arguments(parser)


def _run_sync(args: argparse.Namespace) -> int:
    from .sync_command import run_command
    return run_command(args)


Command = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: list[Command] = [
    ('sandbox', 'serve the QuickBooks Online sandbox on its own', _sandbox_arguments, _run_sandbox),
    ('status', 'show the QuickBooks connection, token health and sync figures', _status_arguments, _run_status),
    ('sync', 'send records to QuickBooks now (or show what would be sent)', _sync_arguments, _run_sync),
    ('users', 'manage accounts from the server (reset-password)', users_arguments, run_users),
    ('backup', 'write the database and generated secrets to one file', ops.backup_arguments, ops.run_backup),
    ('restore', 'bring a backup back into an empty data folder', ops.restore_arguments, ops.run_restore),
    ('db', 'schema revision and out-of-band migrations', ops.db_arguments, ops.run_db),
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='qbsync', description='QuickBooks Online sync service')
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    for name, help_text, add_arguments, run in COMMANDS:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        add_arguments(sub)
        sub.set_defaults(run=run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == '__main__':
    sys.exit(main())
