"""Images sent in direct messages, downloaded from the platform on import so agents see them
on the ticket. Each one goes through the tickets' attachment rules (type by content, size);
one that cannot be had (a timeout, an error, too large, not an image, a host we don't fetch
from) becomes a note on the ticket instead, and the message is imported all the same."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from flask import current_app

from app.tickets import attachments as files

#: The name an image gets on the ticket, by the type the platform served it as.
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


@dataclass
class Downloaded:
    uploads: list[files.Upload] = field(default_factory=list)
    #: One sentence per image that could not be attached, for the ticket's history.
    problems: list[str] = field(default_factory=list)


def download_all(urls: tuple[str, ...], platform: str, token: str | None) -> Downloaded:
    """Fetch each image; X's DM media needs the account's token, Meta's CDN links do not."""
    result = Downloaded()
    for number, url in enumerate(urls, start=1):
        try:
            upload = _download(url, number, token if platform == "x" else None)
            files.check(upload, current_app.config["TICKET_ATTACHMENT_MAX_BYTES"])
        except (files.AttachmentRejected, _Failed) as exc:
            result.problems.append(f"Image {number} was not attached: {exc}")
            continue
        result.uploads.append(upload)
    return result


class _Failed(Exception):
    pass


def _allowed(url: str) -> bool:
    prefixes = current_app.config["SOCIAL_MEDIA_URL_PREFIXES"]
    return any(url.startswith(prefix) for prefix in prefixes)


def _download(url: str, number: int, token: str | None) -> files.Upload:
    if not _allowed(url):
        # Never fetched: a signed payload still should not make us call arbitrary hosts.
        raise _Failed(f"it is not on the platform's media host ({urlsplit(url).netloc[:80]}).")
    limit = current_app.config["TICKET_ATTACHMENT_MAX_BYTES"]
    timeout = current_app.config["SOCIAL_MEDIA_TIMEOUT"]
    # requests' timeout is per read; a host dripping bytes is cut off by this deadline.
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with requests.get(
            url, headers=headers, stream=True, allow_redirects=False,
            timeout=timeout,
        ) as answer:  # fmt: skip
            if answer.status_code != 200:
                raise _Failed(f"the platform answered HTTP {answer.status_code}.")
            declared = answer.headers.get("Content-Length", "")
            if declared.isdecimal() and int(declared) > limit:
                raise _Failed(f"it is larger than {limit // (1024 * 1024)} MB.")
            data = bytearray()
            for chunk in answer.iter_content(64 * 1024):
                data.extend(chunk)
                if len(data) > limit:  # a wrong or missing Content-Length: stop reading
                    raise _Failed(f"it is larger than {limit // (1024 * 1024)} MB.")
                if time.monotonic() > deadline:
                    raise requests.Timeout()
            kind = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
    except requests.Timeout:
        raise _Failed("the platform did not send it in time.") from None
    except requests.RequestException as exc:
        raise _Failed(f"it could not be downloaded ({type(exc).__name__}).") from None
    extension = EXTENSIONS.get(kind)
    if extension is None:
        raise _Failed(f"it is not an image we accept ({kind[:60] or 'no type'}).")
    return files.Upload(f"image-{number}.{extension}", bytes(data))
