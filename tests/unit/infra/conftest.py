"""moto's server on 127.0.0.1 (a free port) and real boto3 clients pointed at it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.helpers.moto import moto_endpoint_fixture  # noqa: F401 - the moto_endpoint fixture


@pytest.fixture(scope="session")
def s3(moto_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture(scope="session")
def sagemaker(moto_endpoint: str) -> Any:
    return boto3.client("sagemaker", endpoint_url=moto_endpoint, region_name="us-east-1")


@pytest.fixture()
def bucket(s3: Any, request: pytest.FixtureRequest) -> str:
    # One bucket per test keeps upload counts independent of test order.
    name = "train-" + "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    s3.create_bucket(Bucket=name)
    return name
