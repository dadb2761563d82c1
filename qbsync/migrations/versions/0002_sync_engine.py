"""sync engine: run lease, outbox, run totals per entity, explained log entries, QuickBooks' update time on links

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 16:53:19.692014
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outboxbatch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outboxbatch')),
    sa.UniqueConstraint('request_id', name=op.f('uq_outboxbatch_request_id'))
    )
    with op.batch_alter_table('outboxbatch', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_open', ['realm_id', 'answered_at'], unique=False)

    op.create_table('synclease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('acquired_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_synclease'))
    )
    op.create_table('outboxitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('bid', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('local_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('operation', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['outboxbatch.id'], name=op.f('fk_outboxitem_batch_id_outboxbatch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outboxitem')),
    sa.UniqueConstraint('batch_id', 'bid', name='uq_outbox_bid')
    )
    with op.batch_alter_table('outboxitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outboxitem_batch_id'), ['batch_id'], unique=False)

    with op.batch_alter_table('entitylink', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qbo_updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('needs_inbound', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('synclogentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('element', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('suggestion', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=''))

    with op.batch_alter_table('syncrun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('linked', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('entity_counts', sa.Text(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('syncrun', schema=None) as batch_op:
        batch_op.drop_column('message')
        batch_op.drop_column('entity_counts')
        batch_op.drop_column('linked')
        batch_op.drop_column('total')

    with op.batch_alter_table('synclogentry', schema=None) as batch_op:
        batch_op.drop_column('suggestion')
        batch_op.drop_column('detail')
        batch_op.drop_column('element')
        batch_op.drop_column('code')
        batch_op.drop_column('status')
        batch_op.drop_column('direction')

    with op.batch_alter_table('entitylink', schema=None) as batch_op:
        batch_op.drop_column('needs_inbound')
        batch_op.drop_column('qbo_updated_at')

    with op.batch_alter_table('outboxitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outboxitem_batch_id'))

    op.drop_table('outboxitem')
    op.drop_table('synclease')
    with op.batch_alter_table('outboxbatch', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_open')

    op.drop_table('outboxbatch')
