"""Alembic migrations: they build exactly the models' schema, quickly, and an upgrade keeps existing data."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from qbsync.db import MIGRATIONS_DIR, alembic_config, create_sync_engine, upgrade_schema
from qbsync.models import Customer, Invoice, InvoiceLine


def _url(tmp_path, name: str = 'm.db') -> str:  # type: ignore[no-untyped-def]
    return f'sqlite+aiosqlite:///{tmp_path / name}'


def test_migrations_create_exactly_the_models_schema(empty_database_url: str) -> None:
    url = empty_database_url  # SQLite, then PostgreSQL
    upgrade_schema(url)
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={'compare_type': True})
            assert compare_metadata(context, SQLModel.metadata) == []
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert tables == set(SQLModel.metadata.tables) | {'alembic_version'}


def test_one_head_and_revisions_import_sqlmodel() -> None:
    script = ScriptDirectory.from_config(alembic_config('sqlite://'))
    assert len(script.get_heads()) == 1
    assert 'import sqlmodel' in (MIGRATIONS_DIR / 'script.py.mako').read_text()
    for revision in script.walk_revisions():
        assert 'import sqlmodel' in Path(revision.path).read_text()


def test_existing_data_survives_another_upgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = _url(tmp_path)
    upgrade_schema(url)
    engine = create_sync_engine(url)
    try:
        with Session(engine) as session:
            customer = Customer(display_name='Keeps Data')
            session.add(customer)
            session.flush()
            session.add(Invoice(id=7, doc_number='1007', customer_id=customer.id, txn_date=date(2026, 2, 3)))
            session.flush()
            session.add(InvoiceLine(invoice_id=7, quantity=Decimal('1.5'), unit_price=Decimal('125.00'),
                                    amount=Decimal('187.50')))
            session.commit()
        upgrade_schema(url)
        upgrade_schema(url)
        with Session(engine) as session:
            assert session.exec(select(Customer.display_name)).all() == ['Keeps Data']
            assert session.exec(select(InvoiceLine.amount)).one() == Decimal('187.50')
            head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
            assert session.exec(text('SELECT version_num FROM alembic_version')).one()[0] == head
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(empty_database_url: str) -> None:
    url = empty_database_url
    upgrade_schema(url)
    engine = create_sync_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes['connection'] = connection
            command.downgrade(config, 'base')
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {'alembic_version'}
    finally:
        engine.dispose()
    upgrade_schema(url)
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            assert 'invoice' in inspect(connection).get_table_names()
    finally:
        engine.dispose()
