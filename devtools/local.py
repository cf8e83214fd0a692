"""The bulk path on one machine: create its AWS resources (moto's server in tests and the demo)
and stand in for Lambda's SQS event source mapping, invoking the real handler with real events.

Also the one fake Lambda context object and the one free-port picker: the demo needs both, and the
tests import them from here (a dev tool must not import from tests/).
"""

import json
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from functions.jobs.aws import AwsClients

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

Handler = Callable[[dict[str, Any], Any], Mapping[str, Any]]


@dataclass(frozen=True)
class LocalStack:
    queue_url: str
    queue_arn: str
    dlq_url: str
    bucket: str
    table: str

    def settings_values(self, endpoint_url: str, max_receive_count: int) -> dict[str, str]:
        """What the template gives both functions, pointed at these resources, by settings field name."""
        return {"jobs_queue_url": self.queue_url, "results_bucket": self.bucket, "jobs_table": self.table,
                "aws_endpoint_url": endpoint_url, "bulk_max_receive_count": str(max_receive_count)}

    def environment(self, endpoint_url: str, max_receive_count: int) -> dict[str, str]:
        """The same as environment variables, for a function started in its own process."""
        return {name.upper(): value for name, value in self.settings_values(endpoint_url, max_receive_count).items()}


def create_stack(clients: AwsClients, *, prefix: str = "emotion", max_receive_count: int = 5,
                 visibility_timeout: int = 30) -> LocalStack:
    """Queue + DLQ with its redrive policy, results bucket, jobs table: template.yaml's shapes."""
    suffix = uuid.uuid4().hex[:8]
    dlq_url = clients.sqs.create_queue(QueueName=f"{prefix}-dlq-{suffix}")["QueueUrl"]
    dlq_arn = clients.sqs.get_queue_attributes(
        QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = clients.sqs.create_queue(QueueName=f"{prefix}-jobs-{suffix}", Attributes={
        "MaximumMessageSize": "262144",
        "VisibilityTimeout": str(visibility_timeout),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}),
    })["QueueUrl"]
    queue_arn = clients.sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bucket = f"{prefix}-results-{suffix}"
    clients.s3.create_bucket(Bucket=bucket)
    table = f"{prefix}-jobs-{suffix}"
    clients.dynamodb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "job_id", "AttributeType": "S"},
                              {"AttributeName": "record", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "job_id", "KeyType": "HASH"},
                   {"AttributeName": "record", "KeyType": "RANGE"}])
    clients.dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    return LocalStack(queue_url=queue_url, queue_arn=queue_arn, dlq_url=dlq_url, bucket=bucket, table=table)


def create_feedback_table(clients: AwsClients, *, prefix: str = "emotion") -> str:
    """template.yaml's FeedbackTable: owner + client_id, TTL on expires_at."""
    table = f"{prefix}-feedback-{uuid.uuid4().hex[:8]}"
    clients.dynamodb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"},
                              {"AttributeName": "client_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "client_id", "KeyType": "RANGE"}])
    clients.dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    return table


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, for a local server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FakeLambdaContext:
    """The attributes Powertools and Mangum read from Lambda's context object."""

    function_name: str = "emotion-bulk-local"
    memory_limit_in_mb: int = 1769
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_stream_name: str = "local"
    remaining_ms: int = 120_000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str,
              region: str = "us-east-1") -> dict[str, Any]:
    """ReceiveMessage results in the shape Lambda's event source mapping delivers them."""
    records = []
    for message in messages:
        attributes = message.get("Attributes", {})
        records.append({
            "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {
                "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
                "SentTimestamp": attributes.get("SentTimestamp", "0"),
                "SenderId": attributes.get("SenderId", "AIDAEXAMPLE"),
                "ApproximateFirstReceiveTimestamp": attributes.get("ApproximateFirstReceiveTimestamp", "0"),
            },
            "messageAttributes": {}, "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region,
        })
    return {"Records": records}


@dataclass
class PollStats:
    invocations: int = 0
    received: int = 0
    deleted: int = 0
    failed: int = 0


class LocalEventSource:
    """Polls the queue like the event source mapping: one handler call per received batch, deletes
    the records not in batchItemFailures, and leaves the others for redelivery."""

    def __init__(self, sqs: "SQSClient", queue_url: str, queue_arn: str, handler: Handler, *,
                 batch_size: int = 10, retry_delay_s: int = 0) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.handler = handler
        self.batch_size = batch_size
        # Lambda waits out the visibility timeout before a retry; locally that only slows things down.
        self.retry_delay_s = retry_delay_s
        self.stats = PollStats()

    def poll_once(self, wait_s: int = 0) -> int:
        """Receive and handle one batch; returns how many messages it held."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size, WaitTimeSeconds=wait_s,
            AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return 0
        self.stats.invocations += 1
        self.stats.received += len(messages)
        try:
            response = self.handler(sqs_event(messages, self.queue_arn), FakeLambdaContext())
            failed_ids = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        except Exception:
            # A crashed invocation: Lambda retries the whole batch.
            failed_ids = {message["MessageId"] for message in messages}
        done = [message for message in messages if message["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            entries = [{"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                       for index, message in enumerate(done[start:start + 10])]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)  # type: ignore[arg-type]
        self.stats.deleted += len(done)
        for message in messages:
            if message["MessageId"] in failed_ids:
                self.stats.failed += 1
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self.retry_delay_s)
        return len(messages)

    def drain(self, *, max_empty_polls: int = 2, max_batches: int = 100_000,
              progress: Callable[[PollStats], None] | None = None) -> PollStats:
        """Poll until the queue stays empty for `max_empty_polls` receives in a row."""
        empty = 0
        for _ in range(max_batches):
            if self.poll_once():
                empty = 0
                if progress:
                    progress(self.stats)
            else:
                empty += 1
                if empty >= max_empty_polls:
                    break
        return self.stats
