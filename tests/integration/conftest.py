"""Fixtures shared by integration folders: the tiny label-set model (built once per session)."""

from tests.helpers.labelset import labelset_models_dir  # noqa: F401 - pytest finds fixtures by name here
