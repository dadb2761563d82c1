"""Alembic environment: migrates SQLModel.metadata, synchronously, with batch mode for SQLite.

``qbsync.db.upgrade_schema`` passes an open connection in ``config.attributes['connection']``; without one (the
alembic CLI with a Config naming ``sqlalchemy.url``) an engine is made from the URL.
"""
from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

import qbsync.models  # noqa: F401  (registers every table on SQLModel.metadata)
from qbsync.models.types import DecimalText

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the project's own column type with an import, so generated revisions run as written."""
    if type_ == 'type' and isinstance(obj, DecimalText):
        autogen_context.imports.add('from qbsync.models.types import DecimalText')
        return 'DecimalText()'
    return False


OPTIONS: dict[str, Any] = {'target_metadata': target_metadata, 'render_as_batch': True, 'compare_type': True,
                           'render_item': render_item}


def run_offline() -> None:
    context.configure(url=config.get_main_option('sqlalchemy.url'), literal_binds=True,
                      dialect_opts={'paramstyle': 'named'}, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get('connection')
    if connection is not None:
        _run(connection)
        return
    from qbsync.db import create_sync_engine
    engine = create_sync_engine(config.get_main_option('sqlalchemy.url') or '')
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Any) -> None:
    context.configure(connection=connection, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
