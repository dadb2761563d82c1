"""Attachable: a note or a file attached to transactions and list records (``AttachableRef[].EntityRef``).

A note is created on ``/attachable``; a file only through the multipart ``/upload`` endpoint (.upload), which
stores its bytes with the record. Answers never carry the bytes: ``FileAccessUri`` is the API path that answers a
fresh download link (``/download/{Id}``), and ``TempDownloadUri`` is that link, a URL anyone holding it can fetch
without a token, as Intuit's pre-signed links are (the sandbox's do not expire). ``Size`` and ``ContentType`` come
from the upload. Intuit's list of accepted file types is kept (others: 6000), and its 100 MB limit per file.
"""
from __future__ import annotations

import base64
import secrets
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, EntityType, RefRule

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['AttachableType', 'ALLOWED_CONTENT_TYPES', 'MAX_FILE_BYTES', 'file_content']

MAX_FILE_BYTES = 100 * 1024 * 1024
ALLOWED_CONTENT_TYPES = frozenset({
    'application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'image/gif', 'image/tiff', 'image/bmp',
    'text/plain', 'text/csv', 'text/xml', 'application/xml', 'application/rtf', 'application/msword',
    'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'application/zip',
    'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet',
    'application/postscript',
})
_TARGETS = ('Invoice', 'CreditMemo', 'Payment', 'SalesReceipt', 'RefundReceipt', 'Estimate', 'Bill',
            'BillPayment', 'VendorCredit', 'Purchase', 'PurchaseOrder', 'Deposit', 'JournalEntry', 'Transfer',
            'TimeActivity', 'Customer', 'Vendor', 'Employee', 'Item', 'Account')
_PRIVATE = ('_content', '_token')
_UPLOAD: ContextVar[dict[str, Any] | None] = ContextVar('sandbox_upload', default=None)


class AttachableType(EntityType):
    name, path = 'Attachable', 'attachable'
    operations = frozenset({'create', 'read', 'update', 'delete', 'query'})
    fields = frozenset({'FileName', 'Note', 'Category', 'AttachableRef', 'Lat', 'Long', 'PlaceName', 'Tag'})
    computed = frozenset({'ContentType', 'Size', *_PRIVATE})
    lengths = {'FileName': 1000, 'Note': 2000, 'PlaceName': 500, 'Tag': 500}
    enums = {'Category': ('Contact Photo', 'Document', 'Image', 'Receipt', 'Signature', 'Sound', 'Other')}
    refs = (RefRule('AttachableRef[].EntityRef', _TARGETS, inactive=None, named=False),)
    filterable = EntityType.filterable | {'FileName', 'Note', 'Category', 'ContentType', 'Size',
                                          'AttachableRef.EntityRef.Type', 'AttachableRef.EntityRef.value'}

    def create_file(self, company: Company, metadata: dict[str, Any], content: bytes,
                    content_type: str) -> dict[str, Any]:
        """The ``/upload`` path: the file's bytes with the metadata the client sent (if any)."""
        content_type = content_type.split(';')[0].strip().lower()
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise faults.business_validation(f'Files of type {content_type} cannot be attached.', 'ContentType')
        if len(content) > MAX_FILE_BYTES:
            raise faults.business_validation(f'A file can be at most {MAX_FILE_BYTES} bytes; this one is '
                                             f'{len(content)}.', 'Size')
        upload = {'ContentType': content_type, 'Size': len(content),
                  '_content': base64.b64encode(content).decode('ascii'), '_token': secrets.token_urlsafe(24)}
        token = _UPLOAD.set(upload)
        try:
            return self.create(company, metadata)
        finally:
            _UPLOAD.reset(token)

    def _incoming(self, body: dict[str, Any]) -> dict[str, Any]:
        """A client's JSON never carries file bytes; only ``create_file`` hands them in (through a context var)."""
        obj = super()._incoming(body)
        upload = _UPLOAD.get()
        if upload is not None:
            obj.update(upload)
        return obj

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        has_file = '_content' in obj
        if not has_file and 'FileName' in obj and (ctx.existing is None or '_content' not in ctx.existing):
            raise faults.business_validation('Files are attached through the upload endpoint; a plain Attachable '
                                             'holds a note.', 'FileName')
        if not has_file and not str(obj.get('Note', '')).strip():
            raise faults.required_param('Note')
        if has_file:
            obj.setdefault('FileName', 'attachment')
        for ref in obj.get('AttachableRef', []) if isinstance(obj.get('AttachableRef'), list) else []:
            if isinstance(ref, dict) and isinstance(ref.get('EntityRef'), dict) and not ref['EntityRef'].get('type'):
                raise faults.required_param('AttachableRef.EntityRef.type')

    def view(self, company: Company, obj: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in obj.items() if k not in _PRIVATE}
        if '_content' in obj:
            out['FileAccessUri'] = f"/v3/company/{company.realm_id}/download/{obj['Id']}"
            out['TempDownloadUri'] = download_url(company, obj)
        return out


def download_url(company: Company, obj: dict[str, Any]) -> str:
    return f"{company.base_url}/_files/{company.realm_id}/{obj['Id']}/{obj['_token']}"


def file_content(company: Company, attachable_id: str, token: str) -> tuple[bytes, str, str] | None:
    """(bytes, content type, file name) for a download link, or None when the link is not (or no longer) valid."""
    obj = company.get_object('Attachable', attachable_id)
    if obj is None or '_content' not in obj or not secrets.compare_digest(str(obj.get('_token', '')), token):
        return None
    return base64.b64decode(obj['_content']), obj.get('ContentType', 'application/octet-stream'), obj['FileName']
