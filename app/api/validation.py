"""Request validation of the API (pure: no Flask, no database, no clock), tested from tables."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Snippet keys are dotted lowercase ids such as ``billing.update-card``.
KEY_PATTERN = r"^[a-z0-9][a-z0-9.\-]{0,99}$"
#: Language tags accepted in ``lang``: ``en``, ``de``, ``pt-BR``.
LANG_PATTERN = r"^[a-z]{2}(-[A-Za-z]{2})?$"
#: App screen ids (``settings.billing``) and tour/step names share this shape.
NAME_PATTERN = r"^[a-z0-9][a-z0-9.\-_]{0,79}$"
#: An app installation id: a UUID or any 8-64 letters, digits and dashes.
INSTALL_ID_PATTERN = r"^[A-Za-z0-9\-]{8,64}$"
TOUR_EVENTS = ("reached", "completed", "dismissed")

_KEY = re.compile(KEY_PATTERN)
_LANG = re.compile(LANG_PATTERN)
_NAME = re.compile(NAME_PATTERN)
_INSTALL = re.compile(INSTALL_ID_PATTERN)


class RuleError(ValueError):
    """Input that breaks a rule; ``details`` maps each field to what is wrong with it."""

    def __init__(self, message: str, details: dict[str, str]) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def parse_keys(raw: str | None, max_keys: int) -> list[str]:
    """Split ``a,b,c`` into distinct snippet keys, in the order given.

    :raises RuleError: no keys, too many, or a key of the wrong shape.
    """
    keys = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not keys:
        raise RuleError("Give at least one snippet key.", {"keys": "required"})
    unique = list(dict.fromkeys(keys))
    if len(unique) > max_keys:
        raise RuleError(f"Ask for at most {max_keys} keys at once.", {"keys": "too many keys"})
    bad = [key for key in unique if not _KEY.match(key)]
    if bad:
        raise RuleError("A snippet key has the wrong shape.", {"keys": f"invalid key: {bad[0]}"})
    return unique


def is_key(value: str) -> bool:
    return bool(_KEY.match(value))


def is_name(value: str) -> bool:
    return bool(_NAME.match(value))


def normalise_lang(raw: str | None, default: str) -> str:
    """The requested language, or ``default`` when none was asked for.

    :raises RuleError: a value that is not a language tag.
    """
    if raw is None or raw == "":
        return default
    if not _LANG.match(raw):
        raise RuleError("Use a language tag such as en or de.", {"lang": "invalid language"})
    return raw.split("-")[0].lower()


def check_install_id(raw: str | None) -> str | None:
    """The ``X-Install-Id`` header, if present and well-formed.

    :raises RuleError: present but malformed.
    """
    if raw is None:
        return None
    if not _INSTALL.match(raw):
        raise RuleError(
            "X-Install-Id must be 8-64 letters, digits or dashes.", {"X-Install-Id": "invalid"}
        )
    return raw


@dataclass(frozen=True)
class Field:
    """One allowed field of a JSON body: its type, whether it is required, its length bounds."""

    kind: type
    required: bool = True
    min_length: int = 0
    max_length: int | None = None
    choices: tuple[str, ...] | None = None


def check_body(data: object, fields: Mapping[str, Field]) -> dict:
    """Check a decoded JSON body against ``fields``: an object, no unknown fields, types, sizes.

    :returns: the body with surrounding white space stripped from strings.
    :raises RuleError: with one message per offending field in ``details``.
    """
    if not isinstance(data, dict):
        raise RuleError("The body must be a JSON object.", {"body": "not an object"})
    details: dict[str, str] = {}
    for name in data:
        if name not in fields:
            details[str(name)] = "unknown field"
    clean: dict = {}
    for name, spec in fields.items():
        if name not in data:
            if spec.required:
                details[name] = "required"
            continue
        value = data[name]
        # bool is an int in Python; a JSON true is never a valid integer here.
        if not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool)):
            details[name] = f"must be a {_TYPE_NAMES.get(spec.kind, spec.kind.__name__)}"
            continue
        if isinstance(value, str):
            if "\x00" in value:
                # Valid JSON, but no database text column can hold it (PostgreSQL refuses it).
                details[name] = "must not contain NUL characters"
                continue
            if not _is_utf8(value):
                # Valid JSON too ("\ud800"), but a lone surrogate has no UTF-8 encoding at all.
                details[name] = "must be valid Unicode text"
                continue
            value = value.strip()
            if len(value) < spec.min_length:
                details[name] = (
                    "required" if not value else f"at least {spec.min_length} characters"
                )
                continue
            if spec.max_length is not None and len(value) > spec.max_length:
                details[name] = f"at most {spec.max_length} characters"
                continue
            if spec.choices is not None and value not in spec.choices:
                details[name] = "one of: " + ", ".join(spec.choices)
                continue
        clean[name] = value
    if details:
        raise RuleError("Some fields are not valid.", details)
    return clean


def _is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean", dict: "object", list: "list"}


def parse_bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None for no/other schemes."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def etag_for(*parts: object) -> str:
    """A strong entity tag (without quotes) from the parts that decide a response's body."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return digest[:32]


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate.strip('"') == etag:
            return True
    return False


def progress_after(
    status: str | None, furthest: int, event: str, step_index: int
) -> tuple[str, int]:
    """The tour status and furthest step after one reported event.

    A finished tour stays finished when an old ``reached`` arrives late (events can be reordered
    on a flaky mobile connection); ``completed`` beats ``dismissed``, a replay can complete later.
    """
    furthest = max(furthest, step_index)
    if event == "completed":
        return "completed", furthest
    if event == "dismissed":
        return ("completed" if status == "completed" else "dismissed"), furthest
    return (status if status in {"completed", "dismissed"} else "in_progress"), furthest


def completion_rate(started: int, completed: int) -> float | None:
    """Completed / started, or None when nobody started (no rate rather than a false 0 %)."""
    return None if started == 0 else completed / started


def allowed_origin(origin: str | None, allowed: Iterable[str]) -> str | None:
    """The origin to echo in ``Access-Control-Allow-Origin``, or None when it is not allowed."""
    if not origin:
        return None
    allowed = list(allowed)
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None
