"""The service's version: the one place it is written.

pyproject.toml reads it (``[tool.setuptools.dynamic]``), so the installed distribution, the API's
OpenAPI document and CHANGELOG.md's latest release all carry the same number. Bump it when a
release leaves CHANGELOG.md's "Unreleased" section.
"""

__version__ = "1.0.0"
