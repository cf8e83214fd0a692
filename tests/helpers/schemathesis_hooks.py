"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.helpers.schemathesis_hooks): POST /v1/jobs takes JSON
Lines, which schemathesis cannot write by itself."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    if isinstance(value, str | bytes):  # the documented body is a string: send it as it is
        return value.encode("utf-8") if isinstance(value, str) else value
    rows = value if isinstance(value, list) else [value]
    return "".join(json.dumps(row) + "\n" for row in rows).encode("utf-8")
