"""QuickBooks' own lists (terms, payment methods, vendors) for inbound mapping, kept between passes.

The mapping names a customer's terms or a payment's method from these lists. Reading them for every webhook pass
would triple the requests of a one-record change, so they are read once and again only when a change names an
entry not seen yet (a term added in QuickBooks since); an entry still unknown after a fresh read is not asked for
again.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..mapping import Refs
from ..mapping.values import ref_id
from ..quickbooks.client import QuickBooksClient
from .references import Call, direct_call, load_lists

__all__ = ['ListCache']

# list kind -> the reference field that names an entry of it
_FIELDS = (('Term', 'SalesTermRef'), ('PaymentMethod', 'PaymentMethodRef'), ('Vendor', 'EntityRef'))


class ListCache:
    def __init__(self) -> None:
        self._lists: Refs | None = None
        self._unknown: set[tuple[str, str]] = set()

    async def fill(self, refs: Refs, client: QuickBooksClient, objects: Iterable[dict[str, Any]],
                   call: Call = direct_call) -> None:
        """Give ``refs`` the lists, read again first when ``objects`` name an entry not known yet."""
        wanted = {(kind, qbo_id) for obj in objects for kind, name in _FIELDS
                  if (qbo_id := _named(obj.get(name), kind)) is not None}
        known = self._lists.list_names if self._lists is not None else {}
        missing = {key for key in wanted if key not in known and key not in self._unknown}
        if self._lists is None or missing:
            fresh = Refs()
            await load_lists(fresh, client, call)
            self._lists = fresh
            self._unknown |= {key for key in missing if key not in fresh.list_names}
        refs.lists, refs.list_names = self._lists.lists, self._lists.list_names


def _named(value: Any, kind: str) -> str | None:
    if kind == 'Vendor' and isinstance(value, dict) and value.get('type') not in (None, 'Vendor'):
        return None  # a purchase's payee may be a customer or an employee
    return ref_id(value)
