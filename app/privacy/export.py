"""A person's data as a machine-readable archive (GDPR Art. 15 and 20).

Driven by the inventory: every table with owner columns contributes the person's rows, so a new
table is not silently missed.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable


def build_export(
    user_id: int,
    dest_dir: pathlib.Path,
    progress: Callable[[int, int], None] | None = None,
) -> pathlib.Path:
    """Write the person's data to a new .zip in ``dest_dir`` and return its path.

    The archive holds one JSON file per kind (account, tickets with messages and events, forum,
    wiki, kb, chat, channels, social, surveys, search, api tokens without secrets, sessions,
    follows/watches, team), the ticket attachments as files, the person's own wiki Markdown as
    ``.md`` files, and the original ``.eml`` of inbound mail where it is kept.

    Reads only; the caller's transaction is left untouched.

    :param user_id: the person whose data is exported.
    :param dest_dir: an existing directory the archive is written into.
    :param progress: called with ``(done, total)`` kinds as the archive grows.
    :raises app.errors.NotFound: no account with that id.
    """
    raise NotImplementedError
