"""link state counts for the Sync Dashboard, kept by triggers; log level and run indexes (issue 9, item 6)

The dashboard joined every link to its record to count synced / pending / failed (380-470 ms at 100,000 links).
``linkstatecount`` holds those counts per (company, entity type, state); triggers on ``entitylink`` and on the six
record tables move them inside the transaction that changes a link or a record's version, so a crash rolls the count
back with the change and concurrent writers are serialised by the database (SQLite's single writer; PostgreSQL's row
locks, taken in key order within each statement). The state of a link is the same CASE as
``qbsync.sync.record_status.status_case``; a link whose record does not exist counts nowhere, as in the join.

Self-contained on purpose (frozen table list): an entity added later needs its own revision with its triggers; the
tests compare the counts with the join for every entity in ``qbsync.sync.entities.ENTITIES``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# entity type (as links store it) -> its record table
RECORD_TABLES = {'customer': 'customer', 'item': 'item', 'invoice': 'invoice', 'payment': 'payment',
                 'expense': 'expense', 'credit_memo': 'creditmemo'}
LINK_COLUMNS = ('realm_id', 'entity_type', 'local_id', 'status', 'synced_version')


def _state(link: str, version: str) -> str:
    """The dashboard state of link ``link`` whose record is at ``version`` (record_status.status_case)."""
    return (f"CASE WHEN {link}.status = 'failed' THEN 'failed' WHEN {link}.status = 'held' THEN 'conflict' "
            f"WHEN {link}.status = 'deleted_in_qbo' THEN 'deleted in QuickBooks' "
            f"WHEN {link}.status = 'synced' AND {link}.synced_version = {version} THEN 'synced' ELSE 'pending' END")


def _record_version(link: str) -> str:
    """The version of the record link ``link`` points at (NULL when that record does not exist)."""
    whens = ' '.join(f"WHEN '{entity}' THEN (SELECT version FROM {table} WHERE id = {link}.local_id)"
                     for entity, table in RECORD_TABLES.items())
    return f'CASE {link}.entity_type {whens} END'


def _apply(*deltas: str) -> str:
    """One upsert adding each delta (rows of realm_id, entity_type, state, records) to the counts. Grouped so a link
    whose state did not change nets to nothing, and ordered so concurrent writers lock the rows in the same order."""
    return ('INSERT INTO linkstatecount (realm_id, entity_type, state, records) '
            'SELECT realm_id, entity_type, state, sum(records) FROM ('
            + ' UNION ALL '.join(deltas)
            + ') AS delta WHERE true GROUP BY realm_id, entity_type, state HAVING sum(records) <> 0 '
            'ORDER BY realm_id, entity_type, state '
            'ON CONFLICT (realm_id, entity_type, state) '
            'DO UPDATE SET records = linkstatecount.records + excluded.records')


def _link_delta(row: str, sign: int) -> str:
    """The change made by link row OLD or NEW (of a trigger on entitylink)."""
    return (f'SELECT {row}.realm_id AS realm_id, {row}.entity_type AS entity_type, '
            f"{_state(row, 'record.version')} AS state, {sign} AS records "
            f'FROM (SELECT {_record_version(row)} AS version) AS record WHERE record.version IS NOT NULL')


def _record_delta(entity: str, row: str, sign: int) -> str:
    """The change for the links of record row OLD or NEW (of a trigger on a record table)."""
    return (f"SELECT link.realm_id AS realm_id, link.entity_type AS entity_type, {_state('link', row + '.version')} "
            f"AS state, {sign} AS records FROM entitylink AS link "
            f"WHERE link.entity_type = '{entity}' AND link.local_id = {row}.id")


def _triggers() -> list[tuple[str, str, str, str, list[str], str]]:
    """(name, event, table, WHEN condition or '', the records it reads as (type, id) SQL pairs, statement)."""
    changed = ' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in LINK_COLUMNS)
    triggers = [('qbsync_link_insert', 'INSERT', 'entitylink', '', ['NEW.entity_type, NEW.local_id'],
                 _apply(_link_delta('NEW', 1))),
                ('qbsync_link_delete', 'DELETE', 'entitylink', '', ['OLD.entity_type, OLD.local_id'],
                 _apply(_link_delta('OLD', -1))),
                ('qbsync_link_update', 'UPDATE', 'entitylink', changed,
                 ['OLD.entity_type, OLD.local_id', 'NEW.entity_type, NEW.local_id'],
                 _apply(_link_delta('OLD', -1), _link_delta('NEW', 1)))]
    for entity, table in RECORD_TABLES.items():
        triggers += [
            (f'qbsync_{table}_insert', 'INSERT', table, '', [f"'{entity}', NEW.id"],
             _apply(_record_delta(entity, 'NEW', 1))),
            (f'qbsync_{table}_delete', 'DELETE', table, '', [f"'{entity}', OLD.id"],
             _apply(_record_delta(entity, 'OLD', -1))),
            (f'qbsync_{table}_update', 'UPDATE', table, 'OLD.version IS DISTINCT FROM NEW.version '
             'OR OLD.id IS DISTINCT FROM NEW.id', [f"'{entity}', OLD.id", f"'{entity}', NEW.id"],
             _apply(_record_delta(entity, 'OLD', -1), _record_delta(entity, 'NEW', 1)))]
    return triggers


def _lock(records: list[str]) -> str:
    """PostgreSQL: one transaction-scoped advisory lock per record the trigger reads, in key order.

    Under READ COMMITTED a link's writer and its record's writer would each count with the other's row as it was
    before (a run marks the link synced while the owner saves a new version: counted synced, truly pending). With the
    lock the second waits for the first to commit, and its count, a new statement, sees the first's change. SQLite
    needs none: it has one writer at a time, and a writer never counts from a stale snapshot.
    """
    rows = ', '.join(f'({record})' for record in records)
    return ('PERFORM pg_advisory_xact_lock(hashtext(record.entity_type), record.id) FROM (SELECT DISTINCT '
            f'entity_type, id FROM (VALUES {rows}) AS listed(entity_type, id) WHERE id IS NOT NULL '
            'ORDER BY entity_type, id) AS record')


def _recount() -> str:
    """Every count from scratch: the join the dashboard used to run."""
    selects = ' UNION ALL '.join(
        f"SELECT link.realm_id AS realm_id, link.entity_type AS entity_type, "
        f"{_state('link', 'record.version')} AS state, 1 AS records FROM entitylink AS link "
        f"JOIN {table} AS record ON record.id = link.local_id WHERE link.entity_type = '{entity}'"
        for entity, table in RECORD_TABLES.items())
    return ('INSERT INTO linkstatecount (realm_id, entity_type, state, records) '
            f'SELECT realm_id, entity_type, state, sum(records) FROM ({selects}) AS counted '
            'GROUP BY realm_id, entity_type, state')


def upgrade() -> None:
    op.create_table('linkstatecount',
    sa.Column('realm_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('realm_id', 'entity_type', 'state', name=op.f('pk_linkstatecount'))
    )
    with op.batch_alter_table('entitylink', schema=None) as batch_op:
        batch_op.create_index('ix_link_record', ['entity_type', 'local_id'], unique=False)
    with op.batch_alter_table('synclogentry', schema=None) as batch_op:  # the Sync Log's "errors only" page
        batch_op.create_index('ix_log_level_at', ['level', 'at'], unique=False)
    with op.batch_alter_table('syncrun', schema=None) as batch_op:  # the last run of each kind, newest first
        batch_op.create_index('ix_run_realm_started', ['realm_id', 'started_at'], unique=False)
    # the status for "deleted in QuickBooks" was 'deleted_in_quickbooks', one character over the column's 20 (which
    # PostgreSQL refused); links that SQLite stored so take the short spelling before anything is counted
    op.execute("UPDATE entitylink SET status = 'deleted_in_qbo' WHERE status = 'deleted_in_quickbooks'")
    op.execute(_recount())
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name, event, table, condition, records, statement in _triggers():
        if postgresql:
            op.execute(f'CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ '
                       f'BEGIN {_lock(records)}; {statement}; RETURN NULL; END $body$')
            when = f' WHEN ({condition})' if condition else ''
            op.execute(f'CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} '
                       f'EXECUTE FUNCTION {name}()')
        else:
            when = f' WHEN {condition}' if condition else ''
            op.execute(f'CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {statement}; END')


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name, _event, table, _condition, _records, _statement in _triggers():
        op.execute(f'DROP TRIGGER IF EXISTS {name}' + (f' ON {table}' if postgresql else ''))
        if postgresql:
            op.execute(f'DROP FUNCTION IF EXISTS {name}()')
    with op.batch_alter_table('syncrun', schema=None) as batch_op:
        batch_op.drop_index('ix_run_realm_started')
    with op.batch_alter_table('synclogentry', schema=None) as batch_op:
        batch_op.drop_index('ix_log_level_at')
    with op.batch_alter_table('entitylink', schema=None) as batch_op:
        batch_op.drop_index('ix_link_record')
    op.drop_table('linkstatecount')
