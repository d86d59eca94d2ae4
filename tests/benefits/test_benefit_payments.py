"""Paying a benefit, as stories with exact dates and amounts (issue 8, payments part):

- the payment deadline runs from the **notification** of the grant (Charter art. 12, addendum §15 [S237]), not from
  the decision: the desk's claims at risk, the late flag and the start of the art. 20 interest follow it;
- late-payment interest is paid automatically with the next benefit payment run when the fund entered a rate for
  every day late (``legal_interest.yaml``), posted in the ledger, in the pain.001 and told to the person.

The interest rates here are TEST figures (4 %), not the legal interest rate of any year."""

from __future__ import annotations

import pytest
from helpers import contributions, d, iban, quarters
from sqlalchemy import select

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim, ClaimStep
from caisse.errors import Conflict
from caisse.rules.explain import fmt_money
from caisse.security.authz import Principal
from caisse.services import benefit_claims
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")


def carer(db_url, fund, *, decided="2024-05-20", language="fr") -> tuple[int, int]:
    """Bram: 1 month of carer leave (1,638.26) asked 15-5-2024, granted on ``decided``."""
    bram = fund.person(category="main", start=d("2015-01-01"), language=language)
    contributions(db_url, bram, paid=quarters("2023Q3", "2024Q3"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, bram, "carer", {"start": d("2024-06-01"), "months": 1}, d("2024-05-15")).id
        service.decide(s, DESK, cid, d(decided))
    return bram, cid


def steps(s, cid, name):
    return [st for st in service.steps(s, cid) if st.step == name]


# --- Charter art. 12: four months from the notification ------------------------------------------------------------

def test_the_payment_deadline_runs_from_the_registered_letter_not_from_the_decision(db_url, fund):
    _bram, cid = carer(db_url, fund)
    with session_scope(db_url) as s:  # made available on the decision day: 4 months from 20 May
        assert s.get(BenefitClaim, cid).payment_due == d("2024-09-20")
    with session_scope(db_url) as s:  # the fund sends the grant by registered letter, presented on 3 June
        service.record_notification(s, DESK, cid, d("2024-06-03"), "registered", d("2024-06-05"))
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert c.payment_due == d("2024-10-03")
        [note] = steps(s, cid, "notified")
        assert (note.detail["payment_due_before"], note.detail["payment_due"]) == ("2024-09-20", "2024-10-03")
        # the desk's claims at risk show the deadline counted from the notification, not overdue on 1 October
        [row] = [r for r in benefit_claims.desk_list(s, DESK, d("2024-10-01")) if r.claim.id == cid]
        assert (row.deadline, row.deadline_kind, row.overdue) == (d("2024-10-03"), "payment", False)
        [row] = [r for r in benefit_claims.desk_list(s, DESK, d("2024-10-04")) if r.claim.id == cid]
        assert row.overdue
    with session_scope(db_url) as s:  # 21 September: late on the decision's count, not on the notification's
        assert service.follow_up(s, DESK, d("2024-10-03"))["late"] == 0
    with session_scope(db_url) as s:
        assert service.follow_up(s, DESK, d("2024-10-04"))["late"] == 1
        [late] = steps(s, cid, "late")
        # Charter art. 20: interest from the expiry of that period, the day after the deadline
        assert (late.detail["payment_due"], late.detail["interest_from"], late.detail["days"]) == (
            "2024-10-03", "2024-10-04", 1)


def payment_months(values: dict):
    """The parameters with ``charter_payment_months`` given ``values`` (made-up TEST figures, to show how a change
    of the rule's file reaches the claims already notified)."""
    import datetime as dt

    from caisse.rules import params

    topics = {t: params.read_topic(t) for t in params.TOPICS}
    topics["benefits"]["parameters"]["charter_payment_months"]["values"] = {
        dt.date.fromisoformat(day): {"value": months, "status": "fund", "source": ["FUNDPOL"], "note": "test value"}
        for day, months in values.items()}
    return params.build(topics, params.load_sources())


def test_a_deadline_follows_a_changed_rule_for_its_notification_day_without_recording_the_notification_again(
        db_url, fund, monkeypatch):
    """Bram's grant, made available on 20 May 2024, is due by 20 September (4 months). The rule's file then says 3
    months from 1 January 2024: the desk's claims at risk show 20 August at once — overdue on 1 September — while the
    recorded deadline waits for the follow-up, which writes it (a dated step) and flags the claim late. A figure
    dated after the notification (from 1 July 2024) does not apply to it."""
    _bram, cid = carer(db_url, fund)
    monkeypatch.setattr(service, "load", lambda: payment_months({"1997-01-01": 4, "2024-07-01": 3}))
    with session_scope(db_url) as s:
        [row] = [r for r in benefit_claims.desk_list(s, DESK, d("2024-09-01")) if r.claim.id == cid]
        assert (row.deadline, row.overdue) == (d("2024-09-20"), False)
    monkeypatch.setattr(service, "load", lambda: payment_months({"1997-01-01": 4, "2024-01-01": 3}))
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.payment_due, service.current_payment_due(s, c)) == (d("2024-09-20"), d("2024-08-20"))
        [row] = [r for r in benefit_claims.desk_list(s, DESK, d("2024-09-01")) if r.claim.id == cid]
        assert (row.deadline, row.deadline_kind, row.overdue) == (d("2024-08-20"), "payment", True)
    with session_scope(db_url) as s:
        done = service.follow_up(s, DESK, d("2024-08-21"))
        assert (done["deadline_moved"], done["late"]) == (1, 1)
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.payment_due, c.late) == (d("2024-08-20"), True)
        [moved] = steps(s, cid, "payment_due_moved")
        assert (moved.detail["payment_due_before"], moved.detail["payment_due"], moved.detail["notified_on"]) == (
            "2024-09-20", "2024-08-20", "2024-05-20")
        [late] = steps(s, cid, "late")
        assert (late.detail["payment_due"], late.detail["interest_from"]) == ("2024-08-20", "2024-08-21")
    with session_scope(db_url) as s:  # written once
        assert "deadline_moved" not in service.follow_up(s, DESK, d("2024-08-22"))


def test_a_claim_flagged_late_is_no_longer_late_once_its_later_notification_is_recorded(db_url, fund):
    _bram, cid = carer(db_url, fund)
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-09-21"))
        assert s.get(BenefitClaim, cid).late
    with session_scope(db_url) as s:  # the registered letter was presented on 10 June: due by 10 October
        service.record_notification(s, DESK, cid, d("2024-06-10"), "registered", d("2024-09-23"))
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.payment_due, c.late) == (d("2024-10-10"), False)


def test_birth_leave_keeps_its_own_shorter_deadline_never_before_the_notification(db_url, fund):
    # 10 days of birth leave in March 2023 (96.60 a day): paid by the end of the month after the leave (30 April),
    # the Charter's 4 months would be later; the decision notified on 12 May, after that date: due on 12 May
    dad = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, dad, paid=quarters("2022Q3", "2022Q4"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, dad, "birth_leave", {
            "birth_date": d("2023-03-01"), "start": d("2023-03-06"), "end": d("2023-03-17"), "days": 10},
            d("2023-03-20")).id
        service.decide(s, DESK, cid, d("2023-03-27"))
        assert s.get(BenefitClaim, cid).payment_due == d("2023-04-30")
        service.record_notification(s, DESK, cid, d("2023-05-12"), "registered", d("2023-05-12"))
        assert s.get(BenefitClaim, cid).payment_due == d("2023-05-12")


def test_the_notification_cannot_move_a_deadline_once_the_interest_was_established_on_it(db_url, fund):
    bram, cid = carer(db_url, fund)
    iban(db_url, bram, since=d("2024-10-01"))
    from caisse.collection.credit_transfers import export_credit_transfers

    export_credit_transfers(db_url, d("2024-10-07"))
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-10-10"))  # no rate entered: the interest is left to a caseworker
    with session_scope(db_url) as s, pytest.raises(Conflict, match="interest of claim .* was established"):
        service.record_notification(s, DESK, cid, d("2024-06-03"), "registered", d("2024-10-11"))
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).payment_due == d("2024-09-20")
        assert s.scalar(select(ClaimStep.id).where(ClaimStep.claim_id == cid, ClaimStep.step == "notified")) is None


# --- Charter art. 20: the interest of a late payment, paid automatically ---------------------------------------------

RATE_2024 = ('rates:\n  - {from: 2024-01-01, to: 2024-12-31, rate: "0.04", source: "test rate 2024", '
             "entered_by: test, entered_on: 2024-01-10}\n")


@pytest.fixture
def rate_file(tmp_path, monkeypatch):
    """A legal interest file the fund fills in: empty first (the shipped state), ``write`` enters the test rate."""
    from caisse.config import get_settings

    path = tmp_path / "legal_interest.yaml"
    path.write_text("rates: []\n", encoding="utf-8")
    monkeypatch.setenv("CAISSE_LEGAL_INTEREST_FILE", str(path))
    get_settings.cache_clear()

    class File:
        @staticmethod
        def write(text=RATE_2024):
            path.write_text(text, encoding="utf-8")
            get_settings.cache_clear()

    yield File
    get_settings.cache_clear()


def transfers(xml: bytes) -> list[tuple[str, str]]:
    """(amount, remittance text) of each transfer of a pain.001 file."""
    import xml.etree.ElementTree as ET  # noqa: N817 — reading our own file

    root = ET.fromstring(xml)  # noqa: S314 — a file this test just produced
    ns = {"p": root.tag.split("}")[0][1:]}
    return [(tx.find("p:Amt/p:InstdAmt", ns).text, tx.find("p:RmtInf/p:Ustrd", ns).text)
            for tx in root.iterfind(".//p:CdtTrfTxInf", ns)]


def messages_to(s, person):
    from caisse.cases.models import Case, CaseMessage

    return list(s.scalars(select(CaseMessage.body).join(Case, Case.id == CaseMessage.case_id)
                          .where(Case.party_id == person, CaseMessage.direction == "out").order_by(CaseMessage.id)))


def test_a_benefit_paid_late_carries_its_interest_in_the_same_payment_run(db_url, fund, rate_file):
    from caisse.cases.models import Case
    from caisse.collection.credit_transfers import export_credit_transfers
    from caisse.ledger.models import LedgerEntry, LedgerTransaction

    rate_file.write()
    bram, cid = carer(db_url, fund)  # due by 20 September 2024; no account on file until October
    iban(db_url, bram, since=d("2024-10-01"))
    run = export_credit_transfers(db_url, d("2024-10-07"))
    # 17 days late (21 September to 7 October) × 4 % / 365 on 1,638.26 = 3.0521… → 3.05, in the same file
    assert transfers(run.content) == [("1638.26", "Prestation 2024Q2"),
                                      ("3.05", "Interets de retard prestation 2024Q2")]
    assert (run.count, run.total_cents) == (2, 163_826 + 305)
    with session_scope(db_url) as s:
        t = s.scalar(select(LedgerTransaction).where(LedgerTransaction.key == f"benefit/claim/{cid}/interest"))
        entries = {e.account: e for e in s.scalars(select(LedgerEntry).where(LedgerEntry.transaction_id == t.id))}
        assert (t.kind, t.booked_on, entries["benefit_expense"].amount_cents, entries["benefit"].amount_cents) == (
            "benefit", d("2024-10-07"), 305, -305)
        assert entries["benefit"].rule.startswith("Charte de l'assuré social, art. 20")
        assert entries["benefit"].explanation["rates"] == [
            {"from": "2024-09-21", "to": "2024-10-07", "days": 17, "rate": "0.04", "source": "test rate 2024"}]
        assert messages_to(s, bram)[-1] == (
            f"Votre allocation d'aidant proche (demande n° 1, {fmt_money(163_826, 'fr')}) devait être payée au plus "
            "tard le 20/09/2024 "
            "(Charte de l'assuré social, art. 12 : dans les 4 mois de la notification de l'octroi). Elle est payée le "
            "07/10/2024, avec 17 jour(s) de retard. La caisse vous verse d'office des intérêts de retard de 3,05 € "
            "(art. 20 : du 21/09/2024 au 07/10/2024 ; 17 jour(s) à 4 % l'an), par virement avec le prochain "
            "paiement des prestations.")
    with session_scope(db_url) as s:  # follow-up closes the claim: the interest is ordered, no task for anyone
        service.follow_up(s, DESK, d("2024-10-10"))
        [due] = steps(s, cid, "interest_due")
        assert (due.detail["interest_cents"], due.detail["ordered"], due.detail.get("already")) == (
            305, f"benefit/claim/{cid}/interest", True)
        assert s.scalar(select(Case.id).where(Case.key == f"benefit/interest/{cid}")) is None
    again = export_credit_transfers(db_url, d("2024-10-08"))  # nothing is paid twice
    assert (again.created, again.count) == (False, 0)


def test_interest_without_a_rate_waits_for_the_rate_then_is_paid_by_the_next_run(db_url, fund, rate_file):
    from caisse.cases.models import Case
    from caisse.collection.credit_transfers import export_credit_transfers

    bram, cid = carer(db_url, fund, language="nl")
    iban(db_url, bram, since=d("2024-10-01"))
    run = export_credit_transfers(db_url, d("2024-10-07"))
    assert transfers(run.content) == [("1638.26", "Uitkering 2024Q2")]  # no rate entered: no interest guessed
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-10-10"))
        task = s.scalar(select(Case).where(Case.key == f"benefit/interest/{cid}"))
        assert (task.kind, task.status) == ("benefit_interest", "open")
    rate_file.write()  # the fund enters the 2024 rate with its source
    with session_scope(db_url) as s:
        assert service.follow_up(s, DESK, d("2024-10-15"))["interest_ordered"] == 1
        assert s.scalar(select(Case).where(Case.key == f"benefit/interest/{cid}")).status == "closed"
        [_first, ordered] = steps(s, cid, "interest_due")
        assert (ordered.detail["interest_cents"], ordered.happened_on) == (305, d("2024-10-15"))
        assert "verwijlinteresten van € 3,05" in messages_to(s, bram)[-1]
    with session_scope(db_url) as s:  # told once
        assert service.follow_up(s, DESK, d("2024-10-16")).get("interest_ordered") is None
    run = export_credit_transfers(db_url, d("2024-10-21"))
    assert transfers(run.content) == [("3.05", "Verwijlinteresten uitkering 2024Q2")]


def test_a_benefit_paid_by_its_deadline_bears_no_interest(db_url, fund, rate_file):
    from caisse.collection.credit_transfers import export_credit_transfers

    rate_file.write()
    bram, _cid = carer(db_url, fund)
    iban(db_url, bram)
    run = export_credit_transfers(db_url, d("2024-09-20"))
    assert transfers(run.content) == [("1638.26", "Prestation 2024Q2")]


def test_a_notification_cannot_move_the_deadline_once_the_payment_run_ordered_its_interest(db_url, fund, rate_file):
    """The run of 7 October paid Bram's allowance late with 3.05 of interest counted from 20 September. A
    registered letter recorded afterwards (before any follow-up) would move the deadline to 3 October and make 4 of
    those 17 days late no longer late — but the interest is already ordered and paid on the old deadline: refused,
    the deadline and the late flag stay as they were paid."""
    from caisse.collection.credit_transfers import export_credit_transfers

    rate_file.write()
    bram, cid = carer(db_url, fund)
    iban(db_url, bram, since=d("2024-10-01"))
    run = export_credit_transfers(db_url, d("2024-10-07"))
    assert ("3.05", "Interets de retard prestation 2024Q2") in transfers(run.content)
    with session_scope(db_url) as s, pytest.raises(Conflict, match="interest of claim .* was established"):
        service.record_notification(s, DESK, cid, d("2024-06-03"), "registered", d("2024-10-08"))
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).payment_due == d("2024-09-20")
        assert s.scalar(select(ClaimStep.id).where(ClaimStep.claim_id == cid, ClaimStep.step == "notified")) is None


def test_the_part_set_off_on_the_grant_day_bears_no_late_interest(db_url, fund, rate_file):
    """Bram agreed that his carer allowance (1,638.26) pays his contributions due: on the grant day, 20 May 2024,
    800.00 of it settled 2022Q2 — in time. The 838.26 left is transferred only on 7 October (no account on file
    before), 17 days after the deadline: the interest is on the 838.26 paid late, 838.26 × 4 % × 17 / 365 = 1.5617…
    → 1.56, not on the 1,638.26 granted (3.05)."""
    from caisse.benefits import setoff
    from caisse.collection.credit_transfers import export_credit_transfers

    rate_file.write()
    bram = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, bram, paid=quarters("2023Q3", "2024Q3"), unpaid=["2022Q2"])
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, bram, "carer", {"start": d("2024-06-01"), "months": 1}, d("2024-05-15")).id
        setoff.record_consent(s, DESK, cid, d("2024-05-16"), "desk")
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d("2024-05-20"))
        assert (c.decision["contribution_set_off"]["set_off_cents"], c.decision["transfer_cents"]) == (80_000,
                                                                                                       83_826)
    iban(db_url, bram, since=d("2024-10-01"))
    run = export_credit_transfers(db_url, d("2024-10-07"))
    assert transfers(run.content) == [("838.26", "Prestation 2024Q2"), ("1.56", "Interets de retard prestation 2024Q2")]
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-10-10"))
        [due] = steps(s, cid, "interest_due")
        assert (due.detail["base_cents"], due.detail["days"], due.detail["interest_cents"]) == (83_826, 17, 156)
        # the notice says on what the interest runs, so the person can check 1.56 against the 17 days at 4 %
        assert (f"intérêts de retard de {fmt_money(156, 'fr')} (art. 20 : sur {fmt_money(83_826, 'fr')} payés en "
                "retard, du 21/09/2024 au 07/10/2024 ; 17 jour(s) à 4 % l'an)") in messages_to(s, bram)[-1]
