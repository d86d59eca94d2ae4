"""A company director whose company is called: the company answers for its director's unpaid contributions for the
period of the mandate (art. 15 AR n° 38 [S32]) — called by registered letter, which interrupts prescription for
all the jointly liable; what it pays settles the director's quarter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from caisse.documents.joint_call_letters import joint_call_pdf
from caisse.errors import InvalidInput
from caisse.ledger import DebtLine, balances, charge
from caisse.recovery import joint
from caisse.recovery.models import JointCall, PrescriptionInterruption
from caisse.recovery.prescription import report
from caisse.security.authz import Principal
from caisse.services.affiliation import add_director
from caisse.store.db import session_scope

CLERK = Principal.system("cli:recovery-officer")
Q = 89042


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def open_by_period(url, party) -> dict[str, int]:
    with session_scope(url) as s:
        out: dict[str, int] = {}
        for b in balances(s, party_id=party, accounts=("contribution",)):
            out[b.period] = out.get(b.period, 0) + b.balance_cents
        return out


@pytest.fixture
def story(db_url, fund):
    """Dan, self-employed since 2019, director of Dan & Co BV from 1 July 2021; his 2021Q2 and 2021Q3 unpaid."""
    dan = fund.person(category="main", start=d("2019-01-01"))
    ann = fund.person(category="main", start=d("2019-01-01"))  # never a director
    co = fund.company(start=d("2019-01-01"), language="nl")
    with session_scope(db_url) as s:
        add_director(s, co, ann, d("2019-01-01"), CLERK)  # the company's first director
        add_director(s, co, dan, d("2021-07-01"), CLERK)
        for period, due in (("2021Q2", "2021-06-30"), ("2021Q3", "2021-09-30")):
            charge(s, f"call/{dan}/{period}", dan, period, d(due), d(due) - dt.timedelta(days=80),
                   [DebtLine("contribution", Q, "RD38 art.12 §1", "test")])
    return dan, ann, co


def test_the_company_is_called_for_the_mandate_quarters_pays_and_the_directors_quarter_is_settled(db_url, story,
                                                                                                  tmp_path):
    dan, _ann, co = story
    # 2021Q2 is before the mandate: the company does not answer for it
    with session_scope(db_url) as s:
        jc = joint.call(s, CLERK, co, dan, d("2026-05-15"), "Dan cannot be reached; his company can pay")
        call_id = jc.id
        assert jc.periods == [{"period": "2021Q3", "account": "contribution", "cents": Q}]
        assert jc.amount_cents == Q and jc.language == "nl"
        pdf = joint_call_pdf(s, call_id)
    assert pdf.startswith(b"%PDF") and b"Hoofdelijke aansprakelijkheid" in pdf and b"890,42" in pdf
    for lang, words in (("fr", b"Responsabilit"), ("de", b"Gesamtschuldnerische Haftung")):
        with session_scope(db_url) as s:
            s.get(JointCall, call_id).language = lang
            assert words in joint_call_pdf(s, call_id)

    # the registered letter to the company interrupts the prescription of Dan's debt: five new years
    rows = {r["period"]: r for r in report(db_url, d("2026-06-01"), within_days=3660)["rows"] if r["debtor"] == dan}
    assert (rows["2021Q3"]["last_interruption"], rows["2021Q3"]["last_interruption_kind"]) == (
        "2026-05-15", "formal_notice")
    assert rows["2021Q3"]["prescription_date"] == "2031-05-16"
    assert rows["2021Q2"]["prescription_date"] == "2027-01-01" and rows["2021Q2"]["last_interruption"] is None

    # the company pays what it was called for: Dan's 2021Q3 is settled, never his 2021Q2
    with session_scope(db_url) as s:
        result = joint.pay(s, CLERK, call_id, "coda/co/2026-06-10/1", Q + 5000, d("2026-06-10"))
        assert result.imputation is not None
        again = joint.pay(s, CLERK, call_id, "coda/co/2026-06-10/1", Q + 5000, d("2026-06-10"))
        assert not again.receipt.created  # the same bank line twice books nothing twice
    assert open_by_period(db_url, dan) == {"2021Q2": Q, "2021Q3": 0}
    with session_scope(db_url) as s:
        from caisse.ledger import credit_available

        assert credit_available(s, dan) == 5000  # what exceeds the call stays the director's credit


def test_a_joint_call_outside_the_mandate_or_for_a_non_director_is_refused_naming_the_field(db_url, story):
    dan, ann, co = story
    for kwargs, field, words in (
            ({"director_id": dan, "periods": ["2021Q2"]}, "period", "outside the mandate"),
            ({"director_id": dan, "periods": ["2021Q7"]}, "period", "2021Q2 or 2021"),
            ({"director_id": dan, "periods": ["2021Q4"]}, "period", "nothing of 2021Q4 is due"),
            ({"director_id": co + 100}, "director", "no person"),
            ({"director_id": dan, "company_id": 999}, "company", "no company")):
        args = {"company_id": co, **kwargs}
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            joint.call(s, CLERK, args.pop("company_id"), args.pop("director_id"), d("2026-05-15"), "called",
                       periods=args.get("periods"))
        assert err.value.field == field and words in err.value.message, err.value
    with session_scope(db_url) as s:  # Ann's own debts: she owes nothing for her mandate
        with pytest.raises(InvalidInput) as err:
            joint.call(s, CLERK, co, ann, d("2026-05-15"), "called")
        assert err.value.field == "director"
        assert s.scalar(select(func.count()).select_from(JointCall)) == 0
        assert s.scalar(select(func.count()).select_from(PrescriptionInterruption)) == 0


def test_the_command_line_calls_the_company_and_refuses_a_period_outside_the_mandate(db_url, story, tmp_path):
    from typer.testing import CliRunner

    from caisse.cli import _app

    dan, _ann, co = story
    runner = CliRunner()
    bad = runner.invoke(_app.app, ["recovery", "joint-call", "--company", str(co), "--director", str(dan),
                                   "--as-of", "2026-05-15", "--period", "2021Q2", "--db", db_url])
    assert bad.exit_code == 2 and bad.output.startswith("error: period: 2021Q2 is outside the mandate"), bad.output
    letter = tmp_path / "call.pdf"
    ok = runner.invoke(_app.app, ["recovery", "joint-call", "--company", str(co), "--director", str(dan),
                                  "--as-of", "2026-05-15", "--output", str(letter), "--db", db_url])
    assert ok.exit_code == 0 and "890.42 EUR owed by director" in ok.output, ok.output
    assert letter.read_bytes().startswith(b"%PDF")
    paid = runner.invoke(_app.app, ["recovery", "joint-payment", "--call", "1", "--amount", "890.42", "--on",
                                    "2026-06-10", "--key", "coda/co/1", "--db", db_url])
    assert paid.exit_code == 0, paid.output
    assert open_by_period(db_url, dan)["2021Q3"] == 0
    rec = runner.invoke(_app.app, ["recovery", "interruption", "--debtor", str(dan), "--on", "2026-07-01", "--kind",
                                   "summons", "--reason", "company summoned before the labour court", "--period",
                                   "2021Q2", "--via", str(co), "--db", db_url])
    assert rec.exit_code == 0, rec.output
    rows = {r["period"]: r for r in report(db_url, d("2026-07-02"), within_days=3660)["rows"] if r["debtor"] == dan}
    assert (rows["2021Q2"]["last_interruption_kind"], rows["2021Q2"]["prescription_date"]) == ("summons",
                                                                                               "2031-07-02")
    shown = runner.invoke(_app.app, ["recovery", "show", "--debtor", str(dan), "--db", db_url]).output
    assert "interruption   summons          2021Q2 via" in shown and "joint call 1: company" in shown, shown
    wrong = runner.invoke(_app.app, ["recovery", "interruption", "--debtor", str(dan), "--on", "2026-07-01",
                                     "--kind", "payment", "--reason", "x", "--db", db_url])
    assert wrong.exit_code == 2 and wrong.output.startswith("error: kind:"), wrong.output


def test_the_company_never_answers_for_a_directors_judicial_costs(db_url, story):
    """Contributions, surcharges and reminder costs only [S32]: a bailiff's costs charged to Dan stay his alone."""
    dan, _ann, co = story
    with session_scope(db_url) as s:
        charge(s, f"partner/HUI/{dan}/costs", dan, "2021Q3", d("2025-02-01"), d("2025-02-01"),
               [DebtLine("costs", 12_000, "Judicial Code art. 1018", "bailiff", {"cost_kind": "bailiff"})])
    with session_scope(db_url) as s:
        jc = joint.call(s, CLERK, co, dan, d("2026-05-15"), "Dan cannot be reached; his company can pay")
        assert jc.periods == [{"period": "2021Q3", "account": "contribution", "cents": Q}] and jc.amount_cents == Q


def test_a_call_dated_in_the_future_is_refused_by_the_service_whoever_calls(db_url, story):
    """A joint call is an act done: dated tomorrow it is refused by the service itself — so the desk and any other
    caller get the refusal the command line gave — for both calls, naming the day, and nothing is written."""
    dan, _ann, co = story
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    for call in (lambda s, day, **kw: joint.call(s, CLERK, co, dan, day, "called", **kw),
                 lambda s, day, **kw: joint.call_director(s, CLERK, co, dan, day, "called", **kw)):
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            call(s, tomorrow)
        assert err.value.field == "as_of" and err.value.message == f"{tomorrow.isoformat()} is in the future"
        with pytest.raises(InvalidInput, match="in the future"), session_scope(db_url) as s:
            call(s, d("2026-05-15"), today=d("2026-05-14"))  # the day the caller says it is
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(JointCall)) == 0
        assert s.scalar(select(func.count()).select_from(PrescriptionInterruption)) == 0
        assert joint.call(s, CLERK, co, dan, today, "called").called_on == today  # today itself is fine
