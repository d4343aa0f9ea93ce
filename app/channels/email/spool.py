"""The inbound spool: an MTA's pipe leaves each message here, and ``flask mail drain`` imports
it.

An MTA starts one process per message and waits for its exit code, so that process must be
quick: ``scripts/mail-receive`` loads this file on its own (standard library only, never
``app/__init__.py``, Flask, SQLAlchemy or the app factory, which take seconds to start on a
busy host), writes the message durably and exits 0, or 75 (``EX_TEMPFAIL``) when it cannot,
so the MTA keeps the message and tries again. Nothing in between can lose it.

The layout is Maildir's: a message is written and fsynced under ``tmp/``, then renamed into
``new/`` (a rename is atomic), so the drain never reads half a message. The drain deletes a
file only after the transaction that imported it committed; a crash in between imports it
again, and the Message-ID claim makes that a duplicate.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

#: sysexits.h, as sendmail and Postfix's pipe(8) read them.
EX_OK, EX_TEMPFAIL = 0, 75
#: The environment variable naming the spool (the site reads the same one: the
#: ``EMAIL_SPOOL_DIR`` setting).
ENVIRONMENT = "HELPCENTER_EMAIL_SPOOL_DIR"


def default_directory() -> Path:
    """``instance/mail-spool`` beside the code, as the site's default instance folder."""
    return Path(__file__).resolve().parents[3] / "instance" / "mail-spool"


def write(raw: bytes, directory: Path) -> Path:
    """Keep one message durably in ``directory/new``.

    :raises OSError: it could not be kept (the caller answers ``EX_TEMPFAIL``).
    """
    tmp, new = directory / "tmp", directory / "new"
    tmp.mkdir(parents=True, exist_ok=True)
    new.mkdir(exist_ok=True)
    # Time first, so names sort in arrival order; pid and randomness keep them unique.
    name = f"{time.time_ns()}.{os.getpid()}.{secrets.token_hex(4)}.eml"
    with open(tmp / name, "wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp / name, new / name)
    folder = os.open(new, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)
    return new / name


def waiting(directory: Path) -> list[tuple[Path, int]]:
    """The spooled messages and their sizes, oldest first."""
    try:
        entries = list(os.scandir(directory / "new"))
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        try:
            if entry.name.endswith(".eml") and entry.is_file():
                found.append((Path(entry.path), entry.stat().st_size))
        except FileNotFoundError:
            continue  # another drain took it just now
    return sorted(found, key=lambda item: item[0].name)


def main(argv: list[str]) -> int:
    """``mail-receive [SPOOL_DIR]``: spool standard input; the exit code the MTA acts on."""
    directory = Path(argv[0] if argv else os.environ.get(ENVIRONMENT) or default_directory())
    try:
        raw = sys.stdin.buffer.read()
        write(raw, directory)
    except OSError as error:
        print(f"temporary failure, the MTA should retry: {error}", file=sys.stderr)
        return EX_TEMPFAIL
    return EX_OK
