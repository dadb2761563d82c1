"""`qbsync sync`: a run from the shell, beside the app or without it, sharing its database and lease.

Prints the plan (``--dry-run``) or the run's progress and the same one-line summary the dashboard shows, then the
records that failed with the reason and the fix. Exit status: 0 when nothing failed, 1 when records (or the run)
failed, 2 when no run could start (another run holds the lease, no company connected, bad options).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TextIO

from sqlmodel import col, select

from .db import Database, upgrade_schema
from .models import SyncLogEntry
from .quickbooks.errors import QuickBooksError
from .security import TokenCipher
from .services.connection import ConnectionService
from .services.inbound import InboundServices
from .services.sync_settings import SyncSettingsService
from .settings import Settings, load_settings
from .sync.entities import ENTITY_NAMES, entity
from .sync.lease import RunBusy
from .sync.plan import SENDING, Plan
from .sync.progress import RunProgress
from .sync.runner import PassMissing, SyncRunner

__all__ = ['add_arguments', 'run_command', 'render_plan', 'DIRECTIONS']

DIRECTIONS = {'out': 'outbound', 'in': 'inbound', 'both': 'both'}
FAILURES_SHOWN = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--direction', choices=sorted(DIRECTIONS), default='out',
                        help='out: app to QuickBooks (default); in: QuickBooks to app; both')
    parser.add_argument('--dry-run', action='store_true', help='show what would be sent, send nothing')
    parser.add_argument('--entity', action='append', choices=ENTITY_NAMES, dest='entities', metavar='ENTITY',
                        help=f'only these entities (repeatable): {", ".join(ENTITY_NAMES)}')
    parser.epilog = 'Reads the same QBSYNC_* and QUICKBOOKS_* variables as the app; one run at a time with it.'


def run_command(args: argparse.Namespace, *, out: TextIO = sys.stdout) -> int:
    try:
        settings = load_settings()
    except ValueError as error:
        print(f'qbsync sync: {error}', file=sys.stderr)
        return 2
    return asyncio.run(_run(settings, args, out))


async def _run(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    upgrade_schema(settings.database_url)
    db = Database(settings.database_url)
    connection = ConnectionService(settings, db, TokenCipher(settings.token_encryption_keys))
    runner = SyncRunner(db, connection.api)
    InboundServices(db, connection, SyncSettingsService(db), runner)  # --direction in / both: its pass
    try:
        if args.dry_run:
            print(render_plan(await runner.preview(args.entities)), file=out)
            return 0
        runner.progress.subscribe(_Printer(out))
        summary = await runner.run(trigger='cli', direction=DIRECTIONS[args.direction], entities=args.entities)
        print(summary.message, file=out)
        await _print_failures(db, summary.run_id, out)
        return 1 if summary.failed or summary.status == 'failed' else 0
    except (RunBusy, PassMissing, QuickBooksError, ValueError) as refused:
        print(f'qbsync sync: {refused}', file=sys.stderr)
        return 2
    finally:
        await connection.aclose()
        await db.dispose()


def render_plan(plan: Plan) -> str:
    lines = [f'Plan: {plan.summary()}']
    for part in plan.entities:
        counts = [f'{part.count(a)} to {a}' for a in SENDING if part.count(a)]
        if part.skipped:
            counts.append(f'{len(part.skipped)} skipped')
        if not counts:
            continue
        lines.append(f'  {part.spec.label}: {", ".join(counts)}')
        reasons: dict[str, list[str]] = {}
        for entry in part.skipped:
            reasons.setdefault(entry.reason, []).append(entry.title)
        for reason, titles in reasons.items():
            more = f' and {len(titles) - 3} more' if len(titles) > 3 else ''
            lines.append(f'    skipped {", ".join(titles[:3])}{more}: {reason}')
    return '\n'.join(lines)


class _Printer:
    """A progress line per entity and at most one a second within it; never more than the terminal can read."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.last_entity, self.last_at = out, None, 0.0

    def __call__(self, progress: RunProgress) -> None:
        now = time.monotonic()
        if progress.finished or (progress.entity_type == self.last_entity and now - self.last_at < 1.0):
            return
        self.last_entity, self.last_at = progress.entity_type, now
        rate = f' ({progress.rate:,.0f} records/s)' if progress.rate else ''
        print(f'{progress.message}{rate}', file=self.out, flush=True)


async def _print_failures(db: Database, run_id: int, out: TextIO) -> None:
    async with db.session() as session:
        failed = (await session.exec(select(SyncLogEntry).where(
            SyncLogEntry.run_id == run_id, SyncLogEntry.status == 'failed').order_by(col(SyncLogEntry.id))
            .limit(FAILURES_SHOWN + 1))).all()
    for entry in failed[:FAILURES_SHOWN]:
        label = entity(entry.entity_type).singular if entry.entity_type else 'Run'
        code = f' [{entry.code}]' if entry.code else ''
        print(f'  failed: {label} #{entry.local_id}{code}: {entry.message} {entry.suggestion}'.rstrip(), file=out)
    if len(failed) > FAILURES_SHOWN:
        print('  ... see the Sync Log for the rest', file=out)
