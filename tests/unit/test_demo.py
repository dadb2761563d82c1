"""Demo business: enough realistic data, deterministic, consistent with the record rules, loaded once, fast;
the owner's generated password is printed once."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from qbsync.db import create_sync_engine
from qbsync.demo import DEMO_OWNER_EMAIL, build_demo_data, load_demo_data
from qbsync.models import CreditMemo, Customer, Expense, Invoice, InvoiceLine, Item, Payment, PaymentApplication
from qbsync.services import Services
from qbsync.services.records import ENTITY_TYPES, RecordService, input_from_view
from qbsync.services.validation import cents
from qbsync.settings import load_settings

from data_support import db, db_url  # noqa: F401 (fixtures)

TODAY = date(2026, 11, 24)


def _dump(data) -> list:  # type: ignore[no-untyped-def]
    return [(model.__name__, [row.model_dump() for row in rows]) for model, rows in data.tables.items()]


def test_enough_records_spread_over_a_year() -> None:
    data = build_demo_data(today=TODAY)
    for model, minimum in ((Customer, 50), (Item, 15), (Invoice, 200), (Payment, 120), (Expense, 40),
                           (CreditMemo, 10)):
        assert data.count(model) >= minimum, model.__name__
    dates = [row.txn_date for model in (Invoice, Payment, Expense, CreditMemo) for row in data.tables[model]]
    assert min(dates) >= TODAY - timedelta(days=365) and max(dates) <= TODAY
    months = {(d.year, d.month) for d in (row.txn_date for row in data.tables[Invoice])}
    assert len(months) >= 12
    assert all(1 <= n <= 4 for n in _count_by(data.tables[InvoiceLine], 'invoice_id').values())


def test_deterministic_for_a_seed() -> None:
    assert _dump(build_demo_data(today=TODAY, seed=7)) == _dump(build_demo_data(today=TODAY, seed=7))
    assert _dump(build_demo_data(today=TODAY, seed=7)) != _dump(build_demo_data(today=TODAY, seed=8))


def test_money_is_consistent_and_some_invoices_are_open() -> None:
    data = build_demo_data(today=TODAY)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in data.tables[InvoiceLine]:
        assert line.amount == cents(line.quantity * line.unit_price)
        totals[line.invoice_id] += line.amount
    applied: dict[int, Decimal] = defaultdict(Decimal)
    by_payment: dict[int, Decimal] = defaultdict(Decimal)
    for application in data.tables[PaymentApplication]:
        applied[application.invoice_id] += application.amount
        by_payment[application.payment_id] += application.amount
    assert all(applied[i] <= totals[i] for i in totals)
    assert all(by_payment[p.id] == p.amount for p in data.tables[Payment])
    invoices = data.tables[Invoice]
    overdue = [i for i in invoices if applied[i.id] == 0 and i.due_date < TODAY]
    partial = [i for i in invoices if 0 < applied[i.id] < totals[i.id]]
    multi = [p for p, n in _count_by(data.tables[PaymentApplication], 'payment_id').items() if n > 1]
    assert overdue and partial and multi
    customers = data.tables[Customer]
    assert len({c.display_name for c in customers}) == len(customers)
    assert all(c.email.endswith(('.example.com', '@example.net')) and ':' not in c.display_name for c in customers)
    assert len({i.doc_number for i in invoices}) == len(invoices)


def test_loads_once_and_obeys_the_record_rules(db_url: str) -> None:
    engine = create_sync_engine(db_url)
    try:
        with Session(engine) as session:
            loaded = load_demo_data(session, today=TODAY)
            assert loaded is not None and loaded.count(Invoice) >= 200
            assert load_demo_data(session, today=TODAY) is None  # records exist: never loaded twice
    finally:
        engine.dispose()


async def test_every_demo_record_passes_the_record_service_unchanged(
        db, db_url: str) -> None:  # type: ignore[no-untyped-def]
    engine = create_sync_engine(db_url)
    with Session(engine) as session:
        load_demo_data(session, today=TODAY)
    engine.dispose()
    records = RecordService(db)
    for entity_type in ENTITY_TYPES:
        page = await records.list_records(entity_type, page_size=25)
        for row in page.rows:
            view = await records.get(entity_type, row.id)
            again = await records.update(view.id, input_from_view(view))  # validates; writes only on a change
            assert again.record.version == 1, (entity_type, view.id)


async def test_first_run_creates_the_owner_and_prints_the_password_once(
        tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv('QBSYNC_DATA_DIR', str(tmp_path / 'run'))
    monkeypatch.setenv('QBSYNC_DEMO_DATA', '1')
    services = Services(load_settings())
    services.start()
    try:
        out = capsys.readouterr().out
        assert DEMO_OWNER_EMAIL in out
        password = out.split('password:')[1].split()[0]
        user = await services.users.authenticate(DEMO_OWNER_EMAIL, password)
        assert user is not None and user.role == 'owner'
        assert (await services.records.list_records('invoice')).total >= 200
        assert (await services.health())['status'] == 'ok'
    finally:
        await services.stop()
    services.start()  # a restart: nothing printed, nothing loaded again
    try:
        assert capsys.readouterr().out == ''
        assert services.bootstrap_report is not None and not services.bootstrap_report.demo_loaded
        assert (await services.records.list_records('customer')).total == build_demo_data(today=TODAY).count(Customer)
    finally:
        await services.stop()


async def test_owner_from_the_environment_and_no_demo(
        tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv('QBSYNC_DATA_DIR', str(tmp_path / 'env'))
    monkeypatch.setenv('QBSYNC_ADMIN_EMAIL', 'Boss@Example.com')
    monkeypatch.setenv('QBSYNC_ADMIN_PASSWORD', 'from the environment')
    services = Services(load_settings())
    services.start()
    try:
        assert capsys.readouterr().out == ''
        assert await services.users.authenticate('boss@example.com', 'from the environment') is not None
        assert (await services.records.list_records('invoice')).total == 0
        health = await services.health()
        assert health['database']['ok'] and health['scheduler'] is not None
    finally:
        await services.stop()


async def test_start_on_an_empty_database_makes_no_user_so_setup_asks(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv('QBSYNC_DATA_DIR', str(tmp_path / 'empty'))
    services = Services(load_settings())
    services.start()  # its cost, paid by every UI test, is measured by `make bench` (app: Services.start())
    try:
        assert await services.users.list_users() == [] and not await services.users.owner_exists()
    finally:
        await services.stop()


def _count_by(rows, name: str) -> dict[int, int]:  # type: ignore[no-untyped-def]
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[getattr(row, name)] += 1
    return counts
