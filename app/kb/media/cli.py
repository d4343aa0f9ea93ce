"""``flask content videos ...``: build the starter videos, process queued uploads, show state."""

from __future__ import annotations

import signal
import sys
import time

import click
from flask.cli import AppGroup

from app.extensions import db
from app.kb.media import services, starter
from app.kb.media.models import VideoFile
from app.models import utcnow
from app.outbox import commit, drain

videos_cli = AppGroup("videos", help="Starter videos and the processing of uploaded videos.")


@videos_cli.command("build", help="Generate the starter videos from their transcripts.")
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even when the inputs did not change.")
def build_command(slugs: tuple[str, ...], force: bool) -> None:
    # Stopped with the Procfile (SIGTERM): leave through Python, so the temporary files of the
    # video being built are removed (nothing half-built is ever stored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tools = services.current_tools()
    if not tools.available() or not tools.speech_available():
        click.echo(
            "The starter videos need ffmpeg and espeak-ng: apt-get install -y ffmpeg espeak-ng",
            err=True,
        )
        sys.exit(1)
    built = skipped = 0
    for article in starter.starter_articles(slugs):
        if not force and starter.is_current(article):
            click.echo(f"{article.slug}: up to date")
            skipped += 1
            continue
        began = time.monotonic()
        video = starter.build(article, tools, utcnow(), click.echo)
        commit()
        click.echo(
            f"{article.slug}: built {video.duration:.0f} s in {time.monotonic() - began:.1f} s"
        )
        built += 1
    click.echo(f"{built} built, {skipped} up to date")


@videos_cli.command("process", help="Process queued video uploads now, showing progress.")
def process_command() -> None:
    pending = services.pending_ids()
    if not pending:
        click.echo("no videos waiting")
        return
    token = services.progress_listener.set(
        lambda file_id, percent: click.echo(f"video file {file_id}: {percent}%")
    )
    try:
        handled = drain([services.EVENT_KIND], utcnow())
    finally:
        services.progress_listener.reset(token)
    for file_id in pending:
        video = db.session.get(VideoFile, file_id)
        db.session.refresh(video)
        line = f"video file {video.id}: {video.status}"
        click.echo(line + (f" ({video.error})" if video.error else ""))
    click.echo(f"{handled} job(s) run")


@videos_cli.command("status", help="List recent video files and their processing state.")
def status_command() -> None:
    for video in services.recent_all():
        click.echo(
            f"#{video.id} article {video.article_id} {video.origin} {video.status} "
            f"{video.progress}%" + (f" {video.error}" if video.error else "")
        )
