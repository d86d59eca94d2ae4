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
