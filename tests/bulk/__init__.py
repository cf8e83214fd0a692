"""Fixtures and helpers shared by the bulk-path tests (unit and integration)."""
