"""The certificate of payment status on demand (docs/certificates.md): issued to the person, to an accountant or a
company's director holding a grant for the file, or by staff from the 360° file — as the affiliation certificate:
the file's access check first (a file outside the person's scope is refused before its existence is looked up),
the document audited. Each certificate issued is recorded (``paid_up_certificate``: reference, day, outcome, the
amounts and notes printed, the PDF's SHA-256) so the desk can confirm a copy is genuine (``confirm``).

Entry points: ``issue``, ``issued``, ``confirm``.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse import identifiers, references
from caisse.config import Settings
from caisse.documents.paid_up_certificate import PaidUpData, render
from caisse.documents.tax_certificate import addresses
from caisse.errors import Conflict, InvalidInput
from caisse.reporting.models import PaidUpCertificate
from caisse.reporting.paid_up import new_reference, normalise_reference, standing
from caisse.security import authz
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.store.models import Affiliation, Company, Party, Person

LANGUAGES = ("fr", "nl", "de")


def can_issue(session: Session, party_id: int) -> bool:
    """A person once affiliated (affiliated or ceased), or a company: the files a certificate can be issued for."""
    party = session.get(Party, party_id)
    if party is None:
        return False
    if party.kind != "person":
        return True
    return session.scalar(select(Affiliation.id).where(Affiliation.person_id == party_id, Affiliation.status.in_(
        ("affiliated", "ceased"))).limit(1)) is not None


def issue(session: Session, who: Principal, party_id: int, today: dt.date, settings: Settings, *,
          language: str | None = None, reason: str | None = None) -> tuple[PaidUpCertificate, bytes]:
    """The certificate of ``party_id`` as of ``today``, in ``language`` (default: the file's), recorded and
    audited; returns the record and the PDF."""
    reason = file_access(session, who, "file.read", party_id, reason)
    if who.role == "auditor":  # reads files; a document issued for the person is the person's or a handler's act
        raise authz.Forbidden("an auditor reads files but issues no certificate")
    if language and language not in LANGUAGES:
        raise InvalidInput("language", "one of fr, nl, de")
    party = session.get(Party, party_id)
    if not can_issue(session, party_id):
        raise Conflict("party_id", "file {file} has no affiliation yet: there is nothing to certify", file=party_id)
    lang = language or party.language
    niss = kbo = None
    if party.kind == "person":
        niss = identifiers.mask_niss(session.get(Person, party_id).niss)
    else:
        kbo = identifiers.format_kbo(session.get(Company, party_id).kbo)
    name, address = addresses(session, [party_id])[party_id]
    st = standing(session, party_id, today)
    reference = new_reference(session, today)
    communication = None if st.in_order else references.for_statement(party_id, today.year).ogm
    digits = "".join(ch for ch in communication if ch.isdigit()) if communication else None
    pdf = render(PaidUpData(
        fund_name=settings.fund_name, fund_kbo=identifiers.format_kbo(settings.fund_kbo), fund_iban=settings.fund_iban,
        fund_bic=settings.fund_bic, fund_phone=settings.fund_phone, fund_email=settings.fund_email, language=lang,
        reference=reference, issued_on=today, due_until=st.due_until, file_number=party_id, name=name, niss_masked=niss,
        kbo=kbo, address_lines=address, lines=st.lines, total_cents=st.total, communication=digits, notes=st.notes))
    row = PaidUpCertificate(reference=reference, party_id=party_id, issued_on=today, language=lang,
                            outcome="in_order" if st.in_order else "arrears", due_cents=st.total,
                            lines=[line.to_json() for line in st.lines], notes=st.notes, communication=digits,
                            sha256=hashlib.sha256(pdf).hexdigest(), issued_by=str(who)[:100])
    session.add(row)
    session.flush()
    audit.record(session, who, "document", "paid_up_certificate", row.id, party_id=party_id, reason=reason,
                 detail={"reference": reference, "outcome": row.outcome, "due_cents": st.total})
    return row, pdf


def issued(session: Session, party_id: int) -> list[PaidUpCertificate]:
    """The certificates issued for a file, newest first (the caller checked access and audits the read)."""
    return list(session.scalars(select(PaidUpCertificate).where(PaidUpCertificate.party_id == party_id)
                                .order_by(PaidUpCertificate.id.desc())))


def confirm(session: Session, who: Principal, reference: str) -> PaidUpCertificate | None:
    """The certificate the fund issued under ``reference`` (typed as read on a copy), or None when the fund issued
    none: staff only, the file's access check (another team's file: need to know) before anything is shown, the read
    audited."""
    authz.require(who, "file.read")
    if not who.is_staff:
        raise authz.Forbidden("only the fund's staff confirm a certificate")
    ref = normalise_reference(reference)
    row = session.scalar(select(PaidUpCertificate).where(PaidUpCertificate.reference == ref))
    if row is None:
        audit.record(session, who, "read", "paid_up_certificate", None, detail={"reference": ref, "found": False})
        return None
    reason = file_access(session, who, "file.read", row.party_id)
    audit.record(session, who, "read", "paid_up_certificate", row.id, party_id=row.party_id, reason=reason,
                 detail={"reference": ref, "what": "confirmation of a certificate by its reference"})
    return row


__all__ = ["LANGUAGES", "can_issue", "confirm", "issue", "issued"]
