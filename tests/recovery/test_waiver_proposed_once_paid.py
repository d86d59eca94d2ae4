"""A quarter paid late keeps its surcharges; the day its contributions are fully paid, the fund tells the person —
once, in her language, with the link to the portal's form — that she may ask INASTI to waive them. Not before the
principal is paid, not twice, not when a waiver of the quarter is already asked; and what she asks from the portal
is the same structured request the desk records (quarters, amounts, ground, the case and its charter deadline)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from caisse.batches import quarterly_call, surcharges
from caisse.batches import waiver_proposals as batch
from caisse.cases.models import Case, CaseAttachment, CaseMessage, Notification
from caisse.cases.service import deadline_for
from caisse.cli import app
from caisse.errors import InvalidInput
from caisse.ledger import receive_payment
from caisse.recovery import relief, waiver
from caisse.recovery.models import ReliefRequest
from caisse.security.authz import Forbidden, Principal
from caisse.store.db import session_scope
from caisse.store.models import Person

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]
LOW_INCOME = {2022: "9000.00", 2023: "9000.00", 2024: "9000.00"}  # under the minimum: the minimum is called
CLERK = Principal.system("cli:caseworker")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def person(pid: int) -> Principal:
    return Principal(login=f"p{pid}", role="affiliate", account_id=100 + pid, party_id=pid)


@pytest.fixture
def late_payers(db_url, fund):
    """Ana (Dutch, with an e-mail address) and Bo (French): the 2026Q1 minimum called, unpaid on 31 March, 3 %
    (26.71) charged on 1 April."""
    ana = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME, language="nl")
    bo = fund.person(category="main", start=d("2020-01-01"), incomes=LOW_INCOME, language="fr")
    with session_scope(db_url) as s:
        s.execute(update(Person).where(Person.id == ana).values(email="ana@example.test"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    surcharges.run(db_url, d("2026-04-01"))
    return ana, bo


def proposals(url, party) -> list[Case]:
    with session_scope(url) as s:
        rows = list(s.scalars(select(Case).where(Case.party_id == party, Case.kind == waiver.KIND)))
        s.expunge_all()
        return rows


def test_the_person_is_told_once_after_the_principal_is_paid_and_not_before(db_url, late_payers):
    ana, bo = late_payers
    assert batch.run(db_url, d("2026-04-10")).details["quarters found"] == 0  # 890.42 still open: nothing to say
    assert proposals(db_url, ana) == []

    with session_scope(db_url) as s:  # both pay the contribution late; the surcharge stays
        receive_payment(s, "coda/ana/1", d("2026-04-20"), MIN_2026, ana)
        receive_payment(s, "coda/bo/1", d("2026-04-20"), MIN_2026, bo)
        # Bo asks the waiver at the office before the batch runs: he is not told what he already asked
        relief.request_waiver(s, CLERK, bo, "2026Q1", "hospitalised from January to March", "hardship",
                              d("2026-04-20"))

    summary = batch.run(db_url, d("2026-04-21"))
    assert (summary.details["quarters told"], summary.details["people told"], summary.details["already asked"]) == (
        1, 1, 1)
    [told] = proposals(db_url, ana)
    assert (told.status, told.channel, told.key) == ("closed", "system", f"waiver-proposal/{ana}/2026Q1")
    assert proposals(db_url, bo) == []
    with session_scope(db_url) as s:
        thread = {m.direction: m for m in s.scalars(select(CaseMessage).where(CaseMessage.case_id == told.id))}
        assert set(thread) == {"internal", "out"}
        words = thread["out"].body
        assert "kwijtschelding" in words and "2026Q1: verhogingen van € 26,71" in words
        assert f"/my/files/{ana}/waiver?quarter=2026Q1" in words and "RSVZ" in words
        mail = s.scalar(select(Notification).where(Notification.case_message_id == thread["out"].id))
        assert (mail.to_address, mail.language) == ("ana@example.test", "nl")

    # the same day again: the batch is finished; another day (the command line): nobody is told twice
    assert batch.run(db_url, d("2026-04-21")).finished_before
    out = CliRunner().invoke(app, ["run", "waiver-proposals", "--as-of", "2026-04-22", "--db", db_url])
    assert out.exit_code == 0, out.output
    assert "waiver-proposals/2026-04-22: finished" in out.output and re.search(r"already told\s+1", out.output)
    assert re.search(r"quarters told\s+0", out.output)
    assert len(proposals(db_url, ana)) == 1
    with session_scope(db_url) as s:
        assert waiver.propose(s, d("2026-04-23"), d("2026-04-01"))["quarters told"] == 0


def test_a_quarter_paid_before_the_window_is_not_dug_up_and_quarters_paid_together_are_told_together(
        db_url, late_payers):
    """The window is the quarters that became waivable in it: Ana's 2026Q1, paid in April, is not told in October;
    her 2026Q2 paid in October is, alone. Bo pays both quarters at once: one message naming both."""
    ana, bo = late_payers
    with session_scope(db_url) as s:
        receive_payment(s, "coda/ana/1", d("2026-04-20"), MIN_2026, ana)
    assert batch.run(db_url, d("2026-09-30"), d("2026-09-01")).details["quarters found"] == 0
    quarterly_call.run(db_url, "2026Q2", fee_rate="0")
    surcharges.run(db_url, d("2026-07-01"))
    with session_scope(db_url) as s:
        receive_payment(s, "coda/ana/2", d("2026-10-05"), MIN_2026, ana, designation="2026Q2")
        receive_payment(s, "coda/bo/1", d("2026-10-05"), 2 * MIN_2026 + 20_000, bo)  # everything, surcharges too
    summary = batch.run(db_url, d("2026-10-06"))  # the window: the three months up to the day
    assert (summary.details["quarters told"], summary.details["people told"]) == (3, 2)
    assert [c.key for c in proposals(db_url, ana)] == [f"waiver-proposal/{ana}/2026Q2"]
    [both] = proposals(db_url, bo)
    assert both.key == f"waiver-proposal/{bo}/2026Q1+2026Q2"
    with session_scope(db_url) as s:
        words = s.scalar(select(CaseMessage.body).where(CaseMessage.case_id == both.id,
                                                        CaseMessage.direction == "out"))
    assert "2026Q1 : majorations de 53,42" in words and "2026Q2 : majorations de 26,71" in words
    assert "renonciation" in words


def test_asked_from_the_portal_it_is_the_desks_structured_request(db_url, late_payers):
    ana, bo = late_payers
    with session_scope(db_url) as s:
        receive_payment(s, "coda/ana/1", d("2026-04-20"), MIN_2026, ana)
        v = waiver.view(s, person(ana), ana, d("2026-04-21"))
        [q] = v.quarters
        assert (q.period, q.waivable, q.open_surcharges, q.open_principal, q.askable) == ("2026Q1", 2671, 2671, 0,
                                                                                          True)
        assert "art. 44" in q.lines[0].source  # each surcharge line with the rule that charged it

        r = relief.request_waiver(s, person(ana), ana, ["2026Q1"], "Ik lag van januari tot maart in het ziekenhuis.",
                                  "hardship", d("2026-04-21"), documents=[("attest.pdf", PDF)])
        c = s.get(Case, r.case_id)
        assert (r.status, r.periods, r.amount_cents, r.ground_kind, r.lines[0]["surcharge"]) == (
            "requested", ["2026Q1"], 2671, "hardship", 2671)
        assert (c.kind, c.channel, c.status, c.deadline) == ("surcharge_waiver", "portal", "open",
                                                             deadline_for("surcharge_waiver", d("2026-04-21")))
        thread = list(s.scalars(select(CaseMessage).where(CaseMessage.case_id == c.id).order_by(CaseMessage.id)))
        assert [m.direction for m in thread] == ["in", "internal"]  # her words, then the fund's note for staff
        assert thread[1].author == "relief" and "to be sent to INASTI" in thread[1].body
        assert s.scalar(select(CaseAttachment.filename).where(CaseAttachment.case_id == c.id)) == "attest.pdf"

        again = waiver.view(s, person(ana), ana, d("2026-04-22")).quarters[0]
        assert not again.askable and "already asked" in str(again.problem) and again.requests[0].id == r.id

    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # Bo has not paid: refused, nothing kept
        relief.request_waiver(s, person(bo), bo, ["2026Q1"], "a fire in the workshop", "force_majeure",
                              d("2026-04-21"), documents=[("pv.pdf", PDF)])
    assert err.value.field == "quarters[0]" and "not fully paid" in str(err.value)
    with session_scope(db_url) as s:
        assert s.scalars(select(ReliefRequest).where(ReliefRequest.party_id == bo)).all() == []
        assert s.scalars(select(CaseAttachment.filename)).all() == ["attest.pdf"]  # Ana's only


def test_an_accountant_asks_for_a_client_never_for_another_file(db_url, late_payers):
    ana, bo = late_payers
    accountant = Principal(login="acc", role="accountant", account_id=900, grants=frozenset({ana}))
    with session_scope(db_url) as s:
        receive_payment(s, "coda/ana/1", d("2026-04-20"), MIN_2026, ana)
        receive_payment(s, "coda/bo/1", d("2026-04-20"), MIN_2026, bo)
        r = relief.request_waiver(s, accountant, ana, "2026Q1", "Mijn cliënte lag in het ziekenhuis.", "hardship",
                                  d("2026-04-21"))
        assert (r.requested_by, s.get(Case, r.case_id).channel) == ("acc", "portal")
    for who in (accountant, person(ana)):
        with pytest.raises(Forbidden), session_scope(db_url) as s:
            relief.request_waiver(s, who, bo, "2026Q1", "not my file, but let me try", "hardship", d("2026-04-21"))
        with pytest.raises(Forbidden), session_scope(db_url) as s:
            waiver.view(s, who, bo, d("2026-04-21"))
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # a jointly liable party: the fund records it
        relief.request_waiver(s, person(bo), bo, "2026Q1", "the company asks for me", "hardship", d("2026-04-21"),
                              applicant_party_id=ana)
    assert err.value.field == "applicant_party_id"
