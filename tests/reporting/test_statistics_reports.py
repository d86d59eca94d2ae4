"""The statistics added to `caisse report` (payment plans, recovery stages, benefits, company contributions,
surcharges, write-offs, service levels, case backlog, collection rate), each built from the known small fund and
checked figure by figure — by hand from the story, and against the ledger and the case data as of the date."""

from __future__ import annotations

import datetime as dt
import io
import json

import pypdf
import pytest
from sqlalchemy import func, select
from stats_story import COMPANY, build_stats
from typer.testing import CliRunner

from caisse.cli import app
from caisse.ledger import balances
from caisse.ledger.models import PRINCIPAL, RECEIVABLE, LedgerEntry, LedgerTransaction
from caisse.reporting.reports import REPORTS, build, collection
from caisse.store.db import session_scope

D = dt.date
END = D(2025, 12, 31)
runner = CliRunner()


def _by(report, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in report.rows}


def _ledger_sum(s, as_of, accounts, kinds=None):
    q = (select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
         .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
         .where(LedgerTransaction.booked_on <= as_of, LedgerEntry.account.in_(accounts)))
    if kinds:
        q = q.where(LedgerTransaction.kind.in_(kinds))
    return int(s.scalar(q))


@pytest.fixture
def stats(fund):
    return build_stats(fund)


def test_payment_plans_by_state_with_the_money_the_ledger_received(db_url, stats):
    st = stats.st
    q = st.q
    with session_scope(db_url) as s:
        rows = _by(build(s, "payment-plans", END), "state")
        mid = _by(build(s, "payment-plans", D(2025, 6, 30)), "state")
    got = {k: (r["plans"], r["debt"], r["instalments_due"], r["paid"]) for k, r in rows.items()}
    assert got == {
        "pending": (1, 2 * st.q_dan, 0, 0),  # dan asked on 20 December; first instalment in January
        "running": (1, 3 * q, 10000, 5000),  # cy: two instalments of 50 due, paid 50 (the other 50 in 2026)
        "completed": (1, q, q, q),  # eve paid her quarter during the plan
        "broken": (1, 2 * q, 2 * q, 0),  # bo paid nothing from the day he asked
        "refused": (1, q, 0, 0),  # ana's was refused: no instalment counted
        "granted": (3, 6 * q, 10000 + 3 * q, 5000 + q),
    }
    assert rows["running"]["down_payment"] == 5000 and rows["granted"]["debtors"] is None
    # as of 30 June: bo's plan was still running, cy's not yet asked
    assert {k: r["plans"] for k, r in mid.items()} == {"pending": 0, "running": 1, "completed": 1, "broken": 0,
                                                        "refused": 1, "granted": 2}
    assert mid["running"]["debt"] == 2 * q and mid["running"]["paid"] == 0


def test_recovery_stages_add_up_to_every_debtor_in_arrears_in_the_ledger(db_url, stats):
    st = stats.st
    with session_scope(db_url) as s:
        rows = _by(build(s, "recovery-stages", END), "stage")
        owed: dict[int, int] = {}
        for b in balances(s, as_of=END, accounts=RECEIVABLE):  # due by the end of END, unpaid (as the batch)
            if b.balance_cents > 0 and b.due_date is not None and b.due_date <= END:
                owed[b.party_id] = owed.get(b.party_id, 0) + b.balance_cents
    assert (rows["plan"]["debtors"], rows["plan"]["amount"]) == (1, owed[st.cy])
    assert (rows["reminder"]["debtors"], rows["reminder"]["amount"]) == (1, owed[st.bo])
    assert rows["statement"]["debtors"] == 0  # cy moved on to her plan
    assert (rows["in_arrears"]["debtors"], rows["in_arrears"]["amount"]) == (len(owed), sum(owed.values()))
    # dan, eve and the company that did not pay are in arrears without a file
    without = {st.dan, st.eve, stats.owing_company}
    assert set(owed) == {st.bo, st.cy} | without
    assert rows["in_arrears_without_open_file"] == {"stage": "in_arrears_without_open_file", "debtors": 3,
                                                    "amount": sum(owed[p] for p in without)}
    assert rows["total_open"]["amount"] + rows["in_arrears_without_open_file"]["amount"] == rows["in_arrears"]["amount"]
    with session_scope(db_url) as s:  # on 1 August cy still stood at the reminder
        aug = _by(build(s, "recovery-stages", D(2025, 8, 1)), "stage")
    assert aug["reminder"]["debtors"] == 2 and aug["plan"]["debtors"] == 0


def test_benefits_by_kind_match_the_ledger(db_url, stats):
    with session_scope(db_url) as s:
        rows = _by(build(s, "benefits", END), "kind")
        expense = _ledger_sum(s, END, ("benefit_expense",))
        payable = -_ledger_sum(s, END, ("benefit",))
        april = _by(build(s, "benefits", D(2025, 4, 15)), "kind")
    b = rows["bridging_right"]
    assert (b["received"], b["granted"], b["granted_amount"], b["paid"], b["paid_amount"], b["to_pay"]) == \
        (1, 1, 180000, 1, 180000, 0)
    leave = rows["birth_leave"]
    assert (leave["granted"], leave["decided_late"], leave["to_pay"], leave["payment_late"]) == (1, 1, 90000, 1)
    m = rows["maternity"]
    assert (m["received"], m["granted"], m["refused"], m["paid_by_mutuality"], m["granted_amount"]) == (2, 1, 1, 1, 0)
    assert (rows["carer"]["received"], rows["carer"]["pending"]) == (1, 1)
    total = rows["total"]
    assert (total["received"], total["pending"], total["granted"], total["refused"]) == (5, 1, 3, 1)
    # the decisions' amounts = what the grants posted = the ledger's benefit expense; to pay = the payable's balance
    assert total["granted_amount"] == total["ledger_granted"] == expense == 270000
    assert total["to_pay"] == payable == 90000 and total["paid_amount"] == 180000
    assert (april["bridging_right"]["paid"], april["bridging_right"]["to_pay"]) == (0, 180000)
    assert april["total"]["received"] == 2 and april["maternity"]["pending"] == 1


def test_company_contributions_match_the_collection_report(db_url, stats):
    with session_scope(db_url) as s:
        rows = _by(build(s, "company-contributions", END), "year")
        coll = _by(collection(s, END), "period")
    y = rows["2025"]
    assert (y["companies_called"], y["called"], y["collected"], y["outstanding"], y["companies_in_arrears"]) == \
        (2, 2 * COMPANY, COMPANY, COMPANY, 1)
    assert (y["surcharges_charged"], y["surcharges_outstanding"]) == (2000, 2000)
    assert y["collected"] + y["written_off"] + y["outstanding"] == y["called"]
    for col in ("called", "collected", "written_off", "outstanding"):  # only companies owe a yearly period here
        assert y[col] == coll["2025"][col]


def test_surcharges_and_write_offs_match_the_collection_report(db_url, stats):
    with session_scope(db_url) as s:
        sur = _by(build(s, "surcharges", END), "period", "debtor_kind")
        wo = build(s, "write-offs", END).rows
        coll = _by(collection(s, END), "period")
        fund_write_off = _ledger_sum(s, END, ("write_off",))
    assert (sur[("2024Q4", "person")]["charged"], sur[("2024Q4", "person")]["collected"]) == (1500, 1500)
    q2 = sur[("2025Q2", "person")]
    assert (q2["debtors_charged"], q2["charged"], q2["debtors_waived"], q2["waived"], q2["outstanding"]) == \
        (1, 2000, 1, 2000, 0)
    assert (sur[("2025", "company")]["charged"], sur[("2025", "company")]["outstanding"]) == (2000, 2000)
    total = sur[("total", "all")]
    for col in ("charged", "collected", "waived", "outstanding"):
        assert total[col] == coll["total"][f"surcharges_{col if col != 'charged' else 'charged'}"]
        assert sum(r[col] for k, r in sur.items() if k != ("total", "all")) == total[col]
    assert [(r["year"], r["account"], r["rule"], r["write_offs"], r["amount"]) for r in wo] == [
        ("2025", "contribution", "RD 19-12-1967 art. 50bis", 1, 10000),
        ("2025", "surcharge", "waiver", 1, 2000),
        ("total", "all", "", 2, 12000),
        ("total", "principal", "", None, 10000),
    ]
    # principal written off = the collection report's; all of it = the fund's write-off account
    assert wo[-1]["amount"] == coll["total"]["written_off"] and wo[-2]["amount"] == fund_write_off


def test_service_levels_per_channel_and_kind(db_url, stats):
    with session_scope(db_url) as s:
        report = build(s, "service-levels", END)
        rows = _by(report, "channel", "kind")
        from caisse.cases.models import Case
        from caisse.cases.service import PERSON_KINDS

        in_window = s.scalar(select(func.count()).select_from(Case).where(
            Case.kind.in_(PERSON_KINDS), Case.opened_on.between(D(2025, 1, 1), END)))
    assert report.params == {"since": "2025-01-01"}
    portal = rows[("portal", "question")]
    assert (portal["deadline"], portal["deadline_status"], portal["received"], portal["first_answer_median_days"],
            portal["decision_median_days"], portal["decided_in_time"], portal["share_in_time"]) == \
        ("45 days", "official", 1, 2, 2, 1, "1.0000")
    phone = rows[("phone", "question")]
    assert (phone["first_answer_median_days"], phone["decision_median_days"], phone["decided_in_time"],
            phone["share_in_time"]) == (10, 52, 0, "0.0000")
    both = rows[("all", "question")]  # the 2024 question is outside the window
    assert (both["received"], both["first_answer_median_days"], both["first_answer_p90_days"],
            both["share_in_time"]) == (2, 2, 10, "0.5000")
    complaint = rows[("email", "complaint")]
    assert (complaint["pending"], complaint["pending_overdue"], complaint["share_in_time"]) == (1, 1, "0.0000")
    assert rows[("portal", "payment_plan")]["share_in_time"] is None  # nothing decided, nothing overdue yet
    claim = rows[("portal", "benefit_claim")]  # answered in January 2026: pending on the reference date
    assert (claim["deadline"], claim["first_answers"], claim["decided"], claim["pending"]) == ("4 months", 0, 0, 1)
    everything = rows[("all", "all")]
    assert (everything["received"], everything["decided"], everything["decided_in_time"], everything["pending"],
            everything["pending_overdue"], everything["share_in_time"]) == (in_window, 2, 1, 4, 1, "0.3333")
    assert ("system", "unmatched_payment") not in rows and ("all", "unmatched_payment") not in rows


def test_case_backlog_by_age(db_url, stats):
    with session_scope(db_url) as s:
        rows = _by(build(s, "case-backlog", END), "queue", "age")
    got = {k: (r["pending"], r["overdue"], r["due_within_7_days"]) for k, r in rows.items() if r["pending"]}
    assert got == {
        ("requests", "0-7"): (1, 0, 1),  # the reduction asked on 28 December, due on 5 January
        ("requests", "8-30"): (2, 0, 0),  # the plan asked on 20 December, the benefit claim of 15 December
        ("requests", "31-60"): (1, 1, 0),  # the complaint of 1 November, due on 1 December
        ("requests", "total"): (4, 1, 1),
        ("fund_tasks", "8-30"): (1, 1, 0),  # the unmatched payment
        ("fund_tasks", "total"): (1, 1, 0),
    }


def test_collection_rate_is_collected_over_called(db_url, stats):
    with session_scope(db_url) as s:
        rows = _by(build(s, "collection-rate", END), "period")
        coll = _by(collection(s, END), "period")
    assert rows["2024Q4"]["collection_rate"] == "1.0000"
    assert rows["2025"]["collection_rate"] == "0.5000"  # one company of two paid
    for period, r in rows.items():
        assert r["called"] == coll[period]["called"] and r["collected"] == coll[period]["collected"]
        assert abs(float(r["collection_rate"]) - r["collected"] / r["called"]) < 0.0001


def test_every_report_prints_as_pdf_csv_and_json_without_personal_data(db_url, stats, tmp_path):
    from caisse.store.models import Person

    with session_scope(db_url) as s:
        names = [n for (n,) in s.execute(select(Person.last_name))]
        nisses = [n for (n,) in s.execute(select(Person.niss))]
    for name in REPORTS:
        out = tmp_path / f"{name}.pdf"
        result = runner.invoke(app, ["report", name, "--as-of", "2025-12-31", "--format", "pdf", "--output",
                                     str(out), "--language", "nl", "--db", db_url])
        assert result.exit_code == 0, (name, result.output)
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages)
        assert "Caisse d'assurances sociales" in text and "2025-12-31" in text and "Referentiedatum" in text, name
        csv_text = runner.invoke(app, ["report", name, "--as-of", "2025-12-31", "--db", db_url]).output
        json_text = runner.invoke(app, ["report", name, "--as-of", "2025-12-31", "--format", "json",
                                        "--db", db_url]).output
        assert json.loads(json_text)["report"] == name
        for body in (text, csv_text, json_text):
            assert not any(n in body for n in names + nisses), name
    text = pypdf.PdfReader(tmp_path / "payment-plans.pdf").pages[0].extract_text()
    assert "Afbetalingsplannen" in text and "running" in text
    fr = tmp_path / "benefits-fr.pdf"
    runner.invoke(app, ["report", "benefits", "--as-of", "2025-12-31", "--format", "pdf", "--output", str(fr),
                        "--db", db_url])
    text = pypdf.PdfReader(fr).pages[0].extract_text()
    assert "Prestations" in text and "1800.00" in text  # the bridging right granted and paid


def test_bad_input_for_the_new_reports(db_url, fund):
    for args, message in [
        (["report", "benefits", "--as-of", "2025-12-31", "--format", "pdf"], "error: output:"),
        (["report", "benefits", "--as-of", "2025-12-31", "--format", "pdf", "--output", "x.pdf", "--language", "it"],
         "error: language:"),
        (["report", "payment-plans", "--as-of", "2025-12-31", "--since", "2025-01-01"], "error: since:"),
        (["report", "service-levels", "--as-of", "2025-01-01", "--since", "2025-06-01"], "error: since:"),
    ]:
        result = runner.invoke(app, [*args, "--db", db_url])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) == 1, (args, result.output)


def test_reports_on_an_empty_fund(db_url, fund, tmp_path):
    """Every report answers on a fund with nothing in it (zeros, or no rows), and so does its PDF."""
    with session_scope(db_url) as s:
        for name in REPORTS:
            report = build(s, name, END)
            assert report.to_pdf("Fund", "de").startswith(b"%PDF"), name
    assert PRINCIPAL
