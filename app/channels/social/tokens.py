"""The connected accounts' send tokens, encrypted at rest with keys from the configuration.

``SOCIAL_TOKEN_KEYS`` is a list of Fernet keys: the first encrypts, every one decrypts, so a
key is rotated by putting a new one first and re-encrypting (``flask social reencrypt``);
the old key can be removed afterwards. A database dump alone never reveals a token.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from app.errors import DomainError


def _box() -> MultiFernet:
    keys = current_app.config["SOCIAL_TOKEN_KEYS"]
    if not keys:
        raise DomainError(
            "No encryption key is configured (SOCIAL_TOKEN_KEYS), so tokens cannot be stored "
            "safely. Ask the operator to set one.",
            "token",
        )
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt(token: str) -> str:
    return _box().encrypt(token.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """:raises ValueError: the ciphertext was made with a key no longer configured."""
    try:
        return _box().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("the token was encrypted with a key that is not configured") from exc


def reencrypt(ciphertext: str) -> str:
    """The same token under the first (newest) key."""
    try:
        return _box().rotate(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("the token was encrypted with a key that is not configured") from exc


def hint(token: str) -> str:
    """The last four characters, the only part of a token ever shown."""
    return token[-4:] if len(token) >= 12 else ""


def masked(token_hint: str) -> str:
    return f"••••{token_hint}" if token_hint else "••••"
