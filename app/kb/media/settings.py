"""Settings of the knowledge base's video pipeline (uploads, transcoding, storage)."""

from __future__ import annotations

from app.settings import ConfigError, Setting, at_least, one_of

S = Setting
SETTINGS = [
    S(
        "KB_MEDIA_STORAGE",
        "local",
        str,
        "Where processed videos live: `local` (the `KB_MEDIA_DIR` folder; one host, or a shared "
        "mount) or `s3` (an S3-compatible bucket, `KB_S3_*`; several hosts; docs/kb.md).",
        validate=one_of("local", "s3"),
        section="video",
    ),
    S(
        "KB_MEDIA_DIR",
        "",
        str,
        "Folder of processed videos, posters and waiting uploads (empty: `instance/media`).",
        section="video",
        shown="instance/media",
    ),
    S(
        "KB_S3_BUCKET",
        "",
        str,
        "Bucket of the `s3` store (required with it; the bucket must exist).",
        section="video",
        env=True,
    ),
    S(
        "KB_S3_PREFIX",
        "helpcenter-media",
        str,
        "Folder inside the bucket for the help center's media (empty: the bucket's top).",
        section="video",
        env=True,
    ),
    S(
        "KB_S3_ENDPOINT_URL",
        "",
        str,
        "The S3-compatible server's URL (empty: Amazon S3 of `KB_S3_REGION`).",
        section="video",
        env=True,
    ),
    S(
        "KB_S3_REGION",
        "",
        str,
        "The bucket's region (empty: boto3's default).",
        section="video",
        env=True,
    ),
    S(
        "KB_S3_ACCESS_KEY_ID",
        "",
        str,
        "Access key of the `s3` store (empty: boto3's own chain, e.g. `AWS_ACCESS_KEY_ID` or a "
        "role).",
        section="video",
        env=True,
    ),
    S(
        "KB_S3_SECRET_ACCESS_KEY",
        "",
        str,
        "Its secret (set it in the environment or `instance/config.py`, never in the repository).",
        section="video",
        env=True,
    ),
    S(
        "KB_VIDEO_MAX_UPLOAD_MB",
        500,
        int,
        "Largest video upload, in megabytes.",
        validate=at_least(1),
        section="video",
    ),
    S(
        "KB_VIDEO_MAX_SECONDS",
        1800,
        int,
        "Longest video accepted, in seconds.",
        validate=at_least(1),
        section="video",
    ),
    S(
        "KB_VIDEO_MAX_WIDTH",
        3840,
        int,
        "Widest picture accepted (pixels).",
        validate=at_least(16),
        section="video",
    ),
    S(
        "KB_VIDEO_MAX_HEIGHT",
        2160,
        int,
        "Tallest picture accepted (pixels).",
        validate=at_least(16),
        section="video",
    ),
    S(
        "KB_VIDEO_WEB_HEIGHT",
        720,
        int,
        "Height of the transcoded MP4 (smaller pictures are kept as they are).",
        validate=at_least(144),
        section="video",
    ),
    S(
        "KB_VIDEO_WEBM",
        False,
        bool,
        "Also make a WebM/VP9 copy (measured: no smaller than the MP4 at the same encoding speed "
        "here; see docs/kb.md).",
        section="video",
    ),
    S(
        "KB_VIDEO_TIMEOUT_SECONDS",
        240,
        int,
        "Longest one ffmpeg run may take before the job fails (below the outbox's claim time).",
        validate=at_least(5),
        section="video",
    ),
    S("KB_FFMPEG", "ffmpeg", str, "The ffmpeg program (Debian package `ffmpeg`).", section="video"),
    S(
        "KB_FFPROBE",
        "ffprobe",
        str,
        "The ffprobe program (Debian package `ffmpeg`).",
        section="video",
    ),
    S(
        "KB_ESPEAK",
        "espeak-ng",
        str,
        "The text-to-speech program narrating the starter videos (Debian package `espeak-ng`).",
        section="video",
    ),
]


def check(config) -> None:
    """The start-up check: the ``s3`` store needs a bucket.

    :raises ConfigError: naming the key and why.
    """
    if config["KB_MEDIA_STORAGE"] == "s3" and not config["KB_S3_BUCKET"]:
        raise ConfigError("KB_S3_BUCKET", "must name a bucket when KB_MEDIA_STORAGE is s3")
