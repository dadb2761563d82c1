"""Where a QuickBooks object opens in Intuit's web app, so a record page can link straight to it."""
from __future__ import annotations

__all__ = ['web_url', 'WEB_HOSTS']

WEB_HOSTS = {'sandbox': 'https://app.sandbox.qbo.intuit.com', 'production': 'https://app.qbo.intuit.com'}
_PAGES = {'Customer': 'customerdetail?nameId=', 'Item': 'items?itemId=', 'Invoice': 'invoice?txnId=',
          'CreditMemo': 'creditmemo?txnId=', 'Payment': 'recvpayment?txnId=', 'Purchase': 'expense?txnId='}


def web_url(environment: str, qbo_entity: str, qbo_id: str | None) -> str | None:
    """The object's page at Intuit; None for the embedded demo sandbox (it has no web app) or unknown entities."""
    host, page = WEB_HOSTS.get(environment), _PAGES.get(qbo_entity)
    if host is None or page is None or not qbo_id:
        return None
    return f'{host}/app/{page}{qbo_id}'
