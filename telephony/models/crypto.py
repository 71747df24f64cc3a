"""Encryption at rest for provider credentials.

`CREDENTIALS_KEYS` holds one or more secrets: the first encrypts, every one decrypts, so a
key is rotated by putting the new one first and running `manage.py rotate_credentials`.
A secret may be a Fernet key or any passphrase (then stretched with SHA-256).
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(secret: str) -> Fernet:
    try:
        return Fernet(secret.encode())
    except ValueError:
        digest = hashlib.sha256(secret.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


def _multi() -> MultiFernet:
    keys = [k for k in settings.CREDENTIALS_KEYS if k]
    if not keys:
        raise RuntimeError("CREDENTIALS_KEYS is empty: set at least one key.")
    return MultiFernet([_fernet(k) for k in keys])


def encrypt_json(data: dict) -> str:
    return _multi().encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_multi().decrypt(token.encode()))
    except InvalidToken as exc:
        raise RuntimeError(
            "Stored credentials cannot be decrypted with any key in CREDENTIALS_KEYS."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt `token` under the first key."""
    return _multi().rotate(token.encode()).decode() if token else token
