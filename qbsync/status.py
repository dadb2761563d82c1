"""`qbsync status`: what an operator at a shell needs to know without opening the UI.

Reads the same settings and database the app uses (never the token values), so it works beside a running app.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlmodel import col, select

from .db import Database, upgrade_schema
from .models import ConnectionStatus, QuickBooksConnection
from .settings import Settings
from .sync.stats import DashboardStats, dashboard_stats

__all__ = ['StatusReport', 'collect_status', 'render_status']


@dataclass(frozen=True)
class StatusReport:
    environment: str
    database_url: str
    connection: QuickBooksConnection | None
    figures: DashboardStats


async def collect_status(settings: Settings) -> StatusReport:
    upgrade_schema(settings.database_url)  # a fresh data folder answers "not connected" instead of failing
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            connection = (await session.exec(
                select(QuickBooksConnection)
                .where(col(QuickBooksConnection.status).in_([ConnectionStatus.CONNECTED,
                                                             ConnectionStatus.NEEDS_RECONNECT]))
                .order_by(col(QuickBooksConnection.connected_at).desc()))).first()
            figures = await dashboard_stats(session)
    finally:
        await db.dispose()
    return StatusReport(environment=settings.environment, database_url=_without_password(settings.database_url),
                        connection=connection, figures=figures)


def render_status(report: StatusReport, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    lines = [f'Environment: {report.environment}', f'Database: {report.database_url}']
    row = report.connection
    if row is None:
        lines.append('QuickBooks: not connected')
    else:
        lines.append(f'QuickBooks: {row.company_name} (realm {row.realm_id}), {row.status.replace("_", " ")}')
        lines.append(f'  access token: {_until(row.access_token_expires_at, now)}')
        lines.append(f'  refresh token: {_until(row.refresh_token_expires_at, now)}')
        if row.last_error:
            lines.append(f'  last error: {row.last_error}')
    figures = report.figures
    last = f'{figures.last_run_at:%Y-%m-%d %H:%M} UTC ({figures.last_run_status})' if figures.last_run_at else 'never'
    lines.append(f'Last sync run: {last}')
    lines.append(f'{"Records":<14}{"synced":>8}{"pending":>9}{"failed":>8}{"not synced":>12}{"total":>8}')
    for counts in (*figures.entities, figures.totals):
        lines.append(f'{counts.label:<14}{counts.synced:>8}{counts.pending:>9}{counts.failed:>8}'
                     f'{counts.not_synced:>12}{counts.total:>8}')
    return '\n'.join(lines)


def _until(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return 'unknown'
    left = moment - now
    if left.total_seconds() <= 0:
        return f'expired {moment:%Y-%m-%d %H:%M} UTC'
    days, seconds = left.days, left.seconds
    span = f'{days} d {seconds // 3600} h' if days else f'{seconds // 3600} h {seconds % 3600 // 60} min'
    return f'expires {moment:%Y-%m-%d %H:%M} UTC (in {span})'


def _without_password(url: str) -> str:
    """Database URLs may carry a password; the status output must not."""
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)
