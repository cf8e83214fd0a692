"""Who owns a job: the API key that created it. Only its owner can read it (or reuse its
Idempotency-Key); any other caller gets the 404 of an unknown job."""

from __future__ import annotations

import hashlib

from starlette.requests import Request

from functions.api.guards import API_KEY_HEADER

# A caller with no key at all (a local server with API_KEYS unset): its jobs are shared by every
# such caller, and no keyed caller can read them.
ANONYMOUS = "anonymous"


def _gateway_key_id(request: Request) -> str | None:
    # API Gateway (REST) validated the key and names it in the event Mangum hands over; the key's
    # id, not its value, so the table never holds a usable credential.
    event = request.scope.get("aws.event")
    context = event.get("requestContext") if isinstance(event, dict) else None
    identity = context.get("identity") if isinstance(context, dict) else None
    key_id = identity.get("apiKeyId") if isinstance(identity, dict) else None
    return key_id if isinstance(key_id, str) and key_id else None


def job_owner(request: Request) -> str:
    """``apikey-id:<id>`` on AWS, ``sha256:<hex of X-API-Key>`` locally, else ``anonymous``."""
    key_id = _gateway_key_id(request)
    if key_id is not None:
        return f"apikey-id:{key_id}"
    key = request.headers.get(API_KEY_HEADER)
    if key:
        # Never the raw key: a leaked table must not hand out working keys.
        return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return ANONYMOUS
