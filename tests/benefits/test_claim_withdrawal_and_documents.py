"""A person withdraws a claim not decided yet (the deadline is no longer followed, they are told in their language);
documents are added to a claim, recognised from their bytes; a document the fund asks for suspends the Charter's
decision deadline (art. 10) until it arrives, and only then."""

from __future__ import annotations

import pytest
from helpers import contributions, d, quarters
from sqlalchemy import select

from caisse.benefits import attachments, service
from caisse.benefits.models import BenefitClaim, ClaimStep
from caisse.cases.models import Case, CaseMessage
from caisse.config import get_settings
from caisse.errors import Conflict, InvalidInput
from caisse.security.authz import Principal
from caisse.services import benefit_claims
from caisse.store.db import session_scope
from caisse.store.models import AuditLog

DESK = Principal.system("cli:benefits-officer")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20 + b"\xff\xd9"


def carer_claim(db_url, fund, received="2026-03-10", start="2026-04-01", language="de"):
    ana = fund.person(category="main", start=d("2015-01-01"), language=language)
    contributions(db_url, ana, paid=quarters("2023Q3", "2026Q1"))
    with session_scope(db_url) as s:
        return ana, service.file_claim(s, DESK, ana, "carer", {"start": d(start), "months": 1}, d(received)).id


def steps_of(s, cid):
    return [st.step for st in s.scalars(select(ClaimStep).where(ClaimStep.claim_id == cid).order_by(ClaimStep.id))]


def test_a_withdrawn_claim_is_closed_undecided_confirmed_in_the_persons_language_and_no_longer_followed(db_url,
                                                                                                       fund):
    ana, cid = carer_claim(db_url, fund)
    person = Principal(login="ana", role="affiliate", party_id=ana)
    with session_scope(db_url) as s:
        c = service.withdraw(s, person, cid, d("2026-03-20"), "  ich habe  eine andere Lösung ")
        assert (c.status, c.outcome, c.withdrawn_on, c.closed_on) == ("closed", None, d("2026-03-20"), d("2026-03-20"))
    with session_scope(db_url) as s:
        [step] = s.scalars(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "withdrawn"))
        assert (step.happened_on, step.actor, step.detail["reason_given"]) == (d("2026-03-20"), "ana", True)
        # the reason (a free text) stays on the claim, which the retention can pseudonymise: not in the steps
        assert s.get(BenefitClaim, cid).withdrawal_reason == "ich habe eine andere Lösung"
        assert s.scalar(select(AuditLog).where(AuditLog.action == "withdrawn", AuditLog.entity_id == str(cid))
            .order_by(AuditLog.id))
        case = s.get(Case, s.get(BenefitClaim, cid).case_id)
        assert case.status == "closed"
        last = s.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)).all()[-1]
        assert last.direction == "out" and f"Ihr Antrag Nr. {cid}" in last.body and "zurückgezogen" in last.body
        # four months later nothing is overdue: the deadline of a withdrawn claim is not followed
        done = service.follow_up(s, DESK, d("2026-08-01"))
        assert done["decision_late"] == 0 and "decision_late" not in steps_of(s, cid)
        with pytest.raises(Conflict, match="only a claim not decided yet"):
            service.withdraw(s, DESK, cid, d("2026-03-21"))


def test_a_decided_claim_cannot_be_withdrawn(db_url, fund):
    ana, cid = carer_claim(db_url, fund, received="2024-05-15", start="2024-06-01")
    with session_scope(db_url) as s:
        assert service.decide(s, DESK, cid, d("2024-05-20")).outcome == "granted"
    with session_scope(db_url) as s:
        with pytest.raises(Conflict, match="granted"):
            service.withdraw(s, DESK, cid, d("2024-05-21"))
        assert s.get(BenefitClaim, cid).withdrawn_on is None


def test_a_document_is_recognised_by_its_content_not_its_name(db_url, fund, monkeypatch):
    ana, cid = carer_claim(db_url, fund)
    with session_scope(db_url) as s:
        a = attachments.add(s, DESK, cid, "C:\\scans\\certificat.jpg", PDF, d("2026-03-12"))
        b = attachments.add(s, DESK, cid, "photo.pdf", JPEG, d("2026-03-12"))
        assert (a.content_type, a.filename, b.content_type) == ("application/pdf", "certificat.jpg", "image/jpeg")
        with pytest.raises(InvalidInput) as bad:
            attachments.add(s, DESK, cid, "certificate.pdf", b"<html>not a pdf</html>", d("2026-03-12"))
        assert bad.value.field == "file"
        with pytest.raises(Conflict, match="already added"):
            attachments.add(s, DESK, cid, "again.pdf", PDF, d("2026-03-13"))
        monkeypatch.setenv("CAISSE_UPLOAD_MAX_BYTES", "40")
        get_settings.cache_clear()
        with pytest.raises(InvalidInput, match="too large"):
            attachments.add(s, DESK, cid, "big.pdf", PDF.replace(b"<<>>", b"<< /A 1 >>"), d("2026-03-13"))
    with session_scope(db_url) as s:
        assert [x.size for x in attachments.of_claim(s, cid)] == [len(PDF), len(JPEG)]
        assert steps_of(s, cid).count("document_added") == 2


def test_a_document_asked_suspends_the_decision_deadline_until_it_arrives(db_url, fund):
    ana, cid = carer_claim(db_url, fund, received="2026-03-10")
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).decision_due == d("2026-07-10")  # Charter art. 10: 4 months
        attachments.request_document(s, DESK, cid, "the medical certificate", d("2026-04-01"))
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.waiting_for, c.waiting_since) == ("the medical certificate", d("2026-04-01"))
        case = s.get(Case, c.case_id)
        assert case.status == "waiting_for_person"
        asked = s.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id).order_by(CaseMessage.id)).all()[-1]
        assert "the medical certificate" in asked.body and "Entscheidungsfrist" in asked.body  # in German
        with pytest.raises(Conflict, match="already waits"):
            attachments.request_document(s, DESK, cid, "another one", d("2026-04-02"))
        # past the deadline but suspended: not overdue, and the desk shows the deadline moving with the wait
        assert service.follow_up(s, DESK, d("2026-07-20"))["decision_late"] == 0
        [row] = [r for r in benefit_claims.desk_list(s, DESK, d("2026-07-20")) if r.claim.id == cid]
        assert (row.deadline, row.overdue) == (d("2026-10-28"), False)  # 100 days were left on 1-4
    with session_scope(db_url) as s:
        person = Principal(login="ana", role="affiliate", party_id=ana)
        att = attachments.add(s, person, cid, "attest.pdf", PDF, d("2026-08-05"))
        assert att.answers == "the medical certificate"
        c = s.get(BenefitClaim, cid)
        # 126 days waited (1-4 to 5-8): the deadline moves from 10-7 to 13-11-2026
        assert (c.decision_due, c.waiting_for, c.waiting_since) == (d("2026-11-13"), None, None)
        [step] = s.scalars(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "document_received"))
        assert step.detail["suspended_days"] == 126 and step.detail["decision_due_before"] == "2026-07-10"
        assert s.get(Case, c.case_id).status == "open"
        assert service.follow_up(s, DESK, d("2026-11-13"))["decision_late"] == 0
        assert service.follow_up(s, DESK, d("2026-11-14"))["decision_late"] == 1


def test_a_document_asked_after_the_deadline_suspends_nothing_and_one_added_unasked_neither(db_url, fund):
    ana, cid = carer_claim(db_url, fund, received="2026-03-10")
    with session_scope(db_url) as s:
        attachments.add(s, DESK, cid, "spontaneous.pdf", PDF, d("2026-03-20"))
        assert s.get(BenefitClaim, cid).decision_due == d("2026-07-10")  # nothing asked: nothing suspended
        c = attachments.request_document(s, DESK, cid, "the certificate", d("2026-07-15"))
        assert c.decision_due == d("2026-07-10")
        assert service.follow_up(s, DESK, d("2026-07-16"))["decision_late"] == 1  # the deadline had passed
        c = attachments.document_received(s, DESK, cid, d("2026-07-30"))  # it came by post
        assert c.decision_due == d("2026-07-10") and c.waiting_for is None
        [step] = s.scalars(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "document_received"))
        assert step.detail["suspended_days"] == 0 and step.detail["attachment"] is None
        with pytest.raises(Conflict, match="waits for no document"):
            attachments.document_received(s, DESK, cid, d("2026-07-31"))
        with pytest.raises(InvalidInput) as empty:
            attachments.request_document(s, DESK, cid, "   ", d("2026-07-31"))
        assert empty.value.field == "what"
