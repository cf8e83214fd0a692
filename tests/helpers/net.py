"""Local ports and child processes for tests that start servers on 127.0.0.1."""

from __future__ import annotations

import subprocess
from typing import Any

# The one free-port picker lives with the dev tools (the bulk demo needs it, and a dev tool must not
# import from tests/); tests keep importing it from here.
from devtools.local import free_port as free_port


def stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate a child server; kill it if it has not exited within 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
