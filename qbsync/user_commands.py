"""``qbsync users reset-password EMAIL``: for an owner locked out of their own install.

It runs on the server with the app's settings (QBSYNC_DATA_DIR, QBSYNC_DATABASE_URL): whoever can run it already
holds the data folder, so it asks for nothing but the new password (typed twice, or one line on stdin with
``--password-stdin`` for scripts). The account is re-activated, its sessions end, its login lock is lifted at the
next start (locks live in the app's memory).
"""
from __future__ import annotations

import argparse
import getpass
import sys

__all__ = ['users_arguments', 'run_users']


def users_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest='action', required=True, metavar='ACTION')
    reset = actions.add_parser('reset-password', help="set a user's password (e.g. an owner locked out)",
                               description="Set a user's password; their sessions end.")
    reset.add_argument('email')
    reset.add_argument('--password-stdin', action='store_true', help='read the new password from standard input')


def run_users(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from .db import create_sync_engine, upgrade_schema
    from .security import PasswordHasher
    from .services.errors import NotFound, ValidationError
    from .services.users import reset_password_sync
    from .settings import load_settings

    try:
        settings = load_settings()
    except ValueError as error:
        print(f'qbsync users: {error}', file=sys.stderr)
        return 2
    password = _read_password(args.password_stdin)
    if password is None:
        print('qbsync users: the two passwords differ; nothing changed', file=sys.stderr)
        return 1
    upgrade_schema(settings.database_url)
    engine = create_sync_engine(settings.database_url)
    try:
        with Session(engine) as session:
            user = reset_password_sync(session, args.email, password, hasher=PasswordHasher())
    except (NotFound, ValidationError) as error:
        print(f'qbsync users: {error}', file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f'New password set for {user.email} ({user.role}); their other sessions have ended.')
    return 0


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip('\r\n')
    first = getpass.getpass('New password: ')
    return first if getpass.getpass('Repeat it: ') == first else None
