"""The read-only inspect page: each company's records per entity, deletions, and webhook deliveries."""
from __future__ import annotations

from decimal import Decimal

import httpx
from fastapi import FastAPI

from qbsync.sandbox.admin import router as admin_router

from ops_support import Receiver, connect_app, make_state


def _client(state):
    app = FastAPI()
    app.state.sandbox = state
    app.include_router(admin_router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://sandbox')


async def test_page_lists_records_deletions_and_deliveries_escaped():
    receiver = Receiver(status=500)
    state = make_state(receiver)
    connect_app(state)
    company = state.companies.get(state.default_realm_id)
    company.commit('Customer', {'DisplayName': '<script>alert(1)</script> & Sons', 'Active': True}, 'Create')
    invoice = company.commit('Invoice', {'DocNumber': 'INV-77', 'TotalAmt': Decimal('125.50'),
                                         'Balance': Decimal('25.00')}, 'Create')
    gone = company.commit('Invoice', {'DocNumber': 'INV-78', 'TotalAmt': Decimal('1')}, 'Create')
    company.commit('Invoice', {'Id': gone['Id']}, 'Delete')
    await state.webhooks.flush()
    async with _client(state) as client:
        page = await client.get('/_sandbox/inspect')
        assert page.status_code == 200 and page.headers['content-type'].startswith('text/html')
        text = page.text
        assert '&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons' in text and '<script>' not in text
        assert 'INV-77' in text and '125.50' in text and '25.00' in text
        assert '<tr class="deleted">' in text and 'deleted' in text
        assert 'Webhook deliveries' in text and 'retrying' in text and 'HTTP 500' in text
        assert f'Invoice {gone["Id"]} Delete' in text
        assert 'verifier' not in text.lower()
        link = f'/_sandbox/inspect/{state.default_realm_id}/Invoice/{invoice["Id"]}'
        assert f'href="http://sandbox{link}"' in text
        record = await client.get(link)
        assert record.status_code == 200 and '&quot;TotalAmt&quot;: &quot;125.50&quot;' in record.text
        assert (await client.get(f'/_sandbox/inspect/{state.default_realm_id}/Invoice/999')).status_code == 404
        assert (await client.get('/_sandbox/inspect', params={'realm': 'nope'})).status_code == 404


async def test_page_is_read_only():
    state = make_state()
    async with _client(state) as client:
        assert (await client.post('/_sandbox/inspect')).status_code == 405
        assert 'No webhook deliveries yet.' in (await client.get('/_sandbox/inspect')).text
