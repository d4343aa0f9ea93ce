"""The media storage interface, the same tests on both stores: the local folder and the
S3-compatible bucket (against a real local S3 server, ``tests/kb/s3_server.py``)."""

from __future__ import annotations

import pytest

from app.kb.media.s3 import S3Storage
from app.kb.media.storage import LocalStorage, MediaNotFound
from tests.kb.s3_server import ACCESS_KEY, REGION, SECRET_KEY

KEY = "a" * 64 + ".mp4"
INCOMING = "incoming/0123456789abcdef"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    server, bucket = request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket")
    return S3Storage(
        bucket, prefix="site", endpoint_url=server.url, region=REGION,
        access_key=ACCESS_KEY, secret_key=SECRET_KEY,
    )  # fmt: skip


def _stored_names(store, tmp_path) -> list[str]:
    """Every name the store holds, partial ones included (what a crash could leave)."""
    if isinstance(store, LocalStorage):
        return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())
    listed = store.client.list_objects_v2(Bucket=store.bucket).get("Contents", [])
    return sorted(item["Key"].removeprefix("site/") for item in listed)


def test_put_fetch_exists_delete(store, tmp_path):
    source = tmp_path / "source"
    source.write_bytes(b"video bytes")
    assert not store.exists(KEY)
    store.put(source, KEY)
    assert store.exists(KEY) and store.size(KEY) == len(b"video bytes")
    copy = tmp_path / "copy"
    store.fetch(KEY, copy)
    assert copy.read_bytes() == b"video bytes"
    store.put(source, INCOMING)
    assert _stored_names(store, tmp_path) == sorted([INCOMING, KEY])  # nothing partial left behind
    store.delete(INCOMING)
    store.delete(INCOMING)  # gone already: not an error
    assert not store.exists(INCOMING)
    with pytest.raises(MediaNotFound):
        store.fetch(INCOMING, copy)
    with pytest.raises(MediaNotFound):
        store.size(INCOMING)


def test_a_second_put_replaces_the_whole_file(store, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_bytes(b"x" * 5000)
    second.write_bytes(b"short")
    store.put(first, KEY)
    store.put(second, KEY)
    assert store.size(KEY) == 5 and b"".join(store.read(KEY, 0, 5)) == b"short"


def test_read_gives_exactly_the_asked_bytes(store, tmp_path):
    source = tmp_path / "source"
    data = bytes(range(256)) * 4000  # ~1 MB: more than one chunk
    source.write_bytes(data)
    store.put(source, KEY)
    assert b"".join(store.read(KEY, 0, len(data))) == data
    assert b"".join(store.read(KEY, 100, 200)) == data[100:200]
    assert b"".join(store.read(KEY, len(data) - 1, len(data))) == data[-1:]
    with pytest.raises(MediaNotFound):
        store.read("b" * 64 + ".mp4", 0, 1)


def test_local_path_only_for_the_folder(store, tmp_path):
    source = tmp_path / "source"
    source.write_bytes(b"v")
    store.put(source, KEY)
    path = store.local_path(KEY)
    if isinstance(store, LocalStorage):
        assert path is not None and path.read_bytes() == b"v"
    else:
        assert path is None  # the route proxies a bucket's file instead


@pytest.mark.parametrize(
    "bad", ["../secret_key", "/etc/passwd", "incoming/../../x", "A" * 10, "short.mp4", ".partial/x"]
)
def test_foreign_keys_are_refused(store, tmp_path, bad):
    source = tmp_path / "source"
    source.write_bytes(b"v")
    assert not store.exists(bad)
    for call in (
        lambda: store.put(source, bad),
        lambda: store.fetch(bad, tmp_path / "copy"),
        lambda: store.size(bad),
        lambda: store.read(bad, 0, 1),
    ):
        with pytest.raises(MediaNotFound):
            call()
    assert _stored_names(store, tmp_path) == []


def test_an_interrupted_upload_leaves_no_object_under_the_key(store, tmp_path):
    """Nothing half-written is served: a put that fails midway (here: the source is gone
    before it is read) leaves the key absent and no partial object behind."""
    source = tmp_path / "missing-source"
    with pytest.raises(OSError):
        store.put(source, KEY)
    assert not store.exists(KEY)
    assert _stored_names(store, tmp_path) == []


@pytest.mark.parametrize(
    ("overrides", "key", "reason"),
    [
        ({"KB_MEDIA_STORAGE": "s3"}, "KB_S3_BUCKET", "must name a bucket"),
        ({"KB_MEDIA_STORAGE": "ftp"}, "KB_MEDIA_STORAGE", "must be one of local, s3"),
    ],
)
def test_a_store_without_what_it_needs_stops_the_start(database_url, tmp_path, overrides, key,
                                                       reason):  # fmt: skip
    from app import create_app
    from app.settings import ConfigError
    from tests.conftest import site_config

    with pytest.raises(ConfigError) as caught:
        create_app(site_config(database_url, tmp_path, **overrides))
    assert caught.value.key == key and reason in str(caught.value)


def test_the_s3_setting_selects_the_bucket_store(app_config_s3_app):
    from app.kb.media.services import current_storage

    with app_config_s3_app.app_context():
        store = current_storage()
        assert isinstance(store, S3Storage) and store.prefix == "helpcenter-media/"


@pytest.fixture
def app_config_s3_app(database_url, tmp_path, s3_config):
    from app import create_app
    from tests.conftest import site_config

    return create_app(site_config(database_url, tmp_path, **s3_config))
