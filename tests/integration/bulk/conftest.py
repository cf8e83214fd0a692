"""Bulk-path fixtures: moto server on 127.0.0.1, a stack per test, the real handler."""

from tests.helpers.bulk import *  # noqa: F403 - pytest finds fixtures by name in this module
