"""The S3-compatible bucket store (``KB_MEDIA_STORAGE=s3``): the same interface as the local
folder, for several hosts sharing one set of videos.

Nothing half-written is served: ``put`` uploads to a ``.partial/`` key (which ``check_key``
never lets the media route ask for) and copies it into place, so an object under a real key is
always complete; an interrupted upload leaves at most a stray ``.partial/`` object, never a
truncated video. The web server cannot send a bucket's file itself (``local_path`` is None), so
``/media/<key>`` proxies it through ``size`` and ``read`` with the Range header passed on
(docs/kb.md says why proxying rather than presigned redirects).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from app.kb.media.storage import MediaNotFound, check_key

#: Error codes S3-compatible servers give for a missing object (HEAD has no body, hence "404").
_MISSING = {"404", "NoSuchKey", "NotFound"}
CHUNK = 256 * 1024


@functools.lru_cache(maxsize=8)
def _client(endpoint_url: str, region: str, access_key: str, secret_key: str):
    """One client per configuration (creating one costs tens of milliseconds; clients are
    thread-safe). Empty keys leave boto3's own chain (``AWS_ACCESS_KEY_ID``, a role) in charge."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region or None,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        config=Config(
            # Path-style addressing works with every S3-compatible server (and loopback ones).
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        ),
    )


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class S3Storage:
    """Objects in one bucket under ``prefix``; ``incoming/`` holds uploads waiting."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str = "",
        region: str = "",
        access_key: str = "",
        secret_key: str = "",
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = _client(endpoint_url, region, access_key, secret_key)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, source: Path, key: str) -> None:
        target = self._name(key)
        partial = f"{self.prefix}.partial/{uuid.uuid4().hex}"
        try:
            # upload_file goes multipart past 8 MB; either way the object appears only whole.
            self.client.upload_file(str(source), self.bucket, partial)
            self.client.copy({"Bucket": self.bucket, "Key": partial}, self.bucket, target)
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=partial)

    def fetch(self, key: str, destination: Path) -> None:
        name = self._name(key)
        try:
            self.client.download_file(self.bucket, name, str(destination))
        except ClientError as error:
            if _missing(error):
                raise MediaNotFound("No such media file.")
            raise

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except MediaNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        # DeleteObject of a missing key succeeds in S3, as the interface wants.
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def local_path(self, key: str) -> Path | None:
        check_key(key)
        return None

    def size(self, key: str) -> int:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if _missing(error):
                raise MediaNotFound("No such media file.")
            raise
        return int(head["ContentLength"])

    def read(self, key: str, start: int, stop: int) -> Iterator[bytes]:
        """Bytes ``start`` to ``stop`` (exclusive) as chunks, fetched with one ranged GET."""
        try:
            answer = self.client.get_object(
                Bucket=self.bucket, Key=self._name(key), Range=f"bytes={start}-{stop - 1}"
            )
        except ClientError as error:
            if _missing(error):
                raise MediaNotFound("No such media file.")
            raise
        return _chunks(answer["Body"])


def _chunks(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()
