"""The settings schema: every configuration key, declared once with its default, type and meaning.

The site's own settings are declared in :mod:`app.config`, each feature's in
``app/<feature>/settings.py`` (a ``SETTINGS`` list). :func:`load` applies, in order: the
defaults, ``instance/config.py``, the environment (``HELPCENTER_<KEY>``, parsed as JSON where it
is JSON, and the plain names of the settings declared ``env=True``), then the test dict; then it
converts and validates every declared setting once, so a bad value stops start-up naming the key
and the reason, and code reading a setting never converts it.

The settings tables of README.md are generated from the same declarations:
``python -m app.settings`` rewrites them between their marker comments, and a test fails when
README.md and the declarations differ.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A setting that would make the application fail later; raised while it starts.

    The message names the key and says what is wrong, so the fix is obvious from the log.
    """

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"Configuration {key}: {reason}")
        self.key = key
        self.reason = reason


#: Modules declaring settings, in the order of the README's sections.
SETTING_MODULES = (
    "app.config",
    "app.kb.media.settings",
    "app.wiki.settings",
    "app.forum.settings",
    "app.search.settings",
    "app.tickets.settings",
    "app.channels.settings",
    "app.incidents.settings",
    "app.feedback.settings",
    "app.team.settings",
    "app.channels.email.settings",
    "app.channels.social.settings",
    "app.channels.chat.settings",
    "app.api.settings",
    "app.ops.settings",
    "app.metrics.settings",
    "app.privacy.settings",
    "app.privacy.request_settings",
)
README = Path(__file__).resolve().parent.parent / "README.md"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Setting:
    """One configuration key.

    ``type`` is ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict`` or ``object`` (any
    value, checked by ``validate`` or by the feature's own start-up check); a ``None`` default
    means "not set" is allowed. ``validate(value)`` raises ``ValueError`` with the reason.
    ``env``: also read from the plain environment variable of that name (the deployment
    variables the README documents). ``shown`` is the README's text for a default that is
    long or worked out at start-up.
    """

    key: str
    default: Any
    type: type
    description: str
    validate: Callable[[Any], None] | None = None
    section: str = "site"
    env: bool = False
    shown: str | None = None


def declared() -> list[Setting]:
    """Every declared setting, in README order.

    :raises ConfigError: a key declared twice.
    """
    settings: list[Setting] = []
    seen: set[str] = set()
    for name in SETTING_MODULES:
        for setting in importlib.import_module(name).SETTINGS:
            if setting.key in seen:
                raise ConfigError(setting.key, "is declared twice")
            seen.add(setting.key)
            settings.append(setting)
    return settings


def load(config, test_config: Mapping | None, environ: Mapping[str, str] | None = None) -> None:
    """Fill Flask's ``config``: defaults → ``instance/config.py`` → environment → ``test_config``,
    then convert and validate every declared setting.

    :raises ConfigError: naming the first bad key and why.
    """
    environ = os.environ if environ is None else environ
    settings = declared()
    config.update({s.key: copy.deepcopy(s.default) for s in settings})
    config.from_pyfile("config.py", silent=True)
    for setting in settings:
        if setting.env and environ.get(setting.key, "") != "":
            config[setting.key] = environ[setting.key]
    prefixed = {k: v for k, v in environ.items() if k.startswith("HELPCENTER_")}
    # HELPCENTER_ENV is itself a setting (read by its plain name above), not a prefix for "ENV".
    prefixed.pop("HELPCENTER_ENV", None)
    if prefixed:
        config.from_prefixed_env("HELPCENTER", loads=_json_or_text)
    if test_config:
        config.update(test_config)
    for setting in settings:
        config[setting.key] = checked(setting, config[setting.key])


def _json_or_text(raw: str):
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw  # a plain string; converted (or refused) with its setting's type


def checked(setting: Setting, value):
    """``value`` converted to the setting's type and validated.

    :raises ConfigError: it can't be converted or fails the setting's check.
    """
    if value is None and setting.default is None:
        return None
    try:
        value = _convert(setting.type, value)
        if setting.validate is not None:
            setting.validate(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(setting.key, str(exc)) from None
    return value


def _convert(kind: type, value):
    if kind is object:
        return value
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError(f"must be true or false, got {value!r}")
    if kind in (int, float):
        if isinstance(value, bool):
            raise ValueError(f"must be a number, got {value!r}")
        if isinstance(value, str):
            value = value.strip()
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"must be a {_NAMES[kind]}, got {value!r}") from None
        if isinstance(value, float) and kind is int and number != value:
            raise ValueError(f"must be a whole number, got {value!r}")
        return number
    if kind is list:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return list(value)
        raise ValueError(f"must be a list (or comma-separated text), got {value!r}")
    if kind is dict:
        if isinstance(value, Mapping):
            return value
        raise ValueError(f"must be a mapping, got {value!r}")
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if not isinstance(value, str):
        raise ValueError(f"must be text, got {value!r}")
    return value


_NAMES = {int: "whole number", float: "number"}


# --- validators ------------------------------------------------------------------------------


def at_least(low: float) -> Callable[[Any], None]:
    def check(value) -> None:
        if not value >= low:
            raise ValueError(f"must be at least {low}, got {value!r}")

    return check


def one_of(*choices: str) -> Callable[[Any], None]:
    def check(value) -> None:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {value!r}")

    return check


def rate_limits(value) -> None:
    """Flask-Limiter's notation: ``"5 per 10 minutes; 20 per day"``."""
    from limits import parse_many

    try:
        if not parse_many(value):
            raise ValueError
    except ValueError:
        raise ValueError(f'must be limits like "5 per 10 minutes; 20 per day", got {value!r}')


# --- README tables ---------------------------------------------------------------------------


def _shown(setting: Setting) -> str:
    if setting.shown is not None:
        return setting.shown
    value = setting.default
    if value is None or value == "" or value == [] or value == {}:
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`"
    return f"`{json.dumps(value)}`"


def table(section: str, settings: list[Setting] | None = None) -> str:
    """The Markdown table of one section's settings."""
    rows = ["| Setting | Default | Meaning |", "| --- | --- | --- |"]
    for setting in settings if settings is not None else declared():
        if setting.section == section:
            rows.append(f"| `{setting.key}` | {_shown(setting)} | {setting.description} |")
    return "\n".join(rows)


def _marked(section: str) -> re.Pattern:
    return re.compile(
        rf"(<!-- settings:{section} -->\n).*?(\n<!-- /settings:{section} -->)", re.DOTALL
    )


def readme_text(text: str) -> str:
    """``text`` (README.md) with every marked settings table generated from the declarations."""
    settings = declared()
    for section in dict.fromkeys(s.section for s in settings):
        pattern = _marked(section)
        if not pattern.search(text):
            raise ConfigError(section, f"README.md has no <!-- settings:{section} --> markers")
        generated = table(section, settings)
        text = pattern.sub(lambda m, g=generated: m.group(1) + g + m.group(2), text)
    return text


def write_readme(path: Path = README) -> bool:
    """Rewrite the settings tables of README.md; True when anything changed."""
    before = path.read_text()
    after = readme_text(before)
    if after != before:
        path.write_text(after)
    return after != before


if __name__ == "__main__":
    print("README.md updated" if write_readme() else "README.md already up to date")
