"""The converse joint call: a company's mandataries are jointly liable for its annual contribution (legislation.md
§6 [S32], addendum 2026-11 §7 [S200]). A director is called by registered letter for the company contribution
left unpaid; the debt stays once, on the company's account, so whoever pays — the company or the director — settles
it once. Which mandate answers for which year the notes do not say: a year outside the mandate is the caseworker's
decision, never the code's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.documents.joint_call_letters import joint_call_pdf
from caisse.errors import InvalidInput
from caisse.ledger import DebtLine, balances, charge, credit_available, receive_payment
from caisse.ledger.check import run_check
from caisse.recovery import joint
from caisse.recovery.models import JointCall, PrescriptionInterruption
from caisse.recovery.prescription import report
from caisse.references import for_company_contribution
from caisse.security.authz import Principal
from caisse.services.affiliation import add_director, end_director
from caisse.store.db import session_scope

CLERK = Principal.system("cli:recovery-officer")
SMALL_2024, SMALL_2025 = 38734, 39973  # company contribution, small company [S36]


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def company_open(url, co) -> dict[str, int]:
    with session_scope(url) as s:
        return {b.period: b.balance_cents for b in balances(s, party_id=co, accounts=("company_contribution",))}


@pytest.fixture
def story(db_url, fund):
    """Dirk & Co BV: Ann director from 2019 until 30 June 2024, Dirk from 1 June 2024; the 2024 and 2025 company
    contributions unpaid."""
    ann = fund.person(category="main", start=d("2019-01-01"))
    dirk = fund.person(category="main", start=d("2019-01-01"), language="de")
    eve = fund.person(category="main", start=d("2019-01-01"))  # never a director
    co = fund.company(start=d("2019-01-01"), language="nl")
    with session_scope(db_url) as s:
        add_director(s, co, ann, d("2019-01-01"), CLERK)
        add_director(s, co, dirk, d("2024-06-01"), CLERK)
        end_director(s, co, ann, d("2024-06-30"), CLERK)
        for year, cents in (("2024", SMALL_2024), ("2025", SMALL_2025)):
            charge(s, f"company-call/{year}/{co}", co, year, d(f"{year}-12-31"), d(f"{year}-10-01"),
                   [DebtLine("company_contribution", cents, "RD38 art. 91", "company_contribution_small")])
    return ann, dirk, eve, co


def test_a_director_is_called_the_company_pays_one_year_the_director_the_other_and_nothing_is_collected_twice(
        db_url, story):
    _ann, dirk, _eve, co = story
    with session_scope(db_url) as s:
        jc = joint.call_director(s, CLERK, co, dirk, d("2026-03-02"), "the company does not answer our letters")
        call_id = jc.id
        assert (jc.liable, jc.language, jc.amount_cents) == ("director", "de", SMALL_2024 + SMALL_2025)
        assert [(x["period"], x["account"], x["cents"]) for x in jc.periods] == [
            ("2024", "company_contribution", SMALL_2024), ("2025", "company_contribution", SMALL_2025)]
        # traceable to the company's ledger: each amount names the charge it comes from
        assert [c["transaction"] for x in jc.periods for c in x["charges"]] == [f"company-call/2024/{co}",
                                                                                f"company-call/2025/{co}"]
        assert jc.decision["mandate_covers"] == {"2024": True, "2025": True}
        assert "[S32]" in jc.decision["sources"] and "[S200]" in jc.decision["sources"]
        pdf = joint_call_pdf(s, call_id)
    assert pdf.startswith(b"%PDF") and b"Gesamtschuldnerische Haftung" in pdf and b"787,07" in pdf
    for lang, words in (("fr", b"cotisation annuelle de la soci"), ("nl", b"jaarlijkse bijdrage van de")):
        with session_scope(db_url) as s:
            s.get(JointCall, call_id).language = lang
            assert words in joint_call_pdf(s, call_id)

    # the registered letter to the director interrupts the company's debts: five new years from the day after
    rows = {r["period"]: r for r in report(db_url, d("2026-04-01"), within_days=3660)["rows"] if r["debtor"] == co}
    assert (rows["2024"]["last_interruption"], rows["2024"]["prescription_date"]) == ("2026-03-02", "2031-03-03")

    # the company pays its 2024 contribution itself (bank file, its structured communication): Dirk owes less
    with session_scope(db_url) as s:
        receive_payment(s, "coda/co/2024", d("2026-03-10"), SMALL_2024, co,
                        designation=for_company_contribution(co, 2024).designation)
    with session_scope(db_url) as s:
        assert [(x["period"], x["open_cents"]) for x in joint.joint_debts(s, dirk)[0]["items"]] == [
            ("2024", 0), ("2025", SMALL_2025)]
        # Dirk pays everything he was first asked: 2025 is settled, the rest (2024's amount) is his own money
        paid = joint.pay(s, CLERK, call_id, "coda/dirk/1", SMALL_2024 + SMALL_2025, d("2026-03-20"))
        assert paid.imputation is not None
        again = joint.pay(s, CLERK, call_id, "coda/dirk/1", SMALL_2024 + SMALL_2025, d("2026-03-20"))
        assert not again.receipt.created  # the same bank line twice books nothing twice
    assert company_open(db_url, co) == {"2024": 0, "2025": 0}
    with session_scope(db_url) as s:
        assert joint.joint_debts(s, dirk)[0]["open_cents"] == 0
        assert credit_available(s, co) == 0  # the company is never paid twice
        assert credit_available(s, dirk) == SMALL_2024  # Dirk's own credit: refundable, never the company's
        assert run_check(s).ok


def test_a_year_outside_the_mandate_is_the_caseworkers_decision_and_a_non_director_is_refused(db_url, story):
    ann, dirk, eve, co = story
    for args, field, words in (
            ((co, ann), "period", "2025 outside the mandate"),  # Ann left in June 2024
            ((co, dirk), None, None),
            ((co, eve), "director", "no mandate at company"),
            ((co + 100, dirk), "company", "no company"),
            ((co, co), "director", "no person")):
        if field is None:
            continue
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            joint.call_director(s, CLERK, *args, d("2026-03-02"), "the company does not pay")
        assert err.value.field == field and words in err.value.message, err.value
    for periods, field, words in ((["2023"], "period", "nothing of the company contribution 2023"),
                                  (["2024Q1"], "period", "yearly")):
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            joint.call_director(s, CLERK, co, dirk, d("2026-03-02"), "the company does not pay", periods=periods)
        assert err.value.field == field and words in err.value.message, err.value
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(JointCall)) == 0
        assert s.scalar(select(func.count()).select_from(PrescriptionInterruption)) == 0
    # the caseworker decides Ann answers for 2025 too: the call keeps that decision
    with session_scope(db_url) as s:
        jc = joint.call_director(s, CLERK, co, ann, d("2026-03-02"), "Ann managed the company until its end",
                                 outside_mandate=True)
        assert [x["period"] for x in jc.periods] == ["2024", "2025"]
        assert jc.decision["mandate_covers"] == {"2024": True, "2025": False}
        assert jc.decision["outside_mandate_confirmed"] is True
    # nothing due yet: the 2026 contribution falls due on 31 December
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        joint.call_director(s, CLERK, co, dirk, d("2024-12-31"), "the company does not pay")
    assert err.value.field == "company"


def test_the_command_line_calls_the_director_books_his_payment_and_shows_the_joint_debt(db_url, story, tmp_path):
    from typer.testing import CliRunner

    from caisse.cli import _app

    ann, dirk, _eve, co = story
    runner = CliRunner()
    bad = runner.invoke(_app.app, ["recovery", "director-call", "--company", str(co), "--director", str(ann),
                                   "--as-of", "2026-03-02", "--reason", "the company does not pay", "--db", db_url])
    assert bad.exit_code == 2 and bad.output.startswith("error: period: 2025 outside the mandate"), bad.output
    letter = tmp_path / "call.pdf"
    ok = runner.invoke(_app.app, ["recovery", "director-call", "--company", str(co), "--director", str(dirk),
                                  "--as-of", "2026-03-02", "--period", "2025", "--reason", "the company does not pay",
                                  "--output", str(letter), "--db", db_url])
    assert ok.exit_code == 0 and "399.73 EUR of company contribution owed by company" in ok.output, ok.output
    assert letter.read_bytes().startswith(b"%PDF")
    paid = runner.invoke(_app.app, ["recovery", "joint-payment", "--call", "1", "--amount", "100.00", "--on",
                                    "2026-03-20", "--key", "coda/dirk/1", "--db", db_url])
    assert paid.exit_code == 0, paid.output
    assert company_open(db_url, co) == {"2024": SMALL_2024, "2025": SMALL_2025 - 10000}
    shown = runner.invoke(_app.app, ["recovery", "show", "--debtor", str(dirk), "--db", db_url]).output
    assert "director" in shown and "still open 299.73 EUR" in shown, shown
    help_ = runner.invoke(_app.app, ["recovery", "director-call", "--help"])
    assert help_.exit_code == 0 and "--outside-mandate" in help_.output
