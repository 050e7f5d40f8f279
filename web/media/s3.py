"""Uploaded files in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, …), through boto3.

What several hosts use instead of a local directory (``REGISTRY_MEDIA_S3_BUCKET``; see
docs/deploy.md): every ``serve`` process reads and writes the same bucket, so a logo uploaded
through one host is served by all. The object's key is the stored name (``logos/<uuid4>.<ext>``)
under ``REGISTRY_MEDIA_S3_PREFIX``; the registry itself serves it under ``/media/`` with the same
headers as from the directory (``web.media.serve``): the bucket need not be public.

Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``,
``AWS_SHARED_CREDENTIALS_FILE``, an instance role); they are never a registry setting.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from web.media.logo import MEDIA_TYPES
from web.media.store import LOGO_NAME

#: How long a call may wait for the store: an unreachable store fails a request, it never hangs it.
TIMEOUTS = Config(connect_timeout=3, read_timeout=15, retries={"max_attempts": 3})

_ABSENT = {"NoSuchKey", "404", "NotFound"}
_TAKEN = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


class S3MediaStore:
    """A ``MediaStore`` over one bucket (and an optional key prefix)."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        # Path-style addressing for a custom endpoint: MinIO and most self-hosted stores want it.
        style = {"s3": {"addressing_style": "path"}} if endpoint_url else {}
        self._s3 = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            config=TIMEOUTS.merge(Config(**style)),
        )

    def save(self, folder: str, extension: str, content: bytes) -> str:
        """Store ``content`` under a fresh ``<folder>/<uuid4>.<extension>``: one PUT, which S3
        makes visible whole or not at all."""
        path = f"{folder}/{uuid.uuid4()}.{extension}"
        self._s3.put_object(
            Bucket=self.bucket,
            Key=self.prefix + path,
            Body=content,
            ContentType=MEDIA_TYPES.get(extension, "application/octet-stream"),
        )
        return path

    def save_as(self, path: str, content: bytes) -> bool:
        """Store ``content`` under ``path`` itself, a name ``LOGO_NAME`` serves (the import keeps
        the existing system's names); False, storing nothing, when the name is taken (a
        conditional PUT: ``If-None-Match: *``)."""
        if not LOGO_NAME.fullmatch(path):
            raise ValueError(f"not a logo name: {path!r}")
        extension = path.rsplit(".", 1)[-1]
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=self.prefix + path,
                Body=content,
                ContentType=MEDIA_TYPES.get(extension, "application/octet-stream"),
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _TAKEN:
                return False
            raise
        return True

    def read(self, path: str) -> bytes | None:
        """Only names matching ``LOGO_NAME`` are looked up; a missing object is None."""
        if not LOGO_NAME.fullmatch(path):
            return None
        try:
            answer = self._s3.get_object(Bucket=self.bucket, Key=self.prefix + path)
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in _ABSENT:
                return None
            raise
        content: bytes = answer["Body"].read()
        return content

    def delete(self, path: str) -> None:
        """Remove a stored file no record refers to (its command was refused)."""
        if LOGO_NAME.fullmatch(path):
            self._s3.delete_object(Bucket=self.bucket, Key=self.prefix + path)
