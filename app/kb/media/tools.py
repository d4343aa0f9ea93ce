"""ffmpeg, ffprobe and espeak-ng, run as programs with time limits.

Every run has a timeout and reads no network (``-protocol_whitelist file``: a hostile playlist
or concat file cannot make ffmpeg fetch anything). Commands are lists, never a shell.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.kb.media import rules


class ToolFailed(Exception):
    """A program failed, timed out or is missing (not the person's fault: the job fails)."""


@dataclass(frozen=True)
class Tools:
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    espeak: str = "espeak-ng"
    timeout: float = 240

    def available(self) -> bool:
        return bool(shutil.which(self.ffmpeg) and shutil.which(self.ffprobe))

    def speech_available(self) -> bool:
        return bool(shutil.which(self.espeak))

    def probe(self, path: Path) -> dict | None:
        """ffprobe's JSON report of a file, or None when it cannot read it at all."""
        try:
            done = subprocess.run(
                [self.ffprobe, "-v", "error", "-protocol_whitelist", "file",
                 "-print_format", "json", "-show_format", "-show_streams", str(path)],
                capture_output=True, timeout=min(self.timeout, 30), check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None
        except OSError as exc:
            raise ToolFailed(f"ffprobe could not run: {exc}") from exc
        if done.returncode != 0:
            return None
        try:
            return json.loads(done.stdout or b"{}")
        except ValueError:
            return None

    def run_ffmpeg(
        self, arguments: list[str], *, total: float = 0,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:  # fmt: skip
        """Run ffmpeg; report whole percents of ``total`` seconds as it goes.

        :raises ToolFailed: a non-zero exit or the timeout (the process is killed).
        """
        command = [self.ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y",
                   "-progress", "pipe:1", *arguments]  # fmt: skip
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        except OSError as exc:
            raise ToolFailed(f"ffmpeg could not run: {exc}") from exc
        # stderr is read on the side so a chatty ffmpeg never blocks on a full pipe.
        errors: list[str] = []
        with process:
            reader = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
            reader.start()
            timer = threading.Timer(self.timeout, process.kill)
            timer.start()
            last = -1
            try:
                for line in process.stdout:
                    seconds = rules.progress_seconds(line)
                    if seconds is not None and on_progress and total:
                        percent = rules.progress_percent(seconds, total)
                        if percent != last:
                            last = percent
                            on_progress(percent)
                code = process.wait()
            finally:
                timed_out = not timer.is_alive() and process.returncode != 0
                timer.cancel()
                if process.poll() is None:
                    process.kill()
                reader.join(timeout=5)
        if timed_out:
            raise ToolFailed(f"ffmpeg took longer than {self.timeout:.0f} seconds")
        if code != 0:
            raise ToolFailed("ffmpeg failed: " + "".join(errors)[-500:].strip())

    def speak(self, text: str, rate: int, destination: Path) -> None:
        """Narrate ``text`` into a WAV file."""
        try:
            done = subprocess.run(
                [self.espeak, "-v", "en-gb", "-s", str(rate), "-w", str(destination), "--", text],
                capture_output=True, timeout=min(self.timeout, 60), check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ToolFailed(f"espeak-ng could not run: {exc}") from exc
        if done.returncode != 0:
            raise ToolFailed("espeak-ng failed: " + done.stderr.decode(errors="replace")[-300:])


def tools_from_config(config) -> Tools:
    return Tools(
        ffmpeg=config["KB_FFMPEG"],
        ffprobe=config["KB_FFPROBE"],
        espeak=config["KB_ESPEAK"],
        timeout=config["KB_VIDEO_TIMEOUT_SECONDS"],
    )
