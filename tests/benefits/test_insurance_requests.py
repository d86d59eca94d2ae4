"""Assimilation for illness and continued insurance as stories: the fund learns an incapacity or a cessation, prepares
the request, the person sends it (or a caseworker files it), the fund checks it with what the legislation notes
give, forwards it (a CSV for INASTI, or a dated forwarding), records the institution's decision and tells the person
in their language at each step. Bad input names its field and writes nothing."""

from __future__ import annotations

import csv

import pytest
from helpers import contributions, d, quarters
from sqlalchemy import func, select, update
from test_benefit_events import messages_out

from caisse.benefits import events
from caisse.benefits import insurance_requests as ir
from caisse.benefits.models import InsuranceRequest
from caisse.cases.models import Case
from caisse.cases.service import work_queue
from caisse.errors import InvalidInput
from caisse.security.authz import Principal
from caisse.services.calendar import Quarter
from caisse.store.db import session_scope
from caisse.store.models import ExchangeMessage, Person

DESK = Principal.system("cli:benefits-officer")


def the(url, request_id) -> InsuranceRequest:
    with session_scope(url) as s:
        r = s.get(InsuranceRequest, request_id)
        s.expunge(r)
        return r


def file(url, person, kind, today, request_id=None, **facts):
    with session_scope(url) as s:
        return ir.file_request(s, DESK, person, kind, facts, d(today), request_id=request_id).id


def refused(url, person, kind, today, **facts) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as exc, session_scope(url) as s:
        ir.file_request(s, DESK, person, kind, facts, d(today))
    with session_scope(url) as s:  # nothing written
        assert s.scalar(select(func.count()).select_from(InsuranceRequest)
                        .where(InsuranceRequest.person_id == person, InsuranceRequest.status != "proposed")) == 0
    return exc.value.field, exc.value.message


def test_a_cessation_prepares_the_continued_insurance_marc_sends_it_and_inasti_grants_eight_quarters(
        db_url, fund, tmp_path):
    # Marc, main activity since 2015, stops on 15-2-2026; his contributions of 2025Q2–2026Q1 are paid.
    marc = fund.person(category="main", start=d("2015-01-01"), end=d("2026-02-15"), language="fr")
    contributions(db_url, marc, paid=quarters("2025Q2", "2026Q1"))
    with session_scope(db_url) as s:
        e, _ = events.record_event(s, DESK, marc, "cessation", d("2026-02-15"), d("2026-03-02"))
        request_id, case_id = e.detail["request_id"], e.case_id
    r = the(db_url, request_id)
    # prepared from the file: 8 quarters from the quarter after the cessation (legislation §9, addendum §9)
    assert (r.status, r.first_quarter, r.last_quarter, r.facts["cessation_date"]) == (
        "proposed", "2026Q2", "2028Q1", "2026-02-15")
    [invite] = messages_out(db_url, case_id)
    assert invite.startswith("Votre activité d'indépendant a cessé le 15/02/2026.")
    assert f"demande d'assurance continuée n° {request_id} (2026Q2–2028Q1)" in invite
    assert "Le pourcentage des cotisations et le délai pour la demander ne figurent pas" in invite

    # Marc sends it once his last quarter is paid, choosing pension only and confirming he has no other social status
    assert file(db_url, marc, "continued_insurance", "2026-04-02", request_id=request_id, cessation_date="2026-02-15",
                option="pension", no_other_status=True) == request_id
    r = the(db_url, request_id)
    assert (r.status, r.requested_on, r.institution) == ("requested", d("2026-04-02"), "INASTI")
    with session_scope(db_url) as s:
        case = s.get(Case, case_id)
        # the fund's month to forward it runs from the request (the case waited for Marc until then)
        assert (case.kind, case.status, case.deadline) == ("continued_insurance", "open", d("2026-05-02"))
    assert messages_out(db_url, case_id)[-1] == (
        f"Votre demande n° {request_id} (assurance continuée, trimestres 2026Q2–2028Q1) est enregistrée le "
        "02/04/2026. La caisse l'a vérifiée et la transmet à INASTI au plus tard le 02/05/2026. Option choisie : "
        "pension seule.")

    with session_scope(db_url) as s:  # in the staff's work queue with the fund's deadline to forward it
        [item] = [i for i in work_queue(s, DESK, d("2026-04-03")) if i.case.id == case_id]
        assert (item.case.kind, item.case.deadline, item.overdue) == ("continued_insurance", d("2026-05-02"), False)

    # the export for INASTI, documented in docs/formats/inasti-continued-insurance.md
    with session_scope(db_url) as s:
        path, n = ir.export_continued_insurance(s, DESK, d("2026-04-10"), tmp_path)
        niss = s.get(Person, marc).niss
    assert n == 1
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines(), delimiter=";"))
    assert rows == [{"format": "caisse-inasti-continued-insurance/1", "fund_kbo": rows[0]["fund_kbo"],
                     "request_id": str(request_id), "niss": niss, "last_name": f"Test{marc}", "first_name": "Ana",
                     "birth_date": "1980-01-01", "cessation_date": "2026-02-15", "first_quarter": "2026Q2",
                     "last_quarter": "2028Q1", "option": "pension", "extension": "N", "no_other_status": "Y",
                     "requested_on": "2026-04-02"}]
    with session_scope(db_url) as s:  # a rerun sends nothing again
        assert ir.export_continued_insurance(s, DESK, d("2026-04-11"), tmp_path) == (None, 0)
        assert s.scalar(select(func.count()).select_from(ExchangeMessage)) == 1
    r = the(db_url, request_id)
    assert (r.status, r.forwarded_on, r.export_id is not None) == ("forwarded", d("2026-04-10"), True)
    with session_scope(db_url) as s:  # the fund's part done: answered, never overdue while INASTI decides
        [item] = [i for i in work_queue(s, DESK, d("2026-06-01")) if i.case.id == case_id]
        assert (item.case.status, item.overdue) == ("answered", False)
    assert messages_out(db_url, case_id)[-1].startswith(
        f"Votre demande n° {request_id} (assurance continuée) a été transmise le 10/04/2026 à INASTI, qui décide.")

    # INASTI's decision, recorded: every quarter asked
    with session_scope(db_url) as s:
        ir.record_decision(s, DESK, request_id, d("2026-05-20"), outcome="granted", decided_on=d("2026-05-15"),
                           reference="RSVZ-CI-77")
    r = the(db_url, request_id)
    assert (r.status, r.granted_quarters) == ("granted", quarters("2026Q2", "2028Q1"))
    letter = messages_out(db_url, case_id)[-1]
    assert letter.startswith(f"Décision de INASTI du 15/05/2026 (référence RSVZ-CI-77) sur votre demande n° "
                             f"{request_id} (assurance continuée) : accordée pour les trimestres 2026Q2, 2026Q3")
    assert "tribunal du travail dans les trois mois" in letter
    with session_scope(db_url) as s:
        assert s.get(Case, case_id).status == "closed"


def test_an_incapacity_assimilation_forwarded_by_hand_and_refused_in_dutch(db_url, fund):
    eva = fund.person(category="main", start=d("2015-01-01"), language="nl")
    with session_scope(db_url) as s:
        e, _ = events.record_event(s, DESK, eva, "incapacity", d("2026-01-12"), d("2026-01-20"), source="mutuality")
        request_id = e.detail["request_id"]
        assert ir.prefill(s, eva, "illness_assimilation") == {"incapacity_start": "2026-01-12"}
    file(db_url, eva, "illness_assimilation", "2026-01-25", request_id=request_id, incapacity_start="2026-01-12",
         incapacity_end="2026-05-31")
    r = the(db_url, request_id)
    assert (r.status, r.first_quarter, r.last_quarter, r.institution) == ("requested", "2026Q1", "2026Q2", None)
    # who decides an assimilation is NOT FOUND in the notes: the caseworker names the institution when forwarding
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as exc:
            ir.forward(s, DESK, request_id, d("2026-02-01"))
        assert exc.value.field == "institution"
        ir.forward(s, DESK, request_id, d("2026-02-01"), institution="INASTI", on=d("2026-01-30"))
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as exc:  # a refusal needs its reasons
            ir.record_decision(s, DESK, request_id, d("2026-03-01"), outcome="refused", decided_on=d("2026-02-20"),
                               reference="R-1")
        assert exc.value.field == "reason"
        ir.record_decision(s, DESK, request_id, d("2026-03-01"), outcome="refused", decided_on=d("2026-02-20"),
                           reference="R-1", reason="geen medisch attest van het ziekenfonds")
    r = the(db_url, request_id)
    assert (r.status, r.granted_quarters, r.decision_reason) == ("refused", None,
                                                                 "geen medisch attest van het ziekenfonds")
    letter = messages_out(db_url, r.case_id)[-1]
    assert letter.startswith(f"Beslissing van INASTI van 20-02-2026 (referentie R-1) over uw aanvraag nr. {request_id} "
                             "(gelijkstelling wegens ziekte): geweigerd. Redenen: geen medisch attest")
    assert "arbeidsrechtbank binnen drie maanden" in letter


def test_the_extension_up_to_the_pension_only_when_it_starts_seven_years_before(db_url, fund):
    # Pol, born 10-1-1962: legal pension age 66, pension from 1-2-2028; he stops on 30-6-2025, less than 7 years
    # before: the continued insurance may run beyond its 8 quarters (2025Q3–2027Q2) up to the pension.
    pol = fund.person(category="main", start=d("1990-01-01"), end=d("2025-06-30"))
    with session_scope(db_url) as s:
        s.execute(update(Person).where(Person.id == pol).values(birth_date=d("1962-01-10")))
    contributions(db_url, pol, paid=quarters("2024Q3", "2025Q2"))
    rid = file(db_url, pol, "continued_insurance", "2025-07-10", option="pension_health", extension=True,
               no_other_status=True)
    assert (the(db_url, rid).first_quarter, the(db_url, rid).last_quarter) == ("2025Q3", "2028Q1")
    # the rule itself: a start more than 7 years before the pension leaves no extension
    assert ir.continued_insurance_quarters(d("2025-06-30"), d("2029-02-01"), False) == (Quarter(2025, 3),
                                                                                        Quarter(2027, 2))
    with pytest.raises(InvalidInput) as exc:
        ir.continued_insurance_quarters(d("2015-06-30"), d("2029-02-01"), True)
    assert exc.value.field == "extension"


def test_bad_requests_are_refused_with_their_field_and_nothing_written(db_url, fund):
    active = fund.person(category="main", start=d("2015-01-01"))
    later = fund.person(category="main", start=d("2015-01-01"), end=d("2026-09-30"))
    unpaid = fund.person(category="main", start=d("2015-01-01"), end=d("2026-02-15"))
    contributions(db_url, unpaid, paid=quarters("2025Q2", "2025Q4"), unpaid=["2026Q1"])
    ci = "continued_insurance"
    assert refused(db_url, active, ci, "2026-03-01", option="pension", no_other_status=True)[0] == "person"
    assert refused(db_url, later, ci, "2026-03-01", cessation_date="2026-09-30", option="pension",
                   no_other_status=True)[0] == "cessation_date"
    assert refused(db_url, unpaid, ci, "2026-03-01", option="pension")[0] == "no_other_status"
    assert refused(db_url, unpaid, ci, "2026-03-01", option="both", no_other_status=True)[0] == "option"
    assert refused(db_url, unpaid, ci, "2026-03-01", cessation_date="2026-01-31", option="pension",
                   no_other_status=True)[0] == "cessation_date"
    field, message = refused(db_url, unpaid, ci, "2026-03-01", option="pension", no_other_status=True)
    assert field == "contributions" and message.endswith("not paid so: 2026Q1")
    assert refused(db_url, 999, ci, "2026-03-01")[0] == "person"
    ia = "illness_assimilation"
    assert refused(db_url, active, ia, "2026-03-01", incapacity_start="2026-04-01")[0] == "incapacity_start"
    assert refused(db_url, active, ia, "2026-03-01", incapacity_start="2026-02-01",
                   incapacity_end="2026-01-01")[0] == "incapacity_end"
    assert refused(db_url, active, ia, "2026-03-01", incapacity_start="2010-02-01")[0] == "incapacity_start"
    assert refused(db_url, active, "pension", "2026-03-01")[0] == "kind"
    # a second request while the first is under way
    file(db_url, active, ia, "2026-03-01", incapacity_start="2026-02-01")
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as exc:
            ir.file_request(s, DESK, active, ia, {"incapacity_start": "2026-02-01"}, d("2026-03-02"))
        assert exc.value.field == "kind"


def test_marc_withdraws_his_request_it_is_closed_he_is_told_and_may_ask_again(db_url, fund, tmp_path):
    """Marc sent his continued-insurance request, then found a job: he withdraws it from the portal before the fund
    forwarded it. It is closed (no export to INASTI, nothing more to forward or decide), he is told in his language,
    the case is closed; his reason stays on the request, never in the audit log. He may ask again later."""
    from caisse.errors import Conflict
    from caisse.store.models import AuditLog

    marc = fund.person(category="main", start=d("2015-01-01"), end=d("2026-02-15"), language="nl")
    contributions(db_url, marc, paid=quarters("2025Q2", "2026Q1"))
    rid = file(db_url, marc, "continued_insurance", "2026-04-02", option="pension", no_other_status=True)
    me = Principal(login="marc", role="affiliate", account_id=77, party_id=marc)
    with session_scope(db_url) as s:
        r = ir.withdraw(s, me, rid, d("2026-04-05"), "ik heb werk gevonden bij Janssens")
        assert (r.status, r.withdrawn_on, r.withdrawn_by) == ("withdrawn", d("2026-04-05"), "marc")
    r = the(db_url, rid)
    assert r.withdrawal_reason == "ik heb werk gevonden bij Janssens"
    assert messages_out(db_url, r.case_id)[-1] == (
        f"Uw aanvraag nr. {rid} (voortgezette verzekering) is op 05-04-2026 ingetrokken, zoals u vroeg. Het fonds "
        "behandelt ze niet verder. U kunt later een nieuwe aanvraag indienen.")
    with session_scope(db_url) as s:
        assert s.get(Case, r.case_id).status == "closed"
        row = s.scalar(select(AuditLog).where(AuditLog.action == "withdraw", AuditLog.entity == "insurance_request")
            .order_by(AuditLog.id))
        assert row.detail == {"kind": "continued_insurance", "status_before": "requested", "reason_given": True}
        assert "Janssens" not in str([a.detail for a in s.scalars(select(AuditLog))])
        assert ir.export_continued_insurance(s, DESK, d("2026-04-10"), tmp_path) == (None, 0)
        with pytest.raises(Conflict) as exc:
            ir.withdraw(s, me, rid, d("2026-04-06"))
        assert exc.value.field == "request" and "withdrawn" in exc.value.message
        with pytest.raises(InvalidInput, match="not waiting to be forwarded"):
            ir.forward(s, DESK, rid, d("2026-04-06"))
    # a withdrawn request is no longer under way: he may ask again
    again = file(db_url, marc, "continued_insurance", "2026-04-20", option="pension_health", no_other_status=True)
    assert again != rid and the(db_url, again).status == "requested"


def test_staff_withdraw_a_forwarded_request_on_the_persons_word_and_keep_the_case_to_tell_the_institution(
        db_url, fund):
    eva = fund.person(category="main", start=d("2015-01-01"), language="de")
    rid = file(db_url, eva, "illness_assimilation", "2026-01-25", incapacity_start="2026-01-12")
    with session_scope(db_url) as s:
        ir.forward(s, DESK, rid, d("2026-01-30"), institution="INAMI")
    with session_scope(db_url) as s:  # staff say how the person asked
        with pytest.raises(InvalidInput) as exc:
            ir.withdraw(s, DESK, rid, d("2026-02-03"), "  ")
        assert exc.value.field == "reason"
    assert the(db_url, rid).status == "forwarded"  # nothing written
    with session_scope(db_url) as s:
        ir.withdraw(s, DESK, rid, d("2026-02-03"), "phone call of 3 February: back at work")
    r = the(db_url, rid)
    assert (r.status, r.withdrawn_on, r.forwarded_on) == ("withdrawn", d("2026-02-03"), d("2026-01-30"))
    assert messages_out(db_url, r.case_id)[-1].endswith(
        "Er war an INAMI weitergeleitet worden: Die Kasse teilt ihr Ihre Rücknahme mit.")
    with session_scope(db_url) as s:  # the institution still has to be told: the case stays in the work queue
        [item] = [i for i in work_queue(s, DESK, d("2026-02-04")) if i.case.id == r.case_id]
        assert item.case.status == "answered"
        from caisse.cases.models import CaseMessage

        note = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == r.case_id,
                                                        CaseMessage.direction == "internal")
                         .order_by(CaseMessage.id)).all()[-1]
        assert note.startswith(f"Request {rid} withdrawn on 2026-02-03 after it was forwarded to INAMI") and \
            "tell INAMI" in note


def test_a_decided_request_cannot_be_withdrawn(db_url, fund):
    from caisse.errors import Conflict

    eva = fund.person(category="main", start=d("2015-01-01"))
    rid = file(db_url, eva, "illness_assimilation", "2026-01-25", incapacity_start="2026-01-12",
               incapacity_end="2026-02-28")
    with session_scope(db_url) as s:
        ir.forward(s, DESK, rid, d("2026-01-30"), institution="INAMI")
        ir.record_decision(s, DESK, rid, d("2026-03-01"), outcome="granted", decided_on=d("2026-02-20"),
                           reference="G-1")
    with pytest.raises(Conflict) as exc, session_scope(db_url) as s:
        ir.withdraw(s, DESK, rid, d("2026-03-02"), "letter")
    assert "granted: only a request not decided yet can be withdrawn" in exc.value.message
    assert the(db_url, rid).status == "granted"


def test_a_request_is_read_only_by_its_person_their_accountant_or_a_caseworker_with_a_reason_and_every_read_is_audited(
        db_url, fund):
    """Eva's request (her file belongs to team t2): Bob, another affiliate, and his accountant are refused it — and
    refused the same way for an id that does not exist, so probing ids tells nothing; Sophie, a caseworker of team
    t1, is asked why she needs it until she states a reason. Each read that is allowed is audited with who read it
    and why; a claim of Eva's is guarded by the same check."""
    from caisse.benefits import service as benefits
    from caisse.security.authz import Forbidden, NeedToKnow
    from caisse.services import accounts
    from caisse.services import benefit_claims as claims
    from caisse.services.affiliation import declare_need_to_know
    from caisse.store.models import AuditLog, Party

    eva, bob = fund.person(), fund.person()
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id.in_([eva, bob])).values(team="t2"))
        request_id = ir.propose(s, DESK, eva, "illness_assimilation", d("2026-11-02"), d("2026-11-24"), "").id
        claim_id = benefits.file_claim(s, DESK, eva, "carer", {"start": d("2026-10-01"), "months": 1},
                                       d("2026-11-24")).id
        account, _ = accounts.create_account(s, Principal.system("setup"), "sophie@fund.test", "a long passphrase 42",
                                             "caseworker", team="t1")
        sophie = Principal(login="sophie@fund.test", role="caseworker", account_id=account.id, team="t1")
    eva_herself = Principal(login="eva", role="affiliate", party_id=eva)
    bob_himself = Principal(login="bob", role="affiliate", party_id=bob)
    bobs_accountant = Principal(login="acc", role="accountant", grants=frozenset({bob}))
    missing = request_id + 1000
    with session_scope(db_url) as s:
        for who, message in ((bob_himself, "this request is not of your files"),
                             (bobs_accountant, "no mandate for this request's file")):
            for rid in (request_id, missing):
                with pytest.raises(Forbidden) as exc:
                    ir.read(s, who, rid)
                assert str(exc.value) == message
        with pytest.raises(Forbidden) as exc:
            claims.get(s, bob_himself, claim_id)
        assert str(exc.value) == "this claim is not of your files"
        with pytest.raises(NeedToKnow) as asked:
            ir.read(s, sophie, request_id)
        assert (str(asked.value), asked.value.party_id) == (
            "this file belongs to another team: state why you need to open it", eva)
        with pytest.raises(NeedToKnow):
            claims.get(s, sophie, claim_id)
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "read")) == 0
    with session_scope(db_url) as s:
        assert ir.read(s, eva_herself, request_id).person_id == eva
        declare_need_to_know(s, sophie, eva, "Eva phoned about her incapacity", kind="contact")
        assert ir.read(s, sophie, request_id).id == request_id
    with session_scope(db_url) as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.entity == "insurance_request", AuditLog.action == "read")
                          .order_by(AuditLog.id)).all()
        assert [(r.actor, r.entity_id, r.party_id, r.reason) for r in reads] == [
            ("eva", str(request_id), eva, None),
            ("sophie@fund.test", str(request_id), eva, "contact: Eva phoned about her incapacity")]
