"""Accounts, login and sessions.

- passwords: argon2id; the policy refuses short and guessable passwords (``security.passwords``);
- login throttling: an account is locked for ``login_lock_minutes`` after ``login_max_failures`` failures in a
  row; an address that fails more than ``login_max_failures_per_origin`` times in 15 minutes is refused;
  the answer never says whether the login exists;
- staff must pass a one-time code (TOTP) — demo accounts excepted, and demo accounts only work in demo mode;
- sessions: a fresh random token at every login (no fixation), only its SHA-256 stored, idle and absolute
  expiry, a CSRF token per session, logout and logout everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Date, String, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from caisse.config import Settings, get_settings
from caisse.errors import Conflict, InvalidInput
from caisse.security import passwords, totp
from caisse.security.authz import STAFF, NotAuthenticated, Principal, require
from caisse.services import audit
from caisse.store.models import ROLES, AccessGrant, Account, LoginAttempt, Party, Person, WebSession

WRONG = "login or password is wrong"
#: the languages of the pages (caisse.web.i18n.LANGUAGES): the fund's three, and English for staff who prefer it
PAGE_LANGUAGES = ("fr", "nl", "de", "en")
LOCKED = "this account is locked after too many failed attempts; try again later"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_account(session: Session, who: Principal, login: str, password: str, role: str, *,
                   party_id: int | None = None, team: str | None = None, language: str | None = None,
                   demo: bool = False) -> tuple[Account, str | None]:
    """Create an account; returns it with the TOTP secret to enrol (staff) or None. Without a ``language`` the
    pages follow the file's language (an affiliate) or the browser's, until the person chooses one on a page."""
    require(who, "account.manage")
    login = login.strip().lower()
    if not login or len(login) > 100:
        raise InvalidInput("login", "is required (at most 100 characters)")
    if role not in ROLES:
        raise InvalidInput("role", f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role in ("affiliate",) and party_id is None:
        raise InvalidInput("party_id", "an affiliate account belongs to a file")
    if party_id is not None and session.get(Party, party_id) is None:
        raise InvalidInput("party_id", f"no file {party_id}")
    if not demo:
        passwords.check_strength(password, login)
    if session.scalar(select(Account.id).where(Account.login == login)) is not None:
        raise Conflict("login", "this login is taken")
    secret = totp.new_secret() if role in STAFF and not demo else None
    account = Account(login=login, password_hash=passwords.hash_password(password), role=role, party_id=party_id,
                      team=team, language=language, totp_secret=secret, demo=demo)
    session.add(account)
    session.flush()
    audit.record(session, who.login, "create", "account", account.id, detail={"login": login, "role": role})
    return account, secret


def grant_access(session: Session, who: Principal, account_id: int, party_id: int, kind: str,
                 valid_from: dt.date, valid_to: dt.date | None = None) -> AccessGrant:
    """An accountant's mandate, or a director's access to the company file."""
    require(who, "account.manage")
    if kind not in ("mandate", "director"):
        raise InvalidInput("kind", "mandate or director")
    account = session.get(Account, account_id)
    if account is None:
        raise InvalidInput("account_id", f"no account {account_id}")
    if account.role not in ("affiliate", "accountant"):
        raise InvalidInput("account_id", f"a {account.role} reaches files through their role, not through a grant")
    if session.get(Party, party_id) is None:
        raise InvalidInput("party_id", f"no file {party_id}")
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("valid_to", "ends before it starts")
    grant = AccessGrant(account_id=account_id, party_id=party_id, kind=kind, valid_from=valid_from,
                        valid_to=valid_to, granted_by=who.login)
    session.add(grant)
    audit.record(session, who.login, "grant", "access", account_id, party_id=party_id, detail={"kind": kind})
    session.flush()
    return grant


def find_account(session: Session, login: str) -> Account:
    account = session.scalar(select(Account).where(Account.login == (login or "").strip().lower()))
    if account is None:
        raise InvalidInput("login", f"no account {login!r}")
    return account


def disable_account(session: Session, who: Principal, login: str) -> int:
    """Disable a login and end all its sessions at once; returns how many sessions were ended."""
    require(who, "account.manage")
    account = find_account(session, login)
    account.disabled = True
    ended = session.execute(update(WebSession).where(WebSession.account_id == account.id,
                                                     WebSession.revoked.is_(False)).values(revoked=True)).rowcount
    audit.record(session, who, "disable", "account", account.id, detail={"login": account.login,
                                                                         "sessions_ended": ended})
    return ended


@dataclass
class AccountRow:
    id: int
    login: str
    role: str
    party_id: int | None
    team: str | None
    status: str
    two_factor: bool
    demo: bool
    grants: list[int]


def list_accounts(session: Session, who: Principal, now: dt.datetime, role: str | None = None) -> list[AccountRow]:
    """The accounts for an administrator: never a password hash nor a TOTP secret."""
    require(who, "account.manage")
    if role is not None and role not in ROLES:
        raise InvalidInput("role", f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    query = select(Account).order_by(Account.id)
    if role:
        query = query.where(Account.role == role)
    today = now.date()
    rows = []
    for a in session.scalars(query):
        status = "disabled" if a.disabled else "locked" if a.locked_until and a.locked_until > now else "active"
        grants = sorted(session.scalars(select(AccessGrant.party_id).where(
            AccessGrant.account_id == a.id, AccessGrant.valid_from <= today,
            (AccessGrant.valid_to.is_(None)) | (AccessGrant.valid_to >= today))))
        rows.append(AccountRow(a.id, a.login, a.role, a.party_id, a.team, status, a.totp_secret is not None,
                               a.demo, grants))
    return rows


@dataclass
class LoginResult:
    token: str
    principal: Principal
    expires_at: dt.datetime


@dataclass
class LoginRefused:
    """A refused login. Returned, not raised, so the caller commits the attempt (and any lock) it recorded."""

    message: str


def login(session: Session, login_name: str, password: str, code: str | None, origin: str | None,
          now: dt.datetime, settings: Settings | None = None) -> LoginResult | LoginRefused:
    """Check the credentials; on success a new session (never an existing one: no fixation).

    A refusal is returned with a message that never reveals whether the login exists."""
    s = settings or get_settings()
    login_name = (login_name or "").strip().lower()
    if "\x00" in login_name or "\x00" in (password or "") or len(login_name) > 100:
        return LoginRefused(WRONG)
    window = now - dt.timedelta(minutes=15)
    recent_failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.origin == origin, LoginAttempt.at >= window, LoginAttempt.success.is_(False)))
    if origin and recent_failures >= s.login_max_failures_per_origin:
        return LoginRefused("too many failed attempts from this address; try again later")
    account = session.scalar(select(Account).where(Account.login == login_name))

    def fail(message: str = WRONG) -> LoginRefused:
        session.add(LoginAttempt(login=login_name[:100], origin=origin, at=now, success=False))
        if account is not None:
            account.failed_logins += 1
            if account.failed_logins >= s.login_max_failures:
                account.locked_until = now + dt.timedelta(minutes=s.login_lock_minutes)
                account.failed_logins = 0
                audit.append(session.connection(), session.info, "security", "lock", "account", account.id)
        session.flush()
        return LoginRefused(message)

    if account is None:
        passwords.dummy_verify()
        # No user enumeration: an unknown login "locks" exactly like a real one would, so the lock message
        # never tells an existing login from an unknown one.
        failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.login == login_name[:100], LoginAttempt.success.is_(False),
            LoginAttempt.at > now - dt.timedelta(minutes=s.login_lock_minutes)))
        if failures >= s.login_max_failures:
            return fail(LOCKED)
        return fail()
    if account.locked_until is not None and account.locked_until > now:
        passwords.dummy_verify()  # the same work as any other refusal (no enumeration by timing)
        return fail(LOCKED)
    if account.disabled:
        passwords.dummy_verify()
        return fail()
    if account.demo and not s.demo_mode:
        return fail("demo accounts only work in a demo fund")
    if not passwords.verify_password(account.password_hash, password or ""):
        return fail()
    needs_code = account.role in STAFF and not account.demo
    if needs_code:
        step = totp.matching_step(account.totp_secret, code, account.totp_last_step) if account.totp_secret else None
        if step is None:
            return fail("the one-time code is missing or wrong")
        account.totp_last_step = step  # a code is used once: the same code again within its window is refused
    account.failed_logins = 0
    account.locked_until = None
    return _open_session(session, account, origin, now, s, "password")


def _open_session(session: Session, account: Account, origin: str | None, now: dt.datetime, s: Settings,
                  method: str) -> LoginResult:
    """A brand-new session with a fresh random token (only its SHA-256 is stored) and its own CSRF token."""
    session.add(LoginAttempt(login=account.login, origin=origin, at=now, success=True))
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(minutes=s.session_idle_minutes)
    web = WebSession(token_hash=_hash_token(token), account_id=account.id, csrf_token=secrets.token_urlsafe(24),
                     created_at=now, last_seen=now, expires_at=expires, mfa_done=True, origin=origin)
    session.add(web)
    session.flush()
    audit.record(session, account.login, "login", "session", web.id, origin=origin, detail={"method": method})
    return LoginResult(token, _principal(session, account, web, _file_language(session, account)), expires)


def login_with_identity(session: Session, niss: str, origin: str | None, now: dt.datetime, method: str = "oidc",
                        settings: Settings | None = None) -> LoginResult | LoginRefused:
    """Log in a person whose identity an external provider vouched for (eID / itsme through OpenID Connect).

    The NISS must be that of an affiliate's file holding an affiliate account (not disabled; demo accounts only
    in demo mode). Staff never log in this way (they need their own password and one-time code). The password
    lock does not apply: the lock protects the password, which this login does not use. The NISS is never
    stored in the login attempts nor the audit log."""
    s = settings or get_settings()
    person_id = session.scalar(select(Person.id).where(Person.niss == niss))
    account = None
    if person_id is not None:
        query = select(Account).where(Account.party_id == person_id, Account.role == "affiliate",
                                      Account.disabled.is_(False))
        if not s.demo_mode:
            query = query.where(Account.demo.is_(False))
        account = session.scalar(query.order_by(Account.id).limit(1))
    if account is None:
        session.add(LoginAttempt(login=f"({method})", origin=origin, at=now, success=False))
        session.flush()
        if person_id is None:
            return LoginRefused("no file of this fund belongs to the person identified; if you are self-employed, "
                                "contact the fund to affiliate")
        return LoginRefused("your file has no personal login yet; ask the fund to open one")
    return _open_session(session, account, origin, now, s, method)


def _file_language(session: Session, account: Account) -> str | None:
    if account.party_id is None:
        return None
    return session.scalar(select(Party.language).where(Party.id == account.party_id))


def _principal(session: Session, account: Account, web: WebSession | None,
               file_language: str | None = None) -> Principal:
    today = dt.date.today()
    grants = frozenset(session.scalars(select(AccessGrant.party_id).where(
        AccessGrant.account_id == account.id, AccessGrant.valid_from <= today,
        (AccessGrant.valid_to.is_(None)) | (AccessGrant.valid_to >= today))))
    return Principal(login=account.login, role=account.role, account_id=account.id, party_id=account.party_id,
                     team=account.team, grants=grants, session_id=web.id if web else None,
                     csrf_token=web.csrf_token if web else None, origin=web.origin if web else None,
                     language=account.language or file_language)


#: a session's idle expiry is pushed forward when it is used, at most once in this time: a page does not write
#: its session row every time (the expiry is then at most this much earlier than the idle period after the last use)
SESSION_TOUCH = dt.timedelta(seconds=60)


@functools.lru_cache(maxsize=1)
def _resolve_statement():
    """The session of a token hash with its account, the file's language and the grants in force ``today`` (a row
    per grant); built once."""
    w, a, g = WebSession, Account, AccessGrant
    today = bindparam("today", type_=Date)
    return (select(w.id, w.created_at, w.last_seen, w.expires_at, w.revoked, w.csrf_token, w.origin,
                   a.id.label("account_id"), a.login, a.role, a.party_id, a.team, a.language, a.disabled, a.demo,
                   Party.language.label("file_language"), g.party_id.label("granted"))
            .join(a, a.id == w.account_id)
            .outerjoin(Party, Party.id == a.party_id)
            .outerjoin(g, and_(g.account_id == a.id, g.valid_from <= today,
                               or_(g.valid_to.is_(None), g.valid_to >= today)))
            .where(w.token_hash == bindparam("token_hash", type_=String)))


def resolve(session: Session, token: str | None, now: dt.datetime, settings: Settings | None = None) -> Principal:
    """The principal of a session cookie; extends the idle expiry (never past the absolute maximum).

    One statement reads the session, its account, the file's language and the grants in force (a row per grant);
    the session row is written only when its expiry moves by more than ``SESSION_TOUCH``."""
    s = settings or get_settings()
    if not token:
        raise NotAuthenticated("please log in")
    rows = session.execute(_resolve_statement(), {"token_hash": _hash_token(token),
                                                  "today": dt.date.today()}).all()
    web = rows[0] if rows else None
    if web is None or web.revoked or web.expires_at <= now:
        raise NotAuthenticated("your session has ended; please log in again")
    if web.disabled or (web.demo and not s.demo_mode):
        raise NotAuthenticated("please log in")
    absolute = web.created_at + dt.timedelta(hours=s.session_max_hours)
    expires = min(absolute, now + dt.timedelta(minutes=s.session_idle_minutes))
    if expires - web.expires_at >= SESSION_TOUCH:
        session.execute(update(WebSession).where(WebSession.id == web.id)
                        .values(last_seen=now, expires_at=expires))
    return Principal(login=web.login, role=web.role, account_id=web.account_id, party_id=web.party_id,
                     team=web.team, grants=frozenset(r.granted for r in rows if r.granted is not None),
                     session_id=web.id, csrf_token=web.csrf_token, origin=web.origin,
                     language=web.language or web.file_language)


def choose_language(session: Session, who: Principal, language: str) -> Principal:
    """The person chose the language of their pages (the switcher of any page): kept on their account, so their
    next session, on any device, opens in it — the choice made last wins over the file's language and the browser.
    Returns the principal in that language."""
    if language not in PAGE_LANGUAGES:
        raise InvalidInput("lang", "one of {languages}", languages=", ".join(PAGE_LANGUAGES))
    if who.account_id is not None and who.language != language:
        session.execute(update(Account).where(Account.id == who.account_id).values(language=language))
    return Principal(**{**who.__dict__, "language": language})


def _end_sessions(session: Session, account_id: int, keep_session_id: int | None = None) -> int:
    query = update(WebSession).where(WebSession.account_id == account_id, WebSession.revoked.is_(False))
    if keep_session_id is not None:
        query = query.where(WebSession.id != keep_session_id)
    return session.execute(query.values(revoked=True)).rowcount


def change_password(session: Session, who: Principal, current: str, new: str, repeat: str, now: dt.datetime,
                    settings: Settings | None = None) -> int:
    """A logged-in person changes their own password: the current one first (a wrong one counts towards the lock,
    so a stolen session cannot guess it), the new one twice and by the policy. Every other session of the account
    ends (a thief logged in elsewhere is out); returns how many. Never for a demo account."""
    s = settings or get_settings()
    account = session.get(Account, who.account_id) if who.account_id else None
    if account is None:
        raise NotAuthenticated("please log in")
    if account.demo:
        raise InvalidInput("new_password", "the password of a demo login is the login itself and cannot change")
    if account.locked_until is not None and account.locked_until > now:
        raise InvalidInput("current_password", LOCKED)
    if not passwords.verify_password(account.password_hash, current or ""):
        account.failed_logins += 1
        if account.failed_logins >= s.login_max_failures:
            account.locked_until = now + dt.timedelta(minutes=s.login_lock_minutes)
            account.failed_logins = 0
            audit.record(session, "security", "lock", "account", account.id)
        session.flush()
        raise InvalidInput("current_password", "is wrong")
    if new != repeat:
        raise InvalidInput("repeat", "the two new passwords differ")
    if new == current:
        raise InvalidInput("new_password", "is the same as the current one")
    passwords.check_strength(new, account.login)
    account.password_hash = passwords.hash_password(new)
    account.failed_logins = 0
    ended = _end_sessions(session, account.id, keep_session_id=who.session_id)
    audit.record(session, who, "change_password", "account", account.id, detail={"other_sessions_ended": ended})
    return ended


def unlock_account(session: Session, who: Principal, login: str) -> Account:
    """An administrator lifts the lock of an account (after the person proved who they are by phone or at the
    office) instead of letting it expire."""
    require(who, "account.manage")
    account = find_account(session, login)
    account.locked_until = None
    account.failed_logins = 0
    audit.record(session, who, "unlock", "account", account.id, detail={"login": account.login})
    return account


def reset_password(session: Session, who: Principal, login: str, new: str) -> int:
    """An administrator sets a new password (the person lost theirs; given to them by a safe channel): the policy
    applies, the lock is lifted, every session of the account ends. Returns how many."""
    require(who, "account.manage")
    account = find_account(session, login)
    if account.demo:
        raise InvalidInput("login", "a demo login's password is the login itself")
    passwords.check_strength(new, account.login)
    account.password_hash = passwords.hash_password(new)
    account.locked_until = None
    account.failed_logins = 0
    ended = _end_sessions(session, account.id)
    audit.record(session, who, "reset_password", "account", account.id, detail={"login": account.login,
                                                                                "sessions_ended": ended})
    return ended


def reset_totp(session: Session, who: Principal, login: str) -> tuple[Account, str]:
    """A staff member lost their authenticator: a new TOTP secret (to enrol at once; the old codes stop working)
    and every session of the account ends. Returns the account and the new secret."""
    require(who, "account.manage")
    account = find_account(session, login)
    if account.role not in STAFF:
        raise InvalidInput("login", f"a {account.role} login has no one-time codes")
    secret = totp.new_secret()
    account.totp_secret = secret
    account.totp_last_step = None
    ended = _end_sessions(session, account.id)
    audit.record(session, who, "reset_totp", "account", account.id, detail={"login": account.login,
                                                                            "sessions_ended": ended})
    return account, secret


def logout(session: Session, token: str | None) -> None:
    if token:
        session.execute(update(WebSession).where(WebSession.token_hash == _hash_token(token)).values(revoked=True))


def logout_everywhere(session: Session, who: Principal) -> int:
    result = session.execute(update(WebSession).where(WebSession.account_id == who.account_id,
                                                      WebSession.revoked.is_(False)).values(revoked=True))
    audit.record(session, who.login, "logout_everywhere", "account", who.account_id)
    return result.rowcount
