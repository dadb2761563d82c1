"""Attachable (issue 11 item 2): notes on /attachable, files through the multipart /upload endpoint, the download
link, and python-quickbooks' own Attachable.save with file bytes."""
from __future__ import annotations

import json

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.attachable import Attachable
from quickbooks.objects.base import AttachableRef, Ref

from test_third_party_client import qb  # noqa: F401

PDF = b'%PDF-1.4\n% a tiny test file\n'


def _multipart(parts: list[tuple[str, str, bytes, dict[str, str]]]) -> tuple[str, bytes]:
    boundary = 'sandbox-test-boundary'
    body = b''
    for name, content_type, data, extra in parts:
        headers = f'Content-Disposition: form-data; name="{name}"'
        if 'filename' in extra:
            headers += f'; filename="{extra["filename"]}"'
        body += (f'--{boundary}\r\n{headers}\r\nContent-Type: {content_type}\r\n\r\n').encode() + data + b'\r\n'
    return f'multipart/form-data; boundary={boundary}', body + f'--{boundary}--\r\n'.encode()


async def test_notes_files_downloads_and_refusals(qbo_api, sandbox_client, sandbox_state, realm_id):
    note = (await qbo_api.post('/attachable', json={'Note': 'Call before delivery', 'AttachableRef': [
        {'EntityRef': {'type': 'Invoice', 'value': '1'}, 'IncludeOnSend': False}]})).json()['Attachable']
    assert note['Note'] == 'Call before delivery' and 'TempDownloadUri' not in note
    assert note['AttachableRef'][0] == {'EntityRef': {'type': 'Invoice', 'value': '1'}, 'IncludeOnSend': False}
    missing = await qbo_api.post('/attachable', json={'FileName': 'x.pdf'})
    assert missing.status_code == 400 and missing.json()['Fault']['Error'][0]['code'] == '6000'
    untyped = await qbo_api.post('/attachable', json={'Note': 'n', 'AttachableRef': [{'EntityRef': {'value': '1'}}]})
    assert untyped.json()['Fault']['Error'][0]['code'] == '2020'
    content_type, body = _multipart([
        ('file_metadata_01', 'application/json', json.dumps({'FileName': 'receipt.pdf', 'Category': 'Receipt',
                                                             'AttachableRef': [{'EntityRef': {
                                                                 'type': 'Bill', 'value': '1'}}]}).encode(), {}),
        ('file_content_01', 'application/pdf', PDF, {}),
        ('file_content_02', 'application/x-msdownload', b'MZ', {'filename': 'tool.exe'}),
        ('file_content_03', 'image/png', b'\x89PNG\r\n', {'filename': 'photo.png'})])
    answer = await qbo_api.post('/upload', content=body, headers={'Content-Type': content_type})
    assert answer.status_code == 200
    first, refused, photo = answer.json()['AttachableResponse']
    attached = first['Attachable']
    assert (attached['FileName'], attached['Size'], attached['ContentType']) == ('receipt.pdf', len(PDF),
                                                                                 'application/pdf')
    assert attached['AttachableRef'][0]['EntityRef']['value'] == '1' and '_content' not in attached
    assert refused['Fault']['Error'][0]['code'] == '6000' and photo['Attachable']['FileName'] == 'photo.png'
    link = await qbo_api.get(f"/download/{attached['Id']}")
    assert link.status_code == 200 and link.text == attached['TempDownloadUri']
    assert link.text.startswith('http://sandbox.test/_files/')
    fetched = await sandbox_client.get(link.text.removeprefix('http://sandbox.test'))
    assert fetched.status_code == 200 and fetched.content == PDF and fetched.headers['content-type'] == \
        'application/pdf'
    forged = await sandbox_client.get(link.text.removeprefix('http://sandbox.test')[:-3] + 'xyz')
    assert forged.status_code == 404
    found = (await qbo_api.get('/query', params={'query': "select * from Attachable where Category = 'Receipt'"}))
    assert [a['Id'] for a in found.json()['QueryResponse']['Attachable']] == [attached['Id']]
    assert '_content' not in json.dumps(found.json())
    smuggled = await qbo_api.post('/attachable', json={'Note': 'x', '_content': 'QUJD', '_token': 't'})
    assert '_content' not in (await qbo_api.get(f"/attachable/{smuggled.json()['Attachable']['Id']}")).text
    assert (await qbo_api.post('/upload', content=b'{}', headers={'Content-Type': 'application/json'})
            ).json()['Fault']['Error'][0]['code'] == '2010'
    company = sandbox_state.companies.get(realm_id)
    renamed = company.update('Attachable', {'Id': attached['Id'], 'SyncToken': '0', 'sparse': True,
                                            'Note': 'paid'})
    assert renamed['Size'] == len(PDF) and renamed['Note'] == 'paid'
    deleted = company.delete('Attachable', {'Id': attached['Id'], 'SyncToken': '1'})
    assert deleted['status'] == 'Deleted'
    assert (await sandbox_client.get(link.text.removeprefix('http://sandbox.test'))).status_code == 404


def test_python_quickbooks_uploads_file_bytes_and_notes(qb):  # noqa: F811
    attachment = Attachable()
    reference = AttachableRef()
    reference.EntityRef = Ref()
    reference.EntityRef.type, reference.EntityRef.value = 'Customer', '1'
    attachment.AttachableRef = [reference]
    attachment.FileName = 'terms.txt'
    attachment.ContentType = 'text/plain'
    attachment._FileBytes = b'Net 30, thank you.'
    saved = attachment.save(qb=qb)
    assert saved.Id and saved.FileName == 'terms.txt' and saved.Size == len(b'Net 30, thank you.')
    fetched = Attachable.get(saved.Id, qb=qb)
    assert fetched.TempDownloadUri and fetched.ContentType == 'text/plain'
    note = Attachable()
    note.Note = 'Gate code 4321'
    assert note.save(qb=qb).Note == 'Gate code 4321'
    with pytest.raises(QuickbooksException) as caught:
        Attachable.get('999999', qb=qb)
    assert caught.value.error_code == 610
