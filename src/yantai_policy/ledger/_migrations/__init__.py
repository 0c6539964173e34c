"""The ledger's Alembic migrations: its schema, revision by revision."""
