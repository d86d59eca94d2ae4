"""Retention and access for the benefits tables: every table has its rule and reason; the documents added to a
claim go once the claim is long closed (their checksum stays), the raw lines of events files once prescribed, and
the free texts with the identity; the export lists a claim's documents."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import insert, select, update

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))

from fund import Fund  # noqa: E402

from caisse.benefits import attachments, service  # noqa: E402
from caisse.benefits.models import (  # noqa: E402
    BenefitClaim,
    BenefitEventFile,
    BenefitEventLine,
    ClaimAttachment,
    ClaimStep,
)
from caisse.security.authz import Principal  # noqa: E402
from caisse.services import gdpr  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402

SYSTEM = Principal.system("test")
AS_OF = dt.date(2026, 11, 24)  # prescribed: every year up to 2020
PDF = b"%PDF-1.4\n%%EOF\n"


def test_every_benefits_table_has_a_retention_rule_with_its_reason():
    from caisse.store.schema import metadata

    tables = {t for t in metadata.tables if t.startswith("benefit_")}
    assert tables == set(gdpr.BENEFIT_TABLES), "a benefits table without a retention rule (or a stale one)"
    for table, rule in gdpr.BENEFIT_TABLES.items():
        assert rule == "kept" or len(gdpr.RETENTION[rule]["why"]) > 30, table


def claim_with_document(db_url, fund, received: str, closed: str | None, *, pid=None, end=None):
    pid = pid or fund.person(start=dt.date(2010, 1, 1), end=end)
    day = dt.date.fromisoformat(received)
    with session_scope(db_url) as s:
        cid = service.file_claim(s, SYSTEM, pid, "carer", {"start": day.replace(day=1) + dt.timedelta(days=31),
                                                           "months": 1}, day).id
        attachments.request_document(s, SYSTEM, cid, "certificate of Dr Janssens", day)
        attachments.add(s, SYSTEM, cid, "janssens.pdf", PDF + str(cid).encode(), day)
        if closed:
            service.withdraw(s, SYSTEM, cid, dt.date.fromisoformat(closed), "moved abroad")
    return pid, cid


def test_a_claims_documents_go_five_years_after_the_year_it_closed_their_checksum_stays(db_url):
    fund = Fund(db_url)
    _, old = claim_with_document(db_url, fund, "2020-03-02", "2020-06-30")
    _, recent = claim_with_document(db_url, fund, "2020-03-02", "2021-01-04")
    _, open_ = claim_with_document(db_url, fund, "2019-03-02", None)
    with session_scope(db_url) as s:
        result = gdpr.apply_retention(s, SYSTEM, AS_OF)
        assert result.prescribed["benefit_attachments"] == 1
        docs = {a.claim_id: a for a in s.scalars(select(ClaimAttachment))}
        assert (docs[old].content, docs[old].filename) == (b"", "pseudonymised")
        assert len(docs[old].sha256) == 64 and docs[old].size > 0  # what was received stays provable
        assert docs[recent].content.startswith(b"%PDF") and docs[open_].content.startswith(b"%PDF")
        assert gdpr.apply_retention(s, SYSTEM, AS_OF).prescribed["benefit_attachments"] == 0  # idempotent
        assert gdpr.apply_retention(s, SYSTEM, dt.date(2027, 1, 1)).prescribed["benefit_attachments"] == 1


def test_raw_lines_of_an_events_file_go_once_the_year_of_import_is_prescribed(db_url):
    with session_scope(db_url) as s:
        ids = []
        for year in (2020, 2021):
            f = BenefitEventFile(sha256=f"{year:064d}", filename=f"births-{year}.csv", version="1", lines=1,
                                 recorded=0, already=0, rejected=1, imported_on=dt.date(year, 5, 1),
                                 imported_by="test")
            s.add(f)
            s.flush()
            s.execute(insert(BenefitEventLine), [{"file_id": f.id, "line": 1, "raw": "80010100123;birth;...",
                                                  "status": "rejected", "field": "niss", "error": "unknown NISS"}])
            ids.append(f.id)
    with session_scope(db_url) as s:
        assert gdpr.apply_retention(s, SYSTEM, AS_OF).prescribed["benefit_event_lines"] == 1
        raw = dict(s.execute(select(BenefitEventLine.file_id, BenefitEventLine.raw)).all())
        assert raw == {ids[0]: "pseudonymised", ids[1]: "80010100123;birth;..."}


def test_with_the_identity_go_the_documents_and_free_texts_of_the_persons_claims(db_url):
    fund = Fund(db_url)
    pid, cid = claim_with_document(db_url, fund, "2019-03-04", "2019-04-01", end=dt.date(2019, 12, 31))
    with session_scope(db_url) as s:
        s.execute(update(BenefitClaim).where(BenefitClaim.id == cid).values(waiting_for="letter of Dr Janssens"))
        [doc] = gdpr.export_file(s, SYSTEM, pid)["benefit_claims"][0]["documents"]
        assert doc["filename"] == "janssens.pdf" and "content" not in doc  # the export lists it, bytes aside
    with session_scope(db_url) as s:
        # ceased in 2019, nothing owed: the identity goes on 1-1-2030 (10 years after cessation)
        assert gdpr.apply_retention(s, SYSTEM, dt.date(2030, 1, 2)).identities_pseudonymised == 1
        [doc] = s.scalars(select(ClaimAttachment).where(ClaimAttachment.claim_id == cid))
        assert (doc.content, doc.filename, doc.answers) == (b"", "pseudonymised", None)
        c = s.get(BenefitClaim, cid)
        assert (c.waiting_for, c.withdrawal_reason) == ("pseudonymised", None)
        # the append-only steps never held the free texts
        assert "janssens" not in str([st.detail for st in s.scalars(select(ClaimStep))]).lower()
        assert "moved abroad" not in str([st.detail for st in s.scalars(select(ClaimStep))])


def test_a_withdrawn_insurance_request_is_in_the_export_and_its_reason_goes_with_the_identity(db_url):
    """The reason someone gave to withdraw an assimilation request is a free text: listed in the person's access
    export, blanked with the identity — the withdrawal itself (date, who) stays."""
    from caisse.benefits import insurance_requests as ir
    from caisse.benefits.models import InsuranceRequest

    pid = Fund(db_url).person(start=dt.date(2010, 1, 1), end=dt.date(2019, 12, 31))
    with session_scope(db_url) as s:
        rid = ir.propose(s, SYSTEM, pid, "illness_assimilation", dt.date(2019, 3, 4), dt.date(2019, 3, 10), "").id
        ir.withdraw(s, SYSTEM, rid, dt.date(2019, 3, 20), "call: Dr Janssens says she is fit again")
    with session_scope(db_url) as s:
        [row] = gdpr.export_file(s, SYSTEM, pid)["insurance_requests"]
        assert (row["status"], row["withdrawal_reason"]) == ("withdrawn", "call: Dr Janssens says she is fit again")
    with session_scope(db_url) as s:
        assert gdpr.apply_retention(s, SYSTEM, dt.date(2030, 1, 2)).identities_pseudonymised == 1
        r = s.get(InsuranceRequest, rid)
        assert (r.status, r.withdrawn_on, r.withdrawal_reason) == ("withdrawn", dt.date(2019, 3, 20), None)
