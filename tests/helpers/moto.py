"""moto's server on 127.0.0.1 (a free port), with dummy AWS credentials in the environment.

Conftests import `moto_endpoint_fixture` from here to get the `moto_endpoint` fixture."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto.server import ThreadedMotoServer

from tests.helpers.net import free_port

# Dummy credentials and a region: boto3 signs every request, moto accepts any signature.
AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}


@contextmanager
def moto_server() -> Iterator[str]:
    """Yield the endpoint URL; stop the server and restore the environment on exit."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in AWS_ENV.items():
            env.setenv(name, value)
        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="session", name="moto_endpoint")
def moto_endpoint_fixture() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint
