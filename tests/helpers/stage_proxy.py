"""A local stand-in for API Gateway's stage prefix: serves http://127.0.0.1:<port>/<stage>/... by
forwarding to the app without the prefix (as API Gateway strips the stage), and records every path
the browser asked for, so a test can tell that no URL escaped the prefix."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"}


class StageProxy:
    def __init__(self, upstream: str, prefix: str) -> None:
        self.upstream, self.prefix, self.paths = upstream, prefix, []  # type: list[str]
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                proxy.paths.append(self.path)
                if not self.path.startswith(proxy.prefix + "/"):
                    self.send_response(403)  # API Gateway: "Missing Authentication Token"
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                answer = httpx.request(self.command, proxy.upstream + self.path[len(proxy.prefix):],
                                       headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                                       content=self.rfile.read(length) if length else None, timeout=60)
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = _forward

            def log_message(self, *args: Any) -> None:  # quiet: paths are recorded instead
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
