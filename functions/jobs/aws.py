"""AWS clients for bulk jobs, created once per process and pointed at AWS_ENDPOINT_URL when set."""

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class AwsClients:
    sqs: "SQSClient"
    s3: "S3Client"
    dynamodb: "DynamoDBClient"


@cache
def aws_clients(endpoint_url: str | None) -> AwsClients:
    """One set of clients per endpoint: boto3 clients are thread-safe and costly to build."""
    # Standard-mode retries absorb throttling of SendMessageBatch and DynamoDB bursts from many chunks.
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=5,
        read_timeout=30,
        signature_version="s3v4",
        # Path-style keys work against any endpoint (moto's server has no bucket DNS names).
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    session = boto3.session.Session()
    return AwsClients(
        sqs=session.client("sqs", endpoint_url=endpoint_url, config=config),
        s3=session.client("s3", endpoint_url=endpoint_url, config=config),
        dynamodb=session.client("dynamodb", endpoint_url=endpoint_url, config=config),
    )
