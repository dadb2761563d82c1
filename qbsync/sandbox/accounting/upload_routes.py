"""``POST /upload`` (multipart attachments), ``GET /download/{id}`` and the download links they hand out.

An upload holds pairs of parts named ``file_metadata_NN`` (an Attachable as JSON, optional) and ``file_content_NN``
(the file, raw or with ``Content-Transfer-Encoding: base64`` as python-quickbooks sends it). Each file is answered
on its own in ``AttachableResponse`` (an ``Attachable`` or a ``Fault``), like batch items; the call answers 200
unless the body is no multipart at all (400, 2010). ``/download/{id}`` answers the file's temporary link as plain
text, as Intuit does; the link itself (``/_files/...``) needs no token, like Intuit's pre-signed links.
The multipart body is read with the standard library's MIME parser: no extra dependency.
"""
from __future__ import annotations

import json
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import faults
from .entities.attachable import AttachableType, download_url, file_content
from .routes import BASE, BinaryAnswer, api_call
from .store import Company

__all__ = ['router', 'parse_upload']

router = APIRouter()
_ATTACHABLE = AttachableType()


@router.post(BASE + '/upload')
async def upload(request: Request, realm_id: str) -> Response:
    raw = await request.body()
    content_type = request.headers.get('content-type', '')

    def run(company: Company) -> tuple[int, dict[str, Any]]:
        answers = []
        for metadata, content, part_type in parse_upload(content_type, raw):
            try:
                created = _ATTACHABLE.create_file(company, metadata, content, part_type)
                answers.append({'Attachable': created})
            except faults.QBOFault as fault:
                answers.append({'Fault': {'Error': [e.as_json() for e in fault.errors], 'type': fault.type}})
        return 200, {'AttachableResponse': answers}
    return await api_call(request, realm_id, run, replayable=True)


@router.get(BASE + '/download/{attachable_id}')
async def download(request: Request, realm_id: str, attachable_id: str) -> Response:
    def run(company: Company) -> BinaryAnswer:
        obj = company.get_object('Attachable', attachable_id)
        if obj is None or '_content' not in obj:
            raise faults.object_not_found('Attachable', attachable_id)
        return BinaryAnswer(download_url(company, obj).encode(), 'text/plain')
    return await api_call(request, realm_id, run, replayable=False)


@router.get('/_files/{realm_id}/{attachable_id}/{token}')
async def fetch_file(request: Request, realm_id: str, attachable_id: str, token: str) -> Response:
    company = request.app.state.sandbox.companies.get(realm_id)
    found = file_content(company, attachable_id, token) if company is not None else None
    if found is None:
        return Response('The link is not valid.', status_code=404, media_type='text/plain')
    content, media_type, name = found
    return Response(content, media_type=media_type,
                    headers={'Content-Disposition': f'attachment; filename="{name.replace(chr(34), "")}"'})


def parse_upload(content_type: str, raw: bytes) -> list[tuple[dict[str, Any], bytes, str]]:
    """(metadata, bytes, content type) per file part, paired with its metadata part by the ``_NN`` suffix."""
    if not content_type.lower().startswith('multipart/'):
        raise faults.request_body_error('an upload is a multipart/form-data body')
    message = BytesParser(policy=policy.HTTP).parsebytes(f'Content-Type: {content_type}\r\n\r\n'.encode() + raw)
    if not message.is_multipart():
        raise faults.request_body_error('the multipart body could not be read')
    metadata: dict[str, dict[str, Any]] = {}
    files: list[tuple[str, Message]] = []
    for part in message.iter_parts():
        name = part.get_param('name', header='content-disposition') or ''
        kind, _, suffix = str(name).rpartition('_')
        if kind == 'file_metadata':
            try:
                metadata[suffix] = json.loads(part.get_payload(decode=True) or b'{}')
            except ValueError:
                raise faults.request_body_error(f'{name} is not JSON') from None
        elif kind == 'file_content':
            files.append((suffix, part))
    if not files:
        raise faults.required_param('file_content_01', 'Required parameter file_content_01 is missing in the '
                                                       'request: an upload needs at least one file part')
    found = []
    for suffix, part in files:
        meta = dict(metadata.get(suffix, {}))
        if part.get_filename() and 'FileName' not in meta:
            meta['FileName'] = part.get_filename()
        found.append((meta, part.get_payload(decode=True) or b'', part.get_content_type()))
    return found
