"""moto's ThreadedMotoServer on 127.0.0.1 in its own process: `python -m bench.moto_server PORT MAX_SECONDS`.

Its own process so the server's threads do not share a GIL with the bulk handler being measured.
Stops when its stdin closes (the parent is done) or after MAX_SECONDS.
"""

from __future__ import annotations

import os
import sys
import threading

from moto.server import ThreadedMotoServer


def main(argv: list[str]) -> int:
    port, max_seconds = int(argv[0]), float(argv[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    os.dup2(2, 1)  # nobody reads the pipe after "ready": anything printed later goes to the log
    # Wait for the parent to close stdin, at most max_seconds.
    reader = threading.Thread(target=sys.stdin.read, daemon=True)
    reader.start()
    reader.join(max_seconds)
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
