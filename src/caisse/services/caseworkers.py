"""The named caseworker of a file: the staff member who knows the file and whom the person reaches
("a named contact who knows the file", issue 6; Liantis shows a named advisor, design/what-users-expect.md).

A manager assigns one (desk, or ``caisse cases assign-caseworker``); the assignment is dated and the history
kept (``file_caseworker``: the current row has no ``valid_to``; a new assignment closes it the day before).
The caseworker must be a handler (caseworker, recovery or benefits officer, manager), enabled, and — when
team-bound — of the file's team: they would otherwise need a reason to open the very file they hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import Conflict, InvalidInput, NotFound
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.store.models import Account, FileCaseworker, Party

ASSIGNERS = frozenset({"manager", "system"})
HOLDERS = frozenset({"caseworker", "recovery_officer", "benefits_officer", "manager"})


@dataclass
class CaseworkerRow:
    account_id: int
    login: str
    name: str
    team: str | None
    phone: str | None
    email: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    assigned_by: str
    reason: str | None


def display_name(account: Account) -> str:
    return account.display_name or account.login


def staff_account(session: Session, login_or_id: str | int, field: str = "account") -> Account:
    """An enabled account of a handler, by login or id (the field named in the error)."""
    if isinstance(login_or_id, int) or (isinstance(login_or_id, str) and login_or_id.isdigit()):
        account = session.get(Account, int(login_or_id))
    else:
        account = session.scalar(select(Account).where(Account.login == (login_or_id or "").strip().lower()))
    if account is None:
        raise InvalidInput(field, "no account {account!r}", account=login_or_id)
    if account.disabled:
        raise InvalidInput(field, "account {login} is disabled", login=account.login)
    if account.role not in HOLDERS:
        raise InvalidInput(field, "{login} is a {role}: a file's caseworker is a member of staff who handles files "
                                  "(caseworker, recovery or benefits officer, manager)", login=account.login,
                           role=account.role)
    return account


def current(session: Session, party_id: int) -> tuple[FileCaseworker, Account] | None:
    """The file's caseworker today (no authorisation: callers have checked access to the file)."""
    row = session.execute(select(FileCaseworker, Account).join(Account, Account.id == FileCaseworker.account_id)
                          .where(FileCaseworker.party_id == party_id, FileCaseworker.valid_to.is_(None))
                          .order_by(FileCaseworker.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def assign(session: Session, who: Principal, party_id: int, account: str | int, today: dt.date,
           reason: str | None = None) -> FileCaseworker:
    """Make ``account`` the file's caseworker from ``today``; the previous one's assignment ends yesterday
    (or is replaced when it started today: a same-day correction)."""
    if who.role not in ASSIGNERS:
        raise authz.Forbidden("a manager assigns a file's caseworker")
    file_access(session, who, "file.read", party_id)
    party = session.get(Party, party_id)
    target = staff_account(session, account)
    if target.role in authz.TEAM_BOUND and party.team is not None and target.team != party.team:
        raise InvalidInput("account", "{login} works in team {team}; file {party} belongs to team {file_team}",
                           login=target.login, team=target.team or "—", party=party_id, file_team=party.team)
    reason = (reason or "").strip() or None
    if reason is not None and (len(reason) > 500 or "\x00" in reason):
        raise InvalidInput("reason", "at most 500 characters of plain text")
    now = current(session, party_id)
    if now is not None:
        row, holder = now
        if holder.id == target.id:
            raise Conflict("account", "{login} is already the caseworker of file {party}", login=target.login,
                           party=party_id)
        if row.valid_from >= today:  # assigned today (or ahead): a correction, the history keeps both rows
            row.valid_to = row.valid_from
        else:
            row.valid_to = today - dt.timedelta(days=1)
    new = FileCaseworker(party_id=party_id, account_id=target.id, valid_from=today, assigned_by=str(who),
                         reason=reason)
    session.add(new)
    session.flush()
    audit.record(session, who, "assign_caseworker", "file", party_id, party_id=party_id,
                 detail={"account": target.login, "previous": now[1].login if now else None}, reason=reason)
    return new


def history(session: Session, party_id: int) -> list[CaseworkerRow]:
    """Every caseworker the file had, the current one first (callers have checked access to the file)."""
    rows = session.execute(select(FileCaseworker, Account).join(Account, Account.id == FileCaseworker.account_id)
                           .where(FileCaseworker.party_id == party_id)
                           .order_by(FileCaseworker.valid_from.desc(), FileCaseworker.id.desc())).all()
    return [CaseworkerRow(a.id, a.login, display_name(a), a.team, a.phone, a.email, r.valid_from, r.valid_to,
                          r.assigned_by, r.reason) for r, a in rows]


def handlers(session: Session, team: str | None = None) -> list[Account]:
    """Enabled handler accounts (of a team, plus managers), for the desk's pick lists."""
    q = select(Account).where(Account.role.in_(HOLDERS), Account.disabled.is_(False))
    if team is not None:
        q = q.where((Account.team == team) | (Account.role == "manager"))
    return list(session.scalars(q.order_by(Account.login)))


def set_contact(session: Session, who: Principal, login: str, *, name: str | None = None, phone: str | None = None,
                email: str | None = None) -> Account:
    """How people reach a member of staff (shown on the portal home of the files they hold)."""
    authz.require(who, "account.manage")
    account = session.scalar(select(Account).where(Account.login == (login or "").strip().lower()))
    if account is None:
        raise NotFound("account", login)
    if account.role not in HOLDERS:
        raise InvalidInput("login", "{login} is not a member of staff handling files", login=login)
    for field, value, limit in (("name", name, 100), ("phone", phone, 40), ("email", email, 254)):
        if value is None:
            continue
        value = value.strip()
        if len(value) > limit or "\x00" in value:
            raise InvalidInput(field, "at most {limit} characters", limit=limit)
        if field == "email" and value and ("@" not in value or " " in value):
            raise InvalidInput("email", "an e-mail address looks like name@fund.be")
        setattr(account, {"name": "display_name"}.get(field, field), value or None)
    audit.record(session, who, "update", "account", account.id, detail={"contact": True})
    return account
