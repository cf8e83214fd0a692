"""The web page's tests: moto's server for the bulk stack, the real API under uvicorn."""

from tests.helpers.bulk import aws, moto_endpoint_fixture  # noqa: F401 - pytest finds fixtures by name here
