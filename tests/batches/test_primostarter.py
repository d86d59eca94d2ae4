"""A primostarter's first quarter of activity in the fund's own batches (AR n° 38 art. 12 §1bis): the quarterly call
and the regularisation take the reduction off the quarter in which the main activity started, to the cent as the
rules engine (``provisional`` / ``regularisation`` with ``start_quarter``), each on a ledger line of its own that
names the rule and the parameter; other quarters and other people are not touched."""

from __future__ import annotations

import datetime as dt

import pytest
from fund import called_before_the_reduction
from sqlalchemy import select, update

from caisse.batches import quarterly_call, regularisation
from caisse.batches.models import Notice
from caisse.batches.quarterly_call import FEE_RULE
from caisse.batches.tax_income import import_file
from caisse.ledger.check import run_check
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.money import fmt
from caisse.rules.contributions import provisional
from caisse.rules.contributions import regularisation as rule
from caisse.store.db import session_scope
from caisse.store.models import Affiliation

FEE = "0.041"  # Securex's rate: 331.22 → 344.80 for the first quarter of 2024 [PRIMO-SECUREX]


def entries(url, key):
    """(account, amount, rule, parameter, explanation) of a transaction's debt lines, in posting order."""
    with session_scope(url) as s:
        return [tuple(r) for r in s.execute(
            select(LedgerEntry.account, LedgerEntry.amount_cents, LedgerEntry.rule, LedgerEntry.parameter,
                   LedgerEntry.explanation).join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(LedgerTransaction.key == key, LedgerEntry.account != "income").order_by(LedgerEntry.id))]


def charged(url, party, period):
    """(contribution, contribution + fee) charged for the quarter (kinds charge and regularisation)."""
    with session_scope(url) as s:
        rows = s.execute(select(LedgerEntry.account, LedgerEntry.amount_cents)
                         .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
                         .where(LedgerEntry.party_id == party, LedgerEntry.period == period,
                                LedgerTransaction.kind.in_(("charge", "regularisation")),
                                LedgerEntry.account.in_(("contribution", "management_fee")))).all()
    return sum(a for acc, a in rows if acc == "contribution"), sum(a for _acc, a in rows)


def start_of(quarter: int, year: int = 2024) -> dt.date:
    return dt.date(year, 3 * quarter - 2, 15)


def tax_file(tmp_path, fund, rows: dict[int, str], year: int = 2024):
    path = tmp_path / "tax.csv"
    path.write_text("niss,year,net_professional_income,assessment_date\n" + "".join(
        f"{fund.niss_of(p)},{year},{income},{year + 1}-10-01\n" for p, income in rows.items()))
    return path


@pytest.mark.parametrize("start", [1, 2, 3, 4])
def test_the_call_takes_the_reduction_off_the_first_quarter_only_as_the_rules_do(db_url, fund, start):
    primo = fund.person(category="main", start=start_of(start), primostarter=True)
    chose = fund.person(category="main", start=start_of(start), primostarter=True, estimate=(2024, "30000.00"))
    plain = fund.person(category="main", start=start_of(start))  # a starter, not a primostarter
    for q in range(start, 5):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate=FEE)
    expected = {
        primo: provisional(2024, "main", starter=True, primostarter=True, start_quarter=start, fee_rate=FEE),
        chose: provisional(2024, "main", chosen_income="30000.00", primostarter=True, start_quarter=start,
                           fee_rate=FEE),
        plain: provisional(2024, "main", starter=True, fee_rate=FEE),
    }
    for person, result in expected.items():
        for qa in result.quarters:
            if qa.quarter < start:
                continue
            period = f"2024Q{qa.quarter}"
            assert charged(db_url, person, period) == (qa.contribution, qa.total), (person, period)
            with session_scope(db_url) as s:
                notice = s.scalar(select(Notice).where(Notice.key == f"quarterly-call/{period}/{person}"))
            assert notice.amount_cents == qa.total
    # Cineyconsult / Securex 2024: 446.25 − 115.03 = 331.22, 344.80 with the fee; the next quarters 446.25 / 464.55
    first = f"quarterly-call/2024Q{start}/{primo}"
    (c, c_amount, c_rule, c_param, c_expl), (r, r_amount, r_rule, r_param, r_expl), (f, f_amount, *_f) = \
        entries(db_url, first)
    assert (c, c_amount, c_rule, c_param) == ("contribution", 44625, "AR n° 38 art. 13bis",
                                              "primostarter_minimum_income@2024-01-01")
    assert c_expl["calc"] == {"year": 2024, "quarter": start, "category": "main", "primostarter": True,
                              "starter": True, "start_quarter": start}
    assert (r, r_amount, r_rule, r_param) == ("contribution", -11503, "AR n° 38 art. 12 §1bis",
                                              "primostarter_first_quarter_reduction@2024-01-01")
    assert r_expl["step"] == "primostarter_first_quarter" and r_expl["calc"] == c_expl["calc"]
    assert "446.25 − 115.03 = 331.22" in r_expl["text"]
    assert (f, f_amount) == ("management_fee", 34480 - 33122)
    if start < 4:  # the next quarter: the regular one, no reduction line, no start quarter in its inputs
        (c2, *_), (f2, *_) = lines = entries(db_url, f"quarterly-call/2024Q{start + 1}/{primo}")
        assert (c2, f2) == ("contribution", "management_fee") and "start_quarter" not in lines[0][4]["calc"]
    assert [e[0] for e in entries(db_url, f"quarterly-call/2024Q{start}/{plain}")] == ["contribution",
                                                                                       "management_fee"]


def test_the_derived_2025_and_2026_reductions_are_used_as_the_rules_use_them(db_url, fund):
    # 2025 and 2026 are derived from the 25.01 legal base (116.03, 118.52): used like the derived 2026 minimum
    # incomes, the entry naming the parameter value
    one = fund.person(category="main", start=dt.date(2025, 7, 1), primostarter=True)
    two = fund.person(category="main", start=dt.date(2026, 1, 2), primostarter=True)
    s25 = quarterly_call.run(db_url, "2025Q3", fee_rate="0")
    s26 = quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    assert charged(db_url, one, "2025Q3")[0] == provisional(2025, "main", starter=True, primostarter=True,
                                                            start_quarter=3).quarters[0].contribution == 33412
    assert charged(db_url, two, "2026Q1")[0] == provisional(2026, "main", starter=True, primostarter=True,
                                                            start_quarter=1).quarters[0].contribution
    assert entries(db_url, f"quarterly-call/2025Q3/{one}")[1][3] == "primostarter_first_quarter_reduction@2025-01-01"
    assert entries(db_url, f"quarterly-call/2026Q1/{two}")[1][1] == -11852
    assert "1 debtors, 116.03 EUR" in s25.details["primostarter first-quarter reduction"]
    assert "118.52 EUR" in s26.details["primostarter first-quarter reduction"]


def test_a_primostarter_started_the_year_before_is_not_reduced_again(db_url, fund):
    late = fund.person(category="main", start=dt.date(2024, 11, 4), primostarter=True)  # first quarter 2024Q4
    quarterly_call.run(db_url, "2025Q1", fee_rate="0")
    assert charged(db_url, late, "2025Q1")[0] == provisional(2025, "main", starter=True,
                                                             primostarter=True).quarterly == 45015
    assert len(entries(db_url, f"quarterly-call/2025Q1/{late}")) == 1


def test_rerunning_the_call_posts_nothing_new(db_url, fund):
    people = [fund.person(category="main", start=start_of(1), primostarter=True) for _ in range(3)]
    first = quarterly_call.run(db_url, "2024Q1", fee_rate=FEE)
    again = quarterly_call.run(db_url, "2024Q1", fee_rate=FEE)
    assert again.finished_before and (again.debtors, again.amount_cents) == (first.debtors, first.amount_cents) == \
        (3, 3 * 34480)
    with session_scope(db_url) as s:
        assert run_check(s).ok
        assert len(s.scalars(select(LedgerTransaction.id)).all()) == 3
    assert all(len(entries(db_url, f"quarterly-call/2024Q1/{p}")) == 3 for p in people)


@pytest.mark.parametrize("start", [1, 2, 3, 4])
def test_the_regularisation_reduces_the_definitive_first_quarter_as_the_rules_do(db_url, fund, tmp_path, start):
    incomes = {fund.person(category="main", start=start_of(start), primostarter=True): "9000.00",
               fund.person(category="main", start=start_of(start), primostarter=True): "60000.00",
               fund.person(category="main", start=start_of(start)): "9000.00"}
    primo, rich, plain = incomes
    for q in range(start, 5):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate=FEE)
    import_file(db_url, tax_file(tmp_path, fund, incomes), today=dt.date(2025, 10, 5))
    summary = regularisation.run(db_url, 2024, notice_date=dt.date(2025, 11, 3), fee_rate=FEE)
    n = 5 - start
    for person, income in incomes.items():
        is_primo = person != plain
        paid = [fmt(regularisation_called(db_url, person, f"2024Q{q}")) for q in range(start, 5)]
        expected = rule(2024, "main", income, paid, quarters=n, first_quarter=start, primostarter=is_primo,
                        start_quarter=start if is_primo else None, fee_rate=FEE)
        for qa, diff in zip(expected.definitive.quarters, expected.differences, strict=True):
            assert charged(db_url, person, f"2024Q{qa.quarter}") == (qa.contribution, qa.total), (person, qa)
            posted = sum(e[1] for e in entries(db_url, f"regularisation/2024/{person}/2025-10-01/2024Q{qa.quarter}"))
            assert posted == diff
        with session_scope(db_url) as s:
            notice = s.scalar(select(Notice).where(Notice.key == f"regularisation/2024/{person}/2025-10-01"))
        if any(expected.differences):
            assert notice.amount_cents == expected.difference
        else:  # on the minimum as called: nothing to regularise, no notice
            assert notice is None and person == plain
    # the call already took the reduction off: the regularisation of that quarter is the income's alone
    lines = entries(db_url, f"regularisation/2024/{primo}/2025-10-01/2024Q{start}")
    assert [e[2] for e in lines if e[0] == "contribution"] == ["AR n° 38 art. 11 §5"]
    calc = entries(db_url, f"regularisation/2024/{rich}/2025-10-01/2024Q{start}")[0][4]["calc"]
    assert calc["start_quarter"] == start and calc["primostarter"] is True
    assert summary.details["primostarter first-quarter reduction"].startswith("2 people, definitive 230.06 EUR")
    again = regularisation.run(db_url, 2024, notice_date=dt.date(2025, 11, 3), fee_rate=FEE)
    assert again.finished_before and again.amount_cents == summary.amount_cents
    assert regularisation.run(db_url, 2024, notice_date=dt.date(2025, 12, 1), fee_rate=FEE).posted == 0
    with session_scope(db_url) as s:
        assert run_check(s).ok


def regularisation_called(url, party, period) -> int:
    """What the calls charged for the quarter (contribution + fee), before any regularisation."""
    with session_scope(url) as s:
        rows = s.execute(select(LedgerEntry.amount_cents)
                         .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
                         .where(LedgerEntry.party_id == party, LedgerEntry.period == period,
                                LedgerTransaction.kind == "charge",
                                LedgerEntry.account.in_(("contribution", "management_fee")))).scalars().all()
    return sum(rows)


def test_a_first_quarter_called_without_the_reduction_gets_it_on_its_own_line_at_regularisation(db_url, fund,
                                                                                                 tmp_path):
    # called before the affiliation was known to be a primostarter's (or before the call applied the reduction):
    # the regularisation gives the reduction back on a line naming art. 12 §1bis and its parameter
    ana = fund.person(category="main", start=start_of(2))
    for q in (2, 3, 4):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0")
    with session_scope(db_url) as s:
        s.execute(update(Affiliation).where(Affiliation.id == ana).values(primostarter=True))
    import_file(db_url, tax_file(tmp_path, fund, {ana: "9000.00"}), today=dt.date(2025, 10, 5))
    regularisation.run(db_url, 2024, notice_date=dt.date(2025, 11, 3), fee_rate="0")
    lines = entries(db_url, f"regularisation/2024/{ana}/2025-10-01/2024Q2")
    # 9,000 × 4/3 = 12,000 × 20.50 % / 4 = 615.00 − 115.03 = 499.97 definitive; 864.15 called (a starter's main
    # minimum 16,861.46 × 20.50 % / 4)
    assert [(e[0], e[1], e[2], e[3]) for e in lines] == [
        ("contribution", 61500 - 86415, "AR n° 38 art. 11 §5", "income 2024@2025-10-01"),
        ("contribution", -11503, "AR n° 38 art. 12 §1bis", "primostarter_first_quarter_reduction@2024-01-01")]
    assert lines[1][4]["step"] == "primostarter_first_quarter" and lines[1][4]["calc"]["start_quarter"] == 2
    expected = rule(2024, "main", "9000.00", ["864.15"] * 3, quarters=3, primostarter=True, start_quarter=2)
    assert charged(db_url, ana, "2024Q2")[0] == expected.definitive.quarters[0].contribution == 49997
    assert sum(e[1] for e in lines) == expected.differences[0] == -36418
    assert [e[1] for e in entries(db_url, f"regularisation/2024/{ana}/2025-10-01/2024Q3")] == [61500 - 86415]


def test_a_quarter_whose_only_difference_is_the_reduction_says_definitive_called_and_difference(db_url, fund,
                                                                                               tmp_path):
    # a 2024 primostarter called on the reduced minimum before the call took the reduction off (446.25 + fee each
    # quarter); his income is under the minimum: the income changes nothing, the first quarter differs only by the
    # reduction (and its fee). No zero line is posted, and the quarter's line still says definitive − called
    ana = fund.person(category="main", start=start_of(2), primostarter=True)
    with called_before_the_reduction():
        for q in (2, 3, 4):
            quarterly_call.run(db_url, f"2024Q{q}", fee_rate=FEE)
    assert [e[0] for e in entries(db_url, f"quarterly-call/2024Q2/{ana}")] == ["contribution", "management_fee"]
    import_file(db_url, tax_file(tmp_path, fund, {ana: "5000.00"}), today=dt.date(2025, 10, 5))
    regularisation.run(db_url, 2024, notice_date=dt.date(2025, 11, 3), fee_rate=FEE)
    (c, c_amount, c_rule, c_param, c_expl), (f, f_amount, f_rule, f_param, _f) = \
        entries(db_url, f"regularisation/2024/{ana}/2025-10-01/2024Q2")
    # 446.25 − 115.03 = 331.22 × 1.041 = 344.80 definitive; 464.55 called
    assert (c, c_amount, c_rule, c_param) == ("contribution", -11503, "AR n° 38 art. 12 §1bis",
                                              "primostarter_first_quarter_reduction@2024-01-01")
    assert c_expl["text"].startswith("regularisation 2024Q2: definitive 344.80 (income 2024 5000.00, main, "
                                     "primostarter first quarter of activity reduced by 115.03")
    assert "− provisional called 464.55 = -119.75; primostarter first-quarter reduction 2024Q2: definitive " \
           "-115.03 − already taken off 0.00 = -115.03" in c_expl["text"]
    assert c_expl["step"] == "primostarter_first_quarter" and c_expl["calc"]["start_quarter"] == 2
    assert (f, f_amount, f_rule, f_param) == ("management_fee", 34480 - 46455 + 11503, FEE_RULE,
                                              "management_fee_rate=0.041")
    assert entries(db_url, f"regularisation/2024/{ana}/2025-10-01/2024Q3") == []  # nothing changed there
    with session_scope(db_url) as s:
        assert run_check(s).ok


def test_a_quarter_whose_only_difference_is_the_fee_says_definitive_called_and_difference(db_url, fund, tmp_path):
    # the fund's fee rate changed between the calls and the regularisation; the income changes nothing: each
    # quarter's one line is its fee, and it carries the quarter's definitive − called and its inputs
    ana = fund.person(category="main", start=start_of(2), primostarter=True)
    for q in (2, 3, 4):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate=FEE)
    import_file(db_url, tax_file(tmp_path, fund, {ana: "5000.00"}), today=dt.date(2025, 10, 5))
    regularisation.run(db_url, 2024, notice_date=dt.date(2025, 11, 3), fee_rate="0.045")
    (f, amount, rule_, param, expl), = entries(db_url, f"regularisation/2024/{ana}/2025-10-01/2024Q2")
    assert (f, amount, rule_, param) == ("management_fee", 34612 - 34480, FEE_RULE, "management_fee_rate=0.045")
    assert expl["text"] == ("regularisation 2024Q2: definitive 346.12 (income 2024 5000.00, main, primostarter first "
                            "quarter of activity reduced by 115.03 (primostarter_first_quarter_reduction@2024-01-01)) "
                            "− provisional called 344.80 = 1.32; management fee on the regularisation 2024Q2")
    assert expl["calc"]["quarter"] == 2 and expl["calc"]["fee_rate"] == "0.045"


@pytest.mark.parametrize(("parameter", "rule_"), [
    ("primostarter first quarter reduction (manual)", "AR n° 38 art. 11 §5"),  # LIKE read "_" as any character
    ("primostarter_first_quarter_reductions@2024-01-01", "AR n° 38 art. 11 §5"),  # another name, same start
    ("primostarter_first_quarter_reduction", "AR n° 38 art. 12 §1bis"),  # the reduction's, without its date
])
def test_only_the_reductions_own_parameter_counts_as_the_reduction_already_taken_off(db_url, fund, tmp_path,
                                                                                    parameter, rule_):
    # the call took the 115.03 off 2024Q2; a charge of 5.00 on the quarter whose parameter merely looks like the
    # reduction's is not part of it: the regularisation corrects the 5.00 on the income's line. Under the
    # reduction's own name it gave 5.00 of the reduction back: the regularisation takes it off again on its line
    from caisse.ledger import DebtLine, charge

    ana = fund.person(category="main", start=start_of(2), primostarter=True)
    for q in (2, 3, 4):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0")
    with session_scope(db_url) as s:
        charge(s, f"manual/2024Q2/{ana}", ana, "2024Q2", dt.date(2024, 9, 30), dt.date(2024, 8, 1),
               [DebtLine("contribution", 500, "correction by the fund", parameter, {"text": "look-alike"})])
    import_file(db_url, tax_file(tmp_path, fund, {ana: "5000.00"}), today=dt.date(2025, 10, 5))
    regularisation.run(db_url, 2024, notice_date=dt.date(2025, 11, 3), fee_rate="0")
    assert [(e[0], e[1], e[2]) for e in entries(db_url, f"regularisation/2024/{ana}/2025-10-01/2024Q2")] == [
        ("contribution", -500, rule_)]
