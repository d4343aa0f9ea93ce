"""Settings of the knowledge base's video pipeline (uploads, transcoding, storage)."""

from __future__ import annotations

from app.settings import Setting, at_least, one_of

S = Setting
SETTINGS = [
    S(
        "KB_MEDIA_STORAGE",
        "local",
        str,
        "Where processed videos live: `local` (the `KB_MEDIA_DIR` folder; one host, or a shared "
        "mount) is the only store built in; see docs/kb.md for a bucket.",
        validate=one_of("local"),
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
