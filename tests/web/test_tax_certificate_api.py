"""The portal serves the tax certificate the batch recorded (or computes it), to the affiliate and not to others."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
from fastapi.testclient import TestClient

from caisse.ledger import DebtLine, charge, receive_payment
from caisse.store.db import session_scope
from support.people import register_someone
from support.web import form_login, make_account


def test_an_affiliate_downloads_her_certificate_and_not_another_ones(app_for, db_url):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        other = register_someone(s, birth=dt.date(1988, 8, 8), seq=779).id
        charge(s, f"test/call/2025Q4/{pid}", pid, "2025Q4", dt.date(2025, 12, 31), dt.date(2025, 10, 1),
               [DebtLine("contribution", 87_171, "RD38 art.12")])
        receive_payment(s, f"test/pay/{pid}", dt.date(2025, 12, 20), 87_171, pid)
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for) as c:
        form_login(c, login, None)
        r = c.get(f"/api/persons/{pid}/tax-certificate.pdf", params={"year": 2025})
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
        assert "871,71" in text
        assert c.get(f"/api/persons/{pid}/tax-certificate.pdf", params={"year": 2099}).status_code == 422
        assert c.get(f"/api/persons/{other}/tax-certificate.pdf", params={"year": 2025}).status_code in (403, 404)
