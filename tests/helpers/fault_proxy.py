"""Wire-level faults between boto3 and moto's server: an HTTP proxy on 127.0.0.1 that forwards every
request, except those a rule picks, which it fails (an S3 500, an AccessDenied, a DynamoDB 500),
delays, or drops after forwarding (the write happened, its response is lost), as the network and the
services do. Rules match a service and an operation and fire a given number of times."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

import httpx

Action = Literal["s3-500", "access-denied", "dynamodb-500", "drop-response", "delay"]
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
S3_ERROR = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>injected</Message>'
            b"<RequestId>fault-proxy</RequestId></Error>")


@dataclass
class Rule:
    service: str  # "s3", "dynamodb" or "sqs"
    operation: str | None  # e.g. "PutObject", "TransactWriteItems"; None = every operation
    action: Action
    times: int  # how many matching requests it still fires on; -1 = until removed
    delay_s: float = 0.0
    fired: int = 0


def describe(method: str, path: str, headers: Any) -> tuple[str, str]:
    """(service, operation) of a request as boto3 sends it to moto's single endpoint."""
    target = headers.get("X-Amz-Target", "")
    if target.startswith("DynamoDB_"):
        return "dynamodb", target.split(".", 1)[-1]
    if target.startswith("AmazonSQS"):
        return "sqs", target.split(".", 1)[-1]
    key_path = path.split("?", 1)[0].strip("/")
    if method == "PUT" and "/" in key_path:
        return "s3", "PutObject"
    if method == "GET" and "/" in key_path:
        return "s3", "GetObject"
    return "s3", f"{method} bucket"


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.rules: list[Rule] = []
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    def add(self, service: str, operation: str | None, action: Action, *, times: int = -1,
            delay_s: float = 0.0) -> Rule:
        rule = Rule(service, operation, action, times, delay_s)
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def _match(self, service: str, operation: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.service == service and rule.operation in (None, operation) and rule.times != 0:
                    rule.times -= 1 if rule.times > 0 else 0
                    rule.fired += 1
                    return rule
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, status: int, body: bytes, headers: dict[str, str], length: str | None = None) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", length or str(len(body)))
                self.end_headers()
                if self.command != "HEAD":  # a HEAD answer has the object's length and no body
                    self.wfile.write(body)

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                service, operation = describe(self.command, self.path, self.headers)
                proxy.seen.append((service, operation))
                rule = proxy._match(service, operation)
                if rule is not None and rule.action == "s3-500":
                    return self._reply(500, S3_ERROR.replace(b"{code}", b"InternalError"), {})
                if rule is not None and rule.action == "access-denied":
                    return self._reply(403, S3_ERROR.replace(b"{code}", b"AccessDenied"), {})
                if rule is not None and rule.action == "dynamodb-500":
                    return self._reply(500, b'{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",'
                                            b'"message":"injected"}', {"Content-Type": "application/x-amz-json-1.0"})
                if rule is not None and rule.action == "delay":
                    time.sleep(rule.delay_s)
                answer = httpx.request(self.command, proxy.upstream + self.path, content=body, timeout=60,
                                       headers={k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP})
                if rule is not None and rule.action == "drop-response":
                    # Applied upstream, answer lost: the client sees a connection closed mid-request.
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                headers = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
                length = answer.headers.get("Content-Length") if self.command == "HEAD" else None
                return self._reply(answer.status_code, answer.content, headers, length)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

            def log_message(self, *args: Any) -> None:
                return

        return Handler

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
