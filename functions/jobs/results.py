"""Result objects in S3: ``jobs/<job_id>/<chunk>.jsonl``, one line per item, in item order; and job
inputs uploaded through a presigned URL: ``uploads/<owner digest>/<upload_id>`` (POST /v1/uploads)."""

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from .contract import result_key, results_prefix

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class ResultStore:
    def __init__(self, s3: "S3Client", bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def write(self, job_id: str, chunk: int, lines: list[bytes]) -> None:
        # One PutObject per chunk: S3 replaces the object atomically, so a reader never sees half a
        # chunk and a redelivery simply rewrites the same key.
        self._s3.put_object(
            Bucket=self._bucket,
            Key=result_key(job_id, chunk),
            Body=b"".join(lines),
            ContentType="application/x-ndjson",
        )

    def chunk_keys(self, job_id: str) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=results_prefix(job_id)):
            for obj in page.get("Contents", []):
                name = obj["Key"].rsplit("/", 1)[-1]
                if name.endswith(".jsonl") and name[:-6].isdigit():
                    found.append((int(name[:-6]), obj["Key"]))
        return sorted(found)

    def presigned_url(self, key: str, expires_in: int) -> str:
        return self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires_in
        )

    def presigned_upload(self, key: str, content_type: str, expires_in: int) -> str:
        """A PUT URL for one input object; the signature binds the Content-Type the client must send."""
        return self._s3.generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_in,
        )

    def read_upload(self, key: str, max_bytes: int) -> tuple[bytes, str] | None:
        """The uploaded object and its Content-Type; None when there is none. Raises UploadTooLarge."""
        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            # Without s3:ListBucket on uploads/ (the API role has it for jobs/ only) S3 answers a HEAD
            # of a missing key with 403: the upload is not there either way.
            if exc.response.get("Error", {}).get("Code") in {"403", "404", "NoSuchKey", "NotFound", "AccessDenied"}:
                return None
            raise
        if head["ContentLength"] > max_bytes:
            raise UploadTooLarge(head["ContentLength"])
        body = self._s3.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{max_bytes - 1}")["Body"].read()
        return body, head.get("ContentType", "application/octet-stream")


class UploadTooLarge(ValueError):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size
