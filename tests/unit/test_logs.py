"""QBSYNC_LOG_FORMAT=json: one JSON object per line, and every line a sync run writes names its run and company."""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from center_db import database  # noqa: F401 (fixture)
from qbsync.logs import configure_logging
from qbsync.quickbooks.client import QuickBooksClient
from qbsync.settings import load_settings
from qbsync.sync.context import RunContext
from qbsync.sync.runner import SyncRunner

REALM = '9130350000000077'


class _Tokens:
    async def access_token(self) -> str:
        return 'unused'

    async def renew(self, rejected: str) -> str:
        return 'unused'


class LoggingPass:
    async def execute(self, ctx: RunContext) -> None:
        logging.getLogger('qbsync.sync.outbound').warning('sending %d customers', 2)
        ctx.count('customer', 'failed', 1)
        logging.getLogger('qbsync.quickbooks.client').error('QuickBooks refused customer 7')


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = configure_logging('INFO', 'json', out)
    yield out
    logging.getLogger().removeHandler(handler)


async def test_every_line_of_a_run_carries_its_run_id_and_realm(database, json_logs) -> None:  # noqa: F811
    http = httpx.AsyncClient()

    async def client() -> QuickBooksClient:
        return QuickBooksClient(http, api_base_url='http://quickbooks.test/v3', realm_id=REALM, tokens=_Tokens())
    runner = SyncRunner(database, client)
    runner.register_pass('outbound', LoggingPass())
    logging.getLogger('qbsync.test').warning('before the run')
    summary = await runner.run(trigger='manual')
    logging.getLogger('qbsync.test').warning('after the run')
    await http.aclose()

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]  # every line is one JSON object
    during = [line for line in lines if line['logger'].startswith(('qbsync.sync.outbound', 'qbsync.quickbooks'))]
    assert [line['message'] for line in during] == ['sending 2 customers', 'QuickBooks refused customer 7']
    assert all(line['run_id'] == summary.run_id and line['realm_id'] == REALM for line in during)
    assert during[1]['level'] == 'ERROR' and during[0]['ts'].endswith('+00:00')
    outside = [line for line in lines if line['logger'] == 'qbsync.test']
    assert [(line['message'], line['run_id'], line['realm_id']) for line in outside] == [
        ('before the run', None, None), ('after the run', None, None)]


def test_the_text_format_names_the_run_and_exceptions_stay_on_one_json_line() -> None:
    from qbsync.logs import bind_log_context, reset_log_context

    out = io.StringIO()
    handler = configure_logging('INFO', 'text', out)
    tokens = bind_log_context(run_id=12, realm_id=REALM)
    logging.getLogger('qbsync.x').warning('in a run')
    reset_log_context(tokens)
    logging.getLogger().removeHandler(handler)
    assert f'WARNING qbsync.x: in a run [run 12, realm {REALM}]' in out.getvalue()

    out = io.StringIO()
    handler = configure_logging('INFO', 'json', out)
    try:
        raise ValueError('boom')
    except ValueError:
        logging.getLogger('qbsync.x').exception('it failed')
    logging.getLogger().removeHandler(handler)
    (line,) = out.getvalue().splitlines()
    entry = json.loads(line)
    assert entry['message'] == 'it failed' and 'ValueError: boom' in entry['exception']


def test_log_format_setting() -> None:
    assert load_settings({'QBSYNC_DATA_DIR': '/tmp/qbsync-logs-test'}).log_format == 'text'
    assert load_settings({'QBSYNC_DATA_DIR': '/tmp/qbsync-logs-test', 'QBSYNC_LOG_FORMAT': 'JSON'}).log_format == 'json'
    with pytest.raises(ValueError, match='QBSYNC_LOG_FORMAT must be one of text, json'):
        load_settings({'QBSYNC_DATA_DIR': '/tmp/qbsync-logs-test', 'QBSYNC_LOG_FORMAT': 'xml'})
