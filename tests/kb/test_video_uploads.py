"""Staff upload a video; ffprobe checks it at once (refusals next to the field, 422), the
outbox job transcodes it with ffmpeg, and the page then plays the stored MP4 (range requests,
content-hash names, a year's caching). Real ffmpeg on real small files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.kb.media.models import VideoFile
from app.outbox import OutboxEvent
from tests.kb.video_files import make_files

SLUG = "grow-journal-walkthrough"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make_files(tmp_path_factory.mktemp("videos"))


@pytest.fixture
def app_config(content_dir, request):
    """The local folder store, or (``indirect`` parameter ``"s3"``) a bucket on the local S3
    server: the pipeline and the media route must behave the same on both."""
    config = {"CONTENT_DIR": str(content_dir)}
    if getattr(request, "param", "local") == "s3":
        config.update(request.getfixturevalue("s3_config"))
    return config


BOTH_STORES = pytest.mark.parametrize("app_config", ["local", "s3"], indirect=True)


@pytest.fixture
def staff(factory, auth):
    user = factory.user(role="agent_t1")
    auth.login(user)
    return user


def _upload(client, path, name=None):
    with path.open("rb") as handle:
        return client.post(
            f"/articles/{SLUG}/video",
            data={"video": (handle, name or path.name)},
            content_type="multipart/form-data",
        )


def _rows(app):
    with app.app_context():
        return db.session.scalars(select(VideoFile).order_by(VideoFile.id)).all()


def _media(client, key, **headers):
    """GET a media file and close it (send_file leaves the file open until then)."""
    response = client.get(f"/media/{key}", headers=headers)
    response.get_data()
    response.close()
    return response


def _probe(path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)], capture_output=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


@BOTH_STORES
def test_an_upload_is_transcoded_in_the_background_and_then_plays(
    synced, client, staff, files, runner, tmp_path
):
    page = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert 'id="video-missing"' in page

    response = _upload(client, files["good.mov"], "My recording.mov")
    assert response.status_code == 303
    [row] = _rows(synced.app)
    assert (row.status, row.origin, row.original_name) == ("queued", "upload", "My recording.mov")
    with synced.app.app_context():
        events = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "video")).all()
        assert [event.payload for event in events] == [{"video_file": row.id}]
    # Queued, not yet playable: the page still says so and the staff page shows the state.
    assert 'id="video-missing"' in client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert "queued" in client.get(f"/articles/{SLUG}/video").get_data(as_text=True)
    assert client.get(f"/articles/{SLUG}/video/status").json["files"][0]["status"] == "queued"

    result = runner.invoke(args=["content", "videos", "process"])
    assert result.exit_code == 0, result.output
    assert f"video file {row.id}: 0%" in result.output
    assert f"video file {row.id}: ready" in result.output
    [row] = _rows(synced.app)
    assert (row.status, row.progress, row.width, row.height) == ("ready", 100, 160, 120)
    assert row.incoming_key is None and row.mp4_key.endswith(".mp4") and row.poster_key
    assert 2.5 < row.duration < 3.5

    page = client.get(f"/articles/{SLUG}").get_data(as_text=True)
    assert 'id="video-missing"' not in page
    assert f'<source src="/media/{row.mp4_key}" type="video/mp4">' in page
    assert f'poster="/media/{row.poster_key}"' in page and 'preload="metadata"' in page
    assert f'<track kind="captions" src="/articles/{SLUG}/captions.vtt" srclang="en"' in page
    assert f'<track kind="chapters" src="/articles/{SLUG}/chapters.vtt"' in page
    assert " default" not in page.split("<track", 1)[1].split(">", 1)[0]  # captions by choice
    assert 'data-start="95"' in page and 'id="chapter-3"' in page

    video = _media(client, row.mp4_key)
    assert video.status_code == 200 and video.mimetype == "video/mp4"
    assert video.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert video.headers["Accept-Ranges"] == "bytes"
    stored = tmp_path / "stored.mp4"
    stored.write_bytes(video.data)
    report = _probe(stored)
    codecs = {s["codec_type"]: s["codec_name"] for s in report["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    # faststart: the index comes before the media data, so playback starts before the end loads.
    assert video.data.index(b"moov") < video.data.index(b"mdat")
    poster = _media(client, row.poster_key)
    assert poster.mimetype == "image/jpeg" and poster.data[:3] == b"\xff\xd8\xff"
    _assert_stored_in_the_chosen_store(synced.app, row)


def _assert_stored_in_the_chosen_store(app, row) -> None:
    """The files are where the setting says, and only there (the upload waits no longer)."""
    local = Path(app.config["KB_MEDIA_DIR"])
    if app.config["KB_MEDIA_STORAGE"] != "s3":
        assert (local / row.mp4_key).is_file()
        return
    from tests.kb.s3_server import S3Server

    assert not local.exists()
    client = S3Server.client_for(app.config["KB_S3_ENDPOINT_URL"])
    listed = client.list_objects_v2(Bucket=app.config["KB_S3_BUCKET"]).get("Contents", [])
    prefix = app.config["KB_S3_PREFIX"] + "/"
    assert sorted(item["Key"] for item in listed) == sorted(
        prefix + key for key in (row.mp4_key, row.poster_key)
    )


@BOTH_STORES
def test_range_requests_answer_206_with_content_range(synced, client, staff, files, runner):
    assert _upload(client, files["good.mp4"]).status_code == 303
    assert runner.invoke(args=["content", "videos", "process"]).exit_code == 0
    [row] = _rows(synced.app)
    full = _media(client, row.mp4_key).data
    size = len(full)

    part = _media(client, row.mp4_key, Range="bytes=100-199")
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert part.data == full[100:200] and part.headers["Content-Length"] == "100"
    tail = _media(client, row.mp4_key, Range="bytes=-50")
    assert (
        tail.status_code == 206
        and tail.headers["Content-Range"] == f"bytes {size - 50}-{size - 1}/{size}"
    )
    beyond = _media(client, row.mp4_key, Range=f"bytes={size + 10}-")
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{size}"
    etag = part.headers["ETag"]
    assert _media(client, row.mp4_key, **{"If-None-Match": etag}).status_code == 304
    # If-Range: the same version gets the part, another validator the whole file.
    same = _media(client, row.mp4_key, Range="bytes=0-9", **{"If-Range": etag})
    assert same.status_code == 206 and same.data == full[:10]
    other = _media(client, row.mp4_key, Range="bytes=0-9", **{"If-Range": '"other"'})
    assert other.status_code == 200 and other.data == full


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-video.mp4", "not a video we can read"),
        ("truncated.mp4", "not a video we can read"),
        ("picture.mp4", "not an MP4, MOV, WebM or MKV"),
        ("wide.mp4", "The picture is 4000×16"),  # noqa: RUF001
        ("hours.mp4", "180 minutes long; the limit is 30 minutes"),
        ("sound-only.mp4", "no video picture"),
    ],
)
def test_bad_and_hostile_files_are_refused_next_to_the_field(
    synced, client, staff, files, name, message
):
    response = _upload(client, files[name])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="video-error"' in html and message in html
    assert 'aria-invalid="true"' in html
    assert _rows(synced.app) == []
    media = Path(synced.app.config["KB_MEDIA_DIR"])
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []


def test_no_file_is_a_field_error(synced, client, staff):
    response = client.post(f"/articles/{SLUG}/video", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a video file to upload." in response.get_data(as_text=True)


def test_a_file_that_breaks_during_processing_fails_and_nothing_is_served(
    synced, client, staff, files, runner
):
    assert _upload(client, files["good.mp4"]).status_code == 303
    [row] = _rows(synced.app)
    # The waiting upload is damaged before the job runs (a disk error, a bad copy between hosts).

    media = Path(synced.app.config["KB_MEDIA_DIR"])
    (media / row.incoming_key).write_bytes(files["truncated.mp4"].read_bytes())
    result = runner.invoke(args=["content", "videos", "process"])
    assert f"video file {row.id}: failed (This file is not a video we can read.)" in result.output
    [row] = _rows(synced.app)
    assert row.status == "failed" and row.mp4_key is None and row.incoming_key is None
    assert [p.name for p in media.rglob("*") if p.is_file()] == []
    assert 'id="video-missing"' in client.get(f"/articles/{SLUG}").get_data(as_text=True)
    staff_page = client.get(f"/articles/{SLUG}/video").get_data(as_text=True)
    assert "refused: This file is not a video we can read." in staff_page
    # The event is done: a retry could not mend the file.
    with synced.app.app_context():
        event = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "video")).one()
        assert event.processed_at is not None and event.parked_at is None


def test_only_staff_reach_the_upload_page(synced, client, factory, auth, files):
    assert client.get(f"/articles/{SLUG}/video").status_code in (302, 303)
    auth.login(factory.user(role="member"))
    assert client.get(f"/articles/{SLUG}/video").status_code == 403
    assert _upload(client, files["good.mp4"]).status_code == 403
    assert client.get(f"/articles/{SLUG}/video/status").status_code == 403
    assert _rows(synced.app) == []


def test_not_a_video_article_has_no_video_page(synced, client, staff):
    assert client.get("/articles/account-faq/video").status_code == 404
    assert client.get("/articles/account-faq/captions.vtt").status_code == 404


@pytest.mark.parametrize(
    "key", ["../secret_key", "incoming%2Fabc12345", "nothere00.mp4", "ABCDEFGH.mp4"]
)
def test_media_keys_outside_the_store_are_404(synced, client, key):
    assert _media(client, key).status_code == 404


def test_a_video_beside_the_markdown_is_queued_by_the_sync_once(synced, client, files, runner):
    folder = synced.path(SLUG).parent
    (folder / f"{SLUG}.mp4").write_bytes(files["good.mp4"].read_bytes())
    result = synced.sync("--quiet")
    assert result.exit_code == 0, result.output
    assert f"video queued: {SLUG} ({SLUG}.mp4)" in result.output
    assert "video queued" not in synced.sync("--quiet").output  # the same file: nothing new
    assert runner.invoke(args=["content", "videos", "process"]).exit_code == 0
    [row] = _rows(synced.app)
    assert (row.origin, row.status) == ("content", "ready")
    assert f'src="/media/{row.mp4_key}"' in client.get(f"/articles/{SLUG}").get_data(as_text=True)

    (folder / f"{SLUG}.mp4").write_bytes(files["not-a-video.mp4"].read_bytes())
    refused = synced.sync("--quiet")
    assert refused.exit_code == 1
    assert f"{SLUG}.mp4: This file is not a video we can read." in refused.output
    assert len(_rows(synced.app)) == 1


def test_local_storage_writes_atomically_and_refuses_foreign_keys(tmp_path):
    from app.kb.media.storage import LocalStorage, MediaNotFound

    store = LocalStorage(tmp_path / "media")
    source = tmp_path / "source"
    source.write_bytes(b"video bytes")
    key = "a" * 64 + ".mp4"
    store.put(source, key)
    assert store.exists(key) and store.local_path(key).read_bytes() == b"video bytes"
    assert [p.name for p in (tmp_path / "media").iterdir()] == [key]  # no partial file left
    store.put(source, "incoming/0123456789abcdef")
    copy = tmp_path / "copy"
    store.fetch("incoming/0123456789abcdef", copy)
    assert copy.read_bytes() == b"video bytes"
    store.delete("incoming/0123456789abcdef")
    store.delete("incoming/0123456789abcdef")  # gone already: not an error
    assert not store.exists("incoming/0123456789abcdef")
    for bad in ("../secret_key", "/etc/passwd", "incoming/../../x", "A" * 10, "short.mp4"):
        assert not store.exists(bad)
        with pytest.raises(MediaNotFound):
            store.put(source, bad)
    with pytest.raises(MediaNotFound):
        store.fetch("b" * 64 + ".mp4", copy)


def test_the_upload_route_alone_takes_bodies_past_the_form_limit(synced, client, staff, files):
    synced.app.config["MAX_CONTENT_LENGTH"] = 2_000  # far below the clip's size
    assert files["good.mp4"].stat().st_size > 2_000
    assert _upload(client, files["good.mp4"]).status_code == 303
    assert [row.status for row in _rows(synced.app)] == ["queued"]
    # Every other form keeps the site's limit.
    response = client.post(f"/articles/{SLUG}/edit", data={"body": "x" * 5_000})
    assert response.status_code == 413
