"""A forgotten password, reset by the person alone through an e-mailed link.

- Who: an affiliate or accountant login that is enabled, not a demo login, and has an e-mail address on file —
  the person's (``person.email`` of the login's file), else the login's own (``account.email``, an accountant
  without a file of their own). Staff never: their password is reset by an administrator
  (``caisse account reset-password``), who also re-enrols their one-time codes if needed.
- The link: a random 256-bit token; only its SHA-256 is stored; it works once, for ``password_reset_minutes``
  (30); a newer link supersedes an older unused one.
- No enumeration: the caller shows the same answer whatever happened (no such login, staff, no address,
  throttled, sent); the e-mail is sent after the answer left (``web/password_reset.py``), so the time taken does
  not tell either.
- Throttled per login (``password_reset_max_per_login`` requests an hour: further requests send nothing, the
  answer stays the same) and per address (``password_reset_max_per_origin`` an hour: refused, which tells
  nothing about any login). Both count rows in the database, so they hold across web workers.
- Setting the new password: the policy applies (``passwords.check_strength``), the lock and failed-attempt count
  are cleared, every session of the login ends, the link is consumed.
- Audit: every request (its outcome, never the address), the mail sent or not, the password set, every refused
  link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from caisse.config import Settings, get_settings
from caisse.errors import InvalidInput
from caisse.security import passwords
from caisse.services import audit
from caisse.services.accounts import _end_sessions
from caisse.store.models import Account, PasswordReset, Person

SELF_SERVICE_ROLES = ("affiliate", "accountant")
ACTOR = "password-reset"
EXPIRED = "this link has expired or was already used; ask for a new one"


class TooManyRequests(Exception):
    """Too many requests from this address: refused whatever the login (so it tells nothing about it)."""

    def __init__(self, retry_after_seconds: int):
        super().__init__("too many password reset requests from this address")
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class ResetMail:
    """What to e-mail once the answer has left: the address, the language and the link's token (never stored)."""

    request_id: int
    account_id: int
    to_address: str
    language: str
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _address(session: Session, account: Account) -> str | None:
    if account.party_id is not None:
        email = session.scalar(select(Person.email).where(Person.id == account.party_id))
        if email:
            return email
    return account.email or None


def request_reset(session: Session, login: str, origin: str | None, now: dt.datetime,
                  settings: Settings | None = None) -> ResetMail | None:
    """Record a request; returns the mail to send, or None (nothing to send — the caller answers the same)."""
    s = settings or get_settings()
    name = (login or "").strip().lower()
    hour_ago = now - dt.timedelta(hours=1)
    if origin:
        from_here = session.scalar(select(func.count()).select_from(PasswordReset).where(
            PasswordReset.origin == origin, PasswordReset.requested_at > hour_ago))
        if from_here >= s.password_reset_max_per_origin:
            first = session.scalar(select(func.min(PasswordReset.requested_at)).where(
                PasswordReset.origin == origin, PasswordReset.requested_at > hour_ago))
            audit.record(session, ACTOR, "password_reset_request", "account", None, origin=origin,
                         detail={"outcome": "throttled_address"})
            wait = int((first + dt.timedelta(hours=1) - now).total_seconds()) + 1 if first else 3600
            raise TooManyRequests(max(1, wait))
    if not name or len(name) > 100 or "\x00" in name:
        audit.record(session, ACTOR, "password_reset_request", "account", None, origin=origin,
                     detail={"outcome": "refused"})
        return None
    account = session.scalar(select(Account).where(Account.login == name))

    def row(outcome: str, **kw) -> PasswordReset:
        r = PasswordReset(login=name, account_id=account.id if account else None, origin=origin,
                          requested_at=now, outcome=outcome, **kw)
        session.add(r)
        session.flush()
        # the typed login is not written in the audit log unless it is a real one (a mistyped national number…)
        audit.record(session, account.login if account else ACTOR, "password_reset_request", "account",
                     account.id if account else None, origin=origin, detail={"outcome": outcome})
        return r

    for_login = session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.login == name, PasswordReset.requested_at > hour_ago))
    if for_login >= s.password_reset_max_per_login:
        row("throttled")
        return None
    address = _address(session, account) if account is not None else None
    if (account is None or account.role not in SELF_SERVICE_ROLES or account.disabled or account.demo
            or not address):
        row("refused")
        return None
    session.execute(update(PasswordReset).where(
        PasswordReset.account_id == account.id, PasswordReset.outcome == "sent", PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now).values(outcome="superseded"))
    token = secrets.token_urlsafe(32)
    r = row("sent", token_hash=_hash(token), expires_at=now + dt.timedelta(minutes=s.password_reset_minutes))
    language = account.language if account.language in ("fr", "nl", "de") else None  # the one last chosen
    if language is None and account.party_id is not None:
        from caisse.store.models import Party

        language = session.scalar(select(Party.language).where(Party.id == account.party_id)) or language
    return ResetMail(r.id, account.id, address, language or "fr", token)


def record_mail(session: Session, mail: ResetMail, sent: bool, origin: str | None = None) -> None:
    """Audit whether the link's e-mail left (never the address)."""
    account = session.get(Account, mail.account_id)
    audit.record(session, account.login if account else ACTOR, "password_reset_mail", "account", mail.account_id,
                 origin=origin, detail={"sent": sent, "request": mail.request_id})


def _valid(session: Session, token: str | None, now: dt.datetime) -> tuple[PasswordReset, Account] | None:
    if not token or len(token) > 200:
        return None
    r = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if r is None or r.outcome != "sent" or r.used_at is not None or r.expires_at is None or r.expires_at <= now:
        return None
    account = session.get(Account, r.account_id)
    if account is None or account.disabled or account.demo or account.role not in SELF_SERVICE_ROLES:
        return None
    return r, account


def link_is_valid(session: Session, token: str | None, now: dt.datetime) -> bool:
    """Whether the link can still set a password (opening it changes nothing: mail scanners open links)."""
    return _valid(session, token, now) is not None


def complete_reset(session: Session, token: str | None, new: str, repeat: str, origin: str | None,
                   now: dt.datetime) -> int:
    """Set the new password through a link: the link is consumed, every session ends. Returns how many ended.

    A refused link raises ``InvalidInput("token", ...)`` and is audited; a refused password leaves the link
    usable (the person tries another one)."""
    found = _valid(session, token, now)
    if found is None:
        r = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _hash(token or "")))
        reason = "unknown" if r is None else "used" if r.used_at is not None else \
            "superseded" if r.outcome == "superseded" else "expired" if r.expires_at and r.expires_at <= now \
            else "not_allowed"
        audit.record(session, ACTOR, "password_reset_refused", "account", r.account_id if r else None,
                     origin=origin, detail={"reason": reason})
        raise InvalidInput("token", EXPIRED)
    r, account = found
    if new != repeat:
        raise InvalidInput("repeat", "the two new passwords differ")
    passwords.check_strength(new, account.login)
    account.password_hash = passwords.hash_password(new)
    account.locked_until = None
    account.failed_logins = 0
    r.used_at = now
    ended = _end_sessions(session, account.id)
    audit.record(session, account.login, "reset_password_by_link", "account", account.id, origin=origin,
                 detail={"request": r.id, "sessions_ended": ended})
    return ended
