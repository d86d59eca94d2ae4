"""A self-employed person whose income falls asks in May 2026 to compute her provisional contributions on an
estimated income: the fund grants it, the quarters already called are corrected to what the call gives on the
estimate, the next quarters are called on it; two years later the real income proves higher and the regularisation
charges the unjustified-reduction surcharge — unless she paid the difference before 31 December."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from caisse.batches import quarterly_call, regularisation
from caisse.batches.models import Notice
from caisse.cases.models import Case, CaseMessage
from caisse.errors import Conflict, InvalidInput
from caisse.ledger import balances, load, receive_payment
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.recovery import reduction
from caisse.recovery.models import ReductionRequest
from caisse.rules.contributions import provisional
from caisse.security.authz import Principal
from caisse.services import approvals
from caisse.store.db import session_scope
from caisse.store.models import ProfessionalIncome

FEE = "0.0405"
ASKED, DECIDED = dt.date(2026, 5, 15), dt.date(2026, 5, 20)
ESTIMATE = 2_000_000  # 20,000.00 EUR
ON_ESTIMATE = 102_500  # 20,000.00 × 20.50 % / 4 = 1,025.00 a quarter (2026, main, above the minimum)
ON_ESTIMATE_FEE = 106_651  # 1,025.00 × 1.0405 = 1,066.5125 → 1,066.51


def person(pid):
    return Principal(login=f"p{pid}", role="affiliate", account_id=100 + pid, party_id=pid)


CASEWORKER = Principal(login="cw", role="caseworker", account_id=1, team="t1")
MANAGER = Principal(login="boss", role="manager", account_id=2)


@pytest.fixture(autouse=True)
def staff(db_url):
    """The caseworker of team t1 (account 1) and a manager (account 2): the four eyes."""
    from caisse.services.accounts import create_account

    with session_scope(db_url) as s:
        create_account(s, Principal.system("setup"), "cw", "Correct horse battery staple 41", "caseworker", team="t1")
        create_account(s, Principal.system("setup"), "boss", "Correct horse battery staple 42", "manager")


@pytest.fixture
def fund(fund, db_url):
    """The batch stories' tiny fund, its files in the caseworker's team."""
    from sqlalchemy import update

    from caisse.store.models import Party

    make = fund.person

    def person_in_team(**kw):
        pid = make(**kw)
        with session_scope(db_url) as s:
            s.execute(update(Party).where(Party.id == pid).values(team="t1"))
        return pid

    fund.person = person_in_team
    return fund


def charged(s, pid, period):
    return sum(b.balance_cents for b in balances(s, party_id=pid, accounts=("contribution", "management_fee"))
               if b.period == period) + paid(s, pid, period)


def paid(s, pid, period):
    return -sum(e.amount_cents for e in s.scalars(
        select(LedgerEntry).join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerEntry.party_id == pid, LedgerEntry.period == period, LedgerTransaction.kind == "imputation",
               LedgerEntry.account.in_(("contribution", "management_fee")))))


def granted_reduction(db_url, fund):
    ana = fund.person(category="main", incomes={2023: "60000.00"}, language="nl")
    for q in (1, 2):
        quarterly_call.run(db_url, f"2026Q{q}", fee_rate=FEE)
    with session_scope(db_url) as s:
        before = charged(s, ana, "2026Q1")
        r = reduction.request(s, person(ana), ana, 2026, ESTIMATE, "Mijn grootste klant is failliet.", ASKED)
        rid, case_id = r.id, r.case_id
        c = s.get(Case, case_id)
        assert (c.kind, c.deadline, c.status) == ("reduction", ASKED + dt.timedelta(days=30), "open")
    with session_scope(db_url) as s:
        r = reduction.decide(s, CASEWORKER, rid, True, "", DECIDED)
        # Q1 and Q2 lowered by more than the four-eyes threshold (500.00): a manager approves
        assert (r.status, s.get(Case, case_id).status) == ("awaiting_approval", "open")
        approval_id = r.approval_id
    with session_scope(db_url) as s:
        approvals.decide(s, MANAGER, approval_id, True, "pièces vérifiées", DECIDED)
    return ana, rid, case_id, before


def test_granted_in_may_corrects_q1_and_q2_and_q3_is_called_on_the_estimate(db_url, fund):
    ana, rid, case_id, before = granted_reduction(db_url, fund)
    assert before > ON_ESTIMATE_FEE  # called on the 2023 income revalued
    assert provisional(2026, "main", chosen_income="20000.00", fee_rate=FEE).quarterly_total == ON_ESTIMATE_FEE
    quarterly_call.run(db_url, "2026Q3", fee_rate=FEE)
    with session_scope(db_url) as s:
        for q in ("2026Q1", "2026Q2", "2026Q3"):
            assert charged(s, ana, q) == ON_ESTIMATE_FEE
        fix = load(s, f"reduction/{rid}/2026Q1")
        assert fix.kind == "charge" and fix.corrects == f"quarterly-call/2026Q1/{ana}"
        line = next(e for e in fix.entries if e.account == "contribution")
        assert (line.rule, line.parameter, line.due_date) == ("AR n° 38 art. 11 §3 (reduction/increase)",
                                                              "estimate@2026", dt.date(2026, 3, 31))
        assert line.amount_cents == ON_ESTIMATE - next(
            e.amount_cents for e in load(s, f"quarterly-call/2026Q1/{ana}").entries if e.account == "contribution")
        assert "income chosen by the affiliate 20000.00" in line.explanation["text"]
        r = s.get(ReductionRequest, rid)
        assert (r.status, r.quarterly_cents, r.quarterly_total_cents) == ("granted", ON_ESTIMATE, ON_ESTIMATE_FEE)
        assert [(c["period"], c["charged"], c["new"]) for c in r.corrections] == [
            ("2026Q1", before, ON_ESTIMATE_FEE), ("2026Q2", before, ON_ESTIMATE_FEE)]
        assert s.scalars(select(ProfessionalIncome.amount_cents).where(
            ProfessionalIncome.person_id == ana, ProfessionalIncome.source == "estimate")).all() == [ESTIMATE]
        answer = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id,
                                                          CaseMessage.direction == "out")).one()
        assert "Uw aanvraag is toegestaan. Uw voorlopige bijdrage bedraagt voortaan € 1.025,00 per kwartaal" in answer
        assert "verhoging" in answer and s.get(Case, case_id).status == "answered"
        assert run_check(s).ok


def test_a_later_estimate_wins_and_corrects_against_everything_charged(db_url, fund):
    ana, _rid, _case, _before = granted_reduction(db_url, fund)
    with session_scope(db_url) as s:
        r2 = reduction.request(s, person(ana), ana, 2026, 2_400_000, "Nieuwe raming van mijn boekhouder.", DECIDED)
        # it raises what is called now, yet stays below the contribution on the 2023 income revalued: a reduction
        # still (the surcharge may follow), named so
        assert r2.direction == "reduction"
        assert s.get(Case, r2.case_id).subject == "Reduction of provisional contributions 2026"
    with session_scope(db_url) as s:
        # 24,000.00 raises the quarters already corrected: nothing given up, granted at once
        assert reduction.decide(s, CASEWORKER, r2.id, True, "", DECIDED + dt.timedelta(days=1)).status == "granted"
    quarterly_call.run(db_url, "2026Q3", fee_rate=FEE)
    want = provisional(2026, "main", chosen_income="24000.00", fee_rate=FEE).quarterly_total  # 1,279.82
    with session_scope(db_url) as s:
        assert [charged(s, ana, f"2026Q{k}") for k in (1, 2, 3)] == [want] * 3
        assert len(s.scalars(select(ProfessionalIncome.id).where(ProfessionalIncome.person_id == ana,
                                                                 ProfessionalIncome.source == "estimate")).all()) == 2
        assert run_check(s).ok


def _tax(db_url, pid, amount):
    with session_scope(db_url) as s:
        s.execute(insert(ProfessionalIncome), [{"person_id": pid, "year": 2026, "amount_cents": amount,
                                                "source": "tax", "assessed_on": dt.date(2027, 10, 1)}])


def test_the_income_proves_higher_the_regularisation_charges_the_surcharge_once(db_url, fund):
    ana, _rid, _case, _before = granted_reduction(db_url, fund)
    for q in (3, 4):
        quarterly_call.run(db_url, f"2026Q{q}", fee_rate=FEE)
    _tax(db_url, ana, 4_000_000)  # 40,000.00: definitive 8,200.00 for the year, 4,100.00 reduced provisional
    notice_day = dt.date(2028, 5, 10)
    summary = regularisation.run(db_url, 2026, notice_date=notice_day, fee_rate=FEE)
    assert summary.details["unjustified-reduction surcharge"].startswith("1 debtors, 410.00 EUR")
    with session_scope(db_url) as s:
        key = f"regularisation/2026/{ana}/2027-10-01/reduction-surcharge"
        posting = load(s, key)
        lines = {e.parameter: e.amount_cents for e in posting.entries if e.account == "surcharge"}
        # base 8,200.00 − 4,100.00 − 0 paid on top = 4,100.00: 3 % = 123.00 and one-off 7 % = 287.00
        assert lines == {"unjustified_reduction_rate": 12300, "unjustified_reduction_annual_rate": 28700}
        line = next(e for e in posting.entries if e.account == "surcharge")
        assert (line.period, line.due_date) == ("2026Q4", dt.date(2028, 9, 30))
        assert "article of law was not found" in line.explanation["text"]
        assert line.explanation["calc"]["base"] == 410000
        notice = s.scalar(select(Notice).where(Notice.kind == "regularisation", Notice.party_id == ana))
        contributions = sum(e.amount_cents for t in s.scalars(select(LedgerTransaction).where(
            LedgerTransaction.key.like(f"regularisation/2026/{ana}/2027-10-01/2026Q%")))
            for e in load(s, t.key).entries if e.account in ("contribution", "management_fee"))
        assert notice.amount_cents == contributions + 41000
        from caisse.documents.notices import notice_document, notice_pdf

        doc = notice_document(s, notice.id)
        line = next(x for x in doc.lines if x.label.startswith("Verhoging na onterechte vermindering 2026"))
        assert line.amount_cents == 41000 and "€ 4.100,00" in line.why and "niet gevonden" in line.law
        assert notice_pdf(s, notice.id).startswith(b"%PDF")
        assert run_check(s).ok
    # run again (a later day, same assessment): nothing posted twice
    again = regularisation.run(db_url, 2026, notice_date=dt.date(2028, 6, 1), fee_rate=FEE)
    assert again.posted == 0
    with session_scope(db_url) as s:
        assert sum(b.balance_cents for b in balances(s, party_id=ana, accounts=("surcharge",))) == 41000


def test_paying_the_difference_before_31_december_avoids_the_surcharge(db_url, fund):
    ana, _rid, _case, _before = granted_reduction(db_url, fund)
    for q in (3, 4):
        quarterly_call.run(db_url, f"2026Q{q}", fee_rate=FEE)
    with session_scope(db_url) as s:
        # the four reduced quarters and, on top, the 4,100.00 she expects the regularisation to ask
        receive_payment(s, "bank/2026-12-15/1", dt.date(2026, 12, 15), 4 * ON_ESTIMATE_FEE + 410000, ana)
    _tax(db_url, ana, 4_000_000)
    regularisation.run(db_url, 2026, notice_date=dt.date(2028, 5, 10), fee_rate=FEE)
    with session_scope(db_url) as s:
        assert load(s, f"regularisation/2026/{ana}/2027-10-01/reduction-surcharge") is None
        assert not [b for b in balances(s, party_id=ana, accounts=("surcharge",)) if b.balance_cents]
        assert run_check(s).ok


def test_a_manager_who_rejects_the_grant_refuses_the_request_with_his_note(db_url, fund):
    eva = fund.person(category="main", incomes={2023: "60000.00"}, language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    with session_scope(db_url) as s:
        rid = reduction.request(s, person(eva), eva, 2026, ESTIMATE, "Baisse du chiffre d'affaires.", ASKED).id
    with session_scope(db_url) as s:
        approval_id = reduction.decide(s, CASEWORKER, rid, True, "", DECIDED).approval_id
    from caisse.security.authz import Forbidden

    with session_scope(db_url) as s, pytest.raises(Forbidden, match="four eyes"):  # not the one who decided
        approvals.decide(s, Principal(login="cw", role="manager", account_id=1), approval_id, True, "", DECIDED)
    with session_scope(db_url) as s:
        approvals.decide(s, MANAGER, approval_id, False, "aucune pièce jointe", DECIDED)
    with session_scope(db_url) as s:
        r = s.get(ReductionRequest, rid)
        assert (r.status, r.motivation, r.income_id) == ("refused", "aucune pièce jointe", None)
        assert not s.scalars(select(LedgerTransaction).where(LedgerTransaction.key.like("reduction/%"))).all()


def test_a_refusal_is_motivated_and_writes_nothing_to_the_ledger(db_url, fund):
    bob = fund.person(category="main", incomes={2023: "60000.00"}, language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    with session_scope(db_url) as s:
        rid = reduction.request(s, person(bob), bob, 2026, ESTIMATE, "Baisse du chiffre d'affaires.", ASKED).id
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as err:
            reduction.decide(s, CASEWORKER, rid, False, "  ", DECIDED)
        assert err.value.field == "motivation"
    with session_scope(db_url) as s:
        reduction.decide(s, CASEWORKER, rid, False, "aucune pièce ne justifie la baisse annoncée", DECIDED)
    with session_scope(db_url) as s:
        r = s.get(ReductionRequest, rid)
        assert (r.status, r.income_id, r.corrections) == ("refused", None, None)
        assert not s.scalars(select(LedgerTransaction).where(LedgerTransaction.key.like("reduction/%"))).all()
        answer = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == r.case_id,
                                                          CaseMessage.direction == "out")).one()
        assert "Votre demande n'est pas accordée : aucune pièce ne justifie la baisse annoncée." in answer
        with pytest.raises(Conflict):
            reduction.decide(s, CASEWORKER, rid, True, "", DECIDED)


@pytest.mark.parametrize(("year", "estimate", "field"), [
    (2025, ESTIMATE, "year"),  # over
    (2028, ESTIMATE, "year"),  # beyond next year
    (2027, ESTIMATE, "year"),  # next year's figures not published yet
    (2026, -1, "estimate"),
    ("2026", ESTIMATE, "year"),
])
def test_bad_requests_are_refused_naming_the_field_and_nothing_is_written(db_url, fund, year, estimate, field):
    eva = fund.person(category="main", incomes={2023: "60000.00"})
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput) as err:
            reduction.request(s, person(eva), eva, year, estimate, "raison", ASKED)
        assert err.value.field == field
    with session_scope(db_url) as s:
        assert not s.scalars(select(Case)).all() and not s.scalars(select(ReductionRequest)).all()


def test_not_affiliated_regularised_or_pending_are_refused(db_url, fund):
    gone = fund.person(category="main", incomes={2023: "60000.00"}, end=dt.date(2025, 12, 31))
    taxed = fund.person(category="main", incomes={2023: "60000.00"})
    _tax(db_url, taxed, 1_000_000)
    waiting = fund.person(category="main", incomes={2023: "60000.00"})
    with session_scope(db_url) as s:
        with pytest.raises(InvalidInput, match="not affiliated in 2026"):
            reduction.request(s, person(gone), gone, 2026, ESTIMATE, "raison", ASKED)
        with pytest.raises(Conflict, match="known from the tax administration"):
            reduction.request(s, person(taxed), taxed, 2026, ESTIMATE, "raison", ASKED)
        with pytest.raises(InvalidInput) as err:
            reduction.request(s, person(waiting), waiting, 2026, ESTIMATE, " ", ASKED)
        assert err.value.field == "justification"
    with session_scope(db_url) as s:
        reduction.request(s, person(waiting), waiting, 2026, ESTIMATE, "raison", ASKED)
    with session_scope(db_url) as s, pytest.raises(Conflict, match="already waiting"):
        reduction.request(s, person(waiting), waiting, 2026, ESTIMATE, "autre raison", ASKED)


def test_a_primostarters_first_quarter_keeps_its_reduction_when_the_provisional_contributions_are_changed(
        db_url, fund):
    # started 10-1-2026: the call took the art. 12 §1bis reduction (118.52, derived) off 2026Q1 (459.82 − 118.52 =
    # 341.30, on the derived primostarter minimum 8,972.07); an estimate of
    # 20,000.00 makes it 1,025.00 − 118.52 = 906.48 (943.19 with the fee), the other quarters 1,025.00 (1,066.51)
    ana = fund.person(category="main", start=dt.date(2026, 1, 10), primostarter=True)
    late = fund.person(category="main", start=dt.date(2026, 1, 10))  # called before its flag was known
    for q in (1, 2):
        quarterly_call.run(db_url, f"2026Q{q}", fee_rate=FEE)
    with session_scope(db_url) as s:
        from sqlalchemy import update

        from caisse.store.models import Affiliation

        s.execute(update(Affiliation).where(Affiliation.id == late).values(primostarter=True))
    want = provisional(2026, "main", chosen_income="20000.00", primostarter=True, start_quarter=1, fee_rate=FEE)
    assert [(qa.contribution, qa.total) for qa in want.quarters[:2]] == [(90648, 94319), (102500, 106651)]
    for pid in (ana, late):
        with session_scope(db_url) as s:
            p = reduction.preview(s, pid, 2026, ESTIMATE, ASKED)
            assert (p.quarterly, p.quarterly_total) == (ON_ESTIMATE, ON_ESTIMATE_FEE)  # a regular quarter
            assert [(c.period, c.new_contribution, c.new_total) for c in p.quarters] == [
                (f"2026Q{qa.quarter}", qa.contribution, qa.total) for qa in want.quarters]
            r = reduction.request(s, person(pid), pid, 2026, ESTIMATE, "Ik verwacht meer omzet.", ASKED)
        with session_scope(db_url) as s:
            assert reduction.decide(s, CASEWORKER, r.id, True, "", DECIDED).status == "granted"  # raised: at once
        with session_scope(db_url) as s:
            assert [charged(s, pid, f"2026Q{k}") for k in (1, 2)] == [94319, 106651]
            fix = [(e.amount_cents, e.rule, e.parameter) for e in load(s, f"reduction/{r.id}/2026Q1").entries
                   if e.account == "contribution"]
            assert run_check(s).ok
        if pid == ana:  # the call took the reduction off already: the correction is the estimate's alone
            assert fix == [(102500 - 45982, "AR n° 38 art. 11 §3 (reduction/increase)", "estimate@2026")]
        else:  # called as a plain starter (890.42): the reduction comes on a line of its own
            assert fix == [(102500 - 89042, "AR n° 38 art. 11 §3 (reduction/increase)", "estimate@2026"),
                           (-11852, "AR n° 38 art. 12 §1bis", "primostarter_first_quarter_reduction@2026-01-01")]


def test_a_quarter_that_changes_only_by_the_reduction_says_new_minus_called_on_the_reductions_line(db_url, fund):
    # called as a plain starter before the primostarter flag was known (890.42 a quarter, 2026); the estimate
    # 17,374.05 gives the same 890.42 (17,374.05 × 20.50 % / 4 = 890.420…): 2026Q1 changes only by the reduction
    # (−118.52), posted on its own line — the estimate's line would be 0.00 and is not posted, so the reduction's line
    # says "new − called" for the quarter
    late = fund.person(category="main", start=dt.date(2026, 1, 10))
    quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    with session_scope(db_url) as s:
        from sqlalchemy import update

        from caisse.store.models import Affiliation

        s.execute(update(Affiliation).where(Affiliation.id == late).values(primostarter=True))
    with session_scope(db_url) as s:
        r = reduction.request(s, person(late), late, 2026, 1_737_405, "Ik verwacht meer omzet.", ASKED)
    with session_scope(db_url) as s:
        reduction.decide(s, CASEWORKER, r.id, True, "", DECIDED)
    with session_scope(db_url) as s:
        fix = [(e.account, e.amount_cents, e.parameter, e.explanation["text"])
               for e in load(s, f"reduction/{r.id}/2026Q1").entries if e.account in ("contribution", "management_fee")]
        assert run_check(s).ok
    assert [(a, c, p) for a, c, p, _ in fix] == [
        ("contribution", -11852, "primostarter_first_quarter_reduction@2026-01-01"),
        ("management_fee", -480, "management_fee_rate=0.0405")]  # 118.52 × 4.05 % = 4.80
    assert fix[0][3].startswith("correction 2026Q1: provisional contribution on the income chosen by the affiliate "
                                "17374.05") and "− called 890.42 = -118.52" in fix[0][3]
    assert fix[0][3].endswith("primostarter first-quarter reduction 2026Q1: -118.52 − already taken off 0.00 = "
                              "-118.52")


@pytest.mark.parametrize("parameter", ["primostarter first quarter reduction (manual)",
                                       "primostarter_first_quarter_reductions@2026-01-01"])
def test_only_the_reductions_own_parameter_counts_as_the_reduction_the_call_took_off(db_url, fund, parameter):
    # 2026Q1 called reduced (459.82 − 118.52); a charge of 5.00 whose parameter merely looks like the reduction's is
    # not part of the reduction taken off: the correction has no reduction line to post
    from caisse.ledger import DebtLine, charge

    ana = fund.person(category="main", start=dt.date(2026, 1, 10), primostarter=True)
    quarterly_call.run(db_url, "2026Q1", fee_rate=FEE)
    with session_scope(db_url) as s:
        charge(s, f"manual/2026Q1/{ana}", ana, "2026Q1", dt.date(2026, 3, 31), dt.date(2026, 2, 1),
               [DebtLine("contribution", 500, "correction by the fund", parameter, {"text": "look-alike"})])
    with session_scope(db_url) as s:
        first = reduction.preview(s, ana, 2026, ESTIMATE, ASKED).quarters[0]
    assert (first.period, first.charged_contribution, first.charged_reduction) == ("2026Q1", 45982 - 11852 + 500,
                                                                                   -11852)


def test_the_decision_names_a_regular_quarter_for_a_primostarter_starting_later_in_the_year(db_url, fund):
    # starting 1-7-2026, asked in May: 2026Q3 (first quarter, reduced) and Q4; the letter's quarterly amount and the
    # surcharge example are on a regular quarter, the preview's quarters as the call will charge them
    ana = fund.person(category="main", start=dt.date(2026, 7, 1), primostarter=True)
    with session_scope(db_url) as s:
        p = reduction.preview(s, ana, 2026, ESTIMATE, ASKED)
    assert (p.quarterly, p.quarterly_total) == (ON_ESTIMATE, ON_ESTIMATE_FEE)
    assert [(c.period, c.new_contribution, c.reduction) for c in p.quarters] == [("2026Q3", 90648, 11852),
                                                                                  ("2026Q4", 102500, 0)]


def test_raising_ones_provisional_contributions_is_an_increase_and_no_reduction_surcharge_follows(db_url, fund):
    """Called on 20,000.00 earned in 2023 (revalued), she expects 40,000.00 in 2026 and asks in May to pay on it:
    an increase — named so in the case, the answer and the letter —, granted at once (nothing called is given up),
    Q1 and Q2 corrected upwards, Q3 and Q4 called on it. Her 2026 income proves 60,000.00: the regularisation asks
    the difference, without the unjustified-reduction surcharge (her contributions were raised, not reduced)."""
    from caisse.documents.reduction_letters import decision_pdf

    eva = fund.person(category="main", incomes={2023: "20000.00"}, language="nl")
    for q in (1, 2):
        quarterly_call.run(db_url, f"2026Q{q}", fee_rate=FEE)
    raised = provisional(2026, "main", chosen_income="40000.00", fee_rate=FEE)
    with session_scope(db_url) as s:
        before = charged(s, eva, "2026Q1")
        p = reduction.preview(s, eva, 2026, 4_000_000, ASKED)
        assert p.direction == "increase" and p.current_quarterly_total == before < raised.quarterly_total
        assert p.default_quarterly == p.current_quarterly  # no income chosen before
        r = reduction.request(s, person(eva), eva, 2026, 4_000_000, "Grote nieuwe klant sinds april.", ASKED)
        assert r.direction == "increase"
        assert s.get(Case, r.case_id).subject == "Increase of provisional contributions 2026"
        rid, case_id = r.id, r.case_id
    with session_scope(db_url) as s:
        assert reduction.decide(s, CASEWORKER, rid, True, "", DECIDED).status == "granted"  # raised: at once
    for q in (3, 4):
        quarterly_call.run(db_url, f"2026Q{q}", fee_rate=FEE)
    with session_scope(db_url) as s:
        assert [charged(s, eva, f"2026Q{k}") for k in range(1, 5)] == [raised.quarterly_total] * 4
        answer = s.scalars(select(CaseMessage.body).where(CaseMessage.case_id == case_id,
                                                          CaseMessage.direction == "out")).one()
        assert "Vrijwillige verhoging van uw voorlopige bijdragen 2026: toegestaan" in answer
        assert "Nu meer betalen, minder bij de regularisatie" in answer and "terugbetaald" in answer
        assert "Let op: verhoging als uw inkomen hoger blijkt" not in answer  # no §4.3 warning
        assert "aanvraag tot verhoging" in answer
        assert decision_pdf(s, rid).startswith(b"%PDF")
        fix = load(s, f"reduction/{rid}/2026Q1")
        assert "increase request" in next(e for e in fix.entries if e.account == "contribution").explanation["text"]
    _tax(db_url, eva, 6_000_000)
    summary = regularisation.run(db_url, 2026, notice_date=dt.date(2028, 5, 10), fee_rate=FEE)
    assert "unjustified-reduction surcharge" not in summary.details
    with session_scope(db_url) as s:
        assert load(s, f"regularisation/2026/{eva}/2027-10-01/reduction-surcharge") is None
        definitive = provisional(2026, "main", chosen_income="60000.00", fee_rate=FEE).quarterly_total
        assert [charged(s, eva, f"2026Q{k}") for k in range(1, 5)] == [definitive] * 4  # the difference asked
        assert not [b for b in balances(s, party_id=eva, accounts=("surcharge",)) if b.balance_cents]
        assert run_check(s).ok


def test_raising_above_the_income_of_n3_after_a_reduction_is_an_increase_and_no_surcharge_follows(db_url, fund):
    """Reduced to 20,000.00 in May (the 2023 income was 60,000.00), she raises to 80,000.00 in June: above what the
    call computes on 2023's income, an increase. The estimate in force is the increase's: at regularisation on
    90,000.00, no unjustified-reduction surcharge — the reduction granted before no longer counts."""
    ana, _rid, _case, _before = granted_reduction(db_url, fund)
    june = dt.date(2026, 6, 2)
    with session_scope(db_url) as s:
        p = reduction.preview(s, ana, 2026, 8_000_000, june)
        assert p.chosen_before and p.current_quarterly == ON_ESTIMATE and p.direction == "increase"
        r = reduction.request(s, person(ana), ana, 2026, 8_000_000, "Nieuwe raming.", june)
    with session_scope(db_url) as s:
        assert reduction.decide(s, CASEWORKER, r.id, True, "", june).status == "granted"
    for q in (3, 4):
        quarterly_call.run(db_url, f"2026Q{q}", fee_rate=FEE)
    _tax(db_url, ana, 9_000_000)
    summary = regularisation.run(db_url, 2026, notice_date=dt.date(2028, 5, 10), fee_rate=FEE)
    assert "unjustified-reduction surcharge" not in summary.details
    with session_scope(db_url) as s:
        assert load(s, f"regularisation/2026/{ana}/2027-10-01/reduction-surcharge") is None
        assert run_check(s).ok
