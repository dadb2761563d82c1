"""``/_sandbox/inspect``: a read-only page showing what arrived in "QuickBooks" and which webhooks went out.

Plain server-rendered HTML (no scripts, no forms) so a person trying the demo can open it in any browser next to
the app. Every value is escaped; verifier tokens and secrets are never shown. Each entity lists its most recently
changed records first, up to ``ROWS_PER_ENTITY``; a record's Id links to its full JSON as the API returns it.
"""
from __future__ import annotations

import html
import json
from decimal import Decimal
from typing import Any, Iterable

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import HTMLResponse

from .accounting.store import Company
from .state import SandboxState
from .webhooks.delivery import WebhookDelivery

__all__ = ['router', 'ROWS_PER_ENTITY']

router = APIRouter(prefix='/inspect', tags=['sandbox inspect'])

ROWS_PER_ENTITY = 200
_STYLE = ('body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;margin:.4rem 0 '
          '1.2rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}th{background:#f3f3f3}'
          '.deleted{color:#999;text-decoration:line-through}.failed{color:#b00}.ok{color:#070}pre{background:#f6f6f6;'
          'padding:1rem;overflow:auto}')


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


@router.get('', response_class=HTMLResponse)
def inspect_page(request: Request, realm: str | None = None) -> HTMLResponse:
    state = _state(request)
    refs = [r for r in state.companies.realms() if realm in (None, r.realm_id)]
    if realm is not None and not refs:
        raise HTTPException(404, f'no company {realm}')
    parts = ['<h1>QuickBooks sandbox</h1>',
             '<p>Companies: ' + ' · '.join(f'<a href="?realm={_e(r.realm_id)}">{_e(r.name)} ({_e(r.realm_id)})</a>'
                                          for r in state.companies.realms()) + ' · <a href="?">all</a></p>']
    for ref in refs:
        company = state.companies.get(ref.realm_id)
        if company is not None:
            parts.append(_company_section(request, company))
    parts.append(_deliveries_section(state.webhooks.deliveries(realm)))
    return _page('QuickBooks sandbox', parts)


@router.get('/{realm_id}/{entity}/{entity_id}', response_class=HTMLResponse)
def record_page(request: Request, realm_id: str, entity: str, entity_id: str) -> HTMLResponse:
    company = _state(request).companies.get(realm_id)
    obj = None
    if company is not None:
        with company.lock:
            obj = company.get_object(entity, entity_id) or company.tombstones.get(entity, {}).get(entity_id)
    if obj is None:
        raise HTTPException(404, f'no {entity} {entity_id} in company {realm_id}')
    text = json.dumps(obj, indent=2, default=lambda v: format(v, 'f') if isinstance(v, Decimal) else str(v))
    back = request.url_for('inspect_page').include_query_params(realm=realm_id)
    return _page(f'{entity} {entity_id}', [f'<h1>{_e(entity)} {_e(entity_id)}</h1>',
                                           f'<p><a href="{_e(back)}">back</a></p>', f'<pre>{_e(text)}</pre>'])


def _company_section(request: Request, company: Company) -> str:
    with company.lock:
        buckets = {entity: list(bucket.values()) for entity, bucket in company.objects.items()}
        for entity, stubs in company.tombstones.items():
            buckets.setdefault(entity, []).extend(stubs.values())
    parts = [f'<h2>{_e(company.name)} <small>realm {_e(company.realm_id)}</small></h2>']
    base = str(request.url_for('inspect_page')).rstrip('/')
    for entity in sorted(e for e, objs in buckets.items() if objs):
        objs = sorted(buckets[entity], key=lambda o: o.get('MetaData', {}).get('LastUpdatedTime', ''), reverse=True)
        shown = objs[:ROWS_PER_ENTITY]
        rows = [_record_row(base, company.realm_id, entity, obj) for obj in shown]
        more = f' (newest {len(shown)} of {len(objs)})' if len(objs) > len(shown) else f' ({len(objs)})'
        parts.append(f'<h3>{_e(entity)}{more}</h3>' + _table(
            ['Id', 'Name / number', 'Amount', 'Balance', 'State', 'SyncToken', 'Last updated'], rows))
    return ''.join(parts)


def _record_row(base: str, realm_id: str, entity: str, obj: dict[str, Any]) -> str:
    deleted = obj.get('status') == 'Deleted'
    name = obj.get('DisplayName') or obj.get('Name') or obj.get('DocNumber') or obj.get('CustomerRef', {}).get('name')
    state = 'deleted' if deleted else obj.get('status') or ('inactive' if obj.get('Active') is False else '')
    if not deleted and str(obj.get('PrivateNote', '')).startswith('Voided'):
        state = 'voided'
    link = f'<a href="{_e(base)}/{_e(realm_id)}/{_e(entity)}/{_e(obj["Id"])}">{_e(obj["Id"])}</a>'
    cells = [link, _e(name), _money(obj.get('TotalAmt')), _money(obj.get('Balance')), _e(state),
             _e(obj.get('SyncToken', '')), _e(obj.get('MetaData', {}).get('LastUpdatedTime', ''))]
    css = ' class="deleted"' if deleted else ''
    return f'<tr{css}>' + ''.join(f'<td>{c}</td>' for c in cells) + '</tr>'


def _deliveries_section(deliveries: Iterable[WebhookDelivery]) -> str:
    rows = []
    for d in deliveries:
        last = d.attempts[-1] if d.attempts else None
        result = '' if last is None else (f'HTTP {last.status_code}' if last.status_code else last.error or '')
        css = 'ok' if d.status == 'delivered' else 'failed' if d.status in ('retrying', 'abandoned') else ''
        events = ', '.join(f'{n.entity} {n.entity_id} {n.operation}' for n in d.notices)
        cells = [_e(d.id), _e(d.client_id), _e(d.realm_id), _e(d.format), f'<span class="{css}">{_e(d.status)}</span>',
                 _e(events), _e(len(d.attempts)), _e(result), _e(d.due_at.isoformat() if d.due_at else '')]
        rows.append('<tr>' + ''.join(f'<td>{c}</td>' for c in cells) + '</tr>')
    table = _table(['#', 'App', 'Realm', 'Format', 'Status', 'Events', 'Attempts', 'Last result', 'Next try (UTC)'],
                   rows) if rows else '<p>No webhook deliveries yet.</p>'
    return '<h2>Webhook deliveries</h2>' + table


def _table(headers: list[str], rows: list[str]) -> str:
    head = ''.join(f'<th>{_e(h)}</th>' for h in headers)
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _page(title: str, parts: list[str]) -> HTMLResponse:
    body = ''.join(parts)
    return HTMLResponse(f'<!doctype html><html><head><meta charset="utf-8"><title>{_e(title)}</title>'
                        f'<style>{_STYLE}</style></head><body>{body}</body></html>')


def _money(value: Any) -> str:
    return '' if value is None else _e(format(value, 'f') if isinstance(value, Decimal) else value)


def _e(value: Any) -> str:
    return html.escape('' if value is None else str(value))
