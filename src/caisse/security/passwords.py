"""Password hashing (argon2id) and the password policy (length, zxcvbn strength: common and breached-style
passwords, dictionary words, keyboard patterns and the login itself are refused)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from caisse.config import get_settings
from caisse.errors import InvalidInput

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"


@lru_cache
def hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib, parallelism=1)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify() -> None:
    """Spend the time of a verification when the login does not exist (no user enumeration by timing)."""
    verify_password(_dummy_hash(), "not-the-password")


@lru_cache
def _dummy_hash() -> str:
    return hash_password("dummy password for timing")


def check_strength(password: str, login: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(field, f"use at least {MIN_LENGTH} characters (a sentence is easy to remember)")
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[login, "caisse", "indépendant", "zelfstandige"])
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or "too easy to guess"
        raise InvalidInput(field, f"this password is too weak: {hint}")
