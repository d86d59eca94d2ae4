"""Right of access, and retention: what may no longer be kept is pseudonymised, never the money."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.cli import app
from caisse.demo.identities import make_iban
from caisse.ledger import DebtLine, charge
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.services import gdpr
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, LoginAttempt, Person
from support.people import register_someone

SYSTEM = Principal.system("test")
IBAN_ON_FILE = make_iban("001", 42)  # the account support.people.register_someone puts on file
IBAN_BEFORE = make_iban("001", 43)  # the account the direct-debit mandate debited before it was amended


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


def _everything_about(s, pid, money=True):
    """A file touched by every part of the fund: a case with messages and its e-mail, a mandate, a notice, a
    refund asked, a credit transfer, a bank line from its account, a parked tax income, ledger lines."""
    from caisse.batches.models import Notice, TaxIncomeParked
    from caisse.cases import service as cases
    from caisse.collection.models import SepaMandate, SepaMandateAmendment
    from caisse.ledger import receive_payment
    from caisse.store.models import Approval, ExchangeMessage

    person = s.get(Person, pid)
    person.email = "test.person@example.be"
    c = cases.open_case(s, SYSTEM, pid, "question", "My contributions", "Why so much?", dt.date(2026, 11, 24),
                        channel="phone")
    cases.answer(s, Principal(login="cw", role="manager", account_id=None), c.id, "Because of your income.",
                 dt.date(2026, 11, 25))
    mandate = SepaMandate(reference="MANDATE-1", party_id=pid, debtor_name="Test Person", iban=IBAN_ON_FILE,
                          signed_on=dt.date(2026, 1, 1))
    s.add(mandate)
    s.flush()
    s.add(SepaMandateAmendment(mandate_id=mandate.id, amended_on=dt.date(2026, 2, 1), old_iban=IBAN_BEFORE,
                               old_bic="GEBABEBB", new_iban=IBAN_ON_FILE, new_bic="GEBABEBB",
                               old_reference="MANDATE-1", new_reference="MANDATE-1", created_by="test"))
    if money:
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


def test_the_export_is_complete_cases_messages_mandates_notices_approvals_ledger_lines(db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        _everything_about(s, pid)
    with session_scope(db_url) as s:
        data = gdpr.export_file(s, SYSTEM, pid)
    json.dumps(data)
    assert [m["body"] for m in data["cases"][0]["messages"]][-1] == "Because of your income."
    assert data["notifications"] and data["notifications"][0]["to_address"] == "test.person@example.be"
    assert data["sepa_mandates"][0]["iban"] == IBAN_ON_FILE
    assert data["sepa_mandate_amendments"][0]["old_iban"] == IBAN_BEFORE
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


def _bank_line(s, day, iban, name, party_id=None, amount=10_000):
    from caisse.collection.models import BankFile, BankLine, BankStatement

    raw = f"{name} {iban}".encode()  # what a CODA file holds of the payer
    f = BankFile(sha256=f"{day}{iban}{amount}".ljust(64, "0")[:64], size=len(raw), content=raw, imported_by="t",
                 statements=1, movements=1)
    s.add(f)
    s.flush()
    st = BankStatement(file_id=f.id, ordinal=1, account="x", currency="EUR", statement_number="1",
                       old_balance_cents=0, old_balance_date=day, new_balance_cents=0, new_balance_date=day,
                       fund_account=True)
    s.add(st)
    s.flush()
    line = BankLine(statement_id=st.id, ordinal=1, file_line=1, sequence=1, detail=0, amount_cents=amount,
                    value_date=day, entry_date=day, transaction_code="00150000", counterparty_iban=iban,
                    counterparty_name=name, is_detail=False, status="booked", party_id=party_id)
    s.add(line)
    s.flush()
    return line.id


def test_retention_pseudonymises_every_trace_of_an_old_file_and_prescribed_lines_never_the_money(db_url):
    from caisse.batches.models import TaxIncomeParked
    from caisse.cases.models import CaseMessage, Notification
    from caisse.collection.models import BankFile, BankLine, SepaMandate
    from caisse.ledger.models import LedgerEntry
    from caisse.store.models import Approval, Event, ExchangeMessage

    with session_scope(db_url) as s:
        old = ceased_person(s, 101, dt.date(2005, 1, 1), dt.date(2012, 12, 31))
        old_niss = old.niss
        _everything_about(s, old.id, money=False)
        cases_ = s.scalars(select(CaseMessage)).all()
        assert cases_
        s.add(ExchangeMessage(direction="out", kind="inasti-x", party_id=old.id, sha256="1" * 64,
                              payload={"niss": old_niss}))
        s.get(SepaMandate, s.scalar(select(SepaMandate.id))).status = "revoked"
        own_line = _bank_line(s, dt.date(2025, 3, 1), IBAN_ON_FILE, "TEST PERSON")
        before_line = _bank_line(s, dt.date(2025, 1, 6), IBAN_BEFORE, "TEST PERSON", amount=10_500)
        stranger_old = _bank_line(s, dt.date(2019, 5, 2), "BE62510007547061", "A STRANGER", amount=11_000)
        stranger_new = _bank_line(s, dt.date(2024, 5, 2), "BE62510007547061", "A STRANGER", amount=12_000)
        # money of a settled file: paid exactly what was called (the ledger lines stay)
        charge(s, "t/call", old.id, "2012Q4", dt.date(2012, 12, 31), dt.date(2012, 10, 1),
               [DebtLine("contribution", 50_000, "RD38 art.12", "min", {"text": "minimum"})])
        from caisse.ledger import receive_payment

        receive_payment(s, "t/pay", dt.date(2012, 11, 1), 50_000, old.id, designation="2012Q4")
        old_id = old.id
    with session_scope(db_url) as s:
        entries_before = s.scalar(select(func.count()).select_from(LedgerEntry))
        result = gdpr.apply_retention(s, SYSTEM, dt.date(2026, 11, 24))
    assert result.identities_pseudonymised == 1
    assert result.prescribed["bank_counterparties"] == 1  # the 2019 line (prescribed on 1-1-2026), not the 2024 one
    assert result.prescribed["bank_files"] == 0  # accounting evidence: kept 7 years after the year
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == entries_before  # never the money
        assert s.scalar(select(SepaMandate.iban)) == gdpr.NO_IBAN
        assert s.get(BankLine, own_line).counterparty_iban == gdpr.NO_IBAN
        assert s.get(BankLine, before_line).counterparty_iban == gdpr.NO_IBAN  # the account the mandate debited
        assert s.get(BankLine, own_line).counterparty_name is None
        assert s.get(BankLine, stranger_old).counterparty_name is None
        assert s.get(BankLine, stranger_old).amount_cents == 11_000
        assert s.get(BankLine, stranger_new).counterparty_name == "A STRANGER"
        files = {bf.sha256[:10]: bf for bf in s.scalars(select(BankFile))}
        assert files["2019-05-02"].content == b"A STRANGER BE62510007547061"
    with session_scope(db_url) as s:
        later = gdpr.apply_retention(s, SYSTEM, dt.date(2027, 1, 1))  # 2019 + 7 years over
    assert later.prescribed["bank_files"] == 1
    with session_scope(db_url) as s:
        files = {bf.sha256[:10]: bf for bf in s.scalars(select(BankFile))}
        assert files["2019-05-02"].content == b"" and files["2019-05-02"].size > 0  # its hash and size stay
        assert files["2024-05-02"].content == b"A STRANGER BE62510007547061"
        assert {m.body for m in s.scalars(select(CaseMessage))} == {"pseudonymised"}
        assert {n.to_address for n in s.scalars(select(Notification))} == {"pseudonymised"}
        assert s.scalar(select(Approval.payload))["iban"] == gdpr.NO_IBAN
        assert all(e.detail in (None, {"pseudonymised": True}) for e in s.scalars(select(Event).where(
            Event.party_id == old_id)))
        assert s.scalar(select(ExchangeMessage.payload).where(ExchangeMessage.kind == "inasti-x")) == {
            "pseudonymised": True}
        assert s.scalar(select(TaxIncomeParked.niss)).startswith("P")
        dump = json.dumps(gdpr.export_file(s, SYSTEM, old_id), default=str)
        assert old_niss not in dump and IBAN_ON_FILE not in dump and "Test Person" not in dump
        assert IBAN_BEFORE not in dump
    with session_scope(db_url) as s:
        again = gdpr.apply_retention(s, SYSTEM, dt.date(2026, 11, 24))
    assert again.identities_pseudonymised == 0 and not any(again.prescribed.values())


def test_sepa_files_sent_lose_their_names_and_ibans_after_seven_years_never_their_totals(db_url):
    from caisse.collection.models import CreditTransferRun, DirectDebitRun

    def runs(s, model, day_field):
        for year in (2020, 2021):
            day = dt.date(year, 12, 31)
            s.add(model(message_id=f"{model.__tablename__}-{year}", created_at=dt.datetime(year, 12, 1),
                        created_by="t", count=1, total_cents=12_345, sha256="0" * 64,
                        content=b"<Nm>A PAYER</Nm><IBAN>BE62510007547061</IBAN>",
                        **{day_field: day}, **({"due_by": day} if model is DirectDebitRun else {})))

    with session_scope(db_url) as s:
        runs(s, DirectDebitRun, "collection_date")
        runs(s, CreditTransferRun, "execution_date")
    with session_scope(db_url) as s:
        result = gdpr.apply_retention(s, SYSTEM, dt.date(2028, 6, 1))  # 2020 kept to 1-1-2028, 2021 not yet over
    assert result.prescribed["sepa_files"] == 2
    with session_scope(db_url) as s:
        for model in (DirectDebitRun, CreditTransferRun):
            kept = {r.message_id[-4:]: r for r in s.scalars(select(model))}
            assert kept["2020"].content == b"" and kept["2020"].total_cents == 12_345
            assert b"BE62510007547061" in kept["2021"].content
    with session_scope(db_url) as s:
        assert gdpr.apply_retention(s, SYSTEM, dt.date(2028, 6, 1)).prescribed["sepa_files"] == 0
