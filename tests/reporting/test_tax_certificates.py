"""The tax certificate: money imputed in the year on contributions (arrears included) minus what was given back,
surcharges and judicial costs apart; each figure traced to the ledger; the yearly batch records them once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from story import build
from typer.testing import CliRunner

from caisse.cli import app
from caisse.errors import InvalidInput
from caisse.ledger.check import run_check
from caisse.reporting import tax_certificates as tc
from caisse.reporting.models import TaxCertificate
from caisse.store.db import session_scope

TODAY = dt.date(2026, 12, 2)


def _by_party(certs):
    return {c.party_id: c for c in certs}


def test_the_certificate_of_2025_from_the_ledger(db_url, fund):
    st = build(fund)
    q = st.q
    with session_scope(db_url) as s:
        assert run_check(s).ok
        certs = _by_party(tc.compute(s, 2025))
    ana = certs[st.ana]
    # paid in 2025: 2024Q4 arrears 500.00 + reminder costs 10.00 + four quarters; the 100.00 overpaid and refunded
    # was never a contribution; 2025Q1 lowered by 200.00 after payment: given back
    assert ana.paid == 50000 + 1000 + 4 * q
    assert ana.returned == 20000
    assert ana.deductible == 31000 + 4 * q
    assert (ana.surcharges, ana.other_costs) == (1500, 5000)
    lines = {line["period"]: line for line in ana.lines}
    assert list(lines) == ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert lines["2024Q4"] == {"period": "2024Q4", "contributions": 50000, "reminder_costs": 1000,
                               "surcharges": 1500, "other_costs": 0, "returned": 0}
    assert lines["2025Q1"]["contributions"] == q and lines["2025Q1"]["returned"] == 20000
    assert lines["2025Q2"]["other_costs"] == 5000
    assert sum(line["contributions"] + line["reminder_costs"] for line in ana.lines) == ana.paid
    assert certs[st.bo].deductible == q and certs[st.bo].surcharges == 0  # the waived surcharge was never paid
    assert certs[st.eve].deductible == q and certs[st.eve].language == "nl"
    assert st.cy not in certs and st.dan not in certs  # nothing paid in 2025
    with session_scope(db_url) as s:
        assert _by_party(tc.compute(s, 2024))[st.ana].deductible == 30000  # paid in December 2024
        assert _by_party(tc.compute(s, 2026))[st.dan].deductible == st.q_dan  # 2025 arrears paid in 2026
        assert st.ana not in _by_party(tc.compute(s, 2026))  # money left on credit is not a contribution paid


def test_the_batch_records_once_resumes_and_writes_pdfs(db_url, fund, tmp_path):
    st = build(fund)
    summary = tc.run(db_url, 2025, today=TODAY, chunk=1)
    assert (summary.debtors, summary.posted) == (3, 3)  # ana, bo, eve
    with session_scope(db_url) as s:
        rows = {r.party_id: r for r in s.scalars(select(TaxCertificate))}
        assert rows[st.ana].key == f"tax-certificate/2025/{st.ana}"
        assert rows[st.ana].deductible_cents == 31000 + 4 * st.q and rows[st.ana].language == "fr"
    again = tc.run(db_url, 2025, today=TODAY)
    assert again.finished_before
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(TaxCertificate)) == 3
    n = tc.write_pdfs(db_url, 2025, tmp_path, today=TODAY)
    assert n == 3 and (tmp_path / f"{st.ana}-2025.pdf").read_bytes().startswith(b"%PDF")
    assert tc.write_pdfs(db_url, 2025, tmp_path / "forked", today=TODAY, jobs=2) == 3  # two processes, same files
    for party in (st.ana, st.bo, st.eve):
        assert (tmp_path / "forked" / f"{party}-2025.pdf").read_bytes() == (tmp_path / f"{party}-2025.pdf").read_bytes()


def test_a_run_killed_half_way_ends_like_a_clean_run(db_url, fund, monkeypatch):
    st = build(fund)
    calls = {"n": 0}
    real = tc._insert

    def dies_after_one(url, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real(url, rows)

    monkeypatch.setattr(tc, "_insert", dies_after_one)
    with pytest.raises(KeyboardInterrupt):
        tc.run(db_url, 2025, today=TODAY, chunk=1)
    monkeypatch.setattr(tc, "_insert", real)
    summary = tc.run(db_url, 2025, today=TODAY, chunk=1)
    assert (summary.posted, summary.already) == (2, 1)
    with session_scope(db_url) as s:
        assert sorted(s.scalars(select(TaxCertificate.party_id))) == sorted([st.ana, st.bo, st.eve])


def test_only_an_ended_year(db_url, fund):
    with pytest.raises(InvalidInput, match="has not ended"):
        tc.run(db_url, 2026, today=TODAY)
    with pytest.raises(InvalidInput, match="has not ended"):
        tc.check_year(2031, TODAY)


def test_commands(db_url, fund, tmp_path):
    st = build(fund)
    runner = CliRunner()
    out = tmp_path / "ana.pdf"
    result = runner.invoke(app, ["notice", "tax-certificate", "--party", str(st.ana), "--year", "2025", "--output",
                                 str(out), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert f"deductible {(31000 + 4 * st.q) // 100}." in result.output and out.read_bytes().startswith(b"%PDF")
    for who in (st.bo, st.cy):  # nl, de (cy: nothing paid, the certificate says so)
        r = runner.invoke(app, ["notice", "tax-certificate", "--party", str(who), "--year", "2025", "--output",
                                str(tmp_path / f"{who}.pdf"), "--db", db_url])
        assert r.exit_code == 0, r.output
    result = runner.invoke(app, ["run", "tax-certificates", "--year", "2025", "--output-dir", str(tmp_path / "all"),
                                 "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "tax-certificates/2025: finished" in result.output and "written 3 certificates" in result.output
    again = runner.invoke(app, ["run", "tax-certificates", "--year", "2025", "--db", db_url])
    assert "already finished" in again.output
    for args, message in [
        (["run", "tax-certificates", "--year", "2031"], "error: year: 2031 has not ended yet"),
        (["run", "tax-certificates", "--year", "20x5"], "error: year:"),
        (["notice", "tax-certificate", "--party", "999", "--year", "2025", "--output", str(tmp_path / "x.pdf")],
         "error: party 999 not found"),
    ]:
        r = runner.invoke(app, [*args, "--db", db_url])
        assert r.exit_code == 2, (args, r.output)
        assert message in r.output, (args, r.output)
        assert len(r.output.strip().splitlines()) == 1


def test_one_aggregation_whatever_the_number_of_debtors(db_url, fund):
    from sqlalchemy import event

    from caisse.reporting.reports import build as build_report
    from caisse.store.db import engine_for

    st = build(fund)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = engine_for(db_url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with session_scope(db_url) as s:
            certs = tc.compute(s, 2025)
            selects = [x for x in statements if x.lstrip().upper().startswith("SELECT")]
            assert len(certs) == 3 and len(selects) == 1
            statements.clear()
            for name in ("collection", "arrears-ageing"):
                build_report(s, name, dt.date(2025, 12, 31))
            build_report(s, "affiliates", dt.date(2025, 12, 31))
            assert len([x for x in statements if x.lstrip().upper().startswith("SELECT")]) == 1 + 1 + 3
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert st.ana in {c.party_id for c in certs}


def test_a_payment_the_bank_took_back_is_not_paid(db_url, fund):
    from caisse.batches import quarterly_call
    from caisse.ledger import DebtLine, balances, charge, receive_payment, return_payment

    fay = fund.person(language="de", incomes={2022: "12000.00"})
    quarterly_call.run(db_url, "2025Q1", fee_rate="0")
    with session_scope(db_url) as s:
        q = sum(b.balance_cents for b in balances(s, party_id=fay, accounts=("contribution",)))
        charge(s, "test/reminder/fay", fay, "2025Q1", dt.date(2025, 2, 1), dt.date(2025, 2, 1),
               [DebtLine("costs", 1000, "test", explanation={"cost_kind": "reminder"})])
        receive_payment(s, "bank/fay/1", dt.date(2025, 3, 1), q + 1000, fay)
        return_payment(s, "bank/fay/1", "bank/fay/1/return", dt.date(2025, 3, 10), "insufficient funds")
        receive_payment(s, "bank/fay/2", dt.date(2025, 4, 2), q + 1000, fay)
        cert = _by_party(tc.compute(s, 2025))[fay]
    # the reversed imputation counts negatively; the reminder costs stay reminder costs (deductible)
    assert (cert.paid, cert.returned, cert.deductible, cert.other_costs) == (q + 1000, 0, q + 1000, 0)
    assert cert.lines == [{"period": "2025Q1", "contributions": q, "reminder_costs": 1000, "surcharges": 0,
                           "other_costs": 0, "returned": 0}]


def test_the_page_in_each_language_and_with_a_name_the_standard_fonts_lack():
    import io

    import pypdf

    from caisse.documents.tax_certificate import render_certificate

    lines = [{"period": "2024Q4", "contributions": 50000, "returned": 0, "reminder_costs": 1000, "surcharges": 1500,
              "other_costs": 0}, {"period": "2025Q1", "contributions": 90658, "returned": 20000,
                                  "reminder_costs": 0, "surcharges": 0, "other_costs": 5000}]
    expect = {"fr": ("Attestation fiscale 2025", "Montant fiscalement déductible 2025", "1 216,58 €"),
              "nl": ("Fiscaal attest 2025", "Fiscaal aftrekbaar bedrag 2025", "€ 1.216,58"),
              "de": ("Steuerbescheinigung 2025", "Steuerlich abzugsfähiger Betrag 2025", "1.216,58 €")}
    for lang, words in expect.items():
        cert = tc.Certificate(7, 2025, lang, lines, 141658, 20000, 1500, 5000)
        for name in ("Anaïs (Dupré)", "Łukasz Wójcik"):  # standard fonts; DejaVu embedded through reportlab
            pdf = pypdf.PdfReader(io.BytesIO(render_certificate(cert, (name, ["Rue 1", "1000 Bruxelles"]), TODAY)),
                                  strict=True)
            assert len(pdf.pages) == 1
            text = pdf.pages[0].extract_text()
            assert name in text and all(w in text for w in words), (lang, name, text)
