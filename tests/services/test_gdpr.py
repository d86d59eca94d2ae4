"""Right of access, and retention: what may no longer be kept is pseudonymised, never the money."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from typer.testing import CliRunner

from caisse.cli import app
from caisse.ledger import DebtLine, charge
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.services import gdpr
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, LoginAttempt, Person
from support.people import register_someone

SYSTEM = Principal.system("test")


def ceased_person(session, seq, start, end):
    person = register_someone(session, seq=seq)
    aff = svc.request_affiliation(session, svc.AffiliationInput(
        person_id=person.id, start_date=start, category="main", requested_on=start), SYSTEM)
    svc.cease(session, aff.id, end, "stopped", SYSTEM)
    return person


def test_the_export_holds_everything_and_is_audited(db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        svc.request_affiliation(s, svc.AffiliationInput(person_id=pid, start_date=dt.date(2026, 1, 1),
                                                        category="main", requested_on=dt.date(2025, 12, 1)), SYSTEM)
        svc.get_person(s, pid, Principal.system("caseworker:x"), reason="phone call")
    with session_scope(db_url) as s:
        data = gdpr.export_file(s, SYSTEM, pid)
        json.dumps(data)  # plain data
        assert data["person"]["niss"] and data["addresses"] and data["bank_accounts"]
        assert data["affiliations"][0]["categories"][0]["category"] == "main"
        assert any(r["reason"] == "phone call" for r in data["who_read_or_changed_this_file"])
        assert data["messages_to_institutions"][0]["kind"] == "inasti-affiliation-start"
    with session_scope(db_url) as s:
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "export", AuditLog.party_id == pid))


def test_cli_export(db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
    r = CliRunner().invoke(app, ["gdpr", "export", "--party", str(pid), "--db", db_url])
    assert r.exit_code == 0 and json.loads(r.output)["file_number"] == pid


def test_retention_pseudonymises_old_files_without_debt_and_keeps_the_money(db_url):
    with session_scope(db_url) as s:
        old_clear = ceased_person(s, 101, dt.date(2005, 1, 1), dt.date(2012, 12, 31)).id
        old_owing = ceased_person(s, 103, dt.date(2005, 1, 1), dt.date(2012, 12, 31)).id
        recent_person = ceased_person(s, 105, dt.date(2015, 1, 1), dt.date(2019, 6, 30))
        recent_person.email, recent_person.phone = "someone@example.be", "+32 470 00 00 00"
        recent = recent_person.id
        charge(s, "test/old-debt", old_owing, "2012Q4", dt.date(2012, 12, 31), dt.date(2012, 10, 1),
               [DebtLine("contribution", 80_000, "RD38 art.12", "test", {"text": "old debt"})])
        s.add(LoginAttempt(login="x", origin="1.2.3.4", at=dt.datetime(2024, 1, 1), success=False))
    with session_scope(db_url) as s:
        result = gdpr.apply_retention(s, SYSTEM, dt.date(2026, 11, 24))
    assert (result.identities_pseudonymised, result.login_attempts_deleted) == (1, 1)
    assert result.contacts_pseudonymised == 1  # the recent one (the old clear one is fully pseudonymised)
    with session_scope(db_url) as s:
        assert s.get(Person, old_clear).last_name == "pseudonymised"
        assert s.get(Person, old_clear).niss.startswith("P")
        assert s.get(Person, old_owing).last_name != "pseudonymised"  # still owes: kept
        assert s.get(Person, recent).last_name != "pseudonymised"
        assert s.get(Person, recent).email is None  # contact details gone 6 years after the year of cessation
    with session_scope(db_url) as s:
        again = gdpr.apply_retention(s, SYSTEM, dt.date(2026, 11, 24))
    assert (again.identities_pseudonymised, again.login_attempts_deleted) == (0, 0)
    r = CliRunner().invoke(app, ["gdpr", "retention", "--as-of", "2026-02-30", "--db", db_url])
    assert r.exit_code == 2 and "as_of" in r.output


def _everything_about(s, pid):
    """A file touched by every part of the fund: a case with messages and its e-mail, a mandate, a notice, a
    refund asked, a credit transfer, a bank line from its account, a parked tax income, ledger lines."""
    from caisse.batches.models import Notice, TaxIncomeParked
    from caisse.cases import service as cases
    from caisse.collection.models import SepaMandate
    from caisse.ledger import receive_payment
    from caisse.store.models import Approval, ExchangeMessage

    person = s.get(Person, pid)
    person.email = "test.person@example.be"
    c = cases.open_case(s, SYSTEM, pid, "question", "My contributions", "Why so much?", dt.date(2026, 11, 24),
                        channel="phone")
    cases.answer(s, Principal(login="cw", role="manager", account_id=None), c.id, "Because of your income.",
                 dt.date(2026, 11, 25))
    s.add(SepaMandate(reference="MANDATE-1", party_id=pid, debtor_name="Test Person", iban=IBAN_ON_FILE,
                      signed_on=dt.date(2026, 1, 1)))
    charge(s, "t/call", pid, "2026Q1", dt.date(2026, 3, 31), dt.date(2026, 1, 5),
           [DebtLine("contribution", 90_701, "RD38 art.12", "min", {"text": "minimum"})])
    receive_payment(s, "t/pay", dt.date(2026, 2, 1), 100_000, pid, designation="2026Q1")
    s.add(Notice(key="n/1", kind="quarterly_call", party_id=pid, period="2026Q1", amount_cents=90_701,
                 due_date=dt.date(2026, 3, 31), reference="123456789012", language="fr", batch_key="b/1"))
    s.add(Approval(kind="refund", party_id=pid, amount_cents=9_299, reason="overpaid",
                   payload={"iban": IBAN_ON_FILE, "iban_on_file": True}, requested_by="cw"))
    msg = ExchangeMessage(direction="in", kind="tax-income", sha256="0" * 64, payload={"lines": 1})
    s.add(msg)
    s.flush()
    s.add(TaxIncomeParked(exchange_message_id=msg.id, line=1, niss=person.niss, year=2025, amount_cents=1_000_00,
                          assessed_on=dt.date(2026, 6, 1), reason="not affiliated that year"))
    s.flush()


IBAN_ON_FILE = "BE" + "00"  # replaced below by the account on file


def test_the_export_is_complete_cases_messages_mandates_notices_approvals_ledger_lines(db_url):
    global IBAN_ON_FILE
    from caisse.demo.identities import make_iban

    IBAN_ON_FILE = make_iban("001", 42)
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        _everything_about(s, pid)
    with session_scope(db_url) as s:
        data = gdpr.export_file(s, SYSTEM, pid)
    json.dumps(data)
    assert [m["body"] for m in data["cases"][0]["messages"]][-1] == "Because of your income."
    assert data["notifications"] and data["notifications"][0]["to_address"] == "test.person@example.be"
    assert data["sepa_mandates"][0]["iban"] == IBAN_ON_FILE
    assert data["notices"][0]["reference"] == "123456789012"
    assert data["approvals"][0]["payload"]["iban"] == IBAN_ON_FILE
    assert data["tax_incomes_parked"][0]["year"] == 2025
    lines = data["ledger_lines"]
    assert {ln["transaction"] for ln in lines} >= {"t/call", "t/pay"}
    assert any(ln["amount_cents"] == 90_701 for ln in lines)
    for key in ("credit_transfers", "bank_lines"):
        assert key in data


def test_the_export_as_a_readable_pdf(db_url, tmp_path):
    import io

    from pypdf import PdfReader

    from caisse.documents.gdpr_export import render_pdf

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        data = gdpr.export_file(s, SYSTEM, pid, document="pdf")
    pdf = render_pdf(data, "Caisse test")
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "everything we hold about file" in text and "Who read or changed this file" in text
    assert data["person"]["niss"] in text and "Bruxelles" in text
    r = CliRunner().invoke(app, ["gdpr", "export", "--party", str(pid), "--output", str(tmp_path / "e.json"),
                                 "--pdf", str(tmp_path / "cli.pdf"), "--db", db_url])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "cli.pdf").read_bytes().startswith(b"%PDF")
