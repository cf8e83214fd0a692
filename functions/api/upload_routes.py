"""Job inputs larger than a request body: ``POST /v1/uploads`` gives a presigned S3 PUT URL, the client
uploads the file there, then ``POST /v1/jobs?upload_id=...`` creates the job from the object (as
Comprehend's asynchronous jobs read their input from S3). Uploads belong to the key that asked for
them and expire with the bucket's lifecycle rule (template: uploads/ after 1 day)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from functions.api.dependencies import JobsDep, SettingsDep
from functions.api.errors import NotFound, PayloadTooLarge
from functions.api.guards import require_api_key
from functions.api.job_owner import job_owner
from functions.jobs.backend import JobsBackend
from functions.jobs.results import UploadTooLarge

UPLOAD_ID_PATTERN = r"^[0-9a-f]{32}$"
UploadType = Literal["text/csv", "application/x-ndjson", "application/json"]


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: UploadType = Field(default="text/csv",
                                     description="The file's type: the PUT must send it as Content-Type.")


class UploadTicket(BaseModel):
    upload_id: str = Field(description="Pass it to POST /v1/jobs?upload_id=... once the file is uploaded.")
    url: str = Field(description="Presigned S3 URL: PUT the file there, with the headers below.")
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    expires_in: int = Field(description="Seconds the URL stays valid.")
    max_bytes: int = Field(description="Largest file a job accepts from an upload.")


def upload_key(owner: str, upload_id: str) -> str:
    # A digest of the owner (never the key itself): another key's upload id leads nowhere.
    return f"uploads/{hashlib.sha256(owner.encode()).hexdigest()[:32]}/{upload_id}"


def read_upload(backend: JobsBackend, owner: str, upload_id: str, max_bytes: int) -> tuple[bytes, str]:
    """The uploaded input and its media type, or the API's 404/413."""
    try:
        found = backend.results.read_upload(upload_key(owner, upload_id), max_bytes)
    except UploadTooLarge as exc:
        raise PayloadTooLarge(f"upload_id: the file is {exc.size} bytes, over the {max_bytes}-byte limit") from None
    if found is None:
        raise NotFound(f"upload_id: no upload {upload_id} (never uploaded, expired, or another key's)")
    body, content_type = found
    return body, content_type.split(";")[0].strip().lower()


router = APIRouter(prefix="/v1", dependencies=[Depends(require_api_key)], tags=["jobs"])


@router.post("/uploads", status_code=201, response_model=UploadTicket,
             summary="A presigned URL to upload a large job input to, then POST /v1/jobs?upload_id=")
def create_upload(request: Request, settings: SettingsDep, backend: JobsDep,
                  body: UploadRequest | None = None) -> UploadTicket:
    content_type = (body or UploadRequest()).content_type
    upload_id = uuid.uuid4().hex
    url = backend.results.presigned_upload(upload_key(job_owner(request), upload_id), content_type,
                                           settings.upload_url_seconds)
    return UploadTicket(upload_id=upload_id, url=url, headers={"Content-Type": content_type},
                        expires_in=settings.upload_url_seconds, max_bytes=settings.jobs_max_upload_bytes)
