"""The revisions of the ledger schema, in order."""
