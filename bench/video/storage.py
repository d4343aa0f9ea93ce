"""``python -m bench.video.storage``: what proxying a bucket's video costs against the folder.

Starts a local S3-compatible server (moto's ``moto_server`` on a loopback port, the tests'
``tests/kb/s3_server.py``), then times, in the same run, the two media stores doing what the
pipeline and ``/media/<key>`` do with a video of ``--mb`` MB: ``put`` (partial key + copy for
the bucket, temporary file + rename for the folder), a 1 MB range read (one seek in the
player) and a whole read. Prints the median of R runs, the bucket/folder ratio, and the load
average before and after (the machine is shared). The local server is no network bucket: the
figures are the proxy's own overhead (boto3, HTTP, chunking), not a provider's latency.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from app.kb.media.s3 import S3Storage
from app.kb.media.storage import LocalStorage
from tests.kb.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server

KEY = "b" * 64 + ".mp4"


def _median(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=20)
    options = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-media-") as folder:
        root = Path(folder)
        source = root / "video.mp4"
        source.write_bytes(os.urandom(options.mb * 1024 * 1024))
        size = source.stat().st_size
        server = S3Server(root / "moto.log")
        try:
            server.client().create_bucket(Bucket="bench")
            stores = {
                "folder (reference)": LocalStorage(root / "media"),
                "bucket (proxied)": S3Storage(
                    "bench", prefix="m", endpoint_url=server.url, region=REGION,
                    access_key=ACCESS_KEY, secret_key=SECRET_KEY,
                ),
            }  # fmt: skip
            results = {}
            for name, store in stores.items():
                results[name] = {
                    "put": _median(options.runs, lambda s=store: s.put(source, KEY)),
                    "1 MB range": _median(
                        options.runs,
                        lambda s=store: b"".join(s.read(KEY, size // 2, size // 2 + (1 << 20))),
                    ),
                    "whole": _median(options.runs, lambda s=store: b"".join(s.read(KEY, 0, size))),
                }
        finally:
            server.stop()
    reference = results["folder (reference)"]
    print(f"{options.mb} MB file, median of {options.runs} runs (seconds; ratio to the folder)")
    for name, row in results.items():
        cells = [f"{step} {row[step]:.4f} (x{row[step] / reference[step]:.1f})" for step in row]
        print(f"  {name}: " + ", ".join(cells))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
