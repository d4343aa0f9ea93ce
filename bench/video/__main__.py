"""``python -m bench.video``: is a WebM/VP9 copy of an upload cheap enough on this machine?

Makes a 10-second 1280x720 test clip (moving picture and a tone) with ffmpeg, then times, in
the same run, the pipeline's H.264 encode (the reference, ``processing.transcode``'s settings)
against two VP9 encodes: the realtime preset ``KB_VIDEO_WEBM`` uses and libvpx's usual "good"
quality preset. Prints the median wall time of R runs, the ratio to H.264 and the file sizes,
with the load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ENCODES = {
    "h264 veryfast crf 23 (reference)": [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-b:a", "128k",
        "-movflags", "+faststart", "out.mp4",
    ],
    "vp9 realtime cpu-used 8": [
        "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "33", "-deadline", "realtime",
        "-cpu-used", "8", "-row-mt", "1", "-c:a", "libopus", "out-rt.webm",
    ],
    "vp9 good cpu-used 4": [
        "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "33", "-deadline", "good", "-cpu-used", "4",
        "-row-mt", "1", "-c:a", "libopus", "out-good.webm",
    ],
}  # fmt: skip


def ffmpeg(folder: Path, *arguments: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-v", "error", "-y", *arguments], cwd=folder,
                   check=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    options = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        length = options.seconds
        ffmpeg(folder, "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={length}",
               "-f", "lavfi", "-i", f"sine=frequency=440:duration={length}", "-c:v", "libx264",
               "-preset", "ultrafast", "-crf", "12", "-c:a", "aac", "source.mp4")  # fmt: skip
        medians = {}
        for name, arguments in ENCODES.items():
            times = []
            for _ in range(options.runs):
                began = time.perf_counter()
                ffmpeg(folder, "-threads", "2", "-i", "source.mp4", *arguments)
                times.append(time.perf_counter() - began)
            medians[name] = statistics.median(times), (folder / arguments[-1]).stat().st_size
        reference = next(iter(medians.values()))[0]
        print(f"{options.seconds} s of 1280x720 at 30 fps, median of {options.runs} runs:")
        for name, (seconds, size) in medians.items():
            print(
                f"  {name:36} {seconds:6.2f} s  x{seconds / reference:4.2f}  {size / 1e6:5.2f} MB"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
