"""Attachment checks and storage: allowed types by extension *and* content, a size limit, and
random names on disk so nothing the uploader sends becomes a path."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, send_file

from app.database import file_pending_commit

#: Extension to the content type we serve it with (always as a download).
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "log": "text/plain",
}
MAX_FILES = 5


@dataclass(frozen=True)
class Upload:
    """A file as received: its name as the uploader gave it, and its bytes."""

    filename: str
    data: bytes


class AttachmentRejected(ValueError):
    """The file is too large, of a type we don't accept, or not what its extension says."""


def _matches(extension: str, data: bytes) -> bool:
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if extension == "gif":
        return data.startswith((b"GIF87a", b"GIF89a"))
    if extension == "webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    # Text logs: UTF-8 without NUL bytes (a binary renamed to .log fails here).
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def safe_filename(name: str) -> str:
    """The name offered on download: the last path part, printable, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*;').strip(". ")
    return cleaned[-200:] or "attachment"


def check(upload: Upload, max_bytes: int) -> tuple[str, str]:
    """Validate one upload.

    :returns: the safe file name and the content type to serve it with.
    :raises AttachmentRejected: with a message for the person.
    """
    name = safe_filename(upload.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in CONTENT_TYPES:
        allowed = ", ".join(sorted({e for e in CONTENT_TYPES if e != "jpeg"}))
        raise AttachmentRejected(f"{name}: only these file types are accepted: {allowed}.")
    if len(upload.data) > max_bytes:
        raise AttachmentRejected(f"{name} is larger than {max_bytes // (1024 * 1024)} MB.")
    if not upload.data:
        raise AttachmentRejected(f"{name} is empty.")
    if not _matches(extension, upload.data):
        raise AttachmentRejected(f"{name} is not a valid .{extension} file.")
    return name, CONTENT_TYPES[extension]


def directory() -> Path:
    """``TICKET_ATTACHMENT_DIR``, default ``instance/attachments``."""
    configured = current_app.config.get("TICKET_ATTACHMENT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes) -> str:
    """Write the bytes under a fresh random name and return that name.

    The file goes away again if the transaction that adds its row does not commit.
    """
    name = secrets.token_hex(16)
    path = directory() / name
    path.write_bytes(data)
    file_pending_commit(path)
    return name


def path_of(stored_name: str) -> Path:
    """Where a stored attachment lives (stored names are ours: hex only)."""
    if not stored_name.isalnum():
        raise AttachmentRejected("bad stored name")
    return directory() / stored_name


#: Types an ``<img>`` may show; the response is still a download (``Content-Disposition:
#: attachment``, which an ``<img>`` ignores), so no browser ever opens one as a page.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def download(item):
    """The response for a stored attachment (a ``TicketAttachment``), after the caller checked
    who may have it: always a download, never sniffed, never kept by a shared cache. The ticket
    page and the chat serve their files through this one function."""
    try:
        path = path_of(item.stored_name)
    except AttachmentRejected:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.filename
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
