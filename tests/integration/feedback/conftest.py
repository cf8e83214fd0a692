"""moto's server on 127.0.0.1 for the DynamoDB feedback store."""

from tests.helpers.bulk import aws, moto_endpoint_fixture  # noqa: F401 - pytest finds fixtures by name here
