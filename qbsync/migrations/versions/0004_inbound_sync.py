"""inbound sync: webhook event processing state, CDC cursor per company, changes held for the user

Revision ID: 0004
Revises: 0007
Create Date: 2026-12-01 17:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inboundcursor',
    sa.Column('realm_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('changed_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('realm_id', 'entity', name=op.f('pk_inboundcursor'))
    )
    op.create_table('heldchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('local_id', sa.Integer(), nullable=False),
    sa.Column('qbo_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('qbo_sync_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('qbo_updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('qbo_payload', sa.Text(), nullable=False),
    sa.Column('local_version', sa.Integer(), nullable=False),
    sa.Column('detected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_heldchange'))
    )
    with op.batch_alter_table('heldchange', schema=None) as batch_op:
        batch_op.create_index('ix_heldchange_open', ['realm_id', 'entity_type', 'local_id', 'resolved_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_heldchange_detected_at'), ['detected_at'], unique=False)

    with op.batch_alter_table('webhookevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='pending'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claim', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
                                      server_default=''))
        batch_op.create_index('ix_webhookevent_due', ['status', 'next_attempt_at'], unique=False)
    # events stored before this revision were never processed: the worker picks them up as pending


def downgrade() -> None:
    with op.batch_alter_table('webhookevent', schema=None) as batch_op:
        batch_op.drop_index('ix_webhookevent_due')
        for column in ('claim', 'claimed_at', 'next_attempt_at', 'attempts', 'status'):
            batch_op.drop_column(column)
    with op.batch_alter_table('heldchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_heldchange_detected_at'))
        batch_op.drop_index('ix_heldchange_open')
    op.drop_table('heldchange')
    op.drop_table('inboundcursor')
