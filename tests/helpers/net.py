"""Child processes for tests that start servers on 127.0.0.1 (ports: devtools.local.free_port)."""

from __future__ import annotations

import subprocess
from typing import Any


def stop(proc: subprocess.Popen[Any]) -> None:
    """Terminate a child server; kill it if it has not exited within 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
