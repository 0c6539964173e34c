"""Alembic's environment for the ledger: run in code by `yantai_policy.ledger.store`.

The caller passes its open connection in ``config.attributes["connection"]``; no
``alembic.ini`` and no URL in a file are needed.
"""

from __future__ import annotations

from alembic import context

from yantai_policy.ledger.schema import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
