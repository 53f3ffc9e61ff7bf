"""The audit trail: an append-only record of who changed what, readable, never editable."""
