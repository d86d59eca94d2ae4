"""Withholding tax and set-off against contribution debts, as stories with exact amounts (issue 8, payments part).

- Withholding: the notes give no rate for a benefit the fund pays (11.11 % is the mutuality's, for maternity): every
  decision says "gross; withholding: not applied — rate not recorded"; once the fund records a rate with its source
  it is withheld. The 11.11 % below is a TEST figure recorded by the test, not a rate the notes give the fund.
- Set-off: only with the person's agreement, only debts due, not contested, outside a payment plan; the notice says
  what was set off against which quarter and what is transferred."""

from __future__ import annotations

import pytest
from helpers import contributions, d, iban, quarters
from sqlalchemy import insert, select
from test_benefit_payments import messages_to, transfers
from test_benefit_undue_and_charter import text_of
from typer.testing import CliRunner

from caisse.benefits import attachments, service, setoff, withholding
from caisse.benefits.models import BenefitClaim, ClaimStep, SetOffConsent
from caisse.cli import app
from caisse.collection.credit_transfers import export_credit_transfers
from caisse.config import get_settings
from caisse.documents.benefit_decisions import decision_pdf
from caisse.errors import Conflict, InvalidInput
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.reporting.tax_certificates import compute as tax_certificates
from caisse.rules.explain import fmt_money
from caisse.security.authz import Principal
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")
runner = CliRunner()


def carer_claim(db_url, fund, *, unpaid=(), language="fr") -> tuple[int, int]:
    """Carla: her 2023Q4–2024Q1 contributions paid (800.00 a quarter), ``unpaid`` quarters called and not paid; an
    account on file; 1 month of carer leave from 1-6-2024 (1,638.26 [S204]) asked on 15-5-2024, not decided yet."""
    carla = fund.person(category="main", start=d("2015-01-01"), language=language)
    iban(db_url, carla)
    contributions(db_url, carla, paid=quarters("2023Q4", "2024Q1"), unpaid=list(unpaid))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, carla, "carer", {"start": d("2024-06-01"), "months": 1},
                                 d("2024-05-15")).id
    return carla, cid


def decide(db_url, cid, today="2024-05-20"):
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d(today))
        return c.decision


def pdf_money(cents, lang):
    """An amount as the PDF's extracted text shows it (its thin spaces read as spaces)."""
    return " ".join(fmt_money(cents, lang).split())


def entries_of(s, key):
    t = s.scalar(select(LedgerTransaction).where(LedgerTransaction.key == key))
    return sorted((e.account, e.period, e.amount_cents)
                  for e in s.scalars(select(LedgerEntry).where(LedgerEntry.transaction_id == t.id)))


# --- withholding tax -------------------------------------------------------------------------------------------------

def test_without_a_recorded_rate_the_decision_says_gross_and_withholding_not_applied(db_url, fund):
    get_settings.cache_clear()
    assert withholding.recorded() == ()  # shipped: none (NOT FOUND in the notes)
    _carla, cid = carer_claim(db_url, fund)
    tax = decide(db_url, cid)["withholding"]
    assert (tax["applied"], tax["gross_cents"], tax["withheld_cents"]) == (False, 163_826, 0)
    assert "NOT FOUND" in tax["why"] and "mutuality" in tax["why"]
    with session_scope(db_url) as s:
        text = text_of(decision_pdf(s, cid))
        assert f"Montant brut : {pdf_money(163_826, 'fr')}." in text
        assert "Précompte professionnel : non appliqué — taux non enregistré" in text
    assert transfers(export_credit_transfers(db_url, d("2024-05-24")).content) == [("1638.26", "Prestation 2024Q2")]


def test_a_rate_the_fund_records_with_its_source_is_withheld_and_owed_to_the_tax_administration(
        db_url, fund, tmp_path, monkeypatch):
    path = tmp_path / "withholding.yaml"
    path.write_text('rates:\n  - {kind: carer, from: 2024-01-01, rate: "0.1111", source: "TEST source", '
                    "source_id: TEST-1, entered_by: test, entered_on: 2024-01-02}\n", encoding="utf-8")
    monkeypatch.setenv("CAISSE_WITHHOLDING_FILE", str(path))
    get_settings.cache_clear()
    _carla, cid = carer_claim(db_url, fund, language="nl")
    tax = decide(db_url, cid)["withholding"]
    # 1,638.26 × 11.11 % = 182.0106… → 182.01 withheld; 1,456.25 transferred
    assert (tax["applied"], tax["withheld_cents"], tax["rate"], tax["source"], tax["source_id"]) == (
        True, 18_201, "0.1111", "TEST source", "TEST-1")
    with session_scope(db_url) as s:
        assert entries_of(s, f"benefit/claim/{cid}") == [
            ("benefit", "2024Q2", -145_625), ("benefit_expense", "2024Q2", 163_826),
            ("withholding_tax", "2024Q2", -18_201)]
        text = text_of(decision_pdf(s, cid))
        assert f"Ingehouden bedrijfsvoorheffing: {pdf_money(18_201, 'nl')} (11,11 %, TEST source)" in text
    assert transfers(export_credit_transfers(db_url, d("2024-05-24")).content) == [("1456.25", "Uitkering 2024Q2")]
    get_settings.cache_clear()


GOOD = {"kind": "carer", "from": "2024-01-01", "rate": "0.1111", "source": "s", "source_id": "TEST-1",
        "entered_by": "x", "entered_on": "2024-01-02"}


@pytest.mark.parametrize("bad, says", [
    ({**GOOD, "kind": "maternity"}, "not a benefit the fund pays"),
    ({k: v for k, v in GOOD.items() if k != "source"}, "source missing"),
    ({k: v for k, v in GOOD.items() if k != "source_id"}, "source_id missing"),
    ({**GOOD, "source_id": "royal decree | annex"}, "source's short id the tax file quotes"),
    ({**GOOD, "source_id": "A" * 21}, "1 to 20 letters"),
    ({**GOOD, "rate": "11.11"}, "share of the gross"),
    ({**GOOD, "rate": "0.11111111"}, "more decimals than the tax file carries"),
])
def test_a_withholding_rate_is_recorded_with_its_source_for_a_benefit_the_fund_pays(bad, says):
    with pytest.raises(withholding.WithholdingFileError, match=says):
        withholding.parse({"rates": [bad]})
    with pytest.raises(withholding.WithholdingFileError, match="overlaps"):
        withholding.parse({"rates": [{**GOOD, **r} for r in (
            {"from": "2024-01-01", "rate": "0.1", "entered_by": "x", "entered_on": "2024-01-02"},
            {"from": "2025-01-01", "rate": "0.2", "entered_by": "x", "entered_on": "2024-12-02"})]})
    [rate] = withholding.parse({"rates": [GOOD]})
    assert (rate.text, rate.source, rate.source_id) == ("0.1111", "s", "TEST-1")


# --- set-off against contribution debts, with the person's agreement -------------------------------------------------

def test_without_an_agreement_nothing_is_set_off_whatever_is_owed(db_url, fund):
    carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2"])
    d_ = decide(db_url, cid)
    assert "contribution_set_off" not in d_ and d_["transfer_cents"] == 163_826
    assert transfers(export_credit_transfers(db_url, d("2024-05-24")).content) == [("1638.26", "Prestation 2024Q2")]
    with session_scope(db_url) as s:
        assert s.scalar(select(LedgerTransaction.id).where(
            LedgerTransaction.key == f"benefit/claim/{cid}/set-off")) is None


def test_with_her_agreement_the_benefit_pays_the_quarter_due_and_the_rest_is_transferred(db_url, fund):
    # 2022Q2 (800.00) is due and unpaid; 2024Q2 (800.00) is called but due only on 30-6-2024: not taken
    carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2", "2024Q2"])
    with session_scope(db_url) as s:  # at the desk, the day after her claim
        setoff.record_consent(s, DESK, cid, d("2024-05-16"), "desk")
    so = decide(db_url, cid)["contribution_set_off"]
    assert (so["set_off_cents"], so["paid_cents"]) == (80_000, 83_826)
    assert so["lines"] == [{"account": "contribution", "period": "2022Q2", "cents": 80_000}]
    assert so["excluded"] == [{"account": "contribution", "period": "2024Q2", "cents": 80_000, "why": "not due yet"}]
    with session_scope(db_url) as s:
        assert entries_of(s, f"benefit/claim/{cid}") == [
            ("benefit", "2024Q2", -83_826), ("benefit_expense", "2024Q2", 163_826), ("credit", None, -80_000)]
        assert entries_of(s, f"benefit/claim/{cid}/set-off") == [
            ("contribution", "2022Q2", -80_000), ("credit", None, 80_000)]
        assert service.paid_quarters(s, carla, [], d("2024-05-20")) == set()
        from caisse.services.calendar import Quarter

        assert service.paid_quarters(s, carla, [Quarter.parse("2022Q2")], d("2024-05-20")) == {"2022Q2"}
        assert s.scalar(select(SetOffConsent.used_on)) == d("2024-05-20")
        notice = [m for m in messages_to(s, carla) if m.startswith("Avec votre accord")]
        assert notice == [
            f"Avec votre accord du 16/05/2024, la caisse compense {fmt_money(80_000, 'fr')} de votre allocation "
            f"d'aidant proche (demande n° {cid}, {fmt_money(163_826, 'fr')}) avec vos cotisations échues : 2022Q2 "
            f"cotisations {fmt_money(80_000, 'fr')}. Reste versé par virement : {fmt_money(83_826, 'fr')}."]
        text = text_of(decision_pdf(s, cid))
        assert "Compensation avec vos cotisations (avec votre accord du 16/05/2024)" in text
        assert f"2022Q2 — cotisations : {pdf_money(80_000, 'fr')}" in text
    assert transfers(export_credit_transfers(db_url, d("2024-05-24")).content) == [("838.26", "Prestation 2024Q2")]
    with session_scope(db_url) as s:  # paid by set-off: a contribution paid in 2024 on the tax certificate
        [cert] = tax_certificates(s, 2024, [carla])
        # 2024Q1 paid on 31-3-2024 and 2022Q2 paid by the set-off on 20-5-2024
        assert (cert.paid, cert.deductible) == (80_000 + 80_000, 160_000)
        from caisse.reporting.statistics import benefits as benefit_statistics

        [row] = [r for r in benefit_statistics(s, d("2024-05-31")).rows if r["kind"] == "carer"]
        # the statistics: granted 1,638.26, transferred 838.26, nothing left to pay (the rest paid the quarter)
        assert (row["ledger_granted"], row["paid_amount"], row["to_pay"]) == (163_826, 83_826, 0)


def test_an_agreement_up_to_an_amount_sets_off_no_more(db_url, fund):
    _carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2", "2022Q3"], language="de")
    with session_scope(db_url) as s:
        setoff.record_consent(s, DESK, cid, d("2024-05-16"), "letter", max_cents=30_000)
    so = decide(db_url, cid)["contribution_set_off"]
    assert (so["set_off_cents"], so["paid_cents"], so["lines"]) == (
        30_000, 133_826, [{"account": "contribution", "period": "2022Q2", "cents": 30_000}])


def test_debts_contested_or_in_a_payment_plan_are_never_set_off(db_url, fund):
    from caisse.recovery.models import PaymentPlan, RecoveryFile

    planned, _ = carer_claim(db_url, fund, unpaid=["2022Q2"])
    contested, cid2 = carer_claim(db_url, fund, unpaid=["2022Q3"])
    with session_scope(db_url) as s:
        s.execute(insert(PaymentPlan), [{"party_id": planned, "status": "active", "requested_on": d("2023-01-10"),
                                         "debt_cents": 80_000, "down_payment_cents": 10_000, "months": 8,
                                         "reason": "test", "requested_by": "test"}])
        s.execute(insert(RecoveryFile), [{"party_id": contested, "stage": "formal_notice",
                                          "stage_since": d("2023-02-01"), "opened_on": d("2022-09-01"),
                                          "contested_on": d("2023-02-20"), "contest_kind": "contest"}])
    for cid in (1, cid2):
        with session_scope(db_url) as s:
            setoff.record_consent(s, DESK, cid, d("2024-05-16"), "desk")
    first, second = decide(db_url, 1)["contribution_set_off"], decide(db_url, cid2)["contribution_set_off"]
    assert (first["set_off_cents"], first["excluded"][0]["why"]) == (0, "in payment plan 1 (active)")
    assert (second["set_off_cents"], second["excluded"][0]["why"]) == (
        0, "contested on 2023-02-20 (art. 46 registered letter)")
    with session_scope(db_url) as s:  # told: nothing set off, everything transferred
        assert any("aucune cotisation échue et non contestée" in m for m in messages_to(s, planned))
    run = export_credit_transfers(db_url, d("2024-05-24"))
    assert [a for a, _ in transfers(run.content)] == ["1638.26", "1638.26"]


def test_quarters_she_asked_to_be_dispensed_from_or_reduced_wait_for_that_decision(db_url, fund):
    """Carla asked INASTI to dispense her 2022Q2 and the fund to reduce her 2023 contributions: paying those
    quarters out of her benefit would defeat what she asked, so they wait; her other quarter due is set off."""
    from caisse.recovery.models import ReductionRequest, ReliefRequest

    carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2", "2022Q3", "2023Q1"])
    with session_scope(db_url) as s:
        s.execute(insert(ReliefRequest), [{"kind": "dispensation", "party_id": carla, "status": "sent",
                                           "requested_on": d("2023-03-01"), "periods": ["2022Q2"], "lines": [],
                                           "amount_cents": 80_000, "grounds": "test", "requested_by": "test"}])
        from caisse.cases.service import open_case

        case = open_case(s, DESK, carla, "reduction", "Reduction 2023", "reduction", d("2023-02-01"))
        s.execute(insert(ReductionRequest), [{"party_id": carla, "case_id": case.id, "year": 2023,
                                              "estimate_cents": 1_000_000, "justification": "test",
                                              "status": "requested", "requested_on": d("2023-02-01"),
                                              "requested_by": "test"}])
        setoff.record_consent(s, DESK, cid, d("2024-05-16"), "desk")
    so = decide(db_url, cid)["contribution_set_off"]
    why = {(x["period"], x["account"]): x["why"] for x in so["excluded"]}
    assert why[("2022Q2", "contribution")] == "dispensation asked on 2023-03-01: waiting for INASTI's decision"
    assert why[("2023Q1", "contribution")] == ("reduction of the 2023 contributions asked on 2023-02-01: waiting for a "
                                               "decision")
    assert [(x["period"], x["cents"]) for x in so["lines"] if x["account"] == "contribution"] == [("2022Q3", 80_000)]


def test_an_agreement_is_refused_once_the_payment_is_ordered_and_can_be_withdrawn_before(db_url, fund):
    carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2"])
    with session_scope(db_url) as s:
        setoff.record_consent(s, DESK, cid, d("2024-05-16"), "desk")
    with session_scope(db_url) as s, pytest.raises(Conflict, match="already agreed on 2024-05-16"):
        setoff.record_consent(s, DESK, cid, d("2024-05-17"), "desk")
    with session_scope(db_url) as s:
        setoff.withdraw_consent(s, DESK, cid, d("2024-05-18"))
    assert "contribution_set_off" not in decide(db_url, cid)  # withdrawn: nothing set off
    with session_scope(db_url) as s, pytest.raises(Conflict, match="already ordered: too late"):
        setoff.record_consent(s, DESK, cid, d("2024-05-21"), "desk")
    with session_scope(db_url) as s, pytest.raises(InvalidInput) as bad:
        setoff.record_consent(s, DESK, cid, d("2024-05-21"), "desk", max_cents=0)
    assert bad.value.field == "max"
    with session_scope(db_url) as s:
        assert [c.withdrawn_on for c in s.scalars(select(SetOffConsent))] == [d("2024-05-18")]
        assert s.get(BenefitClaim, cid).decision["transfer_cents"] == 163_826


def test_the_set_off_agreement_from_the_command_line(db_url, fund, tmp_path):
    _carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2"])

    def run(*args):
        return runner.invoke(app, ["benefits", *args, "--db", db_url])

    signed = tmp_path / "akkoord.pdf"
    signed.write_bytes(b"%PDF-1.4\n%%EOF\n")
    for args, message in ((("--claim", str(cid), "--channel", "phone"), "error: channel: desk or letter"),
                          (("--claim", str(cid), "--max", "12.345"), "error: max: "),
                          (("--claim", str(cid), "--max", "0"), "error: max: a positive amount"),
                          (("--claim", "99"), "error: claim 99 not found")):
        r = run("set-off-consent", *args, "--document", str(signed), "--today", "2024-05-16")
        assert r.exit_code == 2 and r.output.startswith(message) and r.output.count("\n") == 1, (args, r.output)
    r = run("set-off-consent", "--claim", str(cid), "--channel", "letter", "--max", "500", "--today", "2024-05-16")
    assert r.exit_code == 2 and r.output.startswith("error: document: the agreement signed by the person"), r.output
    r = run("set-off-consent", "--claim", str(cid), "--channel", "letter", "--document", str(tmp_path / "missing.pdf"),
            "--today", "2024-05-16")
    assert r.exit_code == 2 and r.output.startswith("error: document: cannot be read"), r.output
    with session_scope(db_url) as s:  # nothing recorded by the refusals
        assert s.scalar(select(SetOffConsent.id)) is None and attachments.of_claim(s, cid) == []
    r = run("set-off-consent", "--claim", str(cid), "--channel", "letter", "--max", "500", "--document", str(signed),
            "--signed-on", "2024-05-17", "--today", "2024-05-16")
    assert r.exit_code == 2 and r.output.startswith("error: given_on: in the future"), r.output
    r = run("set-off-consent", "--claim", str(cid), "--channel", "letter", "--max", "500", "--document", str(signed),
            "--signed-on", "2024-05-15", "--today", "2024-05-16")
    assert r.exit_code == 0 and "signed on 2024-05-15" in r.output and "up to 500.00 EUR" in r.output, r.output
    with session_scope(db_url) as s:  # the signed scan is a document of the claim, named by the step
        [doc] = attachments.of_claim(s, cid)
        step = s.scalar(select(ClaimStep).where(ClaimStep.claim_id == cid, ClaimStep.step == "set_off_consent"))
        assert doc.filename == "akkoord.pdf" and step.detail["attachment"] == doc.id
    r = run("decide", "--claim", str(cid), "--today", "2024-05-20")
    assert r.output.splitlines()[1:] == [
        "  gross; withholding: not applied — rate not recorded",
        "  set off against contributions (agreed 2024-05-15): 500.00 EUR, 2022Q2 contribution 500.00; to transfer "
        "1138.26 EUR"]
    r = run("set-off-consent", "--claim", str(cid), "--withdraw", "--today", "2024-05-21")
    assert r.exit_code == 2 and "too late" in r.output and r.output.count("\n") == 1


def test_a_benefit_partly_set_off_is_claimed_back_on_all_that_was_paid_out_of_it(db_url, fund):
    from caisse.benefits.undue import claim_back

    _carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2"])
    with session_scope(db_url) as s:
        setoff.record_consent(s, DESK, cid, d("2024-05-16"), "desk")
    decide(db_url, cid)
    export_credit_transfers(db_url, d("2024-05-24"))
    with session_scope(db_url) as s:  # 838.26 transferred + 800.00 set off: the whole 1,638.26 was paid
        with pytest.raises(InvalidInput, match="more than what was paid"):
            claim_back(s, DESK, cid, 163_827, "conditions_not_met", "test", d("2024-07-01"))
        assert claim_back(s, DESK, cid, 163_826, "conditions_not_met", "test", d("2024-07-01")).amount_cents == 163_826
