"""Two-factor authentication for staff: time-based one-time passwords (RFC 6238, pyotp).

A code is good for its 30-second time step and one step either side (clock drift), and only once: the last
time step used is kept per account and a code of that step or an earlier one is refused (RFC 6238 §5.2), so a
code read over a shoulder or from a phishing page cannot be replayed within its window."""

from __future__ import annotations

import time

import pyotp

WINDOW = 1  # time steps accepted either side of now


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, login: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=issuer)


def matching_step(secret: str, code: str | None, last_step: int | None = None,
                  at: float | None = None) -> int | None:
    """The time step whose code is ``code`` (within the window), if later than ``last_step``; else None."""
    if not code or not code.strip().isdigit():
        return None
    code = code.strip()
    otp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    step = otp.timecode(now)
    found = None
    for s in range(step - WINDOW, step + WINDOW + 1):
        if pyotp.utils.strings_equal(code, otp.generate_otp(s)):
            found = s
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def verify(secret: str, code: str | None) -> bool:
    """A code valid now (no replay memory: use ``matching_step`` where an account is at hand)."""
    return matching_step(secret, code) is not None
