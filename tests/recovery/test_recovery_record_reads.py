"""A person's recovery records reached by their own id — a dispensation request, its buy-back, a reduction request,
a bankruptcy, the case they opened — are read by the person, their accountant, or the fund's staff who need them:
another affiliate is refused them exactly as an id that does not exist (probing ids tells nothing, the role is
checked before anything is looked up), a caseworker of another team states why first, and every read is audited
with who read it and why."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from caisse.batches import quarterly_call
from caisse.cases import service as cases
from caisse.config import Settings
from caisse.errors import NotFound
from caisse.recovery import bankruptcy, buyback, reduction, relief
from caisse.security.authz import Forbidden, NeedToKnow, Principal
from caisse.services import accounts
from caisse.services.affiliation import declare_need_to_know
from caisse.services.recovery_desk import claim_pdf
from caisse.store.db import session_scope
from caisse.store.models import AuditLog, Party

CLERK = Principal.system("cli:caseworker")
AT_ONCE = Settings(four_eyes_threshold_cents=10**9)
MISSING = 987_654


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


@pytest.fixture
def records(db_url, fund, tmp_path):
    """Eva (team t2) could not pay 2026: INASTI dispensed 2026Q1, she asked to buy it back in 2027 and went bankrupt
    in February 2027 (the claim declared). Ana (team t2) asked to reduce her provisional contributions 2026."""
    eva = fund.person(category="main", start=d("2020-01-01"), incomes={y: "9000.00" for y in (2022, 2023, 2024)})
    ana = fund.person(category="main", incomes={2023: "60000.00"})
    bob = fund.person()
    for q in ("2026Q1", "2026Q2"):
        quarterly_call.run(db_url, q, fee_rate="0")
    with session_scope(db_url) as s:
        s.execute(update(Party).where(Party.id.in_([eva, ana, bob])).values(team="t2"))
        informed, _ = relief.pension_notice(s, CLERK, eva, "2026Q1", d("2026-07-06"))
        dispensation = relief.request_dispensation(s, CLERK, eva, "2026Q1", "serious illness since February",
                                                   d("2026-07-08"), signed_personally=True,
                                                   case_id=informed.case_id)
        relief.export_requests(s, CLERK, "dispensation", d("2026-07-09"), tmp_path)
        relief.record_decision(s, CLERK, dispensation.id, d("2026-09-03"), decided_on=d("2026-09-01"),
                               reference="RSVZ-D-12", granted="2026Q1", surcharges_included=True, settings=AT_ONCE)
        bought = buyback.request_buyback(s, CLERK, eva, "2026Q1", d("2027-01-10"))
        asked = reduction.request(s, Principal(login="ana", role="affiliate", party_id=ana), ana, 2026, 2_000_000,
                                  "Baisse du chiffre d'affaires.", d("2026-05-15"))
        bk = bankruptcy.record(s, CLERK, eva, d("2027-02-01"), "Tribunal de l'entreprise de Bruxelles", "Me Claes",
                               "Avenue Louise 1, 1050 Bruxelles", "fr", d("2027-02-03"))
        bankruptcy.claim(s, CLERK, bk.id, d("2027-02-03"))
        account, _ = accounts.create_account(s, Principal.system("setup"), "sophie@fund.test", "a long passphrase 42",
                                             "caseworker", team="t1")
        return {"eva": eva, "ana": ana, "bob": bob, "relief": dispensation.id, "buyback": bought.id,
                "reduction": asked.id, "reduction_case": asked.case_id, "bankruptcy": bk.id,
                "sophie": Principal(login="sophie@fund.test", role="caseworker", account_id=account.id, team="t1")}


def reads(db_url) -> list[tuple[str, str, str, int, str | None, str | None]]:
    with session_scope(db_url) as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action == "read", AuditLog.entity != "case")
                         .order_by(AuditLog.id)).all()
        return [(r.actor, r.entity, r.entity_id, r.party_id, r.reason, (r.detail or {}).get("what")) for r in rows]


def test_another_persons_recovery_record_is_refused_like_an_id_that_does_not_exist(db_url, records):
    bob = Principal(login="bob", role="affiliate", party_id=records["bob"])
    bobs_accountant = Principal(login="acc", role="accountant", grants=frozenset({records["bob"]}))
    getters = {"buy-back request": (buyback.get, records["buyback"]),
               "reduction request": (reduction.get, records["reduction"]),
               "relief request": (relief.get, records["relief"]),
               "case": (cases.get_case, records["reduction_case"])}
    before = reads(db_url)
    with session_scope(db_url) as s:
        for thing, (get, existing) in getters.items():
            for who, message in ((bob, f"this {thing} is not of your files"),
                                 (bobs_accountant, f"no mandate for this {thing}'s file")):
                for record_id in (existing, MISSING):
                    with pytest.raises(Forbidden) as exc:
                        get(s, who, record_id)
                    assert str(exc.value) == message, (thing, who.role, record_id)
        # the bankruptcy is the fund's business: the role is refused before the id is looked up (no 404 to probe)
        for who in (bob, bobs_accountant):
            for bankruptcy_id in (records["bankruptcy"], MISSING):
                with pytest.raises(Forbidden) as exc:
                    bankruptcy.get(s, who, bankruptcy_id, action="recovery.read")
                assert str(exc.value) == f"{who.role} may not recovery read"
            for request_id in (records["reduction"], MISSING):  # deciding: the same, before anything is read
                with pytest.raises(Forbidden) as exc:
                    reduction.decide(s, who, request_id, True, "", d("2026-05-20"))
                assert str(exc.value) == f"{who.role} may not recovery manage"
        # writing in a case: another's and a missing one alike
        for case_id in (records["reduction_case"], MISSING):
            with pytest.raises(Forbidden) as exc:
                cases.write(s, bob, case_id, "Bonjour", d("2026-05-16"))
            assert str(exc.value) == "this case is not of your files"
    assert reads(db_url) == before  # nothing was read


def test_a_caseworker_of_another_team_states_why_and_each_read_is_audited_with_that_reason(db_url, records):
    """Sophie (team t1) is asked why before she may read a record of Eva's or Ana's (team t2); once she stated it,
    each read is audited with her reason. Eva reads her own buy-back request (audited, no reason); an auditor draws
    the declaration of claim (a read: the auditor may not handle the bankruptcy)."""
    eva, ana, sophie = records["eva"], records["ana"], records["sophie"]
    before = len(reads(db_url))
    with session_scope(db_url) as s:
        for get, record_id in ((buyback.get, records["buyback"]), (reduction.get, records["reduction"]),
                               (relief.get, records["relief"])):
            with pytest.raises(NeedToKnow):
                get(s, sophie, record_id)
            with pytest.raises(NotFound):  # staff: a missing id is just missing
                get(s, sophie, MISSING)
        with pytest.raises(NeedToKnow):
            claim_pdf(s, sophie, eva, records["bankruptcy"])
    with session_scope(db_url) as s:
        assert buyback.get(s, Principal(login="eva", role="affiliate", party_id=eva), records["buyback"]).party_id \
            == eva
        declare_need_to_know(s, sophie, eva, "Eva phoned about her buy-back", kind="contact")
        declare_need_to_know(s, sophie, ana, "Ana phoned about her reduction", kind="contact")
        assert buyback.get(s, sophie, records["buyback"]).id == records["buyback"]
        assert reduction.get(s, sophie, records["reduction"]).estimate_cents == 2_000_000
        assert relief.get(s, sophie, records["relief"]).status == "granted"
        b, pdf = claim_pdf(s, sophie, eva, records["bankruptcy"])
        assert pdf.startswith(b"%PDF") and b.claim_cents > 0
        assert claim_pdf(s, Principal(login="audrey", role="auditor"), eva, records["bankruptcy"])[1] == pdf
    eva_said, ana_said = "contact: Eva phoned about her buy-back", "contact: Ana phoned about her reduction"
    assert reads(db_url)[before:] == [
        ("eva", "buyback_request", str(records["buyback"]), eva, None, None),
        ("sophie@fund.test", "buyback_request", str(records["buyback"]), eva, eva_said, None),
        ("sophie@fund.test", "reduction_request", str(records["reduction"]), ana, ana_said, None),
        ("sophie@fund.test", "relief_request", str(records["relief"]), eva, eva_said, None),
        ("sophie@fund.test", "claim_declaration", str(records["bankruptcy"]), eva, eva_said,
         "declaration of claim (pdf)"),
        ("audrey", "claim_declaration", str(records["bankruptcy"]), eva, None, "declaration of claim (pdf)")]
