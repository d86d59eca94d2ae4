"""A debtor's bankruptcy (faillite / faillissement) and the trustee (curateur / curator):
``caisse recovery bankruptcy record / claim / dividend / close``.

* **record**: the judgment's date, the court (and its reference), the trustee (name, address, e-mail, language).
  While it is open the recovery batch leaves the debtor alone and no hand-over is made: individual enforcement
  gives way to the collective procedure, the claim goes to the trustee.
* **claim**: the declaration of claim (déclaration de créance) as a PDF in the trustee's language, with what the
  debtor owed on the day of the judgment — the ledger as booked up to that day, per period and kind
  (contributions, management fees, company contribution, surcharges, costs), a charge not yet due that day flagged.
  **Privileged or ordinary**: the legislation notes the fund works from (legislation.md, addendum 2026-11) do not
  say which part of a social insurance fund's claim is privileged, nor its rank; the declaration therefore lists
  the amounts by kind and says so, and the fund reserves the privileges the law grants. The amounts declared are
  recorded once on the bankruptcy (``claim_on``, ``claim_cents``, ``claim_lines``): asking again redraws the same.
* **dividend**: the trustee's payment, booked and imputed as any payment without designation
  (``ledger.receive_payment``, key ``bankruptcy/<id>/dividend/<reference>``).
* **close**: the procedure ended — the recovery file closed with reason ``insolvency`` and what is left of the
  declared claim (each item, capped at what was declared) proposed for write-off through four eyes
  (``services.approvals.request_write_off``, kind ``write_off``: executed at once up to the threshold, otherwise
  pending a manager). Debts arising after the judgment are not part of the claim and are left as they are.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.errors import Conflict, InvalidInput
from caisse.ledger import receive_payment
from caisse.ledger.models import RECEIVABLE
from caisse.ledger.queries import balances, pending_charges, split_not_yet_due
from caisse.recovery.models import RecoveryBankruptcy
from caisse.recovery.partners import EMAIL
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access, file_record
from caisse.store.models import Company, Person

KINDS = ("contribution", "management_fee", "company_contribution", "surcharge", "costs")
WRITE_OFF_RULE = "bankruptcy closed: declared claim not paid by the dividend"  # ledger_entry.rule: <= 100


def _text(value: str | None, name: str, limit: int, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(name, "required")
        return None
    if len(value) > limit or "\x00" in value:
        raise InvalidInput(name, f"at most {limit} characters of plain text")
    return value


def record(session: Session, who: Principal, party_id: int, declared_on: dt.date, court: str, trustee_name: str,
           trustee_address: str, trustee_language: str, today: dt.date, *, court_ref: str | None = None,
           trustee_email: str | None = None) -> RecoveryBankruptcy:
    file_access(session, who, "recovery.manage", party_id)
    if not isinstance(declared_on, dt.date):
        raise InvalidInput("declared_on", "the date of the bankruptcy judgment (YYYY-MM-DD)")
    if declared_on > today:
        raise InvalidInput("declared_on", f"{declared_on} is in the future")
    court = _text(court, "court", 200)
    court_ref = _text(court_ref, "court_ref", 60, required=False)
    trustee_name = _text(trustee_name, "trustee_name", 200)
    trustee_address = _text(trustee_address, "trustee_address", 500)
    if trustee_language not in ("fr", "nl", "de"):
        raise InvalidInput("trustee_language", "fr, nl or de (the language of the procedure)")
    trustee_email = (trustee_email or "").strip() or None
    if trustee_email is not None and (not EMAIL.match(trustee_email) or len(trustee_email) > 200):
        raise InvalidInput("trustee_email", f"not an e-mail address: {trustee_email!r}")
    if session.scalar(select(RecoveryBankruptcy.id).where(RecoveryBankruptcy.party_id == party_id,
                                                          RecoveryBankruptcy.status == "open")) is not None:
        raise InvalidInput("party_id", "a bankruptcy of this debtor is already open")
    b = RecoveryBankruptcy(party_id=party_id, declared_on=declared_on, court=court, court_ref=court_ref,
                           trustee_name=trustee_name, trustee_address=trustee_address, trustee_email=trustee_email,
                           trustee_language=trustee_language, status="open", dividend_cents=0, recorded_by=str(who))
    session.add(b)
    session.flush()
    audit.record(session, who, "create", "recovery_bankruptcy", b.id, party_id=party_id,
                 detail={"declared_on": declared_on.isoformat(), "court": court})
    return b


def get(session: Session, who: Principal, bankruptcy_id: int, action: str = "recovery.manage", *,
        audit_as: str | None = None, what: str | None = None) -> RecoveryBankruptcy:
    """The bankruptcy, once ``who`` may do ``action`` on the debtor's file (``affiliation.file_record``: the role
    first — an affiliate or accountant is refused alike whether the id exists or not —, then the file's team and
    need to know). With ``audit_as`` the access is audited there (``what`` was read, the need-to-know reason);
    without it the caller audits what it does."""
    return _of(session, who, bankruptcy_id, action, audit_as=audit_as, what=what)[0]


def _of(session: Session, who: Principal, bankruptcy_id: int, action: str, *, audit_as: str | None = None,
        what: str | None = None) -> tuple[RecoveryBankruptcy, str | None]:
    return file_record(session, who, RecoveryBankruptcy, bankruptcy_id, action, thing="bankruptcy",
                       owner="party_id", audit_as=audit_as, what=what)


def owed_on(session: Session, party_id: int, on: dt.date) -> list[dict]:
    """Every open item of the debtor as booked up to ``on``, the part not yet due that day apart."""
    rows = [b for b in balances(session, party_id=party_id, as_of=on, accounts=RECEIVABLE) if b.balance_cents > 0]
    rows = split_not_yet_due(rows, pending_charges(session, [party_id], on).get(party_id), on)
    order = {k: n for n, k in enumerate(KINDS)}
    rows.sort(key=lambda b: (b.period[:4], b.period, order.get(b.account, 9), b.not_yet_due))
    return [{"period": b.period, "account": b.account, "amount": b.balance_cents,
             "due_date": b.due_date.isoformat() if b.due_date else None, "not_yet_due": bool(b.not_yet_due)}
            for b in rows]


def _debtor(session: Session, party_id: int) -> tuple[str, str]:
    person = session.get(Person, party_id)
    if person is not None:
        return f"{person.first_name} {person.last_name}", person.niss
    company = session.get(Company, party_id)
    return (company.name, company.kbo) if company else (f"#{party_id}", "")


def claim(session: Session, who: Principal, bankruptcy_id: int, today: dt.date) -> bytes:
    """The declaration of claim (PDF). The amounts are fixed the first time and recorded on the bankruptcy; drawn
    again, the read is audited."""
    b, reason = _of(session, who, bankruptcy_id, "recovery.manage")
    if b.claim_lines is None:
        lines = owed_on(session, b.party_id, b.declared_on)
        if not lines:
            raise InvalidInput("party_id", f"nothing was owed on {b.declared_on}: no claim to declare")
        b.claim_lines, b.claim_cents, b.claim_on = lines, sum(ln["amount"] for ln in lines), today
        audit.record(session, who, "claim_declared", "recovery_bankruptcy", b.id, party_id=b.party_id,
                     reason=reason, detail={"claim_cents": b.claim_cents})
    else:  # drawn again: a read of the declaration
        audit.record(session, who, "read", "claim_declaration", b.id, party_id=b.party_id, reason=reason,
                     detail={"what": CLAIM_PDF})
    return declaration_pdf(session, b)


CLAIM_PDF = "declaration of claim (pdf)"


def declaration_pdf(session: Session, b: RecoveryBankruptcy) -> bytes:
    """The declaration of claim already made, as recorded (no access check: the callers')."""
    from caisse.documents.recovery_partners import claim_declaration

    by_kind = {k: sum(ln["amount"] for ln in b.claim_lines if ln["account"] == k) for k in KINDS}
    name, ident = _debtor(session, b.party_id)
    return claim_declaration(b, name, ident, list(b.claim_lines), by_kind, int(b.claim_cents), b.claim_on)


def dividend(session: Session, who: Principal, bankruptcy_id: int, amount_cents: int, on: dt.date, reference: str,
             today: dt.date):
    """The trustee's dividend: booked and imputed as the ledger imputes any payment (no designation)."""
    b = get(session, who, bankruptcy_id)
    if b.claim_lines is None:
        raise InvalidInput("bankruptcy", "declare the claim first (caisse recovery bankruptcy claim)")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidInput("amount", "a positive amount")
    if on > today or on < b.declared_on:
        raise InvalidInput("on", f"{on}: between the judgment ({b.declared_on}) and today")
    reference = _text(reference, "reference", 60)
    result = receive_payment(session, f"bankruptcy/{b.id}/dividend/{reference}", on, amount_cents, b.party_id,
                             reference=reference, counterparty={"trustee": b.trustee_name, "court": b.court})
    if result.receipt.created:
        b.dividend_cents += amount_cents
        audit.record(session, who, "dividend", "recovery_bankruptcy", b.id, party_id=b.party_id,
                     detail={"amount_cents": amount_cents, "reference": reference})
    return result


def close(session: Session, who: Principal, bankruptcy_id: int, on: dt.date, reason: str, today: dt.date,
          settings=None) -> list:
    """The procedure ended: the file closed (insolvency), the unpaid rest of the declared claim proposed for
    write-off (four eyes). Returns the approvals made."""
    from caisse.recovery.service import file_of, move
    from caisse.services import approvals

    b = get(session, who, bankruptcy_id)
    if b.status != "open":
        raise Conflict("status", f"this bankruptcy is already {b.status}")
    if b.claim_lines is None:
        raise InvalidInput("bankruptcy", "declare the claim first (caisse recovery bankruptcy claim)")
    if on > today or on < b.declared_on:
        raise InvalidInput("on", f"{on}: between the judgment ({b.declared_on}) and today")
    reason = _text(reason, "reason", 2000)
    b.status, b.closed_on = "closed", on
    f = file_of(session, b.party_id)
    if f is not None and f.stage not in ("closed", "plan"):
        move(session, who, b.party_id, "closed", f"bankruptcy {b.id} closed on {on}: {reason}", on,
             closing_reason="insolvency")
    declared: dict[tuple[str, str], int] = {}
    for ln in b.claim_lines:
        declared[(ln["account"], ln["period"])] = declared.get((ln["account"], ln["period"]), 0) + ln["amount"]
    now = {(x.account, x.period): x.balance_cents for x in balances(session, party_id=b.party_id, accounts=RECEIVABLE)}
    made = []
    for (account, period), amount in sorted(declared.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        left = min(amount, now.get((account, period), 0))
        if left > 0:
            made.append(approvals.request_write_off(
                session, who, b.party_id, account, period, left,
                WRITE_OFF_RULE, f"bankruptcy {b.id} ({b.court}, {b.declared_on}"
                f"{', ' + b.court_ref if b.court_ref else ''}) closed on {on}: {reason}", today, settings))
    audit.record(session, who, "close", "recovery_bankruptcy", b.id, party_id=b.party_id,
                 detail={"closed_on": on.isoformat(), "write_offs": [a.id for a in made]})
    return made
