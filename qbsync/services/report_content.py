"""The sync report's content and its two renderings (plain text and HTML, every value escaped in the HTML)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape

from ..mail import Email
from ..sync.entities import ENTITIES

ENTITY_NAMES = {spec.name: spec.label for spec in ENTITIES}

__all__ = ['SyncReport', 'FailureLine', 'render_report']

CONNECTION_LABELS = {'connected': 'Connected', 'needs_reconnect': 'Needs reconnecting',
                     'disconnected': 'Not connected', 'pending_switch': 'Waiting for a company switch'}


@dataclass(frozen=True)
class FailureLine:
    at: datetime
    entity_type: str
    local_id: int
    message: str
    url: str = ''  # the record's page, when known


@dataclass(frozen=True)
class SyncReport:
    frequency: str
    start: datetime
    end: datetime
    company: str
    connection_status: str
    connection_error: str = ''
    refresh_token_expires_at: datetime | None = None
    runs: dict[str, int] = field(default_factory=dict)  # run status -> count
    synced: dict[str, int] = field(default_factory=dict)  # entity type -> records sent or received
    failures_total: int = 0
    failures: list[FailureLine] = field(default_factory=list)  # the newest, up to a limit
    log_url: str = ''

    @property
    def run_count(self) -> int:
        return sum(self.runs.values())

    @property
    def health(self) -> str:
        label = CONNECTION_LABELS.get(self.connection_status, self.connection_status)
        if self.connection_status == 'needs_reconnect' and self.connection_error:
            return f'{label}: {self.connection_error}'
        if self.connection_status == 'connected' and self.refresh_token_expires_at is not None:
            return f'{label} (refresh token valid until {_day(self.refresh_token_expires_at)})'
        return label


def render_report(report: SyncReport, *, to: str, test: bool = False) -> Email:
    last = report.end - timedelta(seconds=1)
    span = _day(report.start) if report.frequency == 'daily' and not test else \
        f'{_day(report.start)} to {_day(last)}'
    subject = f'{"[Test] " if test else ""}qbsync {report.frequency} sync report, {span}' + \
        (f': {report.failures_total} failed' if report.failures_total else '')
    return Email(to=(to,), subject=subject, text=_text(report, span), html=_html(report, span))


def _text(report: SyncReport, span: str) -> str:
    lines = [f'Sync report for {report.company or "qbsync"}, {span} (UTC)', '',
             f'Connection: {report.health}',
             f'Runs: {report.run_count}' + (f' ({_runs(report)})' if report.runs else ''), '',
             'Records synced:']
    lines += [f'  {ENTITY_NAMES.get(k, k)}: {v}' for k, v in sorted(report.synced.items())] or ['  none']
    lines += ['', f'Failures: {report.failures_total}']
    for failure in report.failures:
        lines.append(f'  {_stamp(failure.at)}  {_record(failure)}: {failure.message}')
        if failure.url:
            lines.append(f'    {failure.url}')
    if report.failures_total > len(report.failures):
        lines.append(f'  ... and {report.failures_total - len(report.failures)} more in the Sync Log')
    if report.log_url:
        lines += ['', f'Sync Log: {report.log_url}']
    return '\n'.join(lines) + '\n'


def _html(report: SyncReport, span: str) -> str:
    synced = ''.join(f'<tr><td>{escape(ENTITY_NAMES.get(k, k))}</td><td style="text-align:right">{v}</td></tr>'
                     for k, v in sorted(report.synced.items())) or '<tr><td colspan="2">none</td></tr>'
    failures = ''.join(
        f'<li>{escape(_stamp(f.at))} '
        + (f'<a href="{escape(f.url, quote=True)}">{escape(_record(f))}</a>' if f.url else escape(_record(f)))
        + f': {escape(f.message)}</li>' for f in report.failures)
    more = report.failures_total - len(report.failures)
    if more > 0:
        failures += f'<li>... and {more} more in the Sync Log</li>'
    log_link = f'<p><a href="{escape(report.log_url, quote=True)}">Open the Sync Log</a></p>' if report.log_url else ''
    return (f'<html><body style="font-family:sans-serif">'
            f'<h2>Sync report for {escape(report.company or "qbsync")}</h2><p>{escape(span)} (UTC)</p>'
            f'<p><b>Connection:</b> {escape(report.health)}</p>'
            f'<p><b>Runs:</b> {report.run_count}' + (f' ({escape(_runs(report))})' if report.runs else '') + '</p>'
            f'<h3>Records synced</h3><table>{synced}</table>'
            f'<h3>Failures: {report.failures_total}</h3>' + (f'<ul>{failures}</ul>' if failures else '')
            + log_link + '</body></html>')


def _runs(report: SyncReport) -> str:
    return ', '.join(f'{count} {status}' for status, count in sorted(report.runs.items()))


def _record(failure: FailureLine) -> str:
    singular = next((spec.singular for spec in ENTITIES if spec.name == failure.entity_type), failure.entity_type)
    return f'{singular} #{failure.local_id}'


def _day(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime('%Y-%m-%d')


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime('%Y-%m-%d %H:%M')
