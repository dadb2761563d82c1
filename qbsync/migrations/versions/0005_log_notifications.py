"""Sync Log dismiss and retention, notifications, scheduled report subscriptions (issue 9)

Revision ID: 0005
Revises: 0008
Create Date: 2026-12-01 16:55:11.325076
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('realm_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('resolved_by_user_id', sa.Integer(), nullable=True),
    sa.Column('emailed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('email_attempts', sa.Integer(), nullable=False),
    sa.Column('email_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_open', ['key', 'resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_resolved_at'), ['resolved_at'], unique=False)

    op.create_table('reportsubscription',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('last_period_end', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reportsubscription_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reportsubscription'))
    )
    with op.batch_alter_table('entitylink', schema=None) as batch_op:
        batch_op.create_index('ix_link_state', ['realm_id', 'entity_type', 'local_id', 'status', 'synced_version'],
                              unique=False)

    with op.batch_alter_table('synclogentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dismissed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('dismissed_by_user_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_log_entity_at', ['entity_type', 'at'], unique=False)
        batch_op.create_index('ix_log_record', ['entity_type', 'local_id'], unique=False)

    with op.batch_alter_table('syncsettings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_retention_days', sa.Integer(), nullable=False, server_default='180'))



def downgrade() -> None:
    with op.batch_alter_table('syncsettings', schema=None) as batch_op:
        batch_op.drop_column('log_retention_days')

    with op.batch_alter_table('synclogentry', schema=None) as batch_op:
        batch_op.drop_index('ix_log_record')
        batch_op.drop_index('ix_log_entity_at')
        batch_op.drop_column('dismissed_by_user_id')
        batch_op.drop_column('dismissed_at')

    with op.batch_alter_table('entitylink', schema=None) as batch_op:
        batch_op.drop_index('ix_link_state')

    op.drop_table('reportsubscription')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_resolved_at'))
        batch_op.drop_index('ix_notification_open')

    op.drop_table('notification')
