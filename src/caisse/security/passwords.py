"""Password hashing (argon2id) and the password policy: length, a list of the passwords most seen in public
breaches shipped with the package (offline: no password ever leaves the fund), and zxcvbn strength
(dictionary words, keyboard patterns and the login itself are refused)."""

from __future__ import annotations

import gzip
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from caisse.config import get_settings
from caisse.errors import InvalidInput
from caisse.texts import T_

MIN_LENGTH = 12
BREACHED_LIST = Path(__file__).parent / "data" / "breached-passwords-12plus.txt.gz"  # see data/README.md
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


@lru_cache
def _breached() -> frozenset[str]:
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.rstrip("\n") for line in fh if line.strip())


def is_breached(password: str) -> bool:
    """In the shipped list of passwords most seen in breaches (compared NFKC-normalised and case-folded)."""
    return unicodedata.normalize("NFKC", password).casefold() in _breached()


def check_strength(password: str, login: str, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(field, "use at least {least} characters (a sentence is easy to remember)", least=MIN_LENGTH)
    if is_breached(password):
        raise InvalidInput(field, "this password appears in lists of breached passwords: choose another")
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:100], user_inputs=[login, "caisse", "indépendant", "zelfstandige"])
    if result["score"] < MIN_SCORE:
        hint = result["feedback"].get("warning") or T_("too easy to guess")
        raise InvalidInput(field, "this password is too weak: {hint}", hint=hint)
