"""Binary uploads (a recording, an image): the Content-Type, and a multipart body read after its size check.

Routes that take files read the body under their own limit first (guards.read_limited), then parse
the multipart form from those bytes, so no parser ever sees more than the limit allows.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from functions.api.errors import Unprocessable

# Room for the multipart envelope (boundaries, part headers, the small form fields).
MULTIPART_OVERHEAD = 64 * 1024


def media_type(request: Request) -> str:
    """The Content-Type without parameters, lower-cased ('' when absent)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_form(request: Request, body: bytes, *, max_fields: int) -> FormData:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, receive).form(max_files=1, max_fields=max_fields)
    except Exception:  # python-multipart's and Starlette's parse errors share no base class
        raise Unprocessable("body: not a readable multipart/form-data body") from None


async def form_file(form: FormData, name: str) -> bytes:
    upload = form.get(name)
    if not isinstance(upload, UploadFile):
        raise Unprocessable(f"{name}: missing; the multipart body needs a file field named `{name}`")
    return await upload.read()
