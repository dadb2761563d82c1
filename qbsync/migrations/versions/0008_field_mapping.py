"""field mapping: one rules document per company; the app fields the rules read (service area, job number,
technician, PO number, a customer's and an item's class, a customer's location and type)

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-01 17:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (column, length) of the new text columns, all NOT NULL DEFAULT ''
_COLUMNS: dict[str, tuple[tuple[str, int], ...]] = {
    'customer': (('class_name', 100), ('location_name', 100), ('customer_type', 100)),
    'item': (('class_name', 100),),
    'invoice': (('service_area', 100), ('job_number', 31), ('technician', 100), ('po_number', 31)),
    'creditmemo': (('service_area', 100), ('job_number', 31), ('technician', 100), ('po_number', 31)),
    'payment': (('service_area', 100),),
    'expense': (('service_area', 100),),
}


def upgrade() -> None:
    op.create_table('fieldmapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fieldmapping')),
    sa.UniqueConstraint('realm_id', name=op.f('uq_fieldmapping_realm_id'))
    )
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False,
                                              server_default=''))


def downgrade() -> None:
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(columns):
                batch_op.drop_column(name)
    op.drop_table('fieldmapping')
