"""A decision carries what the Charter of the social insured requires (art. 14: the appeal to the labour court and
its address, the deadline, arts. 728 and 1017 Judicial Code, the file reference, the service to ask) in the
person's language, with the legal grounds translated; a benefit paid wrongly is claimed back by a motivated
decision, posted as a debt on its own account and, once a caseworker decides the amount (the legal limit is not in
the notes), set off against the next benefit; a benefit paid after the Charter's deadline is
flagged with the interest period, the interest itself not computed while the fund entered no rate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from helpers import contributions, d, iban, quarters
from pypdf import PdfReader
from sqlalchemy import func, select

from caisse import references
from caisse.benefits import service, undue
from caisse.benefits.models import BenefitClaim, ClaimStep, UndueBenefit
from caisse.cases.models import Case, CaseMessage
from caisse.collection.credit_transfers import export_credit_transfers
from caisse.documents.benefit_decisions import decision_pdf, undue_pdf
from caisse.errors import Conflict, InvalidInput
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from caisse.store.models import AuditLog

DESK = Principal.system("cli:benefits-officer")
CASEWORKER = Principal.system("cli:benefits-caseworker")


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def granted_carer(db_url, fund, language="nl"):
    """Bram, main activity, his quarters paid, 2 months of carer leave from 1-6-2024 (2 × 1,638.26 [S204]),
    paid by credit transfer on 24-5-2024."""
    bram = fund.person(category="main", start=d("2015-01-01"), language=language)
    iban(db_url, bram)
    contributions(db_url, bram, paid=quarters("2023Q3", "2024Q3"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, bram, "carer", {"start": d("2024-06-01"), "months": 2}, d("2024-05-15")).id
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d("2024-05-20"))
        assert (c.outcome, c.amount_cents) == ("granted", 327_652)
    export_credit_transfers(db_url, d("2024-05-24"))
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-05-31"))
        assert s.get(BenefitClaim, cid).paid_on == d("2024-05-24")
    return bram, cid


def test_a_dutch_decision_pdf_carries_the_dutch_legal_grounds_and_the_charter_mentions(db_url, fund):
    bram, cid = granted_carer(db_url, fund)
    with session_scope(db_url) as s:
        text = text_of(decision_pdf(s, cid))
    assert "Beslissing tot toekenning — mantelzorguitkering" in text
    assert "(mantelzorguitkering, wetgeving §8.5 [S53])" in text  # the legal ground, in Dutch
    assert "Handvest van de sociaal verzekerde (wet van 11-4-1995), art. 23" in text
    # no legal ground left in French (the titles of the sources cited stay as published)
    assert "allocation d'aidant proche, legislation" not in text and "Charte de l'assuré" not in text
    assert "— allocation d'aidant proche —" not in text  # the parameters' law, translated
    assert "Uw rechten (Handvest van de sociaal verzekerde, art. 14)" in text
    assert "bevoegde arbeidsrechtbank" in text and "binnen 3 maanden" in text  # appeal, its court, its deadline
    assert "Bevoegde rechtbank: Testarbeidsrechtbank, Rue du Test 1, 1000 Bruxelles." in text  # its address
    assert "Artikel 728 van het Gerechtelijk Wetboek: [testtekst, art. 728]" in text
    assert "Artikel 1017 van het Gerechtelijk Wetboek: [testtekst, art. 1017]" in text
    assert f"dossier {bram}, aanvraag nr. {cid}" in text  # the file references
    assert "dienst uitkeringen van het fonds" in text and "recht op inzage" in text  # who explains; consult the file
    assert "beroepstermijn begint dus niet te lopen" not in text  # nothing missing
    # full interruption for 2 months only: no dispensation (3 consecutive months needed, addendum §8.5)
    assert "Geen vrijstelling van bijdragen: die vereist 3 opeenvolgende maanden volledige onderbreking" in text


def test_without_the_courts_address_a_refusal_says_so_and_its_appeal_period_does_not_run(db_url, fund,
                                                                                          shipped_charter):
    dora = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, dora, paid=["2024Q1"], unpaid=["2023Q4"])
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, dora, "carer", {"start": d("2024-06-01"), "months": 1}, d("2024-05-15")).id
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d("2024-05-20"))
        assert c.outcome == "refused"
        assert c.decision["charter"]["missing"] == ["court_address", "judicial_code_728", "judicial_code_1017"]
        text = text_of(decision_pdf(s, cid))
    assert "Adresse du tribunal du travail compétent : pas encore reprise par la caisse" in text
    assert "le délai de recours ne commence donc pas à courir" in text
    with session_scope(db_url) as s:  # a year later: still not closed as if the 3 months had run
        done = service.follow_up(s, DESK, d("2025-06-01"))
        assert (done["closed_refused"], done["appeal_not_started"]) == (0, 1)
        assert s.get(BenefitClaim, cid).status == "refused"


def bereavement(s, bram) -> int:
    """September: his wife dies; 10 days of bereavement leave, 10 × 101.50 = 1,015.00 [S125]."""
    return service.file_claim(s, DESK, bram, "bereavement", {"death_date": d("2024-09-20"), "start": d("2024-09-23"),
                                                              "end": d("2024-10-04"), "days": 10}, d("2024-10-01")).id


def test_an_undue_payment_is_claimed_back_and_a_caseworker_sets_it_off_against_the_next_benefit(db_url, fund):
    bram, carer = granted_carer(db_url, fund)
    # in July he worked half-time: only half the month was due (819.13 of 1,638.26)
    with session_scope(db_url) as s:
        u = undue.claim_back(s, DESK, carer, 81_913, "amount", "In juli werkte u halftijds verder.", d("2024-08-20"))
        uid, case_id = u.id, u.case_id
        assert (u.due_date, u.period, u.status) == (d("2024-09-19"), "2024Q3", "open")  # 30 days: fund policy
        assert u.decision["paid_cents"] == 327_652 and u.decision["due_cents"] == 245_739
        # its own structured communication: the person's first recovery decision (kind 7)
        assert u.decision["communication"] == references.for_undue(bram, 1).ogm
        assert u.decision["prescription"] == {"parameter": "undue_benefit_prescription_years", "years": None,
                                              "status": "unknown"}
        debt = s.scalars(select(LedgerEntry).join(LedgerTransaction).where(
            LedgerTransaction.key == f"benefit/undue/{uid}")).all()
        # its own receivable, one item per decision — not the contribution debtor's ``costs``
        assert sorted((e.account, e.amount_cents, e.parameter) for e in debt) == [
            ("benefit_expense", -81_913, f"benefit_claim:{carer}"),
            ("benefit_undue", 81_913, f"benefit_undue:{uid}")]
        text = text_of(undue_pdf(s, uid))
        [told] = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id,
                                                          CaseMessage.direction == "out"))
    assert told.startswith(f"Beslissing tot terugvordering nr. {uid}: € 819,13 mantelzorguitkering onverschuldigd "
                           "betaald.")
    assert "Beslissing tot terugvordering van een onverschuldigd betaalde uitkering — mantelzorguitkering" in text
    assert "Vaststelling: In juli werkte u halftijds verder." in text
    assert "Miskende bepaling: het betaalde bedrag was hoger dan het volgens de berekeningsregels verschuldigde " \
           "bedrag (mantelzorguitkering, wetgeving §8.5 [S53])." in text
    assert "Betaald op 24-05-2024" in text and "Verschuldigd:" in text and "Onverschuldigd:" in text
    assert f"gestructureerde mededeling {references.for_undue(bram, 1).ogm}" in text
    assert "door een dossierbeheerder beslist" in text  # no automatic set-off is announced
    assert "Handvest van de sociaal verzekerde (wet van 11-4-1995), art. 23" in text and "binnen 3 maanden" in text
    assert "[test: verjaringstermijn]" in text and "[test: verzaking]" in text  # art. 14: recovery mentions
    assert "afbetalingsplan" in text and f"terugvordering nr. {uid}" in text

    # The bereavement benefit of 1,015.00 is granted. The law limits what may be withheld from it, but the limit is
    # not in the notes: nothing is withheld automatically, a caseworker task proposes the set-off and the payment
    # waits for the caseworker's decision.
    with session_scope(db_url) as s:
        later = bereavement(s, bram)
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, later, d("2024-10-02"))
        assert (c.outcome, c.amount_cents, c.status) == ("granted", 101_500, "granted")
        proposal = c.decision["set_off"]
        assert (proposal["pending"], proposal["proposed_cents"], proposal["owed"], proposal["limit"]) == (
            True, 81_913, {str(uid): 81_913}, "unknown")
        task = s.get(Case, proposal["case"])
        assert task.subject == f"Set-off to decide — claim {later}" and task.party_id == bram
        body = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == task.id)
                         .order_by(CaseMessage.id)).first()
        assert "Proposed set-off: withhold €819.13, transfer €195.87." in body
        assert f"- undue {uid} (claim {carer}, decided 2024-08-20): €819.13" in body
        assert "undue_benefit_set_off_limit" in body
        assert s.scalar(select(LedgerTransaction.id).where(LedgerTransaction.key == c.ledger_key)) is None
        assert s.get(UndueBenefit, uid).status == "open" and undue.open_undue(s, bram)[0][1] == 81_913
        assert "set_off_proposed" in [st.step for st in s.scalars(select(ClaimStep).where(
            ClaimStep.claim_id == later))]
    assert export_credit_transfers(db_url, d("2024-10-03")).count == 0  # waits for the caseworker

    # The caseworker decides to withhold the whole 819.13; the rest, 195.87, is transferred.
    with session_scope(db_url) as s:
        assert undue.decide_set_off(s, CASEWORKER, later, 81_913, d("2024-10-03")) == {uid: 81_913}
        c = s.get(BenefitClaim, later)
        assert c.decision["set_off"] == {"withheld": {str(uid): 81_913}, "paid_cents": 19_587,
                                         "decided_by": str(CASEWORKER), "limit": "unknown"}
        assert s.get(UndueBenefit, uid).status == "recovered"
        messages = list(s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id,
                                                                 CaseMessage.direction == "out")
                                  .order_by(CaseMessage.id)))
        assert messages[-1] == (f"Op uw aanvraag nr. {later} (rouwuitkering, € 1.015,00) houdt het fonds € 819,13 "
                                f"in voor terugvordering nr. {uid}; nog betaald: € 195,87.")
        [audited] = s.scalars(select(AuditLog).where(AuditLog.action == "decide_set_off"))
        assert (audited.entity_id, audited.detail["withhold_cents"], audited.detail["limit"]) == (
            str(later), 81_913, "unknown")
        with pytest.raises(Conflict):  # decided once: the payment is ordered
            undue.decide_set_off(s, CASEWORKER, later, 0, d("2024-10-03"))
    run = export_credit_transfers(db_url, d("2024-10-04"))
    assert (run.count, run.total_cents) == (1, 19_587)
    with session_scope(db_url) as s:
        assert s.scalar(select(func.sum(LedgerEntry.amount_cents)).where(
            LedgerEntry.party_id == bram, LedgerEntry.account == "benefit_undue")) == 0  # the undue debt is settled
        assert run_check(s).ok
        assert [st.step for st in s.scalars(select(ClaimStep).where(ClaimStep.claim_id == later)
                                            .order_by(ClaimStep.id))][-2:] == ["payment_ordered", "set_off"]


def test_a_set_off_the_caseworker_sets_to_the_whole_benefit_settles_it_at_once(db_url, fund):
    bram, carer = granted_carer(db_url, fund, language="fr")
    with session_scope(db_url) as s:
        uid = undue.claim_back(s, DESK, carer, 163_826, "activity", "Activité reprise en juillet.", d("2024-08-20")).id
        later = bereavement(s, bram)
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, later, d("2024-10-02"))
        assert c.decision["set_off"]["proposed_cents"] == 101_500  # never more than the benefit
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as exc:  # more than the benefit
            undue.decide_set_off(s, CASEWORKER, later, 101_501, d("2024-10-02"))
        assert exc.value.field == "withhold"
        with pytest.raises(InvalidInput) as exc:
            undue.decide_set_off(s, CASEWORKER, later, -1, d("2024-10-02"))
        assert exc.value.field == "withhold"
    with session_scope(db_url) as s:
        undue.decide_set_off(s, CASEWORKER, later, 101_500, d("2024-10-02"))
        c = s.get(BenefitClaim, later)
        assert (c.status, c.paid_on) == ("closed", d("2024-10-02"))
        assert c.decision["set_off"]["withheld"] == {str(uid): 101_500} and c.decision["set_off"]["paid_cents"] == 0
        assert s.get(UndueBenefit, uid).status == "open"  # 623.26 still owed
        assert undue.open_undue(s, bram)[0][1] == 62_326
    assert export_credit_transfers(db_url, d("2024-10-04")).count == 0


def test_a_caseworker_may_withhold_nothing_and_the_benefit_is_paid_whole(db_url, fund):
    bram, carer = granted_carer(db_url, fund, language="fr")
    with session_scope(db_url) as s:
        uid = undue.claim_back(s, DESK, carer, 81_913, "amount", "Mi-temps en juillet.", d("2024-08-20")).id
        later = bereavement(s, bram)
    with session_scope(db_url) as s:
        service.decide(s, DESK, later, d("2024-10-02"))
    with session_scope(db_url) as s:
        assert undue.decide_set_off(s, CASEWORKER, later, 0, d("2024-10-02")) == {}
        assert s.get(BenefitClaim, later).decision["set_off"]["paid_cents"] == 101_500
        assert undue.open_undue(s, bram)[0][1] == 81_913 and s.get(UndueBenefit, uid).status == "open"
    run = export_credit_transfers(db_url, d("2024-10-04"))
    assert (run.count, run.total_cents) == (1, 101_500)


def test_claiming_back_is_refused_when_nothing_was_paid_or_more_than_was_paid(db_url, fund):
    bram, carer = granted_carer(db_url, fund)
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as exc:
            undue.claim_back(s, DESK, carer, 327_653, "amount", "x", d("2024-08-20"))
        assert exc.value.field == "amount"
        with pytest.raises(InvalidInput) as exc:
            undue.claim_back(s, DESK, carer, 100, "mistake", "x", d("2024-08-20"))
        assert exc.value.field == "ground"
    other = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, other, paid=quarters("2023Q3", "2024Q3"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, other, "carer", {"start": d("2024-06-01"), "months": 1}, d("2024-05-15")).id
        service.decide(s, DESK, cid, d("2024-05-20"))
    with session_scope(db_url) as s:
        with pytest.raises(Conflict):  # granted, not paid yet: the grant is corrected, not claimed back
            undue.claim_back(s, DESK, cid, 100, "amount", "x", d("2024-05-21"))
        assert s.scalar(select(func.count()).select_from(UndueBenefit)) == 0


def test_a_benefit_paid_after_the_charter_deadline_is_flagged_with_its_interest_period(db_url, fund):
    bram = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, bram, paid=quarters("2023Q3", "2024Q3"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, bram, "carer", {"start": d("2024-06-01"), "months": 1}, d("2024-05-15")).id
        c = service.decide(s, DESK, cid, d("2024-05-20"))
        assert c.payment_due == d("2024-09-20")  # Charter art. 12: 4 months
    iban(db_url, bram, since=d("2024-10-01"))  # no account on file until October: the transfer waits
    export_credit_transfers(db_url, d("2024-10-07"))
    with session_scope(db_url) as s:
        assert service.follow_up(s, DESK, d("2024-10-10"))["interest_due"] == 1
        [step] = s.scalars(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "interest_due"))
        assert step.detail["interest_from"] == "2024-09-21" and step.detail["days"] == 17
        assert step.detail["interest"] == "not computed"
        assert "no legal interest rate entered" in step.detail["why"] and "will not guess" in step.detail["why"]
        assert s.get(BenefitClaim, cid).late


def test_every_legal_ground_of_the_benefit_parameters_reads_in_dutch_and_german():
    from caisse.benefits.texts import parameter_law
    from caisse.rules.params import load

    laws = {p.law for p in load().params.values() if p.topic == "benefits"}
    untranslated = sorted(law for law in laws for lang in ("nl", "de", "en") if parameter_law(law, lang) == law)
    assert not untranslated


def test_once_the_set_off_limit_is_recorded_the_grant_withholds_at_most_that_share_by_itself(db_url, fund,
                                                                                            monkeypatch):
    """The limit is not in the notes: this test records a made-up share (10 %) in its own copy of the parameters,
    only to show how a recorded value is used."""
    from caisse.rules import params

    topics = {t: params.read_topic(t) for t in params.TOPICS}
    topics["benefits"]["parameters"]["undue_benefit_set_off_limit"]["values"] = {
        dt.date(1997, 1, 1): {"value": "0.10", "status": "fund", "source": ["FUNDPOL"], "note": "test value"}}
    recorded = params.build(topics, params.load_sources())
    monkeypatch.setattr(undue, "load", lambda: recorded)
    bram, carer = granted_carer(db_url, fund, language="fr")
    with session_scope(db_url) as s:
        uid = undue.claim_back(s, DESK, carer, 81_913, "amount", "Mi-temps en juillet.", d("2024-08-20")).id
        later = bereavement(s, bram)
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, later, d("2024-10-02"))
        assert c.decision["set_off"]["withheld"] == {str(uid): 10_150}  # 10 % of 1,015.00
        assert c.decision["set_off"]["paid_cents"] == 91_350
        assert undue.open_undue(s, bram)[0][1] == 81_913 - 10_150
    assert export_credit_transfers(db_url, d("2024-10-04")).total_cents == 91_350
