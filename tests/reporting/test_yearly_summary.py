"""The yearly personal summary: what a person paid in a year (the tax certificate's figures), what it opened per
quarter (pension career, health cover), what is coming (next quarter, regularisation: assessed, computed on the tax
income, estimated on the provisional basis, or "not known yet" when a legal figure is not published); the PDF in
the person's language; the batch recording one notice per person, a rerun writing nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from caisse.batches import quarterly_call
from caisse.batches import regularisation as regularisation_batch
from caisse.batches.models import Notice
from caisse.cli import app
from caisse.documents.notices import notice_pdf
from caisse.documents.yearly_summary import lines_for, render_summary
from caisse.errors import InvalidInput
from caisse.ledger import balances, receive_payment
from caisse.reporting import tax_certificates
from caisse.reporting import yearly_summary as ys
from caisse.store.db import session_scope
from caisse.store.models import ProfessionalIncome

D = dt.date
AS_OF = D(2026, 1, 31)
runner = CliRunner()


def _due(url, party, period):
    with session_scope(url) as s:
        return sum(b.balance_cents for b in balances(s, party_id=party, accounts=("contribution", "management_fee"))
                   if b.period == period)


@pytest.fixture
def three_paid(fund):
    """Ans (nl) pays 2025Q1-Q3 in time, 2025Q4 not at all; Bea (fr) pays nothing."""
    url = fund.url
    ans = fund.person(language="nl", incomes={2022: "12000.00"})
    bea = fund.person(language="fr", incomes={2022: "12000.00"})
    for quarter in ("2025Q1", "2025Q2", "2025Q3", "2025Q4"):
        quarterly_call.run(url, quarter, fee_rate="0.04")
    for k, period in enumerate(("2025Q1", "2025Q2", "2025Q3")):
        amount = _due(url, ans, period)
        with session_scope(url) as s:
            receive_payment(s, f"bank/ans/{period}", D(2025, 3 * k + 3, 20), amount, ans, designation=period)
    return ans, bea


def test_q1_to_q3_paid_and_q4_unpaid_open_pension_and_health_cover_for_three_quarters(db_url, three_paid):
    ans, bea = three_paid
    with session_scope(db_url) as s:
        x = ys.one(s, ans, 2025, AS_OF)
    assert [(q.period, q.state, q.in_order) for q in x.quarters] == [
        ("2025Q1", "paid", True), ("2025Q2", "paid", True), ("2025Q3", "paid", True), ("2025Q4", "unpaid", False)]
    assert x.quarters[3].paid == 0 and x.quarters[3].open == x.quarters[3].called > 0
    with session_scope(db_url) as s:
        other = ys.one(s, bea, 2025, AS_OF)
    assert {q.state for q in other.quarters} == {"unpaid"} and not any(q.in_order for q in other.quarters)
    # on 15 December 2025, Q4 was not due yet: only three quarters are reported
    with session_scope(db_url) as s:
        early = ys.one(s, ans, 2025, D(2025, 12, 15))
    assert [q.period for q in early.quarters] == ["2025Q1", "2025Q2", "2025Q3"]


def test_the_amounts_paid_are_the_tax_certificate_s(db_url, three_paid):
    ans, _ = three_paid
    with session_scope(db_url) as s:
        x = ys.one(s, ans, 2025, AS_OF)
        cert = tax_certificates.one(s, ans, 2025, today=AS_OF)
    three = sum(_due(db_url, ans, p) for p in ("2025Q4",)) * 3  # every 2025 quarter costs the same
    assert x.certificate.paid == cert.paid == three > 0
    assert (x.certificate.returned, x.certificate.deductible, x.certificate.surcharges) == \
        (cert.returned, cert.deductible, cert.surcharges)
    # once the certificates are recorded, the summary shows the recorded figures (what was sent)
    tax_certificates.run(db_url, 2025, today=AS_OF)
    with session_scope(db_url) as s:
        assert ys.one(s, ans, 2025, AS_OF).certificate.paid == tax_certificates.stored(s, 2025, [ans])[0].paid
    assert x.to_json()["paid"]["deductible"] == tax_certificates.Certificate(ans, 2025, "nl", paid=three).to_json()[
        "deductible"]


def test_what_is_coming_estimate_then_computed_then_assessed(db_url, three_paid):
    ans, _ = three_paid
    with session_scope(db_url) as s:
        x = ys.one(s, ans, 2025, AS_OF)
    # no tax income of 2025 yet: an estimate on the basis of the provisional contributions (2022 income revalued)
    r = x.regularisation
    assert r.status == "estimate" and r.basis_kind == "reference" and r.basis > 1_200_000
    assert r.amount == 0  # the provisional calls were the main minimum; the same basis gives the same minimum
    # the next quarter is 2026Q1, not called yet: a date and no amount
    assert x.next_due.due_date == D(2026, 3, 31) and x.next_due.amount is None
    # in May, the next due date is the second quarter's (the four calls are all made), with its amount
    with session_scope(db_url) as s:
        may = ys.one(s, ans, 2025, D(2025, 5, 15)).next_due
    assert (may.due_date, may.amount, may.expected) == (D(2025, 6, 30), _due(db_url, ans, "2025Q4"), False)
    # the tax administration sends 2025: computed on it (no notice yet)
    with session_scope(db_url) as s:
        s.execute(insert(ProfessionalIncome), [{"person_id": ans, "year": 2025, "amount_cents": 5_000_000,
                                                "source": "tax", "assessed_on": D(2026, 1, 10)}])
    with session_scope(db_url) as s:
        computed = ys.one(s, ans, 2025, AS_OF).regularisation
    assert computed.status == "computed" and computed.basis == 5_000_000 and computed.amount > 0
    # the regularisation batch assesses it: the summary shows the notice's amount and due date
    regularisation_batch.run(db_url, 2025, notice_date=D(2026, 1, 20), fee_rate="0.04")
    with session_scope(db_url) as s:
        assessed = ys.one(s, ans, 2025, AS_OF).regularisation
    assert assessed.status == "assessed" and assessed.amount == computed.amount and assessed.due_date == D(2026, 6, 30)


def test_a_primostarters_expected_regularisation_counts_the_first_quarter_reduction_the_call_took_off():
    # started in April 2024, called 331.22 (446.25 − 115.03) then 446.25 twice; on the provisional basis nothing
    # changes, on a 9,000.00 income the definitive first quarter is 615.00 − 115.03 (rules.regularisation)
    from caisse.rules.contributions import regularisation as rule

    calcs = {q: {"year": 2024, "quarter": q, "category": "main", "primostarter": True, "starter": True,
                 **({"start_quarter": 2} if q == 2 else {})} for q in (2, 3, 4)}
    called = {2: 33122, 3: 44625, 4: 44625}
    assert ys.regularisation_figure(2024, calcs=calcs, called=called).amount == 0
    taxed = ys.regularisation_figure(2024, calcs=calcs, called=called, tax_income=900_000)
    assert taxed.status == "computed" and taxed.amount == rule(
        2024, "main", "9000.00", ["331.22", "446.25", "446.25"], quarters=3, primostarter=True,
        start_quarter=2).difference == 3 * (61500 - 44625)


def test_an_unpublished_parameter_is_not_known_yet_never_a_number():
    nxt = ys.next_due(2026, D(2027, 1, 15), ("2026Q4", 30000, D(2026, 12, 31)))
    assert nxt.due_date == D(2027, 3, 31) and nxt.amount is None and "2027" in nxt.unknown
    reg = ys.regularisation_figure(2027, calcs={1: {"year": 2027, "quarter": 1, "category": "main",
                                                    "reference_income": 1_200_000}}, called={1: 30000})
    assert reg.status == "unknown" and reg.amount is None and "revaluation_coefficient" in reg.unknown
    cert = tax_certificates.Certificate(7, 2027, "nl")
    x = ys.YearlySummary(7, 2027, "nl", D(2027, 1, 15), cert, next_due=nxt, regularisation=reg)
    doc = lines_for(x)
    assert doc["next"] == "Volgende vervaldag: 31-03-2027, bedrag nog niet gekend (de wettelijke bedragen van " \
                          "2027 zijn nog niet bekendgemaakt)."
    assert "nog niet gekend" in doc["regularisation"] and "€" not in doc["regularisation"]
    assert x.to_json()["regularisation"] == {"status": "unknown", "amount": None, "due_date": None, "basis": None,
                                             "basis_kind": None, "unknown": reg.unknown, "uses_estimates": False}


def test_the_pdf_in_dutch_reads_back_with_the_dutch_labels(db_url, three_paid):
    ans, _ = three_paid
    with session_scope(db_url) as s:
        x = ys.one(s, ans, 2025, AS_OF)
    text = PdfReader(io.BytesIO(render_summary(x, ("Ans Peeters", ["Meir 1", "2000 Antwerpen"]))),
                     strict=True).pages[0].extract_text()
    for label in ("Jaaroverzicht 2025", "Wat u in 2025 betaald heeft", "Fiscaal aftrekbaar bedrag",
                  "Welke rechten dat opende", "Kwartaal", "Pensioen", "Gezondheidszorg", "betaald", "onbetaald",
                  "in orde", "niet in orde", "Wat u nog te wachten staat", "Regularisatie 2025 — raming",
                  "Ans Peeters", "2025Q4"):
        assert label in text, label
    # a name the standard fonts cannot show takes reportlab's path (DejaVu embedded), also readable
    text = PdfReader(io.BytesIO(render_summary(x, ("Łucja Kowalska", []))), strict=True).pages[0].extract_text()
    assert "Łucja" in text and "Jaaroverzicht 2025" in text


def test_the_batch_records_one_notice_per_person_and_a_rerun_does_nothing(db_url, three_paid, tmp_path):
    ans, bea = three_paid
    first = ys.run(db_url, 2025, as_of=AS_OF)
    assert first.posted == 2 and first.debtors == 2
    with session_scope(db_url) as s:
        rows = s.execute(select(Notice.party_id, Notice.kind, Notice.period, Notice.amount_cents, Notice.key)
                         .where(Notice.batch_key == "yearly-summaries/2025").order_by(Notice.party_id)).all()
        paid = tax_certificates.one(s, ans, 2025, today=AS_OF).paid
    assert [tuple(r) for r in rows] == [(ans, "summary", "2025", paid, f"yearly-summary/2025/{ans}"),
                                        (bea, "summary", "2025", 0, f"yearly-summary/2025/{bea}")]
    again = ys.run(db_url, 2025, as_of=AS_OF)
    assert again.finished_before and again.posted == 0
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "summary")) == 2
        nid = s.scalar(select(Notice.id).where(Notice.party_id == ans, Notice.kind == "summary"))
        text = PdfReader(io.BytesIO(notice_pdf(s, nid))).pages[0].extract_text()
    assert "Jaaroverzicht 2025" in text  # the recorded notice renders as the summary, as of the batch's date
    out = tmp_path / "pdfs"
    assert ys.write_pdfs(db_url, 2025, out) == 2
    assert sorted(p.name for p in out.iterdir()) == [f"{ans}-2025-summary.pdf", f"{bea}-2025-summary.pdf"]


def test_the_command_runs_the_batch_and_refuses_a_year_not_ended(db_url, three_paid, tmp_path):
    r = runner.invoke(app, ["run", "yearly-summaries", "--year", "2025", "--as-of", "2026-01-31",
                            "--output-dir", str(tmp_path / "pdfs"), "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "yearly-summaries/2025: finished" in r.output and "written 2 summaries" in r.output
    r = runner.invoke(app, ["run", "yearly-summaries", "--year", "2025", "--db", db_url])
    assert r.exit_code == 0 and "already finished" in r.output
    r = runner.invoke(app, ["run", "yearly-summaries", "--year", "2026", "--as-of", "2026-06-01", "--db", db_url])
    assert r.exit_code == 2 and "year" in r.output
    with pytest.raises(InvalidInput):
        ys.check_year(2031, AS_OF)


def test_the_person_types_an_income_and_sees_the_regularisation_it_would_give(db_url, three_paid):
    # Ans was called the 2025 main minimum (four quarters, fee 4 %); an income of 50,000.00 makes each quarter
    # 50,000 × 20.50 % / 4 = 2,562.50, 2,665.00 with the fee: the regularisation would ask 4 × (2,665.00 − called)
    ans, _ = three_paid
    called = _due(db_url, ans, "2025Q4")  # unpaid: what the call asked
    with session_scope(db_url) as s:
        fc = ys.forecast(s, ans, 2025, 5_000_000, AS_OF)
    assert (fc.regularisation.status, fc.regularisation.amount, fc.assumed) == ("forecast", 4 * (266_500 - called), [])
    # the income the provisional contributions rest on gives what the summary's estimate says: 0
    with session_scope(db_url) as s:
        basis = ys.one(s, ans, 2025, AS_OF).regularisation.basis
        assert ys.forecast(s, ans, 2025, basis, AS_OF).regularisation.amount == 0
        # a lower income cannot go below the minimum: nothing comes back
        assert ys.forecast(s, ans, 2025, 100_000, AS_OF).regularisation.amount == 0
        with pytest.raises(InvalidInput, match="income"):
            ys.forecast(s, ans, 2025, -1, AS_OF)
    # once assessed, the year answers with its assessment whatever the income typed
    with session_scope(db_url) as s:
        s.execute(insert(ProfessionalIncome), [{"person_id": ans, "year": 2025, "amount_cents": 5_000_000,
                                                "source": "tax", "assessed_on": D(2026, 1, 10)}])
    regularisation_batch.run(db_url, 2025, notice_date=D(2026, 1, 20), fee_rate="0.04")
    with session_scope(db_url) as s:
        assessed = ys.forecast(s, ans, 2025, 100_000, AS_OF).regularisation
    assert (assessed.status, assessed.amount) == ("assessed", 4 * (266_500 - called))


def test_in_the_middle_of_the_year_the_quarters_not_called_yet_count_like_the_last(fund):
    url = fund.url
    ana = fund.person(language="fr", incomes={2022: "12000.00"})
    for quarter in ("2025Q1", "2025Q2"):
        quarterly_call.run(url, quarter, fee_rate="0.04")
    called = _due(url, ana, "2025Q2")
    with session_scope(url) as s:
        fc = ys.forecast(s, ana, 2025, 5_000_000, D(2025, 5, 15))
    assert (fc.regularisation.amount, fc.assumed) == (4 * (266_500 - called), [3, 4])
    from caisse.documents.yearly_summary import forecast_lines

    text = forecast_lines(fc, "fr")
    assert text["text"].startswith("Sur un revenu 2025 de 50 000,00 €, la régularisation 2025 serait de ")
    assert text["assumed"] == "Pas encore appelés : 2025Q3, 2025Q4, comptés comme le dernier trimestre."
    # the affiliation ends on 30 June: nothing more is assumed, and the income of two quarters is annualised as the
    # regularisation does it (50,000 over two quarters is 100,000 a year: 20.50 % to 73,447.52, 14.16 % above)
    from caisse.rules.contributions import contribution

    half = contribution(2025, "main", "100000.00", fee_rate="0.04").quarters[0].total
    from sqlalchemy import update

    from caisse.store.models import Affiliation

    with session_scope(url) as s:
        s.execute(update(Affiliation).where(Affiliation.person_id == ana).values(end_date=D(2025, 6, 30)))
    with session_scope(url) as s:
        fc = ys.forecast(s, ana, 2025, 5_000_000, D(2025, 5, 15))
    assert (fc.regularisation.amount, fc.assumed) == (2 * (half - called), []) and half == 489_231
