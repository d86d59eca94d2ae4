"""The commands: a summary on success, one `error:` line and exit 2 on bad input, nothing written."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from caisse.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [*map(str, args)])


def test_run_and_notice_commands(db_url, fund, tmp_path, monkeypatch):
    monkeypatch.setenv("CAISSE_MANAGEMENT_FEE_RATE", "0.0405")
    from caisse.config import get_settings

    get_settings.cache_clear()
    ana = fund.person(incomes={2023: "23000.00"})
    result = invoke("run", "quarterly-call", "--quarter", "2026Q1", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "quarterly-call/2026Q1: finished" in result.output and "1315.24 EUR" in result.output
    again = invoke("run", "quarterly-call", "--quarter", "2026Q1", "--db", db_url)
    assert "already finished, nothing posted" in again.output
    out = tmp_path / "n.pdf"
    assert invoke("notice", "pdf", "--notice", 1, "--output", out, "--db", db_url).exit_code == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert invoke("notice", "pdfs", "--batch", "quarterly-call/2026Q1", "--output-dir", tmp_path / "all",
                  "--db", db_url).exit_code == 0
    assert (tmp_path / "all" / f"{ana}-1.pdf").exists()
    assert invoke("notice", "statement", "--debtor", ana, "--output", tmp_path / "s.pdf", "--db", db_url).exit_code == 0
    from sqlalchemy import select

    from caisse.store.db import session_scope
    from caisse.store.models import AuditLog

    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.party_id).where(AuditLog.entity == "account_statement")) == ana
    assert invoke("run", "surcharges", "--as-of", "2026-04-01", "--db", db_url).exit_code == 0
    assert invoke("run", "company-call", "--year", "2025", "--db", db_url).exit_code == 0
    get_settings.cache_clear()


def test_bad_input_is_one_line_and_exit_2(db_url, tmp_path, fund):
    fund.person()
    csv = tmp_path / "t.csv"
    csv.write_text("niss,year,net_professional_income,assessment_date\n123,2024,x,2025-01-01\n")
    cases = [
        (("run", "quarterly-call", "--quarter", "2026-13"), "error: quarter:"),
        (("run", "company-call", "--year", "twenty"), "error: year:"),
        (("run", "surcharges", "--as-of", "01/04/2026"), "error: as_of:"),
        (("run", "regularisation", "--year", "2024", "--notice-date", "2024-06-01"), "error: notice_date:"),
        (("import", "tax-income", tmp_path / "missing.csv"), "error: file:"),
        (("import", "tax-income", csv), "error: file: 1 bad row(s), nothing imported: line 2: niss:"),
        (("notice", "pdf", "--notice", 42, "--output", tmp_path / "x.pdf"), "error: notice 42 not found"),
    ]
    for args, message in cases:
        result = invoke(*args, "--db", db_url)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def test_tax_income_import_twice(db_url, fund, tmp_path):
    ana = fund.person()
    csv = tmp_path / "t.csv"
    csv.write_text(f"niss,year,net_professional_income,assessment_date\n{fund.niss_of(ana)},2024,6200.00,"
                   f"{dt.date.today() - dt.timedelta(days=1)}\n")
    first = invoke("import", "tax-income", csv, "--db", db_url)
    assert first.exit_code == 0 and "imported                   1" in first.output
    second = invoke("import", "tax-income", csv, "--db", db_url)
    assert second.exit_code == 2 and "already imported" in second.output
