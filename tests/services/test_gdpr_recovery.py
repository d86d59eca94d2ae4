"""Right of access and retention for recovery data: the recovery file and its steps, payment plans, what went to
bailiffs and came back, interruptions of the prescription, joint calls, prescribed quarters, relief requests —
and a schema walk so that no table naming a person can be left out of the export unnoticed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import event, select
from sqlalchemy.sql import Join, Select, TableClause

from caisse.errors import InvalidInput
from caisse.recovery.partners import write_again
from caisse.security.authz import Principal
from caisse.services import affiliation as svc
from caisse.services import gdpr
from caisse.store.db import session_scope
from support.people import register_someone
from support.recovery_data import handed_over, whole_recovery_of

SYSTEM = Principal.system("test")
AS_OF = dt.date(2026, 11, 24)  # prescribed: every year up to 2020 (5 years from 1 January 2021 ran out 1-1-2026)


def test_the_export_holds_the_recovery_of_the_file_and_the_pdf_names_each_part(db_url):


    from pypdf import PdfReader

    from caisse.documents.gdpr_export import render_pdf

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        whole_recovery_of(s, pid)
    with session_scope(db_url) as s:
        data = gdpr.export_file(s, SYSTEM, pid, document="pdf")
    json.dumps(data)
    [rf] = data["recovery_files"]
    assert rf["stage"] == "bailiff" and rf["steps"][0]["reason"] == "enforcement order not paid"
    [plan] = data["payment_plans"]
    assert plan["reason"] == "lost a client" and [i["seq"] for i in plan["instalments"]] == list(range(7))
    assert data["prescription_interruptions"][0]["kind"] == "acknowledgement"
    assert data["joint_calls"][0]["periods"][0]["period"] == "2019Q1"
    assert data["prescribed_quarters"][0]["period"] == "2018Q1"
    assert data["recovery_handovers"][0]["status"] == "closed"
    assert data["recovery_partner_reports"][0]["raw"].endswith("Test Person,served,...")
    assert data["dispensation_and_waiver_requests"][0]["grounds"].startswith("my illness")
    assert data["dispensed_quarters"][0]["period"] == "2018Q4"
    assert data["bankruptcies"][0]["trustee_name"] == "Me Curateur"
    assert data["direct_debits"][0]["end_to_end_id"] == f"E2E-{pid}"
    assert data["tax_certificates"][0]["year"] == 2024
    assert data["benefit_claims"][0]["steps"][0]["step"] == "received"
    pdf = render_pdf(data, "Caisse test")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for title in ("Recovery of unpaid contributions", "Payment plans and their instalments",
                  "Acts that interrupted the prescription", "Companies called for a director's contributions",
                  "Quarters written off as prescribed", "Handed to a bailiff or lawyer", "Tax certificates"):
        assert title in text, title
    assert "lost a client" in text


# ---------------------------------------------------------------- nothing naming a person is forgotten

_PARTIES = {"party", "person", "company"}


def _names_someone(table) -> bool:
    """A column pointing at a person or party: a foreign key to party/person/company, or a file number or NISS
    kept without a foreign key (the audit log, parked tax incomes)."""
    return any(fk.column.table.name in _PARTIES for c in table.columns for fk in c.foreign_keys) or any(
        c.name in ("party_id", "person_id", "niss") or c.name.endswith("_party_id") for c in table.columns)


def _tables_read(from_) -> set[str]:
    if isinstance(from_, TableClause):
        return {from_.name}
    if isinstance(from_, Join):
        return _tables_read(from_.left) | _tables_read(from_.right)
    inner = getattr(from_, "element", None)
    if isinstance(inner, Select):
        return {t for f in inner.get_final_froms() for t in _tables_read(f)}
    return _tables_read(inner) if inner is not None else set()


def test_every_table_naming_a_person_is_exported_or_excluded_with_a_reason(db_url):
    """Walks the schema: a table holding a party (or a row of such a table: a case's messages, a plan's
    instalments) must be read by the export — with rows present, so nested parts are read too — or be listed in
    gdpr.NOT_EXPORTED with a reason. A table added later without either makes this test fail."""
    from caisse.store.schema import metadata

    direct = {t.name for t in metadata.sorted_tables if _names_someone(t)}
    children = {t.name for t in metadata.sorted_tables
                for c in t.columns for fk in c.foreign_keys if fk.column.table.name in direct - _PARTIES}
    must = direct | children
    assert {"recovery_file", "recovery_step", "payment_plan", "payment_plan_instalment", "joint_call",
            "prescription_interruption", "prescribed_quarter", "case_message"} <= must  # the walk sees them

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        whole_recovery_of(s, pid)
    read: set[str] = set()
    with session_scope(db_url) as s:
        def seen(state):
            if state.is_select:
                read.update(t for f in state.statement.get_final_froms() for t in _tables_read(f))

        event.listen(s, "do_orm_execute", seen)
        gdpr.export_file(s, SYSTEM, pid)
    assert not set(gdpr.NOT_EXPORTED) - set(metadata.tables), "NOT_EXPORTED names a table that does not exist"
    assert all(len(why) > 30 for why in gdpr.NOT_EXPORTED.values()), "each exclusion says why"
    assert not set(gdpr.NOT_EXPORTED) & (read - {"company"}), "an excluded table is read after all: drop it"
    forgotten = sorted(must - read - set(gdpr.NOT_EXPORTED))
    assert not forgotten, f"tables naming a person neither exported nor excluded with a reason: {forgotten}"


# ---------------------------------------------------------------- retention

def _ceased(s, seq, start, end):
    person = register_someone(s, seq=seq)
    aff = svc.request_affiliation(s, svc.AffiliationInput(person_id=person.id, start_date=start, category="main",
                                                          requested_on=start), SYSTEM)
    svc.cease(s, aff.id, end, "stopped", SYSTEM)
    return person


def test_bailiff_csvs_partner_lines_and_relief_grounds_go_once_prescribed_their_checksums_stay(db_url, tmp_path):
    """As of 24-11-2026 the years up to 2020 are prescribed. A 2019 hand-over whose debtor is back from the
    bailiff loses its CSV (the lines and both SHA-256 stay); one from 2019 still open at the bailiff's, and one from
    2024, keep theirs. A 2019 status line loses its raw text, a 2019 decision its grounds; 2024 ones stay."""
    from caisse.recovery.models import (
        RecoveryHandover,
        RecoveryHandoverLine,
        RecoveryStatusFile,
        RecoveryStatusLine,
        ReliefRequest,
    )

    with session_scope(db_url) as s:
        a = register_someone(s, seq=201)
        b = register_someone(s, seq=203)
        c = register_someone(s, seq=205)
        old_closed, old_relief = handed_over(s, a.id, dt.date(2019, 3, 1), debtors=[(a.id, "A", a.niss)])
        old_open, _ = handed_over(s, b.id, dt.date(2019, 3, 1), debtors=[(b.id, "B", b.niss)], line_status="open")
        recent, recent_relief = handed_over(s, c.id, dt.date(2024, 3, 1), debtors=[(c.id, "C", c.niss)])
        shas = {h.id: (h.csv_sha256, h.pdf_sha256) for h in s.scalars(select(RecoveryHandover))}
    with session_scope(db_url) as s:
        result = gdpr.apply_retention(s, SYSTEM, AS_OF)
    # b's 2019 status file was imported in 2019 too: its raw line goes even though b is still at the bailiff's
    assert (result.prescribed["recovery_handovers"], result.prescribed["recovery_status_lines"],
            result.prescribed["relief_grounds"]) == (1, 2, 2)
    with session_scope(db_url) as s:
        hs = {h.id: h for h in s.scalars(select(RecoveryHandover))}
        assert hs[old_closed].csv_text == ""
        assert hs[old_open].csv_text.startswith("handover,partner")  # its debtor is still with the bailiff
        assert hs[recent].csv_text.startswith("handover,partner")
        assert {h.id: (h.csv_sha256, h.pdf_sha256) for h in hs.values()} == shas  # what was sent stays provable
        line = s.scalar(select(RecoveryHandoverLine).where(RecoveryHandoverLine.handover_id == old_closed))
        assert (line.amount_cents, line.reference) == (93_000, f"{a.id}-1-bailiff-2019-03-01")
        raws = {ln.party_id: ln for ln in s.scalars(select(RecoveryStatusLine))}
        assert raws[a.id].raw == gdpr.PSEUDONYMISED and raws[a.id].served_on == dt.date(2019, 3, 21)
        assert raws[c.id].raw.endswith("Test Person,served,...")
        assert s.scalar(select(RecoveryStatusFile.sha256).where(RecoveryStatusFile.id == raws[a.id].file_id))
        assert s.get(ReliefRequest, old_relief).grounds == gdpr.PSEUDONYMISED
        assert s.get(ReliefRequest, old_relief).amount_cents == 90_000  # the decision's figures stay
        assert s.get(ReliefRequest, recent_relief).grounds.startswith("my illness")
    with pytest.raises(InvalidInput) as refused:  # an emptied CSV is not written again as if it were the one sent
        write_again(db_url, f"handover/B1/2019-03-01/{a.id}", tmp_path, SYSTEM)
    assert refused.value.field == "key" and shas[old_closed][0] in str(refused.value)
    with session_scope(db_url) as s:
        again = gdpr.apply_retention(s, SYSTEM, AS_OF)
    assert (again.prescribed["recovery_handovers"], again.prescribed["recovery_status_lines"],
            again.prescribed["relief_grounds"]) == (0, 0, 0)


def test_a_pseudonymised_identity_leaves_no_trace_in_bailiff_csvs_partner_lines_or_relief_grounds(db_url):
    """A person ceased in 2012, nothing owed, pseudonymised in 2026: their row of a shared 2024 hand-over CSV loses
    name, NISS and address (the other debtor's row and the checksum stay), their partner lines and relief
    grounds go, though 2024 is not prescribed yet."""
    from caisse.recovery.models import RecoveryHandover, RecoveryStatusLine, ReliefRequest

    with session_scope(db_url) as s:
        old = _ceased(s, 101, dt.date(2005, 1, 1), dt.date(2012, 12, 31))
        other = register_someone(s, seq=107)
        handover, relief = handed_over(s, old.id, dt.date(2024, 3, 1),
                                        debtors=[(old.id, "OLD Debtor", old.niss), (other.id, "OTHER Debtor",
                                                                                    other.niss)],
                                        status_text=f"{old.id}-1-bailiff,OLD Debtor,{old.niss},served")
        old_id, old_niss, other_id, other_niss = old.id, old.niss, other.id, other.niss
        sha = s.get(RecoveryHandover, handover).csv_sha256
    with session_scope(db_url) as s:
        assert gdpr.apply_retention(s, SYSTEM, AS_OF).identities_pseudonymised == 1
    with session_scope(db_url) as s:
        h = s.get(RecoveryHandover, handover)
        rows = {r["file_number"]: r for r in csv.DictReader(io.StringIO(h.csv_text))}
        assert old_niss not in h.csv_text and "OLD Debtor" not in h.csv_text
        assert rows[str(old_id)]["debtor_name"] == gdpr.PSEUDONYMISED and rows[str(old_id)]["total"] == "930.00"
        assert rows[str(other_id)]["national_number"] == other_niss  # not theirs to lose
        assert h.csv_sha256 == sha
        line = s.scalar(select(RecoveryStatusLine).where(RecoveryStatusLine.party_id == old_id))
        assert line.raw == gdpr.PSEUDONYMISED and old_niss not in (line.error or "")
        assert s.get(ReliefRequest, relief).grounds == gdpr.PSEUDONYMISED
        dump = json.dumps(gdpr.export_file(s, SYSTEM, old_id), default=str)
        assert old_niss not in dump and "OLD Debtor" not in dump and "my illness" not in dump
