"""The demo logins (password = login). They exist only in a demo fund: they are flagged ``demo``, login refuses
them unless the server runs in demo mode, and ``caisse serve`` refuses to start on a database that has any."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.security.authz import Principal
from caisse.services import accounts
from caisse.store.models import Affiliation, CategoryPeriod, Mandate, Party

DEMO_LOGINS = ("demo-affiliate", "demo-starter", "demo-director", "demo-accountant", "demo-caseworker",
               "demo-recovery", "demo-benefits", "demo-manager", "demo-auditor")


def create_demo_accounts(session: Session, today: dt.date) -> list[tuple[str, str]]:
    """Create the demo logins on suitable files of the demo fund; returns (login, what it shows)."""
    system = Principal.system("demo")
    main = (select(Affiliation.person_id, Party.team).join(CategoryPeriod, CategoryPeriod.affiliation_id ==
                                                           Affiliation.id)
            .join(Party, Party.id == Affiliation.person_id)
            .where(Affiliation.status == "affiliated", CategoryPeriod.category == "main",
                   CategoryPeriod.valid_to.is_(None)))
    established = session.execute(main.where(Affiliation.start_date < dt.date(today.year - 4, 1, 1))
                                  .order_by(Affiliation.person_id).limit(1)).first()
    starter = session.execute(main.where(Affiliation.start_date >= dt.date(today.year - 1, 1, 1))
                              .order_by(Affiliation.person_id).limit(1)).first()
    mandate = session.execute(select(Mandate.person_id, Mandate.company_id).order_by(Mandate.id).limit(1)).first()
    team = established.team if established else None
    clients = session.scalars(select(Party.id).where(Party.kind == "person", Party.team == team)
                              .order_by(Party.id).limit(6)).all()
    made: list[tuple[str, str]] = []

    def add(login: str, role: str, what: str, **kw) -> int:
        account, _ = accounts.create_account(session, system, login, login, role, demo=True, **kw)
        made.append((login, what))
        return account.id

    if established:
        add("demo-affiliate", "affiliate", f"self-employed in main activity, file {established.person_id}",
            party_id=established.person_id)
    if starter:
        add("demo-starter", "affiliate", f"a starter, file {starter.person_id}", party_id=starter.person_id)
    if mandate:
        acc = add("demo-director", "affiliate", f"director of company file {mandate.company_id}",
                  party_id=mandate.person_id)
        accounts.grant_access(session, system, acc, mandate.company_id, "director", today)
    acc = add("demo-accountant", "accountant", f"accountant with mandates for {len(clients)} files")
    for pid in clients:
        accounts.grant_access(session, system, acc, pid, "mandate", today)
    caseworker = add("demo-caseworker", "caseworker", f"caseworker, team {team}, named caseworker of its files",
                     team=team)
    _name_the_caseworker(session, caseworker, team, today, established.person_id if established else None)
    add("demo-recovery", "recovery_officer", f"recovery officer, team {team}", team=team)
    add("demo-benefits", "benefits_officer", f"benefits officer, team {team} (/desk/benefits)", team=team)
    add("demo-manager", "manager", "manager (all files, dashboards)")
    add("demo-auditor", "auditor", "auditor (reads files and the audit log)")
    return made


DEMO_CASEWORKER = {"display_name": "Sophie Lambert (démo)", "phone": "+32 2 555 01 01",
                   "email": "sophie.lambert@demo.invalid"}


def _name_the_caseworker(session: Session, account_id: int, team: str | None, today: dt.date,
                         affiliate: int | None) -> None:
    """The demo caseworker is the named caseworker of every file of their team (one set-based insert), with a
    phone note on the demo affiliate's file so the 360° file shows one."""
    from sqlalchemy import insert, literal, update

    from caisse.cases.models import ContactNote
    from caisse.store.models import Account, FileCaseworker

    session.execute(update(Account).where(Account.id == account_id).values(**DEMO_CASEWORKER))
    if team is None:
        return
    session.execute(insert(FileCaseworker).from_select(
        ["party_id", "account_id", "valid_from", "assigned_by", "created_at"],
        select(Party.id, literal(account_id), literal(today), literal("demo"),
               literal(dt.datetime.now(dt.UTC).replace(tzinfo=None))).where(Party.team == team)))
    if affiliate is not None:
        session.add(ContactNote(party_id=affiliate, channel="phone", direction="in", happened_on=today,
                                author="demo-caseworker", account_id=account_id,
                                summary="Asked when the next quarter is due; explained the due date and the QR code."))
