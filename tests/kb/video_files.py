"""Small real video files made by ffmpeg for the video tests (a few KB each, made once per
run), and hostile ones: the wrong type under a video's name, a truncated MP4, a huge picture,
hours of video in a few KB."""

from __future__ import annotations

import subprocess
from pathlib import Path


def ffmpeg(*arguments: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-y", *arguments],
        check=True, timeout=120,
    )  # fmt: skip


def make_files(folder: Path) -> dict[str, Path]:
    files = {name: folder / name for name in (
        "good.mp4", "good.mov", "truncated.mp4", "not-a-video.mp4", "picture.mp4", "wide.mp4",
        "hours.mp4", "sound-only.mp4",
    )}  # fmt: skip
    tiny = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=3",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=3"]  # fmt: skip
    ffmpeg(*tiny, "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", str(files["good.mp4"]))
    ffmpeg(*tiny, "-c:v", "mpeg4", "-c:a", "aac", str(files["good.mov"]))
    # Without faststart the index (moov) is at the end: cut it off, as an interrupted copy would.
    data = files["good.mp4"].read_bytes()
    files["truncated.mp4"].write_bytes(data[: len(data) // 2])
    files["not-a-video.mp4"].write_bytes(b"%PDF-1.4 this is a document, not a video\n" * 50)
    ffmpeg("-f", "lavfi", "-i", "color=c=green:size=64x64", "-frames:v", "1", "-f", "image2",
           "-c:v", "png", str(files["picture.mp4"]))  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:size=4000x16:rate=1:duration=1",
           "-c:v", "libx264", "-preset", "ultrafast", str(files["wide.mp4"]))  # fmt: skip
    # Three hours of a still picture: one frame a minute, a few KB, a "bomb" of decoding time.
    ffmpeg("-f", "lavfi", "-i", "color=c=red:size=16x16:rate=1/60:duration=10800",
           "-c:v", "libx264", "-preset", "ultrafast", str(files["hours.mp4"]))  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:duration=2", "-c:a", "aac",
           str(files["sound-only.mp4"]))  # fmt: skip
    return files
